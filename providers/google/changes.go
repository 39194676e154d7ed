package google

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"

	"github.com/rendezvous/rendezvous/calendar"
)

// syncLookahead extends a full sync beyond the requested window. An
// incremental sync only reports changes, so events that were already there
// but outside the synced span would never arrive as the horizon slides
// forward; a full sync is needed once the window leaves the span, and the
// margin makes that happen about weekly instead of on every call.
const syncLookahead = 7 * 24 * time.Hour

// pageSize is Google's default and a good balance of calls and payload.
const pageSize = 250

// syncState is what Changes keeps in ChangeSet.State: the span the last
// full sync covered and Google's nextSyncToken.
type syncState struct {
	span  calendar.Interval
	token string
}

const statePrefix = "g1"

func (s syncState) encode() string {
	return strings.Join([]string{statePrefix,
		strconv.FormatInt(s.span.Start.Unix(), 10),
		strconv.FormatInt(s.span.End.Unix(), 10),
		s.token}, ";")
}

// parseState accepts only states written by encode; anything else (empty,
// foreign, truncated) means "do a full sync".
func parseState(state string) (syncState, bool) {
	parts := strings.SplitN(state, ";", 4)
	if len(parts) != 4 || parts[0] != statePrefix || parts[3] == "" {
		return syncState{}, false
	}
	start, err1 := strconv.ParseInt(parts[1], 10, 64)
	end, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return syncState{}, false
	}
	return syncState{
		span:  calendar.Interval{Start: time.Unix(start, 0).UTC(), End: time.Unix(end, 0).UTC()},
		token: parts[3],
	}, true
}

// Changes returns what changed in calendar calRef since state. With an
// empty or outdated state (window no longer inside the synced span, or
// Google answering 410 fullSyncRequired) it does a full sync over the
// window and sets Full. Each event becomes an Item keyed by event id; an
// event that does not block time (transparent, declined by the mentor,
// working location) is an Item with no Busy, so that a change from busy to
// free replaces the stored busy time. Cancelled events are Deletes.
func (c *Client) Changes(ctx context.Context, calRef, state string, window calendar.Interval) (calendar.ChangeSet, error) {
	if st, ok := parseState(state); ok && st.span.Contains(window) {
		cs, token, err := c.listEvents(ctx, calRef, func(call *calendarapi.EventsListCall) {
			call.SyncToken(st.token)
		})
		switch {
		case err == nil:
			cs.State = syncState{span: st.span, token: token}.encode()
			return cs, nil
		case apiStatus(err) != http.StatusGone:
			return calendar.ChangeSet{}, err
		}
		// 410: the token expired; fall through to a full sync.
	}
	span := calendar.Interval{Start: window.Start.UTC(), End: window.End.Add(syncLookahead).UTC()}
	cs, token, err := c.listEvents(ctx, calRef, func(call *calendarapi.EventsListCall) {
		call.TimeMin(span.Start.Format(time.RFC3339)).TimeMax(span.End.Format(time.RFC3339))
	})
	if err != nil {
		return calendar.ChangeSet{}, err
	}
	cs.Full = true
	cs.State = syncState{span: span, token: token}.encode()
	return cs, nil
}

// listEvents pages through events.list (expanded instances) and returns
// the converted items with the nextSyncToken, which only the last page
// carries.
func (c *Client) listEvents(ctx context.Context, calRef string, scope func(*calendarapi.EventsListCall)) (calendar.ChangeSet, string, error) {
	var cs calendar.ChangeSet
	pageToken := ""
	for {
		var page *calendarapi.Events
		err := c.retry.do(ctx, "google: list events of "+calRef, func() (err error) {
			call := c.svc.Events.List(calRef).SingleEvents(true).MaxResults(pageSize).Context(ctx)
			scope(call)
			if pageToken != "" {
				call.PageToken(pageToken)
			}
			page, err = call.Do()
			return err
		})
		if err != nil {
			return calendar.ChangeSet{}, "", err
		}
		zone := loadZone(page.TimeZone)
		for _, ev := range page.Items {
			if ev.Status == "cancelled" {
				cs.Deletes = append(cs.Deletes, ev.Id)
				continue
			}
			cs.Upserts = append(cs.Upserts, eventItem(ev, zone))
		}
		if page.NextPageToken == "" {
			return cs, page.NextSyncToken, nil
		}
		pageToken = page.NextPageToken
	}
}
