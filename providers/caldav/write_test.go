package caldav

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

func TestPutAndDeleteRoundTrip(t *testing.T) {
	servers(t, func(t *testing.T, name string, srv *caldavtest.Server) {
		ctx := context.Background()
		calRef := calRefOf(srv)
		conn := connect(t, srv, srv.URL)
		session := caldavtest.Event("session-42@rendezvous", "Mentoring", day, day.Add(30*time.Minute))

		href, etag, err := conn.Put(ctx, calRef, "session-42@rendezvous", []byte(session), "")
		if err != nil || etag == "" {
			t.Fatalf("create: href %q etag %q err %v", href, etag, err)
		}
		// SOGo ignores If-None-Match: * and overwrites.
		_, again, err := conn.Put(ctx, calRef, "session-42@rendezvous", []byte(session), "")
		switch {
		case name == "sogo" && err == nil:
			etag = again
		case !errors.Is(err, ErrPrecondition):
			t.Fatalf("create over an existing object: got %v, want ErrPrecondition", err)
		}

		// Our own write, passed back as known, is not fetched again.
		full := changes(t, conn, calRef, "", nil)
		if len(full.Upserts) != 1 || full.Upserts[0].Key != href {
			t.Fatalf("sync after create: keys %v, want [%s]", keysOf(full.Upserts), href)
		}
		known := knownOf(full.Upserts)
		if !sameETag(known[href], etag) {
			t.Errorf("Put ETag %q, sync ETag %q", etag, known[href])
		}

		moved := caldavtest.Event("session-42@rendezvous", "Mentoring", day.Add(time.Hour), day.Add(90*time.Minute), "SEQUENCE:1")
		href2, etag2, err := conn.Put(ctx, calRef, "session-42@rendezvous", []byte(moved), etag)
		if err != nil || href2 != href || etag2 == "" || sameETag(etag2, etag) {
			t.Fatalf("update: href %q etag %q err %v", href2, etag2, err)
		}
		if _, _, err := conn.Put(ctx, calRef, "session-42@rendezvous", []byte(moved), etag); !errors.Is(err, ErrPrecondition) {
			t.Fatalf("update with a stale ETag: got %v, want ErrPrecondition", err)
		}
		known[href] = etag2
		if cs := changes(t, conn, calRef, full.State, known); len(cs.Upserts) != 0 || len(cs.Deletes) != 0 {
			t.Errorf("our own update came back: upserts %v deletes %v (put etag %q, now %+v)", keysOf(cs.Upserts), cs.Deletes, etag2, cs.Upserts)
		}

		// SOGo ignores If-Match on DELETE (and deletes).
		if err := conn.Delete(ctx, href, etag); !errors.Is(err, ErrPrecondition) && !(name == "sogo" && err == nil) {
			t.Fatalf("delete with a stale ETag: got %v, want ErrPrecondition", err)
		}
		if err := conn.Delete(ctx, href, etag2); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if err := conn.Delete(ctx, href, ""); err != nil {
			t.Fatalf("delete of a deleted object: %v", err)
		}
		if cs := changes(t, conn, calRef, "", nil); len(cs.Upserts) != 0 {
			t.Errorf("deleted object still listed: %v", keysOf(cs.Upserts))
		}
	})
}
