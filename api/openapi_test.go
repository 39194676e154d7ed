package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// describedServer is a server with no services: enough for its route
// table and the description it serves.
func describedServer(t *testing.T) *Server {
	t.Helper()
	base, _ := url.Parse("https://rendezvous.example.org")
	return New(Deps{Logger: slog.New(slog.DiscardHandler), BaseURL: base})
}

// servedDescription fetches GET /api/v1/openapi.json and loads it as
// kin-openapi does, checking it against the OpenAPI 3.1 rules it knows
// (including every example against its schema).
func servedDescription(t *testing.T, s *Server) (*openapi3.T, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	data := rec.Body.Bytes()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load the served description: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served description is not valid OpenAPI: %v", err)
	}
	return doc, data
}

func TestOpenAPIServedAsWritten(t *testing.T) {
	doc, _ := servedDescription(t, describedServer(t))
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://rendezvous.example.org" {
		t.Errorf("servers do not name the base URL: %+v", doc.Servers)
	}
	// The YAML to JSON conversion loses nothing: the source, read by
	// kin-openapi's own YAML reader, is the same document.
	source, err := openapi3.NewLoader().LoadFromData(openAPISource)
	if err != nil {
		t.Fatal(err)
	}
	source.Servers = doc.Servers
	want, _ := json.Marshal(source)
	got, _ := json.Marshal(doc)
	if string(want) != string(got) {
		t.Errorf("the served JSON differs from openapi.yaml")
	}
}

// TestOpenAPIDescribesEveryRoute keeps the description and the route table
// (api/routes.go) in step, both ways. Pages and their assets
// (pageRoutes) are not API and stay out of the description.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s := describedServer(t)
	doc, _ := servedDescription(t, s)
	e := s.echo
	pages := pageRouteKeys(s)
	apiRoutes := map[string]bool{}
	for _, r := range e.Routes() {
		if key := r.Method + " " + r.Path; !pages[key] {
			apiRoutes[key] = true
		}
	}
	if len(apiRoutes) < 10 {
		t.Fatalf("only %d API routes found: %v", len(apiRoutes), apiRoutes)
	}

	var problems []string
	described := map[string]bool{}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		ops := doc.Paths.Value(path).Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			key := method + " " + routeOf(e, method, concretePath(path))
			switch {
			case pages[key]:
				problems = append(problems, fmt.Sprintf("api/openapi.yaml describes %s %s, which is a web page (pageRoutes): pages stay out of the API description", method, path))
			case !apiRoutes[key]:
				problems = append(problems, fmt.Sprintf("api/openapi.yaml describes %s %s, which the route table (api/routes.go) does not serve: remove it from the description, or add the route", method, path))
			default:
				described[key] = true
			}
		}
	}
	missing := make([]string, 0)
	for key := range apiRoutes {
		if !described[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	for _, key := range missing {
		method, path, _ := strings.Cut(key, " ")
		problems = append(problems, fmt.Sprintf("route %s of the route table is missing from api/openapi.yaml: describe it under paths: '%s': %s: (parameters, request body, every response with its problem codes, examples)",
			key, openAPIPath(path), strings.ToLower(method)))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// pageRouteKeys lists the routes pageRoutes adds, by building them again
// on a router of their own.
func pageRouteKeys(s *Server) map[string]bool {
	pagesOnly := *s
	pagesOnly.echo = echo.New()
	pagesOnly.pageRoutes()
	keys := map[string]bool{}
	for _, r := range pagesOnly.echo.Routes() {
		keys[r.Method+" "+r.Path] = true
	}
	return keys
}

// routeOf asks echo's router which route serves method and path.
func routeOf(e *echo.Echo, method, path string) string {
	req := httptest.NewRequest(method, path, nil)
	c := e.NewContext(req, httptest.NewRecorder())
	e.Router().Find(method, path, c)
	return c.Path()
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

// concretePath fills a path template with a sample value per parameter.
func concretePath(template string) string {
	return templateParam.ReplaceAllString(template, "p1")
}

// openAPIPath writes an echo route path as an OpenAPI path template.
func openAPIPath(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		} else if p == "*" {
			parts[i] = "{path}"
		}
	}
	return strings.Join(parts, "/")
}

// TestOpenAPIProblemCodes checks that every error code of the one error
// map (problem.go) is in the description with its status, with an example.
func TestOpenAPIProblemCodes(t *testing.T) {
	doc, _ := servedDescription(t, describedServer(t))
	problem := doc.Components.Schemas["Problem"]
	if problem == nil || problem.Value.Properties["code"] == nil {
		t.Fatal("components.schemas.Problem has no code property")
	}
	enum := problem.Value.Properties["code"].Value.Enum
	examples := problemExamples(doc)
	for code, status := range statusOf {
		if !slices.Contains(enum, any(string(code))) {
			t.Errorf("problem code %q (status %d, api/problem.go) is missing from Problem.code's enum in api/openapi.yaml", code, status)
		}
		if !slices.Contains(examples[string(code)], status) {
			t.Errorf("problem code %q has no example with status %d in api/openapi.yaml (examples: %v)", code, status, examples[string(code)])
		}
	}
	for _, v := range enum {
		found := false
		for code := range statusOf {
			found = found || string(code) == v
		}
		if !found {
			t.Errorf("api/openapi.yaml lists the problem code %q, which api/problem.go does not know", v)
		}
	}
}

// problemExamples collects the statuses of the problem examples by code.
func problemExamples(doc *openapi3.T) map[string][]int {
	out := map[string][]int{}
	add := func(r *openapi3.ResponseRef) {
		if r == nil || r.Value == nil {
			return
		}
		mt := r.Value.Content.Get("application/problem+json")
		if mt == nil {
			return
		}
		values := []any{mt.Example}
		for _, ex := range mt.Examples {
			values = append(values, ex.Value.Value)
		}
		for _, v := range values {
			p, ok := v.(map[string]any)
			if !ok {
				continue
			}
			code, _ := p["code"].(string)
			status, _ := p["status"].(float64)
			out[code] = append(out[code], int(status))
		}
	}
	for _, r := range doc.Components.Responses {
		add(r)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				add(r)
			}
		}
	}
	return out
}

// TestOpenAPIExamples checks that every JSON body the description shows
// (requests and answers) comes with an example; Validate (servedDescription)
// has checked each against its schema.
func TestOpenAPIExamples(t *testing.T) {
	doc, _ := servedDescription(t, describedServer(t))
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			if rb := op.RequestBody; rb != nil {
				for ct, mt := range rb.Value.Content {
					if !hasExample(mt) {
						t.Errorf("%s %s: the %s request body has no example", method, path, ct)
					}
				}
			}
			for status, r := range op.Responses.Map() {
				for ct, mt := range r.Value.Content {
					if strings.Contains(ct, "json") && !hasExample(mt) {
						t.Errorf("%s %s: the %s %s answer has no example", method, path, status, ct)
					}
				}
			}
		}
	}
}

func hasExample(mt *openapi3.MediaType) bool {
	if mt.Example != nil || len(mt.Examples) > 0 {
		return true
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	s := mt.Schema.Value
	if s.Example != nil || len(s.Examples) > 0 {
		return true
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil && (sub.Value.Example != nil || len(sub.Value.Examples) > 0) {
			return true
		}
	}
	return false
}

// TestOpenAPILint runs a standard OpenAPI validator over the description:
// Redocly's (npm @redocly/cli, installed by .ci/run) with the rules of
// redocly.yaml. Any error or warning fails. It lints openapi.yaml, which
// TestOpenAPIServedAsWritten shows to be what is served.
func TestOpenAPILint(t *testing.T) {
	redocly, err := exec.LookPath("redocly")
	if err != nil {
		msg := "redocly is not installed (npm install -g @redocly/cli@2.77.0, as .ci/run does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(redocly, "lint", "--config", "redocly.yaml", "--format", "json", "openapi.yaml")
	// Offline and quiet: no usage report, no update check.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var report struct {
		Totals   struct{ Errors, Warnings int }
		Problems []struct {
			RuleID, Severity, Message string
			Location                  []struct{ Pointer string }
		}
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("redocly lint: %v (%v)\n%s\n%s", runErr, err, out, stderr.String())
	}
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("redocly %s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if runErr != nil || report.Totals.Errors+report.Totals.Warnings > 0 {
		t.Fatalf("redocly lint: %v, %d errors, %d warnings", runErr, report.Totals.Errors, report.Totals.Warnings)
	}
}
