package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/rendezvous/rendezvous/calendar"
)

var calendarProps = []string{
	"d:resourcetype", "d:displayname", "c:supported-calendar-component-set", "d:current-user-privilege-set",
}

// Calendars lists the account's event calendars, sorted by name. Task
// lists and journals are skipped. When the connection URL named a single
// calendar, only that one is listed.
func (c *Conn) Calendars(ctx context.Context) ([]calendar.RemoteCalendar, error) {
	if !c.discovered {
		if err := c.discover(ctx); err != nil {
			return nil, err
		}
	}
	if c.single != nil {
		prop, here, err := c.propfindOne(ctx, c.single, calendarProps...)
		if err != nil {
			return nil, err
		}
		if !prop.holdsEvents() || c.isSchedulingBox(here, prop) {
			return nil, nil
		}
		return []calendar.RemoteCalendar{c.remoteCalendar(asCollection(here), prop, "")}, nil
	}

	defaultRef := c.defaultCalendarRef(ctx)
	var out []calendar.RemoteCalendar
	seen := map[string]bool{}
	for _, home := range c.homes {
		ms, here, err := c.davRequest(ctx, "PROPFIND", home, "1", propfindBody(calendarProps...))
		if err != nil {
			return nil, fmt.Errorf("list calendars in %s: %w", home.Redacted(), err)
		}
		for _, r := range ms.Responses {
			prop := r.props()
			u, err := here.Parse(strings.TrimSpace(r.Href))
			if err != nil || !prop.isCalendar() || !prop.holdsEvents() || c.isSchedulingBox(u, prop) {
				continue
			}
			cal := c.remoteCalendar(asCollection(u), prop, defaultRef)
			if !seen[cal.Ref] {
				seen[cal.Ref] = true
				out = append(out, cal)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Ref < out[j].Ref
	})
	return out, nil
}

// isSchedulingBox reports the principal's scheduling inbox or outbox:
// DAViCal lists them as calendars without the RFC 6638 resource types,
// and neither holds the mentor's time (nor may receive sessions).
func (c *Conn) isSchedulingBox(u *url.URL, prop davProp) bool {
	if prop.isSchedulingBox() {
		return true
	}
	for _, box := range []*url.URL{c.inbox, c.outbox} {
		if box != nil && samePath(box, u) && strings.EqualFold(box.Host, u.Host) {
			return true
		}
	}
	return false
}

// Addresses are the account's calendar user addresses
// (calendar-user-address-set, e.g. "mailto:mentor@example.org"), as
// discovered by Connect or Calendars; nil before discovery or when the
// server names none.
func (c *Conn) Addresses() []string { return append([]string(nil), c.addresses...) }

func (c *Conn) remoteCalendar(u *url.URL, prop davProp, defaultRef string) calendar.RemoteCalendar {
	ref := c.refOf(u)
	name := strings.TrimSpace(prop.DisplayName)
	if name == "" {
		name, _ = url.PathUnescape(path.Base(strings.TrimSuffix(u.Path, "/")))
	}
	return calendar.RemoteCalendar{
		Ref:      ref,
		Name:     name,
		Default:  ref == defaultRef,
		Writable: prop.writable(),
	}
}

// defaultCalendarRef reads schedule-default-calendar-URL (RFC 6638) from
// the scheduling inbox. Best effort: most servers lack it, and its absence
// only means the core picks the first writable calendar.
func (c *Conn) defaultCalendarRef(ctx context.Context) string {
	if c.inbox == nil {
		return ""
	}
	prop, here, err := c.propfindOne(ctx, c.inbox, "c:schedule-default-calendar-URL")
	if err != nil || errors.Is(ctx.Err(), context.Canceled) {
		return ""
	}
	href := prop.DefaultCalendar.first()
	if href == "" {
		return ""
	}
	u, err := here.Parse(href)
	if err != nil {
		return ""
	}
	return c.refOf(asCollection(u))
}
