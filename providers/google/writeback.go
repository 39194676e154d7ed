package google

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"

	"github.com/rendezvous/rendezvous/calendar"
)

// ErrMeetFailed: Google refused to create a Meet conference for the event
// (the event itself exists). The caller may fall back to another video
// provider.
var ErrMeetFailed = errors.New("google: Meet link creation failed")

// Meet creation is asynchronous on Google's side; we poll a bounded number
// of times and leave longer waits to the caller's retried job.
const (
	meetPolls     = 8
	meetPollFirst = 250 * time.Millisecond
	meetPollMax   = 4 * time.Second
)

// sendUpdates=none everywhere: Rendezvous mails its own iMIP invites, and
// Google's would duplicate them.
const sendUpdates = "none"

// Insert creates the session in calendar calRef and returns the event id
// and, with withMeet, the Meet link that becomes the session's video URL.
// It is idempotent, for durable retried jobs: an event already carrying
// the session's iCalUID (a previous attempt whose answer was lost) is
// updated instead of duplicated. When err != nil but eventID != "", the
// event exists (e.g. Meet still pending); retrying Insert resumes.
func (c *Client) Insert(ctx context.Context, calRef string, s calendar.Session, withMeet bool) (eventID, meetURL string, err error) {
	ev, err := c.findByUID(ctx, calRef, s.UID)
	if err != nil {
		return "", "", err
	}
	if ev == nil {
		ev, err = c.insert(ctx, calRef, s, withMeet)
		if apiStatus(err) == http.StatusConflict {
			// Google knows the iCalUID even though our lookup missed it
			// (eventual consistency): adopt that event.
			ev, err = c.findByUID(ctx, calRef, s.UID)
			if err == nil && ev == nil {
				err = fmt.Errorf("google: insert event %s: conflict with an event we cannot find: %w", s.UID, ErrUnavailable)
			}
		}
		if err != nil {
			return "", "", err
		}
	}
	if ev.Sequence != int64(s.Sequence) {
		if ev, err = c.patch(ctx, calRef, ev.Id, s); err != nil {
			return "", "", err
		}
	}
	if err := c.syncInstances(ctx, calRef, ev.Id, s); err != nil {
		return ev.Id, "", err
	}
	if !withMeet {
		return ev.Id, "", nil
	}
	meetURL, err = c.awaitMeet(ctx, calRef, ev)
	return ev.Id, meetURL, err
}

func (c *Client) insert(ctx context.Context, calRef string, s calendar.Session, withMeet bool) (*calendarapi.Event, error) {
	ev := sessionEvent(s)
	ev.ICalUID = s.UID
	if withMeet {
		ev.ConferenceData = &calendarapi.ConferenceData{
			CreateRequest: &calendarapi.CreateConferenceRequest{
				// Same id on a retry of the same version: Google then
				// ignores the repeat instead of creating a second room.
				RequestId:             s.UID + "-" + strconv.Itoa(s.Sequence),
				ConferenceSolutionKey: &calendarapi.ConferenceSolutionKey{Type: "hangoutsMeet"},
			},
		}
	}
	var created *calendarapi.Event
	err := c.retry.do(ctx, "google: insert event "+s.UID, func() (err error) {
		created, err = c.svc.Events.Insert(calRef, ev).
			ConferenceDataVersion(1).SendUpdates(sendUpdates).Context(ctx).Do()
		return err
	})
	return created, err
}

// findByUID returns the live event with iCalUID uid, or nil.
func (c *Client) findByUID(ctx context.Context, calRef, uid string) (*calendarapi.Event, error) {
	var page *calendarapi.Events
	err := c.retry.do(ctx, "google: find event "+uid, func() (err error) {
		page, err = c.svc.Events.List(calRef).ICalUID(uid).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, ev := range page.Items {
		// A series' exceptions share its iCalUID: the event is the master.
		if ev.Status != "cancelled" && ev.RecurringEventId == "" {
			return ev, nil
		}
	}
	return nil, nil
}

// Patch updates the event to the session's new version (reschedule,
// changed details). A cancelled session deletes the event.
func (c *Client) Patch(ctx context.Context, calRef, eventID string, s calendar.Session) error {
	if s.Cancelled {
		return c.Delete(ctx, calRef, eventID)
	}
	if _, err := c.patch(ctx, calRef, eventID, s); err != nil {
		return err
	}
	return c.syncInstances(ctx, calRef, eventID, s)
}

func (c *Client) patch(ctx context.Context, calRef, eventID string, s calendar.Session) (*calendarapi.Event, error) {
	ev := sessionEvent(s)
	ev.Status = "confirmed"
	var patched *calendarapi.Event
	call := func() (err error) {
		// conferenceDataVersion=1 keeps the event's Meet data intact.
		patched, err = c.svc.Events.Patch(calRef, eventID, ev).
			ConferenceDataVersion(1).SendUpdates(sendUpdates).Context(ctx).Do()
		return err
	}
	op := "google: patch event " + eventID
	err := c.retry.do(ctx, op, call)
	if apiStatus(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(err.Error()), "sequence") {
		// Google raised the sequence itself (an edit in its UI): ours is
		// behind. Keep Google's, the times and text still get updated.
		ev.Sequence, ev.ForceSendFields = 0, nil
		err = c.retry.do(ctx, op, call)
	}
	return patched, err
}

// Delete removes the event. An event already gone (404, or 410 for one
// deleted earlier) counts as deleted.
func (c *Client) Delete(ctx context.Context, calRef, eventID string) error {
	err := c.retry.do(ctx, "google: delete event "+eventID, func() error {
		return c.svc.Events.Delete(calRef, eventID).SendUpdates(sendUpdates).Context(ctx).Do()
	})
	if s := apiStatus(err); s == http.StatusNotFound || s == http.StatusGone {
		return nil
	}
	return err
}

// sessionEvent is the event body shared by insert and patch.
func sessionEvent(s calendar.Session) *calendarapi.Event {
	ev := &calendarapi.Event{
		Summary:     s.Summary,
		Description: sessionDescription(s),
		Location:    s.VideoURL,
		Start:       &calendarapi.EventDateTime{DateTime: s.Start.UTC().Format(time.RFC3339), TimeZone: "UTC"},
		End:         &calendarapi.EventDateTime{DateTime: s.End.UTC().Format(time.RFC3339), TimeZone: "UTC"},
		Attendees: []*calendarapi.EventAttendee{
			{Email: s.Attendee.Email, DisplayName: s.Attendee.Name, ResponseStatus: "needsAction"},
			{Email: s.Organizer.Email, DisplayName: s.Organizer.Name, ResponseStatus: "accepted"},
		},
		Sequence: int64(s.Sequence),
		// Sequence 0 would otherwise be dropped as a zero value.
		ForceSendFields: []string{"Sequence"},
	}
	if r := s.Series; r != nil {
		if loc, err := time.LoadLocation(r.Zone); err == nil {
			ev.Start = &calendarapi.EventDateTime{DateTime: r.First.In(loc).Format(time.RFC3339), TimeZone: r.Zone}
			ev.End = &calendarapi.EventDateTime{DateTime: r.First.Add(r.Length).In(loc).Format(time.RFC3339), TimeZone: r.Zone}
			ev.Recurrence = seriesRecurrence(r, loc)
		}
	}
	return ev
}

// seriesRecurrence is a weekly series as Google's recurrence lines: the
// rule and its excluded starts (skipped at booking or cancelled). Moved
// sessions are instance exceptions (see syncInstances), as Google keeps
// them.
func seriesRecurrence(r *calendar.Recurrence, loc *time.Location) []string {
	rule := "RRULE:FREQ=WEEKLY;COUNT=" + strconv.Itoa(r.Count)
	if r.IntervalWeeks > 1 {
		rule += ";INTERVAL=" + strconv.Itoa(r.IntervalWeeks)
	}
	out := []string{rule}
	var ex []string
	for _, t := range r.Excluded {
		ex = append(ex, t.In(loc).Format("20060102T150405"))
	}
	if len(ex) > 0 {
		out = append(out, "EXDATE;TZID="+r.Zone+":"+strings.Join(ex, ","))
	}
	return out
}

// syncInstances puts each occurrence of a series' event at its session's
// time: an instance whose session moved is patched there (Google then
// keeps it as an exception with recurringEventId and originalStartTime),
// and one moved earlier whose session is back at the rule's time is
// patched back. Nothing is written for a series whose instances are
// already right, nor for a session on its own.
func (c *Client) syncInstances(ctx context.Context, calRef, eventID string, s calendar.Session) error {
	r := s.Series
	if r == nil || s.Cancelled {
		return nil
	}
	moved := map[int64]calendar.MovedOccurrence{}
	for _, m := range r.Moved {
		moved[m.Of.Unix()] = m
	}
	pageToken := ""
	for {
		var page *calendarapi.Events
		err := c.retry.do(ctx, "google: list instances of "+eventID, func() (err error) {
			call := c.svc.Events.Instances(calRef, eventID).MaxResults(pageSize).Context(ctx)
			if pageToken != "" {
				call.PageToken(pageToken)
			}
			page, err = call.Do()
			return err
		})
		if err != nil {
			return err
		}
		for _, inst := range page.Items {
			if inst.OriginalStartTime == nil || inst.Start == nil || inst.Status == "cancelled" {
				continue
			}
			of, err1 := time.Parse(time.RFC3339, inst.OriginalStartTime.DateTime)
			at, err2 := time.Parse(time.RFC3339, inst.Start.DateTime)
			if err1 != nil || err2 != nil {
				continue // an all-day instance is not one of ours
			}
			want := calendar.MovedOccurrence{Of: of, Start: of, End: of.Add(r.Length)}
			if m, ok := moved[of.Unix()]; ok {
				want = m
			}
			if at.Equal(want.Start) {
				continue
			}
			body := &calendarapi.Event{
				Start: &calendarapi.EventDateTime{DateTime: want.Start.UTC().Format(time.RFC3339), TimeZone: "UTC"},
				End:   &calendarapi.EventDateTime{DateTime: want.End.UTC().Format(time.RFC3339), TimeZone: "UTC"},
			}
			err := c.retry.do(ctx, "google: move instance "+inst.Id, func() error {
				_, err := c.svc.Events.Patch(calRef, inst.Id, body).SendUpdates(sendUpdates).Context(ctx).Do()
				return err
			})
			if err != nil {
				return err
			}
		}
		if page.NextPageToken == "" {
			return nil
		}
		pageToken = page.NextPageToken
	}
}

// sessionDescription adds the video link and the link to move or cancel
// the session (the mentor's session page: the event is in the mentor's
// calendar; the caller never passes the mentee's manage link).
func sessionDescription(s calendar.Session) string {
	text := s.Description
	if s.VideoURL != "" {
		text += "\n\n" + s.VideoURL
	}
	if s.ManageURL != "" {
		text += "\n\nReschedule or cancel: " + s.ManageURL
	}
	return strings.TrimSpace(text)
}

// EventGone reports whether Google says the event was deleted: events.get
// answers 404 or 410, or the event with status "cancelled" (how Google
// keeps deleted events for a while). Any other failure is an error, never
// a deletion.
func (c *Client) EventGone(ctx context.Context, calRef, eventID string) (bool, error) {
	var ev *calendarapi.Event
	err := c.retry.do(ctx, "google: read event "+eventID, func() (err error) {
		ev, err = c.svc.Events.Get(calRef, eventID).Context(ctx).Do()
		return err
	})
	if s := apiStatus(err); s == http.StatusNotFound || s == http.StatusGone {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return ev.Status == "cancelled", nil
}
