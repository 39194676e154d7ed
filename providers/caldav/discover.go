package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Connect opens a connection and discovers the account: it finds the
// calendar home (or notices that the URL is one calendar) and so checks the
// credentials. Errors: ErrAuth, ErrNotCalDAV, ErrUnreachable,
// netguard.ErrForbiddenAddress.
func Connect(ctx context.Context, creds Credentials, opts Options) (*Conn, error) {
	c, err := Open(creds, opts)
	if err != nil {
		return nil, err
	}
	if err := c.discover(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// discoveryProps are read on the URL the user gave, so that one request
// usually tells what it is.
var discoveryProps = []string{
	"d:resourcetype", "d:current-user-principal", "c:calendar-home-set", "c:schedule-inbox-URL",
	"c:schedule-outbox-URL", "c:calendar-user-address-set",
}

// principalProps are read on the principal.
var principalProps = []string{
	"c:calendar-home-set", "c:schedule-inbox-URL", "c:schedule-outbox-URL", "c:calendar-user-address-set",
}

// discover follows RFC 6764 section 6: the given URL, then its
// current-user-principal, then the principal's calendar-home-set. A bare
// server root that leads nowhere is retried at /.well-known/caldav.
func (c *Conn) discover(ctx context.Context) error {
	err := c.discoverFrom(ctx, c.base)
	if err == nil || !errors.Is(err, ErrNotCalDAV) || strings.Trim(c.base.Path, "/") != "" {
		return err
	}
	wellKnown := c.base.ResolveReference(&url.URL{Path: "/.well-known/caldav"})
	if errWellKnown := c.discoverFrom(ctx, wellKnown); errWellKnown == nil || !errors.Is(errWellKnown, ErrNotCalDAV) {
		return errWellKnown
	}
	return err
}

func (c *Conn) discoverFrom(ctx context.Context, start *url.URL) error {
	prop, here, err := c.propfindOne(ctx, start, discoveryProps...)
	if err != nil {
		return discoveryError(err)
	}
	if prop.isCalendar() {
		c.single, c.discovered = here, true
		c.readPrincipal(ctx, here, prop)
		return nil
	}
	if home := prop.CalendarHomeSet.first(); home != "" {
		return c.useHomes(here, prop)
	}
	if principal := prop.CurrentUserPrincipal.first(); principal != "" {
		principalURL, err := here.Parse(principal)
		if err != nil {
			return notCalDAV(here, fmt.Sprintf("returned an invalid principal URL %q", principal))
		}
		if !samePath(principalURL, here) {
			pprop, pURL, err := c.propfindOne(ctx, principalURL, principalProps...)
			if err != nil {
				return discoveryError(err)
			}
			if pprop.CalendarHomeSet.first() != "" {
				return c.useHomes(pURL, pprop)
			}
		}
	}
	// No principal or home advertised: the URL may itself be a calendar
	// home on a minimal server. Accept it only if it speaks CalDAV.
	if prop.isCollection() && c.speaksCalDAV(ctx, here) {
		c.homes, c.discovered = []*url.URL{asCollection(here)}, true
		return nil
	}
	return notCalDAV(here, "is a WebDAV resource but names no calendar home (calendar-home-set) and is not a calendar")
}

// useHomes records the calendar homes, scheduling inbox and outbox and
// the calendar user addresses of a principal. Homes keep their full URL:
// iCloud's lives on another host.
func (c *Conn) useHomes(principal *url.URL, prop davProp) error {
	for _, h := range prop.CalendarHomeSet.Hrefs {
		u, err := principal.Parse(strings.TrimSpace(h))
		if err != nil {
			return notCalDAV(principal, fmt.Sprintf("returned an invalid calendar-home-set %q", h))
		}
		c.homes = append(c.homes, asCollection(u))
	}
	if inbox := prop.ScheduleInbox.first(); inbox != "" {
		c.inbox, _ = principal.Parse(inbox)
	}
	if outbox := prop.ScheduleOutbox.first(); outbox != "" {
		c.outbox, _ = principal.Parse(outbox)
	}
	c.addresses = nil
	if prop.UserAddresses != nil {
		for _, a := range prop.UserAddresses.Hrefs {
			if a = strings.TrimSpace(a); a != "" {
				c.addresses = append(c.addresses, a)
			}
		}
	}
	c.discovered = true
	return nil
}

// readPrincipal reads the scheduling boxes and addresses of the principal
// that owns a calendar given alone. Best effort: without them a DAViCal
// inbox given as the URL is still refused by its resource type.
func (c *Conn) readPrincipal(ctx context.Context, here *url.URL, prop davProp) {
	principal := prop.CurrentUserPrincipal.first()
	if principal == "" {
		return
	}
	u, err := here.Parse(principal)
	if err != nil {
		return
	}
	pprop, pURL, err := c.propfindOne(ctx, u, principalProps...)
	if err != nil {
		return
	}
	homes := c.homes
	c.useHomes(pURL, pprop)
	c.homes = homes
}

// speaksCalDAV checks the DAV header of OPTIONS for calendar-access.
func (c *Conn) speaksCalDAV(ctx context.Context, u *url.URL) bool {
	ans, err := c.send(ctx, http.MethodOptions, u, nil, nil)
	if err != nil || ans.code/100 != 2 {
		return false
	}
	for _, v := range ans.header.Values("DAV") {
		for _, class := range strings.Split(v, ",") {
			if strings.TrimSpace(class) == "calendar-access" {
				return true
			}
		}
	}
	return false
}

// discoveryError turns an unexpected status during discovery (404, 405,
// 400…) into ErrNotCalDAV: the URL answers, but not as CalDAV.
func discoveryError(err error) error {
	var se *StatusError
	if errors.As(err, &se) && se.kind == nil {
		return fmt.Errorf("%w: %w", ErrNotCalDAV, err)
	}
	return err
}
