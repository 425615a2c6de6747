package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/secondchance/secondchance/db"
)

// SendDigestsArgs sends every digest in the outbox. One runs at a time; it is queued after
// every batch and appeal, and every minute in case one was missed.
type SendDigestsArgs struct{}

// Kind implements river.JobArgs.
func (SendDigestsArgs) Kind() string { return "send_digests" }

// InsertOpts makes the job unique while one is waiting or running.
func (SendDigestsArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// uniqueWhileActive keeps one job of a kind at a time: a second insert while one waits, runs or
// retries is a no-op.
func uniqueWhileActive() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

// SendDigestsWorker sends the outbox. A digest is marked sent right after the server accepts
// it, so a retry after an outage resends only what did not go out: mail is delayed, never lost
// or sent twice (short of a crash between the server's acceptance and the mark).
type SendDigestsWorker struct {
	river.WorkerDefaults[SendDigestsArgs]
	DB     *db.DB
	Mailer Mailer
	From   string
	// RetryBase is the first retry's delay; later ones double, up to an hour.
	RetryBase time.Duration
}

// Work implements river.Worker.
func (w *SendDigestsWorker) Work(ctx context.Context, job *river.Job[SendDigestsArgs]) error {
	sent := 0
	for {
		keys, err := w.DB.UnsentDigests(ctx, 100)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			if sent > 0 {
				slog.InfoContext(ctx, "digests sent", "count", sent)
			}
			return nil
		}
		for _, k := range keys {
			d, err := w.DB.Digest(ctx, k)
			if err != nil {
				return err
			}
			if d.Seller.Email == "" {
				slog.WarnContext(ctx, "seller has no email; digest skipped", "seller", d.Seller.Number, "batch", k.BatchID)
			} else {
				subject, text := d.Text()
				err := w.Mailer.Send(ctx, Message{From: w.From, To: d.Seller.Email, Subject: subject, Text: text, MessageID: d.MessageID})
				if err != nil {
					return fmt.Errorf("sending digest %s to %s: %w", d.MessageID, d.Seller.Email, err)
				}
			}
			if err := w.DB.MarkDigestSent(ctx, k); err != nil {
				return err
			}
			sent++
		}
	}
}

// NextRetry backs off from RetryBase, doubling, up to an hour.
func (w *SendDigestsWorker) NextRetry(job *river.Job[SendDigestsArgs]) time.Time {
	return time.Now().Add(MailRetryDelay(w.RetryBase, job.Attempt))
}

// MailRetryDelay is the wait before the next attempt of a mail job after attempt failed: base
// (30 s when zero), doubling with each attempt, never more than an hour. River's default
// (attempt⁴ seconds) would hold mail for hours after a long SMTP outage.
func MailRetryDelay(base time.Duration, attempt int) time.Duration {
	if base <= 0 {
		base = 30 * time.Second
	}
	d := base << min(max(attempt-1, 0), 10)
	return min(d, time.Hour)
}
