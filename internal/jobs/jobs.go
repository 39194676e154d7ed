// Package jobs runs durable background work on River, in the same database
// as the data: jobs are inserted in the transaction that makes them
// necessary (a booking and its invites commit together), and River's
// leader election and row locking keep several processes from doing the
// same work twice.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/rendezvous/rendezvous/internal/store"
)

// Engine owns the River client. Workers are added before Start; jobs can
// be inserted once Start has built the client.
type Engine struct {
	store    *store.Store
	logger   *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	// queues beside River's default one, by name.
	queues map[string]river.QueueConfig
	client *river.Client[*sql.Tx]
	// PollInterval is how often idle workers look for new jobs.
	PollInterval time.Duration
	// MaxWorkers bounds concurrent jobs in this process.
	MaxWorkers int
	// JobTimeout is the longest a job may run (2 minutes when 0). A job
	// still marked running after 1.5 times this belongs to a process that
	// died: River rescues it and it runs again.
	JobTimeout time.Duration
}

// DefaultMaxWorkers is how many jobs of the default queue one process
// runs at once unless told otherwise.
const DefaultMaxWorkers = 8

// New prepares an engine on s.
func New(s *store.Store, logger *slog.Logger) *Engine {
	return &Engine{store: s, logger: logger, workers: river.NewWorkers(), PollInterval: time.Second, MaxWorkers: DefaultMaxWorkers}
}

// Workers is where services register their workers before Start.
func (e *Engine) Workers() *river.Workers { return e.workers }

// AddPeriodic schedules a job that the elected leader enqueues on a timer,
// so it runs once across all processes.
func (e *Engine) AddPeriodic(every time.Duration, build func() river.JobArgs, runOnStart bool) {
	e.periodic = append(e.periodic, river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return build(), nil },
		&river.PeriodicJobOpts{RunOnStart: runOnStart},
	))
}

// AddQueue adds a queue of its own to the engine (before Build), for work
// that must neither wait behind nor hold up the default queue's jobs:
// maxWorkers concurrent jobs in this process, and a new fetch at most
// every fetchCooldown while jobs keep coming (0: the engine's).
func (e *Engine) AddQueue(name string, maxWorkers int, fetchCooldown time.Duration) {
	if e.queues == nil {
		e.queues = map[string]river.QueueConfig{}
	}
	e.queues[name] = river.QueueConfig{MaxWorkers: maxWorkers, FetchCooldown: fetchCooldown}
}

func (e *Engine) driver() riverdriver.Driver[*sql.Tx] {
	if e.store.Dialect() == store.Postgres {
		return riverdatabasesql.New(e.store.SQLDB())
	}
	return riversqlite.New(e.store.SQLDB())
}

// Build creates the client without starting workers: inserts work, jobs
// wait. Start calls it when needed.
func (e *Engine) Build() error {
	if e.client != nil {
		return nil
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: e.MaxWorkers}}
	for name, q := range e.queues {
		queues[name] = q
	}
	client, err := river.NewClient(e.driver(), &river.Config{
		Logger:               e.logger,
		Queues:               queues,
		Workers:              e.workers,
		PeriodicJobs:         e.periodic,
		FetchPollInterval:    max(e.PollInterval, 100*time.Millisecond),
		FetchCooldown:        min(max(e.PollInterval, 100*time.Millisecond), 100*time.Millisecond),
		JobTimeout:           e.jobTimeout(),
		RescueStuckJobsAfter: e.jobTimeout() * 3 / 2,
		MaxAttempts:          25,
	})
	if err != nil {
		return fmt.Errorf("create job client: %w", err)
	}
	e.client = client
	return nil
}

func (e *Engine) jobTimeout() time.Duration {
	if e.JobTimeout <= 0 {
		return 2 * time.Minute
	}
	return e.JobTimeout
}

// Start runs the workers until Stop.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.Build(); err != nil {
		return err
	}
	if err := e.client.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (until ctx ends) and stops fetching.
func (e *Engine) Stop(ctx context.Context) error {
	if e.client == nil {
		return nil
	}
	if err := e.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop jobs: %w", err)
	}
	return nil
}

// InsertTx enqueues a job inside tx: it exists if and only if tx commits.
func (e *Engine) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if e.client == nil {
		return errors.New("enqueue: job engine not built")
	}
	if _, err := e.client.InsertTx(ctx, tx.SQLTx(), args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Insert enqueues a job outside any transaction.
func (e *Engine) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if e.client == nil {
		return nil, errors.New("enqueue: job engine not built")
	}
	res, err := e.client.Insert(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return res, nil
}

// Client exposes River for tests and subscriptions.
func (e *Engine) Client() *river.Client[*sql.Tx] { return e.client }

// InsertManyTx enqueues several jobs inside tx in one round trip.
func (e *Engine) InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if e.client == nil {
		return errors.New("enqueue: job engine not built")
	}
	if _, err := e.client.InsertManyTx(ctx, tx.SQLTx(), params); err != nil {
		return fmt.Errorf("enqueue %d jobs: %w", len(params), err)
	}
	return nil
}
