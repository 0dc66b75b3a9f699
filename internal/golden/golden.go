// Package golden compares what a test produced with a golden file
// (NN-name.want.json beside the case's input) and, when the test binary is
// run with -update, rewrites the file instead. Every golden test of the
// module goes through it, so there is one flag and one way to read a
// difference:
//
//	go test ./analyzer/... -run Golden -update   # rewrite, then review the diff
//
// Files are compared as JSON values, not bytes: a difference is reported
// per top-level field (or as a whole for non-objects), so a failure names
// what changed. It is a test helper; only _test.go files import it.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (want.json, want.md) from the code's output (review every diff)")

// Updating reports whether the test binary was run with -update.
func Updating() bool { return *update }

// JSON compares got, marshalled as indented JSON, with the golden file at
// path. With -update it writes the file and reports success. It reports a
// missing or different file with t.Errorf and returns false.
func JSON(t testing.TB, path string, got any) bool {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	return Bytes(t, path, append(b, '\n'))
}

// Bytes is JSON for output that is already JSON text.
func Bytes(t testing.TB, path string, got []byte) bool {
	t.Helper()
	want, done, pass := read(t, path, got)
	if done {
		return pass
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("golden %s: the output is not JSON: %v", path, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if reflect.DeepEqual(g, w) {
		return true
	}
	gm, gok := g.(map[string]any)
	wm, wok := w.(map[string]any)
	if !gok || !wok {
		t.Errorf("golden %s:\ngot  %s\nwant %s", path, compact(g), compact(w))
		return false
	}
	var keys []string
	for k := range gm {
		keys = append(keys, k)
	}
	for k := range wm {
		if _, ok := gm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		gv, gin := gm[k]
		wv, win := wm[k]
		if gin == win && reflect.DeepEqual(gv, wv) {
			continue
		}
		t.Errorf("golden %s: %q differs:\ngot  %s\nwant %s", path, k, present(gv, gin), present(wv, win))
	}
	return false
}

func present(v any, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return compact(v)
}

func compact(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err.Error()
	}
	return string(bytes.TrimSpace(b.Bytes()))
}

// Text compares got with the golden text file at path (Markdown, plain
// text). With -update it writes the file and reports success. A difference
// is reported at its first differing line, with the line counts.
func Text(t testing.TB, path string, got []byte) bool {
	t.Helper()
	want, done, pass := read(t, path, got)
	if done {
		return pass
	}
	if string(got) == string(want) {
		return true
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w || i >= len(gl) || i >= len(wl) {
			t.Errorf("golden %s: line %d differs (got %d lines, want %d):\ngot  %q\nwant %q", path, i+1, len(gl), len(wl), g, w)
			break
		}
	}
	return false
}

// read returns the golden file at path to compare got with. It is done,
// with the test's verdict, when there is nothing to compare: with -update
// it writes got there (pass), and a missing file is reported (fail).
func read(t testing.TB, path string, got []byte) (want []byte, done, pass bool) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return nil, true, true
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("golden: %v (run the test with -update to create it, then review it)", err)
		return nil, true, false
	}
	return want, false, false
}
