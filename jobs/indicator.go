package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// RefreshIndicatorsArgs recomputes the indicator rollups that changed. It runs every 30
// seconds, one at a time.
type RefreshIndicatorsArgs struct{}

// Kind implements river.JobArgs.
func (RefreshIndicatorsArgs) Kind() string { return "refresh_indicators" }

// InsertOpts makes the job unique while one is waiting or running.
func (RefreshIndicatorsArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// RefreshIndicatorsWorker runs db.RefreshIndicators.
type RefreshIndicatorsWorker struct {
	river.WorkerDefaults[RefreshIndicatorsArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *RefreshIndicatorsWorker) Work(ctx context.Context, _ *river.Job[RefreshIndicatorsArgs]) error {
	n, err := w.DB.RefreshIndicators(sc.NewSystemContext(ctx))
	if err == nil && n > 0 {
		slog.InfoContext(ctx, "indicators refreshed", "rows", n)
	}
	return err
}
