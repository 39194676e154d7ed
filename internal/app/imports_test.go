package app

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/rendezvous/rendezvous/"

// moduleImports reads the imports of every non-test Go file of the module
// and returns, per package (path inside the module), the module packages
// it imports.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	edges := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		if edges[pkg] == nil {
			edges[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			if dep, ok := strings.CutPrefix(strings.Trim(imp.Path.Value, `"`), module); ok {
				edges[pkg][dep] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for pkg, deps := range edges {
		out[pkg] = []string{}
		for d := range deps {
			out[pkg] = append(out[pkg], d)
		}
		sort.Strings(out[pkg])
	}
	return out
}

// forbidden are the import edges that must not come back (see
// docs/architecture.md): from a package matching the first pattern to one
// matching the second (path.Match patterns; "x/..." is x and all below).
// internal/app, which assembles the program, is the one internal package
// that may import api.
var forbidden = []struct{ from, to, why string }{
	{"providers/...", "internal/...", "providers talk to one outside system and know nothing of the service"},
	{"providers/...", "api", "providers know nothing of the HTTP layer"},
	{"calendar/...", "internal/...", "the calendar domain does no I/O"},
	{"calendar/...", "providers/...", "the calendar domain does no I/O"},
	{"internal/...", "api", "services know nothing of HTTP"},
	{"internal/...", "cmd/...", "services know nothing of the program"},
	{"internal/mentoring", "internal/booking", "booking uses mentoring, not the reverse"},
	{"internal/mentoring", "internal/calsync", "mentoring knows nothing of calendars"},
	{"internal/booking", "internal/calsync", "booking reaches calsync through an interface it declares"},
	{"internal/calsync", "internal/booking", "calsync does not call back into booking"},
	{"internal/calsync", "internal/mentoring", "calsync knows nothing of mentorships"},
	{"internal/calsync", "internal/outbox", "calsync reaches the outbox through an interface it declares"},
	{"internal/outbox", "internal/booking", "the outbox is below booking"},
	{"internal/outbox", "internal/calsync", "the outbox is below calsync"},
	{"internal/outbox", "internal/mentoring", "the outbox is below mentoring"},
	{"internal/signin", "internal/booking", "sign-in establishes who calls, nothing more"},
	{"internal/signin", "internal/mentoring", "sign-in establishes who calls, nothing more"},
	{"internal/staff", "internal/booking", "staff management is beside the programme's services"},
	{"internal/staff", "internal/mentoring", "staff management is beside the programme's services"},
	{"internal/mentoring", "internal/engage", "mentoring reaches the welcome mails through an interface it declares"},
	{"internal/engage", "internal/mentoring", "the welcome and nudge mails are below mentoring"},
	{"internal/engage", "internal/booking", "the welcome and nudge mails are below booking"},
	{"internal/store", "internal/...", "storage is the bottom layer"},
	{"internal/access", "internal/store", "the rules do no I/O"},
	{"internal/netguard", "...", "the SSRF guard moved to providers/netguard"},
}

func matches(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	ok, _ := path.Match(pattern, pkg)
	return ok
}

// TestImportGraph fails when a forbidden import edge comes back; with -v
// it prints the module's own edges, as recorded in docs/architecture.md.
func TestImportGraph(t *testing.T) {
	graph := moduleImports(t)
	if len(graph["internal/booking"]) == 0 || len(graph["api"]) == 0 {
		t.Fatalf("the import graph was not read: %v", graph)
	}
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		if strings.HasPrefix(p, "cmd/") || strings.HasSuffix(p, "test") || strings.HasSuffix(p, "fake") || strings.HasSuffix(p, "/gen") {
			continue
		}
		t.Logf("%s → %s", p, strings.Join(graph[p], " "))
		for _, dep := range graph[p] {
			for _, f := range forbidden {
				if matches(f.from, p) && matches(f.to, dep) && !(p == "internal/app" && dep == "api") {
					t.Errorf("%s imports %s: %s", p, dep, f.why)
				}
			}
		}
	}
	if _, ok := graph["internal/netguard"]; ok {
		t.Error("internal/netguard is back: the SSRF guard lives in providers/netguard")
	}
}
