package ical

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// A weekly series is written as one recurring master (DTSTART with the
// mentor's TZID, so that the rule keeps the wall-clock time across DST
// changes, RRULE with COUNT, one EXDATE per excluded start) followed by
// one override per moved occurrence (same UID, RECURRENCE-ID naming the
// start by the rule), and a VTIMEZONE for the zone: clients that do not
// know IANA names (ical.js, Outlook) read the zone from the file.

// seriesZone loads a series' zone and checks the series.
func seriesZone(r *calendar.Recurrence) (*time.Location, error) {
	if r.Count < 1 || r.IntervalWeeks < 1 || r.Length <= 0 || r.First.IsZero() {
		return nil, fmt.Errorf("%w: series with count %d, interval %d, length %s", ErrInvalidSession, r.Count, r.IntervalWeeks, r.Length)
	}
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		return nil, fmt.Errorf("%w: series zone %q: %v", ErrInvalidSession, r.Zone, err)
	}
	return loc, nil
}

// local writes NAME;TZID=zone:YYYYMMDDTHHMMSS.
func (w *icsWriter) local(name string, t time.Time, loc *time.Location) {
	w.begin(name)
	w.param("TZID", loc.String())
	w.line = append(w.line, ':')
	w.line = appendLocal(w.line, t.In(loc))
	w.finish()
}

// appendLocal writes t's wall clock as a floating DATE-TIME.
func appendLocal(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(dst, int(month), 2)
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = appendDigits(dst, minute, 2)
	return appendDigits(dst, second, 2)
}

// seriesTiming writes the master's DTSTART, DTEND, RRULE and EXDATEs.
func (w *icsWriter) seriesTiming(r *calendar.Recurrence, loc *time.Location) {
	w.local("DTSTART", r.First, loc)
	w.local("DTEND", r.First.Add(r.Length), loc)
	rule := "FREQ=WEEKLY;COUNT=" + strconv.Itoa(r.Count)
	if r.IntervalWeeks > 1 {
		rule += ";INTERVAL=" + strconv.Itoa(r.IntervalWeeks)
	}
	w.raw("RRULE", rule)
	for _, ex := range r.Excluded {
		w.local("EXDATE", ex, loc)
	}
}

// seriesEvents writes a series' master and its overrides.
func (w *icsWriter) seriesEvents(s calendar.Session, cancelled, alarm, clientScheduled bool) error {
	loc, err := seriesZone(s.Series)
	if err != nil {
		return err
	}
	w.event(s, cancelled, alarm, clientScheduled)
	if cancelled {
		return nil // the whole series is cancelled: its instances go with it
	}
	for _, m := range s.Series.Moved {
		o := s
		o.Series = nil
		o.Start, o.End = m.Start, m.End
		w.override(o, m.Of, loc, alarm, clientScheduled)
	}
	return nil
}

// vtimezone writes a VTIMEZONE for loc with every transition from a year
// before from to a year after to, each as its own observance.
func (w *icsWriter) vtimezone(loc *time.Location, from, to time.Time) {
	w.raw("BEGIN", "VTIMEZONE")
	w.text("TZID", loc.String())
	t := from.AddDate(-1, 0, 0).In(loc)
	start, end := t.ZoneBounds()
	if start.IsZero() {
		// No transition before t (or a fixed zone): the period in force
		// is written as starting in 1970.
		start = time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
	}
	w.observance(start, loc)
	limit := to.AddDate(1, 0, 0)
	for !end.IsZero() && end.Before(limit) {
		w.observance(end, loc)
		_, end = end.In(loc).ZoneBounds()
	}
	w.raw("END", "VTIMEZONE")
}

// observance writes the STANDARD or DAYLIGHT period that begins at onset.
func (w *icsWriter) observance(onset time.Time, loc *time.Location) {
	at := onset.In(loc)
	name, to := at.Zone()
	_, before := onset.Add(-time.Second).In(loc).Zone()
	kind := "STANDARD"
	if at.IsDST() {
		kind = "DAYLIGHT"
	}
	w.raw("BEGIN", kind)
	w.begin("DTSTART")
	w.line = append(w.line, ':')
	// An onset is given in the local time in force before it.
	w.line = appendLocal(w.line, onset.In(time.FixedZone("", before)))
	w.finish()
	w.raw("TZOFFSETFROM", formatOffset(before))
	w.raw("TZOFFSETTO", formatOffset(to))
	if name != "" && name[0] != '+' && name[0] != '-' {
		w.text("TZNAME", name)
	}
	w.raw("END", kind)
}

// formatOffset renders seconds east of UTC as ±HHMM[SS].
func formatOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign, sec = '-', -sec
	}
	b := []byte{sign}
	b = appendDigits(b, sec/3600, 2)
	b = appendDigits(b, sec%3600/60, 2)
	if sec%60 != 0 {
		b = appendDigits(b, sec%60, 2)
	}
	return string(b)
}

// seriesSpan is the first and last start of a series, for its VTIMEZONE.
func seriesSpan(r *calendar.Recurrence) (time.Time, time.Time) {
	last := r.First.AddDate(0, 0, 7*r.IntervalWeeks*(r.Count-1)).Add(r.Length)
	for _, m := range r.Moved {
		if m.End.After(last) {
			last = m.End
		}
	}
	return r.First, last
}
