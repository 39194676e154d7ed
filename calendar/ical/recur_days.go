package ical

import "time"

// Recurrence expansion works on civil (wall-clock) dates counted as days
// since 1970-01-01, so that stepping through years of a rule costs integer
// arithmetic rather than time.Time conversions with zone lookups.

// civilDays returns the day number of the proleptic Gregorian date y-m-d
// (Howard Hinnant's days_from_civil).
func civilDays(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilDate is the inverse of civilDays.
func civilDate(days int) (y, m, d int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// civilWeekday returns the weekday of a day number (1970-01-01 was a Thursday).
func civilWeekday(days int) time.Weekday {
	return time.Weekday(floorMod(days+4, 7))
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeapYear(y) {
		return 366
	}
	return 365
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if isLeapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// weekStart returns the first day of the week (starting on wkst) that
// contains day.
func weekStart(day int, wkst time.Weekday) int {
	return day - floorMod(int(civilWeekday(day))-int(wkst), 7)
}

// isoWeekOneStart returns the first day of week 1 of year y as RFC 5545
// defines it: the first week, starting on wkst, with at least four days in
// the year (the week that contains January 4th).
func isoWeekOneStart(y int, wkst time.Weekday) int {
	return weekStart(civilDays(y, 1, 4), wkst)
}

// weekNumber returns the RFC 5545 week number of day (1-based, counted in
// the week-numbering year the day belongs to) and that year's number of
// weeks.
func weekNumber(day int, wkst time.Weekday) (n, weeks int) {
	y, _, _ := civilDate(day)
	start := isoWeekOneStart(y, wkst)
	if day < start {
		y--
		start = isoWeekOneStart(y, wkst)
	} else if next := isoWeekOneStart(y+1, wkst); day >= next {
		y++
		start = next
	}
	return (day-start)/7 + 1, (isoWeekOneStart(y+1, wkst) - start) / 7
}
