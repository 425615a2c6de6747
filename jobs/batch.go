package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// RunWeeklyBatchArgs runs the batch of the week that just ended (or of Week when set). The
// periodic schedule inserts it every Monday; running a week twice returns its batch.
type RunWeeklyBatchArgs struct {
	Week string `json:"week,omitempty"`
}

// Kind implements river.JobArgs.
func (RunWeeklyBatchArgs) Kind() string { return "run_weekly_batch" }

// RunWeeklyBatchWorker runs db.RunBatch, the same code as the mutation and the command line,
// then queues the digests it created.
type RunWeeklyBatchWorker struct {
	river.WorkerDefaults[RunWeeklyBatchArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *RunWeeklyBatchWorker) Work(ctx context.Context, job *river.Job[RunWeeklyBatchArgs]) error {
	var week sc.Week // RunBatch's default: the week that last ended
	if job.Args.Week != "" {
		var err error
		if week, err = sc.ParseWeek(job.Args.Week); err != nil {
			return river.JobCancel(err) // a malformed week never gets better by retrying
		}
	}
	run, err := w.DB.RunBatch(sc.NewSystemContext(ctx), week, sc.RunOptions{})
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "weekly batch", "week", run.Batch.Week, "existing", run.Existing, "reports", run.Batch.Stats.Reports)
	return queueNow(ctx, SendDigestsArgs{})
}

// Timeout allows a week of a large marketplace.
func (w *RunWeeklyBatchWorker) Timeout(*river.Job[RunWeeklyBatchArgs]) time.Duration {
	return 30 * time.Minute
}

// ExcludeClosedBuyersArgs is the daily clean-up of closed buyers' orders and ended suspensions.
type ExcludeClosedBuyersArgs struct{}

// Kind implements river.JobArgs.
func (ExcludeClosedBuyersArgs) Kind() string { return "exclude_closed_buyers" }

// ExcludeClosedBuyersWorker runs db.ExcludeClosedBuyers.
type ExcludeClosedBuyersWorker struct {
	river.WorkerDefaults[ExcludeClosedBuyersArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *ExcludeClosedBuyersWorker) Work(ctx context.Context, _ *river.Job[ExcludeClosedBuyersArgs]) error {
	n, err := w.DB.ExcludeClosedBuyers(sc.NewSystemContext(ctx))
	if err == nil && n > 0 {
		slog.InfoContext(ctx, "excluded orders of closed buyers", "orders", n)
	}
	if err != nil {
		return err
	}
	if err := w.DB.PruneStaffRecords(ctx); err != nil {
		return err
	}
	return w.DB.PruneVerificationFailures(ctx)
}
