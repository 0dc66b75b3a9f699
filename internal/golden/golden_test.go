package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps its errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, format)
	r.TB.Logf(format, args...)
}

func TestJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "01-case.want.json")
	if err := os.WriteFile(path, []byte("{\"a\": 1,\n \"b\": [\"x\"]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want bool
	}{
		{"same value, other layout", map[string]any{"b": []string{"x"}, "a": 1}, true},
		{"field changed", map[string]any{"a": 2, "b": []string{"x"}}, false},
		{"field missing", map[string]any{"a": 1}, false},
		{"field added", map[string]any{"a": 1, "b": []string{"x"}, "c": true}, false},
		{"not an object", []int{1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			if got := JSON(r, path, tt.got); got != tt.want || (len(r.errs) == 0) != tt.want {
				t.Errorf("JSON = %v with %d errors, want %v", got, len(r.errs), tt.want)
			}
		})
	}
	r := &recorder{TB: t}
	if JSON(r, filepath.Join(dir, "missing.want.json"), 1) || len(r.errs) != 1 || !strings.Contains(r.errs[0], "-update") {
		t.Errorf("missing file: got errors %q, want one naming -update", r.errs)
	}
}

func TestUpdate(t *testing.T) {
	*update = true
	defer func() { *update = false }()
	path := filepath.Join(t.TempDir(), "02-new.want.json")
	if !JSON(t, path, map[string]int{"n": 1}) {
		t.Fatal("JSON with -update reported a difference")
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "{\n  \"n\": 1\n}\n" {
		t.Errorf("written file = %q (%v), want indented JSON with a final newline", b, err)
	}
}
