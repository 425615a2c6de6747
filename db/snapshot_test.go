package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestSnapshotsHistoryAndStanding(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	var s1 int64
	require.NoError(t, d.Get(&s1, `SELECT id FROM sellers WHERE number = 'S1'`))
	seller := sellerCtx(t, d, "S1")
	for s := 1; s <= 3; s++ {
		report(t, d, s, 1, sc.ReasonOther)
	}
	run, err := d.RunBatch(admin(), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	_, err = d.RefreshIndicators(admin())
	require.NoError(t, err)

	// The refresh that folded the batch in took the week's snapshot of every seller.
	require.Equal(t, 4, count(t, d, `SELECT count(*) FROM seller_standings WHERE week = $1`, run.Batch.Week))
	require.Equal(t, 12, count(t, d, `SELECT count(*) FROM indicator_snapshots WHERE week = $1`, run.Batch.Week))
	long := func() (time.Time, time.Time) {
		return time.Now().Add(-24 * time.Hour), time.Now().Add(30 * 24 * time.Hour)
	}
	from, to := long()
	hist, err := d.IndicatorHistory(seller, s1, sc.Window30, from, to)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	now := indicators(t, d, seller, s1, sc.Window30)
	require.Equal(t, now.Raw, hist[0].Raw)
	require.Equal(t, now.Assessed, hist[0].Assessed)
	require.Equal(t, 1, hist[0].Excluded.Orders, "B1's order with S1")

	// Every S1 order has a 1-star review: below standard, now and at the snapshot.
	st, err := d.SellerStandings(seller, []int64{s1, s1 + 1})
	require.NoError(t, err)
	require.Nil(t, st[1], "another seller's standing is not visible")
	require.Equal(t, sc.StandingBelowStandard, *st[0].Current)
	require.Equal(t, sc.StandingBelowStandard, st[0].Projected)
	require.Equal(t, run.Batch.Week, *st[0].CurrentWeek)

	// Laxer thresholds change the projection at once and the current standing at the next snapshot.
	lax := sc.DefaultStandingThresholds
	lax.AboveStandardMaxDefectRate, lax.TopRatedMaxDefectRate = 1, 1
	_, err = d.SetStandingThresholds(seller, lax)
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	_, err = d.SetStandingThresholds(admin(), lax)
	require.NoError(t, err)
	st, err = d.SellerStandings(seller, []int64{s1})
	require.NoError(t, err)
	require.Equal(t, sc.StandingBelowStandard, *st[0].Current)
	require.Equal(t, sc.StandingAboveStandard, st[0].Projected, "too few orders to be top rated")
	bad := lax
	bad.AboveStandardMaxDefectRate = 2
	_, err = d.SetStandingThresholds(admin(), bad)
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))

	// Next week's batch snapshots again; the history has two points and the batch knows how many
	// sellers' standing it changed.
	d.Now = func() time.Time { return time.Now().Add(7 * 24 * time.Hour) }
	report(t, d, 4, 2, sc.ReasonOther)
	next, err := d.RunBatch(admin(), sc.WeekOf(time.Now()).Next(), sc.RunOptions{})
	require.NoError(t, err)
	_, err = d.RefreshIndicators(admin())
	require.NoError(t, err)
	hist, err = d.IndicatorHistory(seller, s1, sc.Window30, from, to.Add(7*24*time.Hour))
	require.NoError(t, err)
	require.Len(t, hist, 2)
	require.Equal(t, next.Batch.Week, hist[1].Week)
	changes, err := d.StandingChanges(admin(), []int64{run.Batch.ID, next.Batch.ID, 999})
	require.NoError(t, err)
	require.Equal(t, 0, *changes[0], "no earlier snapshot to differ from")
	require.Equal(t, 4, *changes[1], "every seller moved up under the laxer thresholds")
	require.Nil(t, changes[2])
	p, err := d.ListSellers(admin(), sc.SellerFilter{Standing: ptr(sc.StandingAboveStandard)}, sc.PageArgs{})
	require.NoError(t, err)
	require.Len(t, p.Items, 4)
	p, err = d.ListSellers(admin(), sc.SellerFilter{Standing: ptr(sc.StandingBelowStandard)}, sc.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, p.Items)

	// An on-demand snapshot replaces this week's.
	n, err := d.TakeIndicatorSnapshot(admin())
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 8, count(t, d, `SELECT count(*) FROM seller_standings`))

	// Bad ranges, and other sellers' histories.
	_, err = d.IndicatorHistory(seller, s1, sc.Window30, to, from)
	require.Equal(t, "to", sc.AsErrors(err)[0].Field)
	_, err = d.IndicatorHistory(seller, s1, sc.Window30, from.AddDate(-4, 0, 0), to)
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	_, err = d.IndicatorHistory(seller, s1+1, sc.Window30, from, to)
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
}
