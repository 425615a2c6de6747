package http_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// TestCursorsBelongToTheirList: a cursor names the list that made it, so another list refuses
// it with INVALID on `after` rather than paginating from a keyset it does not have.
func TestCursorsBelongToTheirList(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, order := range []string{"S1-0", "S1-1", "S1-2"} {
		reportAs(t, tb, tb.SellerA, reportInput(order, sc.ReasonFalseNotReceivedClaim))
	}
	endCursor := func(t *testing.T, token, list string) string {
		res := tb.Query(t, token, `{ `+list+`(first: 2) { pageInfo { endCursor } } }`, nil)
		require.Empty(t, res.Errors)
		c, _ := get(res.Data, list, "pageInfo", "endCursor").(string)
		require.NotEmpty(t, c)
		return c
	}
	ordersCursor := endCursor(t, tb.SellerA, "orders")
	reportsCursor := endCursor(t, tb.SellerA, "reports")
	sellersCursor := endCursor(t, tb.Admin, "sellers")
	tampered := []byte(ordersCursor)
	tampered[len(tampered)/2] ^= 0x01

	for _, tc := range []struct {
		name, token, list, after string
	}{
		{"ErrOrdersCursorOnReports", tb.SellerA, "reports", ordersCursor},
		{"ErrReportsCursorOnOrders", tb.SellerA, "orders", reportsCursor},
		{"ErrSellersCursorOnBuyers", tb.Admin, "buyers", sellersCursor},
		{"ErrTamperedCursor", tb.SellerA, "orders", string(tampered)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tc.token, `query($after: String) { `+tc.list+`(first: 2, after: $after) { totalCount nodes { id } } }`, map[string]any{"after": tc.after})
			require.Equal(t, []string{"INVALID"}, res.Codes(), "%+v", res.Errors)
			require.Equal(t, "after", res.Errors[0].Extensions["field"])
			require.Nil(t, res.Data)
		})
	}
	t.Run("OK a cursor pages its own list", func(t *testing.T) {
		for _, tc := range []struct{ list, token, after string }{
			{"orders", tb.SellerA, ordersCursor},
			{"reports", tb.SellerA, reportsCursor},
			{"sellers", tb.Admin, sellersCursor},
		} {
			res := tb.Query(t, tc.token, `query($after: String) { `+tc.list+`(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, map[string]any{"after": tc.after})
			require.Empty(t, res.Errors, tc.list)
			require.Len(t, get(res.Data, tc.list, "nodes").([]any), map[string]int{"orders": 1, "reports": 1, "sellers": 0}[tc.list], tc.list)
			require.Equal(t, true, get(res.Data, tc.list, "pageInfo", "hasPreviousPage"))
			require.Equal(t, false, get(res.Data, tc.list, "pageInfo", "hasNextPage"))
		}
	})
	t.Run("OK an orders cursor pages a seller's orders", func(t *testing.T) {
		// Seller.orders is the same list as Query.orders, so their cursors are interchangeable.
		res := tb.Query(t, tb.SellerA, `query($after: String) { me { seller { orders(first: 2, after: $after) { nodes { number } } } } }`, map[string]any{"after": ordersCursor})
		require.Empty(t, res.Errors)
		require.Equal(t, "S1-0", get(res.Data, "me", "seller", "orders", "nodes", 0, "number"))
	})
}
