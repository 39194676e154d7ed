package caldav

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// TestSyncCost measures what a sync costs against Radicale holding 1,000
// events: requests and response bytes of a first full sync, an unchanged
// re-sync and a re-sync after one event changed. The figures are logged
// for BENCHMARKS.md (go test -run TestSyncCost -v ./providers/caldav/);
// request counts are asserted, times are not.
func TestSyncCost(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 1,000 events")
	}
	const events = 1000
	srv := caldavtest.StartRadicale(t)
	calRef := calRefOf(srv)
	// One PUT of a whole VCALENDAR on the collection: Radicale splits it
	// into one object per UID, far faster than 1,000 PUTs.
	var vevents []string
	for i := range events {
		start := day.Add(time.Duration(i) * 3 * time.Hour)
		vevents = append(vevents, fmt.Sprintf("BEGIN:VEVENT\nUID:event-%04d\nDTSTAMP:20260101T000000Z\nDTSTART:%s\nDTEND:%s\nSUMMARY:Event %d\nLOCATION:Room %d\nEND:VEVENT",
			i, start.Format("20060102T150405Z"), start.Add(time.Hour).Format("20060102T150405Z"), i, i%10))
	}
	srv.PutAt(t, srv.CalendarURL, caldavtest.Calendar(vevents...))

	counter := &countingTransport{}
	conn, err := Open(Credentials{URL: srv.URL, Username: srv.Username, Password: srv.Password}, testOptions(counter))
	if err != nil {
		t.Fatal(err)
	}
	full := changes(t, conn, calRef, "", nil)
	fullRequests, fullBytes := counter.take()
	if len(full.Upserts) != events {
		t.Fatalf("full sync returned %d items, want %d", len(full.Upserts), events)
	}
	known := knownOf(full.Upserts)

	same := changes(t, conn, calRef, full.State, known)
	sameRequests, sameBytes := counter.take()

	// Change one event through another client, as a mentor would.
	var changedKey string
	for _, it := range full.Upserts {
		if strings.Contains(string(it.ICS), "UID:event-0500") {
			changedKey = it.Key
		}
	}
	moved := caldavtest.Event("event-0500", "Event 500 (moved)", day, day.Add(time.Hour))
	srv.PutAt(t, strings.TrimSuffix(srv.URL, "/")+changedKey, moved)
	counter.take()
	one := changes(t, conn, calRef, same.State, known)
	oneRequests, oneBytes := counter.take()
	if len(one.Upserts) != 1 || one.Upserts[0].Key != changedKey || len(one.Deletes) != 0 {
		t.Fatalf("one change: upserts %v deletes %v", keysOf(one.Upserts), one.Deletes)
	}

	t.Logf("Radicale, %d events:", events)
	t.Logf("  first full sync:  %3d requests, %8d response bytes", fullRequests, fullBytes)
	t.Logf("  unchanged resync: %3d requests, %8d response bytes", sameRequests, sameBytes)
	t.Logf("  one event moved:  %3d requests, %8d response bytes (%.3f%% of full)", oneRequests, oneBytes, 100*float64(oneBytes)/float64(fullBytes))
	if sameRequests > 2 {
		t.Errorf("unchanged re-sync took %d requests, target ≤ 2", sameRequests)
	}
	if oneRequests > 4 {
		t.Errorf("one-change re-sync took %d requests, target ≤ 4", oneRequests)
	}
	if oneBytes*100 > fullBytes {
		t.Errorf("one-change re-sync read %d bytes, target ≤ 1%% of the full sync's %d", oneBytes, fullBytes)
	}
}
