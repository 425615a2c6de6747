package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// CloseLotArgs closes one TIMED lot at its end.
type CloseLotArgs struct {
	Lot int64 `json:"lot"`
}

// Kind implements river.JobArgs.
func (CloseLotArgs) Kind() string { return "close_lot" }

// InsertOpts keeps one closing job per lot, in the lots queue: a burst of 10,000 lots ending
// together has workers of its own and does not wait behind (or hold up) mail and rollups.
func (CloseLotArgs) InsertOpts() river.InsertOpts {
	o := uniqueWhileActive()
	o.UniqueOpts.ByArgs = true
	o.Queue = QueueLots
	return o
}

// closeAhead is how long before a lot's end its closing job is due. River moves scheduled jobs
// to available only when its scheduler runs, every 5 s (maintenance.JobSchedulerIntervalDefault,
// not configurable), so a job due at the end ran up to 5 s late, plus the fetch. Due this much
// earlier, the job is available by the end: it finds the lot still running and snoozes until
// the end, and River makes a snooze that short available at once, without the scheduler.
const closeAhead = 5 * time.Second

// CloseLotWorker closes a lot when its end has come. The end is checked again under the lot's
// lock: when a late bid moved it, the job waits for the new end (River snoozes it).
type CloseLotWorker struct {
	river.WorkerDefaults[CloseLotArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *CloseLotWorker) Work(ctx context.Context, job *river.Job[CloseLotArgs]) error {
	res, err := w.DB.CloseLot(sc.NewSystemContext(ctx), job.Args.Lot)
	if err != nil {
		return err
	}
	if !res.Closed {
		// A late bid may have moved the end far: come back closeAhead before it, as at first.
		wait := time.Until(res.EndsAt)
		if wait > closeAhead {
			wait -= closeAhead
		}
		return river.JobSnooze(max(wait, time.Millisecond))
	}
	return nil
}

// OpenAuctionArgs opens a SCHEDULED auction at its start.
type OpenAuctionArgs struct {
	Auction int64 `json:"auction"`
}

// Kind implements river.JobArgs.
func (OpenAuctionArgs) Kind() string { return "open_auction" }

// OpenAuctionWorker works OpenAuctionArgs.
type OpenAuctionWorker struct {
	river.WorkerDefaults[OpenAuctionArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *OpenAuctionWorker) Work(ctx context.Context, job *river.Job[OpenAuctionArgs]) error {
	return w.DB.OpenDueAuction(sc.NewSystemContext(ctx), job.Args.Auction)
}

// SendLotResultsArgs emails every winner not told yet that they won.
type SendLotResultsArgs struct{}

// Kind implements river.JobArgs.
func (SendLotResultsArgs) Kind() string { return "send_lot_results" }

// InsertOpts makes the job unique while one is waiting or running.
func (SendLotResultsArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// SendLotResultsWorker emails winners as digests are sent: each lot is marked right after the
// mail server accepts its message, so an outage delays mail and never repeats it.
type SendLotResultsWorker struct {
	river.WorkerDefaults[SendLotResultsArgs]
	DB     *db.DB
	Mailer Mailer
	From   string
}

// Work implements river.Worker.
func (w *SendLotResultsWorker) Work(ctx context.Context, job *river.Job[SendLotResultsArgs]) error {
	for {
		wins, err := w.DB.UnnotifiedWinners(ctx, 100)
		if err != nil || len(wins) == 0 {
			return err
		}
		for _, n := range wins {
			price := sc.Money{Cents: n.Cents, Currency: n.Currency}
			m := Message{From: w.From, To: n.Email,
				Subject:   fmt.Sprintf("You won lot %d: %s", n.Number, n.Title),
				MessageID: fmt.Sprintf("<lot-%d-%d@secondchance>", n.LotID, n.ClosedSeq),
				Text: fmt.Sprintf("Dear %s,\n\nwith paddle %d you won lot %d, %s, in %s at %s.\n\n"+
					"Please pay %s to %s by %s. Your receipt follows your payment.\n",
					n.Name, n.Paddle, n.Number, n.Title, n.Auction, price, price, n.Store, n.DueAt.UTC().Format("2 January 2006"))}
			if err := w.Mailer.Send(ctx, m); err != nil {
				return fmt.Errorf("sending lot %d's result to %s: %w", n.LotID, n.Email, err)
			}
			if err := w.DB.MarkWinnerNotified(ctx, n.LotID); err != nil {
				return err
			}
			slog.InfoContext(ctx, "lot result sent", "lot", n.LotID)
		}
	}
}

// AuctionHooks sets the database's auction hooks to queue, in the transaction of each change,
// the jobs that follow it: an auction's opening at its start, each TIMED lot's closing at its
// end, and the winner's email.
func AuctionHooks(d *db.DB, client *river.Client[txType]) {
	d.AfterAuctionScheduled = func(ctx context.Context, tx txType, auction int64, at time.Time) error {
		_, err := client.InsertTx(ctx, tx, OpenAuctionArgs{Auction: auction}, &river.InsertOpts{ScheduledAt: at})
		return err
	}
	d.AfterLotsOpened = func(ctx context.Context, tx txType, lots []int64, ends []time.Time) error {
		params := make([]river.InsertManyParams, len(lots))
		for i, l := range lots {
			params[i] = river.InsertManyParams{Args: CloseLotArgs{Lot: l}, InsertOpts: &river.InsertOpts{ScheduledAt: ends[i].Add(-closeAhead)}}
		}
		_, err := client.InsertManyTx(ctx, tx, params)
		return err
	}
	d.AfterLotWon = func(ctx context.Context, tx txType) error {
		_, err := client.InsertTx(ctx, tx, SendLotResultsArgs{}, nil)
		return err
	}
}
