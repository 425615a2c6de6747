package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/jobs"
)

type noMail struct{}

func (noMail) Send(context.Context, jobs.Message) error { return nil }

// BenchmarkCloseLots: 10,000 lots of a TIMED auction, with no bids, end at the same instant
// (the worst case of "in the same minute"), and the program's own worker client
// (jobs.NewWorkerClient, every worker and periodic job, default polling) closes them. A lot's
// lag is from its end to the first poll (every 20 ms) that sees it closed; the bar is every lag
// within 10 s. The auction opens 30 s before the end so that its 10,000 closing jobs are
// queued and River has elected its leader by then.
func BenchmarkCloseLots(b *testing.B) {
	const lots, lead = 10000, 30 * time.Second
	var p50s, p99s, maxes []float64
	for b.Loop() {
		b.StopTimer()
		d := dbtest.New(b)
		client, err := jobs.NewWorkerClient(jobs.WorkerConfig{DB: d, Mailer: noMail{}, MailFrom: "Second Chance <no-reply@secondchance.example>"})
		if err != nil {
			b.Fatal(err)
		}
		jobs.AuctionHooks(d, client)
		ctx := context.Background()
		if err := client.Start(ctx); err != nil {
			b.Fatal(err)
		}
		end := time.Now().Add(lead).Truncate(time.Second)
		a := dbtest.TimedAuction(b, d, dbtest.AuctionOpts{Lots: lots, EndsAt: end})
		if _, err := d.OpenAuction(a.Staff, a.ID); err != nil {
			b.Fatal(err)
		}
		if time.Until(end) < 5*time.Second {
			b.Fatalf("the auction opened only %s before its end", time.Until(end))
		}
		b.StartTimer()
		var lags []time.Duration
		seen := map[int64]bool{}
		for len(seen) < lots {
			time.Sleep(20 * time.Millisecond)
			var rows []struct {
				ID     int64     `db:"id"`
				EndsAt time.Time `db:"ends_at"`
			}
			if err := d.Select(&rows, `SELECT id, ends_at FROM lots WHERE auction_id = $1 AND status <> 'OPEN'`, a.ID); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for _, r := range rows {
				if !seen[r.ID] {
					seen[r.ID] = true
					lags = append(lags, now.Sub(r.EndsAt))
				}
			}
			if time.Since(end) > 2*time.Minute {
				b.Fatalf("%d of %d lots closed 2 minutes after their end", len(seen), lots)
			}
		}
		b.StopTimer()
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := client.Stop(stop); err != nil {
			b.Log(err)
		}
		cancel()
		slices.Sort(lags)
		p50s = append(p50s, lags[len(lags)/2].Seconds())
		p99s = append(p99s, lags[len(lags)*99/100].Seconds())
		maxes = append(maxes, lags[len(lags)-1].Seconds())
		b.StartTimer()
	}
	b.ReportMetric(median(p50s), "lag-p50-s")
	b.ReportMetric(median(p99s), "lag-p99-s")
	b.ReportMetric(median(maxes), "lag-max-s")
	b.ReportMetric(0, "ns/op")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
