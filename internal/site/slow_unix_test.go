//go:build unix

package site

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"headerlens/internal/site/sitetest"
)

// bufSize sets a socket buffer option before the socket connects or
// listens, so that the TCP window is small from the start.
func bufSize(opt, n int) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, n) }); err != nil {
			return err
		}
		return serr
	}
}

// serveLoopback serves h on a real listener on 127.0.0.1 whose sockets
// have a small send buffer (accepted sockets inherit it), so that a
// client that reads slowly soon leaves the handler blocked in a write,
// as a client on a slow link does. It returns the address, and a function
// that waits (up to 10 s) until the server has closed the connection from
// the client address given and returns when it did.
func serveLoopback(t *testing.T, h http.Handler) (string, func(client net.Addr) (time.Time, bool)) {
	t.Helper()
	lc := net.ListenConfig{Control: bufSize(syscall.SO_SNDBUF, 16<<10)}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	closedAt := sitetest.WatchClosed(srv)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), closedAt
}

// dialSmall connects to addr with a 4 KiB receive buffer and sends req.
func dialSmall(t *testing.T, addr, req string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: bufSize(syscall.SO_RCVBUF, 4<<10), Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// randomFiles writes files of random bytes of the given sizes into dir and
// returns their contents.
func randomFiles(t *testing.T, dir string, sizes map[string]int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, n := range sizes {
		b := make([]byte, n)
		rand.Read(b)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// TestLargeDownloadCap: with the one large-download slot held by a client
// that stopped reading, another large body is refused at once with 503
// and Retry-After, while revalidations, HEAD, small ranges and small
// files are answered; the slot comes back when the client goes.
func TestLargeDownloadCap(t *testing.T) {
	dir := t.TempDir()
	files := randomFiles(t, dir, map[string]int{"big.wasm": 2 << 20, "big.wasm.gz": 1 << 20, "index.html": 100})
	addr, _ := serveLoopback(t, Handler(dir, Options{MaxLargeResponses: 1}))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	get := func(method, path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s %v: %v", method, path, hdr, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s %v: body: %v", method, path, hdr, err)
		}
		// Generous: the answer is immediate, the machine may be loaded.
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s %s %v: got the answer in %v, want it at once", method, path, hdr, took)
		}
		return resp, b
	}
	gz := map[string]string{"Accept-Encoding": "gzip"}
	head, _ := get(http.MethodHead, "/big.wasm", gz)
	etag := head.Header.Get("ETag")

	stalled := dialSmall(t, addr, "GET /big.wasm HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	defer stalled.Close()
	stalled.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReaderSize(stalled, 64).ReadString('\n')
	if want := "HTTP/1.1 200 OK\r\n"; err != nil || line != want {
		t.Fatalf("stalled download: got %q, %v, want %q", line, err, want)
	}

	tests := []struct {
		name, method, path string
		hdr                map[string]string
		wantStatus         int
		wantLen            int // body bytes; -1: not checked
	}{
		{"large body refused", "GET", "/big.wasm", gz, http.StatusServiceUnavailable, -1},
		{"large body without gzip refused", "GET", "/big.wasm", nil, http.StatusServiceUnavailable, -1},
		{"large range refused", "GET", "/big.wasm", map[string]string{"Range": "bytes=0-299999"}, http.StatusServiceUnavailable, -1},
		{"revalidation answered", "GET", "/big.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag}, http.StatusNotModified, 0},
		{"HEAD answered", "HEAD", "/big.wasm", gz, http.StatusOK, 0},
		{"small range answered", "GET", "/big.wasm", map[string]string{"Range": "bytes=0-99"}, http.StatusPartialContent, 100},
		{"small file answered", "GET", "/index.html", nil, http.StatusOK, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := get(tc.method, tc.path, tc.hdr)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantLen >= 0 && len(b) != tc.wantLen {
				t.Errorf("body: got %d bytes, want %d", len(b), tc.wantLen)
			}
			if tc.wantStatus != http.StatusServiceUnavailable {
				return
			}
			for k, want := range map[string]string{"Retry-After": "5", "Cache-Control": "no-store", "Content-Encoding": "", "ETag": "", "Content-Range": "", "Last-Modified": ""} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: got %q, want %q", k, got, want)
				}
			}
		})
	}

	// The client that stopped reading goes away: its slot is given back as
	// soon as the write fails, and the whole module is served again, with
	// its length.
	stalled.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, b := get("GET", "/big.wasm", gz)
		if resp.StatusCode == http.StatusOK {
			if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(files["big.wasm.gz"])); got != want {
				t.Errorf("Content-Length: got %q, want %q", got, want)
			}
			if !bytes.Equal(b, files["big.wasm.gz"]) {
				t.Errorf("body: got %d bytes, want the %d bytes of big.wasm.gz", len(b), len(files["big.wasm.gz"]))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the stalled client closed: got status %d, want 200 within 5 s", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readPaced reads body no faster than rate bytes per second on average
// from start, as a client on a slow link does, until unpaced is closed,
// and returns the bytes read and the error that ended the body.
func readPaced(body io.Reader, rate int64, start time.Time, unpaced <-chan struct{}) (int64, error) {
	buf := make([]byte, 4<<10)
	var got int64
	for {
		want := int64(len(buf))
		select {
		case <-unpaced:
		default:
			want = min(want, int64(time.Since(start).Seconds()*float64(rate))+int64(len(buf))-got)
			if want <= 0 {
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		n, err := body.Read(buf[:want])
		got += int64(n)
		if err != nil {
			return got, err
		}
	}
}

// TestPacing: a download must keep an average rate of MinRate after
// WriteGrace. A client reading at four times that rate gets the whole
// file though it takes far longer than the grace; one reading at an
// eighth of it is disconnected by the server within the bound, and sees
// the connection end before the whole file.
func TestPacing(t *testing.T) {
	const (
		size    = 512 << 10
		minRate = 128 << 10
		grace   = 200 * time.Millisecond
	)
	dir := t.TempDir()
	files := randomFiles(t, dir, map[string]int{"pace.bin": size})
	addr, closedAt := serveLoopback(t, Handler(dir, Options{MinRate: minRate, WriteGrace: grace}))
	tests := []struct {
		name      string
		rate      int64
		wantWhole bool
	}{
		{"4x the minimum rate", 4 * minRate, true},
		{"1/8 of the minimum rate", minRate / 8, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialSmall(t, addr, "GET /pace.bin HTTP/1.1\r\nHost: x\r\n\r\n")
			defer c.Close()
			start := time.Now()
			// Far beyond both outcomes: a read that times out here
			// means the server neither sent the file nor gave up.
			c.SetReadDeadline(start.Add(15 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReaderSize(c, 4<<10), nil)
			if err != nil {
				t.Fatal(err)
			}
			// Once the server has closed the connection, what the
			// buffers still hold is read at once.
			var at time.Time
			closed, unpaced := false, make(chan struct{})
			go func() {
				defer close(unpaced)
				at, closed = closedAt(c.LocalAddr())
			}()
			got, err := readPaced(resp.Body, tc.rate, start, unpaced)
			took := time.Since(start)
			t.Logf("read %d of %d bytes in %v, then %v", got, size, took.Round(time.Millisecond), err)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("got a read timeout after %v, want the server to end the response", took)
			}
			if whole := got == size && err == io.EOF; whole != tc.wantWhole {
				t.Fatalf("whole file: got %v (%d bytes, %v), want %v", whole, got, err, tc.wantWhole)
			}
			if tc.wantWhole {
				if took < 2*grace {
					t.Errorf("download took %v, want longer than the grace, to show pacing allows it", took)
				}
				c.Close()
				<-unpaced
				return
			}
			// The server gives up at its first missed deadline, grace +
			// (bytes written)/MinRate. It has written what this client
			// read by then, at rate, plus what the buffers between hold
			// (under 256 KiB: the socket buffers are small, the copy
			// buffer 32 KiB). So it closes by t ≤ grace + (rate·t +
			// 256 KiB)/MinRate, that is t ≤ (grace + 256 KiB/MinRate) /
			// (1 - rate/MinRate); plus a second for a loaded machine.
			<-unpaced
			if !closed {
				t.Fatal("the server never closed the connection")
			}
			bound := time.Duration(float64(grace+time.Duration(float64(256<<10)/minRate*float64(time.Second)))/(1-float64(tc.rate)/minRate)) + time.Second
			t.Logf("server closed the connection after %v, bound %v", at.Sub(start).Round(time.Millisecond), bound.Round(time.Millisecond))
			if closed := at.Sub(start); closed < grace || closed > bound {
				t.Errorf("server closed the connection after %v, want between the grace %v and %v", closed, grace, bound)
			}
			if got >= int64(len(files["pace.bin"])) {
				t.Errorf("got %d bytes, want fewer than %d", got, size)
			}
		})
	}
}
