package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestReadsOfASeriesDays: the busy time and sessions read for a series'
// days are what overlaps each window — short intervals starting before a
// window, long ones across it — and not the short ones of the days
// between, a calendar not checked for conflicts or a cancelled session.
func TestReadsOfASeriesDays(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentorID, menteeID := seedPair(t, s)
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		at := func(day, hour int) time.Time { return now.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
		busy := map[string][]store.BusyInterval{
			"checked": {
				{StartAt: at(0, 9), EndAt: at(0, 10)},  // in the first window
				{StartAt: at(0, 5), EndAt: at(0, 9)},   // from 3 h before it into it
				{StartAt: at(0, 2), EndAt: at(0, 7)},   // ends before it
				{StartAt: at(3, 9), EndAt: at(3, 10)},  // a day between
				{StartAt: at(6, 0), EndAt: at(8, 0)},   // two days across the second window
				{StartAt: at(7, 19), EndAt: at(7, 21)}, // ends after it
			},
			"ignored": {{StartAt: at(0, 12), EndAt: at(0, 13)}},
		}
		for id, spans := range busy {
			conn := &store.Connection{ID: "conn-" + id, MentorID: mentorID, Provider: "caldav", URL: "https://cal.example.org/",
				Status: "ok", CreatedAt: now, UpdatedAt: now}
			cal := &store.Calendar{ID: id, ConnectionID: conn.ID, MentorID: mentorID, Ref: "/" + id + "/", Name: id,
				CheckConflicts: id == "checked", CreatedAt: now}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.InsertConnection(ctx, conn); err != nil {
					return err
				}
				if err := tx.InsertCalendar(ctx, cal); err != nil {
					return err
				}
				return tx.ReplaceCalendarBusy(ctx, mentorID, cal.ID, spans)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		windows := [][2]time.Time{{at(0, 8), at(0, 20)}, {at(7, 8), at(7, 20)}}
		spans, err := s.MentorBusyIn(ctx, mentorID, windows)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range spans {
			if b.Provider != "caldav" {
				t.Errorf("provider %q", b.Provider)
			}
			got = append(got, b.StartAt.UTC().Format("02 15h")+"-"+b.EndAt.UTC().Format("02 15h"))
		}
		slices.Sort(got)
		got = slices.Compact(got)
		want := []string{"01 05h-01 09h", "01 09h-01 10h", "07 00h-09 00h", "08 19h-08 21h"}
		if !slices.Equal(got, want) {
			t.Fatalf("busy in the windows: %v, want %v", got, want)
		}

		inside, across, between, cancelled := booking(mentorID, menteeID, at(0, 10), time.Hour),
			booking(mentorID, menteeID, at(7, 7), 2*time.Hour), booking(mentorID, menteeID, at(3, 10), time.Hour),
			booking(mentorID, menteeID, at(7, 12), time.Hour)
		cancelled.Status = store.StatusCancelled
		for _, b := range []*store.Booking{inside, across, between, cancelled} {
			if err := s.InsertBooking(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		sessions, err := s.MentorSessionsIn(ctx, mentorID, windows)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range sessions {
			ids = append(ids, b.ID)
		}
		slices.Sort(ids)
		want = []string{inside.ID, across.ID}
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("sessions in the windows: %v, want %v (inside, across the start)", ids, want)
		}
	})
}
