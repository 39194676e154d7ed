package googlefake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"
)

// Calendar describes a calendar in the user's calendar list.
type Calendar struct {
	ID, Summary string
	TimeZone    string // IANA name; all-day events are in this zone
	// AccessRole is owner, writer, reader or freeBusyReader.
	AccessRole string
	Primary    bool
	Hidden     bool
}

type calState struct {
	Calendar
	events []*storedEvent // in creation order: the listing order
	zone   *time.Location // TimeZone, loaded once
}

type storedEvent struct {
	ev          *calendarapi.Event
	version     int64 // last change, compared with sync positions
	meetPending int   // reads left before a pending Meet request succeeds
}

// AddCalendar adds (or replaces the settings of) a calendar.
func (s *Server) AddCalendar(c Calendar) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.AccessRole == "" {
		c.AccessRole = "owner"
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	zone, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		panic(fmt.Sprintf("googlefake: calendar %q: %v", c.ID, err))
	}
	if existing := s.calendar(c.ID); existing != nil {
		existing.Calendar, existing.zone = c, zone
		return
	}
	s.cals = append(s.cals, &calState{Calendar: c, zone: zone})
}

// calendar resolves an id, including Google's "primary" alias.
func (s *Server) calendar(id string) *calState {
	for _, c := range s.cals {
		if c.ID == id || (id == "primary" && c.Primary) {
			return c
		}
	}
	return nil
}

func (s *Server) mustCalendar(id string) *calState {
	c := s.calendar(id)
	if c == nil {
		panic(fmt.Sprintf("googlefake: no calendar %q", id))
	}
	return c
}

// PutEvent creates or replaces a seeded event (by Id; one is assigned when
// empty) as if the user edited it in Google Calendar, and returns the
// stored copy with etag, updated and iCalUID filled in.
func (s *Server) PutEvent(calID string, ev *calendarapi.Event) *calendarapi.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mustCalendar(calID)
	ev = cloneEvent(ev)
	if ev.Id == "" {
		ev.Id = s.newID()
	}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	if se := cal.find(ev.Id); se != nil {
		if ev.Created == "" {
			ev.Created = se.ev.Created
		}
		se.ev = ev
		s.touch(cal, se)
		return cloneEvent(se.ev)
	}
	se := s.addEvent(cal, ev)
	return cloneEvent(se.ev)
}

// DeleteEvent cancels a seeded event, as a deletion in the Google UI:
// it then appears with status "cancelled" in incremental syncs.
func (s *Server) DeleteEvent(calID, eventID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mustCalendar(calID)
	if se := cal.find(eventID); se != nil {
		se.ev.Status = "cancelled"
		s.touch(cal, se)
	}
}

// Event returns a copy of a stored event (cancelled ones included).
func (s *Server) Event(calID, eventID string) (*calendarapi.Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se := s.mustCalendar(calID).find(eventID); se != nil {
		return cloneEvent(se.ev), true
	}
	return nil, false
}

// Events returns copies of the calendar's live (not cancelled) events.
func (s *Server) Events(calID string) []*calendarapi.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*calendarapi.Event
	for _, se := range s.mustCalendar(calID).events {
		if se.ev.Status != "cancelled" {
			out = append(out, cloneEvent(se.ev))
		}
	}
	return out
}

// ExpireSyncTokens invalidates every sync token handed out so far: the
// next incremental events.list answers 410 fullSyncRequired.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
}

// SetMeetPendingReads sets how many event reads after an insert still
// report a new Meet conference as "pending" (default 0: the insert's own
// answer is pending, the first read succeeds).
func (s *Server) SetMeetPendingReads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meetWait = n
}

func (c *calState) find(id string) *storedEvent {
	for _, se := range c.events {
		if se.ev.Id == id {
			return se
		}
	}
	return nil
}

// addEvent stores a new event with the server-set fields Google fills in.
func (s *Server) addEvent(cal *calState, ev *calendarapi.Event) *storedEvent {
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	ev.Kind = "calendar#event"
	if ev.Created == "" {
		ev.Created = now
	}
	if ev.ICalUID == "" {
		ev.ICalUID = ev.Id + "@google.com"
	}
	if ev.EventType == "" {
		ev.EventType = "default"
	}
	if ev.Organizer == nil {
		ev.Organizer = &calendarapi.EventOrganizer{Email: cal.ID, Self: cal.ID == s.User}
	}
	if ev.Creator == nil {
		ev.Creator = &calendarapi.EventCreator{Email: s.User, Self: true}
	}
	ev.HtmlLink = "https://www.google.com/calendar/event?eid=" + ev.Id
	se := &storedEvent{ev: ev}
	cal.events = append(cal.events, se)
	s.touch(cal, se)
	return se
}

// touch records a change: new version, etag and updated time.
func (s *Server) touch(cal *calState, se *storedEvent) {
	s.version++
	se.version = s.version
	se.ev.Etag = `"` + strconv.FormatInt(3_000_000_000_000_000+s.version, 10) + `"`
	se.ev.Updated = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for _, a := range se.ev.Attendees {
		a.Self = a.Email == s.User
	}
}

// newID returns an event id in Google's alphabet (base32hex, lower case).
func (s *Server) newID() string {
	s.ids++
	return "fake" + strconv.FormatInt(s.ids, 32) + "evt" + strconv.FormatInt(time.Now().UnixNano()%1_000_000, 32)
}

func cloneEvent(ev *calendarapi.Event) *calendarapi.Event {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	var out calendarapi.Event
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &out
}

// bounds returns an event's [start, end) as instants; all-day dates are
// midnights in the calendar's zone.
func (c *calState) bounds(ev *calendarapi.Event) (time.Time, time.Time, bool) {
	parse := func(dt *calendarapi.EventDateTime) (time.Time, bool) {
		switch {
		case dt == nil:
			return time.Time{}, false
		case dt.DateTime != "":
			t, err := time.Parse(time.RFC3339, dt.DateTime)
			return t, err == nil
		default:
			t, err := time.ParseInLocation(time.DateOnly, dt.Date, c.zone)
			return t, err == nil
		}
	}
	start, ok1 := parse(ev.Start)
	end, ok2 := parse(ev.End)
	return start, end, ok1 && ok2
}
