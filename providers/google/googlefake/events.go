package googlefake

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// Parameters Google refuses together with syncToken.
var notWithSyncToken = []string{"iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin"}

// listEvents is events.list: a full listing filtered by timeMin/timeMax
// and iCalUID, or with syncToken every change since that token,
// cancelled events included; paged, with nextSyncToken on the last page.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, cal *calState) {
	q := r.URL.Query()
	max, ok := intParam(q.Get("maxResults"), 250, 2500)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid value for: maxResults")
		return
	}
	cur := cursor{Cal: cal.ID, Epoch: s.epoch, Since: -1, Snapshot: s.version, Query: listQuery(q)}
	if st := q.Get("syncToken"); st != "" {
		for _, p := range notWithSyncToken {
			if q.Has(p) {
				writeAPIError(w, http.StatusBadRequest, "invalid", "Sync token cannot be used with other query parameters: "+p)
				return
			}
		}
		tok, ok := decodeCursor(st)
		if !ok || tok.Cal != cal.ID {
			writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid sync token value.")
			return
		}
		if tok.Epoch != s.epoch {
			writeAPIError(w, http.StatusGone, "fullSyncRequired", msgFullSyncRequired)
			return
		}
		cur.Since = tok.Snapshot
	}
	if pt := q.Get("pageToken"); pt != "" {
		page, ok := decodeCursor(pt)
		if !ok || page.Cal != cal.ID || page.Query != cur.Query {
			writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid page token value.")
			return
		}
		if page.Epoch != s.epoch {
			writeAPIError(w, http.StatusGone, "fullSyncRequired", msgFullSyncRequired)
			return
		}
		cur = page
	}
	matches, err := s.selectEvents(cal, q, cur)
	if err != "" {
		writeAPIError(w, http.StatusBadRequest, "invalid", err)
		return
	}
	end := min(cur.Offset+max, len(matches))
	resp := &calendarapi.Events{
		Kind: "calendar#events", Etag: `"p3288pvtdohi8o0g"`, Summary: cal.Summary,
		TimeZone: cal.TimeZone, AccessRole: cal.AccessRole,
		Updated:          time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		DefaultReminders: []*calendarapi.EventReminder{{Method: "popup", Minutes: 10}},
		Items:            []*calendarapi.Event{},
	}
	for _, se := range matches[cur.Offset:end] {
		resp.Items = append(resp.Items, cloneEvent(se.ev))
	}
	if end < len(matches) {
		next := cur
		next.Offset = end
		resp.NextPageToken = next.encode()
	} else {
		resp.NextSyncToken = cursor{Cal: cal.ID, Epoch: s.epoch, Snapshot: cur.Snapshot}.encode()
	}
	writeJSON(w, http.StatusOK, resp)
}

// listQuery fingerprints the filters a page token must be reused with.
func listQuery(q url.Values) string {
	keep := url.Values{}
	for k, v := range q {
		if k != "pageToken" && k != "maxResults" && k != "alt" && k != "prettyPrint" {
			keep[k] = v
		}
	}
	return keep.Encode()
}

// selectEvents returns the events of a listing, in a stable order.
// Events changed after the snapshot are left to the next sync.
func (s *Server) selectEvents(cal *calState, q url.Values, cur cursor) ([]*storedEvent, string) {
	var timeMin, timeMax time.Time
	for name, dst := range map[string]*time.Time{"timeMin": &timeMin, "timeMax": &timeMax} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, "Bad Request: " + name
			}
			*dst = t
		}
	}
	var out []*storedEvent
	for _, se := range cal.events {
		if se.version > cur.Snapshot {
			continue
		}
		if cur.Since >= 0 {
			if se.version > cur.Since {
				out = append(out, se)
			}
			continue
		}
		if se.ev.Status == "cancelled" && q.Get("showDeleted") != "true" {
			continue
		}
		if uid := q.Get("iCalUID"); uid != "" && se.ev.ICalUID != uid {
			continue
		}
		start, end, ok := cal.bounds(se.ev)
		if !ok || (!timeMin.IsZero() && !end.After(timeMin)) || (!timeMax.IsZero() && !start.Before(timeMax)) {
			continue
		}
		out = append(out, se)
	}
	return out, ""
}

// readEvent advances a pending Meet request on events.get: after the
// configured number of reads, the conference exists (a change, so syncs
// see it). Listings do not advance it, keeping page offsets stable.
func (s *Server) readEvent(cal *calState, se *storedEvent) {
	cd := se.ev.ConferenceData
	if cd == nil || cd.CreateRequest == nil || cd.CreateRequest.Status == nil || cd.CreateRequest.Status.StatusCode != "pending" {
		return
	}
	if se.meetPending > 0 {
		se.meetPending--
		return
	}
	code := meetCode(se.ev.Id)
	cd.CreateRequest.Status.StatusCode = "success"
	cd.ConferenceId = code
	cd.ConferenceSolution = &calendarapi.ConferenceSolution{
		Key:     &calendarapi.ConferenceSolutionKey{Type: "hangoutsMeet"},
		Name:    "Google Meet",
		IconUri: "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
	}
	cd.EntryPoints = []*calendarapi.EntryPoint{{
		EntryPointType: "video", Uri: "https://meet.google.com/" + code, Label: "meet.google.com/" + code,
	}}
	se.ev.HangoutLink = "https://meet.google.com/" + code
	s.touch(cal, se)
}

// meetCode derives a Meet-style code (abc-defg-hij) from the event id.
func meetCode(id string) string {
	var b strings.Builder
	for i := 0; b.Len() < 10; i++ {
		b.WriteByte('a' + byte((int(id[i%len(id)])+i*7)%26))
	}
	c := b.String()
	return c[:3] + "-" + c[3:7] + "-" + c[7:]
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, cal *calState) {
	se := cal.find(r.PathValue("event"))
	if se == nil {
		if master, at := cal.virtualInstance(r.PathValue("event")); master != nil {
			writeJSON(w, http.StatusOK, instance(master.ev, at))
			return
		}
		writeAPIError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	s.readEvent(cal, se)
	writeJSON(w, http.StatusOK, se.ev)
}

func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request, cal *calState) {
	// Deleting an instance leaves a cancelled exception.
	se := s.materialize(cal, r.PathValue("event"))
	switch {
	case se == nil:
		writeAPIError(w, http.StatusNotFound, "notFound", "Not Found")
	case se.ev.Status == "cancelled":
		writeAPIError(w, http.StatusGone, "deleted", msgDeleted)
	default:
		se.ev.Status = "cancelled"
		s.touch(cal, se)
		w.WriteHeader(http.StatusNoContent)
	}
}
