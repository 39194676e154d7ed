package googlefake

import (
	"net/http"

	calendarapi "google.golang.org/api/calendar/v3"
)

var roleRank = map[string]int{"freeBusyReader": 1, "reader": 2, "writer": 3, "owner": 4}

// listCalendars is calendarList.list: paged, filtered by minAccessRole,
// hidden calendars only with showHidden=true.
func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request, _ *calState) {
	q := r.URL.Query()
	max, ok := intParam(q.Get("maxResults"), 100, 250)
	minRole := q.Get("minAccessRole")
	if _, known := roleRank[minRole]; !ok || (minRole != "" && !known) {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid value for parameter.")
		return
	}
	var entries []*calendarapi.CalendarListEntry
	for _, c := range s.cals {
		if roleRank[c.AccessRole] < roleRank[minRole] || (c.Hidden && q.Get("showHidden") != "true") {
			continue
		}
		entries = append(entries, &calendarapi.CalendarListEntry{
			Kind: "calendar#calendarListEntry", Etag: `"1700000000000000"`,
			Id: c.ID, Summary: c.Summary, TimeZone: c.TimeZone, AccessRole: c.AccessRole,
			Primary: c.Primary, Hidden: c.Hidden, Selected: !c.Hidden,
			BackgroundColor: "#9fe1e7", ForegroundColor: "#000000", ColorId: "14",
			ConferenceProperties: &calendarapi.ConferenceProperties{AllowedConferenceSolutionTypes: []string{"hangoutsMeet"}},
		})
	}
	offset := 0
	if pt := q.Get("pageToken"); pt != "" {
		cur, ok := decodeCursor(pt)
		if !ok || cur.Offset > len(entries) {
			writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid page token value.")
			return
		}
		offset = cur.Offset
	}
	end := min(offset+max, len(entries))
	list := &calendarapi.CalendarList{Kind: "calendar#calendarList", Etag: `"p33k9lxmsd6hvk0g"`, Items: entries[offset:end]}
	if end < len(entries) {
		list.NextPageToken = cursor{Offset: end}.encode()
	} else {
		list.NextSyncToken = cursor{Snapshot: s.version}.encode()
	}
	writeJSON(w, http.StatusOK, list)
}
