package booking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar/ical/icaltest"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestReassignMovesASeries: reassigning a mentee hands the future
// sessions of their weekly series to the new mentor by the rules of a
// single session — moved when the new mentor is free, else cancelled —
// and each mentor's invitations and feed hold one coherent series that
// expands (recurring-ical-events, ical.js) to exactly that mentor's
// sessions: the former's without the starts handed over (EXDATE), the new
// one's under a UID of its own; the new series' invitation lists the
// session cancelled and why.
func TestReassignMovesASeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.now = time.Date(2027, 2, 22, 8, 0, 0, 0, time.UTC)
		m1 := f.parisMentor(nil)
		m2 := f.mentor("Dominique", func(in *mentoring.MentorInput) {
			tz, horizon := "Europe/Paris", 90
			hours := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "12:00"}}
			in.Timezone, in.WeeklyHours, in.HorizonDays = &tz, &hours, &horizon
		})
		f.busy(m2.ID, [2]time.Time{parisAt(2027, 3, 29, 10, 0), parisAt(2027, 3, 29, 11, 0)})
		zoe, link := f.mentee(m1.ID, "Zoe")
		s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: parisAt(2027, 3, 1, 10, 0), Count: 6, IntervalWeeks: 1}, nil)
		if err != nil || len(s.Bookings) != 6 {
			t.Fatalf("series: %+v %v", s, err)
		}
		f.seriesMails()
		f.now = time.Date(2027, 3, 10, 8, 0, 0, 0, time.UTC) // two sessions held

		r, err := f.book.ReassignMentee(ctx, access.AdminToken(), zoe.ID, m2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.SessionsMoved != 3 || r.SessionsCancelled != 1 {
			t.Fatalf("reassigned: %d moved, %d cancelled; want 3 and 1 (29 March is busy for the new mentor)", r.SessionsMoved, r.SessionsCancelled)
		}
		kept, took := f.confirmedStarts(m1.ID), f.confirmedStarts(m2.ID)
		if want := icaltest.Format(parisAt(2027, 3, 1, 10, 0), parisAt(2027, 3, 8, 10, 0)); !icaltest.Equal(kept, want) {
			t.Fatalf("the former mentor keeps %v, want %v", kept, want)
		}
		if want := icaltest.Format(parisAt(2027, 3, 15, 10, 0), parisAt(2027, 3, 22, 10, 0), parisAt(2027, 4, 5, 10, 0)); !icaltest.Equal(took, want) {
			t.Fatalf("the new mentor has %v, want %v", took, want)
		}

		from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
		mails := f.seriesMails()
		if len(mails) != 4 {
			t.Fatalf("%d mails, want the old series' update and the new series' invitation to each party", len(mails))
		}
		newUID := ""
		for _, mail := range mails {
			if mail.Session.Series == nil {
				t.Fatalf("mail %s is not about a series", mail.Event)
			}
			want := took
			switch {
			case mail.Session.UID == s.UID:
				want = kept
				if mail.Event != booking.EventCancelled {
					t.Errorf("the old series' mail is a %s, want its update as cancelled", mail.Event)
				}
			case newUID == "" || newUID == mail.Session.UID:
				newUID = mail.Session.UID
				if mail.Event != booking.EventTransferred || len(mail.Skipped) != 1 || mail.Skipped[0].Reason != booking.ReasonNewMentorBusy {
					t.Errorf("the new series' mail: %s, skipped %+v", mail.Event, mail.Skipped)
				}
			default:
				t.Fatalf("a mail about a third UID %s", mail.Session.UID)
			}
			method, ics := inviteOf(t, mail)
			py, js := icaltest.Expand(t, ics, from, to)
			if method != "REQUEST" || !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
				t.Errorf("%s mail (%s, to mentor %v) expands to\npython  %v\nical.js %v\nwant    %v\n%s", mail.Event, method, mail.ToMentor, py, js, want, ics)
			}
		}

		for _, m := range []*mentoring.CreatedMentor{m1, m2} {
			feed, err := f.book.MentorFeed(ctx, tokenOf(strings.TrimSuffix(m.FeedURL, ".ics")), booking.FeedConditions{})
			if err != nil {
				t.Fatal(err)
			}
			py, js := icaltest.Expand(t, feed.Body.Bytes(), from, to)
			if want := f.confirmedStarts(m.ID); !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
				t.Errorf("feed of %s expands to\npython  %v\nical.js %v\nwant    %v", m.Name, py, js, want)
			}
		}
		// Reassigning again changes nothing more.
		if r, err := f.book.ReassignMentee(ctx, access.AdminToken(), zoe.ID, m2.ID); err == nil && (r.SessionsMoved != 0 || r.SessionsCancelled != 0) {
			t.Errorf("again: %+v", r)
		}
	})
}
