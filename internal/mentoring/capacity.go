package mentoring

import (
	"context"
	"strconv"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// checkCapacityChange decides a change of a mentor's max_mentees. Staff
// decide how many mentees a mentor follows: a mentor may lower their own
// capacity, never raise it (403). m carries the new value, was the old. Nobody may lower it below the mentees
// the mentor follows now (422 naming the field and the count): end or
// reassign mentorships first. m is locked in tx, so the count
// cannot change before the update commits.
func checkCapacityChange(ctx context.Context, tx *store.Tx, by access.Principal, m *store.Mentor, was int) error {
	want := m.MaxMentees
	if want == was {
		return nil
	}
	if want > was && !by.IsStaff() {
		refused := apperr.Errorf(apperr.Forbidden, "only the program's staff can raise max_mentees (now %d)", was).With("capacity.staff_raise", strconv.Itoa(was))
		refused.Field = "max_mentees"
		return refused
	}
	if want > was {
		return nil
	}
	active, err := tx.CountActiveMentees(ctx, m.ID)
	if err != nil {
		return err
	}
	if want < active {
		return apperr.Field("max_mentees", "cannot be %d: the mentor follows %d active mentees; end or reassign some first", want, active)
	}
	return nil
}
