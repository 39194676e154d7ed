package jobs

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// UntilDone are the states of a job not yet finished: a unique job is
// refused while another with its key is in one of them (River requires
// running among them).
func UntilDone() []rivertype.JobState {
	return []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}
}

// The job kinds shared between the services that enqueue them and the
// workers that run them.

// MailArgs sends one notification mail. The session is a snapshot taken
// when the change committed, so the mail says what was true then; its
// links are sealed (see session.go).
type MailArgs struct {
	// Version is the shape of these arguments (MailArgsVersion when
	// written; 0 for jobs queued before versions).
	Version   int           `json:"version"`
	BookingID string        `json:"booking_id"`
	Event     string        `json:"event"` // confirmed, rescheduled, cancelled, reminder
	Session   SessionArgs   `json:"session"`
	ToMentor  bool          `json:"to_mentor"`
	Language  string        `json:"language"`
	Timezone  string        `json:"timezone"`
	Reason    string        `json:"reason,omitempty"`
	Lead      time.Duration `json:"lead,omitempty"`
	// OtherTimezone is the other party's zone: mails show both local times.
	OtherTimezone string `json:"other_timezone,omitempty"`
	// PreviousStart is a rescheduled session's former start.
	PreviousStart *time.Time `json:"previous_start,omitempty"`
	// CancelledBy is who cancelled (a role, "mentee", "calendar", "reassigned").
	CancelledBy string `json:"cancelled_by,omitempty"`
	// RebookTokenSealed is the sealed booking-link token a mentee books
	// again with after a cancellation (their own link, else the mentor's
	// public one).
	RebookTokenSealed string `json:"rebook_token_sealed,omitempty"`
	// Note is what the mentee wrote when booking, for the mentor.
	Note string `json:"note,omitempty"`
	// Summary is a report's summary mailed to the mentee (with their
	// booking link in RebookTokenSealed).
	Summary string `json:"summary,omitempty"`
	// TriedStart, TriedEnd and Refused are, in a calendar_move_refused
	// mail, where the mentor moved the session's event in their calendar
	// (or, for a length change, where it ended) and why the session did
	// not follow.
	TriedStart *time.Time `json:"tried_start,omitempty"`
	TriedEnd   *time.Time `json:"tried_end,omitempty"`
	Refused    string     `json:"refused,omitempty"`
	// Skipped are the starts of a weekly series not booked, with why (a
	// series' confirmation lists them).
	Skipped []SkippedArgs `json:"skipped,omitempty"`
}

// SkippedArgs is a start of a series not booked, and why.
type SkippedArgs struct {
	Start  time.Time `json:"start"`
	Reason string    `json:"reason"`
}

// Kind implements river.JobArgs.
func (MailArgs) Kind() string { return "mail" }

// InsertOpts retries mail for about a day and a half with River's
// exponential backoff before giving up.
func (MailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// NoticeMailsArgs sends the mails of one notice (a session's change or
// reminder) to both parties in one job: each mail is a job row's worth of
// database work less (insert, fetch, completion). Every mail is tried; the
// job is retried while one failed temporarily, and the mails already sent
// are recognised by their Message-ID (internal/maillog) and not sent again.
//
// The mails travel as one sealed value (SealNoticeMails, Open): River's
// job table indexes every key and value of a job's args (GIN), and each
// version of the row (inserted, fetched, completed) wrote two mails' ~60
// entries again; one value is one entry, and the parties' names and
// addresses are no longer readable in the table.
type NoticeMailsArgs struct {
	Version   int    `json:"version"` // see session.go
	BookingID string `json:"booking_id"`
	Event     string `json:"event"`
	// MailsSealed is the JSON of the mails, the mentee's first, sealed.
	MailsSealed string `json:"mails_sealed"`
	// Mails are the mails as sealed, in the process that sealed them
	// (not stored: a worker opens MailsSealed).
	Mails []MailArgs `json:"-"`
}

// Kind implements river.JobArgs.
func (NoticeMailsArgs) Kind() string { return "notice_mails" }

// InsertOpts retries as MailArgs.
func (NoticeMailsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// ReminderArgs fires a reminder before a session. Bookings no longer
// schedule it (ReminderSweepArgs took over); its worker stays for the jobs
// enqueued before.
type ReminderArgs struct {
	Version   int           `json:"version"` // see session.go
	BookingID string        `json:"booking_id"`
	Lead      time.Duration `json:"lead"`
	StartAt   time.Time     `json:"start_at"` // the session time it was scheduled for
}

// Kind implements river.JobArgs.
func (ReminderArgs) Kind() string { return "reminder" }

// WritebackArgs brings a booking's event in the mentor's write-target
// calendar in line with the booking (create, update or delete).
type WritebackArgs struct {
	Version   int    `json:"version"` // see session.go
	BookingID string `json:"booking_id"`
	// SeriesID, when set, writes back that weekly series (one its
	// sessions may have left, as on a reassignment).
	SeriesID string `json:"series_id,omitempty"`
}

// Kind implements river.JobArgs.
func (WritebackArgs) Kind() string { return "calendar_writeback" }

// InsertOpts retries write-back for about a day.
func (WritebackArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 18} }

// SyncArgs syncs one calendar connection.
type SyncArgs struct {
	Version      int    `json:"version"` // see session.go
	ConnectionID string `json:"connection_id"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "calendar_sync" }

// InsertOpts keeps one pending sync per connection: a sync already waiting
// covers any newer request.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: UntilDone()}}
}

// SigninMailArgs mails a mentor a sign-in link. The link is sealed: job
// rows are plain data, and the link opens the mentor area.
type SigninMailArgs struct {
	Version    int       `json:"version"` // see session.go
	MentorID   string    `json:"mentor_id"`
	LinkSealed string    `json:"link_sealed"`
	Language   string    `json:"language"`
	ExpiresAt  time.Time `json:"expires_at"` // the link's; no point mailing it later
}

// Kind implements river.JobArgs.
func (SigninMailArgs) Kind() string { return "signin_mail" }

// InsertOpts retries within the link's 15 minutes (River's backoff: about
// 1, 16, 81, 256 seconds…).
func (SigninMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 6} }

// StaffSigninMailArgs mails a staff member a console sign-in link, sealed
// like a mentor's: the link opens the console.
type StaffSigninMailArgs struct {
	Version    int       `json:"version"` // see session.go
	StaffID    string    `json:"staff_id"`
	LinkSealed string    `json:"link_sealed"`
	Language   string    `json:"language"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Kind implements river.JobArgs.
func (StaffSigninMailArgs) Kind() string { return "staff_signin_mail" }

// InsertOpts retries within the link's 15 minutes, as SigninMailArgs.
func (StaffSigninMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 6} }

// MarshalJSON writes the current version.
func (a StaffSigninMailArgs) MarshalJSON() ([]byte, error) {
	type plain StaffSigninMailArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// CalendarEditArgs is a change the mentor made to a session's event in
// their own calendar, seen by the sync: the event moved to Start (or only
// its end changed to End), or deleted. It is applied only to the booking version it was seen against
// (Sequence, written to CalendarID at Key): any change since makes it
// stale, and it is dropped.
type CalendarEditArgs struct {
	Version    int       `json:"version"` // see session.go
	BookingID  string    `json:"booking_id"`
	Sequence   int       `json:"sequence"`
	CalendarID string    `json:"calendar_id"`
	Key        string    `json:"key"`
	Deleted    bool      `json:"deleted,omitempty"`
	Start      time.Time `json:"start"`
	// End is where the event now ends (zero: unknown, as in jobs queued
	// before it was read). With Start unchanged, only the length changed.
	End time.Time `json:"end"`
	// ETag is the moved event's; a refused move remembers it, so the
	// same edit is not refused again at every sync.
	ETag string `json:"etag,omitempty"`
}

// Kind implements river.JobArgs.
func (CalendarEditArgs) Kind() string { return "calendar_edit" }

// InsertOpts: one pending job per edit seen.
func (CalendarEditArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: UntilDone()}}
}

// ReminderSweepArgs looks for sessions whose reminders are due (see
// booking.SweepReminders); it replaces the ReminderArgs job each booking
// used to schedule per reminder.
type ReminderSweepArgs struct {
	Version int `json:"version"` // see session.go
}

// Kind implements river.JobArgs.
func (ReminderSweepArgs) Kind() string { return "reminder_sweep" }

// InsertOpts keeps one sweep at a time (River requires the unique states
// to include running).
func (ReminderSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: UntilDone()}}
}

// MarshalJSON writes the current version.
func (a ReminderSweepArgs) MarshalJSON() ([]byte, error) {
	type plain ReminderSweepArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// ReportReminderSweepArgs looks for ended sessions whose mentor is due a
// reminder to file the report.
type ReportReminderSweepArgs struct {
	Version int `json:"version"` // see session.go
}

// Kind implements river.JobArgs.
func (ReportReminderSweepArgs) Kind() string { return "report_reminder_sweep" }

// InsertOpts keeps one sweep at a time (River requires the unique states
// to include running).
func (ReportReminderSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: UntilDone()}}
}

// MarshalJSON writes the current version.
func (a ReportReminderSweepArgs) MarshalJSON() ([]byte, error) {
	type plain ReportReminderSweepArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}
