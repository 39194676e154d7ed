package googlefake

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"

	calendarapi "google.golang.org/api/calendar/v3"
)

// eventIDPattern is Google's rule for client-chosen ids: base32hex, 5 to
// 1024 characters (the length is checked apart: RE2 caps repeats at 1000).
var eventIDPattern = regexp.MustCompile(`^[a-v0-9]+$`)

func validEventID(id string) bool {
	return len(id) >= 5 && len(id) <= 1024 && eventIDPattern.MatchString(id)
}

// insertEvent is events.insert. conferenceData is honoured only with
// conferenceDataVersion=1, as by Google; a Meet request starts "pending".
func (s *Server) insertEvent(w http.ResponseWriter, r *http.Request, cal *calState) {
	if !writable(w, cal) {
		return
	}
	var ev calendarapi.Event
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil {
		writeAPIError(w, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	if ev.Start == nil || ev.End == nil {
		writeAPIError(w, http.StatusBadRequest, "required", "Missing end time.")
		return
	}
	if start, end, ok := cal.bounds(&ev); !ok || end.Before(start) {
		writeAPIError(w, http.StatusBadRequest, "timeRangeEmpty", "The specified time range is empty.")
		return
	}
	if ev.Id != "" && !validEventID(ev.Id) {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid resource id value.")
		return
	}
	for _, se := range cal.events {
		if (ev.Id != "" && se.ev.Id == ev.Id) || (ev.ICalUID != "" && se.ev.ICalUID == ev.ICalUID && se.ev.Status != "cancelled") {
			writeAPIError(w, http.StatusConflict, "duplicate", msgDuplicate)
			return
		}
	}
	if ev.Id == "" {
		ev.Id = s.newID()
	}
	ev.Status = "confirmed"
	ev.Organizer, ev.Creator = nil, nil
	if !conferenceAllowed(w, r, &ev) {
		return
	}
	se := s.addEvent(cal, &ev)
	se.meetPending = s.meetWait
	writeJSON(w, http.StatusOK, se.ev)
}

// conferenceAllowed applies Google's conferenceData rules; false means an
// error was written.
func conferenceAllowed(w http.ResponseWriter, r *http.Request, ev *calendarapi.Event) bool {
	if r.URL.Query().Get("conferenceDataVersion") != "1" {
		ev.ConferenceData = nil // ignored without conferenceDataVersion=1
		return true
	}
	cd := ev.ConferenceData
	if cd == nil || cd.CreateRequest == nil {
		return true
	}
	key := cd.CreateRequest.ConferenceSolutionKey
	if key == nil || key.Type != "hangoutsMeet" || cd.CreateRequest.RequestId == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid conference type value.")
		return false
	}
	cd.CreateRequest.Status = &calendarapi.ConferenceRequestStatus{StatusCode: "pending"}
	return true
}

// Fields a patch cannot change.
var readOnlyFields = []string{"id", "etag", "kind", "created", "updated", "iCalUID", "htmlLink", "creator", "organizer", "hangoutLink",
	"recurringEventId", "originalStartTime"}

// patchEvent is events.patch: the fields present in the body replace the
// stored ones. A sequence below the stored one is refused, as by Google.
func (s *Server) patchEvent(w http.ResponseWriter, r *http.Request, cal *calState) {
	if !writable(w, cal) {
		return
	}
	// Patching an instance stores it as an exception of its series.
	se := s.materialize(cal, r.PathValue("event"))
	if se == nil {
		writeAPIError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	var patch map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&patch); err != nil {
		writeAPIError(w, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	for _, f := range readOnlyFields {
		delete(patch, f)
	}
	if r.URL.Query().Get("conferenceDataVersion") != "1" {
		delete(patch, "conferenceData")
	}
	if raw, ok := patch["sequence"]; ok {
		var seq int64
		if json.Unmarshal(raw, &seq) != nil || seq < se.ev.Sequence {
			writeAPIError(w, http.StatusBadRequest, "invalid", msgBadSequence)
			return
		}
	}
	current, _ := json.Marshal(se.ev)
	var merged map[string]json.RawMessage
	_ = json.Unmarshal(current, &merged)
	for k, v := range patch {
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	var ev calendarapi.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid Value")
		return
	}
	se.ev = &ev
	s.touch(cal, se)
	writeJSON(w, http.StatusOK, se.ev)
}

func writable(w http.ResponseWriter, cal *calState) bool {
	if cal.AccessRole == "owner" || cal.AccessRole == "writer" {
		return true
	}
	writeAPIError(w, http.StatusForbidden, "requiredAccessLevel", "You need to have writer access to this calendar.")
	return false
}
