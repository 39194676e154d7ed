package booking

import (
	"context"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
)

// MenteeHome is what a mentee's own link shows besides the slot picker:
// their upcoming sessions (each with its manage link; those of a series
// carry its id) and, when they may book one more, the start one cadence
// after their last session that is free, to book in a click.
type MenteeHome struct {
	Upcoming []Booking
	// Next is a free start at the wall-clock time of the mentee's last
	// session, one interval (their series', else a week) after it or the
	// first such week still ahead; nil when none is free or they may not
	// book more now.
	Next *Occurrence
	// Interval is the weeks between sessions Next was worked out with.
	Interval int
	// AtLimit: the mentee holds as many upcoming commitments as the
	// mentor allows (a series counts as one).
	AtLimit bool
	Limit   int
}

// nextWeeks is how many cadences ahead of the last session Next looks
// for a free start.
const nextWeeks = 8

// MenteeHome reads the mentee page of a link; nil for a public link.
func (s *Service) MenteeHome(ctx context.Context, token string) (*MenteeHome, error) {
	link, err := resolveLink(ctx, s.store.Q, token, false)
	if err != nil {
		return nil, err
	}
	if link.mentee == nil {
		return nil, nil
	}
	now := s.now()
	bs, err := s.store.Bookings(ctx, store.BookingFilter{MenteeID: link.mentee.ID, MentorID: link.mentor.ID, Status: store.StatusConfirmed})
	if err != nil {
		return nil, err
	}
	home := &MenteeHome{Interval: 1, Limit: link.mentor.MaxUpcomingPerMentee}
	var last *store.Booking
	for i := range bs {
		b := &bs[i]
		if last == nil || b.StartAt.After(last.StartAt) {
			last = b
		}
		if !b.EndAt.After(now) {
			continue
		}
		v, err := s.view(b, true)
		if err != nil {
			return nil, err
		}
		home.Upcoming = append(home.Upcoming, *v)
	}
	n, err := s.store.CountUpcomingCommitments(ctx, link.mentor.ID, link.mentee.ID, now)
	if err != nil {
		return nil, err
	}
	home.AtLimit = n >= link.mentor.MaxUpcomingPerMentee
	if home.AtLimit || last == nil {
		return home, nil
	}
	if last.SeriesID != "" {
		if row, err := s.store.Series(ctx, last.SeriesID); err == nil {
			home.Interval = row.IntervalWeeks
		}
	}
	loc, err := s.location("timezone", link.mentor.Timezone)
	if err != nil {
		return nil, err
	}
	// The same wall-clock time in the mentor's zone, a cadence on, the
	// first weeks still ahead; the first one free wins.
	l := last.StartAt.In(loc)
	var starts []time.Time
	for k := 1; len(starts) < nextWeeks && k < 60; k++ {
		at := time.Date(l.Year(), l.Month(), l.Day()+7*home.Interval*k, l.Hour(), l.Minute(), 0, 0, loc)
		if at.After(now) {
			starts = append(starts, at.UTC())
		}
	}
	occs, err := s.planSeries(ctx, s.store.Q, link.mentor, starts, planOptions{})
	if err != nil {
		return nil, err
	}
	for i := range occs {
		if occs[i].Available {
			home.Next = &occs[i]
			break
		}
	}
	return home, nil
}
