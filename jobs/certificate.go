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

// IssueCertificatesArgs issues the certificates of every settled item still without one: one
// per seller and settlement. It runs every minute; `secondchance certificates issue` runs the
// same for a period.
type IssueCertificatesArgs struct{}

// Kind implements river.JobArgs.
func (IssueCertificatesArgs) Kind() string { return "issue_certificates" }

// InsertOpts makes the job unique while one is waiting or running.
func (IssueCertificatesArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// IssueCertificatesWorker works IssueCertificatesArgs.
type IssueCertificatesWorker struct {
	river.WorkerDefaults[IssueCertificatesArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *IssueCertificatesWorker) Work(ctx context.Context, job *river.Job[IssueCertificatesArgs]) error {
	res, err := w.DB.IssueCertificates(sc.NewSystemContext(ctx), sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	if sc.ErrorCode(err) == sc.ENOTHINGSETTLED {
		return nil
	}
	if err != nil {
		return err
	}
	if len(res.Serials) > 0 || res.Raced > 0 {
		slog.InfoContext(ctx, "certificates issued", "count", len(res.Serials), "items", res.Items, "raced", res.Raced)
	}
	return sendSoon(ctx, len(res.Serials))
}

// sendSoon queues the certificate mail at once when certificates were issued, rather than at
// its next minute.
func sendSoon(ctx context.Context, issued int) error {
	if issued == 0 {
		return nil
	}
	return queueNow(ctx, SendCertificatesArgs{})
}

// queueNow inserts a follow-up job from inside a worker, with the worker's client.
func queueNow(ctx context.Context, args river.JobArgs) error {
	client, err := river.ClientFromContextSafely[txType](ctx)
	if err == nil {
		_, err = client.Insert(ctx, args, nil)
	}
	return err
}

// IssueOnSettle returns the db.AfterSettle hook that queues IssueCertificatesArgs in the
// settlement's transaction: the certificates follow within seconds, not at the next minute.
// While an issuing job is already queued or running the insert is a no-op, and that job or the
// next minute's picks the settlement up.
func IssueOnSettle(client *river.Client[txType]) func(ctx context.Context, tx txType) error {
	return func(ctx context.Context, tx txType) error {
		_, err := client.InsertTx(ctx, tx, IssueCertificatesArgs{}, nil)
		return err
	}
}

// AfterBatch returns the db.AfterBatch hook that queues, in the transaction of the batch, the
// jobs that follow it: sending the digests it wrote and refreshing the indicators it changed.
// From the mutation and the command line too, mail and figures follow within seconds rather
// than at the next scheduled run.
func AfterBatch(client *river.Client[txType]) func(ctx context.Context, tx txType) error {
	return func(ctx context.Context, tx txType) error {
		_, err := client.InsertManyTx(ctx, tx, []river.InsertManyParams{{Args: SendDigestsArgs{}}, {Args: RefreshIndicatorsArgs{}}})
		return err
	}
}

// IssueAnnualCertificatesArgs issues last year's annual summaries that are missing. It runs
// daily, so the summaries go out on 1 January and a failed day is made up the next.
type IssueAnnualCertificatesArgs struct{}

// Kind implements river.JobArgs.
func (IssueAnnualCertificatesArgs) Kind() string { return "issue_annual_certificates" }

// InsertOpts makes the job unique while one is waiting or running.
func (IssueAnnualCertificatesArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// IssueAnnualCertificatesWorker works IssueAnnualCertificatesArgs.
type IssueAnnualCertificatesWorker struct {
	river.WorkerDefaults[IssueAnnualCertificatesArgs]
	DB *db.DB
}

// Work implements river.Worker.
func (w *IssueAnnualCertificatesWorker) Work(ctx context.Context, job *river.Job[IssueAnnualCertificatesArgs]) error {
	// No TaxYear: the service's default, the last year that is over by its clock.
	res, err := w.DB.IssueCertificates(sc.NewSystemContext(ctx), sc.IssueRequest{Kind: sc.CertificateAnnual}, nil)
	if sc.ErrorCode(err) == sc.ENOTHINGSETTLED {
		return nil
	}
	if err != nil {
		return err
	}
	if len(res.Serials) > 0 {
		slog.InfoContext(ctx, "annual summaries issued", "year", res.TaxYear, "count", len(res.Serials))
	}
	return sendSoon(ctx, len(res.Serials))
}

// SendCertificatesArgs emails every valid certificate not yet sent to its seller, the PDF
// attached.
type SendCertificatesArgs struct{}

// Kind implements river.JobArgs.
func (SendCertificatesArgs) Kind() string { return "send_certificates" }

// InsertOpts makes the job unique while one is waiting or running.
func (SendCertificatesArgs) InsertOpts() river.InsertOpts { return uniqueWhileActive() }

// SendCertificatesWorker sends certificates like SendDigestsWorker sends digests: each is
// marked right after the server accepts it, so an outage delays mail and never repeats it.
type SendCertificatesWorker struct {
	river.WorkerDefaults[SendCertificatesArgs]
	DB     *db.DB
	Mailer Mailer
	From   string
	// RetryBase is the first retry's delay; later ones double, up to an hour (as for digests).
	RetryBase time.Duration
}

// NextRetry backs off like the digests: from RetryBase, doubling, up to an hour.
func (w *SendCertificatesWorker) NextRetry(job *river.Job[SendCertificatesArgs]) time.Time {
	return time.Now().Add(MailRetryDelay(w.RetryBase, job.Attempt))
}

// Work implements river.Worker.
func (w *SendCertificatesWorker) Work(ctx context.Context, job *river.Job[SendCertificatesArgs]) error {
	sent := 0
	defer func() {
		if sent > 0 {
			slog.InfoContext(ctx, "certificates emailed", "count", sent)
		}
	}()
	for {
		ids, err := w.DB.UnsentCertificates(ctx, 100)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			c, err := w.DB.CertificateMailByID(ctx, id)
			if err != nil {
				return err
			}
			if err := w.Mailer.Send(ctx, CertificateMessage(w.From, c)); err != nil {
				// An operator watching an SMTP outage sees each failed attempt and when it retries.
				slog.WarnContext(ctx, "certificate email failed", "serial", c.Serial, "attempt", job.Attempt,
					"retry_in", MailRetryDelay(w.RetryBase, job.Attempt).String(), "error", err)
				return fmt.Errorf("emailing certificate %s: %w", c.Serial, err)
			}
			if err := w.DB.MarkCertificateEmailed(ctx, id); err != nil {
				return err
			}
			sent++
		}
	}
}

// CertificateMessage is the email that carries a certificate to its seller.
func CertificateMessage(from string, c *db.CertificateMail) Message {
	what := "Your donation certificate"
	if c.Kind == string(sc.CertificateAnnual) {
		what = fmt.Sprintf("Your annual donation summary for %d", c.TaxYear)
	}
	text := fmt.Sprintf("Dear %s,\n\n%s, %s, is attached. It records %s donated to charity from the sale of goods returned to the store.\n",
		c.Seller, what, c.Serial, sc.Money{Cents: c.Net, Currency: c.Currency})
	if c.Replaces != nil {
		text += fmt.Sprintf("\nIt replaces certificate %s, which is void: please use this one instead.\n", *c.Replaces)
	}
	text += "\nAnyone can check it on the verification page linked from its QR code.\n\nSecond Chance\n"
	return Message{From: from, To: c.To, Subject: fmt.Sprintf("%s %s", what, c.Serial), Text: text,
		MessageID:   fmt.Sprintf("<certificate-%s@secondchance>", c.Serial),
		Attachments: []Attachment{{Name: c.Serial + ".pdf", ContentType: "application/pdf", Data: c.PDF}}}
}
