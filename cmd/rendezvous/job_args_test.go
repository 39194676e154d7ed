package main

import (
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// TestJobArgsHoldNoTokenInClear: after booking, moving and cancelling
// (mails to both parties, reminders, write-back), no row of river_job
// holds the mentee's manage token, their booking-link token or the video
// link in clear, and every mail still reaches its reader with its links.
func TestJobArgsHoldNoTokenInClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL()})
		m := createMentor(t, admin, map[string]any{"max_upcoming_per_mentee": 5})
		var mentee menteeAnswer
		if st := admin.do("POST", "/api/v1/mentees", map[string]any{"name": "Ada", "email": "ada@example.org", "timezone": "UTC", "mentor_id": m.ID}, &mentee); st != 201 {
			t.Fatalf("mentee: %d", st)
		}
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		slots := slotsOf(t, anon, link, "UTC")
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slots[0]}, &b); st != 201 {
			t.Fatalf("book: %d", st)
		}
		manage := linkOf(b.ManageURL)
		if st := anon.do("POST", "/api/v1/manage/"+manage+"/reschedule", map[string]string{"start": slots[3]}, &b); st != 200 {
			t.Fatalf("reschedule: %d", st)
		}
		if st := anon.do("POST", "/api/v1/manage/"+manage+"/cancel", map[string]string{"reason": "ill"}, nil); st != 200 {
			t.Fatalf("cancel: %d", st)
		}
		msgs := waitMailRaw(t, smtp, 6)
		sawManage := false
		for _, msg := range msgs {
			sawManage = sawManage || strings.Contains(strings.ReplaceAll(decodedText(t, msg.Data), "=\r\n", ""), manage)
		}
		if !sawManage {
			t.Error("no mail to the mentee carries their manage link")
		}

		st := openDB(t, db)
		rows, err := st.SQLDB().Query("SELECT kind, CAST(args AS TEXT) FROM river_job")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		kinds := map[string]int{}
		for rows.Next() {
			var kind, args string
			if err := rows.Scan(&kind, &args); err != nil {
				t.Fatal(err)
			}
			kinds[kind]++
			for what, secret := range map[string]string{"manage token": manage, "booking-link token": link, "video link": b.VideoURL, "mentor token": m.Token} {
				if strings.Contains(args, secret) {
					t.Errorf("a %s job holds the %s in clear: %s", kind, what, args)
				}
			}
			if args != "{}" && !strings.Contains(args, `"version":`) { // periodic jobs have no arguments
				t.Errorf("a %s job without a version: %s", kind, args)
			}
		}
		if kinds["notice_mails"] < 3 {
			t.Fatalf("jobs seen: %v, want the mails of the booking, the move and the cancellation", kinds)
		}
	})
}
