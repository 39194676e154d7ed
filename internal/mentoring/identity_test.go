package mentoring_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

func newServiceWith(t *testing.T, db storetest.Database, opts ...mentoring.Option) *mentoring.Service {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://rdv.example.org")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	return mentoring.New(storetest.Open(t, db), box, links.New(base), append(opts, mentoring.WithClock(func() time.Time { return now }))...)
}

func newMentorWith(t *testing.T, s *mentoring.Service, name, email string, places int, hours bool) *mentoring.CreatedMentor {
	t.Helper()
	tz := "UTC"
	in := mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places}
	if hours {
		weekly := []mentoring.WeeklyRange{{Weekday: "monday", Start: "09:00", End: "12:00"}}
		in.WeeklyHours = &weekly
	}
	m, err := s.CreateMentor(context.Background(), access.AdminToken(), in)
	if err != nil {
		t.Fatalf("create mentor %s: %v", email, err)
	}
	return m
}

// TestMentorAddressesWithoutCase: grace@example.org and GRACE@example.org
// are one mentor (409 conflict), also when an address is changed; of 20
// concurrent creations with one address exactly one succeeds.
func TestMentorAddressesWithoutCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		s := newServiceWith(t, db)
		newMentorWith(t, s, "Grace", "grace@example.org", 3, true)
		_, err := createMentorEmail(s, "GRACE@Example.org")
		wantCode(t, "a second mentor with the address in capitals", err, apperr.Conflict)
		ada := newMentorWith(t, s, "Ada", "ada@example.org", 3, true)
		taken := " Grace@EXAMPLE.org"
		_, err = s.UpdateMentor(ctx, admin, ada.ID, mentoring.MentorInput{Email: &taken})
		wantCode(t, "changing an address to one taken", err, apperr.Conflict)

		var wg sync.WaitGroup
		results := make([]error, 20)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := "linus@example.org"
				if i%2 == 1 {
					email = "Linus@Example.ORG"
				}
				_, results[i] = createMentorEmail(s, email)
			}()
		}
		wg.Wait()
		created := 0
		for _, err := range results {
			switch apperr.CodeOf(err) {
			case apperr.Conflict:
			case apperr.Internal:
				if err == nil {
					created++
					continue
				}
				t.Errorf("a concurrent creation failed otherwise: %v", err)
			default:
				t.Errorf("a concurrent creation failed otherwise: %v", err)
			}
		}
		if created != 1 {
			t.Fatalf("20 concurrent creations of one address: %d created, want exactly 1", created)
		}
	})
}

func createMentorEmail(s *mentoring.Service, email string) (*mentoring.CreatedMentor, error) {
	name, tz, places := "Someone", "UTC", 3
	return s.CreateMentor(context.Background(), access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz, MaxMentees: &places})
}

// TestOnePersonMentorsPerMentee: a person is an active mentee of at most
// RENDEZVOUS_MENTORS_PER_MENTEE mentors (1 by default), never twice of one
// (409 already_mentored, whatever the letter case), also when reassigned;
// ending a mentorship frees them. Of 20 mentors adding one person at
// once, exactly one succeeds.
func TestOnePersonMentorsPerMentee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		add := func(s *mentoring.Service, mentorID, email string) (*mentoring.Mentee, error) {
			return s.CreateMentee(ctx, admin, mentorID, mentoring.MenteeInput{Name: "Ada", Email: email, Timezone: "UTC"})
		}
		one := newServiceWith(t, db)
		m1 := newMentorWith(t, one, "One", "one@example.org", 5, true)
		m2 := newMentorWith(t, one, "Two", "two@example.org", 5, true)
		first, err := add(one, m1.ID, "ada@example.org")
		if err != nil {
			t.Fatal(err)
		}
		_, err = add(one, m1.ID, "ADA@example.org")
		wantCode(t, "the same person twice with one mentor", err, apperr.AlreadyMentored)
		_, err = add(one, m2.ID, "Ada@Example.org")
		wantCode(t, "a second mentor with RENDEZVOUS_MENTORS_PER_MENTEE=1", err, apperr.AlreadyMentored)
		_, err = one.CreateMentee(ctx, admin, "", mentoring.MenteeInput{Name: "Ada", Email: "ada@example.org", Timezone: "UTC"})
		wantCode(t, "auto-assigning a person who has a mentor", err, apperr.AlreadyMentored)
		if _, err := one.EndMentorship(ctx, admin, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := add(one, m2.ID, "ada@example.org"); err != nil {
			t.Fatalf("after the first mentorship ended: %v", err)
		}

		two := newServiceWith(t, storetest.Database{Name: db.Name, URL: db.URL}, mentoring.WithMentorsPerMentee(2))
		m3 := newMentorWith(t, two, "Three", "three@example.org", 5, true)
		if _, err := add(two, m1.ID, "ada@example.org"); err != nil {
			t.Fatalf("a co-mentor with RENDEZVOUS_MENTORS_PER_MENTEE=2: %v", err)
		}
		_, err = add(two, m3.ID, "ada@example.org")
		wantCode(t, "a third mentor with RENDEZVOUS_MENTORS_PER_MENTEE=2", err, apperr.AlreadyMentored)
		bo, err := add(two, m3.ID, "bo@example.org")
		if err != nil {
			t.Fatal(err)
		}
		_ = bo
		var ofM1 *mentoring.Mentee
		all, _ := two.Caseload(ctx, admin, m1.ID)
		for _, e := range all.Mentees {
			if e.Email == "ada@example.org" {
				ofM1 = &mentoring.Mentee{ID: e.ID}
			}
		}
		if ofM1 == nil {
			t.Fatal("ada is not in m1's caseload")
		}
		_, err = two.MoveMentee(ctx, admin, ofM1.ID, m2.ID, mentoring.MoveOptions{})
		wantCode(t, "reassigning a person to a mentor they already have", err, apperr.AlreadyMentored)

		// Twenty mentors take one new person at once.
		var mentors []string
		for i := range 20 {
			mentors = append(mentors, newMentorWith(t, one, fmt.Sprintf("M%d", i), fmt.Sprintf("m%d@example.org", i), 5, true).ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(mentors))
		for i, id := range mentors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = add(one, id, "zoe@example.org")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if apperr.CodeOf(err) != apperr.AlreadyMentored {
				t.Errorf("a concurrent addition failed otherwise: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("20 mentors adding one person at once: %d succeeded, want exactly 1", ok)
		}
	})
}

// TestMentorStatusAndAssignment: a paused mentor takes no new mentees, an
// inactive one neither; auto-assignment picks only active mentors with
// weekly hours and a free place; a mentor may pause and resume themselves,
// only staff make them inactive or active again.
func TestMentorStatusAndAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx, admin := context.Background(), access.AdminToken()
		s := newServiceWith(t, db)
		status := func(v string) mentoring.MentorInput { return mentoring.MentorInput{Status: &v} }
		noHours := newMentorWith(t, s, "NoHours", "nohours@example.org", 50, false)
		paused := newMentorWith(t, s, "Paused", "paused@example.org", 40, true)
		gone := newMentorWith(t, s, "Gone", "gone@example.org", 30, true)
		chosen := newMentorWith(t, s, "Chosen", "chosen@example.org", 2, true)

		if m, err := s.UpdateMentor(ctx, access.Mentor(paused.ID), paused.ID, status("paused")); err != nil || m.Status != "paused" {
			t.Fatalf("a mentor pausing themselves: %+v %v", m, err)
		}
		_, err := s.UpdateMentor(ctx, access.Mentor(gone.ID), gone.ID, status("inactive"))
		wantCode(t, "a mentor making themselves inactive", err, apperr.Forbidden)
		if m, err := s.UpdateMentor(ctx, admin, gone.ID, status("inactive")); err != nil || m.Status != "inactive" {
			t.Fatalf("staff making a mentor inactive: %+v %v", m, err)
		}
		_, err = s.UpdateMentor(ctx, access.Mentor(gone.ID), gone.ID, status("active"))
		wantCode(t, "an inactive mentor making themselves active", err, apperr.Forbidden)
		_, err = s.UpdateMentor(ctx, admin, gone.ID, status("retired"))
		wantCode(t, "an unknown status", err, apperr.Invalid)

		for _, m := range []*mentoring.CreatedMentor{paused, gone} {
			_, err := s.CreateMentee(ctx, admin, m.ID, mentoring.MenteeInput{Name: "X", Email: "x-" + m.ID + "@example.org", Timezone: "UTC"})
			wantCode(t, "a new mentee for a "+m.Name+" mentor", err, apperr.CaseloadFull)
		}
		for i := range 2 {
			got, err := s.CreateMentee(ctx, admin, "", mentoring.MenteeInput{Name: "A", Email: fmt.Sprintf("a%d@example.org", i), Timezone: "UTC"})
			if err != nil || got.MentorID != chosen.ID {
				t.Fatalf("auto-assignment %d went to %+v (%v), want the only active mentor with hours (%s; not %s without hours)", i, got, err, chosen.ID, noHours.ID)
			}
		}
		_, err = s.CreateMentee(ctx, admin, "", mentoring.MenteeInput{Name: "A", Email: "a9@example.org", Timezone: "UTC"})
		wantCode(t, "auto-assignment once the only eligible mentor is full", err, apperr.CaseloadFull)
		if m, err := s.UpdateMentor(ctx, access.Mentor(paused.ID), paused.ID, status("active")); err != nil || m.Status != "active" {
			t.Fatalf("a mentor resuming: %+v %v", m, err)
		}
		if got, err := s.CreateMentee(ctx, admin, "", mentoring.MenteeInput{Name: "A", Email: "a9@example.org", Timezone: "UTC"}); err != nil || got.MentorID != paused.ID {
			t.Fatalf("auto-assignment after resuming: %+v %v", got, err)
		}
	})
}
