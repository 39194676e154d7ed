package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a wall-clock time of day in minutes since local midnight, from 0
// to 1440. Minutes are the unit because hours are entered as "HH:MM"; 1440
// (24:00) exists only so that a range can end at midnight.
type Clock int

// EndOfDay is 24:00, the end of a range that runs to midnight.
const EndOfDay Clock = 24 * 60

// hoursMaxRangesPerDay bounds the ranges of one day, which keeps validation
// and slot computation cheap whatever a client sends.
const hoursMaxRangesPerDay = 96

// ParseClock reads "HH:MM" on a 24-hour clock. "24:00" is accepted so that a
// range can end at midnight.
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' || !hoursDigits(s[:2]) || !hoursDigits(s[3:]) {
		return 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("clock %q: out of range 00:00-24:00", s)
	}
	return Clock(h*60 + m), nil
}

func hoursDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the clock as "HH:MM".
func (c Clock) String() string {
	if c < 0 || c > EndOfDay {
		return fmt.Sprintf("Clock(%d)", int(c))
	}
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// MarshalText lets a Clock travel as "HH:MM" in JSON.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads "HH:MM".
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// HoursRange is one stretch of open hours in a day, [Start, End) on the
// mentor's wall clock.
type HoursRange struct {
	Start Clock
	End   Clock
}

// String formats the range as "HH:MM-HH:MM".
func (r HoursRange) String() string { return r.Start.String() + "-" + r.End.String() }

// WeeklyHours holds each weekday's open ranges, indexed by time.Weekday
// (Sunday is 0). Ranges need not be sorted but must not overlap.
type WeeklyHours [7][]HoursRange

// Date is a civil date with no time zone: "the 24th of December" wherever
// the mentor lives. It is what overrides and per-day caps are keyed by.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "YYYY-MM-DD" and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD: %w", s, err)
	}
	return DateOf(t), nil
}

// DateOf is the civil date of t on t's own wall clock; call it as
// DateOf(t.In(loc)) for the date in loc.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText lets a Date travel as "YYYY-MM-DD" in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Valid reports whether the date exists in the proleptic Gregorian calendar.
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 &&
		hoursDateFromDays(d.days()) == d
}

// AddDays moves by n civil days, ignoring any time zone.
func (d Date) AddDays(n int) Date { return hoursDateFromDays(d.days() + int64(n)) }

// Weekday is the day of the week of the date.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((d.days()+4)%7 + 7) % 7)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	a, b := d.days(), o.days()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// days counts days since 1970-01-01 (Howard Hinnant's days_from_civil), so
// that date arithmetic never goes through a zone's possibly missing midnight.
func (d Date) days() int64 {
	y, m := int64(d.Year), int64(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// hoursDateFromDays is the inverse of Date.days.
func hoursDateFromDays(z int64) Date {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	return Date{int(year), time.Month(month), int(day)}
}

// Override replaces the weekly hours of one local date; empty Hours is a day
// off.
type Override struct {
	Date  Date
	Hours []HoursRange
}

// Availability is when a mentor can be booked, on the mentor's wall clock.
type Availability struct {
	// Location is the mentor's IANA zone; hours keep their wall-clock
	// meaning across DST changes.
	Location  *time.Location
	Weekly    WeeklyHours
	Overrides []Override
}

// AvailabilityError names the input of the availability engine that is
// wrong (Field, e.g. "weekly_hours.monday[1]", "overrides[2].date",
// "session") so that the API can point the client at it.
type AvailabilityError struct {
	Field   string
	Problem string
}

func (e *AvailabilityError) Error() string { return e.Field + ": " + e.Problem }

// Validate checks the zone, every range (end after start, within 00:00-24:00,
// no overlaps within a day) and that overrides are real, distinct dates.
// It allocates only when it reports an error.
func (a Availability) Validate() error {
	if a.Location == nil {
		return &AvailabilityError{Field: "timezone", Problem: "missing"}
	}
	for wd, ranges := range a.Weekly {
		if i, problem := hoursCheckDay(ranges); problem != "" {
			day := strings.ToLower(time.Weekday(wd).String())
			return &AvailabilityError{Field: hoursRangeField("weekly_hours."+day, i), Problem: problem}
		}
	}
	for i, o := range a.Overrides {
		if !o.Date.Valid() {
			return &AvailabilityError{Field: fmt.Sprintf("overrides[%d].date", i),
				Problem: fmt.Sprintf("%s is not a date", o.Date)}
		}
		for j := range i {
			if a.Overrides[j].Date == o.Date {
				return &AvailabilityError{Field: fmt.Sprintf("overrides[%d].date", i),
					Problem: fmt.Sprintf("%s already overridden by overrides[%d]", o.Date, j)}
			}
		}
		if k, problem := hoursCheckDay(o.Hours); problem != "" {
			return &AvailabilityError{Field: hoursRangeField(fmt.Sprintf("overrides[%d].hours", i), k), Problem: problem}
		}
	}
	return nil
}

func hoursRangeField(field string, i int) string {
	if i < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d]", field, i)
}

// hoursCheckDay returns the index of the first bad range of a day (-1 when
// the day as a whole is wrong) and what is wrong with it, or "" when fine.
func hoursCheckDay(ranges []HoursRange) (int, string) {
	if len(ranges) > hoursMaxRangesPerDay {
		return -1, fmt.Sprintf("more than %d ranges", hoursMaxRangesPerDay)
	}
	for i, r := range ranges {
		switch {
		case r.Start < 0 || r.Start >= EndOfDay:
			return i, "start must lie in 00:00-23:59"
		case r.End <= 0 || r.End > EndOfDay:
			return i, "end must lie in 00:01-24:00"
		case r.End <= r.Start:
			return i, fmt.Sprintf("end %s is not after start %s", r.End, r.Start)
		}
		for j := range i {
			if o := ranges[j]; r.Start < o.End && o.Start < r.End {
				return i, fmt.Sprintf("%s overlaps %s", r, o)
			}
		}
	}
	return 0, ""
}

// HoursOn is the mentor's open ranges on local date d: the override for d
// when there is one, else the weekly hours of its weekday.
func (a Availability) HoursOn(d Date) []HoursRange {
	for _, o := range a.Overrides {
		if o.Date == d {
			return o.Hours
		}
	}
	return a.Weekly[d.Weekday()]
}
