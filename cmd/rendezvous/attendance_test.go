package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
)

// join opens a video link on the server at base (links carry
// RENDEZVOUS_BASE_URL) without following the redirect.
func join(t *testing.T, base, videoURL string) *http.Response {
	t.Helper()
	i := strings.Index(videoURL, "/join/")
	if i < 0 {
		t.Fatalf("video link %q does not go through /join/", videoURL)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(base + videoURL[i:])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// joinTarget is where a video link redirects.
func joinTarget(t *testing.T, base, videoURL string) string {
	t.Helper()
	res := join(t, base, videoURL)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("join %s: %d", videoURL, res.StatusCode)
	}
	return res.Header.Get("Location")
}

// TestAttendanceEvidence: on both databases, the mentor's and the
// mentee's links (API, mails, feed) go through /join with keys of their
// own; a join before the session records nothing, the first join of each
// party during it is recorded once, a forged key records nothing, and an
// ended session without a report suggests an outcome from who joined.
func TestAttendanceEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		smtp := smtptest.StartServer(t, smtptest.Options{})
		s, admin := startForMentees(t, db, map[string]string{"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_VIDEO": "jitsi"})
		st := openDB(t, db)
		m := createMentor(t, admin, map[string]any{"name": "Grace", "max_mentees": 3})
		mentee, _ := newMentee(t, admin, "zoe", m.ID)
		anon := client{t: t, base: s.base}
		link := linkOf(*mentee.BookingURL)
		var booked reportAnswer
		if code := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC")}, &booked); code != 201 {
			t.Fatalf("book: %d", code)
		}
		menteeURL := booked.VideoURL
		var asMentor reportAnswer
		client{t: t, base: s.base, token: m.Token}.do("GET", "/api/v1/bookings/"+booked.ID, nil, &asMentor)
		mentorURL := asMentor.VideoURL
		if mentorURL == menteeURL || !strings.Contains(mentorURL, "?k=") || !strings.Contains(menteeURL, "?k=") {
			t.Fatalf("links: mentor %q, mentee %q; want one key each", mentorURL, menteeURL)
		}
		// The mails carry each party's own link, never the provider's.
		eventually(t, 20*time.Second, "the invitations", func() bool { return len(smtp.Messages()) >= 2 })
		for _, msg := range smtp.Messages() {
			text := decodedText(t, msg.Data)
			want := menteeURL
			if msg.To[0] == "grace@example.org" {
				want = mentorURL
			}
			if !strings.Contains(text, want[strings.Index(want, "/join/"):]) || strings.Contains(text, "meet.jit.si") {
				t.Errorf("mail to %s: want the link %s, never the provider's:\n%s", msg.To[0], want, text)
			}
		}
		var feed struct {
			FeedURL string `json:"feed_url"`
		}
		admin.do("GET", "/api/v1/mentors/"+m.ID, nil, &feed)
		if _, body := get(t, s.base+feed.FeedURL[strings.Index(feed.FeedURL, "/feeds/"):], nil); !strings.Contains(strings.ReplaceAll(body, "\r\n ", ""),
			mentorURL[strings.Index(mentorURL, "/join/"):]) || strings.Contains(body, "meet.jit.si") {
			t.Errorf("the feed lacks the mentor's join link:\n%s", body)
		}

		attendance := func() reportAnswer {
			t.Helper()
			var b reportAnswer
			admin.do("GET", "/api/v1/bookings/"+booked.ID, nil, &b)
			return b
		}
		res := join(t, s.base, menteeURL)
		if res.StatusCode != 302 || !strings.HasPrefix(res.Header.Get("Location"), "https://meet.jit.si/") ||
			res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("join: %d %v", res.StatusCode, res.Header)
		}
		if a := attendance(); a.Attendance.MenteeJoinedAt != nil || a.Attendance.MentorJoinedAt != nil {
			t.Fatalf("a join days ahead was recorded: %+v", a.Attendance)
		}

		shiftSession(t, st, booked.ID, time.Now().Add(-5*time.Minute), 30)
		joinTarget(t, s.base, strings.Replace(mentorURL, "?k=", "?k=x", 1)) // forged: opens, records nothing
		joinTarget(t, s.base, menteeURL)
		first := attendance().Attendance.MenteeJoinedAt
		if first == nil || attendance().Attendance.MentorJoinedAt != nil {
			t.Fatalf("after the mentee joined: %+v", attendance().Attendance)
		}
		time.Sleep(1100 * time.Millisecond)
		joinTarget(t, s.base, menteeURL)
		if again := attendance().Attendance.MenteeJoinedAt; again == nil || *again != *first {
			t.Fatalf("a second join moved the first: %v, was %v", again, *first)
		}
		if a := attendance(); a.SuggestedOutcome != nil {
			t.Fatalf("a suggestion before the end: %v", *a.SuggestedOutcome)
		}

		shiftSession(t, st, booked.ID, time.Now().Add(-2*time.Hour), 30)
		if a := attendance(); a.SuggestedOutcome == nil || *a.SuggestedOutcome != "mentor_no_show" || a.Report != nil {
			t.Fatalf("only the mentee joined: suggested %v", a.SuggestedOutcome)
		}
		// After a report there is nothing to suggest.
		if code := admin.do("POST", "/api/v1/bookings/"+booked.ID+"/report", map[string]any{"outcome": "mentor_no_show"}, nil); code != 200 {
			t.Fatalf("report: %d", code)
		}
		if a := attendance(); a.SuggestedOutcome != nil {
			t.Fatalf("a suggestion next to a report: %v", *a.SuggestedOutcome)
		}
		if res := join(t, s.base, "/join/no-such-room"); res.StatusCode != 404 {
			t.Fatalf("an unknown room: %d", res.StatusCode)
		}
	})
}
