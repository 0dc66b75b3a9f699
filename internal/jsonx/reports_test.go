package jsonx_test

// Differential tests on the values jsonx exists for: the reports of the
// analyzer and of the domain check, and the companion's answers. Each is
// encoded and decoded with jsonx and with encoding/json, which must agree
// byte for byte and value for value.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer"
	"headerlens/analyzer/domaincheck"
	"headerlens/analyzer/mailtls"
	"headerlens/internal/jsonx"
)

// testdata is the repository's test data folder, two folders up.
func testdata(elem ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, elem...)...)
}

// testdataFiles lists the files of the test data, in its folders and
// their subfolders, whose names end with suffix.
func testdataFiles(t *testing.T, suffix string) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{testdata("*", "*"+suffix), testdata("*", "*", "*"+suffix)} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// sameAsEncodingJSON checks v against encoding/json: jsonx.Marshal writes
// the bytes json.Marshal writes, and decoding them into a fresh T gives
// equal values with both.
func sameAsEncodingJSON[T any](t *testing.T, name string, v *T) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: encoding/json: %v", name, err)
	}
	got, err := jsonx.Marshal(v)
	if err != nil {
		t.Errorf("%s: Marshal: %v", name, err)
		return
	}
	if !bytes.Equal(got, want) {
		at := 0
		for at < min(len(got), len(want)) && got[at] == want[at] {
			at++
		}
		from := max(at-40, 0)
		t.Errorf("%s: Marshal differs from encoding/json at byte %d of %d:\ngot  …%s\nwant …%s",
			name, at, len(want), got[from:min(at+40, len(got))], want[from:min(at+40, len(want))])
	}
	var gotBack, wantBack T
	gotErr := jsonx.Unmarshal(want, &gotBack)
	wantErr := json.Unmarshal(want, &wantBack)
	if gotErr != nil || wantErr != nil {
		t.Errorf("%s: decoding the encoding: jsonx %v, encoding/json %v", name, gotErr, wantErr)
	} else if !reflect.DeepEqual(gotBack, wantBack) {
		t.Errorf("%s: Unmarshal gives another %T than encoding/json", name, v)
	}
}

// transportAnswers is an analyzer.TransportChecker that answers at once:
// JSON with white space, HTML characters and a raw U+2028 to compact and
// escape, or, for some domains, an error.
type transportAnswers struct{}

func (transportAnswers) MailTLS(_ context.Context, domain string) (jsonx.RawMessage, error) {
	if len(domain)%3 == 0 {
		return nil, errors.New("companion <down> & out")
	}
	return jsonx.RawMessage(fmt.Sprintf(`{
	"domain" : "%s",
	"nullMx": false,
	"hosts": [ { "host": "mx.%s", "probe": { "starttlsOffered": true,
		"tls": { "version": "TLS 1.3", "chainVerified": true } } } ],
	"note": "<b>a & b</b> `+"\u2028"+` \u2029 \" \\ \/"
}
`, domain, domain)), nil
}

// analysisTime is the time the reports are made at, after the signatures
// of the test messages.
func analysisTime() time.Time {
	return time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
}

// TestAnalyzerReports analyzes every message of the test data offline,
// asking transportAnswers about transport security, and compares the
// reports' encoding and decoding with encoding/json's.
func TestAnalyzerReports(t *testing.T) {
	files := testdataFiles(t, ".eml")
	if len(files) < 60 {
		t.Fatalf("%d messages in the test data, want the corpus and the golden cases", len(files))
	}
	for _, f := range files {
		eml, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := analyzer.Analyze(context.Background(), eml, analyzer.Options{Now: analysisTime(), Transport: transportAnswers{}})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sameAsEncodingJSON(t, f, r)
	}
}

// TestGoldenFiles decodes every golden JSON file of the test data (the
// expected outputs of the analyzer's, the domain check's and the parsers'
// golden tests) into an empty interface and into each report type, with
// jsonx and encoding/json, and compares values and encodings.
func TestGoldenFiles(t *testing.T) {
	files := testdataFiles(t, ".want.json")
	if len(files) < 70 {
		t.Fatalf("%d golden files in the test data, want those of every golden test", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data := string(b)
		if v, err := decodeBoth[any](t, data); err != nil {
			t.Errorf("%s: %v", f, err)
		} else {
			sameAsEncodingJSON(t, f+" as any", &v)
		}
		if r, err := decodeBoth[analyzer.Report](t, data); err == nil {
			sameAsEncodingJSON(t, f+" as analyzer.Report", &r)
		}
		r, err := decodeBoth[domaincheck.Report](t, data)
		if err == nil {
			sameAsEncodingJSON(t, f+" as domaincheck.Report", &r)
		} else if strings.Contains(f, string(filepath.Separator)+"domain"+string(filepath.Separator)) {
			t.Errorf("%s is a domain report, but: %v", f, err)
		}
		if r, err := decodeBoth[mailtls.Report](t, data); err == nil {
			sameAsEncodingJSON(t, f+" as mailtls.Report", &r)
		}
	}
}

// companionAnswers are answers of the companion, in the JSON it writes
// (companion.MailTLSReport and companion.BIMIReport).
func companionAnswers() (mailTLS, bimi string) {
	mailTLS = `{"nullMx":false,"hosts":[
		{"host":"mx1.good.example","probe":{"starttlsOffered":true,"tls":{"version":"TLS 1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","chainVerified":false,"chainError":"x509: certificate signed by unknown authority <root>","hostnameMatch":true}}},
		{"host":"mx2.good.example","error":"no address","probe":null},
		{"host":"mx3.good.example","probe":{"starttlsOffered":false,"error":{"step":"ehlo","kind":"no-starttls","message":"250 \u2028 ok"}}}],
		"mtaSts":{"mode":"enforce","fetch":{"url":"https://mta-sts.good.example/.well-known/mta-sts.txt","error":"","policy":{"mode":"enforce","maxAge":604800,"mx":["*.good.example","mx3.good.example"]}},
		"mx":[{"host":"mx1.good.example","matches":true},{"host":"mx2.good.example","matches":false}]},
		"tlsRpt":{"record":"v=TLSRPTv1; rua=mailto:tls@good.example"}}`
	bimi = `{"record":"v=BIMI1; l=https://good.example/logo.svg; a=https://good.example/vmc.pem",
		"logo":{"url":"https://good.example/logo.svg","status":200,"contentType":"image/svg+xml","bytes":2048,"problems":["<title> missing","baseProfile is not tiny-ps"],"valid":false},
		"certificate":{"url":"https://good.example/vmc.pem","status":404,"error":"HTTP 404 & no body","subject":"","logotype":false,"bimiUsage":false,"chainVerified":false,"logoMatches":null,"problems":[]}}`
	return mailTLS, bimi
}

// TestCompanionAnswers decodes the companion's answers as the domain check
// reads them (analyzer/mailtls), BIMILogo's and BIMICertificate's embedded
// BIMIFetch included, and encodes them back.
func TestCompanionAnswers(t *testing.T) {
	mailTLS, bimi := companionAnswers()
	if r, err := decodeBoth[mailtls.Report](t, mailTLS); err != nil {
		t.Errorf("mail-tls answer: %v", err)
	} else {
		sameAsEncodingJSON(t, "mail-tls answer", &r)
	}
	b, err := decodeBoth[mailtls.BIMI](t, bimi)
	if err != nil {
		t.Fatalf("BIMI answer: %v", err)
	}
	if b.Logo == nil || b.Logo.Bytes != 2048 || b.Certificate == nil || b.Certificate.Status != 404 {
		t.Errorf("BIMI answer: logo %+v, certificate %+v; want the embedded BIMIFetch fields set", b.Logo, b.Certificate)
	}
	sameAsEncodingJSON(t, "BIMI answer", &b)
	if _, err := mailtls.DecodeBIMI([]byte(bimi)); err != nil {
		t.Errorf("mailtls.DecodeBIMI: %v", err)
	}
	for _, bad := range []string{`[1,2`, `{"hosts":{}}`, `{"nullMx":"yes"}`} {
		if _, err := mailtls.Decode([]byte(bad)); err == nil {
			t.Errorf("mailtls.Decode(%s): no error", bad)
		}
	}
}

// TestNoJSONMethods walks the types of the reports and of the companion's
// answers, as encoding/json sees them (fields tagged "-" left out), and
// fails if one of them has a method that encoding/json would call and
// jsonx ignores: MarshalJSON, UnmarshalJSON, MarshalText, UnmarshalText.
// jsonx.RawMessage has the first two for encoding/json's sake; jsonx
// handles it by its type.
func TestNoJSONMethods(t *testing.T) {
	methods := []string{"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		if typ == reflect.TypeFor[jsonx.RawMessage]() {
			return
		}
		for _, m := range methods {
			if _, ok := reflect.PointerTo(typ).MethodByName(m); ok {
				t.Errorf("%s (%v) has a %s method, which jsonx ignores: encoding/json and jsonx would encode it differently", path, typ, m)
			}
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(typ.Elem(), path+"[]")
		case reflect.Map:
			walk(typ.Key(), path+"{key}")
			walk(typ.Elem(), path+"{}")
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				if f.Tag.Get("json") == "-" || !f.IsExported() && !f.Anonymous {
					continue
				}
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Interface:
			t.Errorf("%s is an interface (%v): what it holds cannot be checked", path, typ)
		}
	}
	for _, v := range []any{analyzer.Report{}, domaincheck.Report{}, mailtls.Report{}, mailtls.BIMI{}} {
		typ := reflect.TypeOf(v)
		walk(typ, typ.String())
	}
	if len(seen) < 50 {
		t.Errorf("walked %d types, want every type of the reports", len(seen))
	}
}
