package calsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

const (
	// leaseWait is how long an on-demand sync waits for a sync already
	// running elsewhere before reporting the current state.
	leaseWait = 20 * time.Second
	leasePoll = 200 * time.Millisecond
)

// errLeaseHeld means another worker is syncing the connection.
var errLeaseHeld = errors.New("connection is being synced by another worker")

// SyncConnection syncs one connection now, unless another worker (in any
// process) is syncing it, in which case it returns errLeaseHeld. Sync
// failures are recorded on the connection, not returned: they are the
// server's state, not an error of the caller.
func (s *Service) SyncConnection(ctx context.Context, connectionID string) error {
	now := s.now()
	claimed, err := s.store.ClaimSyncLease(ctx, connectionID, s.leaseOwner, now, now.Add(s.leaseTTL()))
	if err != nil {
		return err
	}
	if !claimed {
		return errLeaseHeld
	}
	defer func() {
		if err := s.store.ReleaseSyncLease(context.WithoutCancel(ctx), connectionID, s.leaseOwner); err != nil {
			s.Logger.Error("release sync lease", slog.String("connection", connectionID), slog.Any("error", err))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, s.SyncTimeout)
	defer cancel()
	return s.syncLeased(ctx, connectionID)
}

func (s *Service) syncLeased(ctx context.Context, connectionID string) error {
	conn, err := s.store.Connection(ctx, connectionID)
	if isNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	mentor, err := s.store.Mentor(ctx, conn.MentorID)
	if err != nil {
		return err
	}
	cals, err := s.store.ConnectionCalendars(ctx, conn.ID)
	if err != nil {
		return err
	}
	var pulls []pulled
	src, openErr := s.open(ctx, conn)
	for i := range cals {
		if openErr != nil {
			pulls = append(pulls, pulled{cal: &cals[i], err: openErr})
			continue
		}
		p, err := s.pullStored(ctx, src, mentor, &cals[i], cals)
		if err != nil {
			return err
		}
		pulls = append(pulls, p)
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return ctx.Err() // shutting down: this attempt says nothing about the server
	}
	return s.recordSync(context.WithoutCancel(ctx), conn, pulls)
}

// pullStored pulls a stored calendar; its error is a database failure, the
// server's failures are in the result.
func (s *Service) pullStored(ctx context.Context, src Source, m *store.Mentor, cal *store.Calendar, siblings []store.Calendar) (pulled, error) {
	stored, err := s.store.CalendarItems(ctx, cal.ID)
	if err != nil {
		return pulled{}, err
	}
	written, err := s.store.WrittenBack(ctx, cal.ID)
	if err != nil {
		return pulled{}, err
	}
	own := make(map[string]bool, len(written))
	for _, b := range written {
		own[b.WritebackRef] = true
	}
	p := s.pull(ctx, src, m, cal, stored, own)
	if p.err == nil {
		if p.edits, p.follows, err = s.sessionEdits(ctx, src, m, cal, siblings, written, p.changes); err != nil {
			p = pulled{cal: cal, err: fmt.Errorf("sync calendar %s: %w", cal.ID, err)}
		}
	}
	if p.err == nil && hasLegacy(written) {
		p.fills = s.legacySessions(ctx, m, cal, written, mergeItems(cal.ID, stored, p.changes))
	}
	return p, nil
}

// recordSync writes the pulled calendars and the connection's new status
// in one transaction. A failed calendar keeps its last good items and busy
// time; the connection reports the first failure.
func (s *Service) recordSync(ctx context.Context, conn *store.Connection, pulls []pulled) error {
	outcome := store.SyncOutcome{At: s.now(), Status: store.ConnectionOK}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range pulls {
			if p.err == nil {
				if err := p.write(ctx, tx); err != nil {
					return err
				}
				if err := s.enqueueEdits(ctx, tx, p.edits); err != nil {
					return err
				}
				if err := s.writeBackfills(ctx, tx, p.fills); err != nil {
					return err
				}
				if err := writeFollows(ctx, tx, p.follows); err != nil {
					return err
				}
				continue
			}
			status, reason := syncFailure(conn.Provider, p.err)
			s.warn(conn.ID, "calendar sync failed", slog.String("calendar", p.cal.ID),
				slog.String("status", status), slog.Any("error", p.err))
			if outcome.Status == store.ConnectionOK || status == store.ConnectionReauthRequired {
				outcome.Status, outcome.Error = status, reason
			}
			if err := tx.RecordCalendarError(ctx, p.cal.ID, reason); err != nil {
				return err
			}
		}
		return tx.RecordSyncOutcome(ctx, conn.ID, outcome)
	})
	if err != nil {
		return s.recordUnstored(ctx, conn, pulls, err)
	}
	return nil
}

// recordUnstored records that a sync's result could not be stored, so
// that the connection does not keep saying "ok"; the error is returned
// only when even that fails (the database is away).
func (s *Service) recordUnstored(ctx context.Context, conn *store.Connection, pulls []pulled, cause error) error {
	s.Logger.Error("store calendar sync", slog.String("connection", conn.ID), slog.Any("error", cause))
	reason := "The calendars were read, but their busy time could not be stored: " + brief(cause)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range pulls {
			if err := tx.RecordCalendarError(ctx, p.cal.ID, reason); err != nil {
				return err
			}
		}
		return tx.RecordSyncOutcome(ctx, conn.ID, store.SyncOutcome{At: s.now(), Status: store.ConnectionError, Error: reason})
	})
	if err != nil {
		return fmt.Errorf("record sync of connection %s: %w (and recording the failure: %w)", conn.ID, cause, err)
	}
	return nil
}

// CalendarSync is one calendar's state after an on-demand sync.
type CalendarSync struct {
	ID            string
	Status        string // ok, error, reauth_required
	BusyIntervals int
	Error         string // "" when fine
}

// SyncMentor syncs every connection of a mentor now and reports each
// calendar. A connection that another worker is syncing is waited for
// briefly, then reported as it stands.
func (s *Service) SyncMentor(ctx context.Context, by access.Principal, mentorID string) ([]CalendarSync, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		return nil, notFound(err, "mentor")
	}
	conns, err := s.store.MentorConnections(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	// The work is detached from the request: a client that hangs up must
	// not turn into a recorded sync failure.
	work := context.WithoutCancel(ctx)
	for _, c := range conns {
		err := s.SyncConnection(work, c.ID)
		if errors.Is(err, errLeaseHeld) {
			err = s.awaitLease(ctx, c.ID)
		}
		if err != nil {
			return nil, err
		}
	}
	return s.calendarSyncs(ctx, mentorID)
}

// awaitLease waits until nobody syncs the connection, or leaseWait.
func (s *Service) awaitLease(ctx context.Context, connectionID string) error {
	deadline := time.Now().Add(leaseWait)
	for time.Now().Before(deadline) {
		held, err := s.store.SyncLeaseHeld(ctx, connectionID, s.now())
		if err != nil || !held {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(leasePoll):
		}
	}
	return nil
}

func (s *Service) calendarSyncs(ctx context.Context, mentorID string) ([]CalendarSync, error) {
	conns, err := s.store.MentorConnections(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	cals, err := s.store.CalendarStates(ctx, mentorID, "")
	if err != nil {
		return nil, err
	}
	statusOf := map[string]string{}
	for _, c := range conns {
		statusOf[c.ID] = c.Status
	}
	out := make([]CalendarSync, 0, len(cals))
	for _, k := range cals {
		cs := CalendarSync{ID: k.ID, Status: calendarStatus(statusOf[k.ConnectionID], k.SyncError), BusyIntervals: k.BusyCount, Error: k.SyncError}
		out = append(out, cs)
	}
	return out, nil
}

// calendarStatus is a calendar's status: its connection's when the
// credentials failed, else whether its own last sync worked.
func calendarStatus(connStatus, syncError string) string {
	switch {
	case connStatus == store.ConnectionReauthRequired:
		return store.ConnectionReauthRequired
	case syncError != "":
		return store.ConnectionError
	}
	return store.ConnectionOK
}

func notFound(err error, what string) error {
	if isNotFound(err) {
		return apperr.Wrap(apperr.NotFound, err, "%s not found", what)
	}
	return err
}

// leaseTTL outlives the sync timeout, so a lease only expires on its own
// when its holder died; then the connection syncs again within minutes.
func (s *Service) leaseTTL() time.Duration { return s.SyncTimeout * 3 / 2 }
