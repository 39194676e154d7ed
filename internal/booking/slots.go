package booking

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// Slots are the free slots of a link's mentor.
type Slots struct {
	Timezone *time.Location
	Stale    bool
	Slots    []calendar.Interval
	// pooled, when set, is Slots' backing array, lent by slotBuffers.
	pooled *[]calendar.Interval
}

// Release hands the slots' memory back for another answer; s must not be
// used after. Optional: an answer never released is collected as usual.
func (s *Slots) Release() {
	if s == nil || s.pooled == nil {
		return
	}
	// Keep ordinary windows' slices only: a year-long one would pin it.
	if cap(s.Slots) <= 4096 {
		*s.pooled = s.Slots[:0]
		slotBuffers.Put(s.pooled)
	}
	s.Slots, s.pooled = nil, nil
}

// slotBuffers lends the slot endpoint's answers their slices: the slots
// are most of what an answer allocates (a 28-day window: 360 slots, 17 KB),
// and each collection of the garbage is a few milliseconds in which one of
// two cores marks instead of answering.
var slotBuffers = sync.Pool{New: func() any { return new([]calendar.Interval) }}

// Slots lists the slots whose start lies in [from, to), in zone tz.
// They are computed from the database only, never from a remote calendar:
// from the slot cache's copy of it when that holds the window.
func (s *Service) Slots(ctx context.Context, token string, from, to time.Time, tz string) (*Slots, error) {
	if err := validate.Window(from, to); err != nil {
		return nil, err
	}
	visitor, err := s.location("tz", tz)
	if err != nil {
		return nil, err
	}
	if out, err := s.cachedSlots(ctx, token, from, to, visitor); out != nil || err != nil {
		return out, err
	}
	link, err := resolveLink(ctx, s.store.Q, token, false)
	if err != nil {
		return nil, err
	}
	if link.mentor.Status == store.MentorInactive {
		// No longer mentoring: nothing to offer, to anyone.
		return &Slots{Timezone: visitor, Slots: []calendar.Interval{}}, nil
	}
	q, err := s.slotQuery(ctx, s.store.Q, link.mentor, from, to, "")
	if err != nil {
		return nil, err
	}
	q.Visitor = visitor
	slots, err := calendar.Slots(q)
	if err != nil {
		return nil, fmt.Errorf("compute slots of mentor %s: %w", link.mentor.ID, err)
	}
	stale, err := s.stale(ctx, link.mentor.ID)
	if err != nil {
		return nil, err
	}
	return &Slots{Timezone: visitor, Stale: stale, Slots: slots}, nil
}

// cachedSlots answers from the slot cache; nil, nil when it cannot (no
// cache, not serving, or a window it does not hold).
func (s *Service) cachedSlots(ctx context.Context, token string, from, to time.Time, visitor *time.Location) (*Slots, error) {
	if s.slotCache == nil || !s.slotCache.Serving() {
		return nil, nil
	}
	if !secret.Plausible(token) {
		return nil, errNoLink
	}
	hash := secret.HashToken(token)
	mentorID, known := s.slotCache.Link(hash)
	if !known {
		stamp := s.slotCache.Stamp()
		link, err := resolveLink(ctx, s.store.Q, token, false)
		if err != nil {
			return nil, err
		}
		mentorID = link.mentor.ID
		s.slotCache.RememberLink(hash, mentorID, stamp)
	}
	in, ok, err := s.slotCache.Mentor(ctx, mentorID)
	if err != nil || !ok {
		return nil, err
	}
	if in.Mentor.Status == store.MentorInactive {
		// No longer mentoring: nothing to offer, to anyone.
		return &Slots{Timezone: visitor, Slots: []calendar.Interval{}}, nil
	}
	now := s.now()
	if !in.Covers(from, to, now) {
		return nil, nil
	}
	m := &in.Mentor
	q := mentorQuery(m, in.Availability, now, from, to)
	q.Busy, q.Booked, q.Visitor = in.Busy, in.Booked, visitor
	buf := slotBuffers.Get().(*[]calendar.Interval)
	slots, err := calendar.AppendSlots((*buf)[:0], q)
	if err != nil {
		return nil, fmt.Errorf("compute slots of mentor %s: %w", m.ID, err)
	}
	if slots == nil {
		slots = []calendar.Interval{}
	}
	stale := in.Connected && (in.OldestSync == nil || now.Sub(*in.OldestSync) > 2*s.SyncInterval)
	return &Slots{Timezone: visitor, Stale: stale, Slots: slots, pooled: buf}, nil
}

// slotQuery gathers what the engine needs about a mentor around [from, to):
// hours, busy time widened by a day for buffers and per-day caps, and live
// sessions except the one being moved (skipBookingID).
func (s *Service) slotQuery(ctx context.Context, q store.Q, m *store.Mentor, from, to time.Time, skipBookingID string) (calendar.SlotQuery, error) {
	return s.slotQueryOf(ctx, q, m, from, to, skipBookingID, known{})
}

// known is what a caller of slotQueryOf read or knows already.
type known struct {
	// noCalendars: the mentor has no calendar, hence no busy time (see
	// heldNoCalendars).
	noCalendars bool
	// sessions, when read, are the mentor's live sessions over the query's
	// window widened by two days on each side (see sessionsWindow).
	sessions     []store.SessionSpan
	haveSessions bool
}

// sessionsWindow is the span slotQuery reads busy time and sessions over
// for slots starting in [from, to). A local day is at most 26 hours long:
// a 2-day margin covers the per-day cap of the first and last day, and any
// buffer.
func sessionsWindow(from, to time.Time) (time.Time, time.Time) {
	return from.Add(-48 * time.Hour), to.Add(48 * time.Hour)
}

// slotQueryOf is slotQuery, not reading again what k holds.
func (s *Service) slotQueryOf(ctx context.Context, q store.Q, m *store.Mentor, from, to time.Time, skipBookingID string, k known) (calendar.SlotQuery, error) {
	loc, err := s.location("timezone", m.Timezone)
	if err != nil {
		return calendar.SlotQuery{}, fmt.Errorf("mentor %s zone: %w", m.ID, err)
	}
	avail, err := mentoring.AvailabilityOf(m, loc)
	if err != nil {
		return calendar.SlotQuery{}, err
	}
	lo, hi := sessionsWindow(from, to)
	var busy []store.BusySpan
	if !k.noCalendars {
		if busy, err = q.MentorBusy(ctx, m.ID, lo, hi); err != nil {
			return calendar.SlotQuery{}, err
		}
	}
	booked := k.sessions
	if !k.haveSessions {
		if booked, err = q.MentorSessions(ctx, m.ID, lo, hi); err != nil {
			return calendar.SlotQuery{}, err
		}
	}
	query := mentorQuery(m, avail, s.now(), from, to)
	query.Busy = make([]calendar.Interval, 0, len(busy))
	query.Booked = make([]calendar.Interval, 0, len(booked))
	for _, b := range busy {
		query.Busy = append(query.Busy, calendar.Interval{Start: b.StartAt, End: b.EndAt})
	}
	for _, b := range booked {
		if b.ID != skipBookingID {
			query.Booked = append(query.Booked, calendar.Interval{Start: b.StartAt, End: b.EndAt})
		}
	}
	return query, nil
}

// mentorQuery is a slot query of the mentor's settings, without busy
// time or sessions.
func mentorQuery(m *store.Mentor, avail calendar.Availability, now, from, to time.Time) calendar.SlotQuery {
	q := calendar.SlotQuery{
		Availability: avail,
		Session:      time.Duration(m.SessionMinutes) * time.Minute,
		BufferBefore: time.Duration(m.BufferMinutes) * time.Minute,
		BufferAfter:  time.Duration(m.BufferMinutes) * time.Minute,
		MinNotice:    time.Duration(m.MinNoticeMinutes) * time.Minute,
		HorizonDays:  m.HorizonDays,
		Now:          now,
		From:         from,
		To:           to,
	}
	if m.MaxSessionsPerDay != nil {
		q.MaxPerDay = *m.MaxSessionsPerDay
	}
	return q
}

// heldNoCalendars reports whether the slot cache holds the mentor of the
// link hashing to hash as having no calendar connection, so a booking need
// not read busy time or look for a write-target calendar under the lock.
// A connection made in the last change poll (100 ms) may be missed: the
// booking then behaves as if made just before it, which it could have
// been. Only the absence is trusted; with a connection, both are read.
func (s *Service) heldNoCalendars(hash, mentorID string) bool {
	if s.slotCache == nil {
		return false
	}
	if id, ok := s.slotCache.Link(hash); !ok || id != mentorID {
		return false
	}
	in, ok := s.slotCache.Held(mentorID)
	return ok && in.Mentor.ID == mentorID && !in.Connected
}

// stale reports whether a connected calendar missed two sync intervals.
func (s *Service) stale(ctx context.Context, mentorID string) (bool, error) {
	oldest, any, err := s.store.OldestSuccessfulSync(ctx, mentorID)
	if err != nil || !any {
		return false, err
	}
	if oldest == nil {
		return true, nil
	}
	return s.now().Sub(*oldest) > 2*s.SyncInterval, nil
}

// offered checks that start is a slot the mentor offers right now, with
// the transaction's view of busy time and sessions. shape, when set,
// adjusts the check (a transfer's own length and grid).
func (s *Service) offered(ctx context.Context, tx *store.Tx, m *store.Mentor, start time.Time, skipBookingID string, shape func(*calendar.SlotQuery)) error {
	return s.offeredOf(ctx, tx, m, start, skipBookingID, shape, known{})
}

// offeredOf is offered, not reading again what k holds (its sessions over
// sessionsWindow(start, start+1m)).
func (s *Service) offeredOf(ctx context.Context, tx *store.Tx, m *store.Mentor, start time.Time, skipBookingID string, shape func(*calendar.SlotQuery), k known) error {
	if m.Status == store.MentorInactive {
		return apperr.Errorf(apperr.SlotUnavailable, "%s is no longer mentoring and offers no sessions", m.Name)
	}
	q, err := s.slotQueryOf(ctx, tx.Q, m, start, start.Add(time.Minute), skipBookingID, k)
	if err != nil {
		return err
	}
	if shape != nil {
		shape(&q)
	}
	why, err := calendar.WhyNotOffered(q, start)
	if err != nil {
		return fmt.Errorf("check slot of mentor %s: %w", m.ID, err)
	}
	return refusal(why, m, start, q.Step)
}

// refusal is the answer to a start that is not offered, one per cause,
// each saying what to do instead.
func refusal(why calendar.Refusal, m *store.Mentor, start time.Time, step time.Duration) error {
	at := start.UTC().Format(time.RFC3339)
	if step == 0 {
		step = calendar.DefaultStep
	}
	switch why {
	case calendar.Offered:
		return nil
	case calendar.RefusedPast:
		return apperr.Errorf(apperr.SlotUnavailable, "%s has already passed; choose one of the free times", at).With("slot.past")
	case calendar.RefusedTooSoon:
		return apperr.Errorf(apperr.SlotUnavailable, "%s is too soon: %s needs %d minutes' notice; choose a later time", at, m.Name, m.MinNoticeMinutes).
			With("slot.too_soon", m.Name, strconv.Itoa(m.MinNoticeMinutes))
	case calendar.RefusedBeyondHorizon:
		return apperr.Errorf(apperr.SlotUnavailable, "%s is too far ahead: %s takes bookings up to %d days ahead; choose an earlier date", at, m.Name, m.HorizonDays).
			With("slot.beyond_horizon", m.Name, strconv.Itoa(m.HorizonDays))
	case calendar.RefusedOffGrid:
		return apperr.Errorf(apperr.SlotUnavailable, "%s is not a start time: sessions start every %d minutes from the hour in %s's time zone; choose one of the free times", at, int(step/time.Minute), m.Name).
			With("slot.off_grid", strconv.Itoa(int(step/time.Minute)), m.Name)
	case calendar.RefusedOutsideHours:
		return apperr.Errorf(apperr.SlotUnavailable, "%s is outside %s's hours; choose one of the free times", at, m.Name).With("slot.outside_hours", m.Name)
	}
	return errSlotTaken(start)
}
