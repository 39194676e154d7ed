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
	// Series, when set, makes the session the master of a weekly series
	// (one UID for all its occurrences); Start and End are then the
	// occurrence the message is about, and the series' own times are in
	// Series.
	Series *Recurrence `json:",omitempty"`
}

// Recurrence is a weekly series as calendars hold it: a rule, the
// occurrences it no longer has (EXDATE), and those that moved
// (RECURRENCE-ID overrides).
type Recurrence struct {
	// Zone is the IANA zone the rule repeats in: occurrences keep First's
	// wall-clock time in it across DST changes.
	Zone          string
	First         time.Time // the rule's first start (DTSTART)
	Length        time.Duration
	Count         int
	IntervalWeeks int
	// Excluded are starts by the rule that are not (or no longer) booked.
	Excluded []time.Time
	// Moved are occurrences at another time than the rule's.
	Moved []MovedOccurrence
}

// MovedOccurrence is an occurrence of a series at another time than its
// start by the rule (Of).
type MovedOccurrence struct {
	Of         time.Time
	Start, End time.Time
}

// Starts are the rule's starts, excluded ones included.
func (r *Recurrence) Starts() ([]time.Time, error) {
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		return nil, err
	}
	local := r.First.In(loc)
	out := make([]time.Time, r.Count)
	for k := range out {
		out[k] = time.Date(local.Year(), local.Month(), local.Day()+7*r.IntervalWeeks*k,
			local.Hour(), local.Minute(), local.Second(), 0, loc).UTC()
	}
	return out, nil
}

// Person is a named mailbox.
type Person struct {
	Name  string
	Email string
}
