package companion_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"headerlens/companion/internal/testenv"
)

// findPostfix returns the path of the postfix command, or "".
func findPostfix() string {
	if p, err := exec.LookPath("postfix"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/postfix", "/usr/local/sbin/postfix"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// TestPostfixInterop probes a real Postfix smtpd, started on a loopback
// port with a private configuration directory and a certificate from the
// test CA. It is skipped when Postfix is absent, unless
// HEADERLENS_REQUIRE_POSTFIX is set (to anything but 0; `make test` sets
// it to 1), which turns a missing Postfix into a failure.
func TestPostfixInterop(t *testing.T) {
	v := os.Getenv("HEADERLENS_REQUIRE_POSTFIX")
	required := v != "" && v != "0"
	bin := findPostfix()
	missing := ""
	switch {
	case bin == "":
		missing = "postfix is not installed (apt-get install postfix)"
	case os.Geteuid() != 0:
		missing = "starting postfix needs root"
	default:
		if _, err := user.Lookup("postfix"); err != nil {
			missing = "the postfix user does not exist"
		}
	}
	if missing != "" {
		if required {
			t.Fatalf("HEADERLENS_REQUIRE_POSTFIX=1 but %s", missing)
		}
		t.Skip(missing)
	}

	const mx = "mx.postfix.test"
	e := newEnv(t, nil)
	port := startPostfix(t, bin, e.ca, mx, e.smtpPort)
	t.Logf("postfix listening on 127.0.0.1:%d", port)
	e.rr("postfix.test. 60 IN MX 10 mx.postfix.test.", "mx.postfix.test. 60 IN A 127.0.0.1")

	status, _, body := e.get("/api/v1/mail-tls?domain=postfix.test", nil)
	if status != http.StatusOK {
		t.Fatalf("mail-tls: got %d %v, want 200", status, body)
	}
	p := at(body, "hosts", 0, "probe")
	if errv := at(p, "error"); errv != nil {
		t.Fatalf("probe error: got %v, want none", errv)
	}
	if got, _ := at(p, "banner", "lines", 0).(string); !strings.Contains(got, "headerlens interop") {
		t.Errorf("banner: got %q, want the configured smtpd_banner", got)
	}
	exts := map[string]bool{}
	for i := 0; ; i++ {
		k := at(p, "ehlo", "extensions", i, "keyword")
		if k == nil {
			break
		}
		exts[k.(string)] = true
	}
	for _, want := range []string{"STARTTLS", "PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"} {
		if !exts[want] {
			t.Errorf("EHLO: got %v, want %s", exts, want)
		}
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"starttlsOffered"}, true},
		{[]any{"ehlo", "domain"}, mx},
		{[]any{"ehlo", "extensions", 1, "params", 0}, "10240000"}, // SIZE follows PIPELINING
		{[]any{"tls", "version"}, "TLS 1.3"},
		{[]any{"tls", "chainVerified"}, true},
		{[]any{"tls", "hostnameMatch"}, true},
		{[]any{"tls", "certificates", 0, "keyType"}, "ECDSA"},
		{[]any{"legacyTls", "accepted"}, false}, // smtpd_tls_protocols = >=TLSv1.2
		{[]any{"ehloAfterTls", "code"}, 250.0},
	}
	for _, c := range checks {
		if got := at(p, c.path...); got != c.want {
			t.Errorf("%v: got %v, want %v", c.path, got, c.want)
		}
	}
	t.Logf("postfix: %v, cipher %v, timings %v", at(p, "tls", "version"), at(p, "tls", "cipherSuite"), at(p, "timings"))
}

// startPostfix writes a private Postfix configuration listening on
// 127.0.0.1:port, starts the master in the foreground and stops it when the
// test ends. It returns the port.
func startPostfix(t *testing.T, bin string, ca *testenv.CA, mx string, port int) int {
	t.Helper()
	// Postfix daemons run as the postfix user and must traverse the
	// directory, so it cannot be t.TempDir (mode 0700).
	dir, err := os.MkdirTemp("", "headerlens-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	etc, spool, data := filepath.Join(dir, "etc"), filepath.Join(dir, "spool"), filepath.Join(dir, "data")
	for _, d := range []string{etc, spool, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	u, _ := user.Lookup("postfix")
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(data, uid, gid); err != nil {
		t.Fatal(err)
	}
	cert := ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}})
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(etc, name), b, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644)
	write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	write("main.cf", []byte(fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s
data_directory = %[2]s
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = %[4]s
mydestination =
alias_maps =
alias_database =
smtpd_banner = $myhostname ESMTP headerlens interop
smtpd_tls_cert_file = %[3]s/cert.pem
smtpd_tls_key_file = %[3]s/key.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
maillog_file_prefixes = %[3]s
maillog_file = %[3]s/maillog
`, spool, data, etc, mx)), 0o644)
	// Only the services smtpd needs; chroot off (no jail to populate).
	write("master.cf", []byte(fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
`, port)), 0o644)

	run := func(args ...string) {
		out, err := exec.Command(bin, append([]string{"-c", etc}, args...)...).CombinedOutput()
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(etc, "maillog"))
			t.Fatalf("postfix %v: %v\n%s\n%s", args, err, out, log)
		}
	}
	run("check") // creates the queue directories
	var out bytes.Buffer
	cmd := exec.Command(bin, "-c", etc, "start-fg")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = exec.Command(bin, "-c", etc, "stop").Run()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			// Our own process group only.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return port
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(etc, "maillog"))
			t.Fatalf("postfix exited: %v\n%s\n%s", err, out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(etc, "maillog"))
			t.Fatalf("postfix did not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
