package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/jobs"
)

type noMail struct{}

func (noMail) Send(context.Context, jobs.Message) error { return nil }

// BenchmarkCloseLots: 10,000 TIMED lots with no bids end, and the program's own worker client
// (jobs.NewWorkerClient, every worker and periodic job, default polling) closes them. Two
// cases of the "10,000 lots ending in the same minute":
//   - ends=instant: all 10,000 lots of one auction end at the same instant (the worst case);
//   - ends=minute: 167 auctions of 60 lots each, every auction's lots staggered by a second, so
//     that 167 lots end in each second of one minute (many charities' sales ending together).
//
// A lot's lag is from its end to the first poll (every 20 ms) that sees it closed; the bar is
// every lag within 10 s. The auctions open at least 30 s before the first end so that the
// closing jobs are queued and River has elected its leader by then.
func BenchmarkCloseLots(b *testing.B) {
	b.Run("ends=instant", func(b *testing.B) { benchmarkCloseLots(b, 1, 10000, 0) })
	b.Run("ends=minute", func(b *testing.B) { benchmarkCloseLots(b, 167, 60, time.Second) })
}

func benchmarkCloseLots(b *testing.B, auctions, perAuction int, stagger time.Duration) {
	const lead = 30 * time.Second
	lots := auctions * perAuction
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
		// Setting up 167 auctions takes a while: the end is far enough for all of them to open.
		end := time.Now().Add(lead + time.Duration(auctions)*400*time.Millisecond).Truncate(time.Second)
		ids := make([]int64, auctions)
		for i := range ids {
			a := dbtest.TimedAuction(b, d, dbtest.AuctionOpts{Lots: perAuction, Bidders: 1, EndsAt: end, Stagger: stagger})
			if _, err := d.OpenAuction(a.Staff, a.ID); err != nil {
				b.Fatal(err)
			}
			ids[i] = a.ID
		}
		if time.Until(end) < 5*time.Second {
			b.Fatalf("the auctions opened only %s before the first end", time.Until(end))
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
			if err := d.Select(&rows, `SELECT id, ends_at FROM lots WHERE auction_id = ANY($1) AND status <> 'OPEN'`, pq.Array(ids)); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for _, r := range rows {
				if !seen[r.ID] {
					seen[r.ID] = true
					lags = append(lags, now.Sub(r.EndsAt))
				}
			}
			if time.Since(end) > 3*time.Minute {
				b.Fatalf("%d of %d lots closed 3 minutes after the first end", len(seen), lots)
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
