package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestMentorFeed subscribes to a mentor's feed as real clients do:
// conditional GETs, python's icalendar, and vdirsyncer syncing it to disk.
func TestMentorFeed(t *testing.T) {
	s := startServe(t, storetest.SQLite(t), map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789"})
	defer s.stop()
	admin := client{t: t, base: s.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, map[string]any{"name": "Grace <b>Hopper</b> & co"})
	anon := client{t: t, base: s.base}
	link := linkOf(*m.BookingURL)
	free := slotsOf(t, anon, link, "UTC")
	var kept, dropped bookingAnswer
	anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[0], "name": "Zoé 李", "email": "zoe@example.org"}, &kept)
	anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": free[3], "name": "Bo", "email": "bo@example.org"}, &dropped)
	if st := anon.do("POST", "/api/v1/manage/"+linkOf(dropped.ManageURL)+"/cancel", map[string]string{}, nil); st != 200 {
		t.Fatalf("cancel: %d", st)
	}
	feedURL := s.base + m.FeedURL[strings.Index(m.FeedURL, "/feeds/"):]

	res, body := get(t, feedURL, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"UID:" + kept.ID, "UID:" + dropped.ID, "STATUS:CANCELLED", "X-WR-CALNAME", "REFRESH-INTERVAL"} {
		if !strings.Contains(body, want) {
			t.Errorf("feed lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "METHOD:") {
		t.Error("a feed must carry no METHOD")
	}
	etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if etag == "" || modified == "" {
		t.Fatalf("validators: ETag %q Last-Modified %q", etag, modified)
	}
	if res, _ := get(t, feedURL, map[string]string{"If-None-Match": etag}); res.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
	if res, _ := get(t, feedURL, map[string]string{"If-Modified-Since": modified}); res.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d, want 304", res.StatusCode)
	}
	// A change gives a new ETag.
	anon.do("POST", "/api/v1/manage/"+linkOf(kept.ManageURL)+"/reschedule", map[string]string{"start": free[5]}, nil)
	if res, _ := get(t, feedURL, map[string]string{"If-None-Match": etag}); res.StatusCode != 200 {
		t.Errorf("changed feed answered %d to the old ETag", res.StatusCode)
	}

	checkWithPython(t, body)
	checkWithVdirsyncer(t, feedURL, "mailto:zoe@example.org", "mailto:bo@example.org")

	var rotated struct {
		FeedURL string `json:"feed_url"`
	}
	admin.do("POST", "/api/v1/mentors/"+m.ID+"/feed-token", nil, &rotated)
	if res, _ := get(t, feedURL, nil); res.StatusCode != 404 {
		t.Errorf("old feed URL after rotation: %d, want 404", res.StatusCode)
	}
	if res, _ := get(t, s.base+rotated.FeedURL[strings.Index(rotated.FeedURL, "/feeds/"):], nil); res.StatusCode != 200 {
		t.Errorf("new feed URL: %d", res.StatusCode)
	}
}

func get(t *testing.T, url string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// checkWithPython parses the feed with Debian's python3-icalendar.
func checkWithPython(t *testing.T, body string) {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		storetest.Unavailable(t, "python3-icalendar is not installed (apt-get install python3-icalendar)")
		return
	}
	script := `import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = [c for c in cal.walk("VEVENT")]
assert events, "no events"
for e in events:
    assert e.get("UID") and e.get("DTSTART") and e.get("DTEND") and e.get("DTSTAMP"), e
print(len(events))`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "2" {
		t.Fatalf("python icalendar: %v %s", err, out)
	}
}

// checkWithVdirsyncer syncs the feed into a folder with vdirsyncer's http
// storage and expects one file per session, found by its attendee
// (vdirsyncer 0.19's http storage replaces every UID by a content hash).
func checkWithVdirsyncer(t *testing.T, feedURL string, attendees ...string) {
	t.Helper()
	bin, err := exec.LookPath("vdirsyncer")
	if err != nil {
		storetest.Unavailable(t, "vdirsyncer is not installed (apt-get install vdirsyncer)")
		return
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "local")
	os.MkdirAll(local, 0o700)
	conf := fmt.Sprintf(`[general]
status_path = "%s/status/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null

[storage feed_remote]
type = "http"
url = "%s"

[storage feed_local]
type = "filesystem"
path = "%s/"
fileext = ".ics"
`, dir, feedURL, local)
	confPath := filepath.Join(dir, "config")
	os.WriteFile(confPath, []byte(conf), 0o600)
	for _, args := range [][]string{{"discover", "feed"}, {"sync"}} {
		cmd := exec.Command(bin, append([]string{"-c", confPath}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(local, "*.ics"))
	if len(files) != len(attendees) {
		t.Fatalf("vdirsyncer wrote %d files, want %d", len(files), len(attendees))
	}
	var all strings.Builder
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all.WriteString(strings.NewReplacer("\r\n ", "", "\n ", "").Replace(string(b))) // unfold
	}
	for _, a := range attendees {
		if !strings.Contains(all.String(), a) {
			t.Errorf("vdirsyncer did not sync the session of %s:\n%s", a, all.String())
		}
	}
}
