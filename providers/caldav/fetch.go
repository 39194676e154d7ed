package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rendezvous/rendezvous/calendar"
)

// multigetBatch bounds the hrefs of one calendar-multiget: big enough that a
// 1,000-event full sync takes a dozen requests, small enough for servers
// that cap request sizes.
const multigetBatch = 200

// fetch downloads the raw iCalendar data of members with
// calendar-multiget. It returns the items and the keys of members that
// vanished meanwhile. Objects are not parsed here: the core decodes them,
// so one malformed object cannot fail the sync.
func (c *Conn) fetch(ctx context.Context, calURL *url.URL, members []member) ([]calendar.Item, []string, error) {
	var items []calendar.Item
	var gone []string
	for start := 0; start < len(members); start += multigetBatch {
		batch := members[start:min(start+multigetBatch, len(members))]
		got, missing, err := c.multigetSplitting(ctx, calURL, batch)
		if err != nil {
			var se *StatusError
			if !errors.As(err, &se) || errors.Is(err, ErrAuth) {
				return nil, nil, err
			}
			// Some servers fail a whole multiget over one object they
			// cannot serialize: fetch this batch one by one.
			got, missing, err = c.getEach(ctx, batch)
			if err != nil {
				return nil, nil, err
			}
		}
		items = append(items, got...)
		gone = append(gone, missing...)
	}
	return items, gone, nil
}

// multigetSplitting fetches a batch, in halves when its answer is over
// maxObjectBytes, down to one object; one object that large is
// ErrTooLarge.
func (c *Conn) multigetSplitting(ctx context.Context, calURL *url.URL, batch []member) ([]calendar.Item, []string, error) {
	items, gone, err := c.multiget(ctx, calURL, batch)
	if !errors.Is(err, ErrTooLarge) {
		return items, gone, err
	}
	if len(batch) == 1 {
		return nil, nil, fmt.Errorf("%w: the event object %s is larger than %d MiB", ErrTooLarge, batch[0].key, maxObjectBytes>>20)
	}
	half := len(batch) / 2
	items, gone, err = c.multigetSplitting(ctx, calURL, batch[:half])
	if err != nil {
		return nil, nil, err
	}
	more, moreGone, err := c.multigetSplitting(ctx, calURL, batch[half:])
	if err != nil {
		return nil, nil, err
	}
	return append(items, more...), append(gone, moreGone...), nil
}

func (c *Conn) multiget(ctx context.Context, calURL *url.URL, batch []member) ([]calendar.Item, []string, error) {
	hrefs := make([]string, len(batch))
	for i, m := range batch {
		u, err := c.resolve(m.key)
		if err != nil {
			return nil, nil, err
		}
		// A path when on the calendar's host: some servers reject full URLs.
		hrefs[i] = u.String()
		if strings.EqualFold(u.Host, calURL.Host) {
			hrefs[i] = u.EscapedPath()
		}
	}
	ms, here, err := c.davRequestCapped(ctx, "REPORT", calURL, "1", multigetBody(hrefs), maxObjectBytes)
	if err != nil {
		return nil, nil, err
	}
	wanted := make(map[string]bool, len(batch))
	for _, m := range batch {
		wanted[m.key] = true
	}
	var items []calendar.Item
	for _, r := range ms.Responses {
		u, err := here.Parse(strings.TrimSpace(r.Href))
		if err != nil {
			continue
		}
		key := c.refOf(u)
		prop := r.props()
		if !wanted[key] || prop.CalendarData == nil {
			continue // absent (404) or unreadable: reported as gone below
		}
		delete(wanted, key)
		items = append(items, calendar.Item{Key: key, ETag: prop.ETag, ICS: prop.CalendarData.Data})
	}
	var gone []string
	for _, m := range batch {
		if wanted[m.key] {
			gone = append(gone, m.key)
		}
	}
	return items, gone, nil
}

// getEach fetches objects by GET. An object the server fails to serve is
// skipped (and so dropped from a full sync) rather than failing the rest.
func (c *Conn) getEach(ctx context.Context, batch []member) ([]calendar.Item, []string, error) {
	var items []calendar.Item
	var gone []string
	for _, m := range batch {
		u, err := c.resolve(m.key)
		if err != nil {
			return nil, nil, err
		}
		ans, err := c.sendCapped(ctx, http.MethodGet, u, http.Header{"Accept": {"text/calendar"}}, nil, maxObjectBytes)
		if errors.Is(err, ErrTooLarge) {
			return nil, nil, fmt.Errorf("%w: the event object %s is larger than %d MiB", ErrTooLarge, m.key, maxObjectBytes>>20)
		}
		if err != nil {
			return nil, nil, err
		}
		switch {
		case ans.code == http.StatusOK:
			items = append(items, calendar.Item{Key: m.key, ETag: ans.header.Get("ETag"), ICS: ans.body})
		case ans.code == http.StatusNotFound || ans.code == http.StatusGone:
			gone = append(gone, m.key)
		case ans.code == http.StatusUnauthorized || ans.code == http.StatusForbidden:
			return nil, nil, newStatusError(http.MethodGet, u, ans.code, ans.body)
		}
	}
	return items, gone, nil
}
