// Command wasmsize prints where the bytes of a Go WebAssembly module go:
// the size of each section, and the code bytes of each Go package, read
// from the module's code section and its "name" custom section (function
// names; a build without -ldflags=-s keeps them). It answers "what makes
// headerlens.wasm large" for issue-by-issue size work.
//
// Usage:
//
//	go run ./scripts/wasmsize [-top N] [-build] [FILE.wasm]
//
// With -build (the default when no file is given) it builds ./wasm for
// GOOS=js GOARCH=wasm with the flags of scripts/wasm.flags and the names
// kept, as scripts/build-site builds it but for -s, and reads that. Run it
// from the module root.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"headerlens/internal/buildcheck"
)

func main() {
	top := flag.Int("top", 30, "how many packages to list")
	flag.Parse()
	path := flag.Arg(0)
	if path == "" {
		dir, err := os.MkdirTemp("", "wasmsize")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "headerlens.wasm")
		flags, err := buildcheck.WasmFlags(".")
		if err != nil {
			fail(err)
		}
		cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", path, "./wasm")...)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fail(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	m, err := Parse(b)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "%s: %d bytes\n\nsections:\n", path, len(b))
	for _, s := range m.Sections {
		fmt.Fprintf(w, "  %-12s %10d\n", s.Name, s.Size)
	}
	pkgs := m.ByPackage()
	var total int
	for _, p := range pkgs {
		total += p.Bytes
	}
	fmt.Fprintf(w, "\ncode by package (%d packages, %d bytes of function bodies):\n", len(pkgs), total)
	for i, p := range pkgs {
		if i == *top {
			break
		}
		fmt.Fprintf(w, "  %10d %5.1f%%  %s\n", p.Bytes, 100*float64(p.Bytes)/float64(total), p.Name)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wasmsize:", err)
	os.Exit(1)
}

// Section is one section of the module.
type Section struct {
	Name string
	Size int
}

// Module is what Parse reads from a module.
type Module struct {
	Sections []Section
	// Bodies are the sizes of the defined functions' bodies, in order.
	Bodies []int
	// Imported is the number of imported functions, which come first in
	// the function index space (WebAssembly core spec §2.5.1).
	Imported int
	// Names maps a function index to its name.
	Names map[int]string
}

var sectionNames = map[byte]string{0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}

// Parse reads the sections of a WebAssembly binary module (core spec §5.5).
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	m := &Module{Names: map[int]string{}}
	r := &reader{b: b, i: 8}
	for r.i < len(b) {
		id := r.byte()
		size := r.size()
		if r.err != nil {
			return nil, errors.New("truncated section")
		}
		body := &reader{b: b[r.i : r.i+size]}
		name := sectionNames[id]
		switch id {
		case 0:
			cname := body.name()
			name = "custom " + cname
			if cname == "name" {
				m.readNames(body)
			}
		case 2:
			m.readImports(body)
		case 10:
			n := body.size()
			for k := 0; k < n && body.err == nil; k++ {
				sz := body.size()
				m.Bodies = append(m.Bodies, sz)
				body.i += sz
			}
		}
		m.Sections = append(m.Sections, Section{Name: name, Size: size})
		r.i += size
	}
	return m, r.err
}

func (m *Module) readImports(r *reader) {
	n := r.size()
	for k := 0; k < n && r.err == nil; k++ {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case 0: // function: type index
			r.uleb()
			m.Imported++
		case 1: // table: reftype, limits
			r.byte()
			r.limits()
		case 2: // memory: limits
			r.limits()
		case 3: // global: valtype, mut
			r.byte()
			r.byte()
		default:
			r.err = fmt.Errorf("unknown import kind %d", kind)
		}
	}
}

// readNames reads the function names subsection (id 1) of the "name"
// custom section (core spec, appendix 7.4).
func (m *Module) readNames(r *reader) {
	for r.i < len(r.b) && r.err == nil {
		id := r.byte()
		size := r.size()
		end := r.i + size
		if id == 1 {
			n := r.size()
			for k := 0; k < n && r.err == nil; k++ {
				idx := int(min(r.uleb(), 1<<31))
				m.Names[idx] = r.name()
			}
		}
		r.i = end
	}
}

// Package is one Go package's share of the code.
type Package struct {
	Name  string
	Bytes int
}

// ByPackage sums the function bodies by Go package, largest first.
func (m *Module) ByPackage() []Package {
	sums := map[string]int{}
	for k, sz := range m.Bodies {
		sums[packageOf(m.Names[m.Imported+k])] += sz
	}
	out := make([]Package, 0, len(sums))
	for name, n := range sums {
		out = append(out, Package{name, n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Bytes > out[j].Bytes || out[i].Bytes == out[j].Bytes && out[i].Name < out[j].Name
	})
	return out
}

// packageOf returns the package of a function name of the Go wasm name
// section, where a package path's "/" is written "_"
// ("github.com_miekg_dns.(*Msg).Pack"): the text up to the first "."
// (after the host name for a module path), with "/" put back; compiler
// generated type functions ("type_.eq.…") are counted apart.
func packageOf(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	if strings.HasPrefix(sym, "type_.") {
		return "(type equality and hash functions)"
	}
	prefix := ""
	for _, host := range []string{"github.com_", "golang.org_", "gopkg.in_"} {
		if strings.HasPrefix(sym, host) {
			prefix, sym = host, sym[len(host):]
			break
		}
	}
	if dot := strings.IndexByte(sym, '.'); dot >= 0 {
		sym = sym[:dot]
	}
	return strings.ReplaceAll(prefix+sym, "_", "/")
}

// reader reads LEB128 numbers and names; the first error sticks.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.err = errors.New("unexpected end")
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("LEB128 too long")
	return v
}

// size reads a LEB128 length or count, which cannot exceed the bytes
// left (every counted item takes at least one byte).
func (r *reader) size() int {
	v := r.uleb()
	if v > uint64(len(r.b)-r.i) {
		if r.err == nil {
			r.err = errors.New("length beyond the end")
		}
		return 0
	}
	return int(v)
}

func (r *reader) name() string {
	n := r.size()
	if r.err != nil {
		return ""
	}
	s := string(r.b[r.i : r.i+n])
	r.i += n
	return s
}

func (r *reader) limits() {
	if r.byte()&1 == 1 {
		r.uleb()
	}
	r.uleb()
}
