package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/store"
)

// HousekeepingArgs is the hourly purge of expired rows.
type HousekeepingArgs struct{}

// Kind implements river.JobArgs.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// InsertOpts keeps one pending purge at a time.
func (HousekeepingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type housekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	store  *store.Store
	logger *slog.Logger
}

func (w *housekeepingWorker) Work(ctx context.Context, _ *river.Job[HousekeepingArgs]) error {
	n, err := w.store.PurgeExpired(ctx, time.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.logger.Info("purged expired rows", slog.Int64("rows", n))
	}
	return nil
}

// RegisterHousekeeping adds the hourly purge.
func (e *Engine) RegisterHousekeeping() {
	river.AddWorker(e.workers, &housekeepingWorker{store: e.store, logger: e.logger})
	e.AddPeriodic(time.Hour, func() river.JobArgs { return HousekeepingArgs{} }, true)
}
