package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestIdentityRulesUnderConcurrencyOverHTTP: through the API, on both
// databases, 20 concurrent creations of one mentor address (in several
// letter cases) make exactly one mentor (the others 409 conflict), and 20
// concurrent additions of one person, auto-assigned, make exactly one
// mentee (the others 409 already_mentored); 20 newcomers booking one
// mentor's public link at once fill exactly their free places (the others
// caseload_full), and a returning booker still books as themself on the
// full caseload.
func TestIdentityRulesUnderConcurrencyOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		createMentor(t, admin, map[string]any{"name": "Grace", "max_mentees": 50})
		codes := make([]int, 20)
		problems := make([]string, 20)
		race := func(do func(i int, out any) int) (created int, others map[string]int) {
			var wg sync.WaitGroup
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var p struct{ Code string }
					codes[i] = do(i, &p)
					problems[i] = p.Code
				}()
			}
			wg.Wait()
			others = map[string]int{}
			for i, c := range codes {
				if c == 201 {
					created++
				} else {
					others[fmt.Sprintf("%d %s", c, problems[i])]++
				}
			}
			return created, others
		}
		created, others := race(func(i int, out any) int {
			email := []string{"linus@example.org", "LINUS@example.org", "Linus@Example.Org"}[i%3]
			return admin.do("POST", "/api/v1/mentors", map[string]any{"name": "Linus", "email": email, "timezone": "UTC",
				"max_mentees": 3, "notify": false}, out)
		})
		if created != 1 || others["409 conflict"] != 19 {
			t.Fatalf("20 concurrent creations of one mentor address: %d created, others %v", created, others)
		}
		created, others = race(func(i int, out any) int {
			email := []string{"zoe@example.org", "ZOE@example.org"}[i%2]
			return admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Zoe", "email": email, "timezone": "UTC", "notify": false}, out)
		})
		if created != 1 || others["409 already_mentored"] != 19 {
			t.Fatalf("20 concurrent additions of one person: %d created, others %v", created, others)
		}

		// A public link with three places: 20 newcomers at once.
		small := createMentor(t, admin, map[string]any{"name": "Small Caseload", "max_mentees": 3, "max_upcoming_per_mentee": 5})
		anon := client{t: t, base: s.base}
		link := linkOf(*small.BookingURL)
		free := slotsOf(t, anon, link, "UTC")
		if len(free) < 24 {
			t.Fatalf("only %d free slots", len(free))
		}
		created, others = race(func(i int, out any) int {
			return anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[i], "name": "Newcomer",
				"email": fmt.Sprintf("new%d@example.org", i), "timezone": "UTC"}, out)
		})
		if created != 3 || others["409 caseload_full"] != 17 {
			t.Fatalf("20 newcomers on a public link with 3 places: %d booked, others %v", created, others)
		}
		var caseload struct {
			ActiveMentees int `json:"active_mentees"`
			Mentees       []struct {
				ID, Email string
			} `json:"mentees"`
		}
		admin.do("GET", "/api/v1/mentors/"+small.ID+"/caseload", nil, &caseload)
		if caseload.ActiveMentees != 3 || len(caseload.Mentees) != 3 {
			t.Fatalf("caseload after the rush: %+v", caseload)
		}
		returning := caseload.Mentees[0]
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[22], "name": "Back Again",
			"email": strings.ToUpper(returning.Email), "timezone": "UTC"}, &b); st != 201 || b.MenteeID != returning.ID {
			t.Fatalf("a returning booker on the full caseload: %d, mentee %s, want %s", st, b.MenteeID, returning.ID)
		}
	})
}

// TestCoMentorsOverHTTP: with RENDEZVOUS_MENTORS_PER_MENTEE=2 a person
// has two mentors (by the API and by a public link), never a third and
// never the same one twice (409 already_mentored).
func TestCoMentorsOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_MENTORS_PER_MENTEE": "2"})
		one := createMentor(t, admin, map[string]any{"name": "Primary", "max_mentees": 5})
		two := createMentor(t, admin, map[string]any{"name": "Secondary", "max_mentees": 5})
		three := createMentor(t, admin, map[string]any{"name": "Third", "max_mentees": 5})
		var p struct{ Code string }
		add := func(mentorID, email string) int {
			p.Code = ""
			return admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Ada", "email": email, "timezone": "UTC",
				"mentor_id": mentorID, "notify": false}, &p)
		}
		if st := add(one.ID, "ada@example.org"); st != 201 {
			t.Fatalf("primary mentor: %d", st)
		}
		if st := add(one.ID, "ADA@example.org"); st != 409 || p.Code != "already_mentored" {
			t.Fatalf("the same mentor twice: %d %s", st, p.Code)
		}
		anon := client{t: t, base: s.base}
		link := linkOf(*two.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC"),
			"name": "Ada", "email": "Ada@Example.org", "timezone": "UTC"}, &b); st != 201 {
			t.Fatalf("a co-mentor through a public link: %d", st)
		}
		if st := add(three.ID, "ada@example.org"); st != 409 || p.Code != "already_mentored" {
			t.Fatalf("a third mentor: %d %s", st, p.Code)
		}
		third := linkOf(*three.BookingURL)
		if st := anon.do("POST", "/api/v1/book/"+third+"/bookings", map[string]string{"start": firstSlot(t, anon, third, "UTC"),
			"name": "Ada", "email": "ada@example.org", "timezone": "UTC"}, &p); st != 409 || p.Code != "already_mentored" {
			t.Fatalf("a third mentor through a public link: %d %s", st, p.Code)
		}
	})
}
