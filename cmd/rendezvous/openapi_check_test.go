package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rendezvous/rendezvous/api"
)

// Every answer a test receives from a server started by startServe is
// checked against the API description (api/openapi.yaml) with
// kin-openapi's openapi3filter: status, content type, headers and body.
// And a request the server accepted (2xx) must be one the description
// allows. TestMain puts the check into http.DefaultTransport, so that
// client.do, http.Get and any http.Client without a transport of its own
// are checked without a test asking for it. Answers of web pages and of
// other servers (CalDAV peers, the Google fake) pass through unchecked.

// describedAPI is the description the answers are checked against; set
// once by TestMain before any test runs.
var describedAPI *responseCheck

func TestMain(m *testing.M) {
	check, err := newResponseCheck()
	if err != nil {
		fmt.Fprintln(os.Stderr, "api description:", err)
		os.Exit(2)
	}
	describedAPI = check
	http.DefaultTransport = &checkingTransport{next: http.DefaultTransport, check: check}
	os.Exit(m.Run())
}

// responseCheck validates answers of the servers it watches.
type responseCheck struct {
	router routers.Router
	// undescribed are the answers echo gives on a path or method the
	// description does not have.
	undescribed map[int]*openapi3.SchemaRef

	mu      sync.Mutex
	servers map[string]*testing.T // host:port → the test that started it
}

func newResponseCheck() (*responseCheck, error) {
	data, err := api.OpenAPI(nil)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	// Match paths on any host: the servers tests start listen on ports of
	// their own.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	// Text bodies the description types as strings.
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	undescribed := map[int]*openapi3.SchemaRef{
		http.StatusNotFound:         doc.Components.Schemas["NotFoundProblem"],
		http.StatusMethodNotAllowed: doc.Components.Schemas["MethodNotAllowedProblem"],
	}
	for status, schema := range undescribed {
		if schema == nil {
			return nil, fmt.Errorf("the description has no problem schema for %d", status)
		}
	}
	return &responseCheck{router: router, undescribed: undescribed, servers: map[string]*testing.T{}}, nil
}

// watch checks the answers of the server at base for the rest of t.
func (rc *responseCheck) watch(t *testing.T, base string) {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("server address %q: %v", base, err)
	}
	rc.mu.Lock()
	rc.servers[u.Host] = t
	rc.mu.Unlock()
	t.Cleanup(func() {
		rc.mu.Lock()
		delete(rc.servers, u.Host)
		rc.mu.Unlock()
	})
}

func (rc *responseCheck) testOf(host string) *testing.T {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.servers[host]
}

// checkingTransport reads each watched answer whole, checks it, and hands
// the caller an unread copy.
type checkingTransport struct {
	next  http.RoundTripper
	check *responseCheck
}

func (ct *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t := ct.check.testOf(req.URL.Host)
	if t == nil {
		return ct.next.RoundTrip(req)
	}
	var sent []byte
	if req.Body != nil && req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			sent, _ = io.ReadAll(b)
			b.Close()
		}
	}
	res, err := ct.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return res, nil // the caller meets the short body itself
	}
	if msg := ct.check.check(req, sent, res, body); msg != "" {
		t.Errorf("API answer not as api/openapi.yaml describes it (%s): %s %s → %d %s:\n%s\nbody: %.600s",
			testCaller(), req.Method, req.URL.RequestURI(), res.StatusCode, res.Header.Get("Content-Type"), msg, body)
	}
	return res, nil
}

// check returns what is wrong with the answer, or "".
func (rc *responseCheck) check(req *http.Request, sent []byte, res *http.Response, body []byte) string {
	ctx := context.Background()
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(sent))
	route, params, err := rc.router.FindRoute(r)
	if err != nil {
		if !strings.HasPrefix(req.URL.Path, "/api/") {
			return "" // a web page or its assets
		}
		if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
			return rc.checkUndescribed(res, body)
		}
		return err.Error()
	}

	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: briefErrors(&openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}),
	}
	var problems []string
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			problems = append(problems, "the server accepted a request the description refuses: "+err.Error())
		}
	}

	// openapi3filter passes HEAD, 304 and some redirects without a look,
	// and takes an answer described without content to allow any body.
	described := route.Operation.Responses.Status(res.StatusCode)
	if described == nil {
		problems = append(problems, fmt.Sprintf("status %d is not among the operation's responses", res.StatusCode))
	} else if len(described.Value.Content) == 0 && len(body) > 0 && req.Method != http.MethodHead {
		problems = append(problems, fmt.Sprintf("status %d is described without a body, but the answer has one", res.StatusCode))
	}

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: briefErrors(&openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}),
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, err.Error())
	}
	return strings.Join(problems, "\n")
}

// briefErrors makes schema errors one line each, naming the place in the
// body, rather than printing the whole schema and value.
func briefErrors(o *openapi3filter.Options) *openapi3filter.Options {
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "at /" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	return o
}

// checkUndescribed accepts, on a path or method the description does not
// have, only what echo answers there: a 404 or 405 problem.
func (rc *responseCheck) checkUndescribed(res *http.Response, body []byte) string {
	schema := rc.undescribed[res.StatusCode]
	if schema == nil {
		return fmt.Sprintf("the description has no such operation, yet the server answered %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		return "a 404/405 must be application/problem+json, not " + ct
	}
	value, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(body), res.Header, schema, nil)
	if err != nil {
		return err.Error()
	}
	if err := schema.Value.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Sprintf("the %d problem does not match its schema: %v", res.StatusCode, err)
	}
	return ""
}

// testCaller names the test line that made the request.
func testCaller() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		file := filepath.Base(f.File)
		if strings.HasSuffix(file, "_test.go") && file != "openapi_check_test.go" && file != "helpers_test.go" {
			return fmt.Sprintf("%s:%d", file, f.Line)
		}
		if !more {
			return "unknown caller"
		}
	}
}
