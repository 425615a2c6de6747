package db_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// BenchmarkSellerIndicators reads one random seller's indicators for all three windows, as a
// seller frontend's request would, on a seeded data set named by BENCH_DATABASE_URL (see
// docs/PERFORMANCE.md; it is skipped without one). It reports the median and p99 of the
// requests as well as the mean.
func BenchmarkSellerIndicators(b *testing.B) {
	u := os.Getenv("BENCH_DATABASE_URL")
	if u == "" {
		b.Skip("set BENCH_DATABASE_URL to a seeded database (make bench-batch leaves one)")
	}
	d, err := db.Open(context.Background(), u)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var sellers int64
	if err := d.Get(&sellers, `SELECT max(id) FROM sellers`); err != nil {
		b.Fatal(err)
	}
	ctx := sc.NewSystemContext(context.Background())
	r := rand.New(rand.NewPCG(1, 2))
	var took []time.Duration
	for b.Loop() {
		id := 1 + r.Int64N(sellers)
		start := time.Now()
		for _, w := range sc.IndicatorWindows {
			if _, err := d.SellersIndicators(ctx, []int64{id}, w); err != nil {
				b.Fatal(err)
			}
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
