package google

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	calendarapi "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/rendezvous/rendezvous/calendar"
)

// requestTimeout is a safety net for callers whose context has no
// deadline; normal calls are bounded by their context.
const requestTimeout = time.Minute

// Client talks to the Calendar v3 API on behalf of one connection.
type Client struct {
	svc   *calendarapi.Service
	retry RetryPolicy
}

// NewClient builds a Calendar client. ts authenticates every request (use
// a *TokenSource so refreshes are persisted); it may be nil when opts
// carry their own credentials or HTTP client. opts come after ours, so
// option.WithHTTPClient in opts replaces ts, and option.WithEndpoint
// points the client at a fake (it replaces the whole base path,
// including /calendar/v3).
func NewClient(ctx context.Context, ts oauth2.TokenSource, opts ...option.ClientOption) (*Client, error) {
	all := make([]option.ClientOption, 0, len(opts)+1)
	if ts != nil {
		// Our own transport rather than option.WithTokenSource: the
		// library's auth adapter rewrites token errors and would hide
		// ErrInvalidGrant.
		all = append(all, option.WithHTTPClient(&http.Client{
			Transport: &oauth2.Transport{Source: ts, Base: http.DefaultTransport},
			Timeout:   requestTimeout,
		}))
	}
	all = append(all, opts...)
	svc, err := calendarapi.NewService(ctx, all...)
	if err != nil {
		return nil, fmt.Errorf("google: new calendar client: %w", err)
	}
	return &Client{svc: svc, retry: DefaultRetryPolicy()}, nil
}

// WithRetry returns a copy of c using p for rate limits and 5xx answers.
func (c *Client) WithRetry(p RetryPolicy) *Client {
	cp := *c
	cp.retry = p
	return &cp
}

// Calendars lists the calendars the user can read. Calendars shared only
// as free/busy are left out: their events cannot be listed, and they are
// other people's time, not the mentor's. Hidden and deleted entries are
// left out by Google itself.
func (c *Client) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	var out []calendar.RemoteCalendar
	pageToken := ""
	for {
		var page *calendarapi.CalendarList
		err := c.retry.do(ctx, "google: list calendars", func() (err error) {
			page, err = c.svc.CalendarList.List().
				MinAccessRole("reader").MaxResults(250).PageToken(pageToken).
				Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, e := range page.Items {
			if e.Deleted || e.AccessRole == "freeBusyReader" || e.AccessRole == "none" {
				continue
			}
			name := e.SummaryOverride
			if name == "" {
				name = e.Summary
			}
			out = append(out, calendar.RemoteCalendar{
				Ref:      e.Id,
				Name:     name,
				Default:  e.Primary,
				Writable: e.AccessRole == "owner" || e.AccessRole == "writer",
			})
		}
		if page.NextPageToken == "" {
			return out, nil
		}
		pageToken = page.NextPageToken
	}
}
