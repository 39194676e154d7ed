package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Bounds of a weekly series.
const (
	MinSeriesCount   = 2
	MaxSeriesCount   = 26
	MaxIntervalWeeks = 4
)

// Why an occurrence of a series is not free.
const (
	ReasonOutsideHours  = "outside_hours"  // not in the mentor's hours that day
	ReasonTooSoon       = "too_soon"       // inside the mentor's notice
	ReasonCalendarBusy  = "calendar_busy"  // busy in the mentor's calendar (with buffers)
	ReasonSessionBooked = "session_booked" // another session (with buffers)
	ReasonDayFull       = "day_full"       // the mentor's sessions-per-day cap is reached
	ReasonPastHorizon   = "beyond_horizon" // past the mentor's booking horizon
)

// Occurrence is one session of a series as planned: free or not, why
// not, and the nearest free start on the same day of the mentor.
type Occurrence struct {
	Start, End  time.Time
	Available   bool
	Reason      string // "" when available
	Alternative *calendar.Interval
}

// SeriesPreview is what a series would book.
type SeriesPreview struct {
	Timezone    *time.Location
	Occurrences []Occurrence
}

// seriesRule is a weekly series: Count starts, IntervalWeeks apart, at
// the first start's wall-clock time in the mentor's zone (so they stay at
// that time across DST changes, as RRULE with a TZID does).
type seriesRule struct {
	First         time.Time
	Count         int
	IntervalWeeks int
}

func checkSeriesShape(start time.Time, count, interval int) error {
	if start.IsZero() {
		return apperr.Field("start", "is required")
	}
	if count < MinSeriesCount || count > MaxSeriesCount {
		return apperr.Field("count", "must be between %d and %d sessions (got %d)", MinSeriesCount, MaxSeriesCount, count)
	}
	if interval < 1 || interval > MaxIntervalWeeks {
		return apperr.Field("interval_weeks", "must be between 1 and %d weeks (got %d)", MaxIntervalWeeks, interval)
	}
	return nil
}

// starts are the rule's occurrences in loc.
func (r seriesRule) starts(loc *time.Location) []time.Time {
	local := r.First.In(loc)
	out := make([]time.Time, r.Count)
	for k := range out {
		out[k] = time.Date(local.Year(), local.Month(), local.Day()+7*r.IntervalWeeks*k,
			local.Hour(), local.Minute(), 0, 0, loc).UTC()
	}
	return out
}

// onGrid checks that a series starts on the mentor's half-hour wall-clock
// grid, as every slot does.
func onGrid(start time.Time, loc *time.Location) error {
	l := start.In(loc)
	if l.Second() != 0 || l.Nanosecond() != 0 || l.Minute()%int(calendar.DefaultStep/time.Minute) != 0 {
		return apperr.Field("start", "%s is not on the mentor's half-hour grid (%s): choose a start at :00 or :30",
			l.Format("15:04:05"), loc)
	}
	return nil
}

// planOptions adjust the rules a plan checks occurrences against.
type planOptions struct {
	// anyHours lifts the mentor's weekly hours, notice, horizon and per-day
	// cap (a mentor booking for a mentee, when they say so); busy time,
	// sessions and buffers still count.
	anyHours bool
	// staffBooking lifts notice and horizon (a mentor or staff booking).
	staffBooking bool
}

// planSeries checks each start against the mentor's rules with one read
// of busy time and sessions for all of their days. Accepted occurrences
// count as booked for the later ones, so that a plan made inside a
// booking transaction is what gets stored.
func (s *Service) planSeries(ctx context.Context, q store.Q, m *store.Mentor, starts []time.Time, opts planOptions) ([]Occurrence, error) {
	loc, err := s.location("timezone", m.Timezone)
	if err != nil {
		return nil, fmt.Errorf("mentor %s zone: %w", m.ID, err)
	}
	avail, err := mentoring.AvailabilityOf(m, loc)
	if err != nil {
		return nil, err
	}
	if opts.anyHours {
		avail = allHours(loc)
	}
	session := time.Duration(m.SessionMinutes) * time.Minute
	buffer := time.Duration(m.BufferMinutes) * time.Minute
	// Each occurrence's local day, widened by what a buffer or a session
	// crossing midnight can reach; busy time matters only around the open
	// hours of those days, sessions all day long (the per-day cap).
	margin := buffer + calendar.MaxSession
	days := make([][2]time.Time, len(starts))
	windows := make([][2]time.Time, len(starts))
	var busyWindows [][2]time.Time
	for k, st := range starts {
		l := st.In(loc)
		d0 := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		d1 := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
		days[k] = [2]time.Time{d0, d1}
		windows[k] = [2]time.Time{d0.Add(-margin), d1.Add(margin)}
		for _, open := range avail.Windows(d0, d1.Add(session)) {
			busyWindows = append(busyWindows, [2]time.Time{open.Start.Add(-buffer), open.End.Add(buffer)})
		}
	}
	busy, err := q.MentorBusyIn(ctx, m.ID, busyWindows)
	if err != nil {
		return nil, err
	}
	booked, err := q.MentorSessionsIn(ctx, m.ID, windows)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Occurrence, len(starts))
	var accepted []calendar.Interval
	for k, st := range starts {
		w := calendar.Interval{Start: windows[k][0], End: windows[k][1]}
		query := calendar.SlotQuery{
			Availability: avail,
			Session:      session,
			BufferBefore: buffer,
			BufferAfter:  buffer,
			MinNotice:    time.Duration(m.MinNoticeMinutes) * time.Minute,
			Now:          now,
			From:         days[k][0],
			To:           days[k][1],
		}
		// Every occurrence within the horizon: calendar busy time is only
		// synced that far (see README, "Weekly series").
		query.HorizonDays = m.HorizonDays
		if m.MaxSessionsPerDay != nil {
			query.MaxPerDay = *m.MaxSessionsPerDay
		}
		if opts.staffBooking || opts.anyHours {
			query.MinNotice, query.HorizonDays = 0, 0
		}
		if opts.anyHours {
			query.MaxPerDay = 0
		}
		for _, b := range busy {
			if iv := (calendar.Interval{Start: b.StartAt, End: b.EndAt}); iv.Overlaps(w) {
				query.Busy = append(query.Busy, iv)
			}
		}
		for _, b := range booked {
			if iv := (calendar.Interval{Start: b.StartAt, End: b.EndAt}); iv.Overlaps(w) {
				query.Booked = append(query.Booked, iv)
			}
		}
		for _, iv := range accepted {
			if iv.Overlaps(w) {
				query.Booked = append(query.Booked, iv)
			}
		}
		slots, err := calendar.Slots(query)
		if err != nil {
			return nil, fmt.Errorf("compute slots of mentor %s: %w", m.ID, err)
		}
		occ := Occurrence{Start: st, End: st.Add(session)}
		occ.Available, occ.Alternative = nearest(slots, st)
		if occ.Available {
			accepted = append(accepted, calendar.Interval{Start: occ.Start, End: occ.End})
		} else {
			occ.Reason = whyNot(query, st)
		}
		out[k] = occ
	}
	return out, nil
}

// nearest reports whether start is among slots, and otherwise the slot
// whose start is nearest to it (the earlier one on a tie).
func nearest(slots []calendar.Interval, start time.Time) (bool, *calendar.Interval) {
	var best *calendar.Interval
	var bestGap time.Duration
	for i := range slots {
		gap := slots[i].Start.Sub(start).Abs()
		if gap == 0 {
			return true, nil
		}
		if best == nil || gap < bestGap {
			sl := slots[i].UTC()
			best, bestGap = &sl, gap
		}
	}
	return false, best
}

// whyNot names the first rule that refuses start: hours, notice, the
// per-day cap, then calendar busy time or another session.
func whyNot(q calendar.SlotQuery, start time.Time) string {
	offered := func(q calendar.SlotQuery) bool {
		ok, err := calendar.SlotOffered(q, start)
		return err == nil && ok
	}
	if loc := q.Location; q.HorizonDays > 0 && loc != nil &&
		calendar.DateOf(start.In(loc)).Compare(calendar.DateOf(q.Now.In(loc)).AddDays(q.HorizonDays)) > 0 {
		return ReasonPastHorizon
	}
	bare := q
	bare.Busy, bare.Booked, bare.MaxPerDay, bare.MinNotice = nil, nil, 0, 0
	if !offered(bare) {
		return ReasonOutsideHours
	}
	bare.MinNotice = q.MinNotice
	if !offered(bare) {
		return ReasonTooSoon
	}
	noCap := q
	noCap.MaxPerDay = 0
	if offered(noCap) {
		return ReasonDayFull
	}
	noBusy := noCap
	noBusy.Busy = nil
	if offered(noBusy) {
		return ReasonCalendarBusy
	}
	return ReasonSessionBooked
}

// allHours is a mentor open around the clock.
func allHours(loc *time.Location) calendar.Availability {
	a := calendar.Availability{Location: loc}
	for d := range a.Weekly {
		a.Weekly[d] = []calendar.HoursRange{{Start: 0, End: calendar.EndOfDay}}
	}
	return a
}
