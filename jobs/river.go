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

// Config tunes a client: how often idle workers poll (lib/pq has no LISTEN in River's driver).
type Config struct {
	FetchPollInterval time.Duration
	Workers           *river.Workers
	PeriodicJobs      []*river.PeriodicJob
}

// NewClient returns a River client on db. With no workers it can only insert jobs, which is
// what API replicas that do not work jobs need.
func NewClient(db *sql.DB, cfg Config) (*river.Client[*sql.Tx], error) {
	rc := &river.Config{Logger: slog.Default()}
	if cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
		rc.PeriodicJobs = cfg.PeriodicJobs
		rc.FetchPollInterval = cfg.FetchPollInterval
		if rc.FetchPollInterval == 0 {
			rc.FetchPollInterval = time.Second
		}
	}
	return river.NewClient(riverdatabasesql.New(db), rc)
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(discard{}, nil))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
