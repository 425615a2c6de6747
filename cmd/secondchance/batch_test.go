package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// batchFixture: seller A reports its buyer on one order, seller B on two, through the API.
func batchFixture(t *testing.T) *testBundle {
	t.Helper()
	tb := setup(t)
	for _, r := range []struct{ token, order, reason string }{
		{tb.SellerA, "S1-0", "FALSE_NOT_RECEIVED_CLAIM"}, {tb.SellerB, "S2-0", "FALSE_NOT_RECEIVED_CLAIM"}, {tb.SellerB, "S2-1", "SERIAL_RETURNS"},
	} {
		res := tb.Query(t, r.token, `mutation Report($input: ReportBuyerInput!) { reportBuyer(input: $input) { userErrors { code } } }`,
			map[string]any{"input": map[string]any{"orderNumber": r.order, "reason": r.reason, "description": "Reported in a test of the batch commands."}})
		require.Empty(t, res.Errors)
		require.Empty(t, get(res.Data, "reportBuyer", "userErrors"))
	}
	return tb
}

// TestBatchCommands: `batch run` defaults to the week that last ended by the service's clock;
// its dry run writes nothing and draws no batch number, so the real run after it is batch 1.
func TestBatchCommands(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	// A week from now, the week that last ended is this one, with the fixture's reports.
	later := time.Now().Add(7 * 24 * time.Hour)
	week := sc.WeekOf(time.Now()).String()
	batches := func() int {
		var n int
		require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM batches`))
		return n
	}

	code, out, errOut := runAt(t, later, tb.DBURL, "batch", "run", "--dry-run")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "dry run of week "+week+" ")
	require.Contains(t, out, "reports   3 taken: 3 upheld")
	require.Contains(t, out, "verdicts (first 2 by buyer ID)")
	require.NotContains(t, errOut, "\r")
	require.Zero(t, batches())

	code, out, errOut = runAt(t, later, tb.DBURL, "batch", "run")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "batch 1 of week "+week+" ", "the dry run drew no batch number")
	require.Contains(t, out, "reports   3 taken: 3 upheld")
	code, out, errOut = run(t, tb.DBURL, "batch", "run", "--week", week)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "week "+week+" already ran (batch 1,")
	require.Equal(t, 1, batches())

	code, out, errOut = run(t, tb.DBURL, "batch", "run", "--week", "2026-W99")
	require.Equal(t, exitError, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "week: 2026 has no week 99 (INVALID)")
	code, out, errOut = run(t, tb.DBURL, "batch", "clean-up")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "excluded 0 more orders of closed buyers")
	require.Equal(t, 1, batches())
}
