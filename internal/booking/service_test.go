package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/video"
)

// These tests drive the booking service itself, on both databases, with
// a clock they move: its rules, and who may do what.

// recordedJobs stands in for the job engine and keeps what was enqueued:
// a notice's job as its mails (args), and, in kinds, every job's kind.
type recordedJobs struct {
	mu    sync.Mutex
	args  []river.JobArgs
	kinds []string
}

func (r *recordedJobs) InsertTx(_ context.Context, _ *store.Tx, args river.JobArgs, _ *river.InsertOpts) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.record(args)
	return nil
}

func (r *recordedJobs) InsertManyTx(_ context.Context, _ *store.Tx, params []river.InsertManyParams) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range params {
		r.record(p.Args)
	}
	return nil
}

func (r *recordedJobs) record(args river.JobArgs) {
	r.kinds = append(r.kinds, args.Kind())
	if n, ok := args.(jobs.NoticeMailsArgs); ok {
		for _, m := range n.Mails {
			r.args = append(r.args, m)
		}
		return
	}
	r.args = append(r.args, args)
}

// noCalendars: no mentor has a calendar to write sessions into.
type noCalendars struct{}

func (noCalendars) HasWriteTarget(context.Context, *store.Tx, string) (bool, error) {
	return false, nil
}

type fixture struct {
	t     testing.TB
	store *store.Store
	now   time.Time
	jobs  *recordedJobs
	ment  *mentoring.Service
	book  *booking.Service
}

// monday is a Monday 09:00 UTC: the fixture's clock starts there.
var monday = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, db storetest.Database) *fixture {
	t.Helper()
	st := storetest.Open(t, db)
	box, err := secret.NewBox(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	public := links.New(base)
	f := &fixture{t: t, store: st, now: monday, jobs: &recordedJobs{}}
	clock := func() time.Time { return f.now }
	none, err := video.New(video.Config{Kind: video.KindNone})
	if err != nil {
		t.Fatal(err)
	}
	f.ment = mentoring.New(st, box, public, mentoring.WithClock(clock))
	f.book = booking.New(booking.Deps{
		Store: st, Jobs: f.jobs, Box: box, Links: public, Outbox: outbox.New(st, box, public, f.jobs, outbox.Options{Now: clock}),
		Mentorships: f.ment, Calendars: noCalendars{},
	}, booking.Options{Video: none, Videos: map[string]video.Provider{video.KindNone: none}, SyncInterval: 5 * time.Minute, LateCancel: 24 * time.Hour, ReportReminder: 2 * time.Hour, Now: clock})
	return f
}

// mentor creates a mentor in UTC open 08:00-20:00 every day; change
// adjusts the input.
func (f *fixture) mentor(name string, change func(*mentoring.MentorInput)) *mentoring.CreatedMentor {
	f.t.Helper()
	var weekly []mentoring.WeeklyRange
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, mentoring.WeeklyRange{Weekday: d, Start: "08:00", End: "20:00"})
	}
	email, tz, places, notice := strings.ToLower(name)+"@example.org", "UTC", 10, 0
	in := mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places, MinNoticeMinutes: &notice, WeeklyHours: &weekly}
	if change != nil {
		change(&in)
	}
	m, err := f.ment.CreateMentor(context.Background(), access.AdminToken(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// mentee adds a mentee to a mentor and returns it with its link token.
func (f *fixture) mentee(mentorID, name string) (*mentoring.Mentee, string) {
	f.t.Helper()
	m, err := f.ment.CreateMentee(context.Background(), access.AdminToken(), mentorID,
		mentoring.MenteeInput{Name: name, Email: strings.ToLower(name) + "@example.org", Timezone: "UTC"})
	if err != nil {
		f.t.Fatal(err)
	}
	return m, tokenOf(m.BookingURL)
}

func tokenOf(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// bookAt books start on a link and returns the session and its manage token.
func (f *fixture) bookAt(link string, start time.Time) (*booking.Booking, string) {
	f.t.Helper()
	b, _, err := f.book.Book(context.Background(), link, booking.BookInput{Start: start}, nil)
	if err != nil {
		f.t.Fatalf("book %s: %v", start, err)
	}
	return b, tokenOf(b.ManageURL)
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// TestLateCancellation: a mentee cancelling less than RENDEZVOUS_LATE_CANCEL
// (24h here) before the start is recorded as late_cancel, a report filed
// by Rendezvous; earlier, or by the mentor, it is a plain cancellation.
func TestLateCancellation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", func(in *mentoring.MentorInput) { upcoming := 5; in.MaxUpcomingPerMentee = &upcoming })
		_, link := f.mentee(m.ID, "Zoe")
		start := monday.Add(24*time.Hour + time.Hour)
		_, lateToken := f.bookAt(link, start)
		_, earlyToken := f.bookAt(link, start.Add(48*time.Hour))
		byMentor, _ := f.bookAt(link, start.Add(2*time.Hour))
		notice := 240
		if _, err := f.ment.UpdateMentor(ctx, access.Mentor(m.ID), m.ID, mentoring.MentorInput{MinNoticeMinutes: &notice}); err != nil {
			t.Fatal(err)
		}
		f.now = start.Add(-3 * time.Hour)
		got, err := f.book.CancelByManageToken(ctx, lateToken, "ill")
		if err != nil || got.Status != "cancelled" || got.Outcome == nil || *got.Outcome != "late_cancel" {
			t.Fatalf("cancelled 3h ahead with 4h notice: %+v %v, want late_cancel", got, err)
		}
		if late, err := f.book.Get(ctx, access.Mentor(m.ID), got.ID); err != nil || late.Report == nil ||
			late.Report.FiledBy != booking.FiledByRendezvous || !late.Report.FiledAt.Equal(f.now) {
			t.Fatalf("the late cancellation's report: %+v %v", late, err)
		}
		if got, err = f.book.CancelByManageToken(ctx, earlyToken, ""); err != nil || got.Outcome != nil {
			t.Fatalf("cancelled two days ahead: %+v %v, want no outcome", got, err)
		}
		if got, err = f.book.Cancel(ctx, access.Mentor(m.ID), byMentor.ID, "sorry"); err != nil || got.Outcome != nil {
			t.Fatalf("cancelled by the mentor inside the notice: %+v %v, want no outcome", got, err)
		}
		if _, err := f.book.CancelByManageToken(ctx, lateToken, ""); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("cancelling twice: %v, want conflict", err)
		}
	})
}

// TestUpcomingLimit: a mentee holds at most the mentor's
// max_upcoming_per_mentee upcoming sessions; a past one does not count.
func TestUpcomingLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		first := monday.Add(2 * time.Hour)
		f.bookAt(link, first)
		_, _, err := f.book.Book(ctx, link, booking.BookInput{Start: first.Add(24 * time.Hour)}, nil)
		wantCode(t, "a second upcoming session", err, apperr.Conflict)
		two := 2
		if _, err := f.ment.UpdateMentor(ctx, access.AdminToken(), m.ID, mentoring.MentorInput{MaxUpcomingPerMentee: &two}); err != nil {
			t.Fatal(err)
		}
		f.bookAt(link, first.Add(24*time.Hour))
		_, _, err = f.book.Book(ctx, link, booking.BookInput{Start: first.Add(48 * time.Hour)}, nil)
		wantCode(t, "a third with a limit of two", err, apperr.Conflict)
		f.now = first.Add(time.Hour) // the first session is over
		f.bookAt(link, first.Add(48*time.Hour))
	})
}

// TestTransferFit: a session moves to another mentor only when that
// mentor offers its time; only staff move sessions.
func TestTransferFit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		from := f.mentor("Grace", nil)
		mornings := []mentoring.WeeklyRange{{Weekday: "tuesday", Start: "08:00", End: "09:00"}}
		to := f.mentor("Ada", func(in *mentoring.MentorInput) { in.WeeklyHours = &mornings })
		_, link := f.mentee(from.ID, "Zoe")
		start := monday.Add(24*time.Hour + time.Hour) // Tuesday 10:00
		b, _ := f.bookAt(link, start)

		_, err := f.book.Transfer(ctx, access.Mentor(from.ID), b.ID, to.ID)
		wantCode(t, "a mentor moving a session", err, apperr.Forbidden)
		_, err = f.book.Transfer(ctx, access.Staff("s1", access.RoleCoordinator), b.ID, to.ID)
		wantCode(t, "a move into a time the mentor does not offer", err, apperr.SlotUnavailable)

		later := []mentoring.WeeklyRange{{Weekday: "tuesday", Start: "08:00", End: "12:00"}}
		if _, err := f.ment.SetAvailability(ctx, access.Mentor(to.ID), to.ID, later, nil); err != nil {
			t.Fatal(err)
		}
		moved, err := f.book.Transfer(ctx, access.Staff("s1", access.RoleCoordinator), b.ID, to.ID)
		if err != nil || moved.MentorID != to.ID || !moved.Start.Equal(start) || moved.Sequence != b.Sequence+1 {
			t.Fatalf("transfer into the new mentor's hours: %+v %v", moved, err)
		}
	})
}

// TestSessionRulesOfViews: what the manage page and the mentor's page
// offer follows the service's rules at the service's clock. Once a session
// has started its mentee can no longer cancel it (the manage page used to
// offer the form until the end and always get 409), but can still move
// it until it ends; its mentor can still cancel it and record its outcome.
func TestSessionRulesOfViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		start := monday.Add(2 * time.Hour)
		b, token := f.bookAt(link, start)
		rules := func() (booking.Rules, booking.Rules) {
			t.Helper()
			managed, err := f.book.Manage(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			detail, err := f.book.Detail(ctx, access.Mentor(m.ID), b.ID)
			if err != nil {
				t.Fatal(err)
			}
			return managed.Rules, detail.Rules
		}
		mentee, mentor := rules()
		if !mentee.CanMove || !mentee.CanCancel || mentee.CanRecordOutcome || !mentor.CanCancel || mentor.CanRecordOutcome || !mentor.Upcoming {
			t.Fatalf("ahead: mentee %+v, mentor %+v", mentee, mentor)
		}
		f.now = start.Add(10 * time.Minute)
		mentee, mentor = rules()
		if !mentee.CanMove || mentee.CanCancel || !mentor.CanCancel || !mentor.CanRecordOutcome || mentor.Upcoming {
			t.Fatalf("started: mentee %+v, mentor %+v", mentee, mentor)
		}
		_, err := f.book.CancelByManageToken(ctx, token, "")
		wantCode(t, "a mentee cancelling a started session", err, apperr.Conflict)
		f.now = start.Add(time.Hour)
		mentee, mentor = rules()
		if mentee.CanMove || mentee.CanCancel || mentor.CanMove || mentor.CanCancel || !mentor.CanRecordOutcome {
			t.Fatalf("over: mentee %+v, mentor %+v", mentee, mentor)
		}
		_, err = f.book.Cancel(ctx, access.Mentor(m.ID), b.ID, "")
		wantCode(t, "cancelling a session that is over", err, apperr.Conflict)
		if _, err := f.book.SetOutcome(ctx, access.Mentor(m.ID), b.ID, "completed"); err != nil {
			t.Fatalf("outcome of a session that is over: %v", err)
		}
	})
}

// TestSessionAuthorizationByRole: staff reach every session, a mentor
// their own only (another's is not found), nobody nothing.
func TestSessionAuthorizationByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner, other := f.mentor("Grace", nil), f.mentor("Ada", nil)
		_, link := f.mentee(owner.ID, "Zoe")
		b, _ := f.bookAt(link, monday.Add(2*time.Hour))
		for _, by := range []access.Principal{access.AdminToken(), access.Staff("s1", access.RoleAdmin),
			access.Staff("s2", access.RoleCoordinator), access.Mentor(owner.ID)} {
			if _, err := f.book.Get(ctx, by, b.ID); err != nil {
				t.Errorf("%+v reading the session: %v", by, err)
			}
			if _, err := f.book.List(ctx, by, owner.ID, monday, monday.AddDate(0, 0, 7), ""); err != nil {
				t.Errorf("%+v listing the mentor's sessions: %v", by, err)
			}
		}
		for _, by := range []access.Principal{access.Mentor(other.ID), {}} {
			_, err := f.book.Get(ctx, by, b.ID)
			wantCode(t, "reading another mentor's session", err, apperr.NotFound)
			_, err = f.book.Cancel(ctx, by, b.ID, "")
			wantCode(t, "cancelling another mentor's session", err, apperr.NotFound)
			_, err = f.book.SetOutcome(ctx, by, b.ID, "completed")
			wantCode(t, "reporting on another mentor's session", err, apperr.NotFound)
			_, err = f.book.List(ctx, by, owner.ID, monday, monday.AddDate(0, 0, 7), "")
			wantCode(t, "listing another mentor's sessions", err, apperr.Forbidden)
			_, err = f.book.ReassignMentee(ctx, by, "any", other.ID)
			wantCode(t, "reassigning a mentee", err, apperr.Forbidden)
		}
		if got, err := f.book.Get(ctx, access.Mentor(owner.ID), b.ID); err != nil || got.Status != "confirmed" {
			t.Fatalf("the session after refused changes: %+v %v", got, err)
		}
	})
}

// TestIdempotentBooking: repeating a keyed request answers the booking it
// made; the key with another request is refused.
func TestIdempotentBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		in := booking.BookInput{Start: monday.Add(2 * time.Hour)}
		key := &booking.Idempotency{Key: "k1", RequestHash: "h1"}
		first, replayed, err := f.book.Book(ctx, link, in, key)
		if err != nil || replayed {
			t.Fatalf("first: %v %v", replayed, err)
		}
		again, replayed, err := f.book.Book(ctx, link, in, key)
		if err != nil || !replayed || again.ID != first.ID || again.ManageURL != first.ManageURL {
			t.Fatalf("replay: %+v %v %v, want the first booking %s", again, replayed, err, first.ID)
		}
		_, _, err = f.book.Book(ctx, link, in, &booking.Idempotency{Key: "k1", RequestHash: "h2"})
		wantCode(t, "the key with another body", err, apperr.Invalid)
	})
}

// TestNoticeIsOneMailJob: a booking, then its cancellation, each enqueue
// one job carrying the mails to both parties, the mentee's first.
func TestNoticeIsOneMailJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		_, link := f.mentee(m.ID, "Zoe")
		_, token := f.bookAt(link, monday.Add(26*time.Hour))
		if _, err := f.book.CancelByManageToken(context.Background(), token, "ill"); err != nil {
			t.Fatal(err)
		}
		f.jobs.mu.Lock()
		defer f.jobs.mu.Unlock()
		if strings.Join(f.jobs.kinds, " ") != "notice_mails notice_mails" {
			t.Fatalf("jobs enqueued: %v, want one notice job per change", f.jobs.kinds)
		}
		var to []string
		for _, a := range f.jobs.args {
			m := a.(jobs.MailArgs)
			to = append(to, fmt.Sprintf("%s:%v", m.Event, m.ToMentor))
		}
		if got := strings.Join(to, " "); got != "confirmed:false confirmed:true cancelled:false cancelled:true" {
			t.Fatalf("mails: %s", got)
		}
	})
}
