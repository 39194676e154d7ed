package video

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// BBB is a BigBlueButton API client and provider. Meetings are created
// lazily: a session's link points at Rendezvous' own join endpoint, which
// calls Join when someone arrives, because BBB discards meetings nobody
// joins within minutes of their creation.
type BBB struct {
	apiURL   string // ends with "/api/"
	secret   string
	joinBase string
	client   *http.Client
}

// BBBOption adjusts a BBB client.
type BBBOption func(*BBB)

// WithBBBHTTPClient replaces the HTTP client (default: 15 s timeout).
func WithBBBHTTPClient(c *http.Client) BBBOption { return func(b *BBB) { b.client = c } }

// NewBBB accepts the server URL as printed by `bbb-conf --secret`
// (https://host/bigbluebutton/) or its API URL (…/bigbluebutton/api).
// joinBaseURL is Rendezvous' join endpoint, e.g. BASE_URL + "/join".
func NewBBB(serverURL, secret, joinBaseURL string, opts ...BBBOption) (*BBB, error) {
	u, err := parseHTTPURL(serverURL)
	if err != nil {
		return nil, fmt.Errorf("video: bbb: server: %w", err)
	}
	if secret == "" {
		return nil, fmt.Errorf("video: bbb: the shared secret is required")
	}
	join, err := parseHTTPURL(joinBaseURL)
	if err != nil {
		return nil, fmt.Errorf("video: bbb: join base URL: %w", err)
	}
	path := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(path, "/api") {
		path += "/api"
	}
	u.Path, u.RawQuery, u.Fragment = path+"/", "", ""
	b := &BBB{
		apiURL:   u.String(),
		secret:   secret,
		joinBase: strings.TrimSuffix(join.String(), "/"),
		client:   &http.Client{Timeout: 15 * time.Second},
	}
	for _, opt := range opts {
		opt(b)
	}
	return b, nil
}

func (b *BBB) Name() string { return KindBBB }

// Create reserves a meeting ID and returns our join endpoint for it; nothing
// is created at BigBlueButton yet.
func (b *BBB) Create(ctx context.Context, _ MeetingRequest) (Meeting, error) {
	if err := ctx.Err(); err != nil {
		return Meeting{}, err
	}
	room, err := NewRoomName()
	if err != nil {
		return Meeting{}, err
	}
	return Meeting{Room: room, URL: b.joinBase + "/" + url.PathEscape(room)}, nil
}

// Join creates the meeting if it is not running yet, then returns the signed
// URL to redirect the participant to: moderator for the mentor, viewer for
// the mentee.
func (b *BBB) Join(ctx context.Context, meetingID, fullName string, moderator bool) (string, error) {
	if err := b.CreateMeeting(ctx, meetingID, "Rendezvous mentoring session"); err != nil {
		return "", err
	}
	return b.JoinURL(meetingID, fullName, moderator), nil
}

// CreateMeeting calls the create API. It is idempotent: BBB answers SUCCESS
// (with messageKey duplicateWarning) for a meeting that already exists with
// the same passwords, and ours are derived from the meeting ID.
func (b *BBB) CreateMeeting(ctx context.Context, meetingID, name string) error {
	if meetingID == "" {
		return errEmptyRoom
	}
	params := url.Values{
		"meetingID":   {meetingID},
		"name":        {name},
		"record":      {"false"},
		"attendeePW":  {b.password(meetingID, false)},
		"moderatorPW": {b.password(meetingID, true)},
	}
	_, err := b.call(ctx, "create", params)
	return err
}

// JoinURL returns the signed join link. It sends both the role (BBB ≥ 2.6)
// and the matching password (older servers).
func (b *BBB) JoinURL(meetingID, fullName string, moderator bool) string {
	role := "VIEWER"
	if moderator {
		role = "MODERATOR"
	}
	return b.signedURL("join", url.Values{
		"meetingID": {meetingID},
		"fullName":  {fullName},
		"role":      {role},
		"password":  {b.password(meetingID, moderator)},
		"redirect":  {"true"},
	})
}

// Checksum is BBB's request signature: hex(sha256(call + query + secret)),
// where query is the exact query string sent, without the checksum.
func Checksum(call, query, secret string) string {
	sum := sha256.Sum256([]byte(call + query + secret))
	return hex.EncodeToString(sum[:])
}

func (b *BBB) signedURL(call string, params url.Values) string {
	query := params.Encode()
	return b.apiURL + call + "?" + query + "&checksum=" + Checksum(call, query, b.secret)
}

// password derives a stable per-meeting password from the shared secret, so
// that every server process computes the same one without storing it.
func (b *BBB) password(meetingID string, moderator bool) string {
	role := "attendee"
	if moderator {
		role = "moderator"
	}
	mac := hmac.New(sha256.New, []byte(b.secret))
	mac.Write([]byte("rendezvous-bbb/" + role + "/" + meetingID))
	return hex.EncodeToString(mac.Sum(nil))[:24]
}

// BBBResponse is the common part of BigBlueButton's XML answers.
type BBBResponse struct {
	XMLName    xml.Name `xml:"response"`
	ReturnCode string   `xml:"returncode"`
	MeetingID  string   `xml:"meetingID"`
	MessageKey string   `xml:"messageKey"`
	Message    string   `xml:"message"`
}

// BBBError is a FAILED answer from the API (messageKey such as
// checksumError, idNotUnique, notFound).
type BBBError struct {
	Call, Key, Message string
}

func (e *BBBError) Error() string {
	return fmt.Sprintf("video: bbb %s failed: %s: %s", e.Call, e.Key, e.Message)
}

func (b *BBB) call(ctx context.Context, call string, params url.Values) (*BBBResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.signedURL(call, params), nil)
	if err != nil {
		return nil, fmt.Errorf("video: bbb %s: %w", call, err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("video: bbb %s: %w", call, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("video: bbb %s: read answer: %w", call, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("video: bbb %s: HTTP %s", call, resp.Status)
	}
	var r BBBResponse
	if err := xml.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("video: bbb %s: unreadable answer: %w", call, err)
	}
	if r.ReturnCode != "SUCCESS" {
		return &r, &BBBError{Call: call, Key: r.MessageKey, Message: r.Message}
	}
	return &r, nil
}
