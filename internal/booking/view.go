package booking

import (
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Booking is a session as its viewers see it, with what the viewer may
// still do with it (computed with the service's clock).
type Booking struct {
	ID            string
	UID           string
	MentorID      string
	MenteeID      string
	Start         time.Time
	End           time.Time
	Status        string
	Outcome       *string
	Sequence      int
	Note          string
	CancelReason  string
	VideoProvider string
	VideoURL      string
	ManageURL     string
	ICSURL        string
	// ChangedBy is who made the last change ("" when none): mentee,
	// mentor, coordinator, admin, or calendar.
	ChangedBy string
	// CalendarRefusal is the last move of the session's event in the
	// mentor's calendar that was refused (nil when none): mentor and
	// staff only.
	CalendarRefusal *CalendarRefusal
	// Report is nil until an outcome is recorded, and for the mentee
	// (notes are for the mentor and staff only).
	Report     *Report
	Attendance Attendance
	// SuggestedOutcome is what the attendance evidence says of an ended
	// session without a report; nil otherwise or without evidence.
	SuggestedOutcome *string
	// SeriesID is the weekly series of the session ("" for one alone).
	SeriesID string
	Rules
}

// CalendarRefusal is a move of the session's event in the mentor's own
// calendar onto a time that was not free: the session kept its time.
type CalendarRefusal struct {
	Start  time.Time // where the event was moved
	Reason string    // MoveRefusedPast, MoveRefusedOutsideHours, MoveRefusedSession, MoveRefusedBusy, MoveRefusedLength
	At     time.Time // when it was seen
}

// Report is a session's report as its mentor and staff see it.
type Report struct {
	Outcome, Notes, Summary string
	FiledAt                 time.Time
	// FiledBy is the role that filed it, or "rendezvous" for a late
	// cancellation recorded by itself.
	FiledBy string
}

// Attendance is the first join of each party through the join link.
type Attendance struct {
	MentorJoinedAt, MenteeJoinedAt *time.Time
}

// Rules are what the viewer may still do with a session: pages offer
// exactly these forms.
type Rules struct {
	// Upcoming: confirmed and not started.
	Upcoming         bool
	CanMove          bool
	CanCancel        bool
	CanRecordOutcome bool
}

// rulesOf applies the service's rules to b for a mentee (manage link) or
// for a mentor or staff.
func rulesOf(b *store.Booking, now time.Time, mentee bool) Rules {
	return Rules{
		Upcoming:         b.Status == store.StatusConfirmed && b.StartAt.After(now),
		CanMove:          checkMovable(b, now) == nil,
		CanCancel:        checkCancellable(b, now, mentee) == nil,
		CanRecordOutcome: !mentee && checkReportable(b, now, OutcomeCompleted) == nil,
	}
}

// view is the session b as a mentee (through its manage link) or as a
// mentor or staff sees it.
func (s *Service) view(b *store.Booking, mentee bool) (*Booking, error) {
	token, err := s.box.OpenString(b.ManageTokenSealed)
	if err != nil {
		return nil, fmt.Errorf("booking %s manage token: %w", b.ID, err)
	}
	var refusal *CalendarRefusal
	if !mentee && b.CalendarRefusedStart != nil && b.CalendarRefusedAt != nil {
		refusal = &CalendarRefusal{Start: b.CalendarRefusedStart.UTC(), Reason: b.CalendarRefusedReason, At: b.CalendarRefusedAt.UTC()}
	}
	return &Booking{
		ID: b.ID, UID: b.UID, MentorID: b.MentorID, MenteeID: b.MenteeID, Start: b.StartAt.UTC(), End: b.EndAt.UTC(),
		Status: b.Status, Outcome: b.Outcome, Sequence: b.Sequence, Note: b.Note, CancelReason: b.CancelReason,
		VideoProvider: b.VideoProvider, VideoURL: s.outbox.VideoURL(b, !mentee),
		ManageURL: s.links.Manage(token),
		ICSURL:    s.links.ICS(b.ID, token),
		ChangedBy: b.ChangedBy, CalendarRefusal: refusal, SeriesID: b.SeriesID,
		Rules:            rulesOf(b, s.now(), mentee),
		Attendance:       Attendance{MentorJoinedAt: utcPtr(b.MentorJoinedAt), MenteeJoinedAt: utcPtr(b.MenteeJoinedAt)},
		Report:           reportOf(b, mentee),
		SuggestedOutcome: suggestedOutcome(b, s.now()),
	}, nil
}

func reportOf(b *store.Booking, mentee bool) *Report {
	if mentee || b.Outcome == nil {
		return nil
	}
	r := &Report{Outcome: *b.Outcome, Notes: b.ReportNotes, Summary: b.ReportSummary, FiledBy: b.ReportedBy, FiledAt: b.UpdatedAt.UTC()}
	if b.ReportedAt != nil {
		r.FiledAt = b.ReportedAt.UTC()
	}
	if r.FiledBy == "" {
		r.FiledBy = string(access.RoleMentor) // recorded before reports existed
	}
	return r
}

// suggestedOutcome reads the attendance of an ended, unreported session:
// both joined, completed; only the mentor, the mentee did not come; only
// the mentee, the mentor did not.
func suggestedOutcome(b *store.Booking, now time.Time) *string {
	if b.Status != store.StatusConfirmed || b.Outcome != nil || b.EndAt.After(now) {
		return nil
	}
	var o string
	switch {
	case b.MentorJoinedAt != nil && b.MenteeJoinedAt != nil:
		o = OutcomeCompleted
	case b.MentorJoinedAt != nil:
		o = OutcomeNoShow
	case b.MenteeJoinedAt != nil:
		o = OutcomeMentorNoShow
	default:
		return nil
	}
	return &o
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
