package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// started is a `serve` process run in-process on port 0.
type started struct {
	base, adminToken, demoURL string
	// printed is what the process printed before it listened.
	printed []string
	stop    func() error
	// logs holds everything the process logged (RENDEZVOUS_LOG_LEVEL
	// decides how much).
	logs *lockedBuffer
}

// lockedBuffer is a bytes.Buffer written by the server's logger while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startServe(t *testing.T, db storetest.Database, extraEnv map[string]string, args ...string) started {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"RENDEZVOUS_DATABASE_URL": db.URL,
		"RENDEZVOUS_DATA_DIR":     filepath.Join(dir, "data"),
		"RENDEZVOUS_ADDR":         "127.0.0.1:0",
		"RENDEZVOUS_LOG_LEVEL":    "warn",
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &lockedBuffer{}
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), lookup, pw, logs)
		pw.Close()
	}()
	s := started{logs: logs}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		s.printed = append(s.printed, line)
		if v, ok := strings.CutPrefix(line, "admin token: "); ok {
			s.adminToken = v
		}
		if v, ok := strings.CutPrefix(line, "demo booking URL: "); ok {
			s.demoURL = v
		}
		if v, ok := strings.CutPrefix(line, "listening on "); ok {
			s.base = v
			break
		}
	}
	if s.base == "" {
		cancel()
		t.Fatalf("serve did not start: %v", <-done)
	}
	// Every API answer of this server is checked against the description.
	describedAPI.watch(t, s.base)
	go io.Copy(io.Discard, pr)
	s.stop = func() error { cancel(); return <-done }
	return s
}

func TestServeEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s := startServe(t, db, nil, "--demo")
		if s.adminToken == "" || !strings.Contains(s.demoURL, "/book/") {
			t.Fatalf("demo did not print the admin token and booking URL: %+v", s)
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			res, err := http.Get(s.base + path)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("%s: %v %v", path, err, res)
			}
			res.Body.Close()
		}
		req, _ := http.NewRequest("GET", s.base+"/api/v1/mentors", nil)
		req.Header.Set("Authorization", "Bearer "+s.adminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("list mentors: %v %v", err, res)
		}
		var body struct{ Mentors []struct{ Name string } }
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if len(body.Mentors) != 1 {
			t.Fatalf("want the demo mentor, got %+v", body)
		}
		res, err = http.Get(s.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(metrics), `rendezvous_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
			t.Errorf("metrics do not count requests by route and status:\n%.2000s", metrics)
		}
		if err := s.stop(); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	})
}

func TestProblemJSON(t *testing.T) {
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_ADMIN_TOKEN": "an-admin-token-of-enough-length"})
	defer s.stop()
	cases := []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/api/v1/mentors", "", "", 401, "unauthorized"},
		{"GET", "/api/v1/mentors", "wrong-token", "", 401, "unauthorized"},
		{"GET", "/nope", "", "", 404, "not_found"},
		{"POST", "/api/v1/mentors", "an-admin-token-of-enough-length", `{"name":`, 422, "invalid_input"},
		{"POST", "/api/v1/mentors", "an-admin-token-of-enough-length", `{"name":"A","email":"a@example.org","timezone":"Mars/Base","max_mentees":2}`, 422, "invalid_input"},
		{"POST", "/api/v1/mentors", "an-admin-token-of-enough-length", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, s.base+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Status int
			Code   string
		}
		json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != c.status || p.Code != c.code || p.Status != c.status || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: got %d %+v (%s), want %d %s", c.method, c.path, res.StatusCode, p, res.Header.Get("Content-Type"), c.status, c.code)
		}
	}
}

func TestBadConfigStopsWithOneLine(t *testing.T) {
	for _, env := range []map[string]string{
		{"RENDEZVOUS_VIDEO": "zoom"},
		{"RENDEZVOUS_DATABASE_URL": "mysql://x"},
		{"RENDEZVOUS_SECRET_KEY": "tooshort"},
	} {
		err := run(context.Background(), []string{"serve"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, io.Discard)
		for name := range env {
			if err == nil || !strings.HasPrefix(err.Error(), name+":") || strings.Contains(err.Error(), "\n") {
				t.Errorf("%v: %v", env, err)
			}
		}
	}
}

func TestMigrateAndVersion(t *testing.T) {
	db := storetest.SQLite(t)
	var out strings.Builder
	env := map[string]string{"RENDEZVOUS_DATABASE_URL": db.URL}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if err := run(context.Background(), []string{"migrate"}, lookup, &out, io.Discard); err != nil || !strings.Contains(out.String(), "migrations applied") {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"version"}, lookup, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "rendezvous ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}
