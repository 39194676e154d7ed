package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// client calls the API of a started server.
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends a JSON request and decodes a JSON answer into out (if non-nil).
func (c client) do(method, path string, body any, out any, headers ...string) int {
	c.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode != http.StatusNoContent {
		// A problem document's numeric status may clash with a resource's
		// string status: the other fields still decode.
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(data, out); err != nil && !errors.As(err, &typeErr) {
			c.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, data, err)
		}
	}
	return res.StatusCode
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor is eventually with a description computed on failure.
func waitFor(t *testing.T, within time.Duration, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openDB opens the test database directly, to inspect jobs and rows.
func openDB(t *testing.T, db storetest.Database) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// jobCount counts River jobs of a kind in the given states.
func jobCount(t *testing.T, s *store.Store, kind string, states ...string) int {
	t.Helper()
	return jobCountWhere(t, s, kind, "", states...)
}

// jobCountWhere is jobCount with an extra SQL condition.
func jobCountWhere(t *testing.T, s *store.Store, kind, cond string, states ...string) int {
	t.Helper()
	q := "SELECT count(*) FROM river_job WHERE kind = '" + kind + "'"
	if cond != "" {
		q += " AND " + cond
	}
	if len(states) > 0 {
		q += " AND state IN ('" + strings.Join(states, "','") + "')"
	}
	var n int
	if err := s.SQLDB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

type mentorCreated struct {
	ID         string  `json:"id"`
	Token      string  `json:"token"`
	BookingURL *string `json:"booking_url"`
	FeedURL    string  `json:"feed_url"`
}

// allWeekHours is open 08:00-20:00 every day.
func allWeekHours() []map[string]string {
	var out []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		out = append(out, map[string]string{"weekday": d, "start": "08:00", "end": "20:00"})
	}
	return out
}

func createMentor(t *testing.T, admin client, extra map[string]any) mentorCreated {
	t.Helper()
	body := map[string]any{"name": "Grace Hopper", "email": "grace@example.org", "timezone": "Europe/Paris",
		"max_mentees": 100, "min_notice_minutes": 0, "public_booking": true, "weekly_hours": allWeekHours()}
	// Tests that read the welcome mail ask for it ("notify": true); the
	// others count mails without it.
	body["notify"] = false
	for k, v := range extra {
		body[k] = v
	}
	// One address is one mentor: a mentor named without an address gets
	// one of their own.
	if name, ok := extra["name"].(string); ok && extra["email"] == nil {
		body["email"] = addressOf(name)
	}
	var m mentorCreated
	if st := admin.do("POST", "/api/v1/mentors", body, &m); st != 201 {
		t.Fatalf("create mentor: %d", st)
	}
	return m
}

// addressOf is a mentor's own address made from their name: the name with
// dots when it is plain ASCII, else one derived from it (a name such as
// "Zoë Müller" or "李雷" would not make a valid address).
func addressOf(name string) string {
	local := strings.ToLower(strings.Join(strings.Fields(name), "."))
	if !plainLocalPart.MatchString(local) {
		sum := sha256.Sum256([]byte(name))
		local = fmt.Sprintf("mentor-%x", sum[:6])
	}
	return local + "@example.org"
}

var plainLocalPart = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9]+)*$`)

// linkOf is the token part of a booking URL.
func linkOf(url string) string { return url[strings.LastIndex(url, "/")+1:] }

// waitMailRaw waits for n mails and returns them unparsed.
func waitMailRaw(t *testing.T, smtp *smtptest.Server, n int) []smtptest.Message {
	t.Helper()
	eventually(t, 20*time.Second, "mails", func() bool { return len(smtp.Messages()) >= n })
	return smtp.Messages()[:n]
}

// decodedText joins the decoded text parts of a mail.
func decodedText(t *testing.T, data []byte) string {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	var sb strings.Builder
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p.Body)
		sb.Write(b)
		sb.WriteString("\n")
	}
	return sb.String()
}
