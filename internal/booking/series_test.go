package booking_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// parisMentor is open 09:00-12:00 Paris time on Mondays.
func (f *fixture) parisMentor(change func(*mentoring.MentorInput)) *mentoring.CreatedMentor {
	return f.mentor("Camille", func(in *mentoring.MentorInput) {
		tz, horizon := "Europe/Paris", 90
		hours := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "12:00"}}
		in.Timezone, in.WeeklyHours, in.HorizonDays = &tz, &hours, &horizon
		if change != nil {
			change(in)
		}
	})
}

// busy stores busy time in a calendar of the mentor.
func (f *fixture) busy(mentorID string, spans ...[2]time.Time) {
	f.t.Helper()
	ctx := context.Background()
	conn := &store.Connection{ID: "conn-" + mentorID, MentorID: mentorID, Provider: "caldav", URL: "https://cal.example.org/",
		Status: "ok", CreatedAt: f.now, UpdatedAt: f.now}
	cal := &store.Calendar{ID: "cal-" + mentorID, ConnectionID: conn.ID, MentorID: mentorID, Ref: "/cal/", Name: "Work",
		CheckConflicts: true, CreatedAt: f.now}
	var rows []store.BusyInterval
	for _, sp := range spans {
		rows = append(rows, store.BusyInterval{StartAt: sp[0], EndAt: sp[1]})
	}
	err := f.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, conn); err != nil {
			return err
		}
		if err := tx.InsertCalendar(ctx, cal); err != nil {
			return err
		}
		return tx.ReplaceCalendarBusy(ctx, mentorID, cal.ID, rows)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func parisAt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, paris)
}

// TestSeriesPreviewAndBookAcrossDST: a weekly series keeps the mentor's
// wall-clock time across the March change; an occurrence taken by
// another session or by calendar busy time says why and offers the
// nearest free start of that day; booking skips those, or books nothing
// when asked for all or nothing.
func TestSeriesPreviewAndBookAcrossDST(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.now = time.Date(2027, 2, 22, 8, 0, 0, 0, time.UTC)
		m := f.parisMentor(func(in *mentoring.MentorInput) { two := 2; in.MaxUpcomingPerMentee = &two })
		_, other := f.mentee(m.ID, "Other")
		_, link := f.mentee(m.ID, "Zoe")
		f.bookAt(other, parisAt(2027, 3, 15, 10, 0))
		f.busy(m.ID, [2]time.Time{parisAt(2027, 3, 22, 10, 0), parisAt(2027, 3, 22, 11, 0)})

		start := parisAt(2027, 3, 1, 10, 0)
		p, err := f.book.PreviewSeries(ctx, link, start, 6, 1, "America/Toronto")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Occurrences) != 6 {
			t.Fatalf("%d occurrences, want 6", len(p.Occurrences))
		}
		for k, o := range p.Occurrences {
			want := parisAt(2027, 3, 1+7*k, 10, 0)
			if !o.Start.Equal(want) || o.Start.In(paris).Hour() != 10 {
				t.Errorf("occurrence %d at %s, want %s (10:00 Paris)", k, o.Start.UTC(), want.UTC())
			}
			switch k {
			case 2:
				if o.Available || o.Reason != booking.ReasonSessionBooked || o.Alternative == nil || !o.Alternative.Start.Equal(parisAt(2027, 3, 15, 9, 30)) {
					t.Errorf("occurrence over another session: %+v", o)
				}
			case 3:
				if o.Available || o.Reason != booking.ReasonCalendarBusy || o.Alternative == nil || !o.Alternative.Start.Equal(parisAt(2027, 3, 22, 9, 30)) {
					t.Errorf("occurrence over busy time: %+v", o)
				}
			default:
				if !o.Available || o.Alternative != nil || o.Reason != "" {
					t.Errorf("occurrence %d: %+v, want free", k, o)
				}
			}
		}
		if got := p.Occurrences[4].Start.UTC(); !got.Equal(time.Date(2027, 3, 29, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("after the change 10:00 Paris is %s, want 08:00Z", got)
		}

		_, _, err = f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 6, IntervalWeeks: 1}, nil)
		wantCode(t, "all or nothing with two taken", err, apperr.SlotUnavailable)
		if n := f.sessions(m.ID); n != 1 {
			t.Fatalf("all or nothing refused stored %d sessions, want the 1 there was", n)
		}

		s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 6, IntervalWeeks: 1, SkipUnavailable: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Bookings) != 4 || len(s.Skipped) != 2 || s.Skipped[0].Reason != booking.ReasonSessionBooked || s.Skipped[1].Reason != booking.ReasonCalendarBusy {
			t.Fatalf("series: %d bookings, skipped %+v", len(s.Bookings), s.Skipped)
		}
		for _, b := range s.Bookings {
			if b.SeriesID != s.ID || b.Status != "confirmed" {
				t.Errorf("booking %+v not in series %s", b, s.ID)
			}
		}
		if n := f.sessions(m.ID); n != 5 {
			t.Fatalf("%d sessions stored, want 5", n)
		}
	})
}

// sessions counts a mentor's confirmed sessions.
func (f *fixture) sessions(mentorID string) int {
	f.t.Helper()
	bs, err := f.store.Bookings(context.Background(), store.BookingFilter{MentorID: mentorID, Status: store.StatusConfirmed})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(bs)
}

// TestSeriesBadInput: each refusal names what is wrong, and books nothing.
func TestSeriesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.now = time.Date(2027, 2, 22, 8, 0, 0, 0, time.UTC)
		one := 1
		m := f.parisMentor(func(in *mentoring.MentorInput) {
			public := true
			in.PublicBooking, in.MaxMentees = &public, &one
		})
		_, link := f.mentee(m.ID, "Zoe")
		start := parisAt(2027, 3, 1, 10, 0)
		for _, c := range []struct {
			what            string
			start           time.Time
			count, interval int
			code            apperr.Code
		}{
			{"one session", start, 1, 1, apperr.Invalid},
			{"27 sessions", start, 27, 1, apperr.Invalid},
			{"every 0 weeks", start, 4, 0, apperr.Invalid},
			{"every 5 weeks", start, 4, 5, apperr.Invalid},
			{"off the grid", start.Add(15 * time.Minute), 4, 1, apperr.Invalid},
			{"past the horizon", parisAt(2027, 5, 31, 10, 0), 4, 1, apperr.Invalid},
		} {
			_, err := f.book.PreviewSeries(ctx, link, c.start, c.count, c.interval, "UTC")
			wantCode(t, "preview "+c.what, err, c.code)
			_, _, err = f.book.BookSeries(ctx, link, booking.SeriesInput{Start: c.start, Count: c.count, IntervalWeeks: c.interval, SkipUnavailable: true}, nil)
			wantCode(t, "book "+c.what, err, c.code)
		}
		// The limit of one upcoming commitment: a session, then a series.
		f.bookAt(link, parisAt(2027, 3, 1, 11, 0))
		_, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 4, IntervalWeeks: 1, SkipUnavailable: true}, nil)
		wantCode(t, "a series over the upcoming limit", err, apperr.Conflict)
		// A stranger on the public link of a full caseload.
		public := tokenOf(m.BookingURL)
		_, _, err = f.book.BookSeries(ctx, public, booking.SeriesInput{Start: start, Count: 4, IntervalWeeks: 1, Name: "Stranger",
			Email: "stranger@example.org", SkipUnavailable: true}, nil)
		wantCode(t, "a stranger on a full public link", err, apperr.CaseloadFull)
		if n := f.sessions(m.ID); n != 1 {
			t.Fatalf("%d sessions after refusals, want 1", n)
		}
	})
}

// TestSeriesCountsAsOneCommitment: with a limit of one, a series is one
// commitment: a single session on top is refused until the series is
// over or cancelled.
func TestSeriesCountsAsOneCommitment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		start := monday.Add(2 * time.Hour)
		// The 28-day horizon: of six weekly sessions the last two are past it.
		p, err := f.book.PreviewSeries(ctx, link, start, 6, 1, "UTC")
		if err != nil || !p.Occurrences[4].Available || p.Occurrences[5].Available || p.Occurrences[5].Reason != booking.ReasonPastHorizon {
			t.Fatalf("preview to the horizon: %+v %v", p, err)
		}
		s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 3, IntervalWeeks: 1, SkipUnavailable: true}, nil)
		if err != nil || len(s.Bookings) != 3 {
			t.Fatalf("series of 3 with a limit of 1: %+v %v", s, err)
		}
		_, _, err = f.book.Book(ctx, link, booking.BookInput{Start: start.Add(24 * time.Hour)}, nil)
		wantCode(t, "a session beside a series", err, apperr.Conflict)
		f.now = start.AddDate(0, 0, 15) // the series is over
		f.bookAt(link, f.now.Add(2*time.Hour))
	})
}

// TestIdempotentSeries: a repeated keyed request answers the series it
// made; the key with another body is refused.
func TestIdempotentSeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		in := booking.SeriesInput{Start: monday.Add(2 * time.Hour), Count: 4, IntervalWeeks: 1, SkipUnavailable: true}
		key := &booking.Idempotency{Key: "k1", RequestHash: "h1"}
		first, replayed, err := f.book.BookSeries(ctx, link, in, key)
		if err != nil || replayed {
			t.Fatalf("first: %v %v", replayed, err)
		}
		again, replayed, err := f.book.BookSeries(ctx, link, in, key)
		if err != nil || !replayed || again.ID != first.ID || len(again.Bookings) != 4 || again.Bookings[3].ID != first.Bookings[3].ID {
			t.Fatalf("replay: %+v %v %v", again, replayed, err)
		}
		_, _, err = f.book.BookSeries(ctx, link, in, &booking.Idempotency{Key: "k1", RequestHash: "h2"})
		wantCode(t, "the key with another body", err, apperr.Invalid)
		if n := f.sessions(m.ID); n != 4 {
			t.Fatalf("%d sessions, want 4", n)
		}
	})
}

// TestConcurrentSeriesNeverOverlap: 50 mentees book series over
// overlapping weeks of one mentor at once; whatever wins, no two live
// sessions overlap, and every session a booker was told about is stored.
func TestConcurrentSeriesNeverOverlap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", func(in *mentoring.MentorInput) {
			places, horizon := 60, 60
			hours := []mentoring.WeeklyRange{{Weekday: "tuesday", Start: "10:00", End: "12:00"}, {Weekday: "wednesday", Start: "10:00", End: "12:00"}}
			in.MaxMentees, in.HorizonDays, in.WeeklyHours = &places, &horizon, &hours
		})
		links := make([]string, 50)
		for i := range links {
			_, links[i] = f.mentee(m.ID, fmt.Sprintf("Mentee%02d", i))
		}
		tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var mu sync.Mutex
		told := 0
		for i, link := range links {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Four starts each Tuesday and Wednesday, series of 3 to 8
				// weekly or fortnightly sessions starting in the first three weeks.
				start := tuesday.AddDate(0, 0, 7*(i%3)+(i/3)%2).Add(time.Duration(i%4) * 30 * time.Minute)
				s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 3 + i%6, IntervalWeeks: 1 + i%2,
					SkipUnavailable: i%5 != 0}, nil)
				if err != nil && apperr.CodeOf(err) != apperr.SlotUnavailable {
					t.Errorf("series %d: %v", i, err)
					return
				}
				if err == nil {
					mu.Lock()
					told += len(s.Bookings)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		bs, err := f.store.Bookings(ctx, store.BookingFilter{MentorID: m.ID, Status: store.StatusConfirmed})
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != told || told == 0 {
			t.Fatalf("%d sessions stored, bookers were told of %d", len(bs), told)
		}
		sort.Slice(bs, func(i, j int) bool { return bs[i].StartAt.Before(bs[j].StartAt) })
		for i := 1; i < len(bs); i++ {
			if bs[i].StartAt.Before(bs[i-1].EndAt) {
				t.Fatalf("overlap stored: %s and %s", bs[i-1].StartAt, bs[i].StartAt)
			}
		}
		t.Logf("%d sessions booked by 50 concurrent series", told)
	})
}

// TestBookForMentee: a mentor books a session or a series for their
// mentee, outside their hours when they say so, never over another
// session; another mentor cannot.
func TestBookForMentee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.now = time.Date(2027, 2, 22, 8, 0, 0, 0, time.UTC)
		m := f.parisMentor(nil)
		other := f.mentor("Ada", nil)
		zoe, link := f.mentee(m.ID, "Zoe")
		evening := parisAt(2027, 3, 2, 18, 0) // a Tuesday evening: outside the hours
		_, err := f.book.BookForMentee(ctx, access.Mentor(m.ID), zoe.ID, booking.ForMenteeInput{Start: evening})
		wantCode(t, "outside the hours unasked", err, apperr.SlotUnavailable)
		_, err = f.book.BookForMentee(ctx, access.Mentor(other.ID), zoe.ID, booking.ForMenteeInput{Start: evening, OutsideHours: true})
		wantCode(t, "another mentor", err, apperr.NotFound)
		one, err := f.book.BookForMentee(ctx, access.Mentor(m.ID), zoe.ID, booking.ForMenteeInput{Start: evening, OutsideHours: true})
		if err != nil || one.ID != "" || len(one.Bookings) != 1 || one.Bookings[0].SeriesID != "" {
			t.Fatalf("one session outside the hours: %+v %v", one, err)
		}
		// Beyond the mentee's limit of one, past the horizon: staff may.
		s, err := f.book.BookForMentee(ctx, access.Staff("s1", access.RoleCoordinator), zoe.ID,
			booking.ForMenteeInput{Start: parisAt(2027, 3, 2, 18, 0), Count: 4, IntervalWeeks: 1, OutsideHours: true, SkipUnavailable: true})
		if err != nil || len(s.Bookings) != 3 || len(s.Skipped) != 1 || s.Skipped[0].Reason != booking.ReasonSessionBooked {
			t.Fatalf("series over one session: %+v %v", s, err)
		}
		if _, err := f.book.PreviewSeries(ctx, link, parisAt(2027, 3, 1, 10, 0), 4, 1, "UTC"); err != nil {
			t.Fatal(err)
		}
	})
}
