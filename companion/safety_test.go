package companion_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"headerlens/companion"
	"headerlens/companion/internal/testenv"
)

// TestSSRF runs the companion with the production address policy: nothing
// but globally reachable unicast may be contacted. Listeners on the mapped
// loopback ports prove that no connection is even attempted.
func TestSSRF(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.UnsafeAllowPrivateTargets = false })
	conns := countingServer(t, fmt.Sprintf("127.0.0.1:%d", e.smtpPort))
	e.rr(
		"ssrf.test. 60 IN MX 10 mx1.ssrf.test.",
		"ssrf.test. 60 IN MX 20 mx2.ssrf.test.",
		"ssrf.test. 60 IN MX 30 mx3.ssrf.test.",
		"ssrf.test. 60 IN MX 40 mx4.ssrf.test.",
		"mx1.ssrf.test. 60 IN A 127.0.0.1",
		"mx2.ssrf.test. 60 IN A 10.0.0.1",
		"mx3.ssrf.test. 60 IN A 169.254.169.254",
		"mx4.ssrf.test. 60 IN AAAA ::ffff:127.0.0.1",
		`_mta-sts.ssrf.test. 60 IN TXT "v=STSv1; id=1"`,
		"mta-sts.ssrf.test. 60 IN A 127.0.0.1",
		"internal.ssrf.test. 60 IN A 192.168.1.1",
		"loop6.ssrf.test. 60 IN AAAA ::1",
	)

	literals := []struct {
		host       string
		wantReason string
	}{
		{"127.0.0.1", "loopback"},
		{"::ffff:127.0.0.1", "IPv4-mapped loopback"},
		{"[::1]", "loopback"},
		{"::127.0.0.1", "IPv4-compatible"},
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"192.168.0.1", "private"},
		{"100.64.0.1", "CGNAT"},
		{"169.254.169.254", "metadata"},
		{"100.100.100.200", "metadata"},
		{"fd00:ec2::254", "metadata"},
		{"0.0.0.0", "this network"},
		{"224.0.0.1", "multicast"},
		{"255.255.255.255", "broadcast"},
		{"198.18.0.1", "benchmarking"},
		{"192.0.2.1", "documentation"},
		{"2001:db8::25", "documentation"},
		{"fe80::1", "link-local"},
		{"fc00::25", "unique local"},
		{"64:ff9b::7f00:1", "NAT64 loopback"},
		{"2002:a00:1::1", "6to4"},
		{"internal.ssrf.test", "private"},
		{"loop6.ssrf.test", "loopback"},
		{"mx1.ssrf.test", "loopback"},
	}
	for _, tc := range literals {
		for _, port := range []string{"25", "465", "587"} {
			status, _, body := e.get("/api/v1/smtp-tls?host="+tc.host+"&port="+port, nil)
			msg, _ := body["error"].(string)
			if status != http.StatusForbidden || body["code"] != "target-refused" || !strings.Contains(msg, tc.wantReason) {
				t.Errorf("smtp-tls %s:%s: got %d %v, want 403 target-refused mentioning %q", tc.host, port, status, body, tc.wantReason)
			}
		}
	}

	status, _, body := e.get("/api/v1/mail-tls?domain=ssrf.test", nil)
	if status != http.StatusOK {
		t.Fatalf("mail-tls: got %d %v, want 200", status, body)
	}
	wantHosts := []struct{ host, reason string }{
		{"mx1.ssrf.test", "loopback"},
		{"mx2.ssrf.test", "private"},
		{"mx3.ssrf.test", "metadata"},
		{"mx4.ssrf.test", "IPv4-mapped loopback"},
	}
	for i, w := range wantHosts {
		if got := at(body, "hosts", i, "host"); got != w.host {
			t.Errorf("hosts[%d].host: got %v, want %s", i, got, w.host)
		}
		if got := at(body, "hosts", i, "errorKind"); got != "blocked" {
			t.Errorf("%s errorKind: got %v, want blocked", w.host, got)
		}
		if got, _ := at(body, "hosts", i, "addresses", 0, "refused").(string); !strings.Contains(got, w.reason) {
			t.Errorf("%s refused: got %q, want %q", w.host, got, w.reason)
		}
		if got := at(body, "hosts", i, "probe"); got != nil {
			t.Errorf("%s probe: got %v, want none", w.host, got)
		}
	}
	if got := at(body, "mtaSts", "fetch", "errorKind"); got != "blocked" {
		t.Errorf("MTA-STS fetch errorKind: got %v, want blocked", got)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("connections to the loopback SMTP listener: got %d, want 0", n)
	}
	if n := e.hits.Load(); n != 0 {
		t.Errorf("requests to the loopback policy server: got %d, want 0", n)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.RatePerClient, c.RateBurst = 0.001, 3 })
	const n = 10
	got429 := 0
	for range n {
		status, h, body := e.get("/api/v1/mta-sts?domain=rate.test", nil)
		if status == http.StatusTooManyRequests {
			got429++
			if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("Retry-After: got %q, want a positive number of seconds", h.Get("Retry-After"))
			}
			if body["code"] != "rate-limited" {
				t.Errorf("code: got %v, want rate-limited", body["code"])
			}
		}
	}
	t.Logf("per-client limit (burst 3): %d requests, %d answered 429", n, got429)
	if got429 != n-3 {
		t.Errorf("429s: got %d, want %d", got429, n-3)
	}
	// healthz is never limited.
	if status, _, _ := e.get("/healthz", nil); status != 200 {
		t.Errorf("healthz under limit: got %d, want 200", status)
	}
}

func TestRateLimitGlobal(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) {
		c.GlobalRate, c.GlobalBurst = 0.001, 4
		c.RatePerClient, c.RateBurst = 0.001, 2
		c.TrustProxyHeaders = true
	})
	codes := map[int]int{}
	// Five clients behind a loopback proxy, three requests each.
	for i := range 5 {
		for range 3 {
			status, _, _ := e.get("/api/v1/mta-sts?domain=rate.test", map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.1, 203.0.113.%d", i+1)})
			codes[status]++
		}
	}
	t.Logf("global limit (burst 4, per client 2): %v", codes)
	if codes[200] != 4 || codes[429] != 11 {
		t.Errorf("codes: got %v, want 4×200 and 11×429", codes)
	}
}

// TestConcurrentMX checks that the MX hosts of one domain are probed at the
// same time: the request takes about as long as the slowest probe.
func TestConcurrentMX(t *testing.T) {
	e := newEnv(t, nil)
	delays := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 600 * time.Millisecond}
	var sum, slowest time.Duration
	for i, d := range delays {
		ip := fmt.Sprintf("127.0.0.%d", i+1)
		host := fmt.Sprintf("mx%d.multi.test", i+1)
		e.smtp(ip, host, testenv.SMTPOptions{Delay: d})
		e.rr(fmt.Sprintf("multi.test. 60 IN MX %d %s.", 10*(i+1), host), fmt.Sprintf("%s. 60 IN A %s", host, ip))
		// Each probe connects twice (main session and the TLS 1.0/1.1
		// check), each waiting for the delayed greeting.
		sum += 2 * d
		slowest = max(slowest, 2*d)
	}
	start := time.Now()
	status, _, body := e.get("/api/v1/mail-tls?domain=multi.test", nil)
	took := time.Since(start)
	if status != 200 {
		t.Fatalf("status: got %d, want 200", status)
	}
	for i := range delays {
		if got := at(body, "hosts", i, "probe", "tls", "chainVerified"); got != true {
			t.Errorf("host %d chainVerified: got %v, want true (%v)", i, got, at(body, "hosts", i, "probe", "error"))
		}
		t.Logf("host %d: banner wait %.0f ms, probe total %.0f ms", i, at(body, "hosts", i, "probe", "timings", "bannerMs"), at(body, "hosts", i, "probe", "timings", "totalMs"))
	}
	t.Logf("3 MX hosts: request took %v; slowest probe ≈ %v; sum of probes ≈ %v", took.Round(time.Millisecond), slowest, sum)
	if took < slowest || took > slowest+(sum-slowest)/2 {
		t.Errorf("duration: got %v, want ≈ the slowest probe %v, well under the sum %v", took, slowest, sum)
	}
}

// TestLoad fires 200 API requests at once and checks that the server
// answers all of them, stays responsive (/healthz) and returns to its
// baseline of goroutines, with the heap bounded.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	e := newEnv(t, func(c *companion.Config) { c.MaxConcurrent = 16 })
	e.smtp("127.0.0.1", "mx.load.test", testenv.SMTPOptions{Delay: 20 * time.Millisecond})
	e.rr("load.test. 60 IN MX 10 mx.load.test.", "mx.load.test. 60 IN A 127.0.0.1")

	// Warm up, then take the baseline.
	e.get("/api/v1/mail-tls?domain=load.test", nil)
	http.DefaultClient.CloseIdleConnections()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseG := ms.HeapInuse, runtime.NumGoroutine()

	const n = 200
	var wg sync.WaitGroup
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	stop := make(chan struct{})
	var peakHeap uint64
	var healthMax time.Duration
	healthN := 0
	var monitor sync.WaitGroup
	monitor.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			s := time.Now()
			resp, err := http.Get(e.api.URL + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			healthMax = max(healthMax, time.Since(s))
			healthN++
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peakHeap = max(peakHeap, m.HeapInuse)
		}
	})
	start := time.Now()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
	for i := range n {
		wg.Go(func() {
			s := time.Now()
			resp, err := client.Get(e.api.URL + "/api/v1/mail-tls?domain=load.test")
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			resp.Body.Close()
			codes[i], lat[i] = resp.StatusCode, time.Since(s)
		})
	}
	wg.Wait()
	total := time.Since(start)
	close(stop)
	monitor.Wait()
	client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()

	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	// Let finished handlers and connections wind down. Idle keep-alive
	// connections of the HTTP clients (DoH, test client) may stay; the
	// companion's own goroutines (handlers, probes) and the SMTP
	// sessions must all be gone.
	var endG, owned int
	for range 100 {
		runtime.GC()
		endG, owned = runtime.NumGoroutine(), ownedGoroutines()
		if owned == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d concurrent requests in %v: status %v; latency p50 %v p90 %v max %v",
		n, total.Round(time.Millisecond), count, lat[n/2].Round(time.Millisecond), lat[n*9/10].Round(time.Millisecond), lat[n-1].Round(time.Millisecond))
	t.Logf("/healthz during load: %d checks, max %v", healthN, healthMax.Round(time.Millisecond))
	t.Logf("heap in use: baseline %.1f MiB, peak %.1f MiB; goroutines: baseline %d, after %d (companion-owned %d)",
		float64(baseHeap)/(1<<20), float64(peakHeap)/(1<<20), baseG, endG, owned)
	if count[200]+count[503] != n {
		t.Errorf("status codes: got %v, want only 200 and 503", count)
	}
	if count[200] < n/2 {
		t.Errorf("successes: got %d, want at least %d", count[200], n/2)
	}
	if healthMax > 2*time.Second {
		t.Errorf("/healthz max latency: got %v, want under 2s", healthMax)
	}
	if peakHeap > baseHeap+256<<20 {
		t.Errorf("heap growth: got %.1f MiB, want under 256 MiB", float64(peakHeap-baseHeap)/(1<<20))
	}
	if owned != 0 {
		t.Errorf("companion and SMTP goroutines after load: got %d, want 0 (leak)", owned)
	}
}

// ownedGoroutines counts goroutines running companion code (handlers,
// probes) or serving SMTP sessions.
func ownedGoroutines() int {
	buf := make([]byte, 4<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "companion_test.TestLoad") || strings.Contains(g, "testing.(*T).Run") || strings.Contains(g, "Accept(") {
			continue
		}
		if strings.Contains(g, "headerlens/companion") || strings.Contains(g, "emersion/go-smtp.(*Conn)") {
			n++
		}
	}
	return n
}
