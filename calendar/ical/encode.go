package ical

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// iTIP methods (RFC 5546) used in invitations.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// ProdID identifies Rendezvous as the producer of every calendar it writes.
const ProdID = "-//Rendezvous//Rendezvous Scheduling//EN"

// alarmBefore is how long before a session the reminder alarm fires.
const alarmBefore = 15 * time.Minute

// ErrInvalidSession reports a session that cannot be written as iCalendar.
var ErrInvalidSession = errors.New("invalid session")

// EncodeInvite renders an iMIP invitation (RFC 5546) with the given method:
// MethodRequest for a new or rescheduled session, MethodCancel for a
// cancellation. The caller raises Sequence on every change; a CANCEL keeps
// the UID and is always STATUS:CANCELLED.
func EncodeInvite(method string, s calendar.Session) ([]byte, error) {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method != MethodRequest && method != MethodCancel {
		return nil, fmt.Errorf("encode invite: unsupported iTIP method %q", method)
	}
	if err := validateSession(s); err != nil {
		return nil, fmt.Errorf("encode invite: %w", err)
	}
	// iTIP needs both parties: the organizer receives replies and the
	// recipient must find themselves among the attendees.
	if s.Organizer.Email == "" || s.Attendee.Email == "" {
		return nil, fmt.Errorf("encode invite %s: %w: organizer and attendee e-mail addresses are required", s.UID, ErrInvalidSession)
	}
	w := newCalendarWriter(1)
	w.raw("METHOD", method)
	cancelled := method == MethodCancel || s.Cancelled
	if err := w.sessionEvents(s, cancelled, !cancelled, false); err != nil {
		return nil, fmt.Errorf("encode invite: %w", err)
	}
	return w.close(), nil
}

// sessionEvents writes a session, or a series with its VTIMEZONE and
// overrides.
func (w *icsWriter) sessionEvents(s calendar.Session, cancelled, alarm, clientScheduled bool) error {
	if s.Series == nil {
		w.event(s, cancelled, alarm, clientScheduled)
		return nil
	}
	loc, err := seriesZone(s.Series)
	if err != nil {
		return err
	}
	from, to := seriesSpan(s.Series)
	w.vtimezone(loc, from, to)
	return w.seriesEvents(s, cancelled, alarm, clientScheduled)
}

// EncodeObject renders a session as a CalDAV calendar object resource for
// write-back into the mentor's calendar. Such objects must not carry a
// METHOD (RFC 4791 §4.1). ORGANIZER and ATTENDEEs carry
// SCHEDULE-AGENT=CLIENT (RFC 6638 §7.1): the organizer is the mentor's own
// address, and scheduling servers (Cyrus, SOGo, sabre/dav 2+) would
// otherwise mail the mentee their own invitation, change and cancellation
// on top of ours.
func EncodeObject(s calendar.Session) ([]byte, error) {
	if err := validateSession(s); err != nil {
		return nil, fmt.Errorf("encode calendar object: %w", err)
	}
	w := newCalendarWriter(1)
	if err := w.sessionEvents(s, s.Cancelled, !s.Cancelled, true); err != nil {
		return nil, fmt.Errorf("encode calendar object: %w", err)
	}
	return w.close(), nil
}

func validateSession(s calendar.Session) error {
	switch {
	case strings.TrimSpace(s.UID) == "":
		return fmt.Errorf("%w: empty UID", ErrInvalidSession)
	case s.Start.IsZero() || !s.End.After(s.Start):
		return fmt.Errorf("%w %s: end %s is not after start %s", ErrInvalidSession, s.UID,
			s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
	case s.Sequence < 0:
		return fmt.Errorf("%w %s: negative SEQUENCE %d", ErrInvalidSession, s.UID, s.Sequence)
	case stampOf(s).IsZero():
		return fmt.Errorf("%w %s: no Stamp, Modified or Created time for DTSTAMP", ErrInvalidSession, s.UID)
	}
	return nil
}

// stampOf picks DTSTAMP: the explicit stamp, else the last change. The
// encoders are pure, so they never fall back to the clock.
func stampOf(s calendar.Session) time.Time {
	for _, t := range []time.Time{s.Stamp, s.Modified, s.Created} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// newCalendarWriter opens a VCALENDAR, with a buffer sized for the expected
// number of events (an event takes roughly 1 KiB).
func newCalendarWriter(events int) *icsWriter {
	w := &icsWriter{out: make([]byte, 0, 512+events*1024), line: make([]byte, 0, 256)}
	w.raw("BEGIN", "VCALENDAR")
	w.raw("VERSION", "2.0")
	w.raw("PRODID", ProdID)
	w.raw("CALSCALE", "GREGORIAN")
	return w
}

func (w *icsWriter) close() []byte {
	w.raw("END", "VCALENDAR")
	return w.out
}

// event writes one VEVENT; cancelled sets STATUS:CANCELLED, alarm adds a
// VALARM 15 minutes before the start, clientScheduled marks the people
// SCHEDULE-AGENT=CLIENT (we send the invitations ourselves).
func (w *icsWriter) event(s calendar.Session, cancelled, alarm, clientScheduled bool) {
	w.eventWith(s, func() {
		if s.Series != nil {
			// seriesEvents has checked the zone.
			loc, _ := time.LoadLocation(s.Series.Zone)
			w.seriesTiming(s.Series, loc)
			return
		}
		w.utc("DTSTART", s.Start)
		w.utc("DTEND", s.End)
	}, cancelled, alarm, clientScheduled)
}

// override writes the moved occurrence of a series whose start by the
// rule is of.
func (w *icsWriter) override(s calendar.Session, of time.Time, loc *time.Location, alarm, clientScheduled bool) {
	w.eventWith(s, func() {
		w.local("RECURRENCE-ID", of, loc)
		w.utc("DTSTART", s.Start)
		w.utc("DTEND", s.End)
	}, false, alarm, clientScheduled)
}

func (w *icsWriter) eventWith(s calendar.Session, timing func(), cancelled, alarm, clientScheduled bool) {
	w.raw("BEGIN", "VEVENT")
	w.text("UID", s.UID)
	w.raw("SEQUENCE", strconv.Itoa(s.Sequence))
	w.utc("DTSTAMP", stampOf(s))
	timing()
	if !s.Created.IsZero() {
		w.utc("CREATED", s.Created)
	}
	if !s.Modified.IsZero() {
		w.utc("LAST-MODIFIED", s.Modified)
	}
	w.text("SUMMARY", s.Summary)
	w.description(s)
	if s.VideoURL != "" {
		w.text("LOCATION", s.VideoURL)
		w.raw("URL", s.VideoURL)
	}
	if s.Organizer.Email != "" {
		w.begin("ORGANIZER")
		w.personParams(s.Organizer)
		w.scheduleAgent(clientScheduled)
		w.mailto(s.Organizer.Email)
	}
	if s.Attendee.Email != "" {
		w.begin("ATTENDEE")
		w.personParams(s.Attendee)
		w.scheduleAgent(clientScheduled)
		w.bareParam("ROLE", "REQ-PARTICIPANT")
		w.bareParam("PARTSTAT", "NEEDS-ACTION")
		w.bareParam("RSVP", "TRUE")
		w.mailto(s.Attendee.Email)
	}
	if s.Organizer.Email != "" {
		// The mentor attends too, already accepted: clients then show the
		// session as busy time on the mentor's side without a reply.
		w.begin("ATTENDEE")
		w.personParams(s.Organizer)
		w.scheduleAgent(clientScheduled)
		w.bareParam("ROLE", "CHAIR")
		w.bareParam("PARTSTAT", "ACCEPTED")
		w.mailto(s.Organizer.Email)
	}
	if cancelled {
		w.raw("STATUS", "CANCELLED")
		// A cancelled session no longer blocks time in free/busy lookups.
		w.raw("TRANSP", "TRANSPARENT")
	} else {
		w.raw("STATUS", "CONFIRMED")
		w.raw("TRANSP", "OPAQUE")
	}
	if alarm {
		w.raw("BEGIN", "VALARM")
		w.raw("ACTION", "DISPLAY")
		w.text("DESCRIPTION", s.Summary)
		w.raw("TRIGGER", formatDuration(-alarmBefore))
		w.raw("END", "VALARM")
	}
	w.raw("END", "VEVENT")
}

func (w *icsWriter) scheduleAgent(client bool) {
	if client {
		w.bareParam("SCHEDULE-AGENT", "CLIENT")
	}
}

func (w *icsWriter) personParams(p calendar.Person) {
	if p.Name != "" {
		w.param("CN", p.Name)
	}
}

// mailto finishes an ORGANIZER/ATTENDEE line with its CAL-ADDRESS value.
func (w *icsWriter) mailto(email string) {
	w.line = append(w.line, ":mailto:"...)
	w.line = appendWithoutControls(w.line, email)
	w.finish()
}

// description joins the free text with the links, so that clients that
// show neither LOCATION nor URL still offer them. It escapes straight into
// the line buffer: building the string first doubled a feed's allocations.
func (w *icsWriter) description(s calendar.Session) {
	text := strings.TrimSpace(s.Description)
	if text == "" && s.VideoURL == "" && s.ManageURL == "" {
		return
	}
	w.begin("DESCRIPTION")
	w.line = append(w.line, ':')
	w.line = appendEscapedText(w.line, text)
	sep := `\n\n`
	if text == "" {
		sep = ""
	}
	for _, link := range [...]struct{ label, url string }{
		{"Video: ", s.VideoURL},
		{"Reschedule or cancel: ", s.ManageURL},
	} {
		if link.url == "" {
			continue
		}
		w.line = append(w.line, sep...)
		w.line = append(w.line, link.label...)
		w.line = appendEscapedText(w.line, link.url)
		sep = `\n`
	}
	w.finish()
}
