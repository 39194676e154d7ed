package ical

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// civilValue is a DATE or DATE-TIME value as written, before a zone is
// applied.
type civilValue struct {
	year, month, day     int
	hour, minute, second int
	dateOnly             bool
	utc                  bool // ends with Z
}

func (v civilValue) in(loc *time.Location) time.Time {
	return time.Date(v.year, time.Month(v.month), v.day, v.hour, v.minute, v.second, 0, loc)
}

// parseDateTimeText parses YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ.
// It is stricter than time.Parse about ranges (no day 31 in April) and
// much cheaper, which matters when a feed holds thousands of events.
func parseDateTimeText(s string) (civilValue, error) {
	var v civilValue
	s = strings.TrimSpace(s)
	if len(s) != 8 && len(s) != 15 && len(s) != 16 {
		return v, fmt.Errorf("malformed date-time %q", clip(s, 40))
	}
	var ok bool
	if v.year, ok = digits(s, 0, 4); !ok {
		return v, fmt.Errorf("malformed date %q", clip(s, 40))
	}
	v.month, _ = digits(s, 4, 6)
	v.day, ok = digits(s, 6, 8)
	if !ok || v.month < 1 || v.month > 12 || v.day < 1 || v.day > daysInMonth(v.year, v.month) {
		return v, fmt.Errorf("malformed date %q", clip(s, 40))
	}
	if len(s) == 8 {
		v.dateOnly = true
		return v, nil
	}
	if s[8] != 'T' && s[8] != 't' {
		return v, fmt.Errorf("malformed date-time %q", clip(s, 40))
	}
	h, ok1 := digits(s, 9, 11)
	mi, ok2 := digits(s, 11, 13)
	sec, ok3 := digits(s, 13, 15)
	// Second 60 (a leap second) is legal in RFC 5545; civil time has none.
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 60 {
		return v, fmt.Errorf("malformed time %q", clip(s, 40))
	}
	v.hour, v.minute, v.second = h, mi, min(sec, 59)
	if len(s) == 16 {
		if s[15] != 'Z' && s[15] != 'z' {
			return v, fmt.Errorf("malformed date-time %q", clip(s, 40))
		}
		v.utc = true
	}
	return v, nil
}

func digits(s string, from, to int) (int, bool) {
	n := 0
	for i := from; i < to; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// nominalDuration is an RFC 5545 DURATION: weeks and days are nominal
// (calendar days in the event's zone, 23 or 25 hours across a DST change),
// hours, minutes and seconds are exact. Seconds are counted in an int64,
// not a time.Duration, which overflows after 292 years: a DTEND far from
// its DTSTART must still block the time between them.
type nominalDuration struct {
	days int
	secs int64
}

func (d nominalDuration) addTo(t time.Time) time.Time {
	if d.days != 0 {
		y, m, day := t.Date()
		h, mi, s := t.Clock()
		t = time.Date(y, m, day+d.days, h, mi, s, t.Nanosecond(), t.Location())
	}
	return addSeconds(t, d.secs)
}

// addSeconds adds s seconds to t, beyond what a time.Duration can hold.
func addSeconds(t time.Time, s int64) time.Time {
	const safe = math.MaxInt64 / int64(time.Second)
	if s > -safe && s < safe {
		return t.Add(time.Duration(s) * time.Second)
	}
	return time.Unix(t.Unix()+s, int64(t.Nanosecond())).In(t.Location())
}

func (d nominalDuration) negative() bool {
	return d.days < 0 || d.days == 0 && d.secs < 0
}

// maxDurationDays caps DURATION values (about 100 years) so that
// arithmetic on hostile values cannot overflow.
const maxDurationDays = 36600

// parseDuration parses [+-]P[nW][nD][T[nH][nM][nS]].
func parseDuration(s string) (nominalDuration, error) {
	var d nominalDuration
	s = strings.ToUpper(strings.TrimSpace(s))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return d, fmt.Errorf("malformed duration %q", clip(s, 40))
	}
	inTime := false
	n, haveN := int64(0), false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n, haveN = n*10+int64(c-'0'), true
			if n > maxDurationDays*86400 {
				return d, errors.New("duration too long")
			}
			continue
		case c == 'T' && !inTime && !haveN:
			inTime = true
			continue
		case !haveN:
			return d, fmt.Errorf("malformed duration %q", clip(s, 40))
		}
		switch {
		case c == 'W' && !inTime:
			d.days += 7 * int(n)
		case c == 'D' && !inTime:
			d.days += int(n)
		case c == 'H' && inTime:
			d.secs += n * 3600
		case c == 'M' && inTime:
			d.secs += n * 60
		case c == 'S' && inTime:
			d.secs += n
		default:
			return d, fmt.Errorf("malformed duration %q", clip(s, 40))
		}
		n, haveN = 0, false
	}
	if haveN || d.days > maxDurationDays || d.secs > maxDurationDays*86400 {
		return d, fmt.Errorf("malformed duration %q", clip(s, 40))
	}
	if neg {
		d.days, d.secs = -d.days, -d.secs
	}
	return d, nil
}
