package statements_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/statements"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

type fixture struct {
	t    *testing.T
	st   *store.Store
	ment *mentoring.Service
	svc  *statements.Service
	now  time.Time
}

func newFixture(t *testing.T, db storetest.Database) *fixture {
	st := storetest.Open(t, db)
	box, err := secret.NewBox(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	f := &fixture{t: t, st: st, now: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.ment = mentoring.New(st, box, links.New(base), mentoring.WithClock(clock))
	f.svc = statements.New(st, statements.Options{Now: clock})
	return f
}

func (f *fixture) pair(name, zone string) (mentorID, menteeID string) {
	f.t.Helper()
	ctx := context.Background()
	email, places := strings.ToLower(strings.Fields(strings.Trim(name, "=@"))[0])+"@example.org", 5
	m, err := f.ment.CreateMentor(ctx, access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email, Timezone: &zone, MaxMentees: &places})
	if err != nil {
		f.t.Fatal(err)
	}
	e, err := f.ment.CreateMentee(ctx, access.AdminToken(), m.ID, mentoring.MenteeInput{Name: "Mentee of " + name, Email: "mentee." + email, Timezone: zone})
	if err != nil {
		f.t.Fatal(err)
	}
	return m.ID, e.ID
}

// session stores a session of minutes at start (UTC).
func (f *fixture) session(mentorID, menteeID string, start time.Time, minutes int, status, outcome string) {
	f.t.Helper()
	id := uuid.NewString()
	b := &store.Booking{ID: id, UID: id + "@test", MentorID: mentorID, MenteeID: menteeID, StartAt: start,
		EndAt: start.Add(time.Duration(minutes) * time.Minute), Status: status, ManageTokenHash: "h" + id,
		ManageTokenSealed: "x", VideoProvider: "jitsi", CreatedAt: start, UpdatedAt: start}
	if outcome != "" {
		b.Outcome = &outcome
	}
	if err := f.st.InsertBooking(context.Background(), b); err != nil {
		f.t.Fatal(err)
	}
}

func code(err error) apperr.Code { return apperr.CodeOf(err) }

// TestMonthlyStatement: each mentor's month in their own zone (a session
// at 23:30 UTC on 31 October is November in Paris), every count, who may
// read what, the CSV (BOM, both times, a name kept from being a
// formula), and closing: only staff, only once the month is over
// everywhere, once; afterwards the statement and its CSV stay as they
// were whatever happens to the data.
func TestMonthlyStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		paris, parisMentee := f.pair("Zoë Paris", "Europe/Paris")
		utc, utcMentee := f.pair("=HYPERLINK Mallory", "UTC")
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		f.session(paris, parisMentee, time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), 30, "confirmed", "completed") // Nov 1, 00:30 Paris
		f.session(paris, parisMentee, nov.Add(3*24*time.Hour), 45, "confirmed", "completed")
		f.session(paris, parisMentee, nov.Add(4*24*time.Hour), 30, "confirmed", "no_show")
		f.session(paris, parisMentee, nov.Add(5*24*time.Hour), 30, "confirmed", "mentor_no_show")
		f.session(paris, parisMentee, nov.Add(6*24*time.Hour), 30, "cancelled", "late_cancel")
		f.session(paris, parisMentee, nov.Add(7*24*time.Hour), 30, "cancelled", "")
		f.session(paris, parisMentee, nov.Add(8*24*time.Hour), 30, "confirmed", "")
		f.session(paris, parisMentee, time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), 30, "confirmed", "completed") // Dec 1 in Paris
		f.session(utc, utcMentee, time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), 30, "confirmed", "completed")     // October in UTC
		f.session(utc, utcMentee, time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), 60, "confirmed", "completed")

		st, err := f.svc.Get(ctx, access.Staff("s1", access.RoleCoordinator), "2026-11", "")
		if err != nil || st.Closed || len(st.Mentors) != 2 {
			t.Fatalf("statement: %+v %v", st, err)
		}
		byID := map[string]statements.Row{}
		for _, r := range st.Mentors {
			byID[r.MentorID] = r
		}
		p, u := byID[paris], byID[utc]
		if p.Completed != 2 || p.NoShow != 1 || p.MentorNoShow != 1 || p.LateCancel != 1 || p.Unreported != 1 || p.Minutes != 75 ||
			!p.PeriodStart.Equal(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)) || !p.PeriodEnd.Equal(time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)) {
			t.Errorf("Paris: %+v", p)
		}
		if u.Completed != 1 || u.Minutes != 60 || u.Unreported != 0 || u.MentorName != "=HYPERLINK Mallory" {
			t.Errorf("UTC: %+v", u)
		}

		own, err := f.svc.Get(ctx, access.Mentor(paris), "2026-11", "")
		if err != nil || len(own.Mentors) != 1 || own.Mentors[0].MentorID != paris {
			t.Fatalf("a mentor's own statement: %+v %v", own, err)
		}
		if _, err := f.svc.Get(ctx, access.Mentor(paris), "2026-11", utc); code(err) != apperr.Forbidden {
			t.Fatalf("a mentor reading another's: %v", err)
		}
		if _, err := f.svc.Get(ctx, access.Principal{}, "2026-11", ""); code(err) != apperr.Forbidden {
			t.Fatalf("nobody reading statements: %v", err)
		}
		empty, err := f.svc.Get(ctx, access.Mentor(utc), "2026-09", "")
		if err != nil || len(empty.Mentors) != 1 || empty.Mentors[0].Completed != 0 || empty.Mentors[0].MentorName != "=HYPERLINK Mallory" {
			t.Fatalf("a month without sessions: %+v %v", empty, err)
		}
		for _, bad := range []string{"2026-13", "2026-1", "november", ""} {
			if _, err := f.svc.Get(ctx, access.AdminToken(), bad, ""); code(err) != apperr.Invalid {
				t.Errorf("month %q: %v", bad, err)
			}
		}

		data, err := f.svc.CSV(ctx, access.AdminToken(), "2026-11", "")
		if err != nil || !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			t.Fatalf("CSV: %q %v", data, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
		if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(statements.CSVHeader, ",") {
			t.Fatalf("CSV rows: %q %v", rows, err)
		}
		for _, r := range rows[1:] {
			switch r[1] {
			case paris:
				if r[2] != "Zoë Paris" || r[4] != "2026-11-01T00:00:00+01:00" || r[5] != "2026-12-01T00:00:00+01:00" ||
					r[6] != "2026-10-31T23:00:00Z" || r[7] != "2026-11-30T23:00:00Z" || r[8] != "2" || r[13] != "75" || r[14] != "false" {
					t.Errorf("Paris row: %q", r)
				}
			case utc:
				if r[2] != "'=HYPERLINK Mallory" {
					t.Errorf("a name read as a formula: %q", r[2])
				}
			}
		}

		// Closing.
		f.now = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
		if _, err := f.svc.Close(ctx, access.AdminToken(), "2026-11"); code(err) != apperr.Conflict {
			t.Fatalf("closing before the month is over everywhere: %v", err)
		}
		f.now = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
		if _, err := f.svc.Close(ctx, access.Mentor(paris), "2026-11"); code(err) != apperr.Forbidden {
			t.Fatalf("a mentor closing: %v", err)
		}
		closed, err := f.svc.Close(ctx, access.Staff("s1", access.RoleCoordinator), "2026-11")
		if err != nil || !closed.Closed || closed.ClosedAt == nil || len(closed.Mentors) != 2 {
			t.Fatalf("close: %+v %v", closed, err)
		}
		if _, err := f.svc.Close(ctx, access.AdminToken(), "2026-11"); code(err) != apperr.Conflict {
			t.Fatalf("closing twice: %v", err)
		}
		kept, err := f.svc.CSV(ctx, access.AdminToken(), "2026-11", "")
		if err != nil || bytes.Equal(kept, data) || !bytes.Contains(kept, []byte(",true\n")) {
			t.Fatalf("the closed CSV: %q %v", kept, err)
		}
		// Whatever happens to the data afterwards, the closed month stays.
		f.session(paris, parisMentee, nov.Add(10*24*time.Hour), 30, "confirmed", "completed")
		if err := f.st.Exec(ctx, "UPDATE mentors SET name = ? WHERE id = ?", "Renamed", paris); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.AddDate(0, 2, 0)
		again, err := f.svc.CSV(ctx, access.Staff("s2", access.RoleAdmin), "2026-11", "")
		if err != nil || !bytes.Equal(again, kept) {
			t.Fatalf("the closed CSV changed:\n%s\nwas\n%s", again, kept)
		}
		after, err := f.svc.Get(ctx, access.Mentor(paris), "2026-11", "")
		if err != nil || !after.Closed || after.Mentors[0].Completed != 2 || after.Mentors[0].MentorName != "Zoë Paris" {
			t.Fatalf("the closed statement changed: %+v %v", after, err)
		}
		mine, err := f.svc.CSV(ctx, access.Mentor(paris), "2026-11", "")
		if err != nil || bytes.Count(mine, []byte("\n")) != 2 || !bytes.Contains(mine, []byte("Zoë Paris")) {
			t.Fatalf("a mentor's CSV of a closed month: %q %v", mine, err)
		}
		open, err := f.svc.Get(ctx, access.AdminToken(), "2026-10", "")
		if err != nil || open.Closed {
			t.Fatalf("October is not closed: %+v %v", open, err)
		}
	})
}
