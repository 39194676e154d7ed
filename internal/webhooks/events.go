package webhooks

import (
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
)

// The event types. A capability that changes something receivers care
// about adds its type here and to EventTypes, and emits it in the
// transaction of the change (see EmitTx).
const (
	BookingCreated     = "booking.created"
	BookingRescheduled = "booking.rescheduled"
	BookingCancelled   = "booking.cancelled"
	BookingReported    = "booking.reported"
	MenteeAssigned     = "mentee.assigned"
	MenteeReassigned   = "mentee.reassigned"
	MenteeEnded        = "mentee.ended"
)

// EventType is an event endpoints can subscribe to.
type EventType struct {
	Name        string
	Description string
}

// EventTypes is the one list of events, in the order the docs list them.
func EventTypes() []EventType {
	return []EventType{
		{BookingCreated, "a session was booked (by a mentee's link, a public link, a mentor or staff)"},
		{BookingRescheduled, "a session moved to another time, or to another mentor with its mentee (previous holds what it was)"},
		{BookingCancelled, "a session was cancelled (by the mentee, the mentor, staff, or with its mentorship)"},
		{BookingReported, "a session's outcome was recorded"},
		{MenteeAssigned, "a mentee was added to a mentor's caseload"},
		{MenteeReassigned, "an active mentee moved to another mentor"},
		{MenteeEnded, "a mentorship ended and its place is free"},
	}
}

// knownEvent reports whether name is in EventTypes.
func knownEvent(name string) bool {
	for _, e := range EventTypes() {
		if e.Name == name {
			return true
		}
	}
	return false
}

// Event is a change to announce: its type and its data object.
type Event struct {
	Type string
	Data any
}

// envelope is the body of every delivery (Standard Webhooks).
type envelope struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// Party is a mentor or mentee in a payload: who they are and their zone,
// with the session's start in that zone where there is a session.
type Party struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Timezone string `json:"timezone"`
	// LocalStart is the session's start in the party's zone (RFC 3339
	// with its offset); absent for mentee events.
	LocalStart string `json:"local_start,omitempty"`
}

// BookingData is the data of booking events. Receivers are registered by
// admins, so the data carries what staff see, with one exception: the
// mentee's manage link, which lets its holder cancel and move the session
// as the mentee, is never sent.
type BookingData struct {
	Booking BookingInfo `json:"booking"`
	Mentor  Party       `json:"mentor"`
	Mentee  Party       `json:"mentee"`
}

// BookingInfo is the session itself; times in UTC.
type BookingInfo struct {
	ID      string  `json:"id"`
	Status  string  `json:"status"`
	Start   string  `json:"start"`
	End     string  `json:"end"`
	Minutes int     `json:"minutes"`
	Outcome *string `json:"outcome"`
	// VideoURL is the mentee's video link (the mentor's BigBlueButton
	// moderator link is never sent).
	VideoURL     string `json:"video_url"`
	Sequence     int    `json:"sequence"`
	CancelReason string `json:"cancel_reason,omitempty"`
	CancelledBy  string `json:"cancelled_by,omitempty"`
	// Previous is what a rescheduled session was.
	Previous *PreviousBooking `json:"previous,omitempty"`
}

// PreviousBooking is a session's time and mentor before it was moved.
type PreviousBooking struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	MentorID string `json:"mentor_id"`
}

// MenteeData is the data of mentee events.
type MenteeData struct {
	Mentee MenteeInfo `json:"mentee"`
	Mentor *Party     `json:"mentor"`
	// PreviousMentor is the mentor a reassigned mentee left.
	PreviousMentor *Party `json:"previous_mentor,omitempty"`
}

// MenteeInfo is a mentee and their mentorship; times in UTC.
type MenteeInfo struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	Timezone   string  `json:"timezone"`
	Status     string  `json:"status"`
	AssignedAt string  `json:"assigned_at"`
	EndedAt    *string `json:"ended_at"`
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func inZone(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

func party(id, name, email, zone string, start *time.Time) Party {
	p := Party{ID: id, Name: name, Email: email, Timezone: zone}
	if start != nil {
		p.LocalStart = inZone(*start, zone)
	}
	return p
}

// Booking builds a booking event; previous is the session before a
// reschedule (nil otherwise).
func Booking(eventType string, b *store.Booking, mentor *store.Mentor, mentee *store.Mentee, previous *store.Booking) Event {
	info := BookingInfo{
		ID: b.ID, Status: b.Status, Start: utc(b.StartAt), End: utc(b.EndAt), Minutes: int(b.EndAt.Sub(b.StartAt).Minutes()),
		Outcome: b.Outcome, VideoURL: b.VideoURL, Sequence: b.Sequence, CancelReason: b.CancelReason, CancelledBy: b.CancelledBy,
	}
	if previous != nil {
		info.Previous = &PreviousBooking{Start: utc(previous.StartAt), End: utc(previous.EndAt), MentorID: previous.MentorID}
	}
	start := b.StartAt
	return Event{Type: eventType, Data: BookingData{
		Booking: info,
		Mentor:  party(mentor.ID, mentor.Name, mentor.Email, mentor.Timezone, &start),
		Mentee:  party(mentee.ID, mentee.Name, mentee.Email, mentee.Timezone, &start),
	}}
}

// Mentee builds a mentee event; previous is the mentor a reassigned
// mentee left (nil otherwise).
func Mentee(eventType string, m *store.Mentee, mentor, previous *store.Mentor) Event {
	info := MenteeInfo{ID: m.ID, Name: m.Name, Email: m.Email, Timezone: m.Timezone, Status: m.Status, AssignedAt: utc(m.AssignedAt)}
	if m.EndedAt != nil {
		ended := utc(*m.EndedAt)
		info.EndedAt = &ended
	}
	data := MenteeData{Mentee: info}
	if mentor != nil {
		p := party(mentor.ID, mentor.Name, mentor.Email, mentor.Timezone, nil)
		data.Mentor = &p
	}
	if previous != nil {
		p := party(previous.ID, previous.Name, previous.Email, previous.Timezone, nil)
		data.PreviousMentor = &p
	}
	return Event{Type: eventType, Data: data}
}
