//go:build !js

// Under GOOS=js the listener is simulated and fetch cannot reach it.

package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"headerlens/dohresolver"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-fail", "nx.example.com=servfail", "../../../../testdata/zones/doh/example.com.zone"}, pw, strings.NewReader(""))
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (run: %v)", err, <-done)
	}
	url = strings.TrimSpace(url)
	go io.Copy(io.Discard, pr)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	txt, err := r.LookupTXT(context.Background(), "host.example.com")
	if err != nil || len(txt) != 1 || txt[0] != "host text" {
		t.Errorf("LookupTXT = %q, %v; want [host text]", txt, err)
	}
	_, err = r.LookupTXT(context.Background(), "nx.example.com")
	if got := dohresolver.KindOf(err); got != dohresolver.KindServFail {
		t.Errorf("injected failure: kind %v (%v), want SERVFAIL", got, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-fail", "x", "a.zone"},
		{"-fail", "x=bogus", "../../../../testdata/zones/doh/example.com.zone"},
		{"no/such.zone"},
	} {
		if err := run(context.Background(), args, io.Discard, strings.NewReader("")); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
