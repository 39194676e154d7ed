package ical

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// RDATE and EXDATE lines: the instants a recurrence adds and removes.

// rdateLine holds the values of one RDATE line, which share a zone, as
// Unix seconds: 8 bytes a value, as a feed may list thousands.
type rdateLine struct {
	loc    *time.Location
	starts []int64
	// ends holds the ends of PERIOD values (noEnd for plain ones); nil
	// when the line has no period.
	ends []int64
}

const noEnd = math.MinInt64

// recurDate is one occurrence start of a master; a PERIOD RDATE carries
// its own end (Unix seconds: a period may outlast what a time.Duration
// holds).
type recurDate struct {
	start  time.Time
	end    int64
	hasEnd bool
}

// readRDate reads one RDATE line, splitting comma-separated values (which
// go-ical's Prop.DateTime rejects).
func (rd eventReader) readRDate(p *icsProp, rec *recurrenceSet) error {
	// Exact sizes: a line may hold thousands of values.
	line := rdateLine{starts: make([]int64, 0, strings.Count(p.value, ",")+1)}
	for v := range strings.SplitSeq(p.value, ",") {
		startText, endText, isPeriod := strings.Cut(strings.TrimSpace(v), "/")
		start, _, err := rd.dateTime(p, startText)
		if err != nil {
			return fmt.Errorf("RDATE: %w", err)
		}
		line.loc = start.Location()
		line.starts = append(line.starts, start.Unix())
		if !isPeriod {
			if line.ends != nil {
				line.ends = append(line.ends, noEnd)
			}
			continue
		}
		end, err := rd.periodEnd(p, start, endText)
		if err != nil {
			return fmt.Errorf("RDATE period: %w", err)
		}
		if line.ends == nil {
			line.ends = make([]int64, len(line.starts)-1, cap(line.starts))
			for i := range line.ends {
				line.ends[i] = noEnd
			}
		}
		line.ends = append(line.ends, end.Unix())
	}
	rec.rdates = append(rec.rdates, line)
	return nil
}

// each yields the line's values.
func (l *rdateLine) each(fn func(recurDate)) {
	for i, s := range l.starts {
		d := recurDate{start: time.Unix(s, 0).In(l.loc)}
		if l.ends != nil && l.ends[i] != noEnd {
			d.end, d.hasEnd = l.ends[i], true
		}
		fn(d)
	}
}

// readExDate reads one EXDATE line.
func (rd eventReader) readExDate(p *icsProp, rec *recurrenceSet) error {
	for v := range strings.SplitSeq(p.value, ",") {
		at, dateOnly, err := rd.dateTime(p, strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("EXDATE: %w", err)
		}
		if dateOnly {
			rec.exDays = append(rec.exDays, dayNumber(at))
		} else {
			rec.exSecs = append(rec.exSecs, at.Unix())
		}
	}
	return nil
}

// periodEnd reads the second half of a PERIOD: an end date-time or a
// duration.
func (rd eventReader) periodEnd(p *icsProp, start time.Time, text string) (time.Time, error) {
	if strings.HasPrefix(strings.TrimLeft(text, "+-"), "P") {
		d, err := parseDuration(text)
		if err != nil || d.negative() {
			return time.Time{}, fmt.Errorf("bad duration %q", clip(text, 40))
		}
		return d.addTo(start), nil
	}
	end, _, err := rd.dateTime(p, text)
	if err == nil && end.Before(start) {
		err = errors.New("period ends before it starts")
	}
	return end, err
}
