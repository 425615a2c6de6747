package http_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestIndicatorsOverHTTP(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	_, err := tb.DB.RefreshIndicators(sc.NewSystemContext(context.Background()))
	require.NoError(t, err)
	const q = `{ me { seller { indicators(window: DAYS_90) { window from to
		raw { orders disputes negativeFeedback defects defectRate } assessed { orders defects disputeRate returnRate }
		excluded { orders } purged { defects } } } } }`
	res := tb.Query(t, tb.SellerA, q, nil)
	require.Empty(t, res.Errors)
	ind := get(res.Data, "me", "seller", "indicators")
	require.Equal(t, "DAYS_90", get(ind, "window"))
	// Seller A's three fixture orders each have a dispute and 1–3 star feedback (two negative).
	require.Equal(t, map[string]any{"orders": 3.0, "disputes": 3.0, "negativeFeedback": 2.0, "defects": 3.0, "defectRate": 1.0}, get(ind, "raw"))
	require.Equal(t, map[string]any{"orders": 3.0, "defects": 3.0, "disputeRate": 1.0, "returnRate": 0.0}, get(ind, "assessed"))
	require.Equal(t, 0.0, get(ind, "excluded", "orders"))

	// Admins read a page of sellers' indicators, every window asked for, in one statement.
	before := tb.DB.Statements()
	res = tb.Query(t, tb.Admin, `{ sellers(first: 10) { nodes { number
		d30: indicators(window: DAYS_30) { assessed { orders defectRate } } d365: indicators(window: DAYS_365) { assessed { orders } } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Len(t, get(res.Data, "sellers", "nodes").([]any), 2)
	require.Equal(t, int64(1+1+1), tb.DB.Statements()-before, "token, page, and one statement for the refresh time and every window's sums")
	require.Nil(t, get(res.Data, "sellers", "nodes", 0, "d30", "assessed", "defectRate"), "fixture orders are 60 days old: no orders in 30 days, no rate")

	// A seller's dashboard: its three windows in one statement, each the same as read alone.
	const figures = `{ window from to raw { orders disputes negativeFeedback defects } assessed { orders defects defectRate } }`
	before = tb.DB.Statements()
	res = tb.Query(t, tb.SellerA, `{ seller(number: "S1") { d30: indicators(window: DAYS_30) `+figures+`
		d90: indicators(window: DAYS_90) `+figures+` d365: indicators(window: DAYS_365) `+figures+` } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, int64(1+1+1), tb.DB.Statements()-before, "token, seller, and one statement for the three windows")
	for alias, w := range map[string]string{"d30": "DAYS_30", "d90": "DAYS_90", "d365": "DAYS_365"} {
		alone := tb.Query(t, tb.SellerA, `{ seller(number: "S1") { indicators(window: `+w+`) `+figures+` } }`, nil)
		require.Empty(t, alone.Errors)
		require.Equal(t, get(alone.Data, "seller", "indicators"), get(res.Data, "seller", alias), w)
	}
	require.Equal(t, 3.0, get(res.Data, "seller", "d90", "raw", "orders"))

	res = tb.Query(t, tb.SellerA, `{ me { seller { indicators(window: DAYS_7) { window } } } }`, nil)
	require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, res.Codes())
	res = tb.Query(t, tb.SellerA, `{ seller(number: "S2") { indicators(window: DAYS_30) { window } } }`, nil)
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
}

func TestStandingAndHistoryOverHTTP(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	ctx := sc.NewSystemContext(context.Background())
	_, err := tb.DB.RunBatch(ctx, sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	_, err = tb.DB.RefreshIndicators(ctx) // folds the batch in and snapshots the week
	require.NoError(t, err)
	week := sc.WeekOf(time.Now()).String()
	vars := map[string]any{"from": time.Now().Add(-time.Hour).Format(time.RFC3339), "to": time.Now().Add(time.Hour).Format(time.RFC3339)}
	res := tb.Query(t, tb.SellerA, `query($from: Time!, $to: Time!) { me { seller {
		standing { current currentWeek currentWindow projected projectedWindow }
		indicatorHistory(window: DAYS_90, from: $from, to: $to) { week indicators { raw { orders } assessed { orders negativeFeedback } purged { negativeFeedback } } } } } }`, vars)
	require.Empty(t, res.Errors)
	s := get(res.Data, "me", "seller")
	require.Equal(t, map[string]any{"current": "BELOW_STANDARD", "currentWeek": week, "currentWindow": "DAYS_365",
		"projected": "BELOW_STANDARD", "projectedWindow": "DAYS_365"}, get(s, "standing"))
	require.Len(t, get(s, "indicatorHistory").([]any), 1)
	require.Equal(t, week, get(s, "indicatorHistory", 0, "week"))
	require.Equal(t, 1.0, get(s, "indicatorHistory", 0, "indicators", "purged", "negativeFeedback"), "S1-0's 1-star review was purged")

	res = tb.Query(t, tb.SellerA, `query($from: Time!, $to: Time!) { me { seller { indicatorHistory(window: DAYS_90, from: $to, to: $from) { week } } } }`, vars)
	require.Equal(t, []string{"INVALID"}, res.Codes())

	res = tb.Query(t, tb.Admin, `{ batches { nodes { week standingChanges } } standingThresholds { aboveStandardMaxDefectRate minOrders90 }
		sellers(filter: {standing: BELOW_STANDARD}) { totalCount nodes { number standing { current projected } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, 0.0, get(res.Data, "batches", "nodes", 0, "standingChanges"))
	require.Equal(t, 0.02, get(res.Data, "standingThresholds", "aboveStandardMaxDefectRate"))
	require.EqualValues(t, 1, get(res.Data, "sellers", "totalCount"), "S2's defects were all purged: only S1 is below standard")

	const set = `mutation($r: Float!) { setStandingThresholds(input: {minOrders90: 400, topRatedMaxDefectRate: 0.005, topRatedMaxLateRate: 0.03,
		topRatedMinOrders: 100, aboveStandardMaxDefectRate: $r}) { thresholds { aboveStandardMaxDefectRate } userErrors { field code } } }`
	res = tb.Query(t, tb.Admin, set, map[string]any{"r": 1.5})
	require.Equal(t, "INVALID", get(res.Data, "setStandingThresholds", "userErrors", 0, "code"))
	res = tb.Query(t, tb.Admin, set, map[string]any{"r": 1})
	require.Empty(t, get(res.Data, "setStandingThresholds", "userErrors"))
	res = tb.Query(t, tb.SellerA, `{ me { seller { standing { current projected } } } }`, nil)
	require.Equal(t, map[string]any{"current": "BELOW_STANDARD", "projected": "ABOVE_STANDARD"}, get(res.Data, "me", "seller", "standing"))
	res = tb.Query(t, tb.Admin, `mutation { takeIndicatorSnapshot { sellers userErrors { code } } }`, nil)
	require.Equal(t, 2.0, get(res.Data, "takeIndicatorSnapshot", "sellers"))
	res = tb.Query(t, tb.SellerA, `{ me { seller { standing { current } } } }`, nil)
	require.Equal(t, "ABOVE_STANDARD", get(res.Data, "me", "seller", "standing", "current"))
	for _, q := range []string{`mutation { takeIndicatorSnapshot { sellers } }`, `{ standingThresholds { minOrders90 } }`} {
		res = tb.Query(t, tb.SellerA, q, nil)
		require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	}
}

func TestIndicatorAdjustmentsOverHTTP(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	_, err := tb.DB.RunBatch(sc.NewSystemContext(context.Background()), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	const q = `{ me { seller { indicatorAdjustments(window: DAYS_90) { totalCount
		nodes { kind reason order { number } report { reason } verdict { verdict } batch { week } } } } } }`
	before := tb.DB.Statements()
	res := tb.Query(t, tb.SellerA, q, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, int64(1+1+1+1+4), tb.DB.Statements()-before, "token, me.seller, page, count, one per link")
	a := get(res.Data, "me", "seller", "indicatorAdjustments")
	require.EqualValues(t, 2, get(a, "totalCount"), "S1-0's feedback and dispute")
	for _, n := range get(a, "nodes").([]any) {
		require.Equal(t, "REPORT_UPHELD", get(n, "reason"))
		require.Equal(t, "S1-0", get(n, "order", "number"))
		require.Equal(t, "FALSE_NOT_RECEIVED_CLAIM", get(n, "report", "reason"))
		require.Equal(t, "SUSPENSION", get(n, "verdict", "verdict"))
		require.Equal(t, sc.WeekOf(time.Now()).String(), get(n, "batch", "week"))
	}
	res = tb.Query(t, tb.SellerB, `{ seller(number: "S1") { indicatorAdjustments(window: DAYS_90) { totalCount } } }`, nil)
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
}
