package engage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/engage"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// recorded enqueues into River's table through a job engine that does
// not run them, so a rolled-back transaction leaves no job, as in
// production; the tests read the jobs back.
type recorded struct {
	*jobs.Engine
	st *store.Store
	t  *testing.T
}

func (r *recorded) all() []jobs.PeopleMailArgs {
	r.t.Helper()
	rows, err := r.st.SQLDB().Query("SELECT CAST(args AS TEXT) FROM river_job WHERE kind = 'people_mail' ORDER BY id")
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	var out []jobs.PeopleMailArgs
	for rows.Next() {
		var raw string
		var a jobs.PeopleMailArgs
		if err := rows.Scan(&raw); err != nil {
			r.t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// of lists the mails of one kind, by recipient address.
func (r *recorded) of(kind string) map[string]int {
	out := map[string]int{}
	for _, a := range r.all() {
		if a.Mail == kind {
			out[a.ToEmail]++
		}
	}
	return out
}

func (r *recorded) last(kind, to string) jobs.PeopleMailArgs {
	var out jobs.PeopleMailArgs
	for _, a := range r.all() {
		if a.Mail == kind && a.ToEmail == to {
			out = a
		}
	}
	return out
}

type fixture struct {
	t     *testing.T
	st    *store.Store
	box   *secret.Box
	mu    sync.Mutex
	now   time.Time
	jobs  *recorded
	ment  *mentoring.Service
	eng   *engage.Service
	views *console.Service
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) at(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

var start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const week = 7 * 24 * time.Hour

func newFixture(t *testing.T, db storetest.Database) *fixture {
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	f := &fixture{t: t, st: storetest.Open(t, db), box: box, now: start}
	engine := jobs.New(f.st, slog.New(slog.DiscardHandler))
	f.jobs = &recorded{Engine: engine, st: f.st, t: t}
	f.eng = engage.New(f.st, box, links.New(base), f.jobs, engage.Options{Now: f.clock, ExpectedInterval: week})
	f.eng.RegisterWorkers(engine.Workers())
	if err := engine.Build(); err != nil {
		t.Fatal(err)
	}
	f.ment = mentoring.New(f.st, box, links.New(base), mentoring.WithClock(f.clock), mentoring.WithWelcomes(f.eng))
	f.views = console.New(f.st, console.Options{Now: f.clock, ExpectedInterval: week})
	return f
}

func (f *fixture) mentor(name string, silent bool) *mentoring.CreatedMentor {
	f.t.Helper()
	email, tz, places, lang := strings.ToLower(name)+"@example.org", "Europe/Paris", 10, "fr"
	weekly := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "17:00"}}
	m, err := f.ment.CreateMentor(context.Background(), access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email,
		Timezone: &tz, Language: &lang, MaxMentees: &places, WeeklyHours: &weekly, Silent: silent})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) mentee(name, mentorID string, silent bool) *mentoring.Mentee {
	f.t.Helper()
	m, err := f.ment.CreateMentee(context.Background(), access.AdminToken(), mentorID, mentoring.MenteeInput{Name: name,
		Email: strings.ToLower(name) + "@example.org", Timezone: "America/Toronto", Silent: silent})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// session stores a session held (or booked) at at.
func (f *fixture) session(menteeID, mentorID string, at time.Time) {
	f.t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	b := &store.Booking{ID: id, UID: id + "@rdv", MentorID: mentorID, MenteeID: menteeID, StartAt: at, EndAt: at.Add(30 * time.Minute),
		Status: store.StatusConfirmed, ManageTokenHash: secret.HashToken(secret.NewToken()), ManageTokenSealed: "x"}
	if err := f.st.InsertBooking(context.Background(), b); err != nil {
		f.t.Fatal(err)
	}
}

// sweeps runs n sweeps at once, as several processes would.
func (f *fixture) sweeps(n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.eng.SweepNudges(context.Background()); err != nil {
				f.t.Errorf("sweep: %v", err)
			}
		}()
	}
	wg.Wait()
}

// TestWelcomesEnqueuedWithTheChange: creating a mentor enqueues their
// welcome with a sealed single-use sign-in link that signs them in for a
// week; creating, importing and reassigning a mentee enqueue theirs with
// the sealed booking link; "notify": false (Silent) and a dry run enqueue
// nothing; each event is named once.
func TestWelcomesEnqueuedWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		f := newFixture(t, db)
		grace := f.mentor("Grace", false)
		f.mentor("Quiet", true)
		if got := f.jobs.of("mentor_welcome"); len(got) != 1 || got["grace@example.org"] != 1 {
			t.Fatalf("mentor welcomes: %v", got)
		}
		w := f.jobs.last("mentor_welcome", "grace@example.org")
		link, err := f.box.OpenString(w.LinkSealed)
		if err != nil || !strings.HasPrefix(link, "https://rdv.example.org/mentor/signin/") || strings.Contains(w.LinkSealed, "mentor/signin") {
			t.Fatalf("welcome link: %q %v (sealed %q)", link, err, w.LinkSealed)
		}
		if w.Language != "fr" || w.Timezone != "Europe/Paris" || w.LinkExpires == nil || !w.LinkExpires.Equal(start.Add(engage.WelcomeLinkLifetime)) {
			t.Fatalf("welcome args: %+v", w)
		}
		token := link[strings.LastIndex(link, "/")+1:]
		if id, err := f.st.UseSigninToken(ctx, secret.HashToken(token), start.Add(6*24*time.Hour)); err != nil || id != grace.ID {
			t.Fatalf("the welcome link six days later: %q %v", id, err)
		}
		if _, err := f.st.UseSigninToken(ctx, secret.HashToken(token), start.Add(6*24*time.Hour)); err == nil {
			t.Fatal("the welcome link worked twice")
		}

		zoe := f.mentee("Zoe", grace.ID, false)
		f.mentee("Silent", grace.ID, true)
		if got := f.jobs.of("mentee_welcome"); len(got) != 1 || got["zoe@example.org"] != 1 {
			t.Fatalf("mentee welcomes: %v", got)
		}
		zw := f.jobs.last("mentee_welcome", "zoe@example.org")
		if book, err := f.box.OpenString(zw.LinkSealed); err != nil || book != zoe.BookingURL || zw.OtherName != "Grace" || zw.OtherTimezone != "Europe/Paris" {
			t.Fatalf("mentee welcome: %+v (%q %v)", zw, book, err)
		}

		rows := []mentoring.ImportRow{{Line: 2, Name: "Ana", Email: "ana@example.org", Timezone: "UTC", MentorEmail: "grace@example.org"},
			{Line: 3, Name: "Bo", Email: "bo@example.org", Timezone: "UTC", Silent: true}}
		if res, err := f.ment.ImportMentees(ctx, admin, rows, true); err != nil || res.Valid != 2 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if got := f.jobs.of("mentee_welcome"); len(got) != 1 {
			t.Fatalf("a dry run enqueued welcomes: %v", got)
		}
		if res, err := f.ment.ImportMentees(ctx, admin, rows, false); err != nil || res.Created != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		if got := f.jobs.of("mentee_welcome"); len(got) != 2 || got["ana@example.org"] != 1 || got["bo@example.org"] != 0 {
			t.Fatalf("welcomes after the import: %v", got)
		}

		ada := f.mentor("Ada", true)
		if _, err := f.ment.MoveMentee(ctx, admin, zoe.ID, ada.ID, mentoring.MoveOptions{}); err != nil {
			t.Fatal(err)
		}
		rw := f.jobs.last("mentee_reassigned", "zoe@example.org")
		if book, _ := f.box.OpenString(rw.LinkSealed); book != zoe.BookingURL || rw.OtherName != "Ada" || rw.PreviousMentor != "Grace" || rw.MentorID != ada.ID {
			t.Fatalf("reassignment mail: %+v", rw)
		}
		if _, err := f.ment.MoveMentee(ctx, admin, zoe.ID, grace.ID, mentoring.MoveOptions{Silent: true}); err != nil {
			t.Fatal(err)
		}
		if got := f.jobs.of("mentee_reassigned"); got["zoe@example.org"] != 1 {
			t.Fatalf("a silent reassignment mailed: %v", got)
		}
		events := map[string]bool{}
		for _, a := range f.jobs.all() {
			if events[a.Event+a.ToEmail] {
				t.Errorf("event %s announced twice to %s", a.Event, a.ToEmail)
			}
			events[a.Event+a.ToEmail] = true
		}
	})
}

// TestNudgesOncePerQuietSpell: a pair with no session within the expected
// interval gets one nudge each (the mentee's with the booking link),
// however many sweeps race; not a pair that met or booked, nor one whose
// mentor is inactive (that one needs a coordinator at once); a week after
// the nudge a pair still overdue needs a coordinator; after a session
// held, a new quiet spell is nudged again.
func TestNudgesOncePerQuietSpell(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		f := newFixture(t, db)
		grace := f.mentor("Grace", true)
		gone := f.mentor("Gone", true)
		zoe := f.mentee("Zoe", grace.ID, true)
		met := f.mentee("Met", grace.ID, true)
		booked := f.mentee("Booked", grace.ID, true)
		orphan := f.mentee("Orphan", gone.ID, true)
		inactive := "inactive"
		if _, err := f.ment.UpdateMentor(ctx, admin, gone.ID, mentoring.MentorInput{Status: &inactive}); err != nil {
			t.Fatal(err)
		}
		f.session(met.ID, grace.ID, start.Add(5*24*time.Hour))
		f.session(booked.ID, grace.ID, start.Add(9*24*time.Hour))

		f.at(start.Add(6 * 24 * time.Hour)) // not overdue yet
		f.sweeps(1)
		if got := f.jobs.of("nudge_mentee"); len(got) != 0 {
			t.Fatalf("nudged before the interval: %v", got)
		}
		f.at(start.Add(8 * 24 * time.Hour))
		f.sweeps(6)
		if got := f.jobs.of("nudge_mentee"); len(got) != 1 || got["zoe@example.org"] != 1 {
			t.Fatalf("mentee nudges: %v, want one to zoe", got)
		}
		if got := f.jobs.of("nudge_mentor"); len(got) != 1 || got["grace@example.org"] != 1 {
			t.Fatalf("mentor nudges: %v, want one to grace", got)
		}
		nm := f.jobs.last("nudge_mentee", "zoe@example.org")
		if book, _ := f.box.OpenString(nm.LinkSealed); book != zoe.BookingURL || nm.LastSession != nil || nm.OtherName != "Grace" {
			t.Fatalf("mentee nudge: %+v", nm)
		}
		need := func(want ...string) {
			t.Helper()
			d, err := f.views.Dashboard(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range d.NeedsCoordinator.Pairs {
				got = append(got, p.MenteeID)
			}
			if d.NeedsCoordinator.Count != len(want) || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("needs a coordinator: %d %v, want %v", d.NeedsCoordinator.Count, got, want)
			}
		}
		need(orphan.ID)
		f.at(start.Add(14*24*time.Hour + 23*time.Hour)) // six days and 23 hours after the nudge
		f.sweeps(2)
		need(orphan.ID)
		// Met's last session (day 5) is now over a week ago: its own spell.
		if got := f.jobs.of("nudge_mentee"); len(got) != 2 || got["met@example.org"] != 1 || got["zoe@example.org"] != 1 {
			t.Fatalf("mentee nudges on day 15: %v", got)
		}
		if nm := f.jobs.last("nudge_mentee", "met@example.org"); nm.LastSession == nil || !nm.LastSession.Equal(start.Add(5*24*time.Hour)) {
			t.Fatalf("the nudge of a pair that met once: %+v", nm)
		}
		f.at(start.Add(15*24*time.Hour + time.Hour))
		need(orphan.ID, zoe.ID)

		// Zoe meets on day 16: no longer overdue; quiet again a week
		// later, she is nudged again (a new spell), not before.
		f.session(zoe.ID, grace.ID, start.Add(16*24*time.Hour))
		f.at(start.Add(17 * 24 * time.Hour))
		need(orphan.ID)
		f.at(start.Add(23*24*time.Hour + time.Hour))
		f.sweeps(3)
		// Booked's session (day 9) is now over a week ago too.
		if got := f.jobs.of("nudge_mentee"); len(got) != 3 || got["zoe@example.org"] != 2 || got["booked@example.org"] != 1 {
			t.Fatalf("nudges after zoe's second quiet week: %v", got)
		}
		need(orphan.ID, met.ID)
	})
}
