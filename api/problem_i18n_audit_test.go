package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEveryProblemMessageHasFrench reads every apperr constructor with a
// literal message in the service's code (api, internal, calendar,
// providers) and checks that a French reader gets it in French: through
// its key (.With) or one of frenchPatterns. A new English message without
// a translation fails here rather than reaching a French page in English.
func TestEveryProblemMessageHasFrench(t *testing.T) {
	// Where the format string is among each constructor's arguments.
	formatArg := map[string]int{"Errorf": 1, "Field": 1, "Wrap": 2, "Later": 2}
	var checked int
	for _, dir := range []string{".", "../internal", "../calendar", "../providers"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			keyed := map[*ast.CallExpr]string{} // constructor calls chained with .With(key)
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "With" && len(call.Args) > 0 {
					if inner, ok := sel.X.(*ast.CallExpr); ok {
						if lit, ok := call.Args[0].(*ast.BasicLit); ok {
							keyed[inner], _ = strconv.Unquote(lit.Value)
						}
					}
				}
				return true
			})
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				i, known := formatArg[sel.Sel.Name]
				if !ok || pkg.Name != "apperr" || !known || len(call.Args) <= i {
					return true
				}
				if key, ok := keyed[call]; ok {
					if _, ok := problemDetails["fr"][key]; ok {
						checked++
						return true
					}
				}
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: a message that is not a literal cannot be checked for French", fset.Position(call.Pos()))
					return true
				}
				format, _ := strconv.Unquote(lit.Value)
				if format == "%s" || format == "%v" {
					// A message made elsewhere (a calendar's reason, an
					// hours problem), translated by its own patterns.
					return true
				}
				msg := sampleMessage(format)
				checked++
				if fr := translateMessage("fr", msg); fr == msg {
					t.Errorf("%s: no French for %q", fset.Position(call.Pos()), format)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d messages found: the audit did not read the code", checked)
	}
}

var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// sampleMessage fills a format string's verbs with values like the ones
// the code passes.
func sampleMessage(format string) string {
	return formatVerb.ReplaceAllStringFunc(format, func(v string) string {
		switch v[len(v)-1] {
		case 'q':
			return `"x"`
		case 'd':
			return "3"
		case '%':
			return "%"
		default:
			return "x"
		}
	})
}

// TestEveryPageKeyHasFrench: every key a template, page or script asks of
// the translator exists in English and in French, so no page shows a raw
// key such as "pick.zone" or an English string in a French page.
func TestEveryPageKeyHasFrench(t *testing.T) {
	keyUse := regexp.MustCompile(`\.T "([a-z_]+\.[a-z_.0-9]+)"`)
	goUse := regexp.MustCompile(`\.T\("([a-z_]+\.[a-z_.0-9]+)"\)|"((?:pick|book|manage|mentor|plain|msession|settings|done|flash|title|error|report|calmove|outcome|weekday|unit)\.[a-z_.0-9]+)"`)
	var used []string
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, name := range append(files, gofiles...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		re := keyUse
		if strings.HasSuffix(name, ".go") {
			re = goUse
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			for _, k := range m[1:] {
				if k != "" && !strings.HasSuffix(k, ".") {
					used = append(used, name+" "+k)
				}
			}
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found: the audit did not read the pages", len(used))
	}
	for _, u := range used {
		file, key, _ := strings.Cut(u, " ")
		for _, lang := range []string{"en", "fr"} {
			found := false
			for _, table := range pageTables {
				if _, ok := table[lang][key]; ok {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: key %q has no %s string", file, key, lang)
			}
		}
	}
}
