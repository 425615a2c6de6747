package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

func indicators(t *testing.T, d *db.DB, ctx context.Context, seller int64, w sc.IndicatorWindow) *sc.Indicators {
	t.Helper()
	got, err := d.SellersIndicators(ctx, []int64{seller}, w)
	require.NoError(t, err)
	require.NotNil(t, got[0])
	return got[0]
}

func counts(orders, disputes, negative, returns, late, cancels, defects int) sc.IndicatorCounts {
	return sc.IndicatorCounts{Orders: orders, Disputes: disputes, NegativeFeedback: negative, Returns: returns,
		LateShipments: late, Cancellations: cancels, Defects: defects}
}

// TestIndicatorsByHand: a seller whose every order is chosen to test one rule, counted by hand
// before a batch, after a batch that closes one buyer and warns another, and after an appeal
// that reverses the closure.
func TestIndicatorsByHand(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	now := time.Now().UTC().Truncate(time.Second)
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	at := func(t time.Time) *time.Time { return &t }
	money := sc.MoneyInput{Amount: "10", Currency: "USD"}
	order := func(n, seller, buyer string, placed time.Time) sc.OrderInput {
		return sc.OrderInput{Number: n, SellerNumber: seller, BuyerNumber: buyer, PlacedAt: placed, ShipBy: at(placed.Add(72 * time.Hour)), Total: money}
	}
	shipped := func(o sc.OrderInput, after time.Duration) sc.OrderInput {
		o.ShippedAt = at(o.PlacedAt.Add(after))
		return o
	}
	o1 := shipped(order("O1", "S1", "B4", ago(10)), 24*time.Hour)
	o1.Feedback = &sc.FeedbackInput{Rating: 5, LeftAt: ago(5)}
	o2 := shipped(order("O2", "S1", "B1", ago(20)), 24*time.Hour)
	o2.Feedback = &sc.FeedbackInput{Rating: 1, LeftAt: ago(15)} // negative
	o3 := shipped(order("O3", "S1", "B2", ago(40)), 24*time.Hour)
	o3.Disputes = []sc.DisputeInput{{Number: "D3", Reason: sc.DisputeNotReceived, OpenedAt: ago(35)}}
	o4 := shipped(order("O4", "S1", "B1", ago(60)), 120*time.Hour) // shipped after its ship-by date
	o5 := order("O5", "S1", "B3", ago(100))
	o5.CancelledAt, o5.CancellationReason = at(ago(99)), ptr(sc.CancelledOutOfStock) // the seller's cancellation
	o6 := shipped(order("O6", "S1", "B2", ago(200)), 24*time.Hour)
	o6.Feedback = &sc.FeedbackInput{Rating: 2, LeftAt: ago(190)}
	o6.ReturnClaims = []sc.ReturnClaimInput{{Number: "R6", Reason: "broken", RequestedAt: ago(189)}}
	o7 := order("O7", "S1", "B3", ago(5)) // not shipped, ship-by passed: late
	o8 := order("O8", "S1", "B1", ago(3))
	o8.CancelledAt, o8.CancellationReason = at(ago(3)), ptr(sc.CancelledByBuyer) // the buyer's: no defect
	o9 := shipped(order("O9", "S1", "B1", ago(400)), 24*time.Hour)               // outside every window
	o9.Disputes = []sc.DisputeInput{{Number: "D9", Reason: sc.DisputeOther, OpenedAt: ago(399)}}
	batch := sc.MarketplaceBatch{
		Sellers: []sc.SellerInput{{Number: "S1", Name: "One"}, {Number: "S2", Name: "Two"}, {Number: "S3", Name: "Three"}},
		Buyers:  []sc.BuyerInput{{Number: "B1", Handle: "b1"}, {Number: "B2", Handle: "b2"}, {Number: "B3", Handle: "b3"}, {Number: "B4", Handle: "b4"}},
		Orders:  []sc.OrderInput{o1, o2, o3, o4, o5, o6, o7, o8, o9, order("X2", "S2", "B2", ago(2)), order("X3", "S3", "B2", ago(2))},
	}
	_, err := d.Ingest(admin(), batch)
	require.NoError(t, err)
	var s1 int64
	require.NoError(t, d.Get(&s1, `SELECT id FROM sellers WHERE number = 'S1'`))
	seller := sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: s1})

	type want struct{ raw, assessed, excluded, purged sc.IndicatorCounts }
	check := func(stage string, w sc.IndicatorWindow, x want) {
		t.Helper()
		_, err := d.RefreshIndicators(admin())
		require.NoError(t, err)
		got := indicators(t, d, seller, s1, w)
		require.Equal(t, x.raw, got.Raw, "%s %s raw", stage, w)
		require.Equal(t, x.assessed, got.Assessed, "%s %s assessed", stage, w)
		require.Equal(t, x.excluded, got.Excluded, "%s %s excluded", stage, w)
		require.Equal(t, x.purged, got.Purged, "%s %s purged", stage, w)
	}
	none := sc.IndicatorCounts{}
	// Before any batch: raw and assessed agree.
	w30 := counts(4, 0, 1, 0, 1, 0, 2)  // O1 O2 O7 O8: O2 negative, O7 late
	w90 := counts(6, 1, 1, 0, 2, 0, 4)  // + O3 dispute, O4 late
	w365 := counts(8, 1, 2, 1, 2, 1, 6) // + O5 seller-cancelled, O6 negative with a return
	check("before", sc.Window30, want{w30, w30, none, none})
	check("before", sc.Window90, want{w90, w90, none, none})
	check("before", sc.Window365, want{w365, w365, none, none})
	rates := indicators(t, d, seller, s1, sc.Window30).Assessed
	require.InDelta(t, 0.5, *rates.DefectRate(), 1e-9)
	require.InDelta(t, 0.25, *rates.LateShipmentRate(), 1e-9)

	// B2 reported by three sellers (closed: O3 and O6 excluded, O3's dispute purged); B1 by one
	// (warned: O2's feedback purged).
	for _, r := range []struct{ seller, order string }{{"S1", "O3"}, {"S2", "X2"}, {"S3", "X3"}, {"S1", "O2"}} {
		var id int64
		require.NoError(t, d.Get(&id, `SELECT id FROM sellers WHERE number = $1`, r.seller))
		_, _, err := d.ReportBuyer(sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: id}),
			sc.ReportInput{OrderNumber: r.order, Reason: sc.ReasonOther, Description: "abuse"})
		require.NoError(t, err)
	}
	run, err := d.RunBatch(admin(), sc.WeekOf(now), sc.RunOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, run.Batch.Stats.Closures)
	check("after batch", sc.Window30, want{w30, counts(4, 0, 0, 0, 1, 0, 1), none, counts(0, 0, 1, 0, 0, 0, 1)})
	check("after batch", sc.Window90, want{w90, counts(5, 0, 0, 0, 2, 0, 2), counts(1, 1, 0, 0, 0, 0, 1), counts(0, 0, 1, 0, 0, 0, 1)})
	check("after batch", sc.Window365, want{w365, counts(6, 0, 0, 0, 2, 1, 3), counts(2, 1, 1, 1, 0, 0, 2), counts(0, 0, 1, 0, 0, 0, 1)})

	// The ledger lines behind the difference, newest first, each with its cause.
	lines := func() map[string]int {
		p, err := d.ListIndicatorAdjustments(seller, s1, sc.Window365, sc.PageArgs{})
		require.NoError(t, err)
		n, err := p.Count(seller)
		require.NoError(t, err)
		require.Equal(t, len(p.Items), n)
		out := map[string]int{}
		for _, a := range p.Items {
			out[string(a.Kind)+" "+string(a.Reason)]++
			require.NotNil(t, a.BatchID)
			require.NotNil(t, a.VerdictID)
		}
		return out
	}
	require.Equal(t, map[string]int{"EXCLUDED_ORDER ACCOUNT_CLOSED": 2, "PURGED_DISPUTE REPORT_UPHELD": 1, "PURGED_FEEDBACK REPORT_UPHELD": 1}, lines())
	_, err = d.ListIndicatorAdjustments(seller, s1+1, sc.Window365, sc.PageArgs{})
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
	_, err = d.ListIndicatorAdjustments(seller, s1, sc.Window365, sc.PageArgs{After: ptr(encodeTestCursor())})
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))

	// The appeal reverses B2's closure: its exclusions end and O3's dispute is back; B1's purge stays.
	var closure int64
	require.NoError(t, d.Get(&closure, `SELECT v.id FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE b.number = 'B2'`))
	_, err = d.ReverseVerdict(admin(), closure, "coordinated")
	require.NoError(t, err)
	check("after appeal", sc.Window365, want{w365, counts(8, 1, 1, 1, 2, 1, 5), none, counts(0, 0, 1, 0, 0, 0, 1)})
	require.Equal(t, map[string]int{"EXCLUDED_ORDER APPEAL_RESTORED": 2, "PURGED_DISPUTE APPEAL_RESTORED": 1, "PURGED_FEEDBACK REPORT_UPHELD": 1}, lines())

	// Nobody else reads S1's figures; a seller with no orders gets zeros and no rates.
	var s2 int64
	require.NoError(t, d.Get(&s2, `SELECT id FROM sellers WHERE number = 'S2'`))
	got, err := d.SellersIndicators(seller, []int64{s1, s2}, sc.Window30)
	require.NoError(t, err)
	require.NotNil(t, got[0])
	require.Nil(t, got[1], "another seller's figures are not visible")
	empty, err := d.SellersIndicators(admin(), []int64{s2 + 1000}, sc.Window30)
	require.NoError(t, err)
	require.Zero(t, empty[0].Assessed.Orders)
	require.Nil(t, empty[0].Assessed.DefectRate(), "no orders: not applicable, not zero")
	_, err = d.SellersIndicators(admin(), []int64{s1}, "DAYS_7")
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
}

// TestIndicatorInvariants: on random sellers after a random batch, assessed never exceeds raw
// and raw − assessed is exactly what was excluded and purged, for every figure and window.
func TestIndicatorInvariants(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	r := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	now := time.Now().UTC().Truncate(time.Second)
	var b sc.MarketplaceBatch
	for s := 1; s <= 6; s++ {
		b.Sellers = append(b.Sellers, sc.SellerInput{Number: fmt.Sprintf("S%d", s), Name: "s"})
	}
	for u := 1; u <= 12; u++ {
		b.Buyers = append(b.Buyers, sc.BuyerInput{Number: fmt.Sprintf("B%d", u), Handle: "b"})
	}
	b.Buyers = append(b.Buyers, sc.BuyerInput{Number: "BW", Handle: "w"})
	for i := 0; i < 400; i++ {
		placed := now.Add(-time.Duration(2+r.IntN(380*24)) * time.Hour)
		o := sc.OrderInput{Number: fmt.Sprintf("O%d", i), SellerNumber: fmt.Sprintf("S%d", 1+r.IntN(6)), BuyerNumber: fmt.Sprintf("B%d", 1+r.IntN(12)),
			PlacedAt: placed, Total: sc.MoneyInput{Amount: "1", Currency: "USD"}}
		shipBy := placed.Add(72 * time.Hour)
		o.ShipBy = &shipBy
		if r.IntN(10) == 0 {
			c := placed.Add(time.Hour)
			o.CancelledAt, o.CancellationReason = &c, ptr([]sc.CancellationReason{sc.CancelledOutOfStock, sc.CancelledByBuyer}[r.IntN(2)])
		} else if r.IntN(10) > 0 {
			sh := placed.Add(time.Duration(1+r.IntN(120)) * time.Hour)
			if sh.Before(now) {
				o.ShippedAt = &sh
			}
		}
		later := placed.Add(time.Hour)
		if r.IntN(2) == 0 {
			o.Feedback = &sc.FeedbackInput{Rating: 1 + r.IntN(5), LeftAt: later}
		}
		if r.IntN(5) == 0 {
			o.Disputes = []sc.DisputeInput{{Number: "D" + o.Number, Reason: sc.DisputeOther, OpenedAt: later}}
		}
		if r.IntN(5) == 0 {
			o.ReturnClaims = []sc.ReturnClaimInput{{Number: "R" + o.Number, Reason: "x", RequestedAt: later}}
		}
		b.Orders = append(b.Orders, o)
	}
	// Whatever the draw, buyer B1 is reported by three sellers (closed: its orders excluded) and
	// buyer BW by one (warned: the records of its reported order purged).
	for s := 1; s <= 4; s++ {
		placed := now.Add(-48 * time.Hour)
		buyer := "B1"
		if s == 4 {
			buyer = "BW" // a buyer no random order has: this one report is all it gets
		}
		b.Orders = append(b.Orders, sc.OrderInput{Number: fmt.Sprintf("SURE%d", s), SellerNumber: fmt.Sprintf("S%d", s), BuyerNumber: buyer,
			PlacedAt: placed, Total: sc.MoneyInput{Amount: "1", Currency: "USD"},
			Feedback: &sc.FeedbackInput{Rating: 1, LeftAt: placed.Add(time.Hour)},
			Disputes: []sc.DisputeInput{{Number: fmt.Sprintf("DSURE%d", s), Reason: sc.DisputeOther, OpenedAt: placed.Add(time.Hour)}}})
	}
	_, err := d.Ingest(admin(), b)
	require.NoError(t, err)
	// Random reports on recent orders, then a batch: some buyers warned, some closed.
	var recent []struct {
		Number string `db:"number"`
		Seller int64  `db:"seller_id"`
	}
	require.NoError(t, d.Select(&recent, `SELECT number, seller_id FROM orders WHERE placed_at > now() - interval '170 days' ORDER BY number`))
	for _, o := range recent {
		if strings.HasPrefix(o.Number, "SURE") || r.IntN(3) == 0 {
			_, _, err := d.ReportBuyer(sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: o.Seller}),
				sc.ReportInput{OrderNumber: o.Number, Reason: sc.ReasonOther, Description: "x"})
			require.NoError(t, err)
		}
	}
	_, err = d.RunBatch(admin(), sc.WeekOf(now), sc.RunOptions{})
	require.NoError(t, err)
	_, err = d.RefreshIndicators(admin())
	require.NoError(t, err)
	var sellers []int64
	require.NoError(t, d.Select(&sellers, `SELECT id FROM sellers ORDER BY id`))
	excludedSomething, purgedSomething := false, false
	for _, w := range sc.IndicatorWindows {
		all, err := d.SellersIndicators(admin(), sellers, w)
		require.NoError(t, err)
		for _, ind := range all {
			raw, as, ex, pu := ind.Raw, ind.Assessed, ind.Excluded, ind.Purged
			for _, f := range []struct {
				name            string
				raw, as, ex, pu int
			}{
				{"orders", raw.Orders, as.Orders, ex.Orders, pu.Orders},
				{"disputes", raw.Disputes, as.Disputes, ex.Disputes, pu.Disputes},
				{"negativeFeedback", raw.NegativeFeedback, as.NegativeFeedback, ex.NegativeFeedback, pu.NegativeFeedback},
				{"returns", raw.Returns, as.Returns, ex.Returns, pu.Returns},
				{"lateShipments", raw.LateShipments, as.LateShipments, ex.LateShipments, pu.LateShipments},
				{"cancellations", raw.Cancellations, as.Cancellations, ex.Cancellations, pu.Cancellations},
				{"defects", raw.Defects, as.Defects, ex.Defects, pu.Defects},
			} {
				require.LessOrEqual(t, f.as, f.raw, "%s %s", w, f.name)
				require.Equal(t, f.raw-f.as, f.ex+f.pu, "%s %s", w, f.name)
				excludedSomething = excludedSomething || f.ex > 0
				purgedSomething = purgedSomething || f.pu > 0
			}
			// Raw counts every order of the window, whatever happened since.
			var n int
			require.NoError(t, d.Get(&n, `SELECT count(*) FROM orders WHERE seller_id = $1 AND placed_at >= $2 AND placed_at <= $3`, ind.SellerID, ind.From, ind.To))
			require.Equal(t, n, raw.Orders)
		}
	}
	require.True(t, excludedSomething && purgedSomething, "the random batch excluded and purged something")
}

// TestIndicatorRollupsFollowChanges: what ingestion, a batch, an appeal, the clean-up and the
// passing of a ship-by date change reaches the figures at the next refresh, and a rebuild
// from scratch agrees with the rollups kept up to date step by step.
func TestIndicatorRollupsFollowChanges(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	refresh := func() {
		_, err := d.RefreshIndicators(admin())
		require.NoError(t, err)
	}
	var s1 int64
	require.NoError(t, d.Get(&s1, `SELECT id FROM sellers WHERE number = 'S1'`))
	get := func() *sc.Indicators { return indicators(t, d, admin(), s1, sc.Window30) }
	refresh()
	require.Equal(t, 6, get().Raw.Orders)

	// Ingestion: counted after the next refresh.
	now := time.Now().UTC()
	shipBy := now.Add(2 * time.Second)
	_, err := d.Ingest(admin(), sc.MarketplaceBatch{Orders: []sc.OrderInput{{Number: "NEW", SellerNumber: "S1", BuyerNumber: "B1",
		PlacedAt: now.Add(-time.Minute), ShipBy: &shipBy, Total: sc.MoneyInput{Amount: "1", Currency: "USD"}}}})
	require.NoError(t, err)
	require.Equal(t, 6, get().Raw.Orders, "not before the refresh")
	refresh()
	require.Equal(t, 7, get().Raw.Orders)
	require.Equal(t, 0, get().Raw.LateShipments)

	// The batch closes B1: its orders leave the assessment at the refresh after it.
	for s := 1; s <= 3; s++ {
		report(t, d, s, 1, sc.ReasonOther)
	}
	_, err = d.RunBatch(admin(), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	refresh()
	require.Equal(t, 2, get().Excluded.Orders, "O-1-1 and NEW")

	// The ship-by date passes with the order unshipped: late at the next refresh.
	d.Now = func() time.Time { return time.Now().Add(time.Minute) }
	refresh()
	require.Equal(t, 1, get().Raw.LateShipments)

	// An appeal brings B1's orders back.
	var verdict int64
	require.NoError(t, d.Get(&verdict, `SELECT v.id FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE b.number = 'B1'`))
	_, err = d.ReverseVerdict(admin(), verdict, "mistaken")
	require.NoError(t, err)
	refresh()
	require.Equal(t, 0, get().Excluded.Orders)

	// The platform closes B2 itself: the clean-up excludes its orders.
	_, err = d.Ingest(admin(), sc.MarketplaceBatch{Buyers: []sc.BuyerInput{{Number: "B2", Handle: "buyer2", Status: ptr(sc.BuyerClosed)}}})
	require.NoError(t, err)
	_, err = d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	refresh()
	require.Equal(t, 1, get().Excluded.Orders)

	// Kept up to date step by step, the rollups equal a rebuild from scratch.
	const all = `SELECT md5(string_agg(t::text, ',' ORDER BY seller_id, day)) FROM seller_day_stats t`
	var stepwise, rebuilt string
	require.NoError(t, d.Get(&stepwise, all))
	require.NoError(t, d.RequestIndicatorRebuild(context.Background()))
	refresh()
	require.NoError(t, d.Get(&rebuilt, all))
	require.Equal(t, rebuilt, stepwise)
}

// encodeTestCursor is a well-formed cursor of another list: two parts, the second not a ledger key.
func encodeTestCursor() string { return "MjAyNi0wMS0wMVQwMDowMDowMFofWDE" }
