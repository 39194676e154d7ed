package calsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/caldav"
)

// The mentor's own edits of a session's event (moved, deleted) are
// followed only on the server's explicit word:
//
//   - moved: the object came back with an ETag other than the one our
//     write got, and its DTSTART (Google: start) differs from the session's;
//   - resized: the same, but only its end (DTEND, DURATION) differs: the
//     session's length is the mentor's setting, so the booking service
//     keeps it and tells the mentor, as for a move onto a busy time;
//   - deleted: the sync reported it deleted (sync-collection 404, Google
//     "cancelled") or a complete listing lacked it, and then a direct read
//     of the object answered 404/410 (Google: not found or cancelled), no
//     other object of the calendar holds its UID, and no other calendar
//     of the account holds the event;
//   - moved to another calendar of the account (found there by UID, or
//     Google event id): not a deletion; the session's write-back follows
//     the event there, and its time is read there from then on.
//
// A listing that failed, timed out or was cut, and an object that cannot
// be read, change nothing: the pull fails or the object is skipped. Only
// sessions whose event holds their current version are followed
// (writeback_sequence = sequence): otherwise our own pending write-back
// explains the difference, and the booking's change wins.

// followed reports whether a written-back session's event is watched for
// edits: live, not over, and written at its current version.
func (s *Service) followed(b *store.Booking) bool {
	return b.Status == store.StatusConfirmed && b.WritebackSequence == b.Sequence && b.EndAt.After(s.now())
}

// sessionEdits finds the mentor's edits of the sessions written into cal
// in a change set. Its error fails the calendar's pull (the sync state is
// not advanced, so the change is seen again): a deletion that could not
// be confirmed must not be lost.
func (s *Service) sessionEdits(ctx context.Context, src Source, m *store.Mentor, cal *store.Calendar, siblings []store.Calendar, written []store.Booking, cs calendar.ChangeSet) (edits []jobs.CalendarEditArgs, follows []calendarFollow, err error) {
	if len(written) == 0 {
		return nil, nil, nil
	}
	upserts := make(map[string]*calendar.Item, len(cs.Upserts))
	for i := range cs.Upserts {
		upserts[cs.Upserts[i].Key] = &cs.Upserts[i]
	}
	deleted := make(map[string]bool, len(cs.Deletes))
	for _, k := range cs.Deletes {
		deleted[k] = true
	}
	for i := range written {
		b := &written[i]
		if !s.followed(b) {
			continue
		}
		edit := jobs.CalendarEditArgs{BookingID: b.ID, Sequence: b.Sequence, CalendarID: cal.ID, Key: b.WritebackRef}
		if it, ok := upserts[b.WritebackRef]; ok {
			start, end, changed := s.editedTo(ctx, m, cal, b, it)
			if changed {
				edit.Start, edit.End, edit.ETag = start, end, it.ETag
				edits = append(edits, edit)
			}
			continue
		}
		if !deleted[b.WritebackRef] && !cs.Full {
			continue
		}
		gone, err := eventGone(ctx, src, cal.Ref, Remote{Key: b.WritebackRef, UID: b.UID})
		if err != nil {
			return nil, nil, fmt.Errorf("check whether the event of session %s was deleted: %w", b.ID, err)
		}
		if !gone {
			continue
		}
		// Gone from this calendar: moved to another of the account's
		// calendars (Google's "Move to", a drag between CalDAV
		// calendars)? The session follows its event there; only an
		// event found nowhere is a deletion. A search that fails
		// fails the pull: nothing is cancelled on a doubt.
		to, err := s.eventElsewhere(ctx, src, cal, siblings, b)
		if err != nil {
			return nil, nil, fmt.Errorf("look for the event of session %s in the other calendars: %w", b.ID, err)
		}
		if to != nil {
			follows = append(follows, *to)
			continue
		}
		edit.Deleted = true
		edits = append(edits, edit)
	}
	return edits, follows, nil
}

// calendarFollow is a session's event found in another calendar of the
// same account after it left its own: the session's write-back follows
// it there (its time is read there at that calendar's next sync).
type calendarFollow struct {
	bookingID, fromCalendarID, fromKey string
	sequence                           int
	toCalendarID, toKey                string
}

// eventElsewhere looks for the session's event in the other stored
// calendars of cal's connection: CalDAV by its UID, Google by its event
// id (kept by a move). Nil when it is in none.
func (s *Service) eventElsewhere(ctx context.Context, src Source, cal *store.Calendar, siblings []store.Calendar, b *store.Booking) (*calendarFollow, error) {
	finder, ok := src.(eventFinder)
	if !ok {
		return nil, nil
	}
	for i := range siblings {
		other := &siblings[i]
		if other.ID == cal.ID {
			continue
		}
		key, err := finder.findEvent(ctx, other.Ref, Remote{Key: b.WritebackRef, UID: b.UID})
		if err != nil {
			return nil, err
		}
		if key != "" {
			s.Logger.Info("a session's event moved to another calendar; the session follows it", slog.String("booking", b.ID),
				slog.String("from", cal.ID), slog.String("to", other.ID))
			return &calendarFollow{bookingID: b.ID, fromCalendarID: cal.ID, fromKey: b.WritebackRef, sequence: b.Sequence,
				toCalendarID: other.ID, toKey: key}, nil
		}
	}
	return nil, nil
}

// eventFinder is a Source that can find an event in a calendar.
type eventFinder interface {
	// findEvent returns the key of the event in calRef ("" when absent).
	findEvent(ctx context.Context, calRef string, r Remote) (string, error)
}

func (a *caldavSource) findEvent(ctx context.Context, calRef string, r Remote) (string, error) {
	if r.UID == "" {
		return "", nil
	}
	keys, err := a.conn.FindUID(ctx, calRef, r.UID)
	if err != nil {
		return "", classifyCalDAV(err)
	}
	if len(keys) == 0 {
		return "", nil
	}
	return keys[0], nil
}

func (g *googleSource) findEvent(ctx context.Context, calRef string, r Remote) (string, error) {
	gone, err := g.client.EventGone(ctx, calRef, r.Key)
	if err != nil || gone {
		return "", classifyGoogle(err)
	}
	return r.Key, nil
}

// writeFollows moves the sessions' write-back to the calendars their
// events went to, in the sync's transaction; a session changed or
// written meanwhile is left as it is.
func writeFollows(ctx context.Context, tx *store.Tx, follows []calendarFollow) error {
	for _, f := range follows {
		if err := tx.MoveBookingWriteback(ctx, f.bookingID, f.sequence, f.fromCalendarID, f.fromKey, f.toCalendarID, f.toKey); err != nil {
			return err
		}
	}
	return nil
}

// editedTo reads when the session's event now starts and ends, and
// whether either changed: an object we wrote ourselves (same ETag), or
// one whose times cannot be read, is no edit. end is zero when unknown.
func (s *Service) editedTo(ctx context.Context, m *store.Mentor, cal *store.Calendar, b *store.Booking, it *calendar.Item) (start, end time.Time, changed bool) {
	if it.ETag != "" && sameETag(it.ETag, b.WritebackEtag) {
		return start, end, false
	}
	start, end = it.Start, it.End
	if len(it.ICS) > 0 {
		var err error
		start, end, err = ical.EventSpan(ctx, it.ICS, b.UID, ical.Options{Location: mentorZone(m)})
		if err != nil {
			s.warn(cal.ConnectionID, "the event of a session could not be read; its changes are not followed",
				slog.String("calendar", cal.ID), slog.String("booking", b.ID), slog.Any("error", err))
			return start, end, false
		}
	}
	if start.IsZero() {
		return start, end, false
	}
	resized := !end.IsZero() && end.After(start) && !end.Equal(b.EndAt)
	return start, end, !start.Equal(b.StartAt) || resized
}

// goneChecker is a Source that can confirm a deletion with the server.
type goneChecker interface {
	// eventGone reports whether the server says the event is deleted.
	eventGone(ctx context.Context, calRef string, r Remote) (bool, error)
}

// eventGone asks the source; a source that cannot confirm deletions
// never reports one.
func eventGone(ctx context.Context, src Source, calRef string, r Remote) (bool, error) {
	g, ok := src.(goneChecker)
	if !ok {
		return false, nil
	}
	return g.eventGone(ctx, calRef, r)
}

// eventGone: the object answers 404/410, and no other object of the
// calendar holds the UID (a client may have stored it again under its
// own name). A server that cannot search by UID is taken at the 404.
func (a *caldavSource) eventGone(ctx context.Context, calRef string, r Remote) (bool, error) {
	gone, err := a.conn.ObjectGone(ctx, r.Key)
	if err != nil || !gone || r.UID == "" {
		return gone, classifyCalDAV(err)
	}
	keys, err := a.conn.FindUID(ctx, calRef, r.UID)
	var se *caldav.StatusError
	if errors.As(err, &se) && se.Code/100 == 4 && !errors.Is(err, caldav.ErrAuth) {
		return true, nil
	}
	if err != nil {
		return false, classifyCalDAV(err)
	}
	return len(keys) == 0, nil
}

func (g *googleSource) eventGone(ctx context.Context, calRef string, r Remote) (bool, error) {
	gone, err := g.client.EventGone(ctx, calRef, r.Key)
	return gone, classifyGoogle(err)
}

// sameETag compares ETags ignoring weakness and quoting, which differ
// between PUT answers and listings on some servers.
func sameETag(a, b string) bool {
	norm := func(s string) string {
		return strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
	}
	return norm(a) == norm(b)
}

// enqueueEdits hands the edits to the booking service's worker, in the
// transaction that stores the sync: they are applied if and only if the
// sync that saw them is recorded.
func (s *Service) enqueueEdits(ctx context.Context, tx *store.Tx, edits []jobs.CalendarEditArgs) error {
	if len(edits) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(edits))
	for i, e := range edits {
		params[i] = river.InsertManyParams{Args: e}
		s.Logger.Info("session edited in the mentor's calendar", slog.String("booking", e.BookingID),
			slog.Bool("deleted", e.Deleted), slog.Time("start", e.Start))
	}
	if err := s.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue calendar edits: %w", err)
	}
	return nil
}
