package calendar

import "time"

// These types describe what a calendar provider (CalDAV, Google) hands to the
// sync service. They live in the domain so that providers and the core share
// them without depending on each other.

// RemoteCalendar is one calendar discovered on a connection.
type RemoteCalendar struct {
	// Ref identifies the calendar on its server: a CalDAV collection path or
	// a Google calendar id.
	Ref  string
	Name string
	// Default marks the server's default calendar (CalDAV
	// schedule-default-calendar-URL, Google primary).
	Default bool
	// Writable is false for read-only calendars (shared, subscriptions).
	Writable bool
}

// ChangeSet is what changed in one remote calendar since a sync state.
type ChangeSet struct {
	// Full means Upserts is the complete content of the calendar: every
	// stored item not in it must be dropped.
	Full    bool
	Upserts []Item
	// Deletes lists the keys of items removed since the previous state.
	Deletes []string
	// State is opaque to the core (a sync token, a CTag, a Google
	// nextSyncToken) and is passed back on the next call.
	State string
}

// Item is one remote object: a CalDAV calendar resource (raw iCalendar in
// ICS, decoded by the core in the mentor's zone) or a provider event whose
// busy time the provider already computed (Busy, with ICS nil).
type Item struct {
	Key  string
	ETag string
	ICS  []byte
	Busy []Interval
	// Start is the event's start as a provider that reads events itself
	// reports it (Google), whether it blocks time or not; zero when
	// unknown, and with ICS, which holds the start.
	Start time.Time
	// End is the event's end, reported as Start is.
	End time.Time
}
