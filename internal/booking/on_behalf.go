package booking

import (
	"context"
	"errors"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// ForMenteeInput is a session (Count 0) or a weekly series a mentor or
// staff member books for a mentee.
type ForMenteeInput struct {
	Start         time.Time
	Count         int // 0: one session
	IntervalWeeks int
	Note          string
	// OutsideHours lets the mentor book outside their weekly hours (and
	// past their notice, horizon and per-day cap); busy time, sessions
	// and buffers still count.
	OutsideHours bool
	// SkipUnavailable books a series' free occurrences and lists the
	// others; false books all or nothing.
	SkipUnavailable bool
}

var errNoMentee = apperr.Errorf(apperr.NotFound, "no such mentee")

// BookForMentee books a session or a series for an active mentee of a
// mentor by may act for; the mentee gets the invites as usual. A mentor
// or staff booking is not held to the mentee's upcoming-sessions limit,
// nor to the mentor's notice and horizon. One session is returned as a
// Series without an ID.
func (s *Service) BookForMentee(ctx context.Context, by access.Principal, menteeID string, in ForMenteeInput) (*Series, error) {
	if in.Count != 0 {
		if err := checkSeriesShape(in.Start, in.Count, in.IntervalWeeks); err != nil {
			return nil, err
		}
	} else if in.Start.IsZero() {
		return nil, apperr.Field("start", "is required")
	}
	if err := validate.Text("note", in.Note, validate.MaxNote, false); err != nil {
		return nil, err
	}
	if !in.Start.After(s.now()) {
		return nil, apperr.Field("start", "is in the past")
	}
	count, interval := in.Count, in.IntervalWeeks
	if count == 0 {
		count, interval = 1, 1
	}
	var out *Series
	err := s.inWriteTx(ctx, func(tx *store.Tx) error {
		mentee, err := tx.Mentee(ctx, menteeID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (mentee.MentorID == nil || !by.MayActFor(*mentee.MentorID))) {
			return errNoMentee
		}
		if err != nil {
			return err
		}
		mentor, err := tx.LockMentor(ctx, *mentee.MentorID)
		if err != nil {
			return err
		}
		// Ending or moving a mentee takes the same lock: read it again.
		if mentee, err = tx.Mentee(ctx, menteeID); err != nil {
			return err
		}
		if mentee.Status != "active" || mentee.MentorID == nil || *mentee.MentorID != mentor.ID {
			return apperr.Errorf(apperr.Conflict, "%s is no longer an active mentee of %s", mentee.Name, mentor.Name)
		}
		out, err = s.reserveSeries(ctx, tx, seriesRequest{mentor: mentor, mentee: mentee,
			rule: seriesRule{First: in.Start, Count: count, IntervalWeeks: interval},
			note: in.Note, skip: in.SkipUnavailable, by: by.Name(),
			opts: planOptions{staffBooking: true, anyHours: in.OutsideHours}})
		return err
	})
	return out, err
}
