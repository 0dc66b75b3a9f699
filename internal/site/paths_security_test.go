package site

import (
	"io/fs"
	"strings"
	"testing"
)

// FuzzSecurityCleanName: whatever the request path, cleanName returns ""
// or a valid fs path inside the site with no parent, hidden or backslash
// segment, and never panics. accepts (a request header) never panics
// either. The third argument, once an If-None-Match value, is kept so the
// seed corpus stays readable.
func FuzzSecurityCleanName(f *testing.F) {
	for _, s := range []string{"/", "/index.html", "/../etc/passwd", "//index.html", "/a/./b", "/.git/config", "/a\\..\\b", "/a/..", "/%2e%2e/", "/a//b/", "/\x00"} {
		f.Add(s, "gzip;q=0.5, br", `W/"x", "y"`)
	}
	f.Fuzz(func(t *testing.T, p, ae, _ string) {
		_ = accepts(ae, "gzip")
		_ = accepts(ae, "br")
		name := cleanName(p)
		if name == "" {
			return
		}
		if !fs.ValidPath(name) {
			t.Fatalf("cleanName(%q) = %q: not a valid fs path", p, name)
		}
		if strings.ContainsAny(name, "\\\x00") {
			t.Fatalf("cleanName(%q) = %q: backslash or NUL", p, name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == ".." || seg == "." || strings.HasPrefix(seg, ".") {
				t.Fatalf("cleanName(%q) = %q: segment %q", p, name, seg)
			}
		}
	})
}
