package http_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const ingestMutation = `mutation($input: IngestMarketplaceDataInput!) {
	ingestMarketplaceData(input: $input) {
		sellersCreated sellersUpdated buyersCreated buyersUpdated ordersCreated ordersUpdated eventsUpserted
		userErrors { field code message }
	}
}`

func ingestInput() map[string]any {
	return map[string]any{
		"sellers": []any{map[string]any{"number": "S100", "name": "Zed Goods", "email": "zed@example.com", "country": "US"}},
		"buyers":  []any{map[string]any{"number": "B100", "handle": "zoe"}},
		"orders": []any{map[string]any{
			"number": "O100", "sellerNumber": "S100", "buyerNumber": "B100",
			"placedAt": "2026-10-01T10:00:00Z", "shipBy": "2026-10-04T10:00:00Z", "shippedAt": "2026-10-05T09:00:00Z",
			"deliveredAt": "2026-10-08T12:00:00Z", "total": map[string]any{"amount": "42.10", "currency": "USD"},
			"feedback":     map[string]any{"rating": 1, "comment": "never again", "leftAt": "2026-10-09T12:00:00Z"},
			"disputes":     []any{map[string]any{"number": "D100", "reason": "NOT_AS_DESCRIBED", "openedAt": "2026-10-09T13:00:00Z"}},
			"returnClaims": []any{map[string]any{"number": "R100", "reason": "Not as described", "requestedAt": "2026-10-09T14:00:00Z"}},
		}},
	}
}

func TestIngestMarketplaceData(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	t.Run("OK then idempotent", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, ingestMutation, map[string]any{"input": ingestInput()})
		require.Empty(t, res.Errors)
		p := get(res.Data, "ingestMarketplaceData")
		require.Equal(t, map[string]any{"sellersCreated": 1.0, "sellersUpdated": 0.0, "buyersCreated": 1.0, "buyersUpdated": 0.0,
			"ordersCreated": 1.0, "ordersUpdated": 0.0, "eventsUpserted": 3.0, "userErrors": []any{}}, p)
		res = tb.Query(t, tb.Admin, ingestMutation, map[string]any{"input": ingestInput()})
		require.Equal(t, 1.0, get(res.Data, "ingestMarketplaceData", "ordersUpdated"))
		require.Equal(t, 0.0, get(res.Data, "ingestMarketplaceData", "ordersCreated"))
		res = tb.Query(t, tb.Admin, `{ order(number: "O100") { total { amount currency } shippedAt feedback { rating } disputes { number } returnClaims { number } seller { number } buyer { handle status } } }`, nil)
		require.Empty(t, res.Errors)
		require.Equal(t, "42.10", get(res.Data, "order", "total", "amount"))
		require.Equal(t, "ACTIVE", get(res.Data, "order", "buyer", "status"))
		require.Len(t, get(res.Data, "order", "disputes").([]any), 1)
		var n int
		require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM disputes WHERE number = 'D100'`))
		require.Equal(t, 1, n)
	})
	for _, tc := range []struct {
		name  string
		edit  func(in map[string]any)
		field string
		code  string
	}{
		{"ErrUnknownSeller", func(in map[string]any) { order(in)["sellerNumber"] = "S404" }, "input.orders.0.sellerNumber", "NOT_FOUND"},
		{"ErrUnknownBuyer", func(in map[string]any) { order(in)["buyerNumber"] = "B404" }, "input.orders.0.buyerNumber", "NOT_FOUND"},
		{"ErrBadAmount", func(in map[string]any) { order(in)["total"] = map[string]any{"amount": "12.345", "currency": "USD"} }, "input.orders.0.total.amount", "INVALID"},
		{"ErrNegativeAmount", func(in map[string]any) { order(in)["total"] = map[string]any{"amount": "-1.00", "currency": "USD"} }, "input.orders.0.total.amount", "INVALID"},
		{"ErrBadCurrency", func(in map[string]any) { order(in)["total"] = map[string]any{"amount": "1.00", "currency": "dollars"} }, "input.orders.0.total.currency", "INVALID"},
		{"ErrFuturePlacedAt", func(in map[string]any) { order(in)["placedAt"] = "2999-01-01T00:00:00Z" }, "input.orders.0.placedAt", "INVALID"},
		{"ErrDeliveredBeforeShipped", func(in map[string]any) { order(in)["deliveredAt"] = "2026-10-05T08:00:00Z" }, "input.orders.0.deliveredAt", "INVALID"},
		{"ErrRating", func(in map[string]any) { order(in)["feedback"].(map[string]any)["rating"] = 6 }, "input.orders.0.feedback.rating", "INVALID"},
		{"ErrCancelledWithoutReason", func(in map[string]any) { order(in)["cancelledAt"] = "2026-10-01T11:00:00Z" }, "input.orders.0.cancellationReason", "INVALID"},
		{"ErrBadEmail", func(in map[string]any) { in["sellers"].([]any)[0].(map[string]any)["email"] = "not-an-email" }, "input.sellers.0.email", "INVALID"},
		{"ErrBlankName", func(in map[string]any) { in["sellers"].([]any)[0].(map[string]any)["name"] = "  " }, "input.sellers.0.name", "INVALID"},
		{"ErrNumberWithSpace", func(in map[string]any) { in["buyers"].([]any)[0].(map[string]any)["number"] = "B 1" }, "input.buyers.0.number", "INVALID"},
		{"ErrDuplicateOrder", func(in map[string]any) { in["orders"] = append(in["orders"].([]any), in["orders"].([]any)[0]) }, "input.orders.1.number", "INVALID"},
		{"ErrEmptyBatch", func(in map[string]any) { delete(in, "sellers"); delete(in, "buyers"); delete(in, "orders") }, "input.orders", "INVALID"},
		{"ErrTooManyOrders", func(in map[string]any) {
			o := in["orders"].([]any)[0]
			many := make([]any, 1001)
			for i := range many {
				many[i] = o
			}
			in["orders"] = many
		}, "input.orders", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ingestInput()
			order(in)["number"] = "O-" + tc.name // never collides with the OK case
			in["sellers"].([]any)[0].(map[string]any)["number"] = "S-" + tc.name
			order(in)["sellerNumber"] = "S-" + tc.name
			for _, e := range []string{"disputes", "returnClaims"} {
				delete(order(in), e)
			}
			tc.edit(in)
			res := tb.Query(t, tb.Admin, ingestMutation, map[string]any{"input": in})
			require.Empty(t, res.Errors)
			ues := get(res.Data, "ingestMarketplaceData", "userErrors").([]any)
			require.NotEmpty(t, ues)
			var fields []string
			for _, ue := range ues {
				parts := []string{}
				for _, p := range get(ue, "field").([]any) {
					parts = append(parts, p.(string))
				}
				fields = append(fields, strings.Join(parts, ".")+" "+get(ue, "code").(string))
			}
			require.Contains(t, fields, tc.field+" "+tc.code)
			// Nothing of the batch was written.
			var n int
			require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM sellers WHERE number = $1`, "S-"+tc.name))
			require.Zero(t, n)
			require.Equal(t, 0.0, get(res.Data, "ingestMarketplaceData", "ordersCreated"))
		})
	}
}

func order(in map[string]any) map[string]any { return in["orders"].([]any)[0].(map[string]any) }

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := tb.Query(t, tb.SellerB, `{ me { token { id } } }`, nil)
	id := get(res.Data, "me", "token", "id").(string)
	const revoke = `mutation($id: ID!) { revokeToken(input: {id: $id}) { token { id revokedAt } userErrors { field code } } }`

	res = tb.Query(t, tb.SellerB, revoke, map[string]any{"id": id})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())

	res = tb.Query(t, tb.Admin, revoke, map[string]any{"id": id})
	require.Empty(t, res.Errors)
	require.NotNil(t, get(res.Data, "revokeToken", "token", "revokedAt"))
	require.Empty(t, get(res.Data, "revokeToken", "userErrors"))

	res = tb.Query(t, tb.SellerB, `{ me { role } }`, nil)
	require.Equal(t, 401, res.Status)
	require.Equal(t, []string{"UNAUTHENTICATED"}, res.Codes())

	for _, tc := range []struct{ name, id, code string }{
		{"ErrRevokedTwice", id, "CONFLICT"},
		{"ErrMalformedID", "garbage", "INVALID"},
		{"ErrNotATokenID", get(tb.Query(t, tb.Admin, `{ seller(number: "S1") { id } }`, nil).Data, "seller", "id").(string), "INVALID"},
		{"ErrUnknownToken", "VG9rZW46OTk5OTk", "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.Admin, revoke, map[string]any{"id": tc.id})
			require.Empty(t, res.Errors)
			require.Nil(t, get(res.Data, "revokeToken", "token"))
			require.Equal(t, tc.code, get(res.Data, "revokeToken", "userErrors", 0, "code"))
			require.Equal(t, []any{"input", "id"}, get(res.Data, "revokeToken", "userErrors", 0, "field"))
		})
	}
	res = tb.Query(t, tb.Admin, `{ tokens(first: 10) { totalCount nodes { role revokedAt seller { number } } } }`, nil)
	require.Empty(t, res.Errors)
	require.EqualValues(t, 4, get(res.Data, "tokens", "totalCount"))
}
