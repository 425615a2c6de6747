package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/secondchance/secondchance/db"
)

// Migrate applies River's pending migrations and returns how many it applied.
func Migrate(ctx context.Context, db *sql.DB) (int, error) {
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return 0, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("river migrations: %w", err)
	}
	return len(res.Versions), nil
}

// Pending reports whether River's schema lacks migrations.
func Pending(ctx context.Context, db *sql.DB) (bool, error) {
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return false, err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return false, err
	}
	return !res.OK, nil
}

// SchemaVersion names River's schema version, so test templates change when River's does.
func SchemaVersion() string {
	m, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if err != nil {
		return "unknown"
	}
	all := m.AllVersions()
	return fmt.Sprintf("river-%d", all[len(all)-1].Version)
}

// QueueLots is the queue of the lots' closing jobs.
const QueueLots = "lots"

// lotWorkers close lots at once: enough commits in flight for PostgreSQL to flush them together,
// within the database pool's 20 connections so that the API keeps some.
const lotWorkers = 16

// txType is the transaction type of the riverdatabasesql driver.
type txType = *sql.Tx

// Config tunes a client: how often idle workers poll (lib/pq has no LISTEN in River's driver).
type Config struct {
	FetchPollInterval time.Duration
	Workers           *river.Workers
	PeriodicJobs      []*river.PeriodicJob
	// Logger receives River's warnings and errors and a line per failed job attempt; nil is
	// slog.Default(). The jobs' own lines go to slog.Default() whatever this is.
	Logger *slog.Logger
}

// WorkerConfig is what the workers of this program need.
type WorkerConfig struct {
	DB       *db.DB
	Mailer   Mailer
	MailFrom string
	// DigestRetryBase is the first delay after a failed send of a digest or a certificate
	// (default 30 s).
	DigestRetryBase time.Duration
	// FetchPollInterval is how often idle workers look for jobs (default 1 s).
	FetchPollInterval time.Duration
}

// NewWorkerClient returns a client that works every job of this program, with the schedule:
// the weekly batch every Monday at 00:05 UTC, the clean-up of closed buyers daily at 03:15 UTC,
// the digest outbox every minute, the indicator rollups every 30 seconds (and at start), the
// certificates due and their emails every minute, and last year's missing annual summaries
// daily at 00:30 UTC (and at start).
func NewWorkerClient(cfg WorkerConfig) (*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &SendDigestsWorker{DB: cfg.DB, Mailer: cfg.Mailer, From: cfg.MailFrom, RetryBase: cfg.DigestRetryBase})
	river.AddWorker(workers, &RunWeeklyBatchWorker{DB: cfg.DB})
	river.AddWorker(workers, &ExcludeClosedBuyersWorker{DB: cfg.DB})
	river.AddWorker(workers, &RefreshIndicatorsWorker{DB: cfg.DB})
	river.AddWorker(workers, &IssueCertificatesWorker{DB: cfg.DB})
	river.AddWorker(workers, &IssueAnnualCertificatesWorker{DB: cfg.DB})
	river.AddWorker(workers, &SendCertificatesWorker{DB: cfg.DB, Mailer: cfg.Mailer, From: cfg.MailFrom, RetryBase: cfg.DigestRetryBase})
	river.AddWorker(workers, &CloseLotWorker{DB: cfg.DB})
	river.AddWorker(workers, &OpenAuctionWorker{DB: cfg.DB})
	river.AddWorker(workers, &SendLotResultsWorker{DB: cfg.DB, Mailer: cfg.Mailer, From: cfg.MailFrom})
	weekly, err := cron.ParseStandard("5 0 * * 1")
	if err != nil {
		return nil, err
	}
	daily, err := cron.ParseStandard("15 3 * * *")
	if err != nil {
		return nil, err
	}
	annual, err := cron.ParseStandard("30 0 * * *")
	if err != nil {
		return nil, err
	}
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(weekly, func() (river.JobArgs, *river.InsertOpts) { return RunWeeklyBatchArgs{}, nil }, nil),
		river.NewPeriodicJob(daily, func() (river.JobArgs, *river.InsertOpts) { return ExcludeClosedBuyersArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) { return SendDigestsArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(30*time.Second), func() (river.JobArgs, *river.InsertOpts) { return RefreshIndicatorsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) { return IssueCertificatesArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) { return SendCertificatesArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(annual, func() (river.JobArgs, *river.InsertOpts) { return IssueAnnualCertificatesArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
	return NewClient(cfg.DB.DB.DB, Config{FetchPollInterval: cfg.FetchPollInterval, Workers: workers, PeriodicJobs: periodic})
}

// NewClient returns a River client on db. With no workers it can only insert jobs, which is
// what API replicas that do not work jobs need.
func NewClient(db *sql.DB, cfg Config) (*river.Client[*sql.Tx], error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	rc := &river.Config{Logger: slog.New(riverHandler{log.Handler()}), ErrorHandler: failureLog{log}}
	if cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}, QueueLots: {MaxWorkers: lotWorkers}}
		// A producer fetches at most its free slots at a time, and waits FetchCooldown (100 ms
		// by default) between fetches: 10 workers closed at most 100 lots/s however short a
		// close is. Jobs here are short transactions, so fetch as soon as slots free up.
		rc.FetchCooldown = 5 * time.Millisecond
		rc.PeriodicJobs = cfg.PeriodicJobs
		rc.FetchPollInterval = cfg.FetchPollInterval
		if rc.FetchPollInterval == 0 {
			rc.FetchPollInterval = time.Second
		}
	}
	return river.NewClient(riverdatabasesql.New(db), rc)
}

// riverHandler passes River's warnings and errors, and everything when the log is at DEBUG. At
// INFO River says at start that it polls (lib/pq gives it no listener) and every 30 s each
// producer's job counts: routine lines that buried ours. River also reports failed attempts at
// INFO; failureLog logs those instead.
type riverHandler struct{ slog.Handler }

func (h riverHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return (l >= slog.LevelWarn || h.Handler.Enabled(ctx, slog.LevelDebug)) && h.Handler.Enabled(ctx, l)
}

func (h riverHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h riverHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return riverHandler{h.Handler.WithAttrs(as)}
}
func (h riverHandler) WithGroup(n string) slog.Handler { return riverHandler{h.Handler.WithGroup(n)} }

// failureLog logs each failed attempt of a job: a warning while River will retry it, an error
// when it was the last attempt and River discards the job.
type failureLog struct{ log *slog.Logger }

func (f failureLog) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	level := slog.LevelWarn
	if job.Attempt >= job.MaxAttempts {
		level = slog.LevelError
	}
	f.log.Log(ctx, level, "job failed", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "err", err)
	return nil
}

// HandlePanic does nothing: River logs a panicking job itself, at ERROR.
func (failureLog) HandlePanic(context.Context, *rivertype.JobRow, any, string) *river.ErrorHandlerResult {
	return nil
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(discard{}, nil))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
