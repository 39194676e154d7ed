package booking_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical/icaltest"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/notify"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// seriesMails takes the mail jobs enqueued since the last call.
func (f *fixture) seriesMails() []jobs.MailArgs {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	var out []jobs.MailArgs
	for _, a := range f.jobs.args {
		if m, ok := a.(jobs.MailArgs); ok && m.Event != "reminder" {
			out = append(out, m)
		}
	}
	f.jobs.args = nil
	return out
}

// inviteOf renders a mail job's invitation as the mentee receives it.
func inviteOf(t *testing.T, m jobs.MailArgs) (method string, ics []byte) {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{3}, 32)) // the fixture's
	if err != nil {
		t.Fatal(err)
	}
	sess, err := m.Session.Open(box)
	if err != nil {
		t.Fatal(err)
	}
	to := notify.Recipient{Person: sess.Attendee, Lang: "en", Location: time.UTC, IsMentor: m.ToMentor}
	msg, err := notify.BuildMessage(notify.Kind(m.Event), sess, to, calendar.Person{Name: "Rendezvous", Email: "rdv@example.org"}, notify.Extra{Reason: m.Reason})
	if err != nil {
		t.Fatal(err)
	}
	return msg.Method, msg.ICS
}

// confirmedStarts are the starts of a mentor's confirmed sessions.
func (f *fixture) confirmedStarts(mentorID string) icaltest.Starts {
	f.t.Helper()
	bs, err := f.store.Bookings(context.Background(), store.BookingFilter{MentorID: mentorID, Status: store.StatusConfirmed})
	if err != nil {
		f.t.Fatal(err)
	}
	var ts []time.Time
	for _, b := range bs {
		ts = append(ts, b.StartAt)
	}
	return icaltest.Format(ts...)
}

// TestSeriesInOneCalendarEvent: a booked series mails one invitation
// per party carrying the whole series under one UID; moving one session
// (an override), cancelling one (an EXDATE) or the rest, and the mentor's
// feed, all expand (recurring-ical-events, ical.js) to exactly the
// confirmed sessions at their current times, with SEQUENCE rising.
func TestSeriesInOneCalendarEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.now = time.Date(2027, 2, 22, 8, 0, 0, 0, time.UTC)
		m := f.parisMentor(nil)
		_, link := f.mentee(m.ID, "Zoe")
		f.busy(m.ID, [2]time.Time{parisAt(2027, 3, 8, 10, 0), parisAt(2027, 3, 8, 10, 30)})
		s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: parisAt(2027, 3, 1, 10, 0), Count: 8, IntervalWeeks: 1, SkipUnavailable: true}, nil)
		if err != nil || len(s.Bookings) != 7 {
			t.Fatalf("series: %+v %v", s, err)
		}
		from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
		check := func(what string, wantMethod string, seq int) {
			t.Helper()
			mails := f.seriesMails()
			if len(mails) != 2 {
				t.Fatalf("%s: %d mails, want one per party", what, len(mails))
			}
			want := f.confirmedStarts(m.ID)
			for _, mail := range mails {
				if mail.Session.Series == nil || mail.Session.UID != s.UID || mail.Session.Sequence != seq {
					t.Fatalf("%s: mail %+v, want the series %s at SEQUENCE %d", what, mail.Session, s.UID, seq)
				}
				method, ics := inviteOf(t, mail)
				if method != wantMethod {
					t.Errorf("%s: method %s, want %s", what, method, wantMethod)
				}
				py, js := icaltest.Expand(t, ics, from, to)
				if wantMethod == "CANCEL" {
					want = nil
				}
				if !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
					t.Errorf("%s: invite expands to\npython  %v\nical.js %v\nwant    %v\n%s", what, py, js, want, ics)
				}
			}
		}
		check("booked", "REQUEST", 0)
		// The session of 15 March moves to 11:30 that day.
		if _, err := f.book.RescheduleByManageToken(ctx, tokenOf(s.Bookings[1].ManageURL), parisAt(2027, 3, 15, 11, 30)); err != nil {
			t.Fatal(err)
		}
		check("one moved", "REQUEST", 1)
		// The session of 29 March (after the change) is cancelled.
		if _, err := f.book.CancelByManageTokenScoped(ctx, tokenOf(s.Bookings[3].ManageURL), "away", booking.ScopeThis); err != nil {
			t.Fatal(err)
		}
		check("one cancelled", "REQUEST", 2)

		feed, err := f.book.MentorFeed(ctx, tokenOf(strings.TrimSuffix(m.FeedURL, ".ics")), booking.FeedConditions{})
		if err != nil {
			t.Fatal(err)
		}
		body := feed.Body.Bytes()
		if n := strings.Count(string(body), "UID:"+s.UID); n != 2 {
			t.Errorf("the feed holds %d events of the series, want the master and one override", n)
		}
		py, js := icaltest.Expand(t, body, from, to)
		if want := f.confirmedStarts(m.ID); !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
			t.Errorf("feed expands to\npython  %v\nical.js %v\nwant    %v", py, js, want)
		}

		// This and the following from 12 April on.
		if _, err := f.book.CancelScoped(ctx, access.Mentor(m.ID), s.Bookings[5].ID, "", booking.ScopeFollowing); err != nil {
			t.Fatal(err)
		}
		if n := f.sessions(m.ID); n != 4 {
			t.Fatalf("%d sessions left, want 4", n)
		}
		check("the rest cancelled", "REQUEST", 3)
		for _, b := range s.Bookings[:5] {
			if b.Start.After(parisAt(2027, 4, 1, 0, 0)) {
				continue
			}
			if _, err := f.book.CancelScoped(ctx, access.Mentor(m.ID), b.ID, "", booking.ScopeFollowing); err == nil {
				break
			}
		}
		check("all cancelled", "CANCEL", 4)
	})
}
