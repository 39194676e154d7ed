package calsync_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// allPeers runs f against every CalDAV server: Radicale and Xandikos
// started for the test, and the shared servers of .ci/run.
func allPeers(t *testing.T, f func(t *testing.T, srv *caldavtest.Server)) {
	peers(t, f)
	for _, name := range caldavtest.Peers {
		t.Run(name, func(t *testing.T) { f(t, caldavtest.StartPeer(t, name)) })
	}
}

type bookingJSON struct {
	ID                  string    `json:"id"`
	Start               time.Time `json:"start"`
	Status              string    `json:"status"`
	Sequence            int       `json:"sequence"`
	ChangedBy           *string   `json:"changed_by"`
	CalendarMoveRefused *struct {
		Start  time.Time `json:"start"`
		Reason string    `json:"reason"`
	} `json:"calendar_move_refused"`
}

func (m mentor) booking(id string) bookingJSON {
	var b bookingJSON
	if st := m.as.do("GET", "/api/v1/bookings/"+id, nil, &b); st != 200 {
		m.as.t.Fatalf("get booking: %d", st)
	}
	return b
}

// written waits until the session's event holds its current version.
func (a *app) written(id string) *store.Booking {
	a.t.Helper()
	var b *store.Booking
	eventually(a.t, "the session written into the calendar", func() bool {
		var err error
		b, err = a.store.Booking(context.Background(), id)
		return err == nil && b.WritebackRef != "" && b.WritebackSequence == b.Sequence
	})
	return b
}

var dtLine = regexp.MustCompile(`(?m)^(DTSTART|DTEND)[;:][^\r\n]*`)

// moveObject rewrites an iCalendar object to [start, end) in UTC, as a
// calendar app moving the event would.
func moveObject(ics string, start, end time.Time) string {
	return dtLine.ReplaceAllStringFunc(ics, func(line string) string {
		if strings.HasPrefix(line, "DTSTART") {
			return "DTSTART:" + start.UTC().Format("20060102T150405Z")
		}
		return "DTEND:" + end.UTC().Format("20060102T150405Z")
	})
}

// mailTexts decodes every part of the mails sent to addr.
func mailTexts(t *testing.T, smtp *smtptest.Server, addr string) []string {
	t.Helper()
	var out []string
	for _, msg := range smtp.Messages() {
		if len(msg.To) == 0 || !strings.EqualFold(msg.To[0], addr) {
			continue
		}
		r, err := mail.CreateReader(bytes.NewReader(msg.Data))
		if err != nil {
			t.Fatalf("parse mail: %v", err)
		}
		var sb strings.Builder
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p.Body)
			sb.Write(data)
		}
		out = append(out, sb.String())
	}
	return out
}

func waitMails(t *testing.T, smtp *smtptest.Server, addr string, n int) []string {
	t.Helper()
	eventually(t, "mails to "+addr, func() bool { return len(mailTexts(t, smtp, addr)) >= n })
	return mailTexts(t, smtp, addr)
}

// TestCalendarEditsFollowThrough: the mentor moves the session's event
// in their own calendar → the session is rescheduled with mails to both;
// onto busy time → refused, reported, and the event put back; deletes it
// → the session is cancelled with mails to both. On every CalDAV server.
func TestCalendarEditsFollowThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		allPeers(t, func(t *testing.T, srv *caldavtest.Server) {
			smtp := smtptest.StartServer(t, smtptest.Options{})
			a := startApp(t, db, appOptions{allowPrivate: true, smtpURL: smtp.URL()})
			// One database serves every server's run: each has its own people.
			who := strings.ReplaceAll(srv.Name, "-", "")
			m := a.createMentor("Ada" + who)
			mentorMail, menteeMail := "ada"+who+"@example.org", "mentee."+who+"@example.org"
			if st := m.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			before := len(mailTexts(t, smtp, menteeMail))
			id, start, end := a.bookFor(m, menteeMail)
			b := a.written(id)
			waitMails(t, smtp, menteeMail, before+1)
			waitMails(t, smtp, mentorMail, 1)
			objURL := srv.URL + strings.TrimPrefix(b.WritebackRef, "/")
			if !strings.HasPrefix(b.WritebackRef, "/") {
				objURL = b.WritebackRef
			}

			// Moved two hours later in the mentor's calendar app.
			to := start.Add(2 * time.Hour)
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), to, to.Add(end.Sub(start))))
			m.sync()
			eventually(t, "the session rescheduled", func() bool { return m.booking(id).Start.Equal(to) })
			got := m.booking(id)
			if got.ChangedBy == nil || *got.ChangedBy != "calendar" || got.Status != "confirmed" || got.Sequence != 1 {
				t.Fatalf("after the move: %+v", got)
			}
			stamp := "DTSTART:" + to.Format("20060102T150405Z")
			for _, addr := range []string{menteeMail, mentorMail} {
				texts := waitMails(t, smtp, addr, 2) // the confirmation, then this
				if last := texts[len(texts)-1]; !strings.Contains(last, "METHOD:REQUEST") || !strings.Contains(last, stamp) || !strings.Contains(last, "SEQUENCE:1") {
					t.Fatalf("reschedule mail to %s:\n%s", addr, last)
				}
			}
			b = a.written(id)
			if body := srv.Get(t, objURL); !strings.Contains(body, stamp) {
				t.Fatalf("the event after the move:\n%s", body)
			}

			// Moved onto busy time: refused, reported, put back.
			time.Sleep(300 * time.Millisecond) // no further mail is on its way
			mails := len(smtp.Messages())
			busyAt := start.Add(5 * time.Hour)
			srv.Put(t, "busy-"+id+".ics", caldavtest.Event("busy-"+id, "Dentist", busyAt, busyAt.Add(time.Hour)))
			m.sync()
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), busyAt, busyAt.Add(end.Sub(start))))
			m.sync()
			eventually(t, "the refused move reported", func() bool { return m.booking(id).CalendarMoveRefused != nil })
			got = m.booking(id)
			if !got.Start.Equal(to) || got.Sequence != 1 || got.CalendarMoveRefused.Reason != "busy" || !got.CalendarMoveRefused.Start.Equal(busyAt) {
				t.Fatalf("after the refused move: %+v", got)
			}
			eventually(t, "the event put back at the session's time", func() bool { return strings.Contains(srv.Get(t, objURL), stamp) })
			m.sync() // our own write is no edit
			if got := m.booking(id); !got.Start.Equal(to) || got.Status != "confirmed" {
				t.Fatalf("after syncing the put-back event: %+v", got)
			}
			// The mentor is told once (not at every sync), the mentee not.
			texts := waitMails(t, smtp, mentorMail, 3)
			if refusal := texts[2]; len(texts) != 3 || !strings.Contains(refusal, "your calendar is busy then") ||
				!strings.Contains(refusal, "stays at its time") || strings.Contains(refusal, "METHOD:") {
				t.Fatalf("mails to the mentor after the refused move: %d, the last:\n%s", len(texts), texts[len(texts)-1])
			}
			m.sync()
			time.Sleep(300 * time.Millisecond)
			if len(smtp.Messages()) != mails+1 {
				t.Fatalf("a refused move sent %d mails, want 1 (to the mentor)", len(smtp.Messages())-mails)
			}

			// Only its end changed (stretched by half an hour): the session
			// keeps its length, the mentor is told, the event put back.
			b = a.written(id)
			endStamp := "DTEND:" + to.Add(end.Sub(start)).Format("20060102T150405Z")
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), to, to.Add(end.Sub(start)+30*time.Minute)))
			m.sync()
			eventually(t, "the length change reported", func() bool {
				r := m.booking(id).CalendarMoveRefused
				return r != nil && r.Reason == "length"
			})
			if got := m.booking(id); !got.Start.Equal(to) || got.Sequence != 1 {
				t.Fatalf("after the length change: %+v", got)
			}
			texts = waitMails(t, smtp, mentorMail, 4)
			if !strings.Contains(texts[3], "changed the length") || !strings.Contains(texts[3], "stays at its time") {
				t.Fatalf("the mentor's mail of a length change:\n%s", texts[3])
			}
			eventually(t, "the event put back at the session's length", func() bool {
				body := srv.Get(t, objURL)
				return strings.Contains(body, stamp) && (strings.Contains(body, endStamp) || strings.Contains(body, "DURATION:"))
			})
			if n := len(mailTexts(t, smtp, menteeMail)); n != 2 {
				t.Fatalf("the mentee got %d mails, want 2 (confirmation, reschedule)", n)
			}

			// Deleted in the mentor's calendar: cancelled, with notice.
			b = a.written(id)
			objURL = srv.URL + strings.TrimPrefix(b.WritebackRef, "/")
			srv.DeleteAt(t, objURL)
			m.sync()
			eventually(t, "the session cancelled", func() bool { return m.booking(id).Status == "cancelled" })
			if got := m.booking(id); got.ChangedBy == nil || *got.ChangedBy != "calendar" {
				t.Fatalf("after the deletion: %+v", got)
			}
			for addr, n := range map[string]int{menteeMail: 3, mentorMail: 5} {
				texts := waitMails(t, smtp, addr, n)
				if len(texts) != n || !strings.Contains(texts[n-1], "METHOD:CANCEL") {
					t.Fatalf("mails to %s: %d, the last:\n%s", addr, len(texts), texts[len(texts)-1])
				}
			}
		})
	})
}

// hidingProxy stands between the app and a CalDAV server: it can fail
// every request, or drop one object from every listing and multiget
// while a GET of it still works.
type hidingProxy struct {
	srv    *httptest.Server
	fail   atomic.Bool
	hidden atomic.Value // string: an href path to drop from listings
	// gets counts the GETs of the hidden object.
	gets atomic.Int32
}

func startHidingProxy(t *testing.T, target string) *hidingProxy {
	u, _ := url.Parse(target)
	p := &hidingProxy{}
	p.hidden.Store("")
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(res *http.Response) error {
		hide := p.hidden.Load().(string)
		if hide == "" || res.StatusCode != http.StatusMultiStatus {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		// Radicale escapes the UID's "@" in hrefs.
		escaped := strings.ReplaceAll(hide, "@", "%40")
		drop := regexp.MustCompile(`(?s)<([A-Za-z0-9]+:)?response>(?:(?:[^<]|<[^/]|</[^A-Za-z])*?)(` +
			regexp.QuoteMeta(hide) + `|` + regexp.QuoteMeta(escaped) + `)<.*?</([A-Za-z0-9]+:)?response>`)
		body = drop.ReplaceAll(body, nil)
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Del("Content-Length")
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hide := p.hidden.Load().(string); hide != "" && r.Method == http.MethodGet && r.URL.Path == hide {
			p.gets.Add(1)
		}
		if p.fail.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		r.Header.Del("Accept-Encoding") // answers to rewrite come in clear
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// TestCalendarEditsNeedTheServersWord: a failed sync, and a listing that
// misses the session's event while the event is still there, cancel
// nothing.
func TestCalendarEditsNeedTheServersWord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		srv := caldavtest.StartRadicale(t)
		proxy := startHidingProxy(t, srv.URL)
		m := a.createMentor("Ada")
		calURL := proxy.srv.URL + "/" + strings.TrimPrefix(srv.CalendarURL, srv.URL)
		if st := m.connect(calURL, srv.Username, srv.Password, nil); st != 201 {
			t.Fatalf("connect: %d", st)
		}
		id, _, _ := a.book(m)
		b := a.written(id)

		proxy.fail.Store(true)
		if res := m.sync(); res[0].Status != "error" {
			t.Fatalf("sync through a failing server: %+v", res)
		}
		proxy.fail.Store(false)

		// Full resync whose listing misses the event: the event still
		// answers a GET, so the session stands.
		proxy.hidden.Store(b.WritebackRef)
		ctx := context.Background()
		if err := a.store.InTx(ctx, func(tx *store.Tx) error { return tx.RecordCalendarSync(ctx, b.WritebackCalendarID, "") }); err != nil {
			t.Fatal(err)
		}
		if res := m.sync(); res[0].Status != "ok" {
			t.Fatalf("sync with the event hidden: %+v", res)
		}
		if proxy.gets.Load() == 0 {
			t.Fatal("the event missing from the listing was not read to confirm a deletion")
		}
		proxy.hidden.Store("")
		m.sync()
		time.Sleep(300 * time.Millisecond) // jobs poll every 100 ms; an edit would have been applied
		if got := m.booking(id); got.Status != "confirmed" || got.ChangedBy != nil {
			t.Fatalf("after a partial listing: %+v", got)
		}
	})
}

// countingProxy counts the requests that reach a CalDAV server, by what
// they are. Challenges (401) are not counted: over plain http the client
// waits for the server to name its scheme before sending the password,
// once per sync, whatever the sync does.
type countingProxy struct {
	srv *httptest.Server
	mu  sync.Mutex
	log []string
}

func startCountingProxy(t *testing.T, target string) *countingProxy {
	u, _ := url.Parse(target)
	p := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		what := r.Method
		if r.Method == "REPORT" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			for _, kind := range []string{"sync-collection", "calendar-multiget", "calendar-query"} {
				if bytes.Contains(body, []byte(kind)) {
					what += " " + kind
				}
			}
		}
		rec := &statusRecorder{ResponseWriter: w}
		rp.ServeHTTP(rec, r)
		if rec.code != http.StatusUnauthorized {
			p.mu.Lock()
			p.log = append(p.log, what)
			p.mu.Unlock()
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// during returns what reached the server while f ran.
func (p *countingProxy) during(f func()) []string {
	p.mu.Lock()
	from := len(p.log)
	p.mu.Unlock()
	f()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log[from:]...)
}

// TestCalendarEditsCost: following the sessions' events costs no request
// on an unchanged calendar; a moved event is the usual change (report and
// multiget); a deleted one adds one GET to confirm it (and a UID query
// for a copy elsewhere).
func TestCalendarEditsCost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			a := startApp(t, db, appOptions{allowPrivate: true})
			proxy := startCountingProxy(t, srv.URL)
			m := a.createMentor("Ada" + srv.Name)
			calURL := proxy.srv.URL + "/" + strings.TrimPrefix(srv.CalendarURL, srv.URL)
			if st := m.connect(calURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			id, start, end := a.bookFor(m, "mentee."+srv.Name+"@example.org")
			b := a.written(id)
			m.sync() // our own write comes back once
			if got := proxy.during(func() { m.sync() }); len(got) != 1 {
				t.Fatalf("unchanged re-sync with a session's event: %v, want 1 request", got)
			}
			objURL := srv.URL + strings.TrimPrefix(b.WritebackRef, "/")
			to := start.Add(2 * time.Hour)
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), to, to.Add(end.Sub(start))))
			moved := proxy.during(func() { m.sync() })
			t.Logf("%s: sync of a moved session: %d requests %v", srv.Name, len(moved), moved)
			if len(moved) != 2 {
				t.Fatalf("sync of a moved session: %v, want 2 requests", moved)
			}
			eventually(t, "the session rescheduled", func() bool { return m.booking(id).Start.Equal(to) })
			a.written(id)
			m.sync()
			srv.DeleteAt(t, objURL)
			deleted := proxy.during(func() { m.sync() })
			t.Logf("%s: sync of a deleted session: %d requests %v", srv.Name, len(deleted), deleted)
			gets := 0
			for _, r := range deleted {
				if r == http.MethodGet {
					gets++
				}
			}
			if gets != 1 || len(deleted) > 3 {
				t.Fatalf("sync of a deleted session: %v, want the report, one GET and at most a UID query", deleted)
			}
			eventually(t, "the session cancelled", func() bool { return m.booking(id).Status == "cancelled" })
		})
	})
}
