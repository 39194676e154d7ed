package calsync_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// seeded is a calendar with the shapes busy time must get right.
type seeded struct {
	base, allDayStart, allDayEnd time.Time
}

func seed(t *testing.T, srv *caldavtest.Server) seeded {
	t.Helper()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	base := day.Add(9 * time.Hour)
	paris, _ := time.LoadLocation("Europe/Paris")
	off := day.AddDate(0, 0, 2)
	s := seeded{base: base,
		allDayStart: time.Date(off.Year(), off.Month(), off.Day(), 0, 0, 0, 0, paris).UTC(),
		allDayEnd:   time.Date(off.Year(), off.Month(), off.Day()+1, 0, 0, 0, 0, paris).UTC()}
	const utc = "20060102T150405Z"
	srv.Put(t, "weekly.ics", caldavtest.Calendar(
		fmt.Sprintf("BEGIN:VEVENT\nUID:weekly\nDTSTAMP:20260101T000000Z\nDTSTART:%s\nDTEND:%s\nRRULE:FREQ=WEEKLY;COUNT=3\nSUMMARY:Weekly\nEND:VEVENT",
			base.Format(utc), base.Add(time.Hour).Format(utc)),
		fmt.Sprintf("BEGIN:VEVENT\nUID:weekly\nDTSTAMP:20260101T000000Z\nRECURRENCE-ID:%s\nDTSTART:%s\nDTEND:%s\nSUMMARY:Weekly (moved)\nEND:VEVENT",
			base.AddDate(0, 0, 7).Format(utc), base.AddDate(0, 0, 7).Add(3*time.Hour).Format(utc), base.AddDate(0, 0, 7).Add(4*time.Hour).Format(utc)),
	))
	srv.Put(t, "allday.ics", caldavtest.Calendar(fmt.Sprintf(
		"BEGIN:VEVENT\nUID:allday\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:%s\nDTEND;VALUE=DATE:%s\nSUMMARY:Day off\nEND:VEVENT",
		off.Format("20060102"), off.AddDate(0, 0, 1).Format("20060102"))))
	srv.Put(t, "free.ics", caldavtest.Event("free", "Reading", base.AddDate(0, 0, 3).Add(5*time.Hour), base.AddDate(0, 0, 3).Add(6*time.Hour), "TRANSP:TRANSPARENT"))
	srv.Put(t, "single.ics", caldavtest.Event("single", "Dentist", base.AddDate(0, 0, 5).Add(time.Hour), base.AddDate(0, 0, 5).Add(2*time.Hour)))
	return s
}

type span struct{ start, end time.Time }

func hour(start time.Time) span { return span{start, start.Add(time.Hour)} }

func spansOf(busy []busyJSON, source string) []span {
	var out []span
	for _, b := range busy {
		if b.Source == source {
			out = append(out, span{b.Start.UTC(), b.End.UTC()})
		}
	}
	return out
}

func sortSpans(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return a.start.Compare(b.start) })
	return s
}

func TestBusyTimeAndIncrementalSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			s := seed(t, srv)
			m := a.createMentor("Ada")
			if st := m.connect(srv.URL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			from, to := time.Now().UTC(), time.Now().UTC().AddDate(0, 0, 40)
			want := sortSpans([]span{
				hour(s.base), hour(s.base.AddDate(0, 0, 7).Add(3 * time.Hour)), hour(s.base.AddDate(0, 0, 14)),
				{s.allDayStart, s.allDayEnd}, hour(s.base.AddDate(0, 0, 5).Add(time.Hour)),
			})
			if got := spansOf(m.busy(from, to), "caldav"); !slices.Equal(got, want) {
				t.Fatalf("busy after connect:\n got %v\nwant %v", got, want)
			}

			// Add one event, move one, delete one; then sync on demand.
			added := s.base.AddDate(0, 0, 4).Add(time.Hour)
			moved := s.base.AddDate(0, 0, 5).Add(6 * time.Hour)
			srv.Put(t, "added.ics", caldavtest.Event("added", "New", added, added.Add(time.Hour)))
			srv.Put(t, "single.ics", caldavtest.Event("single", "Dentist", moved, moved.Add(time.Hour)))
			srv.Delete(t, "allday.ics")
			res := m.sync()
			if len(res) != 1 || res[0].Status != "ok" || res[0].Error != nil || res[0].BusyIntervals != 5 {
				t.Fatalf("sync answer: %+v", res)
			}
			want = sortSpans([]span{
				hour(s.base), hour(s.base.AddDate(0, 0, 7).Add(3 * time.Hour)), hour(s.base.AddDate(0, 0, 14)),
				hour(added), hour(moved),
			})
			if got := spansOf(m.busy(from, to), "caldav"); !slices.Equal(got, want) {
				t.Fatalf("busy after incremental sync:\n got %v\nwant %v", got, want)
			}
			// Intervals overlapping the window's edge are returned whole.
			edge := m.busy(s.base.Add(30*time.Minute), s.base.Add(45*time.Minute))
			if got := spansOf(edge, "caldav"); !slices.Equal(got, []span{hour(s.base)}) {
				t.Fatalf("busy overlapping the window: %v", got)
			}
			// A calendar that stops checking conflicts stops blocking time.
			calID := m.connections()[0].Calendars[0].ID
			if st := m.as.do("PATCH", "/api/v1/mentors/"+m.ID+"/calendars/"+calID, map[string]bool{"check_conflicts": false}, nil); st != 200 {
				t.Fatalf("patch: %d", st)
			}
			if got := spansOf(m.busy(from, to), "caldav"); len(got) != 0 {
				t.Fatalf("busy of an unchecked calendar: %v", got)
			}
		})
	})
}
