package analyzer_test

// Benchmarks of a full live analysis (DNS through dohtest and the real
// dohresolver client) and of offline throughput, and a test of how many
// sequential DNS round trips a live analysis costs.
//
//	go test ./analyzer -run '^$' -bench 'AnalyzeLive|AnalyzeOfflineCorpus' -count 3
//	go test ./analyzer -run TestLiveRoundTrips -v

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer"
	"headerlens/dohresolver"
	"headerlens/lookup"
)

// liveCase is the golden case the live benchmarks analyze: every check
// passes and SPF goes three includes deep.
const liveCase = "01-all-pass"

// analyzeLive analyzes eml with a fresh resolver, so no answer is cached
// from an earlier run. cacheSize is dohresolver.Config.CacheSize (-1: no
// cache, every query goes out; 0: the default cache, which the analyzer's
// DMARC prefetch relies on).
func analyzeLive(tb testing.TB, eml []byte, url string, cacheSize int) (*analyzer.Report, time.Duration) {
	tb.Helper()
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{url}, CacheSize: cacheSize})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	rep, err := analyzer.Analyze(context.Background(), eml, analyzer.Options{Resolver: r, Now: goldenNow})
	wall := time.Since(start)
	if err != nil {
		tb.Fatal(err)
	}
	return rep, wall
}

func readCase(tb testing.TB, name string) []byte {
	tb.Helper()
	eml, err := os.ReadFile(filepath.Join(goldenDir, name+".eml"))
	if err != nil {
		tb.Fatal(err)
	}
	return eml
}

// longestChain returns the longest sequence of queries of the log in which
// each starts after the previous one ended: a lower bound of the DNS round
// trips the analysis waited for one after the other. Answers from the
// resolver's cache took no round trip and are left out.
func longestChain(qs []lookup.Query) []lookup.Query {
	var net []lookup.Query
	for _, q := range qs {
		if !q.Cached {
			net = append(net, q)
		}
	}
	slices.SortStableFunc(net, func(a, b lookup.Query) int {
		switch {
		case a.StartMs < b.StartMs:
			return -1
		case a.StartMs > b.StartMs:
			return 1
		}
		return 0
	})
	n := len(net)
	length, prev := make([]int, n), make([]int, n)
	best := -1
	for i := range net {
		length[i], prev[i] = 1, -1
		for j := 0; j < i; j++ {
			if net[j].StartMs+net[j].DurationMs <= net[i].StartMs && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	var chain []lookup.Query
	for i := best; i >= 0; i = prev[i] {
		chain = append(chain, net[i])
	}
	slices.Reverse(chain)
	return chain
}

func describeQueries(qs []lookup.Query) string {
	var b strings.Builder
	for _, q := range qs {
		fmt.Fprintf(&b, "\n  %7.1f ms +%6.1f ms  %-4s %s %s", q.StartMs, q.DurationMs, q.Type, q.Name, q.Rcode)
	}
	return b.String()
}

// BenchmarkAnalyzeLive runs a full live analysis of case 01 with every
// answer delayed by 0 and by 50 ms, with the resolver cache disabled and a
// fresh resolver per iteration, so every query goes to the server.
// Metrics: wall-ms/op, queries/op (that reached the server), chain/op
// (longest chain of non-overlapping queries in the DNS log) and, at 50 ms,
// seq-rtt/op (wall time / latency: the sequential round trips).
func BenchmarkAnalyzeLive(b *testing.B) {
	eml := readCase(b, liveCase)
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%dms", latency.Milliseconds()), func(b *testing.B) {
			srv := newCaseServer(b, liveCase)
			srv.SetLatency(latency)
			before := srv.Count()
			var chains int
			for b.Loop() {
				rep, _ := analyzeLive(b, eml, srv.URL(), -1)
				chains += len(longestChain(rep.DNS))
			}
			wallMs := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
			b.ReportMetric(wallMs, "wall-ms/op")
			b.ReportMetric(float64(srv.Count()-before)/float64(b.N), "queries/op")
			b.ReportMetric(float64(chains)/float64(b.N), "chain/op")
			if latency > 0 {
				b.ReportMetric(wallMs/float64(latency.Milliseconds()), "seq-rtt/op")
			}
		})
	}
}

// TestLiveRoundTrips checks that a live analysis of case 01 waits for no
// more DNS round trips than the case's longest dependency chain (plus one
// for slack), with 50 ms per answer.
//
// The longest dependency chain, from 01-all-pass.zone and the message:
//
//   - SPF, MAIL FROM bounce@news.example.com (RFC 7208 §4.6.4: each include
//     needs the record of the one before): TXT news.example.com ->
//     TXT _spf.example.com -> TXT _spf.mailer.example.net ->
//     TXT _netblocks.mailer.example.net, where ip4:198.51.100.0/25 matches.
//     4 round trips.
//   - SPF, HELO mta7.mailer.example.net: TXT, then A for "a". 2 round trips,
//     independent of the MAIL FROM evaluation (RFC 7208 §2.3).
//   - DKIM: one key TXT per signature, both names known from the header.
//     1 round trip.
//   - DMARC: the tree walk names of news.example.com (RFC 9989 §4.10) and of
//     the SPF and DKIM domains are all known before any query. 1 round trip;
//     only the verdict waits for SPF and DKIM, not the queries.
//
// So 4 round trips: the test fails when more than 4 queries of the log
// ran one after the other, or when the wall time is far beyond 4 round
// trips (BenchmarkAnalyzeLive measures it).
func TestLiveRoundTrips(t *testing.T) {
	// 100 ms per query (the benchmark uses 50 ms): the same bound, with
	// more room for a loaded CI machine's scheduling delays.
	const (
		latency  = 100 * time.Millisecond
		chain    = 4
		cpuSlack = 40 * time.Millisecond
	)
	spfChain := []string{"news.example.com", "_spf.example.com", "_spf.mailer.example.net", "_netblocks.mailer.example.net"}
	eml := readCase(t, liveCase)
	tests := []struct {
		name      string
		cacheSize int
	}{
		{"default cache", 0},
		{"no cache", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCaseServer(t, liveCase)
			srv.SetLatency(latency)
			rep, wall := analyzeLive(t, eml, srv.URL(), tt.cacheSize)
			// The derivation above must match what the analysis asked.
			for _, name := range spfChain {
				if !slices.ContainsFunc(rep.DNS, func(q lookup.Query) bool { return q.Type == "TXT" && q.Name == name }) {
					t.Errorf("the DNS log has no TXT %s, which the SPF chain of case 01 needs", name)
				}
			}
			if rep.Live.SPF == nil || rep.Live.SPF.Result != "pass" {
				t.Fatalf("SPF = %+v, want pass (the case no longer exercises the chain)", rep.Live.SPF)
			}
			seq := longestChain(rep.DNS)
			t.Logf("wall %v = %.1f round trips of %v; %d queries reached the server; longest chain of non-overlapping queries in the log: %d",
				wall.Round(time.Millisecond), float64(wall)/float64(latency), latency, srv.Count(), len(seq))
			// The bound is structural: no more queries one after the other
			// than the dependency chain. Wall time on a loaded 2-core
			// machine stretches every query alike (a 100 ms answer can
			// take 160 ms), so it fails only when it is far off.
			if len(seq) > chain {
				t.Errorf("%d queries ran one after the other, want at most %d (the SPF include chain):%s\nfull DNS log:%s",
					len(seq), chain, describeQueries(seq), describeQueries(rep.DNS))
			}
			if limit := 2*time.Duration(chain+1)*latency + cpuSlack; wall > limit {
				t.Errorf("wall time %v, want well under %v; these %d queries ran one after the other:%s\nfull DNS log:%s",
					wall.Round(time.Millisecond), limit, len(seq), describeQueries(seq), describeQueries(rep.DNS))
			}
		})
	}
}

// BenchmarkAnalyzeOfflineCorpus analyzes every corpus message offline,
// one per iteration, and reports messages per second.
func BenchmarkAnalyzeOfflineCorpus(b *testing.B) {
	const pattern = "../testdata/corpus/*.eml"
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		b.Fatalf("no corpus in %s: %v", pattern, err)
	}
	inputs := make([][]byte, len(files))
	var total int
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = data
		total += len(data)
	}
	b.SetBytes(int64(total / len(inputs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := analyzer.Analyze(context.Background(), inputs[i%len(inputs)], analyzer.Options{Now: goldenNow}); err != nil {
			b.Fatalf("%s: %v", files[i%len(inputs)], err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func TestLongestChain(t *testing.T) {
	q := func(name string, start, dur float64, cached bool) lookup.Query {
		return lookup.Query{Name: name, Type: "TXT", StartMs: start, DurationMs: dur, Cached: cached}
	}
	tests := []struct {
		name string
		log  []lookup.Query
		want []string
	}{
		{"empty", nil, nil},
		{"all concurrent", []lookup.Query{q("a", 0, 50, false), q("b", 1, 50, false), q("c", 2, 50, false)}, []string{"a"}},
		{"a chain beside a lone query", []lookup.Query{q("c", 101, 50, false), q("x", 0, 200, false), q("a", 0, 50, false), q("b", 51, 50, false)}, []string{"a", "b", "c"}},
		{"back to back", []lookup.Query{q("a", 0, 50, false), q("b", 50, 50, false)}, []string{"a", "b"}},
		{"cached answers take no round trip", []lookup.Query{q("a", 0, 50, false), q("b", 51, 0, true), q("c", 52, 50, false)}, []string{"a", "c"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range longestChain(tt.log) {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
