package main

import (
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestMentorTokenRotateAndRevoke: a mentor's API token can be rotated
// (the old one is refused at the very next request, the new one works) and
// revoked (then no token works until staff or the mentor's browser issue
// one), and a mentor's token cannot raise their own max_mentees.
func TestMentorTokenRotateAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s, admin := startForMentees(t, db, nil)
		m := createMentor(t, admin, map[string]any{"max_mentees": 3})
		old := client{t: t, base: s.base, token: m.Token}
		self := "/api/v1/mentors/" + m.ID
		if st := old.do("GET", self, nil, nil); st != 200 {
			t.Fatalf("the token at creation: %d", st)
		}

		var problem struct{ Code string }
		if st := old.do("PATCH", self, map[string]any{"max_mentees": 50}, &problem); st != 403 || problem.Code != "forbidden" {
			t.Fatalf("a mentor raising their own max_mentees: %d %s, want 403 forbidden", st, problem.Code)
		}
		var got struct {
			MaxMentees int `json:"max_mentees"`
		}
		if admin.do("GET", self, nil, &got); got.MaxMentees != 3 {
			t.Fatalf("max_mentees after the refusal: %d", got.MaxMentees)
		}
		if st := admin.do("PATCH", self, map[string]any{"max_mentees": 5}, &got); st != 200 || got.MaxMentees != 5 {
			t.Fatalf("staff raising max_mentees: %d %d", st, got.MaxMentees)
		}

		var rotated struct{ Token string }
		if st := old.do("POST", self+"/token", nil, &rotated); st != 200 || rotated.Token == "" || rotated.Token == m.Token {
			t.Fatalf("rotate: %d %+v", st, rotated)
		}
		if st := old.do("GET", self, nil, nil); st != 401 {
			t.Fatalf("the old token right after rotation: %d, want 401", st)
		}
		fresh := client{t: t, base: s.base, token: rotated.Token}
		if st := fresh.do("GET", self, nil, nil); st != 200 {
			t.Fatalf("the new token: %d", st)
		}

		if st := fresh.do("DELETE", self+"/token", nil, nil); st != 204 {
			t.Fatalf("revoke: %d", st)
		}
		if st := fresh.do("GET", self, nil, nil); st != 401 {
			t.Fatalf("the token right after revocation: %d, want 401", st)
		}
		if st := admin.do("POST", self+"/token", nil, &rotated); st != 200 {
			t.Fatalf("staff issuing a new token after revocation: %d", st)
		}
		if st := (client{t: t, base: s.base, token: rotated.Token}).do("GET", self, nil, nil); st != 200 {
			t.Fatalf("the token staff issued: %d", st)
		}
	})
}
