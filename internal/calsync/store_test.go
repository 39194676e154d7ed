package calsync_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

func TestWriteTargetIsOnePerMentor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		a := startApp(t, db, appOptions{allowPrivate: true})
		srv := caldavtest.StartRadicale(t)
		srv.MakeCalendar(t, srv.HomeURL+"personal/", "Personal", "VEVENT")
		m := a.createMentor("Ada")
		var conn connectionJSON
		if st := m.connect(srv.URL, srv.Username, srv.Password, &conn); st != 201 || len(conn.Calendars) != 2 {
			t.Fatalf("connect: %d %+v", st, conn)
		}
		readOnly := store.Calendar{ID: "read-only-" + db.Name, ConnectionID: conn.ID, MentorID: m.ID, Ref: "/shared/",
			Name: "Shared", CheckConflicts: true, Writable: false, CreatedAt: time.Now()}
		if err := a.store.InsertCalendar(ctx, &readOnly); err != nil {
			t.Fatal(err)
		}
		var p problem
		if st := m.as.do("PATCH", "/api/v1/mentors/"+m.ID+"/calendars/"+readOnly.ID, map[string]bool{"write_target": true}, &p); st != 422 || p.Code != "invalid_input" {
			t.Fatalf("read-only write target: %d %+v", st, p)
		}
		for _, k := range conn.Calendars {
			var got calendarJSON
			if st := m.as.do("PATCH", "/api/v1/mentors/"+m.ID+"/calendars/"+k.ID, map[string]bool{"write_target": true}, &got); st != 200 || !got.WriteTarget {
				t.Fatalf("make %s the write target: %d %+v", k.Name, st, got)
			}
			targets := 0
			for _, c := range m.connections()[0].Calendars {
				if c.WriteTarget {
					targets++
					if c.ID != k.ID {
						t.Fatalf("write target is %s, want %s", c.Name, k.Name)
					}
				}
			}
			if targets != 1 {
				t.Fatalf("%d write targets", targets)
			}
		}
	})
}

func TestSyncLeaseIsExclusive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		a := startApp(t, db, appOptions{allowPrivate: true})
		srv := caldavtest.StartRadicale(t)
		m := a.createMentor("Ada")
		var conn connectionJSON
		if st := m.connect(srv.URL, srv.Username, srv.Password, &conn); st != 201 {
			t.Fatalf("connect: %d", st)
		}
		now := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := a.store.ClaimSyncLease(ctx, conn.ID, fmt.Sprint("worker-", i), now, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d workers hold the lease, want 1", won)
		}
		for i := range 10 {
			a.store.ReleaseSyncLease(ctx, conn.ID, fmt.Sprint("worker-", i))
		}

		// While another process holds it, an on-demand sync does not sync:
		// it waits for the lease, then reports the current state.
		if ok, err := a.store.ClaimSyncLease(ctx, conn.ID, "other-process", time.Now(), time.Now().Add(3*time.Second)); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		start := time.Now().UTC().AddDate(0, 0, 1).Truncate(time.Hour)
		srv.Put(t, "new.ics", caldavtest.Event("new", "New", start, start.Add(time.Hour)))
		if res := m.sync(); len(res) != 1 || res[0].BusyIntervals != 0 {
			t.Fatalf("sync ran beside the lease holder: %+v", res)
		}
		// The lease expired with its holder: the next sync runs.
		if res := m.sync(); len(res) != 1 || res[0].BusyIntervals != 1 {
			t.Fatalf("sync after the lease expired: %+v", res)
		}
	})
}
