package video

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The token is valid from shortly before the session until a while after
// its planned end, so that early arrivals and overruns still get in, but an
// old invitation no longer opens the room.
const (
	jitsiEarlyJoin = 10 * time.Minute
	jitsiOverrun   = 30 * time.Minute
)

// Jitsi links to rooms on a Jitsi Meet instance. With an app id and secret
// (a self-hosted Jitsi with token authentication, see PITFALLS), links carry
// a signed JWT; meet.jit.si itself needs a signed-in moderator.
type Jitsi struct {
	base   *url.URL
	appID  string
	secret []byte
}

// NewJitsi validates the base URL (empty: meet.jit.si); appID and secret go
// together.
func NewJitsi(baseURL, appID, secret string) (*Jitsi, error) {
	if strings.TrimSpace(baseURL) == "" {
		baseURL = DefaultJitsiURL
	}
	u, err := parseHTTPURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("video: jitsi: %w", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	if (appID == "") != (secret == "") {
		return nil, fmt.Errorf("video: jitsi: app id and secret must be set together")
	}
	return &Jitsi{base: u, appID: appID, secret: []byte(secret)}, nil
}

func (j *Jitsi) Name() string { return KindJitsi }

// Create picks a random room. The link is shared by both parties, so its
// token names no one: Jitsi then asks each participant for a display name.
// Use SignedURL for personal links.
func (j *Jitsi) Create(ctx context.Context, r MeetingRequest) (Meeting, error) {
	if err := ctx.Err(); err != nil {
		return Meeting{}, err
	}
	room, err := NewRoomName()
	if err != nil {
		return Meeting{}, err
	}
	link, err := j.SignedURL(room, "", r.Start, r.End)
	if err != nil {
		return Meeting{}, err
	}
	return Meeting{Room: room, URL: link}, nil
}

// SignedURL returns the room's link; when the instance uses tokens, with a
// JWT valid from start-10min to end+30min that carries displayName.
func (j *Jitsi) SignedURL(room, displayName string, start, end time.Time) (string, error) {
	if room == "" {
		return "", errEmptyRoom
	}
	u := *j.base
	u.Path = j.base.Path + "/" + room
	if j.appID == "" {
		return u.String(), nil
	}
	if start.IsZero() || !end.After(start) {
		return "", fmt.Errorf("video: jitsi: token needs a session start before its end")
	}
	claims := jwt.MapClaims{
		"iss":  j.appID,
		"aud":  "jitsi",
		"sub":  j.base.Hostname(),
		"room": room,
		"nbf":  start.Add(-jitsiEarlyJoin).Unix(),
		"exp":  end.Add(jitsiOverrun).Unix(),
		// Jitsi's prosody token plugin chokes on non-string values here.
		"context": map[string]any{
			"user": map[string]string{"name": displayName},
		},
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(j.secret)
	if err != nil {
		return "", fmt.Errorf("video: jitsi: sign token: %w", err)
	}
	u.RawQuery = url.Values{"jwt": {token}}.Encode()
	return u.String(), nil
}
