package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/mail/smtptest"
	"github.com/rendezvous/rendezvous/providers/video/bbbfake"
)

// TestBigBlueButtonJoin: links point at our join endpoint, which creates
// the meeting on first use (checksums verified by the fake) and admits
// the mentee as viewer and the mentor, through their own link, as
// moderator.
func TestBigBlueButtonJoin(t *testing.T) {
	bbb := bbbfake.Start(t, "bbb-shared-secret")
	smtp := smtptest.StartServer(t, smtptest.Options{})
	s := startServe(t, storetest.SQLite(t), map[string]string{
		"RENDEZVOUS_VIDEO": "bbb", "RENDEZVOUS_BBB_URL": bbb.APIURL(), "RENDEZVOUS_BBB_SECRET": "bbb-shared-secret",
		"RENDEZVOUS_SMTP_URL": smtp.URL(), "RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, nil)
	anon := client{t: t, base: s.base}
	link := linkOf(*m.BookingURL)
	var b bookingAnswer
	if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": firstSlot(t, anon, link, "UTC"), "name": "Mia", "email": "mia@example.org"}, &b); st != 201 {
		t.Fatalf("book: %d", st)
	}
	if !strings.Contains(b.VideoURL, "/join/") {
		t.Fatalf("video URL %q does not go through the join endpoint", b.VideoURL)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	joinAs := func(videoURL string) url.Values {
		t.Helper()
		local := s.base + videoURL[strings.Index(videoURL, "/join/"):]
		res, err := noRedirect.Get(local)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound {
			t.Fatalf("join %s: %d", local, res.StatusCode)
		}
		target, _ := url.Parse(res.Header.Get("Location"))
		return target.Query()
	}
	viewer := joinAs(b.VideoURL)
	if viewer.Get("role") != "VIEWER" || viewer.Get("fullName") != "Mia" {
		t.Fatalf("mentee joins as %v", viewer)
	}
	if len(bbb.Meetings()) != 1 {
		t.Fatalf("meetings created: %d, want 1", len(bbb.Meetings()))
	}
	// The mentor's invite carries their moderator link.
	var mentorURL string
	for _, msg := range waitMailRaw(t, smtp, 2) {
		if strings.Contains(strings.Join(msg.To, ","), "grace@example.org") {
			mentorURL = regexp.MustCompile(`https?://[^\s"<>]+/join/[^\s"<>]+k=[A-Za-z0-9_-]+`).FindString(decodedText(t, msg.Data))
		}
	}
	if mentorURL == "" {
		t.Fatal("the mentor's invite has no moderator link")
	}
	if mod := joinAs(mentorURL); mod.Get("role") != "MODERATOR" || mod.Get("fullName") != "Grace Hopper" {
		t.Fatalf("mentor joins as %v", mod)
	}
	forged := joinAs(b.VideoURL + "?k=forged")
	if forged.Get("role") != "VIEWER" {
		t.Fatalf("a forged key made %v", forged)
	}
}
