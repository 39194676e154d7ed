package calsync_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// declinedInvitation is an event the given attendee declined, at start.
func declinedInvitation(uid, attendee string, start time.Time) string {
	f := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + f(start) + "\r\nDTEND:" + f(start.Add(time.Hour)) +
		"\r\nSUMMARY:Staff meeting\r\nORGANIZER:mailto:boss@example.net\r\nATTENDEE;PARTSTAT=DECLINED:mailto:" + attendee + "\r\nEND:VEVENT"
}

// Invitations the mentor declined are not busy time: recognised by the
// mentor's e-mail (here in a published calendar), and by the CalDAV
// account's own addresses when they differ from it (sabre/dav's account
// is mentor@example.org; the mentor's e-mail is ada@example.org).
func TestDeclinedInvitationsAreNotBusy(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db, appOptions{allowPrivate: true})
	m := a.createMentor("Ada")
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	window := func() []busyJSON { return m.busy(start.Add(-time.Hour), start.Add(24*time.Hour)) }

	pub := &publishedCalendar{}
	pub.publish(caldavtest.Calendar(
		declinedInvitation("declined-by-ada", "ADA@example.org", start),
		declinedInvitation("declined-by-someone-else", "grace@example.org", start.Add(2*time.Hour))))
	site := httptest.NewServer(pub)
	defer site.Close()
	var conn connectionJSON
	if st := m.as.do("POST", "/api/v1/mentors/"+m.ID+"/connections", map[string]string{"provider": "ics", "url": site.URL + "/a.ics"}, &conn); st != 201 {
		t.Fatalf("connect ics: %d", st)
	}
	if busy := window(); len(busy) != 1 || !busy[0].Start.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("busy %+v, want only the meeting someone else declined", busy)
	}

	srv := caldavtest.StartPeer(t, "sabre")
	srv.Put(t, "declined.ics", caldavtest.Calendar(declinedInvitation("declined-"+strings.Trim(srv.CalendarURL[len(srv.HomeURL):], "/"), srv.Email, start.Add(4*time.Hour))))
	if st := m.connect(srv.CalendarURL, srv.Username, srv.Password, &conn); st != 201 {
		t.Fatalf("connect sabre: %d", st)
	}
	m.sync()
	if busy := window(); len(busy) != 1 {
		t.Fatalf("busy %+v: the invitation declined under the account's address blocks time", busy)
	}
}
