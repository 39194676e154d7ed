package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// problemOf sends a raw request and returns the status and problem code.
func problemOf(t *testing.T, method, target string, body io.Reader, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	var p struct{ Code string }
	json.NewDecoder(res.Body).Decode(&p)
	return res.StatusCode, p.Code
}

// TestSpoofedForwardedForIsLimited: a client that sends a new
// X-Forwarded-For per request is still one client (the socket's address)
// unless the operator named the proxy; behind a named proxy, the forwarded
// address is the client's, in limits and in logs.
func TestSpoofedForwardedForIsLimited(t *testing.T) {
	db := storetest.SQLite(t)
	s := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "5/m", "RENDEZVOUS_LOG_LEVEL": "info"})
	defer s.stop()
	limited := 0
	for i := 0; i < 20; i++ {
		st, code := problemOf(t, "GET", s.base+"/api/v1/book/no-such-link", nil, map[string]string{
			"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i), "X-Real-IP": fmt.Sprintf("198.51.100.%d", i)})
		if st == 429 {
			if code != "rate_limited" {
				t.Fatalf("429 with code %q", code)
			}
			limited++
		}
	}
	if limited != 15 {
		t.Errorf("%d of 20 spoofed requests limited, want 15 (5 per minute from one socket address)", limited)
	}
	if strings.Contains(s.logs.String(), "203.0.113.") || strings.Contains(s.logs.String(), "198.51.100.") {
		t.Errorf("logs record a spoofed address")
	}

	proxied := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_RATE_LIMIT": "5/m",
		"RENDEZVOUS_LOG_LEVEL": "info", "RENDEZVOUS_TRUSTED_PROXIES": "127.0.0.1/32"})
	defer proxied.stop()
	for i := 0; i < 20; i++ {
		st, _ := problemOf(t, "GET", proxied.base+"/api/v1/book/no-such-link", nil, map[string]string{
			"X-Forwarded-For": fmt.Sprintf("192.0.2.77, 203.0.113.%d", i)})
		if st == 429 {
			t.Fatalf("request %d from its own client address behind a trusted proxy was limited", i)
		}
	}
	if !strings.Contains(proxied.logs.String(), `"remote_ip":"203.0.113.19"`) {
		t.Errorf("behind a trusted proxy the log should name the forwarded client:\n%.1000s", proxied.logs.String())
	}
}

// TestInputLimits: the body limit is 1 MiB exactly, invalid UTF-8 is
// refused rather than stored as U+FFFD, a wrong method says so, and
// /static/ lists nothing.
func TestInputLimits(t *testing.T) {
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_ADMIN_TOKEN": testAdminToken, "RENDEZVOUS_RATE_LIMIT": "0"})
	defer s.stop()
	auth := map[string]string{"Authorization": "Bearer " + testAdminToken}
	padded := func(size int) io.Reader {
		prefix, suffix := `{"name":"`, `"}`
		return strings.NewReader(prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix)
	}
	if st, code := problemOf(t, "POST", s.base+"/api/v1/mentors", padded(1<<20), auth); st != 422 || code != "invalid_input" {
		t.Errorf("a body of exactly 1 MiB: %d %s, want 422 (read, then refused for its content)", st, code)
	}
	if st, code := problemOf(t, "POST", s.base+"/api/v1/mentors", padded(1<<20+1), auth); st != 413 || code != "too_large" {
		t.Errorf("a body of 1 MiB + 1: %d %s, want 413 too_large", st, code)
	}
	invalid := "{\"name\":\"Gr\xe2ce\",\"email\":\"g@example.org\",\"timezone\":\"Europe/Paris\",\"max_mentees\":2}"
	if st, code := problemOf(t, "POST", s.base+"/api/v1/mentors", strings.NewReader(invalid), auth); st != 422 || code != "invalid_input" {
		t.Errorf("invalid UTF-8: %d %s, want 422 invalid_input", st, code)
	}
	var list struct{ Mentors []any }
	admin := client{t: t, base: s.base, token: testAdminToken}
	if admin.do("GET", "/api/v1/mentors", nil, &list); len(list.Mentors) != 0 {
		t.Errorf("a refused body was stored: %+v", list)
	}
	if st, code := problemOf(t, "DELETE", s.base+"/api/v1/mentors", nil, auth); st != 405 || code != "method_not_allowed" {
		t.Errorf("DELETE on a GET/POST route: %d %s, want 405 method_not_allowed", st, code)
	}
	for _, p := range []string{"/static/", "/static", "/static/.", "/static/../"} {
		res, body := get(t, s.base+p, nil)
		if res.StatusCode == 200 || strings.Contains(body, ".css") {
			t.Errorf("%s answers %d and lists files:\n%.300s", p, res.StatusCode, body)
		}
	}
}

// TestClientAbortIsNotAnError: a client that gives up on a slow request
// is counted as 499, never as a 500, and logs no error.
func TestClientAbortIsNotAnError(t *testing.T) {
	slow := hangingServer(t)
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_ADMIN_TOKEN": testAdminToken,
		"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true", "RENDEZVOUS_LOG_LEVEL": "info"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: testAdminToken}
	m := createMentor(t, admin, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	body := `{"provider":"caldav","url":"` + slow.URL + `/dav/","username":"u","password":"p"}`
	req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/api/v1/mentors/"+m.ID+"/connections", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the request should have been abandoned by the client, got %v", err)
	}
	route := `route="/api/v1/mentors/:id/connections"`
	waitFor(t, 10*time.Second, func() bool {
		return strings.Contains(metricsText(t, s.base), route+`,status="499"`)
	}, func() string { return "a 499 in the metrics:\n" + metricsText(t, s.base) })
	if strings.Contains(metricsText(t, s.base), route+`,status="500"`) {
		t.Errorf("the abort was counted as a 500")
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client abort was logged as an error:\n%s", s.logs.String())
	}
}

// hangingServer accepts requests and never answers them.
func hangingServer(t *testing.T) *httptest.Server {
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then a closed connection cancels r.Context()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); slow.Close() })
	return slow
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	_, body := get(t, base+"/metrics", nil)
	return body
}

// TestSlowCalendarAnsweredInTime: a calendar server slower than every
// timeout gets the mentor a clear answer before the HTTP server's write
// timeout would cut the connection, and nothing is stored.
func TestSlowCalendarAnsweredInTime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the connect timeout")
	}
	t.Parallel()
	slow := hangingServer(t)
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_ADMIN_TOKEN": testAdminToken,
		"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: testAdminToken}
	m := createMentor(t, admin, nil)
	began := time.Now()
	st, code := problemOf(t, "POST", s.base+"/api/v1/mentors/"+m.ID+"/connections",
		strings.NewReader(`{"provider":"caldav","url":"`+slow.URL+`/dav/","username":"u","password":"p"}`),
		map[string]string{"Authorization": "Bearer " + testAdminToken})
	if st != 502 || code != "calendar_unreachable" {
		t.Errorf("a calendar server that never answers: %d %s after %s, want 502 calendar_unreachable", st, code, time.Since(began))
	}
	var list struct{ Connections []any }
	if admin.do("GET", "/api/v1/mentors/"+m.ID+"/connections", nil, &list); len(list.Connections) != 0 {
		t.Errorf("a failed connect stored a connection: %+v", list)
	}
}

// TestDatabaseDownIs503: with PostgreSQL unreachable, routes answer 503
// service_unavailable (retry later), not 500, and answer again once it is
// back.
func TestDatabaseDownIs503(t *testing.T) {
	db := storetest.Postgres(t)
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startTCPProxy(t, u.Host)
	u.Host = proxy.addr()
	s := startServe(t, storetest.Database{Name: db.Name, URL: u.String()},
		map[string]string{"RENDEZVOUS_ADMIN_TOKEN": testAdminToken, "RENDEZVOUS_RATE_LIMIT": "0"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: testAdminToken}
	if st := admin.do("GET", "/api/v1/mentors", nil, nil); st != 200 {
		t.Fatalf("list mentors with the database up: %d", st)
	}
	proxy.setDown(true)
	st, code := problemOf(t, "GET", s.base+"/api/v1/mentors", nil, map[string]string{"Authorization": "Bearer " + testAdminToken})
	if st != 503 || code != "service_unavailable" {
		t.Errorf("database down: %d %s, want 503 service_unavailable\n%s", st, code, s.logs.String())
	}
	if res, _ := get(t, s.base+"/readyz", nil); res.StatusCode != 503 {
		t.Errorf("readyz with the database down: %d", res.StatusCode)
	}
	proxy.setDown(false)
	waitFor(t, 20*time.Second, func() bool { return admin.do("GET", "/api/v1/mentors", nil, nil) == 200 },
		func() string { return "the API to answer again once the database is back" })
}

// tcpProxy forwards to a database and can be switched off: connections
// are cut and new ones refused, as when the database goes down.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	// stalled: connections are accepted and then left unanswered.
	stalled bool
	conns   []net.Conn
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	if p.stalled {
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		return // held open, never answered, until the proxy changes mode
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *tcpProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	p.cutLocked()
}

// setStalled makes the target hang: connections open, nothing answered.
func (p *tcpProxy) setStalled(stalled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = stalled
	p.cutLocked()
}

func (p *tcpProxy) cutLocked() {
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestNoTokenInLogs walks every route that carries a token — booking
// links, manage, calendar file, feed, mistyped links — at debug level and
// looks for each token in everything the process logged.
func TestNoTokenInLogs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s := startServe(t, db, map[string]string{"RENDEZVOUS_ADMIN_TOKEN": testAdminToken,
			"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_LOG_LEVEL": "debug"})
		defer s.stop()
		admin := client{t: t, base: s.base, token: testAdminToken}
		m := createMentor(t, admin, nil)
		mentee, st := newMentee(t, admin, "zoe", m.ID)
		if st != 201 {
			t.Fatalf("create mentee: %d", st)
		}
		anon := client{t: t, base: s.base}
		link, public := linkOf(*mentee.BookingURL), linkOf(*m.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]any{"start": firstSlot(t, anon, link, "Europe/Paris")}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		manage := linkOf(b.ManageURL)
		icsToken := b.ICSURL[strings.Index(b.ICSURL, "token=")+len("token="):]
		feed := strings.TrimSuffix(linkOf(m.FeedURL), ".ics")
		ics, err := url.Parse(b.ICSURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"/book/" + link, "/book/" + public, "/book/" + link + "/nope", "/manage/" + manage,
			"/api/v1/manage/" + manage, "/api/v1/manage/" + manage + "/nope", "/feeds/" + feed + ".ics", "/feeds/" + feed,
			"/api/v1/book/" + public, "/api/v1/book/" + link + "x", ics.RequestURI()} {
			get(t, s.base+u, nil)
		}
		mentorClient := client{t: t, base: s.base, token: m.Token}
		mentorClient.do("GET", "/api/v1/mentors/"+m.ID, nil, nil)
		anon.do("POST", "/api/v1/manage/"+manage+"/cancel", map[string]any{"reason": "ill"}, nil)

		logs := s.logs.String()
		if !strings.Contains(logs, `"msg":"request"`) {
			t.Fatalf("no request was logged at debug level:\n%.500s", logs)
		}
		for name, token := range map[string]string{"admin": testAdminToken, "mentor": m.Token, "mentee link": link,
			"public link": public, "manage": manage, "ics": icsToken, "feed": feed} {
			if token != "" && strings.Contains(logs, token) {
				t.Errorf("the %s token appears in the logs", name)
			}
		}
	})
}
