// Package video creates the video-call link of a mentoring session. One
// provider is chosen per deployment (RENDEZVOUS_VIDEO) and may be overridden
// per mentor by building another one with New.
package video

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Provider kinds, as written in RENDEZVOUS_VIDEO.
const (
	KindJitsi      = "jitsi"
	KindBBB        = "bbb"
	KindGoogleMeet = "google_meet"
	KindTemplate   = "template"
	KindNone       = "none"
)

// Meeting is what a session stores about its call.
type Meeting struct {
	// Room identifies the call at the provider (Jitsi room, BBB meetingID).
	Room string
	// URL is the link given to both parties; empty when the session has no
	// call (none) or when the link comes from elsewhere (google_meet).
	URL string
}

// MeetingRequest describes the session a meeting is created for.
type MeetingRequest struct {
	SessionID  string
	Start, End time.Time
	MentorName string
	MenteeName string
}

// Provider creates meetings. Create must be cheap and safe to call again for
// a rescheduled session: it returns a fresh meeting each time.
type Provider interface {
	Name() string
	Create(ctx context.Context, r MeetingRequest) (Meeting, error)
}

// Config selects and configures a provider; it mirrors the RENDEZVOUS_VIDEO*
// and RENDEZVOUS_JITSI_*/BBB_* settings.
type Config struct {
	// Kind is one of jitsi, bbb, google_meet, template, none; empty means
	// jitsi, the documented default.
	Kind        string
	JitsiURL    string // default https://meet.jit.si
	JitsiAppID  string
	JitsiSecret string
	BBBURL      string
	BBBSecret   string
	// Template is a URL containing {room}, for the template kind.
	Template string
	// JoinBaseURL is Rendezvous' own join endpoint (BASE_URL + "/join"):
	// BBB links point there so the meeting is created only when someone
	// joins.
	JoinBaseURL string
}

// DefaultJitsiURL is the public Jitsi instance used when none is configured.
const DefaultJitsiURL = "https://meet.jit.si"

// New builds the provider named by cfg.Kind.
func New(cfg Config) (Provider, error) {
	switch strings.ToLower(strings.TrimSpace(cfg.Kind)) {
	case "", KindJitsi:
		return NewJitsi(cfg.JitsiURL, cfg.JitsiAppID, cfg.JitsiSecret)
	case KindBBB:
		return NewBBB(cfg.BBBURL, cfg.BBBSecret, cfg.JoinBaseURL)
	case KindTemplate:
		return NewTemplate(cfg.Template)
	case KindGoogleMeet:
		return GoogleMeet{}, nil
	case KindNone:
		return None{}, nil
	default:
		return nil, fmt.Errorf("video: unknown provider %q (want jitsi, bbb, google_meet, template or none)", cfg.Kind)
	}
}

// NewRoomName returns an unguessable room name: 128 random bits in
// lower-case base32 (26 characters). Rooms on public instances are open to
// whoever knows the name, so the name is the only protection.
func NewRoomName() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("video: generate room name: %w", err)
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	return "rendezvous-" + strings.ToLower(enc.EncodeToString(b[:])), nil
}

// None gives sessions no call.
type None struct{}

func (None) Name() string { return KindNone }

func (None) Create(context.Context, MeetingRequest) (Meeting, error) { return Meeting{}, nil }

// GoogleMeet returns a meeting with a room name and no link: the Meet link
// is created by the Google Calendar write-back (conferenceData), and the
// core asks it for the link when the provider's Name is "google_meet". The
// room names the session at Rendezvous' own join endpoint.
type GoogleMeet struct{}

func (GoogleMeet) Name() string { return KindGoogleMeet }

func (GoogleMeet) Create(ctx context.Context, _ MeetingRequest) (Meeting, error) {
	if err := ctx.Err(); err != nil {
		return Meeting{}, err
	}
	room, err := NewRoomName()
	if err != nil {
		return Meeting{}, err
	}
	return Meeting{Room: room}, nil
}

// Template builds links from a URL template such as
// https://video.example.org/{room}.
type Template struct {
	template string
}

// roomPlaceholder is replaced by the (path-escaped) room name.
const roomPlaceholder = "{room}"

// NewTemplate checks that tmpl is an absolute http(s) URL with {room}.
func NewTemplate(tmpl string) (*Template, error) {
	if !strings.Contains(tmpl, roomPlaceholder) {
		return nil, fmt.Errorf("video: template %q has no %s placeholder", tmpl, roomPlaceholder)
	}
	if _, err := parseHTTPURL(strings.ReplaceAll(tmpl, roomPlaceholder, "room")); err != nil {
		return nil, fmt.Errorf("video: template: %w", err)
	}
	return &Template{template: tmpl}, nil
}

func (t *Template) Name() string { return KindTemplate }

func (t *Template) Create(ctx context.Context, _ MeetingRequest) (Meeting, error) {
	if err := ctx.Err(); err != nil {
		return Meeting{}, err
	}
	room, err := NewRoomName()
	if err != nil {
		return Meeting{}, err
	}
	return Meeting{Room: room, URL: strings.ReplaceAll(t.template, roomPlaceholder, url.PathEscape(room))}, nil
}

// parseHTTPURL accepts only absolute http and https URLs: these links end up
// in mails and calendar entries, where anything else is a hazard.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("URL %q must be absolute http(s)", raw)
	}
	return u, nil
}

var errEmptyRoom = errors.New("video: empty room name")
