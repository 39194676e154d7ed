package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// receiver is testdata/webhook_receiver.py: a webhook receiver on
// loopback that checks signatures with Python's hmac.
type receiver struct {
	t                    *testing.T
	port                 int
	delay                string
	secretsPath, logPath string
	mu                   sync.Mutex
	cmd                  *exec.Cmd
}

// receivedHook is one POST the receiver logged.
type receivedHook struct {
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Path       string `json:"path"`
	Signatures int    `json:"signatures"`
	ValidWith  []int  `json:"valid_with"`
	Fresh      bool   `json:"fresh"`
	Answered   int    `json:"answered"`
	Body       struct {
		Type      string         `json:"type"`
		Timestamp string         `json:"timestamp"`
		Data      map[string]any `json:"data"`
	} `json:"body"`
}

func startReceiver(t *testing.T, delay time.Duration) *receiver {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		storetest.Unavailable(t, "webhook tests need /usr/bin/python3")
	}
	dir := t.TempDir()
	r := &receiver{t: t, delay: strconv.FormatFloat(delay.Seconds(), 'f', 3, 64),
		secretsPath: filepath.Join(dir, "secrets"), logPath: filepath.Join(dir, "received.jsonl")}
	r.start()
	t.Cleanup(r.stop)
	return r
}

// start runs the receiver, on its former port after a stop.
func (r *receiver) start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := exec.Command("/usr/bin/python3", "testdata/webhook_receiver.py", "--port", strconv.Itoa(r.port),
		"--secrets", r.secretsPath, "--log", r.logPath, "--delay", r.delay)
	out, err := cmd.StdoutPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		r.t.Fatalf("webhook receiver did not start: %q %v", line, err)
	}
	r.port, _ = strconv.Atoi(port)
	r.cmd = cmd
}

// stop kills the receiver: connections to it are refused until start.
func (r *receiver) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *receiver) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", r.port, path) }

// trust sets the secrets the receiver verifies with, in this order.
func (r *receiver) trust(secrets ...string) {
	if err := os.WriteFile(r.secretsPath, []byte(strings.Join(secrets, "\n")+"\n"), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// received is every POST so far.
func (r *receiver) received() []receivedHook {
	r.t.Helper()
	data, err := os.ReadFile(r.logPath)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		r.t.Fatal(err)
	}
	var out []receivedHook
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var h receivedHook
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			continue // a line being written
		}
		out = append(out, h)
	}
	return out
}

// byID groups the accepted deliveries on path by webhook-id and checks
// that every copy of one id carries the same event.
func byID(t *testing.T, hooks []receivedHook, path string) map[string]receivedHook {
	t.Helper()
	out := map[string]receivedHook{}
	for _, h := range hooks {
		if h.Path != path || h.Answered != 204 {
			continue
		}
		if first, seen := out[h.ID]; seen && (first.Body.Type != h.Body.Type || first.Body.Timestamp != h.Body.Timestamp ||
			!reflect.DeepEqual(first.Body.Data, h.Body.Data)) {
			t.Errorf("webhook-id %s came with two different events: %+v and %+v", h.ID, first.Body, h.Body)
		}
		out[h.ID] = h
	}
	return out
}

type webhookAnswer struct {
	ID                      string   `json:"id"`
	URL                     string   `json:"url"`
	Events                  []string `json:"events"`
	Status                  string   `json:"status"`
	Secret                  string   `json:"secret"`
	DisabledReason          *string  `json:"disabled_reason"`
	PreviousSecretExpiresAt *string  `json:"previous_secret_expires_at"`
	Code                    string   `json:"code"`
}

type deliveriesAnswer struct {
	Deliveries []struct {
		ID             string  `json:"id"`
		WebhookID      string  `json:"webhook_id"`
		Event          string  `json:"event"`
		Status         string  `json:"status"`
		Attempts       int     `json:"attempts"`
		LastStatusCode *int    `json:"last_status_code"`
		LastError      *string `json:"last_error"`
	} `json:"deliveries"`
	NextCursor *string `json:"next_cursor"`
}

var allWebhookEvents = []string{"booking.created", "booking.rescheduled", "booking.cancelled", "booking.reported",
	"mentee.assigned", "mentee.reassigned", "mentee.ended"}

// TestWebhooksEndToEnd registers endpoints with a receiver in Python that
// verifies every signature itself, makes the changes that emit each
// event, rotates the secret (both signatures for the overlap), takes the
// receiver down while events happen and brings it back (everything
// arrives, duplicates only under the same webhook-id), and lets an
// endpoint that always fails be disabled, with one mail to the admins.
func TestWebhooksEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true",
			"RENDEZVOUS_WEBHOOK_RETRY_SPAN": "20s", "RENDEZVOUS_ADMIN_EMAIL": "ops@example.org", "RENDEZVOUS_SMTP_URL": smtp.URL()})
		rcv := startReceiver(t, 0)

		var hook, failing webhookAnswer
		if st := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.url("/hooks"), "events": allWebhookEvents}, &hook); st != 201 || !strings.HasPrefix(hook.Secret, "whsec_") || hook.Status != "enabled" {
			t.Fatalf("register: %d %+v", st, hook)
		}
		if st := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.url("/fail"), "events": []string{"booking.created"}}, &failing); st != 201 {
			t.Fatalf("register the failing endpoint: %d %+v", st, failing)
		}
		rcv.trust(hook.Secret, failing.Secret)
		var bad webhookAnswer
		if st := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.url("/x"), "events": []string{"booking.moved"}}, &bad); st != 422 || bad.Code != "invalid_input" {
			t.Fatalf("unknown event: %d %+v", st, bad)
		}
		var list struct{ Webhooks []webhookAnswer }
		if admin.do("GET", "/api/v1/webhooks", nil, &list); len(list.Webhooks) != 2 || list.Webhooks[0].Secret != "" {
			t.Fatalf("list: %+v", list)
		}

		// One change of each kind.
		m := createMentor(t, admin, nil)
		other := createMentor(t, admin, map[string]any{"name": "Ada Byron", "email": "ada.byron@example.org", "timezone": "Asia/Kolkata"})
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		// A morning session: after the reassignment it moves to the mentor
		// in Asia/Kolkata, whose hours end at 14:30 UTC.
		slots := slotsOfFullDay(t, anon, link, "UTC")
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]any{"start": slots[0], "name": "Zoe",
			"email": "zoe@example.org", "timezone": "America/St_Johns"}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		if st := admin.do("POST", "/api/v1/bookings/"+b.ID+"/reschedule", map[string]any{"start": slots[1]}, nil); st != 200 {
			t.Fatalf("reschedule: %d", st)
		}
		if st := admin.do("POST", "/api/v1/mentees/"+b.MenteeID+"/reassign", map[string]any{"mentor_id": other.ID}, nil); st != 200 {
			t.Fatalf("reassign: %d", st)
		}
		if st := admin.do("POST", "/api/v1/mentees/"+b.MenteeID+"/end", nil, nil); st != 200 {
			t.Fatalf("end: %d", st)
		}
		want := map[string]int{"mentee.assigned": 1, "booking.created": 1, "booking.rescheduled": 2, "mentee.reassigned": 1,
			"mentee.ended": 1, "booking.cancelled": 1}
		total := 7
		eventually(t, 30*time.Second, "every event of the changes", func() bool { return len(byID(t, rcv.received(), "/hooks")) >= total })
		got := map[string]int{}
		for _, h := range byID(t, rcv.received(), "/hooks") {
			got[h.Body.Type]++
			if len(h.ValidWith) != 1 || h.ValidWith[0] != 0 || !h.Fresh || h.Signatures != 1 {
				t.Errorf("%s %s: signature checked by Python %+v", h.Body.Type, h.ID, h)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		for _, h := range byID(t, rcv.received(), "/hooks") {
			if h.Body.Type != "booking.created" {
				continue
			}
			booking := h.Body.Data["booking"].(map[string]any)
			mentee := h.Body.Data["mentee"].(map[string]any)
			mentor := h.Body.Data["mentor"].(map[string]any)
			if booking["id"] != b.ID || booking["start"] != slots[0] || mentee["timezone"] != "America/St_Johns" ||
				mentor["timezone"] != "Europe/Paris" || mentee["local_start"] == "" || h.Body.Data["manage_url"] != nil ||
				strings.Contains(fmt.Sprint(h.Body.Data), linkOf(b.ManageURL)) {
				t.Errorf("booking.created data: %+v", h.Body.Data)
			}
			start, _ := time.Parse(time.RFC3339, slots[0])
			if local := mentee["local_start"].(string); local != start.In(mustZone(t, "America/St_Johns")).Format(time.RFC3339) {
				t.Errorf("mentee's local start %s for %s", local, slots[0])
			}
		}

		// Rotation: both secrets sign for the overlap.
		var rotated webhookAnswer
		if st := admin.do("POST", "/api/v1/webhooks/"+hook.ID+"/secret", nil, &rotated); st != 200 || rotated.Secret == hook.Secret || rotated.PreviousSecretExpiresAt == nil {
			t.Fatalf("rotate: %d %+v", st, rotated)
		}
		rcv.trust(hook.Secret, rotated.Secret, failing.Secret)
		bookPublic := func(i int) {
			t.Helper()
			if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]any{"start": slots[2+i], "name": fmt.Sprintf("Mentee %d", i),
				"email": fmt.Sprintf("mentee%d@example.org", i)}, nil); st != 201 {
				t.Fatalf("book %d: %d", i, st)
			}
		}
		bookPublic(0)
		total += 2
		eventually(t, 30*time.Second, "the events after the rotation", func() bool { return len(byID(t, rcv.received(), "/hooks")) >= total })
		for _, h := range rcv.received() {
			if h.Path == "/hooks" && h.Signatures == 2 && (len(h.ValidWith) != 2 || h.ValidWith[0] != 0 || h.ValidWith[1] != 1) {
				t.Errorf("after the rotation: %+v, want valid with the old and the new secret", h)
			}
		}

		// The receiver goes down while sessions are booked, and comes back.
		rcv.stop()
		const during = 5
		for i := 1; i <= during; i++ {
			bookPublic(i)
		}
		total += 2 * during
		eventually(t, 30*time.Second, "failed attempts while the receiver is down", func() bool {
			var ds deliveriesAnswer
			admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?status=pending", nil, &ds)
			retried := 0
			for _, d := range ds.Deliveries {
				if d.Attempts >= 2 && d.LastStatusCode == nil && d.LastError != nil {
					retried++
				}
			}
			return retried == 2*during
		})
		rcv.start()
		eventually(t, 60*time.Second, "every event after the outage", func() bool { return len(byID(t, rcv.received(), "/hooks")) >= total })
		var ds deliveriesAnswer
		if admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?limit=500", nil, &ds); len(ds.Deliveries) != total {
			t.Fatalf("%d deliveries listed, want %d", len(ds.Deliveries), total)
		}
		seen := byID(t, rcv.received(), "/hooks")
		for _, d := range ds.Deliveries {
			if _, ok := seen[d.WebhookID]; !ok {
				t.Errorf("delivery %s (%s) never arrived", d.WebhookID, d.Event)
			}
		}
		eventually(t, 15*time.Second, "every delivery marked delivered", func() bool {
			var ds deliveriesAnswer
			admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?status=delivered&limit=500", nil, &ds)
			return len(ds.Deliveries) == total
		})
		var page deliveriesAnswer
		if admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?limit=3", nil, &page); len(page.Deliveries) != 3 || page.NextCursor == nil {
			t.Fatalf("first page: %+v", page)
		}
		var next deliveriesAnswer
		admin.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?limit=3&cursor="+*page.NextCursor, nil, &next)
		if len(next.Deliveries) != 3 || next.Deliveries[0].ID >= page.Deliveries[2].ID {
			t.Fatalf("second page: %+v after %+v", next, page)
		}

		// The endpoint that always answers 500 is disabled after the retry
		// span, and the admins are mailed once.
		eventually(t, 90*time.Second, "the failing endpoint disabled", func() bool {
			var w webhookAnswer
			admin.do("GET", "/api/v1/webhooks/"+failing.ID, nil, &w)
			return w.Status == "disabled" && w.DisabledReason != nil
		})
		eventually(t, 30*time.Second, "the admins' mail", func() bool { return len(smtp.Messages()) > 0 })
		time.Sleep(2 * time.Second)
		alerts := 0
		for _, msg := range smtp.Messages() {
			if text := decodedText(t, msg.Data); strings.Contains(text, "disabled the webhook endpoint") {
				alerts++
				if len(msg.To) != 1 || msg.To[0] != "ops@example.org" || !strings.Contains(text, failing.ID) || !strings.Contains(text, "désactivé") {
					t.Errorf("alert mail to %v: %s", msg.To, msg.Data)
				}
			}
		}
		if alerts != 1 {
			t.Errorf("%d alert mails, want 1", alerts)
		}
		var fds deliveriesAnswer
		admin.do("GET", "/api/v1/webhooks/"+failing.ID+"/deliveries?status=failed", nil, &fds)
		if len(fds.Deliveries) == 0 || fds.Deliveries[len(fds.Deliveries)-1].LastStatusCode == nil || *fds.Deliveries[len(fds.Deliveries)-1].LastStatusCode != 500 {
			t.Errorf("failed deliveries: %+v", fds)
		}
		var enabled webhookAnswer
		if st := admin.do("PATCH", "/api/v1/webhooks/"+failing.ID, map[string]any{"enabled": true}, &enabled); st != 200 || enabled.Status != "enabled" || enabled.DisabledReason != nil {
			t.Errorf("enable again: %d %+v", st, enabled)
		}
		if st := admin.do("DELETE", "/api/v1/webhooks/"+failing.ID, nil, nil); st != 204 {
			t.Errorf("delete: %d", st)
		}
		if st := admin.do("GET", "/api/v1/webhooks/"+failing.ID+"/deliveries", nil, nil); st != 404 {
			t.Errorf("deliveries of a deleted endpoint: %d", st)
		}
	})
}

// TestKillDuringWebhookDelivery kills the service (SIGKILL) while it
// delivers twenty events to a slow receiver, and starts it again: every
// event arrives, none is lost, and an event the receiver got twice came
// under the same webhook-id (the receiver saw it, the service died
// before recording it).
func TestKillDuringWebhookDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		rcv := startReceiver(t, time.Second)
		env := crashEnv(t, db, map[string]string{"RENDEZVOUS_ALLOW_PRIVATE_HOSTS": "true", "RENDEZVOUS_JOB_TIMEOUT": "3s"})
		first := startProcess(t, env)
		admin := client{t: t, base: first.base, token: testAdminToken}
		var hook webhookAnswer
		if st := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.url("/hooks"), "events": allWebhookEvents}, &hook); st != 201 {
			t.Fatalf("register: %d", st)
		}
		rcv.trust(hook.Secret)
		m := createMentor(t, admin, nil)
		anon := client{t: t, base: first.base}
		link := linkOf(*m.BookingURL)
		slots := slotsOf(t, anon, link, "Europe/Paris")
		const bookings = 10
		for i := 0; i < bookings; i++ {
			body := map[string]any{"start": slots[i], "name": fmt.Sprintf("Mentee %d", i), "email": fmt.Sprintf("mentee%d@example.org", i)}
			if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", body, nil); st != 201 {
				t.Fatalf("booking %d: %d", i, st)
			}
		}
		eventually(t, 30*time.Second, "a first event delivered", func() bool { return len(rcv.received()) >= 1 })
		first.kill()
		time.Sleep(1500 * time.Millisecond) // the receiver finishes what was in flight
		before := len(byID(t, rcv.received(), "/hooks"))

		second := startProcess(t, env)
		defer second.kill()
		// Deliveries the first process left running are rescued after
		// 1.5 job timeouts and sent again.
		after := client{t: t, base: second.base, token: testAdminToken}
		eventually(t, 90*time.Second, "every delivery recorded as delivered", func() bool {
			var ds deliveriesAnswer
			after.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?status=delivered&limit=500", nil, &ds)
			return len(ds.Deliveries) == 2*bookings
		})
		time.Sleep(time.Second)
		got := map[string]int{}
		for _, h := range byID(t, rcv.received(), "/hooks") {
			got[h.Body.Type]++
			if len(h.ValidWith) != 1 {
				t.Errorf("%s: signature not verified by Python: %+v", h.ID, h)
			}
		}
		if got["booking.created"] != bookings || got["mentee.assigned"] != bookings {
			t.Errorf("events %v, want %d of each", got, bookings)
		}
		t.Logf("%d events had arrived when the service was killed; %d posts for %d events in all (the extra ones repeat a webhook-id)",
			before, len(rcv.received()), 2*bookings)
	})
}
