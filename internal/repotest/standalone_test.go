package repotest

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root returns the repository's top folder: two levels above this
// package, where go.mod declares the headerlens module.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !bytes.HasPrefix(b, []byte("module headerlens\n")) {
		t.Fatalf("%s is not the headerlens module root: %v", dir, err)
	}
	return dir
}

// repoFiles lists the repository's files (slash-separated, relative to
// the root): the files git tracks plus the untracked ones it does not
// ignore, or, without git, every file outside .git folders.
func repoFiles(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			// A tracked file deleted in the work tree is not there to read.
			if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f))); f != "" && err == nil && fi.Mode().IsRegular() {
				files = append(files, f)
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// notPathChar is what may precede an absolute path: not part of a URL
// (host name, port, scheme) or of a longer path.
const notPathChar = `(?:^|[^\w.~:/-])`

// outside are the forms of a path outside the repository. They are
// assembled from pieces so that this file does not contain what it looks
// for.
var outside = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a folder beside the checkout", regexp.MustCompile(`\.\.[/\\]` + `shared\b`)},
	{"an absolute path of the development machine", regexp.MustCompile(notPathChar + `/` + `work/`)},
	{"a home folder", regexp.MustCompile(notPathChar + `/(?:` + `home|Users)/[A-Za-z_][\w.-]*/`)},
	{"the root user's home folder", regexp.MustCompile(notPathChar + `/` + `root/`)},
}

// isBinary reports whether b looks like binary data (a NUL byte in its
// first 8 KiB), which the text checks skip.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0
}

// TestNoPathOutsideRepository fails when any file of the repository
// (code, tests, scripts, docs, test data) names a folder beside the
// checkout or an absolute path of a developer's machine: a fresh clone
// must build and test with nothing beside it.
func TestNoPathOutsideRepository(t *testing.T) {
	dir := root(t)
	files := repoFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("no files found in the repository")
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if isBinary(b) {
			continue
		}
		for i, line := range bytes.Split(b, []byte("\n")) {
			for _, o := range outside {
				if m := o.re.Find(line); m != nil {
					t.Errorf("%s:%d names %s: got %q, want a path inside the repository", f, i+1, o.name, bytes.TrimSpace(m))
				}
			}
		}
	}
}

// TestOutsidePatterns checks the patterns themselves on lines they must
// and must not match.
func TestOutsidePatterns(t *testing.T) {
	// The lines are written with placeholders (@S, @W, @H, @U, @R) so
	// that this file does not hold what it forbids; expand spells them
	// out.
	expand := strings.NewReplacer("@S", "sha"+"red", "@W", "wo"+"rk", "@H", "ho"+"me", "@U", "Us"+"ers", "@R", "ro"+"ot").Replace
	tests := []struct {
		line string
		want bool
	}{
		{`filepath.Glob("../@S/corpus/messages/*.eml")`, true},
		{`filepath.Join("..", "..", "..", "@S")`, false}, // caught by TestNoClimbOutOfRepository
		{`see /@W/@S/README.md`, true},
		{"`/@W/main`", true},
		{`open /@H/alice/src/x`, true},
		{`open /@U/bob/x`, true},
		{`cd /@R/go`, true},
		{`https://example.org/@W/items`, false},
		{`https://example.org/@H/index.html`, false},
		{`testdata/@S-keys/x`, false},
		{`a/@W/b`, false},
		{`/tmp/x-standalone`, false},
	}
	for _, tt := range tests {
		line := expand(tt.line)
		got := false
		for _, o := range outside {
			got = got || o.re.MatchString(line)
		}
		if got != tt.want {
			t.Errorf("%q: got %v, want %v", line, got, tt.want)
		}
	}
}

// climbs is a relative path going up at least one folder.
var climbs = regexp.MustCompile(`^(?:\.\./)+`)

// TestNoClimbOutOfRepository parses every Go file and fails on a relative
// path, as a string literal or the leading literal arguments of
// filepath.Join or path.Join, that climbs out of the repository and does
// not name a file or folder of it. (The e2e tests read messages relative
// to a test data folder deeper than their package, so a path that climbs
// past the root is accepted when what follows the climb exists at the
// root.)
func TestNoClimbOutOfRepository(t *testing.T) {
	dir := root(t)
	checked := 0
	for _, f := range repoFiles(t, dir) {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, filepath.Join(dir, filepath.FromSlash(f)), nil, parser.SkipObjectResolution)
		if err != nil {
			// Another check (go vet, the build) reports syntax errors.
			continue
		}
		pkgDir := path.Dir(f)
		check := func(pos token.Pos, p string) {
			p = filepath.ToSlash(p)
			if !climbs.MatchString(p) {
				return
			}
			checked++
			resolved := path.Join(pkgDir, p)
			if !strings.HasPrefix(resolved, "../") && resolved != ".." {
				return
			}
			rest := climbs.ReplaceAllString(p, "")
			if rest != "" {
				if m, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(rest))); len(m) > 0 {
					return
				}
			}
			t.Errorf("%s: path %q climbs out of the repository to %q: got a path outside, want one inside", fset.Position(pos), p, resolved)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok {
					check(n.Pos(), s)
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Join" {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || (x.Name != "filepath" && x.Name != "path") {
					return true
				}
				var parts []string
				for _, a := range n.Args {
					lit, ok := a.(*ast.BasicLit)
					if !ok {
						break
					}
					s, ok := stringLit(lit)
					if !ok {
						break
					}
					parts = append(parts, s)
				}
				if len(parts) > 1 {
					check(n.Pos(), path.Join(parts...)+"/")
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no relative path found in any Go file; the walk is broken")
	}
}

// stringLit returns the value of a string literal.
func stringLit(l *ast.BasicLit) (string, bool) {
	if l.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(l.Value)
	return s, err == nil
}

// sourceRow is one row of the table in testdata/SOURCES.md.
type sourceRow struct {
	line                         int
	local, repo, commit, licence string
	localPaths, licenceFiles     []string
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	repoName   = regexp.MustCompile(`^[A-Za-z0-9][\w.-]*/[\w.-]+$`)
	commitID   = regexp.MustCompile("^`[0-9a-f]{40}`$")
)

// readSources parses the rows of testdata/SOURCES.md whose first cell
// names a path under testdata/.
func readSources(t *testing.T, dir string) []sourceRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "testdata", "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []sourceRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `testdata/") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 7 {
			t.Errorf("SOURCES.md:%d: got %d cells, want 7 (in repo, repository, upstream path, commit, licence, licence file, note)", n, len(cells))
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		r := sourceRow{line: n, local: cells[0], repo: cells[1], commit: cells[3], licence: cells[4]}
		for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
			r.localPaths = append(r.localPaths, m[1])
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[5], -1) {
			r.licenceFiles = append(r.licenceFiles, m[1])
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSourcesIndex checks testdata/SOURCES.md, the index of the files
// copied from other projects: every row names files that exist, an
// upstream repository, a full commit id, a licence and licence files that
// exist; every licence file under testdata/ belongs to a row; and every
// message of testdata/corpus has a row.
func TestSourcesIndex(t *testing.T) {
	dir := root(t)
	rows := readSources(t, dir)
	if len(rows) == 0 {
		t.Fatal("testdata/SOURCES.md has no rows")
	}
	covered := map[string]bool{}
	licences := map[string]bool{}
	for _, r := range rows {
		if len(r.localPaths) == 0 {
			t.Errorf("SOURCES.md:%d: got no path in %q, want at least one", r.line, r.local)
		}
		for _, p := range r.localPaths {
			m, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil || len(m) == 0 {
				t.Errorf("SOURCES.md:%d: %s matches %d files, want at least 1 (%v)", r.line, p, len(m), err)
			}
			for _, f := range m {
				rel, _ := filepath.Rel(dir, f)
				covered[filepath.ToSlash(rel)] = true
			}
		}
		if !repoName.MatchString(r.repo) {
			t.Errorf("SOURCES.md:%d: repository got %q, want owner/name", r.line, r.repo)
		}
		if !commitID.MatchString(r.commit) {
			t.Errorf("SOURCES.md:%d: commit got %q, want a 40-digit commit id in backquotes", r.line, r.commit)
		}
		if r.licence == "" {
			t.Errorf("SOURCES.md:%d: licence got empty, want its name", r.line)
		}
		if len(r.licenceFiles) == 0 {
			t.Errorf("SOURCES.md:%d: licence files got none, want at least one", r.line)
		}
		for _, p := range r.licenceFiles {
			if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("SOURCES.md:%d: licence file %s: got %v, want a file", r.line, p, err)
			}
			licences[p] = true
		}
	}
	// A licence file: LICENSE, COPYING, COPYRIGHT or NOTICE as the name
	// or a part of it (pyspf-rfc7208-tests.LICENSE), or any file in a
	// LICENSES folder.
	licenceName := regexp.MustCompile(`^(?:licen[cs]e|copying|copyright|notice)|[.-](?:licen[cs]e|copyright|notice)(?:[.-]|$)`)
	corpus := 0
	for _, f := range repoFiles(t, dir) {
		if !strings.HasPrefix(f, "testdata/") {
			continue
		}
		if lower := strings.ToLower(f); licenceName.MatchString(path.Base(lower)) || strings.Contains(lower, "/licenses/") {
			if !licences[f] {
				t.Errorf("licence file %s: got no row of testdata/SOURCES.md naming it, want one", f)
			}
		}
		if path.Dir(f) == "testdata/corpus" && strings.HasSuffix(f, ".eml") {
			corpus++
			if !covered[f] {
				t.Errorf("corpus message %s: got no row of testdata/SOURCES.md, want its source", f)
			}
		}
	}
	if corpus == 0 {
		t.Error("testdata/corpus: got no messages, want the real-message corpus")
	}
}
