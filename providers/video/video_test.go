package video

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var sessionStart = time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)

func request() MeetingRequest {
	return MeetingRequest{SessionID: "s1", Start: sessionStart, End: sessionStart.Add(30 * time.Minute),
		MentorName: "Éloïse", MenteeName: "Zoë"}
}

var roomPattern = regexp.MustCompile(`^rendezvous-[a-z2-7]{26}$`)

func TestNewRoomNameIsRandomAndURLSafe(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		room, err := NewRoomName()
		if err != nil {
			t.Fatal(err)
		}
		if !roomPattern.MatchString(room) {
			t.Fatalf("room %q does not look like 128 bits of base32", room)
		}
		if seen[room] {
			t.Fatalf("room %q generated twice", room)
		}
		seen[room] = true
	}
}

func TestNewSelectsProvider(t *testing.T) {
	cases := []struct {
		cfg  Config
		name string
	}{
		{Config{}, KindJitsi},
		{Config{Kind: "jitsi", JitsiURL: "https://jitsi.example.org"}, KindJitsi},
		{Config{Kind: "BBB", BBBURL: "https://bbb.example.org/bigbluebutton/", BBBSecret: "s", JoinBaseURL: "https://rdv.example.org/join"}, KindBBB},
		{Config{Kind: "template", Template: "https://video.example.org/{room}"}, KindTemplate},
		{Config{Kind: "google_meet"}, KindGoogleMeet},
		{Config{Kind: "none"}, KindNone},
	}
	for _, tc := range cases {
		p, err := New(tc.cfg)
		if err != nil {
			t.Fatalf("New(%+v): %v", tc.cfg, err)
		}
		if p.Name() != tc.name {
			t.Errorf("New(%q).Name() = %q, want %q", tc.cfg.Kind, p.Name(), tc.name)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := map[string]Config{
		"unknown kind":         {Kind: "zoom"},
		"template no room":     {Kind: "template", Template: "https://video.example.org/x"},
		"template not http":    {Kind: "template", Template: "javascript:{room}"},
		"jitsi half secret":    {Kind: "jitsi", JitsiAppID: "app"},
		"jitsi bad url":        {Kind: "jitsi", JitsiURL: "meet.example.org"},
		"bbb without secret":   {Kind: "bbb", BBBURL: "https://bbb.example.org/bigbluebutton/", JoinBaseURL: "https://rdv/join"},
		"bbb without join url": {Kind: "bbb", BBBURL: "https://bbb.example.org/bigbluebutton/", BBBSecret: "s"},
	}
	for name, cfg := range cases {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if _, err := New(Config{Kind: "zoom"}); err == nil || !strings.Contains(err.Error(), `"zoom"`) {
		t.Errorf("unknown kind error %v does not name the kind", err)
	}
}

func TestEmptyProviders(t *testing.T) {
	m, err := None{}.Create(context.Background(), request())
	if err != nil || m != (Meeting{}) {
		t.Errorf("none: Create = %+v, %v; want an empty meeting", m, err)
	}
	// Meet's link comes later from Google; the room names the session
	// at the join endpoint.
	m, err = GoogleMeet{}.Create(context.Background(), request())
	if err != nil || m.URL != "" || !strings.HasPrefix(m.Room, "rendezvous-") {
		t.Errorf("google_meet: Create = %+v, %v; want a room without a link", m, err)
	}
}

func TestTemplate(t *testing.T) {
	p, err := NewTemplate("https://video.example.org/rooms/{room}?lang=fr")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Create(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	if !roomPattern.MatchString(m.Room) {
		t.Errorf("room %q", m.Room)
	}
	if want := "https://video.example.org/rooms/" + m.Room + "?lang=fr"; m.URL != want {
		t.Errorf("URL = %q, want %q", m.URL, want)
	}
}

func TestJitsiWithoutToken(t *testing.T) {
	p, err := NewJitsi("", "", "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Create(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	if m.URL != "https://meet.jit.si/"+m.Room || !roomPattern.MatchString(m.Room) {
		t.Errorf("meeting = %+v", m)
	}
}

func TestJitsiSignedToken(t *testing.T) {
	p, err := NewJitsi("https://jitsi.example.org:8443/", "rendezvous", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Create(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "jitsi.example.org:8443" || u.Path != "/"+m.Room {
		t.Errorf("URL = %q", m.URL)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(u.Query().Get("jwt"), claims,
		func(*jwt.Token) (any, error) { return []byte("s3cret"), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience("jitsi"), jwt.WithIssuer("rendezvous"),
		jwt.WithSubject("jitsi.example.org"), jwt.WithExpirationRequired(), jwt.WithNotBeforeRequired(),
		jwt.WithTimeFunc(func() time.Time { return sessionStart }))
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	if claims["room"] != m.Room {
		t.Errorf("room claim = %v, want %s", claims["room"], m.Room)
	}
	nbf, _ := claims.GetNotBefore()
	exp, _ := claims.GetExpirationTime()
	if !nbf.Time.Equal(sessionStart.Add(-10*time.Minute)) || !exp.Time.Equal(sessionStart.Add(60*time.Minute)) {
		t.Errorf("validity %v – %v, want start-10min – end+30min", nbf, exp)
	}
	user, ok := claims["context"].(map[string]any)["user"].(map[string]any)
	if !ok {
		t.Fatalf("context.user missing: %v", claims["context"])
	}
	if _, isString := user["name"].(string); !isString {
		t.Errorf("context.user.name is not a string: %#v", user["name"])
	}

	personal, err := p.SignedURL(m.Room, "Zoë <script>", sessionStart, sessionStart.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(personal)
	claims = jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(pu.Query().Get("jwt"), claims,
		func(*jwt.Token) (any, error) { return []byte("s3cret"), nil },
		jwt.WithTimeFunc(func() time.Time { return sessionStart })); err != nil {
		t.Fatal(err)
	}
	if got := claims["context"].(map[string]any)["user"].(map[string]any)["name"]; got != "Zoë <script>" {
		t.Errorf("display name = %v", got)
	}
	// The token no longer opens the room long after the session.
	if _, err := jwt.Parse(pu.Query().Get("jwt"), func(*jwt.Token) (any, error) { return []byte("s3cret"), nil },
		jwt.WithTimeFunc(func() time.Time { return sessionStart.Add(3 * time.Hour) })); err == nil {
		t.Error("token still valid 3 hours after the start")
	}
}
