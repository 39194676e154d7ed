package calendar

import "time"

// Session is a booked mentoring session as the outside world sees it: the
// source of invites, feed entries and calendar write-back.
type Session struct {
	// UID is stable for the life of the booking (reschedules keep it).
	UID string
	// Sequence rises by one on every change (RFC 5546).
	Sequence  int
	Start     time.Time
	End       time.Time
	Cancelled bool
	Summary   string
	// Description is plain text; encoders add the video and manage links.
	Description string
	VideoURL    string
	// ManageURL is where the holder of this form moves or cancels the
	// session: the mentee's manage page in what the mentee receives, the
	// mentor's session page in the mentor's calendar and feed.
	ManageURL string
	Organizer Person // the mentor
	Attendee  Person // the mentee
	// Stamp is DTSTAMP: when this version of the session was produced.
	Stamp time.Time
	// Created and Modified feed CREATED / LAST-MODIFIED.
	Created  time.Time
	Modified time.Time
}

// Person is a named mailbox.
type Person struct {
	Name  string
	Email string
}
