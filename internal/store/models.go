package store

import "time"

// These are storage models: they map tables and never leave the services
// as JSON; the API has its own response types.

// Mentor is a row of mentors.
type Mentor struct {
	ID                   string
	Name                 string
	Email                string
	Status               string // MentorActive, MentorPaused or MentorInactive
	Timezone             string
	Language             string
	MaxMentees           int
	SessionMinutes       int
	MinNoticeMinutes     int
	HorizonDays          int
	BufferMinutes        int
	MaxSessionsPerDay    *int
	MaxUpcomingPerMentee int
	PublicBooking        bool
	VideoProvider        string
	WeeklyHours          string // JSON, see the availability service
	Overrides            string // JSON
	TokenHash            string
	FeedTokenHash        string
	FeedTokenSealed      string
	PublicTokenHash      string
	PublicTokenSealed    string
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Mentee is a row of mentees.
type Mentee struct {
	ID              string
	MentorID        *string
	Name            string
	Email           string
	EmailKey        string
	Timezone        string
	Language        string
	Status          string
	LinkTokenHash   string
	LinkTokenSealed string
	AssignedAt      time.Time
	EndedAt         *time.Time
	// NudgedAt is when the pair was last nudged (migration 00021). Read
	// only: the nudge sweep sets it with the row locked (ClaimNudge), and
	// a mentee written back whole must not put an older value back.
	NudgedAt  *time.Time `gorm:"->"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Booking is a row of bookings: one mentoring session.
type Booking struct {
	ID                  string
	UID                 string `gorm:"column:uid"`
	MentorID            string
	MenteeID            string
	StartAt             time.Time
	EndAt               time.Time
	Status              string
	Outcome             *string
	Sequence            int
	Note                string
	CancelReason        string
	CancelledBy         string
	CancelledAt         *time.Time
	VideoProvider       string
	VideoRoom           string
	VideoURL            string `gorm:"column:video_url"`
	ManageTokenHash     string
	ManageTokenSealed   string
	WritebackCalendarID string
	WritebackRef        string
	WritebackEtag       string
	// WritebackSequence is the Sequence whose state the write-back last
	// put into the calendar (-1: unknown).
	WritebackSequence int
	MailHeld          string // event whose mails wait for the Meet link
	// ChangedBy is who made the last change: a role, "mentee" or
	// "calendar"; "" while never changed.
	ChangedBy string
	// CalendarRefused* is the last move of the session's event in the
	// mentor's calendar that was refused.
	CalendarRefusedStart  *time.Time
	CalendarRefusedReason string
	CalendarRefusedAt     *time.Time
	// The report (with Outcome): see migration 00019.
	ReportNotes      string
	ReportSummary    string
	ReportedAt       *time.Time
	ReportedBy       string
	MentorJoinedAt   *time.Time
	MenteeJoinedAt   *time.Time
	ReportRemindedAt *time.Time
	// SeriesID is the weekly series the session belongs to ("" for a
	// single session); RecurrenceAt its start by the series' rule, which
	// a move keeps (the iCalendar RECURRENCE-ID).
	SeriesID     string
	RecurrenceAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Connection is a row of connections: a mentor's CalDAV or Google account.
type Connection struct {
	ID                  string
	MentorID            string
	Provider            string
	URL                 string `gorm:"column:url"`
	Username            string
	CredentialsSealed   string
	Status              string
	LastError           string
	ConsecutiveFailures int
	LastAttemptAt       *time.Time
	LastSuccessAt       *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Calendar is a row of calendars: one remote calendar of a connection.
type Calendar struct {
	ID             string
	ConnectionID   string
	MentorID       string
	Ref            string
	Name           string
	CheckConflicts bool
	WriteTarget    bool
	Writable       bool
	SyncState      string
	CreatedAt      time.Time
}

// CalendarItem is one remote object of a calendar, kept so that busy time
// can be recomputed without the network when the window moves.
type CalendarItem struct {
	CalendarID string `gorm:"primaryKey"`
	Key        string `gorm:"primaryKey"`
	ETag       string `gorm:"column:etag"`
	ICS        []byte `gorm:"column:ics"`
	Busy       string
	// Decoded caches the busy time decoded from ICS (calsync's format);
	// it goes with the row, so a changed object starts without one.
	Decoded string
}

// BusyInterval is a stored busy span of a calendar.
type BusyInterval struct {
	ID         int64
	MentorID   string
	CalendarID string
	StartAt    time.Time
	EndAt      time.Time
}

// IdempotencyKey remembers the booking a keyed request created.
type IdempotencyKey struct {
	Scope       string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	BookingID   string
	CreatedAt   time.Time
}

// OAuthState is a pending Google consent.
type OAuthState struct {
	StateHash      string `gorm:"primaryKey"`
	MentorID       string
	VerifierSealed string
	ExpiresAt      time.Time
	UsedAt         *time.Time
}

// SigninToken is a single-use mentor sign-in link.
type SigninToken struct {
	TokenHash string `gorm:"primaryKey"`
	MentorID  string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// MentorSession is a signed-in browser of the mentor area.
type MentorSession struct {
	TokenHash string `gorm:"primaryKey"`
	MentorID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ReminderSent records a reminder so it goes out once per session time.
type ReminderSent struct {
	BookingID     string    `gorm:"primaryKey"`
	OffsetMinutes int       `gorm:"primaryKey"`
	StartAt       time.Time `gorm:"primaryKey"`
	SentAt        time.Time
}

// TableName overrides gorm's pluralisation.
func (ReminderSent) TableName() string { return "reminders_sent" }

// SentMail records a mail the SMTP server accepted, or refused for good
// (Refused): either way it is not offered to the server again.
type SentMail struct {
	MessageID string    `gorm:"primaryKey"`
	SentAt    time.Time // when it was accepted or refused
	Refused   bool
}

// TableName overrides gorm's pluralisation.
func (SentMail) TableName() string { return "sent_mail" }

// StatementMonth is a closed month and its statement as it was closed.
type StatementMonth struct {
	Month         string `gorm:"primaryKey"`
	ClosedAt      time.Time
	ClosedBy      string
	StatementJSON string `gorm:"column:statement_json"`
	StatementCSV  []byte `gorm:"column:statement_csv"`
}

// Setting is a key/value row.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

// UTCSecond normalises an instant for the time-range columns: UTC, whole
// seconds, so that SQLite's text comparisons order correctly.
func UTCSecond(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
