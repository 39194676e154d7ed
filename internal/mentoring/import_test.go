package mentoring_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestImportMentees: every line is checked by the rules of adding a
// mentee, in file order, and every problem is reported with its line;
// with any problem, or on a dry run, nothing is created; a clean file is
// created at once. Only staff import.
func TestImportMentees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		s := newService(t, db)
		admin := access.Staff("s1", access.RoleCoordinator)
		weekly := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "12:00"}}
		mentor := func(name string, places int) string {
			email, tz := strings.ToLower(name)+"@example.org", "UTC"
			m, err := s.CreateMentor(ctx, access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz,
				MaxMentees: &places, WeeklyHours: &weekly})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		grace := mentor("Grace", 2)
		mentor("Hopper", 5)
		if _, err := s.ImportMentees(ctx, access.Mentor(grace), nil, true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("a mentor importing: %v", err)
		}
		row := func(line int, name, email, tz, mentor string) mentoring.ImportRow {
			return mentoring.ImportRow{Line: line, Name: name, Email: email, Timezone: tz, MentorEmail: mentor}
		}
		bad := []mentoring.ImportRow{
			row(2, "Ada", "ada@example.org", "Europe/London", "GRACE@example.org"),
			row(3, "", "nameless@example.org", "UTC", ""),
			row(4, "Bob", "not-an-address", "UTC", ""),
			row(5, "Cy", "cy@example.org", "Mars/Olympus", ""),
			row(6, "Ada again", "ADA@example.org", "UTC", ""),
			row(7, "Dee", "dee@example.org", "UTC", "nobody@example.org"),
			row(8, "Eve", "eve@example.org", "UTC", "grace@example.org"),
			row(9, "Fay", "fay@example.org", "UTC", "grace@example.org"), // Grace is full by now
			row(10, "Gus", "gus@example.org", "UTC", ""),
		}
		count := func() int {
			n := 0
			for _, c := range mustCaseloads(t, s) {
				n += c.ActiveMentees
			}
			return n
		}
		for _, dry := range []bool{true, false} {
			res, err := s.ImportMentees(ctx, admin, bad, dry)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, p := range res.Problems {
				lines = append(lines, fmt.Sprint(p.Line))
			}
			if got := strings.Join(lines, ","); got != "3,4,5,6,7,9" || res.Created != 0 || res.Valid != 3 {
				t.Errorf("dry run %v: problems on lines %s, %d created, %d valid", dry, got, res.Created, res.Valid)
			}
			if apperr.CodeOf(res.Problems[5].Err) != apperr.CaseloadFull {
				t.Errorf("line 9: %v, want caseload_full", res.Problems[5].Err)
			}
			if n := count(); n != 0 {
				t.Fatalf("a file with problems created %d mentees (dry run %v)", n, dry)
			}
		}
		good := []mentoring.ImportRow{row(2, "Ada", "ada@example.org", "Europe/London", "grace@example.org"), row(3, "Gus", "gus@example.org", "UTC", "")}
		res, err := s.ImportMentees(ctx, admin, good, false)
		if err != nil || res.Created != 2 || len(res.Problems) != 0 {
			t.Fatalf("a clean file: %+v %v", res, err)
		}
		if n := count(); n != 2 {
			t.Errorf("%d mentees after importing 2", n)
		}
		res, _ = s.ImportMentees(ctx, admin, good[:1], true)
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Err.Error(), "already an active mentee") {
			t.Errorf("importing the same mentee again: %+v", res.Problems)
		}
	})
}

func mustCaseloads(t *testing.T, s *mentoring.Service) []mentoring.Caseload {
	t.Helper()
	all, err := s.Caseloads(context.Background(), access.AdminToken())
	if err != nil {
		t.Fatal(err)
	}
	return all
}
