package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"headerlens/companion"
	"headerlens/dohresolver"
	"headerlens/internal/site"

	"golang.org/x/net/netutil"
)

// envList is a repeatable flag (each value may also be a comma-separated
// list) whose default comes from an environment variable. The first value
// given on the command line replaces the environment's.
type envList struct {
	vals    []string
	fromEnv bool
}

func newEnvList(env string, def []string) *envList {
	if v, ok := os.LookupEnv(env); ok {
		l := &envList{fromEnv: true}
		l.add(v)
		return l
	}
	return &envList{vals: append([]string(nil), def...), fromEnv: true}
}

func (l *envList) add(v string) {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l.vals = append(l.vals, p)
		}
	}
}

// String implements flag.Value.
func (l *envList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.vals, ",")
}

// Set implements flag.Value.
func (l *envList) Set(v string) error {
	if l.fromEnv {
		l.vals, l.fromEnv = nil, false
	}
	l.add(v)
	return nil
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// serveConfig is what the serve flags configure.
type serveConfig struct {
	addr           string
	dir            string
	doh            *envList
	connect        *envList
	frameAncestors *envList
	embedOrigins   *envList
	companionOn    bool
	companion      companion.Config
	// maxConns bounds the open connections; maxLarge the large files
	// being sent at once (site.Options.MaxLargeResponses).
	maxConns int
	maxLarge int
	// minRate and writeGrace pace file downloads (site.Options); zero
	// means the site package's defaults. Tests set them.
	minRate    int64
	writeGrace time.Duration
}

// Connection limits of headerlens serve.
const (
	// defaultMaxConns is well above what one page load opens (a browser
	// keeps up to six connections to a host, idle ones for idleTimeout)
	// times the people a small instance serves at once. A connection
	// holds its socket and at most one open file, so the cap needs about
	// 1024 file descriptors at worst; Go raises the soft limit to the hard
	// one (4096 or more on current systems) when the process starts.
	defaultMaxConns = 512
	// idleTimeout closes keep-alive connections that carry no request.
	idleTimeout = 60 * time.Second
)

// serveFlags defines the serve flags on fs.
func serveFlags(fs *flag.FlagSet) *serveConfig {
	c := &serveConfig{
		doh:            newEnvList("HEADERLENS_DOH", dohresolver.DefaultEndpoints),
		connect:        newEnvList("HEADERLENS_CONNECT_SRC", nil),
		frameAncestors: newEnvList("HEADERLENS_FRAME_ANCESTORS", nil),
		embedOrigins:   newEnvList("HEADERLENS_EMBED_ORIGINS", nil),
	}
	fs.StringVar(&c.addr, "addr", envOr("HEADERLENS_ADDR", "127.0.0.1:8080"), "listen address; port 0 picks a free port [$HEADERLENS_ADDR]")
	fs.StringVar(&c.dir, "dir", envOr("HEADERLENS_DIR", "dist"), "folder of the built site (make site) [$HEADERLENS_DIR]")
	fs.Var(c.doh, "doh", "DNS-over-HTTPS endpoint URL the page may use, repeatable or comma-separated; the first is also the server's own resolver. The page's ?doh= must be one of these: the Content-Security-Policy blocks any other [$HEADERLENS_DOH]")
	fs.Var(c.connect, "connect-src", "other URL the page may connect to (e.g. a companion on another origin), repeatable [$HEADERLENS_CONNECT_SRC]")
	fs.Var(c.frameAncestors, "frame-ancestors", "origin allowed to embed the page in a frame (CSP frame-ancestors), repeatable; default none [$HEADERLENS_FRAME_ANCESTORS]")
	fs.Var(c.embedOrigins, "embed-origin", "origin whose pages may load the <header-lens> element from this site (CORS), repeatable; default none [$HEADERLENS_EMBED_ORIGINS]")
	companionOn, err := strconv.ParseBool(envOr("HEADERLENS_COMPANION", "true"))
	if err != nil {
		companionOn = true
	}
	fs.BoolVar(&c.companionOn, "companion", companionOn, "serve the companion API (/api/v1/..., /healthz) beside the site; --companion=false serves the site alone [$HEADERLENS_COMPANION]")
	fs.IntVar(&c.maxConns, "max-connections", envInt("HEADERLENS_MAX_CONNECTIONS", defaultMaxConns), "most connections open at once; more wait to be accepted [$HEADERLENS_MAX_CONNECTIONS]")
	fs.IntVar(&c.maxLarge, "max-large-downloads", envInt("HEADERLENS_MAX_LARGE_DOWNLOADS", site.DefaultMaxLargeResponses), "most large files (the WebAssembly module) sent at once; more get 503 with Retry-After [$HEADERLENS_MAX_LARGE_DOWNLOADS]")
	c.companion.RegisterFlags(fs)
	return c
}

// envInt is the integer in the environment variable key, or def.
func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

// validate checks the limits and every URL that goes into the
// Content-Security-Policy.
func (c *serveConfig) validate() error {
	if len(c.doh.vals) == 0 {
		return errors.New("at least one --doh endpoint is needed")
	}
	if c.maxConns < 1 || c.maxLarge < 1 || c.maxLarge >= c.maxConns {
		return fmt.Errorf("--max-large-downloads (%d) must be at least 1 and below --max-connections (%d), so that large downloads never take every connection", c.maxLarge, c.maxConns)
	}
	for _, u := range append(append([]string(nil), c.doh.vals...), c.connect.vals...) {
		if err := site.ValidateSource(u, false); err != nil {
			return err
		}
	}
	for _, u := range c.frameAncestors.vals {
		if err := site.ValidateSource(u, true); err != nil {
			return err
		}
	}
	for _, o := range c.embedOrigins.vals {
		if err := site.ValidateOrigin(o); err != nil {
			return err
		}
	}
	return nil
}

// handler builds the server's handler: the site, plus the companion API
// when it is enabled.
func (c *serveConfig) handler() (http.Handler, error) {
	opts := site.Options{
		ConnectSrc:        append(append([]string(nil), c.doh.vals...), c.connect.vals...),
		FrameAncestors:    c.frameAncestors.vals,
		EmbedOrigins:      c.embedOrigins.vals,
		MaxLargeResponses: c.maxLarge,
		MinRate:           c.minRate,
		WriteGrace:        c.writeGrace,
	}
	mux := http.NewServeMux()
	mux.Handle("/", site.Handler(c.dir, opts))
	if !c.companionOn {
		return mux, nil
	}
	// The companion resolves through the same DoH endpoints as the page.
	r, err := dohresolver.New(dohresolver.Config{Endpoints: c.doh.vals})
	if err != nil {
		return nil, err
	}
	cc := c.companion
	cc.Resolver = r
	if isLoopbackAddr(c.addr) {
		// A companion listening on loopback answers only to loopback
		// names, so a web page cannot reach it by DNS rebinding.
		cc.AllowedHosts = append(companion.LoopbackHosts(), cc.AllowedHosts...)
	}
	comp, err := companion.New(cc)
	if err != nil {
		return nil, err
	}
	mux.Handle("/api/", comp)
	mux.Handle("/healthz", comp)
	return mux, nil
}

// listen opens the listening socket, accepting at most maxConns
// connections at once: beyond that, new ones wait in the kernel's backlog
// until one closes, so the process never runs out of file descriptors.
func (c *serveConfig) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, c.maxConns), nil
}

// server returns the HTTP server for h. Every phase of a connection has a
// deadline: the request header (slowloris), the request body, idle
// keep-alive time, and the response. Files are paced by the site handler,
// which moves its own write deadline as bytes flow (site.Options.MinRate);
// the server-wide write timeout bounds everything else, an API answer
// included, and is the API's own deadline plus time to write it.
func (c *serveConfig) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cmp.Or(c.companion.RequestTimeout, companion.DefaultRequestTimeout) + 30*time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// isLoopbackAddr reports whether the listen address addr ("host:port") is
// on loopback only.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// printedURL is the address to show a person: an unspecified host becomes
// 127.0.0.1 so the URL can be opened.
func printedURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// runServe implements "headerlens serve": it serves the built site and the
// companion API (headerlens/companion, mounted at /api/ and /healthz) until ctx is cancelled (SIGINT/SIGTERM in main), then shuts
// down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "Usage: headerlens serve [flags]\n\n"+
		"Serves the web site built by \"make site\" with a strict Content-Security-Policy,\n"+
		"and the companion API (/api/v1/..., /healthz) unless --companion=false.\n"+
		"Every flag can also be set by the environment variable named in brackets.", stderr)
	cfg := serveFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "headerlens serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "headerlens serve: %v\n", err)
		return exitUsage
	}
	if fi, err := os.Stat(cfg.dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "headerlens serve: site folder %q not found; build it with \"make site\"\n", cfg.dir)
		return exitFail
	}
	if _, err := os.Stat(filepath.Join(cfg.dir, "index.html")); err != nil {
		fmt.Fprintf(stderr, "headerlens serve: %s/index.html not found; build the site with \"make site\"\n", cfg.dir)
		return exitFail
	}
	h, err := cfg.handler()
	if err != nil {
		fmt.Fprintf(stderr, "headerlens serve: %v\n", err)
		return exitUsage
	}
	if cfg.companionOn {
		for _, w := range cfg.companion.Warnings() {
			fmt.Fprintf(stderr, "headerlens serve: %s\n", w)
		}
	}
	ln, err := cfg.listen()
	if err != nil {
		fmt.Fprintf(stderr, "headerlens serve: %v\n", err)
		return exitFail
	}
	srv := cfg.server(h)
	fmt.Fprintf(stdout, "headerlens: serving %s\n", printedURL(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "headerlens serve: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "headerlens: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "headerlens serve: shutdown: %v\n", err)
		_ = srv.Close()
		return exitFail
	}
	return exitOK
}
