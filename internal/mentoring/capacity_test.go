package mentoring_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestCapacityIsStaffDecision: a mentor's own token cannot raise their
// max_mentees (403), may lower it, and nobody may lower it below the
// mentees they follow now (422 naming the field and the count).
func TestCapacityIsStaffDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		s := newService(t, db)
		m, err := createMentor(t, s, admin, "grace", 3)
		if err != nil {
			t.Fatal(err)
		}
		self := access.Mentor(m.ID)
		places := func(n int) mentoring.MentorInput { return mentoring.MentorInput{MaxMentees: &n} }
		_, err = s.UpdateMentor(ctx, self, m.ID, places(50))
		wantCode(t, "a mentor raising their own max_mentees", err, apperr.Forbidden)
		if e := (*apperr.Error)(nil); !errors.As(err, &e) || e.Field != "max_mentees" || e.Key != "capacity.staff_raise" {
			t.Fatalf("the refusal should name the field, so the settings form shows it there, and say staff decide: %v", err)
		}
		if got, _ := s.Mentor(ctx, admin, m.ID); got.MaxMentees != 3 {
			t.Fatalf("max_mentees after a refused raise: %d", got.MaxMentees)
		}
		for _, name := range []string{"ana", "bo"} {
			if _, err := s.CreateMentee(ctx, admin, m.ID, mentoring.MenteeInput{Name: name, Email: name + "@example.org", Timezone: "UTC"}); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.UpdateMentor(ctx, self, m.ID, places(2)); err != nil || got.MaxMentees != 2 {
			t.Fatalf("a mentor lowering their own max_mentees to their count: %+v %v", got, err)
		}
		for _, by := range []access.Principal{self, admin} {
			_, err = s.UpdateMentor(ctx, by, m.ID, places(0))
			wantCode(t, "max_mentees below the active count", err, apperr.Invalid)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Field != "max_mentees" || !strings.Contains(e.Message, "2 active mentees") {
				t.Fatalf("the refusal should name the field and the count: %v", err)
			}
		}
		if got, err := s.UpdateMentor(ctx, access.Staff("s1", access.RoleCoordinator), m.ID, places(10)); err != nil || got.MaxMentees != 10 {
			t.Fatalf("a coordinator raising max_mentees: %+v %v", got, err)
		}
	})
}
