package caldav

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// TestSyncCost measures what a sync costs on every server: requests,
// response bytes and time of a first full sync, an unchanged re-sync, the
// periodic full href/ETag listing of the unchanged calendar, and a re-sync
// after one event changed. Request counts are asserted (they do not grow
// with the calendar), times are not. CI seeds 100 events per server; the
// figures in BENCHMARKS.md are for 1,000:
//
//	RENDEZVOUS_SYNC_COST_EVENTS=1000 go test -count=1 -run TestSyncCost -v ./providers/caldav/
func TestSyncCost(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds events on every server")
	}
	events := 100
	if n, err := strconv.Atoi(os.Getenv("RENDEZVOUS_SYNC_COST_EVENTS")); err == nil && n > 0 {
		events = n
	}
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		calRef := calRefOf(srv)
		seedMany(t, srv, events)

		now := time.Now()
		counter := &countingTransport{}
		opts := testOptions(counter)
		opts.Now = func() time.Time { return now }
		// Every sync of the service opens a fresh connection, sharing
		// the service's AuthCache: measured so, a Digest server's 401
		// counts where a real sync pays it.
		opts.Auth = NewAuthCache(0)
		open := func() *Conn {
			conn, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, opts)
			if err != nil {
				t.Fatal(err)
			}
			return conn
		}
		begin := time.Now()
		full := changes(t, open(), calRef, "", nil)
		fullTime := time.Since(begin)
		fullRequests, fullBytes := counter.take()
		if len(full.Upserts) != events {
			t.Fatalf("full sync returned %d items, want %d", len(full.Upserts), events)
		}
		known := knownOf(full.Upserts)

		begin = time.Now()
		same := changes(t, open(), calRef, full.State, known)
		sameTime := time.Since(begin)
		sameRequests, sameBytes := counter.take()

		// The periodic full listing, five times for the spread of its time.
		var listed calendar.ChangeSet
		var listTimes []time.Duration
		var listRequests int
		var listBytes int64
		state := same.State
		for range 5 {
			now = now.Add(DefaultFullListingEvery)
			begin = time.Now()
			listed = changes(t, open(), calRef, state, known)
			listTimes = append(listTimes, time.Since(begin))
			state = listed.State
			r, b := counter.take()
			listRequests, listBytes = max(listRequests, r), b
			if len(listed.Upserts)+len(listed.Deletes) != 0 {
				t.Errorf("listing an unchanged calendar found %d upserts, %d deletes", len(listed.Upserts), len(listed.Deletes))
			}
		}
		slices.Sort(listTimes)

		// Change one event through another client, as a mentor would.
		var changedKey string
		for _, it := range full.Upserts {
			if strings.Contains(string(it.ICS), fmt.Sprintf("UID:event-%04d-", events/2)) {
				changedKey = it.Key
			}
		}
		moved := caldavtest.Event(fmt.Sprintf("event-%04d-%s", events/2, runID(srv)), "moved", day, day.Add(time.Hour))
		srv.PutAt(t, strings.TrimSuffix(srv.URL, "/")+changedKey, moved)
		counter.take()
		begin = time.Now()
		one := changes(t, open(), calRef, listed.State, known)
		oneTime := time.Since(begin)
		oneRequests, oneBytes := counter.take()
		if len(one.Upserts) != 1 || one.Upserts[0].Key != changedKey || len(one.Deletes) != 0 {
			t.Fatalf("one change: upserts %v deletes %v", keysOf(one.Upserts), one.Deletes)
		}

		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		t.Logf("%s, %d events (state %s):", name, events, parseState(full.State).kind)
		t.Logf("  first full sync:   %3d requests, %8d bytes, %8.1f ms", fullRequests, fullBytes, ms(fullTime))
		t.Logf("  unchanged re-sync: %3d requests, %8d bytes, %8.1f ms (a new connection, as every sync)", sameRequests, sameBytes, ms(sameTime))
		t.Logf("  full listing:      %3d requests, %8d bytes, %8.1f / %.1f / %.1f ms (min / median / max of 5)", listRequests, listBytes,
			ms(listTimes[0]), ms(listTimes[2]), ms(listTimes[4]))
		t.Logf("  one event moved:   %3d requests, %8d bytes, %8.1f ms", oneRequests, oneBytes, ms(oneTime))
		if sameRequests != 1 {
			t.Errorf("unchanged re-sync took %d requests, want 1", sameRequests)
		}
		if listRequests > 2 {
			t.Errorf("full listing took %d requests, want at most 2", listRequests)
		}
		if oneRequests > 3 {
			t.Errorf("one-change re-sync took %d requests, want at most 3", oneRequests)
		}
	})
}

// seedMany stores n one-hour events, several PUTs at a time (one PUT of
// a whole VCALENDAR on the collection works on Radicale only).
func seedMany(t *testing.T, srv *caldavtest.Server, n int) {
	t.Helper()
	id := runID(srv)
	if srv.Name == "radicale" {
		var vevents []string
		for i := range n {
			start := day.Add(time.Duration(i) * 3 * time.Hour)
			vevents = append(vevents, fmt.Sprintf("BEGIN:VEVENT\nUID:event-%04d-%s\nDTSTAMP:20260101T000000Z\nDTSTART:%s\nDTEND:%s\nSUMMARY:Event %d\nLOCATION:Room %d\nEND:VEVENT",
				i, id, start.Format("20060102T150405Z"), start.Add(time.Hour).Format("20060102T150405Z"), i, i%10))
		}
		srv.PutAt(t, srv.CalendarURL, caldavtest.Calendar(vevents...))
		return
	}
	work := make(chan int)
	failed := make(chan string, n)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				start := day.Add(time.Duration(i) * 3 * time.Hour)
				ics := caldavtest.Event(fmt.Sprintf("event-%04d-%s", i, id), fmt.Sprintf("Event %d", i), start, start.Add(time.Hour),
					fmt.Sprintf("LOCATION:Room %d", i%10))
				if code, _, body := srv.Do(t, "PUT", srv.CalendarURL+fmt.Sprintf("event-%04d.ics", i), nil, ics); code/100 != 2 {
					failed <- fmt.Sprintf("PUT event %d: %d %s", i, code, body)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(failed)
	for msg := range failed {
		t.Fatal(msg)
	}
}
