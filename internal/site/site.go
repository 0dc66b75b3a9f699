// Package site serves the built headerlens web site (the dist/ folder made
// by scripts/build-site): static files only, with the right media types,
// compression, caching and security headers.
//
// Security headers (on every response, 404s included):
//
//   - Content-Security-Policy (W3C CSP Level 3): scripts only from the site
//     itself plus 'wasm-unsafe-eval' for WebAssembly; connect-src limited to
//     'self', the configured DNS-over-HTTPS endpoints (RFC 8484) and the
//     configured companion origins. A ?doh= URL given to the page that is not
//     one of the configured endpoints is therefore blocked by the browser:
//     to use another resolver, start the server with --doh for it.
//     frame-ancestors defaults to 'none'; set Options.FrameAncestors to allow
//     embedding (e.g. in a wiki).
//   - Access-Control-Allow-Origin, only for the Options.EmbedOrigins, whose
//     pages load the <header-lens> element from this site.
//   - X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
//     Cross-Origin-Opener-Policy: same-origin,
//     Cross-Origin-Resource-Policy: same-origin, and X-Frame-Options: DENY
//     when framing is not allowed.
//
// Compression (RFC 9110 §8.4, §12.5.3): a file with a precompressed sibling
// (name.br, name.gz, which make site writes) is served from it when the
// request's Accept-Encoding allows; otherwise the file is served as it is.
// Nothing is compressed per request, so a connection holds no compressor
// state, however slowly its client reads.
//
// Slow clients (RFC 9110 leaves pacing to the server): a file is written
// under a deadline that grows with the bytes sent, so that a client must
// read at least Options.MinRate bytes per second on average after a grace
// period, or the connection is closed; and at most
// Options.MaxLargeResponses bodies of LargeFile bytes or more are sent at
// once, beyond which the answer is an immediate 503 with Retry-After, so
// that clients which stop reading cannot hold more than that many large
// responses, and small files and the API stay quick. Revalidations (304),
// HEAD and small ranges send no large body and are never refused.
//
// Caching (RFC 9111 §5.2.2.4): the file names are not content-hashed, so every
// response says Cache-Control: no-cache with a strong ETag; revalidation is a
// cheap 304 and a new build is picked up at once.
package site

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Options configures Handler.
type Options struct {
	// ConnectSrc lists the URLs the page may connect to besides its own
	// origin: the DoH endpoints and any companion server on another origin.
	// Each must be an absolute http or https URL.
	ConnectSrc []string
	// FrameAncestors lists the CSP frame-ancestors sources allowed to embed
	// the page (e.g. "https://wiki.example.com"). Empty means 'none'.
	FrameAncestors []string
	// EmbedOrigins lists the origins (scheme://host[:port]) whose pages may
	// load the site's files with CORS, as the <header-lens> element does
	// (module scripts, its stylesheet, wasm_exec.js and the WebAssembly
	// module). A request whose Origin is one of them gets
	// Access-Control-Allow-Origin for that origin only (Fetch standard,
	// CORS protocol); Cross-Origin-Resource-Policy stays same-origin, since
	// the element loads every file in CORS mode.
	EmbedOrigins []string
	// MinRate is the slowest average rate, in bytes per second, at which
	// a client may read a file after WriteGrace; zero means
	// DefaultMinRate.
	MinRate int64
	// WriteGrace is the time a client has before MinRate applies; zero
	// means DefaultWriteGrace.
	WriteGrace time.Duration
	// MaxLargeResponses bounds the files of LargeFile bytes or more being
	// sent at once; zero means DefaultMaxLargeResponses.
	MaxLargeResponses int
}

// Defaults of Options. At DefaultMinRate a client gets 10 s plus 64 s per
// MiB: the 2.6 MiB gzipped WebAssembly module may take close to three
// minutes, far slower than any link a person uses the page over.
const (
	DefaultMinRate           = 16 << 10
	DefaultWriteGrace        = 10 * time.Second
	DefaultMaxLargeResponses = 64
	// LargeFile is the size from which a response counts against
	// MaxLargeResponses: the WebAssembly module, not the page's scripts
	// and styles.
	LargeFile = 256 << 10
)

// types maps the file extensions the site uses to their media types.
var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".eml":         "text/plain; charset=utf-8",
	".woff2":       "font/woff2",
}

// compressible reports whether a media type may have a precompressed
// sibling.
func compressible(ctype string) bool {
	mt, _, _ := mime.ParseMediaType(ctype)
	return strings.HasPrefix(mt, "text/") || mt == "application/wasm" ||
		mt == "application/json" || mt == "application/manifest+json" || mt == "image/svg+xml"
}

type handler struct {
	embed   map[string]bool
	root    *os.Root
	dir     string
	csp     string
	xfo     bool
	minRate int64
	grace   time.Duration
	// large holds a token per large response being sent.
	large chan struct{}
}

// Handler returns an http.Handler serving the files under dir. It fails at
// request time (500) if dir cannot be opened; use CSP to inspect the policy
// and ValidateSource to check configuration early.
func Handler(dir string, opts Options) http.Handler {
	h := &handler{dir: dir, csp: CSP(opts), xfo: len(opts.FrameAncestors) == 0,
		minRate: cmp.Or(opts.MinRate, DefaultMinRate), grace: cmp.Or(opts.WriteGrace, DefaultWriteGrace),
		large: make(chan struct{}, cmp.Or(opts.MaxLargeResponses, DefaultMaxLargeResponses)),
		embed: map[string]bool{}}
	for _, o := range opts.EmbedOrigins {
		h.embed[strings.TrimSuffix(o, "/")] = true
	}
	if root, err := os.OpenRoot(dir); err == nil {
		h.root = root
	}
	return h
}

// ValidateSource checks that s can be placed in a CSP source list: an
// absolute http(s) URL (or, with allowKeyword, 'self'/'none' or a scheme
// like https:) with no characters that would break the policy.
func ValidateSource(s string, allowKeyword bool) error {
	if s == "" || strings.ContainsAny(s, " \t\r\n;,'\"\\") {
		if allowKeyword && (s == "'self'" || s == "'none'") {
			return nil
		}
		return fmt.Errorf("site: %q cannot be used in a Content-Security-Policy", s)
	}
	if allowKeyword && (s == "https:" || s == "http:") {
		return nil
	}
	// CSP3 §2.3.1 host-source: "*" as a host or port matches anything, which
	// would let ?doh= and ?companion= send the message's domains to any
	// server. Only a leading "*." label under a registered-looking name is
	// allowed (https://*.example.com), nowhere else.
	rest := s
	if i := strings.Index(rest, "://*."); i >= 0 {
		rest = rest[:i+3] + "wildcard" + rest[i+4:]
	}
	if strings.Contains(rest, "*") {
		return fmt.Errorf("site: %q: a wildcard host or port would allow any server in the Content-Security-Policy", s)
	}
	u, err := url.Parse(rest)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("site: %q is not an absolute http(s) URL without query, as a Content-Security-Policy source must be", s)
	}
	if rest != s && !strings.Contains(strings.TrimPrefix(u.Hostname(), "wildcard."), ".") {
		return fmt.Errorf("site: %q: a wildcard must stand under a domain of at least two labels", s)
	}
	return nil
}

// ValidateOrigin checks that s is a web origin as a browser sends it in
// the Origin header (RFC 6454 §7): http or https, a host, an optional port,
// and nothing else.
func ValidateOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*") {
		return fmt.Errorf("site: %q is not an origin (scheme://host[:port])", s)
	}
	return nil
}

// CSP returns the Content-Security-Policy the handler sends for opts.
// Invalid sources (see ValidateSource) are left out.
func CSP(opts Options) string {
	connect := []string{"'self'"}
	for _, s := range opts.ConnectSrc {
		if ValidateSource(s, false) == nil {
			connect = append(connect, s)
		}
	}
	var frames []string
	for _, s := range opts.FrameAncestors {
		if ValidateSource(s, true) == nil {
			frames = append(frames, s)
		}
	}
	if len(frames) == 0 {
		frames = []string{"'none'"}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src " + strings.Join(connect, " "),
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors " + strings.Join(frames, " "),
	}, "; ")
}

func (h *handler) securityHeaders(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if len(h.embed) > 0 {
		hd.Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); h.embed[o] {
			hd.Set("Access-Control-Allow-Origin", o)
		}
	}
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	if h.xfo {
		hd.Set("X-Frame-Options", "DENY")
	}
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "404 page not found\n")
}

// cleanName maps a URL path to a file name inside the site, or "" when the
// path must not be served: traversal, hidden files, backslashes, NULs.
func cleanName(p string) string {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return ""
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || (strings.HasPrefix(seg, ".") && seg != "") {
			return ""
		}
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" || strings.HasSuffix(p, "/") {
		name = path.Join(name, "index.html")
	}
	if !fs.ValidPath(name) {
		return ""
	}
	return name
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.securityHeaders(w, r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.root == nil {
		http.Error(w, "site folder "+h.dir+" cannot be opened; build it with make site", http.StatusInternalServerError)
		return
	}
	name := cleanName(r.URL.Path)
	if name == "" || strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
		notFound(w)
		return
	}
	f, fi, err := h.open(name)
	if err != nil {
		notFound(w)
		return
	}
	content, size := f, fi.Size()
	defer func() { content.Close() }()

	ctype, ok := types[path.Ext(name)]
	if !ok {
		ctype = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Cache-Control", "no-cache")
	tag := fmt.Sprintf("%x-%x", fi.ModTime().UnixNano(), fi.Size())
	hd.Set("ETag", `"`+tag+`"`)
	if compressible(ctype) {
		hd.Add("Vary", "Accept-Encoding")
		ae := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !accepts(ae, enc.token) {
				continue
			}
			cf, cfi, err := h.open(name + enc.ext)
			if err != nil {
				continue
			}
			// One open file per response: the copy's bytes are sent as
			// they are, from the file, never read whole into memory.
			f.Close()
			hd.Set("Content-Encoding", enc.token)
			hd.Set("ETag", fmt.Sprintf(`"%s-%x-%s"`, tag, cfi.Size(), enc.token))
			content, size = cf, cfi.Size()
			break
		}
	}
	pw := &pacedWriter{ResponseWriter: w, rc: http.NewResponseController(w), start: time.Now(),
		minRate: h.minRate, grace: h.grace, large: h.large, size: size, get: r.Method == http.MethodGet}
	defer pw.release()
	http.ServeContent(pw, r, name, fi.ModTime(), content)
}

// errBusy ends the copy of a body that was refused with 503.
var errBusy = errors.New("site: too many large downloads at once")

// pacedWriter is the ResponseWriter a file is sent through. It takes a
// large-download slot when the body to send is large, and gives each
// write a deadline.
//
// Pacing: each write must be done by start + grace + (bytes written so
// far, this write included) / minRate. That is a minimum average rate
// over the whole response, checked as bytes flow, rather than one
// deadline scaled to the file's size (which lets a client stall at the
// end of its allowance with no check before) or a rate over a short
// window (which cuts off a mobile link that pauses for a few seconds). A
// client that reads more slowly on average, or stops, is disconnected by
// the deadline; one on any link a person uses, however slow, is not. A
// response therefore ends at the latest grace + size/minRate after it
// started.
type pacedWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	start   time.Time
	written int64
	minRate int64
	grace   time.Duration
	// large is the handler's slot pool, size the length of the whole
	// file being sent, get whether the request is a GET (a HEAD sends no
	// body).
	large chan struct{}
	size  int64
	get   bool
	// wrote is set by the first WriteHeader, held while a slot is taken,
	// refused once the answer became 503.
	wrote, held, refused bool
}

// WriteHeader completes the header ServeContent has prepared. It runs
// once ServeContent has decided what to send, so only a body of
// LargeFile bytes or more takes a slot: a revalidation (304), a HEAD, an
// error or a small range is never refused. With no slot free the answer
// becomes an immediate 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3)
// rather than a wait.
func (p *pacedWriter) WriteHeader(code int) {
	if p.wrote {
		return
	}
	p.wrote = true
	hd := p.Header()
	if code == http.StatusOK && hd.Get("Content-Encoding") != "" && hd.Get("Content-Length") == "" {
		// ServeContent leaves the length out when Content-Encoding is set,
		// in case a wrapper compresses on the fly. Here the bytes are the
		// precompressed file's own and a 200 sends all of them, so the
		// client learns the length (its progress, no chunked framing).
		hd.Set("Content-Length", strconv.FormatInt(p.size, 10))
	}
	if n, err := strconv.ParseInt(hd.Get("Content-Length"), 10, 64); p.get && err == nil && n >= LargeFile &&
		(code == http.StatusOK || code == http.StatusPartialContent) {
		select {
		case p.large <- struct{}{}:
			p.held = true
		default:
			p.refused = true
			for _, k := range []string{"Content-Encoding", "Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified"} {
				hd.Del(k)
			}
			hd.Set("Cache-Control", "no-store")
			hd.Set("Retry-After", "5")
			http.Error(p.ResponseWriter, "busy: too many large downloads at once, try again in a few seconds", http.StatusServiceUnavailable)
			return
		}
	}
	p.ResponseWriter.WriteHeader(code)
}

// Write sends b under the pacing deadline.
func (p *pacedWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	if p.refused {
		return 0, errBusy
	}
	due := p.grace + time.Duration(float64(p.written+int64(len(b)))/float64(p.minRate)*float64(time.Second))
	// A recorder in tests cannot take deadlines; a real connection can.
	_ = p.rc.SetWriteDeadline(p.start.Add(due))
	n, err := p.ResponseWriter.Write(b)
	p.written += int64(n)
	return n, err
}

// release gives back the large-download slot, if one was taken.
func (p *pacedWriter) release() {
	if p.held {
		p.held = false
		<-p.large
	}
}

// open opens a regular file inside the root; directories and other
// non-regular files are refused (no listings).
func (h *handler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errors.New("site: not a regular file")
	}
	return f, fi, nil
}

// accepts reports whether the Accept-Encoding value allows coding (RFC 9110
// §12.5.3): listed (or "*") with a non-zero q.
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		tok := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			p = strings.TrimSpace(p)
			if v, ok := strings.CutPrefix(strings.ToLower(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch tok {
		case coding:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}
