package main

import (
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestPublicLinkCaseloadAndLimits: a new address on a public link becomes
// a mentee while places remain, then caseload_full; a mentee holds one
// upcoming session; a mentee cancelling inside RENDEZVOUS_LATE_CANCEL is a
// late cancel.
func TestPublicLinkCaseloadAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		s := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789",
			"RENDEZVOUS_LATE_CANCEL": "336h"})
		defer s.stop()
		admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
		m := createMentor(t, admin, map[string]any{"max_mentees": 1})
		anon := client{t: t, base: s.base}
		link := linkOf(*m.BookingURL)
		free := slotsOf(t, anon, link, "Europe/Paris")

		var first bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[0], "name": "Ana", "email": "ana@example.org"}, &first); st != 201 {
			t.Fatalf("first booker: %d", st)
		}
		var full bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[2], "name": "Bo", "email": "bo@example.org"}, &full); st != 409 || full.Code != "caseload_full" {
			t.Fatalf("second booker on a full caseload: %d %s", st, full.Code)
		}
		var twice bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[2], "name": "Ana", "email": "ANA@example.org"}, &twice); st != 409 || twice.Code != "conflict" {
			t.Fatalf("a second upcoming session for the same mentee: %d %s", st, twice.Code)
		}
		var missing bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[2]}, &missing); st != 422 || missing.Code != "invalid_input" {
			t.Fatalf("a public booking without name: %d %s", st, missing.Code)
		}
		// Cancelling less than two weeks ahead is late here.
		var cancelled bookingAnswer
		if st := anon.do("POST", "/api/v1/manage/"+linkOf(first.ManageURL)+"/cancel", map[string]string{"reason": "sorry"}, &cancelled); st != 200 {
			t.Fatalf("cancel: %d", st)
		}
		if cancelled.Status != "cancelled" || cancelled.Outcome == nil || *cancelled.Outcome != "late_cancel" {
			t.Fatalf("late cancel recorded as %+v", cancelled)
		}
		var unknown bookingAnswer
		if st := anon.do("GET", "/api/v1/book/not-a-link/slots", nil, &unknown); st != 404 || unknown.Code != "not_found" {
			t.Fatalf("unknown link: %d %s", st, unknown.Code)
		}
	})
}
