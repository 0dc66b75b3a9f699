package buildcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot is the repository root, two folders up.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestWasmDeps: the WebAssembly build does not link net/http. DNS goes
// through dohresolver's fetch transport and the companion client through
// fetch too; golang.org/x/net/publicsuffix (which imports
// net/http/cookiejar) is replaced by analyzer/internal/publicsuffix. Nor
// does it link regexp, whose Unicode tables weigh about 0.5 MB there; nor
// github.com/miekg/dns (1.2 MB with what it pulls in), replaced by
// headerlens/dnswire; nor crypto/x509 and the NIST curves it needs
// (0.8 MB), replaced by dkimcore's own DER reader of DKIM keys; nor
// crypto/rsa, which brings math/big's arithmetic and the FIPS RSA module
// (0.3 MB), replaced by dkimcore's own RSASSA-PKCS1-v1_5 verification;
// nor encoding/json (0.2 MB), replaced by internal/jsonx.
func TestWasmDeps(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./wasm: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list printed %d packages, want the whole build", len(deps))
	}
	for _, d := range deps {
		switch d {
		case "net/http", "net/http/cookiejar", "golang.org/x/net/publicsuffix", "regexp",
			"github.com/miekg/dns", "crypto/tls", "crypto/x509", "crypto/ecdsa", "encoding/asn1",
			"crypto/internal/fips140/nistec", "crypto/rsa", "crypto/internal/fips140/rsa",
			"encoding/json":
			t.Errorf("the WebAssembly build links %s", d)
		}
	}
}

// Budget is the most the WebAssembly module may weigh, raw and brotli
// compressed (what browsers download from headerlens serve and from nginx
// with brotli_static), built with scripts/wasm.flags. The goal of issue 10
// is 7 MB raw and 1.4 MB brotli. The brotli budget is that goal, which the
// module meets; the raw budget is the size reached so far plus 3%, lowered
// as the module shrinks, so that growth is a decision and not an accident.
const (
	BudgetRaw    = 7_531_000
	BudgetBrotli = 1_400_000
)

// TestWasmSize checks the built module against Budget: the one make site
// built (HEADERLENS_DIST, as make test sets), or a fresh build.
func TestWasmSize(t *testing.T) {
	var wasm []byte
	if d := os.Getenv("HEADERLENS_DIST"); d != "" {
		b, err := os.ReadFile(filepath.Join(d, "headerlens.wasm"))
		if err != nil {
			t.Fatalf("HEADERLENS_DIST is set but: %v", err)
		}
		wasm = b
	} else {
		out := filepath.Join(t.TempDir(), "headerlens.wasm")
		flags, err := WasmFlags(moduleRoot(t))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-ldflags=-s -w", "-o", out, "./wasm")...)
		cmd.Dir = moduleRoot(t)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the wasm: %v\n%s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		wasm = b
	}
	t.Logf("headerlens.wasm: %d bytes raw (budget %d)", len(wasm), BudgetRaw)
	if len(wasm) > BudgetRaw {
		t.Errorf("headerlens.wasm is %d bytes, over the budget of %d", len(wasm), BudgetRaw)
	}
	brotli, err := exec.LookPath("brotli")
	if err != nil {
		if os.Getenv("HEADERLENS_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("the brotli command is missing (scripts/ci-deps installs it)")
		}
		t.Skip("the brotli command is missing; run scripts/ci-deps")
	}
	cmd := exec.Command(brotli, "-q", "11", "-c")
	cmd.Stdin = bytes.NewReader(wasm)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("brotli: %v", err)
	}
	t.Logf("headerlens.wasm: %d bytes brotli (budget %d)", len(out), BudgetBrotli)
	if len(out) > BudgetBrotli {
		t.Errorf("headerlens.wasm is %d bytes brotli compressed, over the budget of %d", len(out), BudgetBrotli)
	}
}
