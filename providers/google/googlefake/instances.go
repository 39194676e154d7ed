package googlefake

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// Recurring events, as far as Google documents their shapes: a master
// event carries RRULE and EXDATE lines in "recurrence" (the fake reads
// FREQ=DAILY or WEEKLY with COUNT and INTERVAL); each occurrence is an
// instance whose id is the master's, "_" and its original start in UTC
// (20270301T090000Z); events.instances lists them; an instance patched
// becomes an exception stored as an event of its own with
// recurringEventId and originalStartTime; an instance deleted is a
// cancelled exception. Listings are not expanded (singleEvents is
// ignored): they return masters and exceptions as stored.

const instanceStamp = "20060102T150405Z"

// occurrences are the master's starts by its rule, EXDATEs left out; nil
// for an event that does not recur (or a rule the fake does not read).
func occurrences(ev *calendarapi.Event) []time.Time {
	if len(ev.Recurrence) == 0 || ev.Start == nil || ev.Start.DateTime == "" {
		return nil
	}
	first, err := time.Parse(time.RFC3339, ev.Start.DateTime)
	if err != nil {
		return nil
	}
	loc := time.UTC
	if ev.Start.TimeZone != "" {
		if l, err := time.LoadLocation(ev.Start.TimeZone); err == nil {
			loc = l
		}
	}
	first = first.In(loc)
	days, count := 0, 0
	excluded := map[int64]bool{}
	for _, line := range ev.Recurrence {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil
		}
		params := strings.Split(name, ";")
		switch params[0] {
		case "RRULE":
			interval := 1
			for _, part := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(part, "=")
				switch k {
				case "FREQ":
					switch v {
					case "DAILY":
						days = 1
					case "WEEKLY":
						days = 7
					default:
						return nil
					}
				case "COUNT":
					count, _ = strconv.Atoi(v)
				case "INTERVAL":
					interval, _ = strconv.Atoi(v)
				default:
					return nil
				}
			}
			days *= interval
		case "EXDATE":
			exLoc := time.UTC
			for _, p := range params[1:] {
				if zone, ok := strings.CutPrefix(p, "TZID="); ok {
					if l, err := time.LoadLocation(zone); err == nil {
						exLoc = l
					}
				}
			}
			for _, v := range strings.Split(value, ",") {
				layout := "20060102T150405"
				if strings.HasSuffix(v, "Z") {
					layout, exLoc = instanceStamp, time.UTC
				}
				if t, err := time.ParseInLocation(layout, v, exLoc); err == nil {
					excluded[t.Unix()] = true
				}
			}
		}
	}
	if days <= 0 || count <= 0 || count > 730 {
		return nil
	}
	var out []time.Time
	for k := range count {
		t := time.Date(first.Year(), first.Month(), first.Day()+days*k, first.Hour(), first.Minute(), first.Second(), 0, loc)
		if !excluded[t.Unix()] {
			out = append(out, t.UTC())
		}
	}
	return out
}

// instanceID is the id Google gives an occurrence of master.
func instanceID(masterID string, start time.Time) string {
	return masterID + "_" + start.UTC().Format(instanceStamp)
}

// instance is an occurrence of master as Google shows one never changed.
func instance(master *calendarapi.Event, start time.Time) *calendarapi.Event {
	ev := cloneEvent(master)
	first, _ := time.Parse(time.RFC3339, master.Start.DateTime)
	var length time.Duration
	if master.End != nil {
		if end, err := time.Parse(time.RFC3339, master.End.DateTime); err == nil {
			length = end.Sub(first)
		}
	}
	loc := time.UTC
	if l, err := time.LoadLocation(master.Start.TimeZone); err == nil {
		loc = l
	}
	ev.Id = instanceID(master.Id, start)
	ev.Recurrence = nil
	ev.RecurringEventId = master.Id
	ev.OriginalStartTime = &calendarapi.EventDateTime{DateTime: start.In(loc).Format(time.RFC3339), TimeZone: master.Start.TimeZone}
	ev.Start = &calendarapi.EventDateTime{DateTime: start.In(loc).Format(time.RFC3339), TimeZone: master.Start.TimeZone}
	ev.End = &calendarapi.EventDateTime{DateTime: start.Add(length).In(loc).Format(time.RFC3339), TimeZone: master.Start.TimeZone}
	return ev
}

// virtualInstance resolves an instance id that has no exception stored
// yet: the master and the occurrence's start, or nil.
func (c *calState) virtualInstance(id string) (*storedEvent, time.Time) {
	masterID, stamp, ok := strings.Cut(id, "_")
	if !ok {
		return nil, time.Time{}
	}
	at, err := time.Parse(instanceStamp, stamp)
	if err != nil {
		return nil, time.Time{}
	}
	master := c.find(masterID)
	if master == nil || master.ev.Status == "cancelled" {
		return nil, time.Time{}
	}
	for _, t := range occurrences(master.ev) {
		if t.Equal(at) {
			return master, at
		}
	}
	return nil, time.Time{}
}

// materialize stores the exception of an instance about to change.
func (s *Server) materialize(cal *calState, id string) *storedEvent {
	if se := cal.find(id); se != nil {
		return se
	}
	master, at := cal.virtualInstance(id)
	if master == nil {
		return nil
	}
	return s.addEvent(cal, instance(master.ev, at))
}

// listInstances is events.instances: every occurrence of a recurring
// event, exceptions as stored (cancelled ones with showDeleted=true),
// filtered by originalStart.
func (s *Server) listInstances(w http.ResponseWriter, r *http.Request, cal *calState) {
	master := cal.find(r.PathValue("event"))
	if master == nil {
		writeAPIError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	q := r.URL.Query()
	var only time.Time
	if v := q.Get("originalStart"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid value for: originalStart")
			return
		}
		only = t
	}
	resp := &calendarapi.Events{Kind: "calendar#events", Summary: cal.Summary, TimeZone: cal.TimeZone, AccessRole: cal.AccessRole,
		Items: []*calendarapi.Event{}}
	for _, at := range occurrences(master.ev) {
		if !only.IsZero() && !only.Equal(at) {
			continue
		}
		ev := instance(master.ev, at)
		if se := cal.find(ev.Id); se != nil {
			ev = cloneEvent(se.ev)
		}
		if ev.Status == "cancelled" && q.Get("showDeleted") != "true" {
			continue
		}
		resp.Items = append(resp.Items, ev)
	}
	writeJSON(w, http.StatusOK, resp)
}

// Instances returns the occurrences of a recurring event as events.instances
// shows them (exceptions as changed, cancelled ones left out).
func (s *Server) Instances(calID, masterID string) []*calendarapi.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mustCalendar(calID)
	master := cal.find(masterID)
	if master == nil {
		return nil
	}
	var out []*calendarapi.Event
	for _, at := range occurrences(master.ev) {
		ev := instance(master.ev, at)
		if se := cal.find(ev.Id); se != nil {
			ev = cloneEvent(se.ev)
		}
		if ev.Status != "cancelled" {
			out = append(out, ev)
		}
	}
	return out
}
