// Command dohtest-serve serves zone files over DNS-over-HTTP (RFC 8484) on
// 127.0.0.1 for wasm and browser tests that need the dohtest fixture in
// another process. It prints the endpoint URL on the first line of stdout
// and serves until interrupted or stdin is closed (with -stdin).
//
//	dohtest-serve [-addr 127.0.0.1:0] [-latency 0] [-fail name=failure]... zonefile...
//
// Failure names are those of dohtest.Failure.String ("servfail", "timeout",
// "http500", "html", "truncated", "content-type", "oversize", "tc", ...).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"headerlens/dohresolver/dohtest"
)

type failFlags []string

func (f *failFlags) String() string     { return strings.Join(*f, ",") }
func (f *failFlags) Set(s string) error { *f = append(*f, s); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "dohtest-serve:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (or stdin is closed, with -stdin), writing the
// endpoint URL to stdout first.
func run(ctx context.Context, args []string, stdout io.Writer, stdin io.Reader) error {
	fs := flag.NewFlagSet("dohtest-serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	latency := fs.Duration("latency", 0, "delay before every answer")
	watchStdin := fs.Bool("stdin", false, "exit when stdin is closed")
	var fails failFlags
	fs.Var(&fails, "fail", "inject a failure: name=failure (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: dohtest-serve [flags] zonefile...")
	}
	var zones []dohtest.Zone
	for _, p := range fs.Args() {
		zones = append(zones, dohtest.ZoneFile(p))
	}
	h, err := dohtest.NewHandler(zones...)
	if err != nil {
		return err
	}
	h.SetLatency(*latency)
	for _, f := range fails {
		name, kind, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("bad -fail %q: want name=failure", f)
		}
		fk, err := dohtest.ParseFailure(kind)
		if err != nil {
			return err
		}
		h.Fail(name, fk)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s%s\n", ln.Addr(), dohtest.Path)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if *watchStdin {
		go func() {
			io.Copy(io.Discard, stdin)
			stop()
		}()
	}
	go func() {
		<-ctx.Done()
		h.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
