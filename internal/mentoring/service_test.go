package mentoring_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

func newService(t *testing.T, db storetest.Database) *mentoring.Service {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	return mentoring.New(storetest.Open(t, db), box, links.New(base), mentoring.WithClock(func() time.Time { return now }))
}

func createMentor(t *testing.T, s *mentoring.Service, by access.Principal, name string, places int) (*mentoring.CreatedMentor, error) {
	t.Helper()
	email, tz := name+"@example.org", "UTC"
	return s.CreateMentor(context.Background(), by, mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places})
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// TestCaseloadCap: a mentor takes mentees up to max_mentees, then
// caseload_full; ending a mentorship frees the place at once.
func TestCaseloadCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		s := newService(t, db)
		m, err := createMentor(t, s, admin, "grace", 2)
		if err != nil {
			t.Fatal(err)
		}
		add := func(name string) (*mentoring.Mentee, error) {
			return s.CreateMentee(ctx, admin, m.ID, mentoring.MenteeInput{Name: name, Email: name + "@example.org", Timezone: "UTC"})
		}
		first, err := add("ana")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add("bo"); err != nil {
			t.Fatal(err)
		}
		_, err = add("cy")
		wantCode(t, "a third mentee for two places", err, apperr.CaseloadFull)
		_, err = s.CreateMentee(ctx, admin, "", mentoring.MenteeInput{Name: "cy", Email: "cy@example.org", Timezone: "UTC"})
		wantCode(t, "auto-assignment with every place taken", err, apperr.CaseloadFull)
		if ended, err := s.EndMentorship(ctx, access.Mentor(m.ID), first.ID); err != nil || ended.Status != "ended" || ended.BookingURL != "" {
			t.Fatalf("end: %+v %v", ended, err)
		}
		if _, err := add("cy"); err != nil {
			t.Fatalf("a mentee in the freed place: %v", err)
		}
		cl, err := s.Caseload(ctx, access.Mentor(m.ID), m.ID)
		if err != nil || cl.ActiveMentees != 2 || cl.AvailablePlaces != 0 {
			t.Fatalf("caseload: %+v %v", cl, err)
		}
	})
}

// TestMentoringAuthorizationByRole: staff run the programme (coordinators
// too), a mentor reaches only their own profile, mentees and caseload.
func TestMentoringAuthorizationByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		s := newService(t, db)
		coordinator := access.Staff("s1", access.RoleCoordinator)
		owner, err := createMentor(t, s, coordinator, "grace", 3)
		if err != nil {
			t.Fatalf("a coordinator adding a mentor: %v", err)
		}
		other, err := createMentor(t, s, access.Staff("s2", access.RoleAdmin), "ada", 3)
		if err != nil {
			t.Fatalf("an admin adding a mentor: %v", err)
		}
		_, err = createMentor(t, s, access.Mentor(owner.ID), "eve", 3)
		wantCode(t, "a mentor adding a mentor", err, apperr.Forbidden)
		_, err = createMentor(t, s, access.Principal{}, "eve", 3)
		wantCode(t, "nobody adding a mentor", err, apperr.Forbidden)

		mentee, err := s.CreateMentee(ctx, access.Mentor(owner.ID), "", mentoring.MenteeInput{Name: "zoe", Email: "zoe@example.org", Timezone: "UTC"})
		if err != nil || mentee.MentorID != owner.ID {
			t.Fatalf("a mentor adding a mentee to themselves: %+v %v", mentee, err)
		}
		_, err = s.CreateMentee(ctx, access.Mentor(other.ID), owner.ID, mentoring.MenteeInput{Name: "x", Email: "x@example.org", Timezone: "UTC"})
		wantCode(t, "a mentor adding a mentee to another", err, apperr.Forbidden)

		for _, by := range []access.Principal{coordinator, access.AdminToken(), access.Mentor(owner.ID)} {
			if _, err := s.Mentor(ctx, by, owner.ID); err != nil {
				t.Errorf("%+v reading the mentor: %v", by, err)
			}
			if _, err := s.Mentee(ctx, by, mentee.ID); err != nil {
				t.Errorf("%+v reading the mentee: %v", by, err)
			}
			if _, err := s.Caseload(ctx, by, owner.ID); err != nil {
				t.Errorf("%+v reading the caseload: %v", by, err)
			}
		}
		_, err = s.Mentor(ctx, access.Mentor(other.ID), owner.ID)
		wantCode(t, "another mentor's profile", err, apperr.Forbidden)
		_, err = s.Mentee(ctx, access.Mentor(other.ID), mentee.ID)
		wantCode(t, "another mentor's mentee", err, apperr.NotFound)
		_, err = s.EndMentorship(ctx, access.Mentor(other.ID), mentee.ID)
		wantCode(t, "ending another mentor's mentorship", err, apperr.NotFound)
		_, err = s.UpdateMentor(ctx, access.Mentor(other.ID), owner.ID, mentoring.MentorInput{})
		wantCode(t, "changing another mentor", err, apperr.Forbidden)

		if _, err := s.Caseloads(ctx, coordinator); err != nil {
			t.Errorf("a coordinator's programme view: %v", err)
		}
		_, err = s.Caseloads(ctx, access.Mentor(owner.ID))
		wantCode(t, "a mentor's programme view", err, apperr.Forbidden)
		_, err = s.Mentors(ctx, access.Mentor(owner.ID))
		wantCode(t, "a mentor listing mentors", err, apperr.Forbidden)
		_, err = s.MoveMentee(ctx, access.Mentor(owner.ID), mentee.ID, other.ID, mentoring.MoveOptions{})
		wantCode(t, "a mentor moving a mentee", err, apperr.Forbidden)
		if moved, err := s.MoveMentee(ctx, coordinator, mentee.ID, other.ID, mentoring.MoveOptions{}); err != nil || moved.MentorID != other.ID {
			t.Fatalf("a coordinator moving a mentee: %+v %v", moved, err)
		}
		_, err = s.Mentee(ctx, access.Mentor(owner.ID), mentee.ID)
		wantCode(t, "the former mentor reading the moved mentee", err, apperr.NotFound)
	})
}
