package calsync

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
)

// maxBackoff caps the wait before retrying a failing connection.
const maxBackoff = time.Hour

// scheduleArgs is the periodic job that enqueues the syncs that are due.
// The engine runs periodic jobs on the elected leader only, so one process
// schedules; the syncs themselves run wherever a worker is free.
type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return "calendar_sync_schedule" }

// InsertOpts keeps one pending schedule at a time.
func (scheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// RegisterJobs adds the sync scheduler, the sync worker and the write-back
// worker to the engine; call it before the engine is built.
func (s *Service) RegisterJobs(e *jobs.Engine) {
	river.AddWorker(e.Workers(), &scheduleWorker{svc: s})
	river.AddWorker(e.Workers(), &syncWorker{svc: s})
	river.AddWorker(e.Workers(), &writebackWorker{svc: s})
	e.AddPeriodic(s.SyncInterval, func() river.JobArgs { return scheduleArgs{} }, true)
}

type scheduleWorker struct {
	river.WorkerDefaults[scheduleArgs]
	svc *Service
}

func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[scheduleArgs]) error {
	return w.svc.ScheduleDue(ctx)
}

// ScheduleDue enqueues a sync for every connection that is due. SyncArgs
// are unique per connection while pending, so a slow sync is never queued
// twice.
func (s *Service) ScheduleDue(ctx context.Context) error {
	conns, err := s.store.AllConnections(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for _, c := range conns {
		if !s.due(c, now) {
			continue
		}
		if _, err := s.jobs.Insert(ctx, jobs.SyncArgs{ConnectionID: c.ID}, nil); err != nil {
			return err
		}
	}
	return nil
}

// due reports whether a connection should sync now: every interval while
// healthy; after n consecutive failures, once last_attempt_at +
// min(interval*2^n, 1h) has passed, so broken servers are not hammered and
// recover by themselves.
func (s *Service) due(c store.Connection, now time.Time) bool {
	if c.LastAttemptAt == nil {
		return true
	}
	wait := s.SyncInterval
	if n := min(c.ConsecutiveFailures, 16); n > 0 {
		wait = min(s.SyncInterval<<n, max(maxBackoff, s.SyncInterval))
	}
	// Ticks fire about one interval apart; a tenth of slack keeps a tick
	// that comes a little early from skipping a whole interval.
	return !now.Before(c.LastAttemptAt.Add(wait - s.SyncInterval/10))
}

type syncWorker struct {
	river.WorkerDefaults[jobs.SyncArgs]
	svc *Service
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[jobs.SyncArgs]) error {
	err := w.svc.SyncConnection(ctx, job.Args.ConnectionID)
	if errors.Is(err, errLeaseHeld) {
		w.svc.Logger.Debug("sync skipped: already running", slog.String("connection", job.Args.ConnectionID))
		return nil
	}
	return err
}

type writebackWorker struct {
	river.WorkerDefaults[jobs.WritebackArgs]
	svc *Service
}

func (w *writebackWorker) Work(ctx context.Context, job *river.Job[jobs.WritebackArgs]) error {
	if job.Args.SeriesID != "" {
		return w.svc.writebackSeries(ctx, job.Args.SeriesID)
	}
	return w.svc.Writeback(ctx, job.Args.BookingID)
}
