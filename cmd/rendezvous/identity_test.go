package main

import (
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestPeopleAndIdentityOverHTTP: the identity rules as the API answers
// them. Addresses compare without case (409 conflict); a person has one
// mentor (409 already_mentored, also when booking another mentor's public
// link), while a returning public booker books as themself; a paused
// mentor's public link takes no newcomer, an inactive one offers no slots;
// max_mentees cannot drop below the active count (422 naming the field).
func TestPeopleAndIdentityOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		var problem struct{ Code, Field, Detail string }
		grace := createMentor(t, admin, map[string]any{"max_mentees": 3, "max_upcoming_per_mentee": 5})
		if st := admin.do("POST", "/api/v1/mentors", map[string]any{"name": "Grace Again", "email": "GRACE@Example.org",
			"timezone": "UTC", "max_mentees": 1}, &problem); st != 409 || problem.Code != "conflict" {
			t.Fatalf("a second mentor with the address in capitals: %d %+v, want 409 conflict", st, problem)
		}
		ada := createMentor(t, admin, map[string]any{"name": "Ada", "max_mentees": 3})

		var mentee menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe", "email": "zoe@example.org", "timezone": "UTC", "mentor_id": grace.ID}, &mentee); st != 201 {
			t.Fatalf("mentee: %d", st)
		}
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe", "email": "Zoe@Example.org", "timezone": "UTC", "mentor_id": ada.ID}, &problem); st != 409 || problem.Code != "already_mentored" {
			t.Fatalf("a second mentor for one person: %d %+v, want 409 already_mentored", st, problem)
		}

		// Public links: Zoe cannot become Ada's mentee through Ada's link;
		// on Grace's link she books as herself; a newcomer becomes a mentee.
		anon := client{t: t, base: s.base}
		adaLink, graceLink := linkOf(*ada.BookingURL), linkOf(*grace.BookingURL)
		book := func(link, email string, out any) int {
			return anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slotsOf(t, anon, link, "UTC")[0],
				"name": "Someone", "email": email, "timezone": "UTC"}, out)
		}
		if st := book(adaLink, "zoe@example.org", &problem); st != 409 || problem.Code != "already_mentored" {
			t.Fatalf("Zoe on another mentor's public link: %d %+v, want 409 already_mentored", st, problem)
		}
		var b bookingAnswer
		if st := book(graceLink, "ZOE@example.org", &b); st != 201 || b.MenteeID != mentee.ID {
			t.Fatalf("Zoe on her own mentor's public link: %d, mentee %s, want herself (%s)", st, b.MenteeID, mentee.ID)
		}
		if st := book(graceLink, "newcomer@example.org", &b); st != 201 || b.MenteeID == mentee.ID {
			t.Fatalf("a newcomer on a public link with places: %d %+v", st, b)
		}

		// max_mentees below the two active mentees.
		if st := admin.do("PATCH", "/api/v1/mentors/"+grace.ID, map[string]any{"max_mentees": 1}, &problem); st != 422 || problem.Field != "max_mentees" {
			t.Fatalf("max_mentees below the active count: %d %+v, want 422 naming max_mentees", st, problem)
		}

		// A paused mentor: her mentees keep booking, newcomers are turned away.
		var m struct{ Status string }
		if st := (client{t: t, base: s.base, token: grace.Token}).do("PATCH", "/api/v1/mentors/"+grace.ID, map[string]any{"status": "paused"}, &m); st != 200 || m.Status != "paused" {
			t.Fatalf("a mentor pausing themselves: %d %+v", st, m)
		}
		if st := book(graceLink, "late@example.org", &problem); st != 409 || problem.Code != "caseload_full" {
			t.Fatalf("a newcomer on a paused mentor's link: %d %+v, want 409 caseload_full", st, problem)
		}
		if st := book(linkOf(*mentee.BookingURL), "", &b); st != 201 {
			t.Fatalf("a paused mentor's mentee booking: %d", st)
		}

		// An inactive mentor offers nothing.
		if st := admin.do("PATCH", "/api/v1/mentors/"+ada.ID, map[string]any{"status": "inactive"}, &m); st != 200 || m.Status != "inactive" {
			t.Fatalf("staff making a mentor inactive: %d %+v", st, m)
		}
		var slots slotsAnswer
		from, to := time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339)
		if st := anon.do("GET", "/api/v1/book/"+adaLink+"/slots?from="+from+"&to="+to+"&tz=UTC", nil, &slots); st != 200 || len(slots.Slots) != 0 {
			t.Fatalf("an inactive mentor's slots: %d, %d slots", st, len(slots.Slots))
		}
	})
}
