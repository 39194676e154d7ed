package google

import (
	"context"
	"fmt"

	calendarapi "google.golang.org/api/calendar/v3"
)

// awaitMeet returns the Meet link of ev, polling events.get while Google
// reports the conference request as pending.
func (c *Client) awaitMeet(ctx context.Context, calRef string, ev *calendarapi.Event) (string, error) {
	pause := RetryPolicy{Base: meetPollFirst, Max: meetPollMax, Sleep: c.retry.Sleep}
	for poll := 0; ; poll++ {
		switch status := meetStatus(ev); status {
		case "success":
			if link := meetLink(ev); link != "" {
				return link, nil
			}
			return "", fmt.Errorf("google: event %s: conference created without a video entry point: %w", ev.Id, ErrMeetFailed)
		case "pending":
			if poll >= meetPolls {
				return "", fmt.Errorf("google: event %s: Meet link still pending: %w", ev.Id, ErrUnavailable)
			}
		default:
			return "", fmt.Errorf("google: event %s: conference status %q: %w", ev.Id, status, ErrMeetFailed)
		}
		if err := pause.sleep(ctx, pause.delay(poll)); err != nil {
			return "", fmt.Errorf("google: wait for Meet link: %w", err)
		}
		err := c.retry.do(ctx, "google: get event "+ev.Id, func() (err error) {
			ev, err = c.svc.Events.Get(calRef, ev.Id).Context(ctx).Do()
			return err
		})
		if err != nil {
			return "", err
		}
	}
}

// meetStatus is the conference request's status code. An event with a
// conference but no request (created elsewhere) counts as a success.
func meetStatus(ev *calendarapi.Event) string {
	cd := ev.ConferenceData
	switch {
	case cd == nil:
		if ev.HangoutLink != "" {
			return "success"
		}
		return "missing"
	case cd.CreateRequest != nil && cd.CreateRequest.Status != nil:
		return cd.CreateRequest.Status.StatusCode
	case len(cd.EntryPoints) > 0:
		return "success"
	}
	return "pending"
}

// meetLink prefers the conference's video entry point, which is what
// Google shows as "Join with Google Meet"; hangoutLink is the older field.
func meetLink(ev *calendarapi.Event) string {
	if ev.ConferenceData != nil {
		for _, ep := range ev.ConferenceData.EntryPoints {
			if ep.EntryPointType == "video" && ep.Uri != "" {
				return ep.Uri
			}
		}
	}
	return ev.HangoutLink
}
