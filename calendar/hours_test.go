package calendar

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	good := map[string]Clock{"00:00": 0, "09:00": 540, "09:30": 570, "23:59": 1439, "24:00": EndOfDay}
	for s, want := range good {
		got, err := ParseClock(s)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("Clock(%d).String() = %q, want %q", got, got.String(), s)
		}
	}
	for _, s := range []string{"", "9:00", "09:0", "0900", "24:01", "25:00", "09:60", "+9:00", "09:-1", "aa:bb", "09:00:00"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	d, err := ParseDate("2026-12-24")
	if err != nil || d != (Date{2026, 12, 24}) || d.String() != "2026-12-24" || d.Weekday() != time.Thursday {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	for _, s := range []string{"2026-02-29", "2026-13-01", "24/12/2026", ""} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if (Date{2026, 2, 29}).Valid() || !(Date{2024, 2, 29}).Valid() || (Date{2026, 0, 1}).Valid() {
		t.Error("Valid is wrong about February or month 0")
	}
	// Cross-check against the time package over a wide range of days.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		u := time.Unix(r.Int64N(400*365*86400)-200*365*86400, 0).UTC()
		d := DateOf(u)
		n := r.IntN(2000) - 1000
		if got, want := d.AddDays(n), DateOf(u.AddDate(0, 0, n)); got != want {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", d, n, got, want)
		}
		if d.Weekday() != u.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", d, d.Weekday(), u.Weekday())
		}
		if d.Compare(d.AddDays(1)) != -1 || d.AddDays(1).Compare(d) != 1 || d.Compare(d) != 0 {
			t.Fatalf("Compare around %v", d)
		}
	}
}

func TestHoursTextForms(t *testing.T) {
	var v struct {
		C Clock
		D Date
	}
	if err := json.Unmarshal([]byte(`{"C":"24:00","D":"2026-12-24"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.C != EndOfDay || v.D != (Date{2026, 12, 24}) {
		t.Fatalf("decoded %+v", v)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"C":"24:00","D":"2026-12-24"}` {
		t.Errorf("encoded %s", b)
	}
	if err := json.Unmarshal([]byte(`{"C":"9am"}`), &v); err == nil {
		t.Error("bad clock accepted")
	}
}

func TestAvailabilityValidateNamesTheField(t *testing.T) {
	paris := slotTestLoc(t, "Europe/Paris")
	cases := []struct {
		field string
		a     Availability
	}{
		{"timezone", Availability{}},
		{"weekly_hours.monday[1]", Availability{Location: paris, Weekly: WeeklyHours{time.Monday: slotTestRanges("09:00-12:00", "11:00-13:00")}}},
		{"weekly_hours.sunday[0]", Availability{Location: paris, Weekly: WeeklyHours{time.Sunday: {{600, 600}}}}},
		{"weekly_hours.friday[0]", Availability{Location: paris, Weekly: WeeklyHours{time.Friday: {{-1, 60}}}}},
		{"weekly_hours.friday[0]", Availability{Location: paris, Weekly: WeeklyHours{time.Friday: {{0, 1441}}}}},
		{"weekly_hours.saturday", Availability{Location: paris, Weekly: WeeklyHours{time.Saturday: make([]HoursRange, 97)}}},
		{"overrides[0].date", Availability{Location: paris, Overrides: []Override{{Date: Date{2026, 2, 30}}}}},
		{"overrides[1].date", Availability{Location: paris, Overrides: []Override{{Date: Date{2026, 12, 24}}, {Date: Date{2026, 12, 24}}}}},
		{"overrides[0].hours[0]", Availability{Location: paris, Overrides: []Override{{Date{2026, 12, 24}, []HoursRange{{700, 600}}}}}},
	}
	for _, c := range cases {
		err := c.a.Validate()
		var ae *AvailabilityError
		if !errors.As(err, &ae) || ae.Field != c.field || ae.Problem == "" {
			t.Errorf("want an error on %s, got %v", c.field, err)
		}
	}
	ok := Availability{Location: paris, Weekly: WeeklyHours{time.Monday: slotTestRanges("13:00-17:00", "09:00-12:00", "12:00-13:00")},
		Overrides: []Override{{Date{2026, 12, 24}, nil}, {Date{2026, 12, 31}, slotTestRanges("10:00-11:00")}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid availability rejected: %v", err)
	}
	if got := ok.HoursOn(Date{2026, 12, 24}); len(got) != 0 {
		t.Errorf("day off has hours %v", got)
	}
	if got := ok.HoursOn(Date{2026, 12, 28}); len(got) != 3 { // a Monday
		t.Errorf("Monday hours = %v", got)
	}
}
