package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// PreviewSession is a session as a reassignment preview lists it.
type PreviewSession struct {
	ID         string
	Start, End time.Time
}

// ReassignPreview is what ReassignMentee would do now, done by nobody: the
// future sessions that would move to the new mentor (free then) and those
// that would be cancelled with notice.
type ReassignPreview struct {
	MenteeID, MenteeName     string
	FromMentorID             string
	ToMentorID, ToMentorName string
	// Full: the new mentor has no free place, so the move would be
	// refused (caseload_full) and nothing would change.
	Full          bool
	Moves, Cancel []PreviewSession
}

// PreviewReassign checks each future session of the mentee against the
// new mentor's offer, as Transfer will (staff only). Sessions are checked
// one by one against the new mentor's calendar as it is now; the real
// move re-checks each one under the mentors' locks.
func (s *Service) PreviewReassign(ctx context.Context, by access.Principal, menteeID, toMentorID string) (*ReassignPreview, error) {
	if err := by.RequireStaff("reassigning a mentee"); err != nil {
		return nil, err
	}
	mentee, err := s.store.Mentee(ctx, menteeID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no mentee %s", menteeID)
	}
	if err != nil {
		return nil, err
	}
	if mentee.Status != store.MenteeActive {
		return nil, apperr.Errorf(apperr.Conflict, "%s's mentorship has ended", mentee.Name)
	}
	to, err := s.store.Mentor(ctx, toMentorID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", toMentorID)
	}
	if err != nil {
		return nil, err
	}
	out := &ReassignPreview{MenteeID: mentee.ID, MenteeName: mentee.Name, ToMentorID: to.ID, ToMentorName: to.Name}
	if mentee.MentorID != nil {
		out.FromMentorID = *mentee.MentorID
	}
	if out.FromMentorID == to.ID {
		return out, nil
	}
	active, err := s.store.CountActiveMentees(ctx, to.ID)
	if err != nil {
		return nil, err
	}
	out.Full = active >= to.MaxMentees
	future, err := s.futureSessions(ctx, mentee.ID, to.ID)
	if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, b := range future {
			length := b.EndAt.Sub(b.StartAt)
			onTransferGrid := func(q *calendar.SlotQuery) { q.Session, q.Step = length, transferStep }
			ps := PreviewSession{ID: b.ID, Start: b.StartAt, End: b.EndAt}
			switch err := s.offered(ctx, tx, to, b.StartAt, "", onTransferGrid); {
			case err == nil:
				out.Moves = append(out.Moves, ps)
			case apperr.CodeOf(err) == apperr.SlotUnavailable:
				out.Cancel = append(out.Cancel, ps)
			default:
				return fmt.Errorf("check session %s for mentor %s: %w", b.ID, to.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
