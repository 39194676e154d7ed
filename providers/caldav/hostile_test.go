package caldav

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
	"github.com/rendezvous/rendezvous/providers/netguard"
)

func connectHostile(t *testing.T, h *caldavtest.Hostile, timeout time.Duration) (*Conn, error) {
	t.Helper()
	client := netguard.NewHTTPClient(netguard.Options{AllowPrivate: true, Timeout: timeout})
	return Connect(context.Background(), Credentials{URL: h.URL}, Options{HTTPClient: client})
}

func fullSync(t *testing.T, conn *Conn, calRef string) (calendar.ChangeSet, error) {
	t.Helper()
	w := calendar.Interval{Start: time.Now(), End: time.Now().AddDate(0, 1, 0)}
	return conn.Changes(context.Background(), calRef, "", w, nil)
}

func TestHostileObjectOverTheCapIsTooLarge(t *testing.T) {
	// 1.3 million bare BEGIN lines: 18 MB, over the 16 MiB an object may
	// take. The answer is not read past the cap.
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Objects: 3, Object: func(w io.Writer, i int) {
		if i == 1 {
			caldavtest.FlatComponents(1_300_000)(w, i)
			return
		}
		io.WriteString(w, caldavtest.Event("small", "Small", time.Now(), time.Now().Add(time.Hour)))
	}})
	conn, err := connectHostile(t, h, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fullSync(t, conn, caldavtest.CalendarPath(0))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/home/cal-0/obj-1.ics is larger than 16 MiB") {
		t.Fatalf("err = %v, want ErrTooLarge naming the object", err)
	}
}

func TestHostileLargeBatchesAreSplit(t *testing.T) {
	// Ten 3 MB objects: one multiget answer would be 30 MB, over the
	// cap; halves of halves fit.
	big := strings.Repeat("X-FILLER:"+strings.Repeat("x", 1000)+"\r\n", 3<<10)
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Objects: 10, Object: func(w io.Writer, i int) {
		ev := caldavtest.Event("big", "Big", time.Now(), time.Now().Add(time.Hour))
		io.WriteString(w, strings.Replace(ev, "END:VEVENT", strings.TrimSuffix(big, "\r\n")+"\r\nEND:VEVENT", 1))
	}})
	conn, err := connectHostile(t, h, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := fullSync(t, conn, caldavtest.CalendarPath(0))
	if err != nil || len(cs.Upserts) != 10 {
		t.Fatalf("%d objects, err %v", len(cs.Upserts), err)
	}
	for _, it := range cs.Upserts {
		if len(it.ICS) < 3_000_000 {
			t.Fatalf("object %s cut: %d bytes", it.Key, len(it.ICS))
		}
	}
}

func TestHostileSlowServerTimesOut(t *testing.T) {
	// Each answer comes after 3 s: a success, too late for a client that
	// waits 300 ms.
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Delay: 3 * time.Second})
	_, err := connectHostile(t, h, 300*time.Millisecond)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
}

func TestHostileManyCalendarsWithHugeNames(t *testing.T) {
	// 500 calendars named with 100 KB each: a 50 MB listing, which the
	// client reads (the sync bounds what it keeps).
	h := caldavtest.StartHostile(t, caldavtest.HostileOptions{Calendars: 500, NameBytes: 100 << 10})
	conn, err := connectHostile(t, h, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cals, err := conn.Calendars(context.Background())
	if err != nil || len(cals) != 500 || len(cals[0].Name) != 100<<10 {
		t.Fatalf("%d calendars, err %v", len(cals), err)
	}
}
