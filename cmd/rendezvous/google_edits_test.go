package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

type editedBooking struct {
	Start               time.Time `json:"start"`
	Status              string    `json:"status"`
	Sequence            int       `json:"sequence"`
	ChangedBy           *string   `json:"changed_by"`
	CalendarMoveRefused *struct {
		Start  time.Time `json:"start"`
		Reason string    `json:"reason"`
	} `json:"calendar_move_refused"`
}

// TestGoogleCalendarEditsFollowThrough: the session's event moved in
// Google Calendar reschedules it (mails to both), moved onto busy time is
// refused, reported and put back, deleted cancels it (mails to both); a
// failed listing changes nothing.
func TestGoogleCalendarEditsFollowThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		g := startWithGoogle(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL()})
		if st, body := callback(t, g.consent(t), true); st != 201 {
			t.Fatalf("callback: %d %s", st, body)
		}
		anon := client{t: t, base: g.s.base}
		link := linkOf(*g.mentor.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slotsOfFullDay(t, anon, link, "UTC")[0],
			"name": "Ada", "email": "ada@example.org", "timezone": "UTC"}, &b); st != 201 {
			t.Fatalf("book: %d %+v", st, b)
		}
		start, _ := time.Parse(time.RFC3339, b.Start)
		get := func() editedBooking {
			var out editedBooking
			if st := g.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &out); st != 200 {
				t.Fatalf("get booking: %d", st)
			}
			return out
		}
		written := func() string {
			var ref string
			eventually(t, 20*time.Second, "the event written at the session's version", func() bool {
				sb, err := g.db.Booking(context.Background(), b.ID)
				ref = sb.WritebackRef
				return err == nil && ref != "" && sb.WritebackSequence == sb.Sequence
			})
			return ref
		}
		evID := written()
		waitMailRaw(t, smtp, 2)
		mailsTo := func(addr string) []string {
			var out []string
			for _, m := range smtp.Messages() {
				if text := decodedText(t, m.Data); strings.EqualFold(m.To[0], addr) && strings.Contains(text, "BEGIN:VCALENDAR") {
					out = append(out, text)
				}
			}
			return out
		}
		moveTo := func(at time.Time) {
			ev, ok := g.fake.Event(g.fake.User, evID)
			if !ok {
				t.Fatal("the session's event is missing")
			}
			ev.Start = &calendarapi.EventDateTime{DateTime: at.Format(time.RFC3339)}
			ev.End = &calendarapi.EventDateTime{DateTime: at.Add(30 * time.Minute).Format(time.RFC3339)}
			g.fake.PutEvent(g.fake.User, ev)
		}

		// A failed listing changes nothing.
		moveTo(start.Add(2 * time.Hour))
		g.fake.InjectErrors(10, 500, "global", "backendError", "Backend Error")
		g.sync(t)
		if got := get(); !got.Start.Equal(start) || got.ChangedBy != nil {
			t.Fatalf("after a failed listing: %+v", got)
		}

		// Moved: rescheduled, mails to both.
		to := start.Add(2 * time.Hour)
		eventually(t, 20*time.Second, "the session rescheduled", func() bool { g.sync(t); return get().Start.Equal(to) })
		if got := get(); got.ChangedBy == nil || *got.ChangedBy != "calendar" || got.Sequence != 1 {
			t.Fatalf("after the move: %+v", got)
		}
		waitMailRaw(t, smtp, 4)
		for _, addr := range []string{"ada@example.org", "grace@example.org"} {
			texts := mailsTo(addr)
			if len(texts) != 2 || !strings.Contains(texts[1], "DTSTART:"+to.UTC().Format("20060102T150405Z")) {
				t.Fatalf("mails to %s: %d\n%s", addr, len(texts), texts[len(texts)-1])
			}
		}
		evID = written()

		// Onto busy time: refused, reported, put back.
		busyAt := start.Add(5 * time.Hour)
		g.fake.PutEvent(g.fake.User, googlefake.TimedEvent("", "Dentist", busyAt, busyAt.Add(time.Hour)))
		g.sync(t)
		moveTo(busyAt)
		g.sync(t)
		// The busy event is unchanged in this sync: it keeps blocking.
		if !g.busyFrom(t, "google")[busyAt.Format(time.RFC3339)] {
			t.Fatal("an unchanged Google event lost its busy time in an incremental sync")
		}
		eventually(t, 20*time.Second, "the refused move reported", func() bool { return get().CalendarMoveRefused != nil })
		if got := get(); !got.Start.Equal(to) || got.CalendarMoveRefused.Reason != "busy" || !got.CalendarMoveRefused.Start.Equal(busyAt) {
			t.Fatalf("after the refused move: %+v", got)
		}
		eventually(t, 20*time.Second, "the event put back", func() bool {
			ev, _ := g.fake.Event(g.fake.User, evID)
			at, _ := time.Parse(time.RFC3339, ev.Start.DateTime)
			return at.Equal(to)
		})
		g.sync(t)
		// The mentor is told once, the mentee not.
		refusalTo := func(want string) string {
			var last string
			for _, m := range smtp.Messages() {
				if text := decodedText(t, m.Data); strings.EqualFold(m.To[0], "grace@example.org") && strings.Contains(text, want) {
					last = text
				}
			}
			return last
		}
		waitMailRaw(t, smtp, 5)
		if text := refusalTo("your calendar is busy then"); !strings.Contains(text, "stays at its time") || strings.Contains(text, "BEGIN:VCALENDAR") {
			t.Fatalf("the mentor's mail of the refused move:\n%s", text)
		}
		if got := get(); !got.Start.Equal(to) || got.Status != "confirmed" || len(smtp.Messages()) != 5 {
			t.Fatalf("after syncing the put-back event: %+v, %d mails", got, len(smtp.Messages()))
		}
		if got := get(); got.ChangedBy == nil || *got.ChangedBy != "calendar" {
			t.Fatalf("changed_by after the refused move: %+v", got)
		}

		// The mentor's pages say so, in both languages.
		jar, _ := cookiejar.New(nil)
		browserless := &http.Client{Jar: jar}
		postForm(t, browserless, g.s.base+"/mentor/signin", url.Values{"email": {"grace@example.org"}}, http.StatusOK)
		re := regexp.MustCompile(`https?://\S+/mentor/signin/[A-Za-z0-9_-]+`)
		var signin string
		eventually(t, 20*time.Second, "the sign-in mail", func() bool {
			for _, m := range smtp.Messages() {
				if l := re.FindString(decodedText(t, m.Data)); l != "" {
					signin = g.s.base + l[strings.Index(l, "/mentor/signin/"):]
				}
			}
			return signin != ""
		})
		postForm(t, browserless, signin, nil, http.StatusOK)
		page := func(path, lang string) string {
			req, _ := http.NewRequest("GET", g.s.base+path, nil)
			req.Header.Set("Accept-Language", lang)
			res, err := browserless.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			return string(body)
		}
		if body := page("/mentor", "en"); !strings.Contains(body, "#calendar-refused") || !strings.Contains(body, "move refused") {
			t.Errorf("the mentor area does not flag the refused move:\n%s", body)
		}
		for lang, want := range map[string]string{"en": "your calendar is busy then", "fr": "votre agenda est occupé à ce moment"} {
			if body := page("/mentor/sessions/"+b.ID, lang); !strings.Contains(body, `id="calendar-refused"`) || !strings.Contains(body, want) ||
				!strings.Contains(body, busyAt.Format(time.RFC3339)) {
				t.Errorf("the session page (%s) does not say why the move was refused:\n%s", lang, body)
			}
		}

		// Only its length changed: kept, the mentor told, put back.
		evID = written()
		g.sync(t)
		ev, _ := g.fake.Event(g.fake.User, evID)
		ev.End = &calendarapi.EventDateTime{DateTime: to.Add(90 * time.Minute).Format(time.RFC3339)}
		g.fake.PutEvent(g.fake.User, ev)
		g.sync(t)
		eventually(t, 20*time.Second, "the length change reported", func() bool {
			r := get().CalendarMoveRefused
			return r != nil && r.Reason == "length"
		})
		waitMailRaw(t, smtp, 7) // with the sign-in link
		if text := refusalTo("changed the length"); !strings.Contains(text, "stays at its time") {
			t.Fatalf("the mentor's mail of the length change:\n%s", text)
		}
		eventually(t, 20*time.Second, "the event put back at the session's length", func() bool {
			ev, _ := g.fake.Event(g.fake.User, evID)
			end, _ := time.Parse(time.RFC3339, ev.End.DateTime)
			return end.Equal(to.Add(30 * time.Minute))
		})

		// Deleted: cancelled, mails to both.
		evID = written()
		g.fake.DeleteEvent(g.fake.User, evID)
		g.sync(t)
		eventually(t, 20*time.Second, "the session cancelled", func() bool { return get().Status == "cancelled" })
		if got := get(); got.ChangedBy == nil || *got.ChangedBy != "calendar" {
			t.Fatalf("after the deletion: %+v", got)
		}
		waitMailRaw(t, smtp, 9)
		for _, addr := range []string{"ada@example.org", "grace@example.org"} {
			if texts := mailsTo(addr); len(texts) != 3 || !strings.Contains(texts[2], "METHOD:CANCEL") {
				t.Fatalf("mails to %s: %d\n%s", addr, len(texts), texts[len(texts)-1])
			}
		}
	})
}
