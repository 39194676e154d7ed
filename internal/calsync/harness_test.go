package calsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	rendezvous "github.com/rendezvous/rendezvous/internal/app"
	"github.com/rendezvous/rendezvous/internal/calsync"
	"github.com/rendezvous/rendezvous/internal/config"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

const adminToken = "calsync-test-admin-token-0123456789"

// app is the HTTP API with real services, jobs and database.
type app struct {
	t     *testing.T
	db    storetest.Database
	store *store.Store
	cals  *calsync.Service
	base  string
	admin client
	// named counts the mentors created by name: one database serves a
	// test's runs against every server, and an address is one mentor.
	named map[string]int
}

type appOptions struct {
	allowPrivate bool
	syncInterval time.Duration // default: an hour, so only tests that want background syncs see them
	// calendarTimeout bounds one request to a calendar server (10 s).
	calendarTimeout time.Duration
	// logs receives the app's log lines (text, warnings and up).
	logs io.Writer
	// smtpURL is RENDEZVOUS_SMTP_URL (mails go to files when empty).
	smtpURL string
}

func startApp(t *testing.T, db storetest.Database, o appOptions) *app {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, db)
	box, err := secret.NewBox(testKey)
	if err != nil {
		t.Fatal(err)
	}
	adminHash, _, err := signin.AdminToken(ctx, st, adminToken, false)
	if err != nil {
		t.Fatal(err)
	}
	if o.syncInterval == 0 {
		o.syncInterval = time.Hour
	}
	if o.calendarTimeout == 0 {
		o.calendarTimeout = 10 * time.Second
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.logs != nil {
		logger = slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if os.Getenv("CALSYNC_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg := testConfig(t, map[string]string{
		"RENDEZVOUS_BASE_URL":            "http://" + srv.Listener.Addr().String(),
		"RENDEZVOUS_DATA_DIR":            t.TempDir(),
		"RENDEZVOUS_VIDEO":               "none",
		"RENDEZVOUS_REMINDERS":           "",
		"RENDEZVOUS_RATE_LIMIT":          "0",
		"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": strconv.FormatBool(o.allowPrivate),
		"RENDEZVOUS_SMTP_URL":            o.smtpURL,
	})
	// Below the configuration's one-minute floor, for the tests that
	// watch background syncs.
	cfg.SyncInterval = o.syncInterval
	program, err := rendezvous.New(cfg, st, box, adminHash, logger,
		rendezvous.Tuning{JobPollInterval: 100 * time.Millisecond, CalendarTimeout: o.calendarTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if err := program.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = program.HTTP.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		program.Jobs.Stop(stopCtx)
	})
	a := &app{t: t, db: db, store: st, cals: program.Calendars, base: srv.URL}
	a.admin = client{t: t, base: srv.URL, token: adminToken}
	return a
}

// testConfig is the configuration the program reads from env.
func testConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, err := config.Load(fs, nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// client calls the API with a bearer token.
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends body as JSON and decodes the answer into out (when non-nil).
func (c client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, data, err)
		}
	}
	return res.StatusCode
}

type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

type mentor struct {
	ID         string  `json:"id"`
	Token      string  `json:"token"`
	BookingURL *string `json:"booking_url"`
	as         client
}

// mentorEmail is name@example.org for the first mentor of that name,
// then rN.name@example.org (which still contains the first).
func (a *app) mentorEmail(name string) string {
	if a.named == nil {
		a.named = map[string]int{}
	}
	n := a.named[name]
	a.named[name]++
	if n == 0 {
		return strings.ToLower(name) + "@example.org"
	}
	return fmt.Sprintf("r%d.%s@example.org", n, strings.ToLower(name))
}

func (a *app) createMentor(name string) mentor {
	a.t.Helper()
	var hours []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		hours = append(hours, map[string]string{"weekday": d, "start": "00:00", "end": "23:30"})
	}
	var m mentor
	st := a.admin.do("POST", "/api/v1/mentors", map[string]any{
		"name": name, "email": a.mentorEmail(name), "timezone": "Europe/Paris", "max_mentees": 10,
		"min_notice_minutes": 0, "public_booking": true, "weekly_hours": hours, "notify": false,
	}, &m)
	if st != 201 {
		a.t.Fatalf("create mentor: %d", st)
	}
	m.as = client{t: a.t, base: a.base, token: m.Token}
	return m
}

type calendarJSON struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	CheckConflicts bool    `json:"check_conflicts"`
	WriteTarget    bool    `json:"write_target"`
	Status         string  `json:"status"`
	Error          *string `json:"error"`
}

type connectionJSON struct {
	ID          string         `json:"id"`
	Provider    string         `json:"provider"`
	URL         string         `json:"url"`
	Username    string         `json:"username"`
	Password    *string        `json:"password"`
	Status      string         `json:"status"`
	Error       *string        `json:"error"`
	LastSync    *string        `json:"last_sync"`
	LastSuccess *string        `json:"last_success"`
	Calendars   []calendarJSON `json:"calendars"`
}

func (m mentor) connect(url, username, password string, out any) int {
	return m.as.do("POST", "/api/v1/mentors/"+m.ID+"/connections",
		map[string]string{"provider": "caldav", "url": url, "username": username, "password": password}, out)
}

func (m mentor) connections() []connectionJSON {
	var body struct{ Connections []connectionJSON }
	if st := m.as.do("GET", "/api/v1/mentors/"+m.ID+"/connections", nil, &body); st != 200 {
		m.as.t.Fatalf("list connections: %d", st)
	}
	return body.Connections
}

type busyJSON struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Source string    `json:"source"`
}

func (m mentor) busy(from, to time.Time) []busyJSON {
	var body struct{ Busy []busyJSON }
	q := "?from=" + url.QueryEscape(from.Format(time.RFC3339)) + "&to=" + url.QueryEscape(to.Format(time.RFC3339))
	if st := m.as.do("GET", "/api/v1/mentors/"+m.ID+"/busy"+q, nil, &body); st != 200 {
		m.as.t.Fatalf("busy: %d", st)
	}
	return body.Busy
}

type syncJSON struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	BusyIntervals int     `json:"busy_intervals"`
	Error         *string `json:"error"`
}

func (m mentor) sync() []syncJSON {
	var body struct{ Calendars []syncJSON }
	if st := m.as.do("POST", "/api/v1/mentors/"+m.ID+"/sync", nil, &body); st != 200 {
		m.as.t.Fatalf("sync: %d", st)
	}
	return body.Calendars
}

// eventually polls cond until it holds, failing after a generous deadline
// (a liveness bound, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// testKey is the secret key of every test app.
var testKey = bytes.Repeat([]byte{7}, 32)

// sealedWrongPassword is CalDAV credentials with a wrong password, sealed
// as the app stores them.
func sealedWrongPassword(t *testing.T, _ *app) string {
	box, err := secret.NewBox(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return box.SealString(`{"password":"not-the-password"}`)
}
