package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"headerlens/dohresolver"
	"headerlens/internal/site"
)

func TestServeFlagsEnv(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		wantAddr    string
		wantDir     string
		wantDoH     []string
		wantFrames  []string
		wantConnect []string
		wantConns   int
		wantLarge   int
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", "dist", dohresolver.DefaultEndpoints, nil, nil, defaultMaxConns, site.DefaultMaxLargeResponses},
		{"env", map[string]string{"HEADERLENS_ADDR": "127.0.0.1:0", "HEADERLENS_DIR": "/srv/site", "HEADERLENS_DOH": "https://a.example/dns-query, https://b.example/dns-query", "HEADERLENS_FRAME_ANCESTORS": "https://wiki.example",
			"HEADERLENS_MAX_CONNECTIONS": "100", "HEADERLENS_MAX_LARGE_DOWNLOADS": "10"},
			nil, "127.0.0.1:0", "/srv/site", []string{"https://a.example/dns-query", "https://b.example/dns-query"}, []string{"https://wiki.example"}, nil, 100, 10},
		{"flags replace env", map[string]string{"HEADERLENS_ADDR": "127.0.0.1:1", "HEADERLENS_DOH": "https://a.example/dns-query", "HEADERLENS_MAX_CONNECTIONS": "100", "HEADERLENS_MAX_LARGE_DOWNLOADS": "10"},
			[]string{"--addr", "127.0.0.1:2", "--doh", "https://c.example/dns-query", "--doh", "https://d.example/q,https://e.example/q", "--connect-src", "https://companion.example",
				"--max-connections", "200", "--max-large-downloads", "20"},
			"127.0.0.1:2", "dist", []string{"https://c.example/dns-query", "https://d.example/q", "https://e.example/q"}, nil, []string{"https://companion.example"}, 200, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"HEADERLENS_ADDR", "HEADERLENS_DIR", "HEADERLENS_DOH", "HEADERLENS_FRAME_ANCESTORS", "HEADERLENS_CONNECT_SRC",
				"HEADERLENS_MAX_CONNECTIONS", "HEADERLENS_MAX_LARGE_DOWNLOADS"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			c := serveFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if c.addr != tc.wantAddr {
				t.Errorf("addr = %q, want %q", c.addr, tc.wantAddr)
			}
			if c.dir != tc.wantDir {
				t.Errorf("dir = %q, want %q", c.dir, tc.wantDir)
			}
			if !reflect.DeepEqual(c.doh.vals, tc.wantDoH) {
				t.Errorf("doh = %q, want %q", c.doh.vals, tc.wantDoH)
			}
			if !reflect.DeepEqual(c.frameAncestors.vals, tc.wantFrames) {
				t.Errorf("frame-ancestors = %q, want %q", c.frameAncestors.vals, tc.wantFrames)
			}
			if !reflect.DeepEqual(c.connect.vals, tc.wantConnect) {
				t.Errorf("connect-src = %q, want %q", c.connect.vals, tc.wantConnect)
			}
			if c.maxConns != tc.wantConns || c.maxLarge != tc.wantLarge {
				t.Errorf("max-connections, max-large-downloads: got %d, %d, want %d, %d", c.maxConns, c.maxLarge, tc.wantConns, tc.wantLarge)
			}
		})
	}
}

// siteDir writes a minimal built site.
func siteDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"index.html": "<!doctype html><title>headerlens</title>",
		"app.js":     "export {};",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestServeUsageErrors(t *testing.T) {
	dir := siteDir(t)
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"bad doh", []string{"--dir", dir, "--doh", "not a url"}, exitUsage, "Content-Security-Policy"},
		{"doh with CSP injection", []string{"--dir", dir, "--doh", "https://a.example/;script-src"}, exitUsage, "Content-Security-Policy"},
		{"bad frame ancestor", []string{"--dir", dir, "--frame-ancestors", "*"}, exitUsage, "Content-Security-Policy"},
		{"extra argument", []string{"--dir", dir, "extra"}, exitUsage, "unexpected argument"},
		{"unknown flag", []string{"--nope"}, exitUsage, "flag provided but not defined"},
		{"missing site", []string{"--dir", filepath.Join(dir, "missing")}, exitFail, "make site"},
		{"busy address", nil, exitFail, "address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.name == "busy address" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				args = []string{"--dir", dir, "--addr", ln.Addr().String()}
			}
			var stdout, stderr bytes.Buffer
			got := runServe(context.Background(), args, &stdout, &stderr)
			if got != tc.want {
				t.Errorf("exit = %d, want %d (stderr %q)", got, tc.want, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.msg)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startServe runs runServe with args in a goroutine and returns the URL it
// printed and a func that cancels it and returns its exit code.
func startServe(t *testing.T, args []string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, args, pw, stderr)
		pw.Close()
	}()
	stop := func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not shut down within 15 s")
		}
		return -1
	}
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		stop()
		t.Fatalf("reading the URL line: %v (stderr %q)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "headerlens: serving ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0/") {
		stop()
		t.Fatalf("first line = %q, want headerlens: serving http://127.0.0.1:PORT/", line)
	}
	return url, stderr, stop
}

func TestServeListensAndShutsDown(t *testing.T) {
	dir := siteDir(t)
	tests := []struct {
		name       string
		args       []string
		wantStatus map[string]int
		wantCSP    []string
		wantStderr string
		env        map[string]string
	}{
		{
			name:       "site and companion",
			args:       []string{"--doh", "http://127.0.0.1:9/dns-query", "--frame-ancestors", "https://wiki.example", "--unsafe-allow-private-targets"},
			wantStatus: map[string]int{"": 200, "app.js": 200, "missing": 404, "healthz": 200, "api/v1/nope": 404},
			wantCSP:    []string{"connect-src 'self' http://127.0.0.1:9/dns-query;", "frame-ancestors https://wiki.example"},
			wantStderr: "unsafe-allow-private-targets is ON",
		},
		{
			name:       "site alone",
			env:        map[string]string{"HEADERLENS_COMPANION": "0"},
			wantStatus: map[string]int{"": 200, "healthz": 404, "api/v1/mail-tls": 404},
			wantCSP:    []string{"connect-src 'self' " + strings.Join(dohresolver.DefaultEndpoints, " ") + ";", "frame-ancestors 'none'"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			url, stderr, stop := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--dir", dir}, tc.args...))
			for path, want := range tc.wantStatus {
				resp, err := http.Get(url + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("GET /%s: status = %d, want %d", path, resp.StatusCode, want)
				}
				if path != "" {
					continue
				}
				csp := resp.Header.Get("Content-Security-Policy")
				for _, w := range tc.wantCSP {
					if !strings.Contains(csp, w) {
						t.Errorf("GET /: CSP = %q, want it to contain %q", csp, w)
					}
				}
			}
			if code := stop(); code != exitOK {
				t.Errorf("exit after cancel = %d, want %d (stderr %q)", code, exitOK, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}

func TestPrintedURL(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/"},
		{"0.0.0.0:80", "http://127.0.0.1:80/"},
		{"[::]:8080", "http://127.0.0.1:8080/"},
		{"[::1]:8080", "http://[::1]:8080/"},
	}
	for _, tc := range tests {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := printedURL(a); got != tc.want {
			t.Errorf("printedURL(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:0": true, "localhost:80": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:80": false, "bad": false,
	} {
		if got := isLoopbackAddr(addr); got != want {
			t.Errorf("isLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestServeLoopbackRefusesForeignHost checks the defence against DNS
// rebinding: a companion on loopback answers only to loopback Host names.
func TestServeLoopbackRefusesForeignHost(t *testing.T) {
	url, stderr, stop := startServe(t, []string{"--addr", "127.0.0.1:0", "--dir", siteDir(t), "--doh", "http://127.0.0.1:9/dns-query"})
	defer func() {
		if code := stop(); code != exitOK {
			t.Errorf("exit = %d (stderr %q)", code, stderr.String())
		}
	}()
	for host, want := range map[string]int{"": 200, "localhost:8080": 200, "rebound.example": 403, "rebound.example:8080": 403} {
		req, err := http.NewRequest("GET", url+"healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /healthz with Host %q: status %d, want %d", host, resp.StatusCode, want)
		}
	}
}
