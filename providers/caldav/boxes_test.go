package caldav

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A DAViCal as reported in issue 14 lists its scheduling inbox and
// outbox as plain calendars (resourcetype calendar, no schedule-inbox
// marker); DAViCal 1.1.12 on our peer marks the inbox properly. This
// server answers as reported: only the principal's schedule-inbox-URL and
// schedule-outbox-URL tell the boxes apart.
func TestUnmarkedSchedulingBoxesAreNotCalendars(t *testing.T) {
	calendarResponse := func(href, name string) string {
		return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop>` +
			`<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>` + name + `</d:displayname>` +
			`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		body := ""
		switch {
		case r.URL.Path == "/caldav.php/mentor/" && r.Header.Get("Depth") == "0":
			body = `<d:response><d:href>/caldav.php/mentor/</d:href><d:propstat><d:prop>` +
				`<d:resourcetype><d:collection/><d:principal/></d:resourcetype>` +
				`<d:current-user-principal><d:href>/caldav.php/mentor/</d:href></d:current-user-principal>` +
				`<c:calendar-home-set><d:href>/caldav.php/mentor/</d:href></c:calendar-home-set>` +
				`<c:schedule-inbox-URL><d:href>/caldav.php/mentor/.in/</d:href></c:schedule-inbox-URL>` +
				`<c:schedule-outbox-URL><d:href>/caldav.php/mentor/.out/</d:href></c:schedule-outbox-URL>` +
				`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
		case r.URL.Path == "/caldav.php/mentor/":
			body = calendarResponse("/caldav.php/mentor/.in/", "Inbox") + calendarResponse("/caldav.php/mentor/.out/", "Outbox") +
				calendarResponse("/caldav.php/mentor/calendar/", "Work")
		default:
			body = `<d:response><d:href>` + r.URL.Path + `</d:href><d:propstat><d:prop/><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
		}
		fmt.Fprint(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">`+body+`</d:multistatus>`)
	}))
	defer site.Close()
	conn, err := Connect(context.Background(), Credentials{URL: site.URL + "/caldav.php/mentor/"}, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	cals, err := conn.Calendars(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 1 || !strings.HasSuffix(cals[0].Ref, "/calendar/") {
		t.Fatalf("calendars %+v, want only /caldav.php/mentor/calendar/", cals)
	}
}
