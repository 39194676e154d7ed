package jobs

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
)

// PeopleMailArgs mails one person about their place in the programme,
// outside any session: a welcome (a new mentor, a new or imported mentee,
// a mentee given another mentor) or a nudge to a pair that has not met.
// What the mail says is a snapshot taken when the change committed; the
// one link it carries (a sign-in link, a booking link) is sealed.
type PeopleMailArgs struct {
	Version int `json:"version"` // see session.go
	// Mail is the kind: mentor_welcome, mentee_welcome,
	// mentee_reassigned, nudge_mentee, nudge_mentor.
	Mail string `json:"mail"`
	// Event names the change the mail announces, once: the Message-ID is
	// made of it, so a job run again after a crash is not mailed twice.
	Event    string `json:"event"`
	MentorID string `json:"mentor_id"`
	MenteeID string `json:"mentee_id,omitempty"`
	// The reader, in their language and zone.
	ToName   string `json:"to_name"`
	ToEmail  string `json:"to_email"`
	Language string `json:"language"`
	Timezone string `json:"timezone"`
	// The other party (the mentor, for a mentee; the mentee, for a mentor
	// nudged) and their zone: times are shown in both.
	OtherName     string `json:"other_name,omitempty"`
	OtherEmail    string `json:"other_email,omitempty"`
	OtherTimezone string `json:"other_timezone,omitempty"`
	// PreviousMentor is a reassigned mentee's former mentor.
	PreviousMentor string `json:"previous_mentor,omitempty"`
	// LinkSealed is the sign-in link (mentor_welcome) or the mentee's
	// booking link (the others).
	LinkSealed string `json:"link_sealed,omitempty"`
	// LinkExpires is a sign-in link's end: no point mailing it later.
	LinkExpires *time.Time `json:"link_expires,omitempty"`
	// LastSession is the pair's last session held (nudges), if any.
	LastSession *time.Time `json:"last_session,omitempty"`
}

// Kind implements river.JobArgs.
func (PeopleMailArgs) Kind() string { return "people_mail" }

// InsertOpts retries for about a day and a half, as session mails.
func (PeopleMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// MarshalJSON writes the current version.
func (a PeopleMailArgs) MarshalJSON() ([]byte, error) {
	type plain PeopleMailArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// NudgeSweepArgs looks for pairs that have not met within the expected
// interval and are due a nudge.
type NudgeSweepArgs struct {
	Version int `json:"version"` // see session.go
}

// Kind implements river.JobArgs.
func (NudgeSweepArgs) Kind() string { return "nudge_sweep" }

// InsertOpts keeps one sweep at a time across processes (River requires
// the unique states to include running).
func (NudgeSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: UntilDone()}}
}

// MarshalJSON writes the current version.
func (a NudgeSweepArgs) MarshalJSON() ([]byte, error) {
	type plain NudgeSweepArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}
