package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Series is a weekly series with its sessions, as its calendar form needs
// them.
type Series struct {
	Row      *store.BookingSeries
	Sessions []store.Booking
}

// SeriesOf reads the series of a session; nil for a session on its own.
func SeriesOf(ctx context.Context, q store.Q, b *store.Booking) (*Series, error) {
	if b.SeriesID == "" {
		return nil, nil
	}
	row, err := q.Series(ctx, b.SeriesID)
	if err != nil {
		return nil, fmt.Errorf("series of booking %s: %w", b.ID, err)
	}
	sessions, err := q.SeriesBookings(ctx, b.SeriesID)
	if err != nil {
		return nil, err
	}
	return &Series{Row: row, Sessions: sessions}, nil
}

// Recurrence is the series as calendars hold it: its rule, the starts
// no longer booked (skipped at booking, or cancelled) and the sessions
// moved from their start by the rule.
func (s *Series) Recurrence() (calendar.Recurrence, error) {
	r := calendar.Recurrence{Zone: s.Row.Timezone, First: s.Row.FirstStartAt.UTC(), Count: s.Row.Count,
		IntervalWeeks: s.Row.IntervalWeeks, Length: time.Duration(s.Row.SessionMinutes) * time.Minute}
	starts, err := r.Starts()
	if err != nil {
		return r, fmt.Errorf("series %s: %w", s.Row.ID, err)
	}
	live := map[int64]*store.Booking{}
	for i := range s.Sessions {
		b := &s.Sessions[i]
		if b.Status == store.StatusConfirmed && b.RecurrenceAt != nil {
			live[b.RecurrenceAt.Unix()] = b
		}
	}
	for _, at := range starts {
		b, ok := live[at.Unix()]
		switch {
		case !ok:
			r.Excluded = append(r.Excluded, at)
		case !b.StartAt.Equal(at):
			r.Moved = append(r.Moved, calendar.MovedOccurrence{Of: at, Start: b.StartAt.UTC(), End: b.EndAt.UTC()})
		}
	}
	return r, nil
}

// Live reports whether a session of the series is still confirmed.
func (s *Series) Live() bool {
	for i := range s.Sessions {
		if s.Sessions[i].Status == store.StatusConfirmed {
			return true
		}
	}
	return false
}

// SeriesSession is the calendar form of a series, about its session b
// (whose time, video and manage links it carries): one UID for the
// series, its SEQUENCE, and cancelled once no session is left.
func (o *Outbox) SeriesSession(b *store.Booking, series *Series, mentor *store.Mentor, mentee *store.Mentee) (calendar.Session, error) {
	sess, err := o.Session(b, mentor, mentee)
	if err != nil {
		return sess, err
	}
	return SeriesForm(sess, series)
}

// SeriesForm turns the calendar form of one session of a series into the
// series'.
func SeriesForm(sess calendar.Session, series *Series) (calendar.Session, error) {
	r, err := series.Recurrence()
	if err != nil {
		return sess, err
	}
	sess.UID, sess.Sequence, sess.Series = series.Row.UID, series.Row.Sequence, &r
	sess.Cancelled = !series.Live()
	sess.Created, sess.Modified = series.Row.CreatedAt.UTC(), series.Row.UpdatedAt.UTC()
	return sess, nil
}
