package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestIndicatorsOverHTTP(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	_, err := tb.db.RefreshIndicators(sc.NewSystemContext(context.Background()))
	require.NoError(t, err)
	const q = `{ me { seller { indicators(window: DAYS_90) { window from to
		raw { orders disputes negativeFeedback defects defectRate } assessed { orders defects disputeRate returnRate }
		excluded { orders } purged { defects } } } } }`
	res := tb.query(t, tb.sellerA, q, nil)
	require.Empty(t, res.Errors)
	ind := get(res.Data, "me", "seller", "indicators")
	require.Equal(t, "DAYS_90", get(ind, "window"))
	// Seller A's three fixture orders each have a dispute and 1–3 star feedback (two negative).
	require.Equal(t, map[string]any{"orders": 3.0, "disputes": 3.0, "negativeFeedback": 2.0, "defects": 3.0, "defectRate": 1.0}, get(ind, "raw"))
	require.Equal(t, map[string]any{"orders": 3.0, "defects": 3.0, "disputeRate": 1.0, "returnRate": 0.0}, get(ind, "assessed"))
	require.Equal(t, 0.0, get(ind, "excluded", "orders"))

	// Admins read a page of sellers' indicators in one statement per window.
	before := tb.db.Statements()
	res = tb.query(t, tb.admin, `{ sellers(first: 10) { nodes { number
		d30: indicators(window: DAYS_30) { assessed { orders defectRate } } d365: indicators(window: DAYS_365) { assessed { orders } } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Len(t, get(res.Data, "sellers", "nodes").([]any), 2)
	require.Equal(t, int64(1+1+2*2), tb.db.Statements()-before, "token, page, and per window the refresh time and the sums")
	require.Nil(t, get(res.Data, "sellers", "nodes", 0, "d30", "assessed", "defectRate"), "fixture orders are 60 days old: no orders in 30 days, no rate")

	res = tb.query(t, tb.sellerA, `{ me { seller { indicators(window: DAYS_7) { window } } } }`, nil)
	require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, res.codes())
	res = tb.query(t, tb.sellerA, `{ seller(number: "S2") { indicators(window: DAYS_30) { window } } }`, nil)
	require.Equal(t, []string{"NOT_FOUND"}, res.codes())
}
