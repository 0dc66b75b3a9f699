//go:build unix

package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"headerlens/internal/site/sitetest"
)

// slowSite writes a site whose WebAssembly module and its gzip copy are
// 8 MiB of random bytes: more than the loopback socket buffers hold, so a
// client that stops reading leaves the server blocked in a write.
func slowSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	big := make([]byte, 8<<20)
	rand.Read(big)
	for name, data := range map[string][]byte{
		"index.html": []byte("<!doctype html><title>headerlens</title>"), "headerlens.wasm": big, "headerlens.wasm.gz": big,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startSlowServer starts the server that runServe would, from the flags
// args plus test pacing, and returns its URL and a function that waits
// (up to 10 s) until the server has closed the connection from the client
// address given and returns when it did.
func startSlowServer(t *testing.T, args []string, minRate int64, grace time.Duration) (string, func(client net.Addr) (time.Time, bool)) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := serveFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg.minRate, cfg.writeGrace = minRate, grace
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	h, err := cfg.handler()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := cfg.listen()
	if err != nil {
		t.Fatal(err)
	}
	srv := cfg.server(h)
	closedAt := sitetest.WatchClosed(srv)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), closedAt
}

// openFDs counts this process's open file descriptors (Linux).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// TestServeSlowReaders: clients that ask for the large module and stop
// reading are refused beyond the large-download cap at once (503), the
// others are disconnected by the server once they fall behind the minimum
// rate, within the bound that rate sets; /healthz and the page stay quick
// the whole time, and the connections, goroutines and file descriptors
// they held are given back.
func TestServeSlowReaders(t *testing.T) {
	const (
		size    = 8 << 20 // slowSite's module
		minRate = 4 << 20
		grace   = 2 * time.Second
		slow    = 24
		capN    = 4
	)
	dir := slowSite(t)
	url, closedAt := startSlowServer(t, []string{"--addr", "127.0.0.1:0", "--dir", dir, "--doh", "http://127.0.0.1:9/dns-query",
		"--max-connections", "64", "--max-large-downloads", fmt.Sprint(capN)}, minRate, grace)
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, time.Duration) {
		start := time.Now()
		resp, err := client.Get(url + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			return 0, time.Since(start)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz before: got %d, want 200", code)
	}
	client.CloseIdleConnections()
	baseFDs, baseG := openFDs(t), runtime.NumGoroutine()

	type reply struct {
		status string
		sent   time.Time
		conn   net.Conn
		br     *bufio.Reader
	}
	replies := make([]reply, slow)
	var wg sync.WaitGroup
	for i := range slow {
		wg.Go(func() {
			// A small receive buffer, set before connecting so that the
			// window is small from the start: the server's writes block
			// once its own send buffer is full, as they do for a real
			// client that stops reading.
			d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
				return serr
			}}
			c, err := d.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				t.Error(err)
				return
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			sent := time.Now()
			fmt.Fprintf(c, "GET /headerlens.wasm HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n")
			br := bufio.NewReaderSize(c, 512)
			line, _ := br.ReadString('\n') // the status line, then nothing more is read
			replies[i] = reply{strings.TrimSpace(line), sent, c, br}
		})
	}
	wg.Wait()
	counts := map[string]int{}
	for _, r := range replies {
		counts[r.status]++
	}
	if counts["HTTP/1.1 200 OK"] != capN || counts["HTTP/1.1 503 Service Unavailable"] != slow-capN {
		t.Errorf("got statuses %v, want %d × 200 (the cap) and %d × 503", counts, capN, slow-capN)
	}

	// While the downloads are stuck in a write, the rest answers.
	var slowest time.Duration
	stalledFDs := openFDs(t)
	for range 5 {
		code, took := get("/healthz")
		slowest = max(slowest, took)
		if code != 200 || took > time.Second {
			t.Errorf("healthz with stalled downloads: got status %d in %v, want 200 well under 1 s", code, took)
		}
		if code, took := get("/"); code != 200 || took > time.Second {
			t.Errorf("page with stalled downloads: got status %d in %v, want 200 well under 1 s", code, took)
		}
	}
	checked := time.Now()

	// The server gives up on each stalled download at its first missed
	// write deadline: never before the grace, and at the latest grace +
	// (bytes sent, at most the module)/minRate, 4 s here; 2 s more for a
	// loaded machine. The client then reads what the buffers held and
	// finds the end of the connection before the whole module.
	bound := grace + size*time.Second/minRate + 2*time.Second
	var latest time.Duration
	for _, r := range replies {
		if r.status != "HTTP/1.1 200 OK" {
			r.conn.Close()
			continue
		}
		at, ok := closedAt(r.conn.LocalAddr())
		if !ok {
			t.Errorf("stalled download: the server never closed the connection")
			r.conn.Close()
			continue
		}
		took := at.Sub(r.sent)
		latest = max(latest, took)
		if took < grace || took > bound {
			t.Errorf("stalled download: got the connection closed by the server after %v, want between %v and %v", took, grace, bound)
		}
		if at.Before(checked) {
			t.Errorf("stalled download: closed before the /healthz checks ended; they did not run while it was held")
		}
		r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := io.Copy(io.Discard, r.br)
		if n >= size || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
			t.Errorf("stalled download: read %d bytes then %v; want the end of the connection (EOF or reset) before the %d bytes", n, err, size)
		}
		r.conn.Close()
	}
	// A new large download is served again once the stalled ones are gone.
	if code, _ := get("/headerlens.wasm"); code != 200 {
		t.Errorf("download after the stalled ones: got status %d, want 200", code)
	}
	client.CloseIdleConnections()
	var fds, gs int
	for range 50 {
		fds, gs = openFDs(t), runtime.NumGoroutine()
		if fds <= baseFDs+2 && gs <= baseG+4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d slow clients: slowest /healthz %v; stalled downloads closed by the server after %v at most (bound %v); file descriptors %d before, %d while stalled, %d after; goroutines %d before, %d after",
		slow, slowest.Round(time.Millisecond), latest.Round(time.Millisecond), bound, baseFDs, stalledFDs, fds, baseG, gs)
	if fds > baseFDs+2 || gs > baseG+4 {
		t.Errorf("after the slow clients: got %d file descriptors and %d goroutines, want back near %d and %d", fds, gs, baseFDs, baseG)
	}
}

// TestServeConnectionCap: beyond --max-connections, a new connection is not
// served until another closes.
func TestServeConnectionCap(t *testing.T) {
	url, _ := startSlowServer(t, []string{"--addr", "127.0.0.1:0", "--dir", siteDir(t), "--doh", "http://127.0.0.1:9/dns-query",
		"--max-connections", "4", "--max-large-downloads", "1"}, 0, 0)
	addr := strings.TrimPrefix(url, "http://")
	var held []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Let the server accept the four.
	time.Sleep(200 * time.Millisecond)
	quick := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := quick.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("a fifth connection was served (status %d), want it to wait", resp.StatusCode)
	}
	held[0].Close()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url + "/healthz")
	if err != nil {
		t.Fatalf("after one connection closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after one connection closed: status %d, want 200", resp.StatusCode)
	}
	for _, c := range held[1:] {
		c.Close()
	}
}

// TestServeLimitFlags: the large-download cap must stay below the
// connection cap.
func TestServeLimitFlags(t *testing.T) {
	dir := siteDir(t)
	_, errOut, code := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--dir", dir, "--max-connections", "8", "--max-large-downloads", "8")
	if code != exitUsage || !strings.Contains(errOut, "--max-large-downloads") {
		t.Errorf("exit %d, stderr %q; want a usage error naming --max-large-downloads", code, errOut)
	}
}
