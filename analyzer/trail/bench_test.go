package trail

import (
	"os"
	"path/filepath"
	"testing"

	"headerlens/analyzer/received"
)

// corpusInputs reads every corpus message's Received fields and evidence.
func corpusInputs(b *testing.B) ([][]string, []Evidence) {
	emls, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil || len(emls) == 0 {
		b.Fatalf("corpus: %v", err)
	}
	var rcvs [][]string
	var evs []Evidence
	for _, p := range emls {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		r, ev := inputs(readHeader(data))
		rcvs = append(rcvs, r)
		evs = append(evs, ev)
	}
	return rcvs, evs
}

// BenchmarkParseCorpusReceived parses the Received fields of the corpus;
// one op is one message (all its Received fields).
func BenchmarkParseCorpusReceived(b *testing.B) {
	rcvs, _ := corpusInputs(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, v := range rcvs[i%len(rcvs)] {
			received.Parse(v)
		}
	}
}

// BenchmarkBuildCorpus builds the whole trail (parse, delays, boundary,
// findings); one op is one message.
func BenchmarkBuildCorpus(b *testing.B) {
	rcvs, evs := corpusInputs(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(rcvs)
		Build(rcvs[k], evs[k])
	}
}
