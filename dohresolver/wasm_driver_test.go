//go:build !js

package dohresolver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"headerlens/dohresolver/dohtest"
)

// wasmFailures are the failures the js/wasm tests expect per name.
var wasmFailures = map[string]dohtest.Failure{
	"timeout.example.com":   dohtest.FailTimeout,
	"oversize.example.com":  dohtest.FailOversize,
	"html.example.com":      dohtest.FailHTML,
	"truncated.example.com": dohtest.FailTruncatedMessage,
	"ctype.example.com":     dohtest.FailContentType,
	"http500.example.com":   dohtest.FailHTTP500,
	"tc.example.com":        dohtest.FailTC,
	"abort.example.com":     dohtest.FailAbort,
}

// TestWasmFetchTransport builds this package's tests for GOOS=js and runs
// them under Node against dohtest servers started here, so the fetch
// transport is tested against a real HTTP server. It skips only when Node
// is not installed; any failure of the build or of the wasm run fails it.
func TestWasmFetchTransport(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed: the GOOS=js tests cannot run")
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(out))
	goBin := filepath.Join(goroot, "bin", "go")
	execScript := filepath.Join(goroot, "lib", "wasm", "go_js_wasm_exec")
	if _, err := os.Stat(execScript); err != nil {
		t.Fatalf("node is installed but %s is missing: %v", execScript, err)
	}

	srv := dohtest.NewServer(t, fixtureZones(t)...)
	for name, f := range wasmFailures {
		srv.Fail(name, f)
	}
	bad := dohtest.NewServer(t)
	bad.FailAll(dohtest.FailHTML)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "dohresolver.test.wasm")
	build := exec.CommandContext(ctx, goBin, "test", "-c", "-o", bin, ".")
	// -race and -msan do not exist for js/wasm: drop them from GOFLAGS.
	var flags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-race" && f != "-msan" && f != "-asan" {
			flags = append(flags, f)
		}
	}
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS="+strings.Join(flags, " "))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the js/wasm test binary: %v\n%s", err, out)
	}
	run := exec.CommandContext(ctx, execScript, bin, "-test.v", "-test.run", "^TestJS")
	run.Env = append(os.Environ(),
		"HEADERLENS_DOH_URL="+srv.URL(),
		"HEADERLENS_DOH_BAD_URL="+bad.URL())
	out, err = run.CombinedOutput()
	t.Logf("wasm test output:\n%s", out)
	if err != nil {
		t.Fatalf("js/wasm tests failed: %v", err)
	}
	passed := regexp.MustCompile(`(?m)^--- PASS: TestJS\w+`).FindAll(out, -1)
	if len(passed) < 4 || strings.Contains(string(out), "--- SKIP") {
		t.Errorf("js/wasm run passed %d TestJS tests (want 4) or skipped some", len(passed))
	}
	if srv.Count() == 0 {
		t.Errorf("the fixture server received no query from the wasm run")
	}
}
