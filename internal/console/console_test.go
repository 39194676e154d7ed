package console_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/video"
)

type discardJobs struct{}

func (discardJobs) InsertTx(context.Context, *store.Tx, river.JobArgs, *river.InsertOpts) error {
	return nil
}
func (discardJobs) InsertManyTx(context.Context, *store.Tx, []river.InsertManyParams) error {
	return nil
}

type noCalendars struct{}

func (noCalendars) HasWriteTarget(context.Context, *store.Tx, string) (bool, error) {
	return false, nil
}

// TestConsoleViews builds a small programme with a moving clock and checks
// every figure of the dashboard, the lists' search, filters and keyset
// pages, and the reassignment preview against the reassignment itself,
// on both databases; mentors are refused every view.
func TestConsoleViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		st := storetest.Open(t, db)
		box, _ := secret.NewBox(bytes.Repeat([]byte{3}, 32))
		base, _ := url.Parse("https://rdv.example.org")
		public := links.New(base)
		now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) // a Monday
		clock := func() time.Time { return now }
		none, _ := video.New(video.Config{Kind: video.KindNone})
		ment := mentoring.New(st, box, public, mentoring.WithClock(clock))
		book := booking.New(booking.Deps{Store: st, Jobs: discardJobs{}, Box: box, Links: public,
			Outbox: outbox.New(st, box, public, discardJobs{}, outbox.Options{Now: clock}), Mentorships: ment, Calendars: noCalendars{}},
			booking.Options{Video: none, Videos: map[string]video.Provider{video.KindNone: none}, SyncInterval: 5 * time.Minute, Now: clock})
		svc := console.New(st, console.Options{Now: clock})
		admin, coordinator := access.AdminToken(), access.Staff("s1", access.RoleCoordinator)

		mentor := func(name string, places int, hours bool) string {
			var weekly []mentoring.WeeklyRange
			if hours {
				for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
					weekly = append(weekly, mentoring.WeeklyRange{Weekday: d, Start: "08:00", End: "20:00"})
				}
			}
			email, tz, notice := strings.ToLower(name)+"@example.org", "UTC", 0
			m, err := ment.CreateMentor(ctx, admin, mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places,
				MinNoticeMinutes: &notice, WeeklyHours: &weekly})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		mentee := func(mentorID, name string) (string, string) {
			m, err := ment.CreateMentee(ctx, admin, mentorID, mentoring.MenteeInput{Name: name, Email: strings.ToLower(name) + "@example.org", Timezone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID, m.BookingURL[strings.LastIndex(m.BookingURL, "/")+1:]
		}
		bookAt := func(link string, start time.Time) string {
			b, _, err := book.Book(ctx, link, booking.BookInput{Start: start}, nil)
			if err != nil {
				t.Fatalf("book %s: %v", start, err)
			}
			return b.ID
		}
		grace, ada, lin := mentor("Grace", 2, true), mentor("Ada", 3, true), mentor("Lin", 1, false)
		zoe, zoeLink := mentee(grace, "Zoe")
		mentee(grace, "Yan")
		xia, xiaLink := mentee(ada, "Xia")
		bookAt(xiaLink, now.Add(time.Hour))            // Monday 10:00, never reported
		held := bookAt(zoeLink, now.Add(25*time.Hour)) // Tuesday 10:00, then completed
		now = now.Add(26 * time.Hour)
		if _, err := book.SetOutcome(ctx, access.Mentor(grace), held, "completed"); err != nil {
			t.Fatal(err)
		}
		upcoming := bookAt(zoeLink, time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC))
		now = time.Date(2026, 12, 8, 11, 0, 0, 0, time.UTC)

		for _, by := range []access.Principal{{}, access.Mentor(grace)} {
			if _, err := svc.Dashboard(ctx, by); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("dashboard as %+v: %v", by, err)
			}
			if _, err := svc.Mentors(ctx, by, console.MentorFilter{}, "", 0); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("mentors as %+v: %v", by, err)
			}
			if _, err := book.PreviewReassign(ctx, by, zoe, lin); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("reassignment preview as %+v: %v", by, err)
			}
		}

		d, err := svc.Dashboard(ctx, coordinator)
		if err != nil {
			t.Fatal(err)
		}
		names := func(pairs []console.MentorLoad) string {
			var out []string
			for _, p := range pairs {
				out = append(out, p.Name)
			}
			return strings.Join(out, ",")
		}
		if got := names(d.Mentors); got != "Grace,Ada,Lin" || d.Full != 1 || d.Overloaded != 0 || d.NoHours != 1 || d.FreePlaces != 3 ||
			d.ActiveMentees != 3 || d.MentorCount != 3 {
			t.Errorf("mentor loads: %s full %d overloaded %d no hours %d free %d active %d", got, d.Full, d.Overloaded, d.NoHours, d.FreePlaces, d.ActiveMentees)
		}
		pairs := func(a console.Attention) string {
			var out []string
			for _, p := range a.Pairs {
				out = append(out, p.MenteeName)
			}
			return strings.Join(out, ",")
		}
		if got := pairs(d.Overdue); d.Overdue.Count != 2 || (got != "Xia,Yan" && got != "Yan,Xia") {
			t.Errorf("overdue: %d %s", d.Overdue.Count, pairs(d.Overdue))
		}
		if d.NeverBooked.Count != 1 || pairs(d.NeverBooked) != "Yan" {
			t.Errorf("never booked: %d %s", d.NeverBooked.Count, pairs(d.NeverBooked))
		}
		if d.Unreported.Count != 1 || pairs(d.Unreported) != "Xia" {
			t.Errorf("unreported: %d %s", d.Unreported.Count, pairs(d.Unreported))
		}
		if m := d.Month; m.Sessions != 2 || m.Completed != 1 || m.MinutesCompleted != 30 || m.Unreported != 0 || m.Assigned != 0 {
			t.Errorf("December's figures: %+v", m)
		}

		list := func(f console.MenteeFilter) string {
			t.Helper()
			var out []string
			cursor := ""
			for {
				page, err := svc.Mentees(ctx, coordinator, f, cursor, 1)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page.Mentees {
					out = append(out, m.Name)
				}
				if page.Next == "" {
					return strings.Join(out, ",")
				}
				cursor = page.Next
			}
		}
		for f, want := range map[console.MenteeFilter]string{
			{}:                               "Xia,Yan,Zoe",
			{Query: "ya"}:                    "Yan",
			{Query: "XIA@EXAMPLE"}:           "Xia",
			{Query: "%"}:                     "",
			{Overdue: true}:                  "Xia,Yan",
			{MentorID: grace}:                "Yan,Zoe",
			{MentorID: grace, Overdue: true}: "Yan",
			{Status: "ended"}:                "",
		} {
			if got := list(f); got != want {
				t.Errorf("mentees %+v: %q, want %q", f, got, want)
			}
		}
		// A mentor lists their own mentees only, never another mentor's;
		// nobody lists any.
		if _, err := svc.Mentees(ctx, access.Principal{}, console.MenteeFilter{}, "", 0); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("mentees as nobody: %v", err)
		}
		for _, f := range []console.MenteeFilter{{MentorID: ada}, {MentorID: lin, Query: "x"}} {
			if p, err := svc.Mentees(ctx, access.Mentor(grace), f, "", 0); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("grace asking for %+v: %+v %v, want forbidden", f, p, err)
			}
		}
		for f, want := range map[console.MenteeFilter]string{{}: "Yan,Zoe", {MentorID: grace}: "Yan,Zoe", {Query: "xia"}: "", {Overdue: true}: "Yan"} {
			p, err := svc.Mentees(ctx, access.Mentor(grace), f, "", 0)
			if err != nil {
				t.Fatalf("grace's mentees %+v: %v", f, err)
			}
			var got []string
			for _, m := range p.Mentees {
				got = append(got, m.Name)
			}
			if strings.Join(got, ",") != want {
				t.Errorf("grace's mentees %+v: %v, want %s", f, got, want)
			}
		}
		page, err := svc.Mentees(ctx, coordinator, console.MenteeFilter{Query: "zoe"}, "", 0)
		if err != nil || len(page.Mentees) != 1 {
			t.Fatalf("zoe: %+v %v", page, err)
		}
		if z := page.Mentees[0]; z.MentorName != "Grace" || z.NextSession == nil || z.Overdue || z.LastSession == nil {
			t.Errorf("Zoe's row: %+v", z)
		}
		if _, err := svc.Mentees(ctx, coordinator, console.MenteeFilter{}, "not-a-cursor", 0); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("a forged cursor: %v", err)
		}
		for f, want := range map[console.MentorFilter]string{
			{}: "Ada,Grace,Lin", {Load: "full"}: "Grace", {Load: "no_hours"}: "Lin", {Load: "free"}: "Ada,Lin", {Query: "ADA@"}: "Ada",
		} {
			p, err := svc.Mentors(ctx, coordinator, f, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p.Mentors); got != want {
				t.Errorf("mentors %+v: %q, want %q", f, got, want)
			}
		}

		// The preview says what the reassignment then does.
		pv, err := book.PreviewReassign(ctx, coordinator, xia, grace)
		if err != nil || !pv.Full {
			t.Errorf("preview into a full caseload: %+v %v", pv, err)
		}
		pv, err = book.PreviewReassign(ctx, coordinator, zoe, lin)
		if err != nil || pv.Full || len(pv.Moves) != 0 || len(pv.Cancel) != 1 || pv.Cancel[0].ID != upcoming {
			t.Fatalf("preview to a mentor without hours: %+v %v", pv, err)
		}
		pv, err = book.PreviewReassign(ctx, coordinator, zoe, ada)
		if err != nil || len(pv.Moves) != 1 || len(pv.Cancel) != 0 {
			t.Fatalf("preview to a free mentor: %+v %v", pv, err)
		}
		done, err := book.ReassignMentee(ctx, coordinator, zoe, ada)
		if err != nil || done.SessionsMoved != 1 || done.SessionsCancelled != 0 {
			t.Fatalf("reassign as previewed: %+v %v", done, err)
		}
		if got := list(console.MenteeFilter{MentorID: ada}); got != "Xia,Zoe" {
			t.Errorf("Ada's mentees after the move: %s", got)
		}
	})
}
