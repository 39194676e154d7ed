package video

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rendezvous/rendezvous/providers/video/bbbfake"
)

func newTestBBB(t *testing.T, secret string) (*BBB, *bbbfake.Server) {
	t.Helper()
	fake := bbbfake.Start(t, "shared-secret")
	b, err := NewBBB(fake.APIURL(), secret, "https://rdv.example.org/join/")
	if err != nil {
		t.Fatal(err)
	}
	return b, fake
}

func TestBBBCreateReturnsOurJoinEndpoint(t *testing.T) {
	b, fake := newTestBBB(t, "shared-secret")
	m, err := b.Create(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	if m.URL != "https://rdv.example.org/join/"+m.Room || !roomPattern.MatchString(m.Room) {
		t.Errorf("meeting = %+v", m)
	}
	if calls := fake.Calls(); len(calls) != 0 {
		t.Errorf("Create called BBB (%v); meetings must be created lazily on join", calls)
	}
}

func TestBBBJoinCreatesMeetingOnceAndSignsJoinURL(t *testing.T) {
	b, fake := newTestBBB(t, "shared-secret")
	ctx := context.Background()
	mentorURL, err := b.Join(ctx, "room-1", "Éloïse Straßer", true)
	if err != nil {
		t.Fatal(err)
	}
	// The second participant finds the meeting running: duplicateWarning is
	// a success.
	menteeURL, err := b.Join(ctx, "room-1", "Zoë & co", false)
	if err != nil {
		t.Fatalf("second join: %v", err)
	}
	meetings := fake.Meetings()
	if len(meetings) != 1 || meetings["room-1"].Record != "false" {
		t.Fatalf("meetings = %+v", meetings)
	}
	for url, role := range map[string]string{mentorURL: "MODERATOR", menteeURL: "VIEWER"} {
		if !strings.HasPrefix(url, fake.URL+"/bigbluebutton/api/join?") {
			t.Errorf("join URL %q", url)
		}
		body := get(t, url)
		if !strings.Contains(body, "<returncode>SUCCESS</returncode>") || !strings.Contains(body, role) {
			t.Errorf("fake BBB refused the %s join URL: %s", role, body)
		}
	}
	if calls := fake.Calls(); strings.Join(calls, ",") != "create,create,join,join" {
		t.Errorf("calls = %v", calls)
	}
}

func TestBBBWrongSecretIsAChecksumError(t *testing.T) {
	b, _ := newTestBBB(t, "not-the-secret")
	_, err := b.Join(context.Background(), "room-1", "Zoë", false)
	var bbbErr *BBBError
	if !errors.As(err, &bbbErr) || bbbErr.Key != "checksumError" || bbbErr.Call != "create" {
		t.Fatalf("err = %v, want a checksumError from create", err)
	}
}

func TestFakeBBBRejectsTamperedQuery(t *testing.T) {
	b, fake := newTestBBB(t, "shared-secret")
	if err := b.CreateMeeting(context.Background(), "room-2", "Session"); err != nil {
		t.Fatal(err)
	}
	signed := b.JoinURL("room-2", "Zoë", false)
	tampered := strings.Replace(signed, "role=VIEWER", "role=MODERATOR", 1)
	if body := get(t, tampered); !strings.Contains(body, "checksumError") {
		t.Errorf("tampered URL accepted: %s", body)
	}
	u, _ := url.Parse(signed)
	q := u.Query()
	q.Del("checksum")
	if body := get(t, fake.URL+u.Path+"?"+q.Encode()); !strings.Contains(body, "checksumError") {
		t.Errorf("unsigned URL accepted: %s", body)
	}
}

func TestChecksumMatchesBBBDocumentation(t *testing.T) {
	// The API documentation's example (its sha1 is 1fcbb0c4fc1f…); the
	// sha256 of the same string was computed independently with Python's
	// hashlib.
	got := Checksum("create", "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444", "639259d4-9dd8-4b25-bf01-95f9567eaf4b")
	if want := "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"; got != want {
		t.Errorf("checksum = %s, want %s", got, want)
	}
}

func TestBBBAcceptsAPIURLForms(t *testing.T) {
	for _, server := range []string{"https://bbb.example.org/bigbluebutton", "https://bbb.example.org/bigbluebutton/api/"} {
		b, err := NewBBB(server, "s", "https://rdv.example.org/join")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.JoinURL("r", "n", false), "https://bbb.example.org/bigbluebutton/api/join?") {
			t.Errorf("%s: join URL %s", server, b.JoinURL("r", "n", false))
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
