package calendar

import (
	"testing"
	"time"
)

// TestSlotsAcrossZoneChanges runs one local date's hours through real
// tzdata transitions. want lists starts on the mentor's wall clock with the
// offset, which tells the two occurrences of a repeated hour apart.
func TestSlotsAcrossZoneChanges(t *testing.T) {
	cases := []struct {
		name, zone, date string
		hours            []string
		session, step    time.Duration
		want             []string
	}{
		{"Paris spring forward: 02:00-03:00 does not exist", "Europe/Paris", "2026-03-29",
			[]string{"01:00-04:00"}, 0, 0,
			[]string{"01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"}},
		{"Paris fall back: 02:00-03:00 twice", "Europe/Paris", "2026-10-25",
			[]string{"01:00-04:00"}, 0, 0,
			[]string{"01:00+02:00", "01:30+02:00", "02:00+02:00", "02:30+02:00", "02:00+01:00", "02:30+01:00", "03:00+01:00", "03:30+01:00"}},
		{"New York spring forward", "America/New_York", "2026-03-08",
			[]string{"01:00-04:00"}, 0, 0,
			[]string{"01:00-05:00", "01:30-05:00", "03:00-04:00", "03:30-04:00"}},
		{"New York fall back: both 01:00 and 01:30", "America/New_York", "2026-11-01",
			[]string{"00:00-03:00"}, 0, 0,
			[]string{"00:00-04:00", "00:30-04:00", "01:00-04:00", "01:30-04:00", "01:00-05:00", "01:30-05:00", "02:00-05:00", "02:30-05:00"}},
		{"New York fall back: a range inside the repeated hour", "America/New_York", "2026-11-01",
			[]string{"01:00-02:00"}, 0, 0,
			[]string{"01:00-04:00", "01:30-04:00", "01:00-05:00", "01:30-05:00"}},
		{"New York fall back: hour-long sessions do not overlap", "America/New_York", "2026-11-01",
			[]string{"00:00-03:00"}, time.Hour, time.Hour,
			[]string{"00:00-04:00", "01:00-04:00", "01:00-05:00", "02:00-05:00"}},
		{"Sao Paulo 2018: midnight skipped", "America/Sao_Paulo", "2018-11-04",
			[]string{"00:00-03:00"}, 0, 0,
			[]string{"01:00-02:00", "01:30-02:00", "02:00-02:00", "02:30-02:00"}},
		{"Sao Paulo 2019: 23:00-24:00 twice", "America/Sao_Paulo", "2019-02-16",
			[]string{"22:00-24:00"}, 0, 0,
			[]string{"22:00-02:00", "22:30-02:00", "23:00-02:00", "23:30-02:00", "23:00-03:00", "23:30-03:00"}},
		{"Havana: midnight skipped", "America/Havana", "2026-03-08",
			[]string{"00:00-02:00"}, 0, 0,
			[]string{"01:00-04:00", "01:30-04:00"}},
		{"Havana: 00:00-01:00 twice", "America/Havana", "2026-11-01",
			[]string{"00:00-02:00"}, 0, 0,
			[]string{"00:00-04:00", "00:30-04:00", "00:00-05:00", "00:30-05:00", "01:00-05:00", "01:30-05:00"}},
		{"Beirut: midnight skipped", "Asia/Beirut", "2026-03-29",
			[]string{"00:00-02:00"}, 0, 0,
			[]string{"01:00+03:00", "01:30+03:00"}},
		{"Kolkata +05:30", "Asia/Kolkata", "2026-06-01",
			[]string{"09:00-10:00"}, 0, 0,
			[]string{"09:00+05:30", "09:30+05:30"}},
		{"Lord Howe fall back by 30 minutes", "Australia/Lord_Howe", "2026-04-05",
			[]string{"01:00-03:00"}, 0, 0,
			[]string{"01:00+11:00", "01:30+11:00", "01:30+10:30", "02:00+10:30", "02:30+10:30"}},
		{"Lord Howe fall back with a 45-minute step thins the grid", "Australia/Lord_Howe", "2026-04-05",
			[]string{"00:00-03:00"}, 45 * time.Minute, 45 * time.Minute,
			[]string{"00:00+11:00", "00:45+11:00", "01:30+11:00", "02:15+10:30"}},
		{"Lord Howe spring forward by 30 minutes", "Australia/Lord_Howe", "2026-10-04",
			[]string{"01:00-03:00"}, 0, 0,
			[]string{"01:00+10:30", "01:30+10:30", "02:30+11:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := slotTestLoc(t, c.zone)
			date, err := ParseDate(c.date)
			if err != nil {
				t.Fatal(err)
			}
			q := SlotQuery{
				Availability: Availability{Location: loc,
					Overrides: []Override{{date, slotTestRanges(c.hours...)}}},
				Session: c.session, Step: c.step,
				Now:  time.Date(date.Year-1, 1, 1, 0, 0, 0, 0, time.UTC),
				From: time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, time.UTC).Add(-36 * time.Hour),
				To:   time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, time.UTC).Add(60 * time.Hour),
			}
			got := slotTestMust(t, q)
			var clocks []string
			for _, s := range got {
				local := s.Start.In(loc)
				if DateOf(local) != date {
					t.Errorf("slot %s is not on %s", local.Format(time.RFC3339), date)
				}
				clocks = append(clocks, local.Format("15:04Z07:00"))
			}
			slotTestEqual(t, clocks, c.want)
			for i := 1; i < len(got); i++ {
				if got[i].Start.Before(got[i-1].End) && q.Step >= q.Session {
					t.Errorf("slots %d and %d overlap", i-1, i)
				}
			}
		})
	}
}

func TestSlotsKolkataInstants(t *testing.T) {
	kolkata := slotTestLoc(t, "Asia/Kolkata")
	q := SlotQuery{
		Availability: Availability{Location: kolkata, Weekly: slotTestEveryDay("09:00-10:00")},
		Now:          time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		From:         time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		To:           time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC),
	}
	got := slotTestMust(t, q)
	slotTestEqual(t, slotTestStarts(got, time.UTC), []string{"2026-06-01 03:30Z", "2026-06-01 04:00Z"})
}

// TestSlotsDayIterationSurvivesOddDays walks whole weeks around days that
// lose their midnight or vanish, with the same hours every day.
func TestSlotsDayIterationSurvivesOddDays(t *testing.T) {
	cases := []struct {
		zone, from, to string
		days           []string // local dates expected to carry the two slots
	}{
		{"America/Sao_Paulo", "2018-11-02", "2018-11-07", []string{"2018-11-02", "2018-11-03", "2018-11-04", "2018-11-05", "2018-11-06"}},
		{"Asia/Beirut", "2026-03-27", "2026-03-31", []string{"2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"}},
		// Samoa moved across the date line: 2011-12-30 never happened there.
		{"Pacific/Apia", "2011-12-28", "2012-01-02", []string{"2011-12-28", "2011-12-29", "2011-12-31", "2012-01-01"}},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			loc := slotTestLoc(t, c.zone)
			q := SlotQuery{
				Availability: Availability{Location: loc, Weekly: slotTestEveryDay("09:00-10:00"),
					// An override on the missing Samoan day must be harmless.
					Overrides: []Override{{Date{2011, 12, 30}, slotTestRanges("09:00-12:00")}}},
				Now:  time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
				From: slotTestAt(t, loc, c.from+" 00:00"),
				To:   slotTestAt(t, loc, c.to+" 00:00"),
			}
			var want []string
			for _, d := range c.days {
				want = append(want, d+" 09:00", d+" 09:30")
			}
			var got []string
			for _, s := range slotTestMust(t, q) {
				got = append(got, s.Start.In(loc).Format("2006-01-02 15:04"))
			}
			slotTestEqual(t, got, want)
		})
	}
}

func TestWindowsFollowTheWallClock(t *testing.T) {
	ny := slotTestLoc(t, "America/New_York")
	a := Availability{Location: ny, Weekly: slotTestEveryDay("00:00-01:30", "09:00-10:00")}
	from := slotTestAt(t, ny, "2026-11-01 00:00")
	to := slotTestAt(t, ny, "2026-11-01 12:00")
	got := a.Windows(from, to)
	// 00:00-01:30 covers 00:00-01:30 EDT and, again, 01:00-01:30 EST.
	want := []string{
		"2026-11-01T00:00:00-04:00 2026-11-01T01:30:00-04:00",
		"2026-11-01T01:00:00-05:00 2026-11-01T01:30:00-05:00",
		"2026-11-01T09:00:00-05:00 2026-11-01T10:00:00-05:00",
	}
	var s []string
	for _, w := range got {
		s = append(s, w.Start.Format(time.RFC3339)+" "+w.End.Format(time.RFC3339))
	}
	slotTestEqual(t, s, want)

	// Clipped to the window, and in a spring-forward gap nothing is open.
	from = slotTestAt(t, ny, "2026-03-08 01:00")
	a.Weekly = slotTestEveryDay("01:00-04:00")
	got = a.Windows(from, from.Add(90*time.Minute))
	if len(got) != 1 || got[0].Duration() != 90*time.Minute || !got[0].Start.Equal(from) {
		t.Errorf("spring forward windows = %v", got)
	}
	if got := a.Windows(from, from.Add(-time.Hour)); len(got) != 0 {
		t.Errorf("empty window gave %v", got)
	}
	day := a.Windows(slotTestAt(t, ny, "2026-03-08 00:00"), slotTestAt(t, ny, "2026-03-09 00:00"))
	if len(day) != 1 || day[0].Duration() != 2*time.Hour {
		t.Errorf("01:00-04:00 on spring-forward day should last 2h of real time: %v", day)
	}
}
