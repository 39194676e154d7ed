// Package ics reads a published calendar address (an .ics URL: Outlook's
// "publish calendar", Proton's share link, Google's secret address, any
// webcal:// link) as a read-only source of busy time. Each sync is one
// conditional GET: an unchanged address answers 304 and costs nothing
// more. Answers are bounded in size and time.
//
// The package takes its http.Client from the caller, who guards it
// against internal addresses (every dial, redirects included); it makes no
// policy of its own beyond refusing clear-text redirects from https.
package ics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// Errors returned by this package; test with errors.Is. Transport errors
// keep their cause (e.g. the caller's refusal of a private address).
var (
	// ErrBadURL: the address is not an https (or webcal) URL.
	ErrBadURL = errors.New("the calendar address must be an https:// or webcal:// URL")
	// ErrAuth: the server refuses the address (401/403): a secret address
	// that was reset, or one that needs a sign-in.
	ErrAuth = errors.New("the calendar address is refused by its server (reset, or private)")
	// ErrGone: the address no longer exists (404/410).
	ErrGone = errors.New("the calendar address no longer exists")
	// ErrNotICalendar: the address answers with something else (a web
	// page, a sign-in form).
	ErrNotICalendar = errors.New("the address does not serve an iCalendar file")
	// ErrTooLarge: the calendar is larger than Options.MaxBytes.
	ErrTooLarge = errors.New("the calendar file is too large")
	// ErrUnreachable: DNS, dial, TLS, timeout, or a 5xx answer.
	ErrUnreachable = errors.New("the calendar address is unreachable or failing")
)

// Options configures a feed.
type Options struct {
	// HTTPClient sends the requests; the caller's guard against private
	// addresses belongs in its dialer. Nil means http.DefaultClient's
	// transport, for tests only.
	HTTPClient *http.Client
	// AllowHTTP accepts plain http:// addresses (tests, intranets).
	AllowHTTP bool
	// MaxBytes bounds the calendar file; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds one fetch, body included; 0 means DefaultTimeout.
	Timeout time.Duration
}

const (
	// DefaultMaxBytes holds years of a busy calendar (Google's secret
	// address of a 5,000-event calendar is about 3 MB).
	DefaultMaxBytes = 20 << 20
	// DefaultTimeout is generous for a 20 MB file on a slow link.
	DefaultTimeout = 60 * time.Second
	maxRedirects   = 5
)

// Feed is one published calendar address.
type Feed struct {
	url      *url.URL
	client   *http.Client
	maxBytes int64
	timeout  time.Duration
}

// Open checks the address and prepares the feed; it does no I/O.
// webcal:// is read over https.
func Open(address string, opts Options) (*Feed, error) {
	u, err := ParseAddress(address, opts.AllowHTTP)
	if err != nil {
		return nil, err
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	own := *client
	own.Timeout = 0 // the per-fetch timeout below covers the body too
	own.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refusing redirect from https to %s", req.URL.Redacted())
		}
		return nil
	}
	f := &Feed{url: u, client: &own, maxBytes: opts.MaxBytes, timeout: opts.Timeout}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	return f, nil
}

// ParseAddress validates a calendar address and returns the URL to fetch.
func ParseAddress(address string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(address))
	if err != nil || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: %q", ErrBadURL, Redact(address))
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal", "webcals", "https":
		u.Scheme = "https"
	case "http":
		if !allowHTTP {
			return nil, fmt.Errorf("%w: plain http would expose the calendar", ErrBadURL)
		}
		u.Scheme = "http"
	default:
		return nil, fmt.Errorf("%w: %q", ErrBadURL, Redact(address))
	}
	u.Fragment = ""
	return u, nil
}

// Redact shows an address without its secret parts (path and query hold
// the token of a secret address): scheme, host and "…".
func Redact(address string) string {
	u, err := url.Parse(strings.TrimSpace(address))
	if err != nil || u.Host == "" {
		return "(invalid address)"
	}
	out := u.Scheme + "://" + u.Host + "/"
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		out += "…"
	}
	return out
}

// Key is the key of the feed's single item in a change set.
const Key = "calendar.ics"

// Calendars lists the feed as one read-only calendar, named after its
// X-WR-CALNAME when it has one. It fetches the address once.
func (f *Feed) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	got, err := f.fetch(ctx, validators{})
	if err != nil {
		return nil, err
	}
	name := calendarName(got.body)
	if name == "" {
		name = f.url.Hostname()
	}
	return []calendar.RemoteCalendar{{Ref: Redact(f.url.String()), Name: name, Writable: false}}, nil
}

// Changes fetches the address unless it is unchanged since state (one
// conditional GET: If-None-Match, If-Modified-Since). A changed file is a
// full change set of one item, Key, holding the whole file; a file whose
// content hash the caller already holds in known is no change.
func (f *Feed) Changes(ctx context.Context, _ string, state string, _ calendar.Interval, known map[string]string) (calendar.ChangeSet, error) {
	v := parseValidators(state)
	got, err := f.fetch(ctx, v)
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	if got.notModified {
		return calendar.ChangeSet{State: state}, nil
	}
	next := validators{etag: got.etag, lastModified: got.lastModified}.String()
	sum := sha256.Sum256(got.body)
	hash := hex.EncodeToString(sum[:])
	if etag, ok := known[Key]; ok && etag == hash {
		return calendar.ChangeSet{State: next}, nil
	}
	return calendar.ChangeSet{Full: true, Upserts: []calendar.Item{{Key: Key, ETag: hash, ICS: got.body}}, State: next}, nil
}

// validators are what the server gave to recognise the file next time.
type validators struct{ etag, lastModified string }

// String is the sync state: "etag\nlast-modified".
func (v validators) String() string { return v.etag + "\n" + v.lastModified }

func parseValidators(state string) validators {
	etag, lastModified, _ := strings.Cut(state, "\n")
	return validators{etag: etag, lastModified: lastModified}
}

type fetched struct {
	notModified        bool
	body               []byte
	etag, lastModified string
}

func (f *Feed) fetch(ctx context.Context, v validators) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	where := Redact(f.url.String())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if v.etag != "" {
		req.Header.Set("If-None-Match", v.etag)
	}
	if v.lastModified != "" {
		req.Header.Set("If-Modified-Since", v.lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, transportError(ctx, where, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return &fetched{notModified: true}, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("%w: GET %s: %s", ErrAuth, where, resp.Status)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%w: GET %s: %s", ErrGone, where, resp.Status)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%w: GET %s: %s", ErrUnreachable, where, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: GET %s: %s", ErrNotICalendar, where, resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("%w: GET %s: %d bytes, the limit is %d", ErrTooLarge, where, resp.ContentLength, f.maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, transportError(ctx, where, err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, fmt.Errorf("%w: GET %s: more than %d bytes", ErrTooLarge, where, f.maxBytes)
	}
	if !looksLikeICalendar(body) {
		return nil, fmt.Errorf("%w: GET %s answered %q", ErrNotICalendar, where, resp.Header.Get("Content-Type"))
	}
	return &fetched{body: body, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}, nil
}

// transportError keeps the cause (a refused private address stays
// recognisable) and marks the rest unreachable.
func transportError(ctx context.Context, where string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: GET %s: took longer than allowed: %w", ErrUnreachable, where, err)
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("GET %s: %w", where, err)
	}
	return fmt.Errorf("%w: GET %s: %w", ErrUnreachable, where, err)
}

// looksLikeICalendar checks the first line (after a BOM and blank lines).
func looksLikeICalendar(body []byte) bool {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	body = bytes.TrimLeft(body, " \t\r\n")
	return len(body) >= 15 && strings.EqualFold(string(body[:15]), "BEGIN:VCALENDAR")
}

// calendarName reads X-WR-CALNAME (or RFC 7986 NAME) from the calendar's
// own properties, unescaped, bounded.
func calendarName(body []byte) string {
	for _, line := range strings.Split(string(body[:min(len(body), 8192)]), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "BEGIN:VEVENT") {
			break
		}
		for _, prop := range []string{"X-WR-CALNAME", "NAME"} {
			if rest, ok := strings.CutPrefix(line, prop); ok && (strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, ";")) {
				if _, value, ok := strings.Cut(rest, ":"); ok {
					value = strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\\`, `\`).Replace(value)
					if r := []rune(value); len(r) > 200 {
						value = string(r[:200])
					}
					return strings.TrimSpace(value)
				}
			}
		}
	}
	return ""
}
