package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// Job arguments are durable: a job enqueued by one release may run under
// the next. Every argument type therefore names its fields in JSON
// explicitly (renaming a Go field changes nothing stored) and writes a
// version, so that a change of shape can still read what was queued
// before it (version 0: written before versions existed). Links that are
// someone's key (the mentee's manage link, a video link carrying a
// moderator key or a JWT) are sealed: job rows are plain data in the
// database, read by backups, dumps and admin tools.

// Sealer seals and opens the secrets job arguments carry (secret.Box).
type Sealer interface {
	SealString(s string) string
	OpenString(sealed string) (string, error)
}

// PersonArgs is a calendar.Person in a job.
type PersonArgs struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// SessionArgs is a calendar.Session in a job, its links sealed.
type SessionArgs struct {
	UID             string     `json:"uid"`
	Sequence        int        `json:"sequence"`
	Start           time.Time  `json:"start"`
	End             time.Time  `json:"end"`
	Cancelled       bool       `json:"cancelled,omitempty"`
	Summary         string     `json:"summary"`
	Description     string     `json:"description"`
	VideoURLSealed  string     `json:"video_url_sealed,omitempty"`
	ManageURLSealed string     `json:"manage_url_sealed,omitempty"`
	Organizer       PersonArgs `json:"organizer"`
	Attendee        PersonArgs `json:"attendee"`
	Stamp           time.Time  `json:"stamp"`
	Created         time.Time  `json:"created"`
	Modified        time.Time  `json:"modified"`
	// Series, for a session of a weekly series: the series' rule and
	// exceptions (the invitation is the whole series').
	Series *SeriesArgs `json:"series,omitempty"`

	// Jobs queued before links were sealed carry them in clear; they are
	// read into these (never written back: unexported).
	legacyVideoURL, legacyManageURL string
}

// SeriesArgs is a calendar.Recurrence as a job carries it.
type SeriesArgs struct {
	Zone          string        `json:"zone"`
	First         time.Time     `json:"first"`
	Length        time.Duration `json:"length"`
	Count         int           `json:"count"`
	IntervalWeeks int           `json:"interval_weeks"`
	Excluded      []time.Time   `json:"excluded,omitempty"`
	Moved         []MovedArgs   `json:"moved,omitempty"`
}

// MovedArgs is a moved session of a series.
type MovedArgs struct {
	Of    time.Time `json:"of"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func seriesArgs(r *calendar.Recurrence) *SeriesArgs {
	if r == nil {
		return nil
	}
	a := &SeriesArgs{Zone: r.Zone, First: r.First, Length: r.Length, Count: r.Count, IntervalWeeks: r.IntervalWeeks, Excluded: r.Excluded}
	for _, m := range r.Moved {
		a.Moved = append(a.Moved, MovedArgs(m))
	}
	return a
}

func (a *SeriesArgs) recurrence() *calendar.Recurrence {
	if a == nil {
		return nil
	}
	r := &calendar.Recurrence{Zone: a.Zone, First: a.First, Length: a.Length, Count: a.Count, IntervalWeeks: a.IntervalWeeks, Excluded: a.Excluded}
	for _, m := range a.Moved {
		r.Moved = append(r.Moved, calendar.MovedOccurrence(m))
	}
	return r
}

// SealSession is s as a job carries it.
func SealSession(box Sealer, s calendar.Session) SessionArgs {
	a := SessionArgs{
		UID: s.UID, Sequence: s.Sequence, Start: s.Start, End: s.End, Cancelled: s.Cancelled,
		Summary: s.Summary, Description: s.Description,
		Organizer: PersonArgs(s.Organizer), Attendee: PersonArgs(s.Attendee),
		Stamp: s.Stamp, Created: s.Created, Modified: s.Modified, Series: seriesArgs(s.Series),
	}
	if s.VideoURL != "" {
		a.VideoURLSealed = box.SealString(s.VideoURL)
	}
	if s.ManageURL != "" {
		a.ManageURLSealed = box.SealString(s.ManageURL)
	}
	return a
}

// Open is the session with its links opened.
func (a SessionArgs) Open(box Sealer) (calendar.Session, error) {
	s := calendar.Session{
		UID: a.UID, Sequence: a.Sequence, Start: a.Start, End: a.End, Cancelled: a.Cancelled,
		Summary: a.Summary, Description: a.Description, VideoURL: a.legacyVideoURL, ManageURL: a.legacyManageURL,
		Organizer: calendar.Person(a.Organizer), Attendee: calendar.Person(a.Attendee),
		Stamp: a.Stamp, Created: a.Created, Modified: a.Modified, Series: a.Series.recurrence(),
	}
	var err error
	if a.VideoURLSealed != "" {
		if s.VideoURL, err = box.OpenString(a.VideoURLSealed); err != nil {
			return s, fmt.Errorf("open video link of session %s: %w", a.UID, err)
		}
	}
	if a.ManageURLSealed != "" {
		if s.ManageURL, err = box.OpenString(a.ManageURLSealed); err != nil {
			return s, fmt.Errorf("open manage link of session %s: %w", a.UID, err)
		}
	}
	return s, nil
}

// sessionV0 is how version 0 mail jobs stored the session: calendar.Session
// as it was then, by its Go field names, links in clear. Frozen here so
// that calendar.Session can change.
type sessionV0 struct {
	UID         string    `json:"UID"`
	Sequence    int       `json:"Sequence"`
	Start       time.Time `json:"Start"`
	End         time.Time `json:"End"`
	Cancelled   bool      `json:"Cancelled"`
	Summary     string    `json:"Summary"`
	Description string    `json:"Description"`
	VideoURL    string    `json:"VideoURL"`
	ManageURL   string    `json:"ManageURL"`
	Organizer   struct {
		Name  string `json:"Name"`
		Email string `json:"Email"`
	} `json:"Organizer"`
	Attendee struct {
		Name  string `json:"Name"`
		Email string `json:"Email"`
	} `json:"Attendee"`
	Stamp    time.Time `json:"Stamp"`
	Created  time.Time `json:"Created"`
	Modified time.Time `json:"Modified"`
}

func (v sessionV0) args() SessionArgs {
	return SessionArgs{
		UID: v.UID, Sequence: v.Sequence, Start: v.Start, End: v.End, Cancelled: v.Cancelled,
		Summary: v.Summary, Description: v.Description,
		Organizer: PersonArgs(v.Organizer), Attendee: PersonArgs(v.Attendee),
		Stamp: v.Stamp, Created: v.Created, Modified: v.Modified,
		legacyVideoURL: v.VideoURL, legacyManageURL: v.ManageURL,
	}
}

// MailArgsVersion is the shape of MailArgs written now: 1, the session as
// SessionArgs with sealed links.
const MailArgsVersion = 1

// MarshalJSON writes the current version.
func (a MailArgs) MarshalJSON() ([]byte, error) {
	type plain MailArgs
	a.Version = MailArgsVersion
	return json.Marshal(plain(a))
}

// UnmarshalJSON reads every version of MailArgs.
func (a *MailArgs) UnmarshalJSON(data []byte) error {
	type plain MailArgs
	var raw struct {
		plain
		Session json.RawMessage `json:"session"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*a = MailArgs(raw.plain)
	if len(raw.Session) == 0 || string(raw.Session) == "null" {
		return nil
	}
	if a.Version >= 1 {
		return json.Unmarshal(raw.Session, &a.Session)
	}
	var v0 sessionV0
	if err := json.Unmarshal(raw.Session, &v0); err != nil {
		return fmt.Errorf("mail job of version 0: %w", err)
	}
	a.Session = v0.args()
	return nil
}

// ArgsVersion is the shape written now of the job arguments that have not
// changed shape since versions were introduced (0 before).
const ArgsVersion = 1

// MarshalJSON writes the current version.
func (a ReminderArgs) MarshalJSON() ([]byte, error) {
	type plain ReminderArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// MarshalJSON writes the current version.
func (a WritebackArgs) MarshalJSON() ([]byte, error) {
	type plain WritebackArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// MarshalJSON writes the current version.
func (a SyncArgs) MarshalJSON() ([]byte, error) {
	type plain SyncArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// MarshalJSON writes the current version.
func (a SigninMailArgs) MarshalJSON() ([]byte, error) {
	type plain SigninMailArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// MarshalJSON writes the current version.
func (a CalendarEditArgs) MarshalJSON() ([]byte, error) {
	type plain CalendarEditArgs
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// MarshalJSON writes the current version (each sealed mail carries its own).
func (a NoticeMailsArgs) MarshalJSON() ([]byte, error) {
	type plain NoticeMailsArgs
	if a.MailsSealed == "" {
		return nil, errors.New("notice mails written without being sealed (SealNoticeMails)")
	}
	a.Version = ArgsVersion
	return json.Marshal(plain(a))
}

// SealNoticeMails is the job of a notice's mails (at least one, of one
// booking and event).
func SealNoticeMails(box Sealer, mails []MailArgs) (NoticeMailsArgs, error) {
	if len(mails) == 0 {
		return NoticeMailsArgs{}, errors.New("a notice without mails")
	}
	data, err := json.Marshal(mails)
	if err != nil {
		return NoticeMailsArgs{}, fmt.Errorf("encode the mails of %s notice of booking %s: %w", mails[0].Event, mails[0].BookingID, err)
	}
	return NoticeMailsArgs{BookingID: mails[0].BookingID, Event: mails[0].Event, MailsSealed: box.SealString(string(data)), Mails: mails}, nil
}

// Open is the notice's mails.
func (a NoticeMailsArgs) Open(box Sealer) ([]MailArgs, error) {
	data, err := box.OpenString(a.MailsSealed)
	if err != nil {
		return nil, fmt.Errorf("open the mails of %s notice of booking %s: %w", a.Event, a.BookingID, err)
	}
	var mails []MailArgs
	if err := json.Unmarshal([]byte(data), &mails); err != nil {
		return nil, fmt.Errorf("decode the mails of %s notice of booking %s: %w", a.Event, a.BookingID, err)
	}
	return mails, nil
}
