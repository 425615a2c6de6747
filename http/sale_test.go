package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

func TestRouteAndSell(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-0")})
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
	res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id grade status } } userErrors { code } } }`,
		map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{
			map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "LIKE_NEW"},
			map[string]any{"rmaLine": 2, "description": "Cable", "grade": "UNSELLABLE"},
			map[string]any{"description": "Lamp", "grade": "FAIR"}}}})
	items := get(res.Data, "receiveParcel", "parcel", "items").([]any)
	speaker, cable, lamp := get(items[0], "id"), get(items[1], "id"), get(items[2], "id")
	require.Equal(t, "RECEIVED", get(items[0], "status"))

	const route = `mutation($item: ID!, $r: Route) { routeItem(input: {item: $item, route: $r}) { item { status route } userErrors { field code } } }`
	for _, c := range []struct {
		item           any
		route          any
		status, routed string
	}{{speaker, nil, "LISTED", "SALE"}, {cable, nil, "RECYCLED", "RECYCLE"}, {lamp, "SALE", "LISTED", "SALE"}} {
		res := tb.Query(t, tb.Staff, route, map[string]any{"item": c.item, "r": c.route})
		require.Equal(t, map[string]any{"status": c.status, "route": c.routed}, get(res.Data, "routeItem", "item"))
	}
	res = tb.Query(t, tb.Staff, route, map[string]any{"item": cable, "r": "SALE"})
	require.Equal(t, "ITEM_STATE", get(res.Data, "routeItem", "userErrors", 0, "code"), "a recycled item stays recycled")

	const sell = `mutation($input: RecordSaleInput!) { recordSale(input: $input) { sale { id price { amount currency } channel } userErrors { field code } } }`
	sale := func(item any, amount, currency string) map[string]any {
		return map[string]any{"input": map[string]any{"item": item, "price": map[string]any{"amount": amount, "currency": currency}, "channel": "store counter"}}
	}
	for _, tc := range []struct {
		name        string
		vars        map[string]any
		field, code string
	}{
		{"ErrNegativePrice", sale(speaker, "-5.00", "USD"), "input.price.amount", "INVALID"},
		{"ErrNotANumber", sale(speaker, "twelve", "USD"), "input.price.amount", "INVALID"},
		{"ErrWrongCurrency", sale(speaker, "5.00", "EUR"), "input.price.currency", "INVALID"},
		{"ErrRecycled", sale(cable, "5.00", "USD"), "input.item", "ITEM_STATE"},
		{"ErrNotAnItem", sale(code, "5.00", "USD"), "input.item", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.Staff, sell, tc.vars)
			ue := get(res.Data, "recordSale", "userErrors", 0)
			var f []string
			for _, x := range get(ue, "field").([]any) {
				f = append(f, x.(string))
			}
			require.Equal(t, tc.field+" "+tc.code, strings.Join(f, ".")+" "+get(ue, "code").(string))
			var n int
			require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM sales`))
			require.Zero(t, n)
		})
	}
	res = tb.Query(t, tb.Staff, sell, sale(speaker, "35.5", "USD"))
	require.Equal(t, map[string]any{"amount": "35.50", "currency": "USD"}, get(res.Data, "recordSale", "sale", "price"))
	saleID := get(res.Data, "recordSale", "sale", "id")
	res = tb.Query(t, tb.Staff, sell, sale(speaker, "35.50", "USD"))
	require.Equal(t, "ITEM_STATE", get(res.Data, "recordSale", "userErrors", 0, "code"), "a sold item is not sold again")

	// Another store's staff neither see nor sell this store's items.
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTH")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTH"})
	require.NoError(t, err)
	res = tb.Query(t, other, sell, sale(lamp, "5.00", "USD"))
	require.Equal(t, "NOT_FOUND", get(res.Data, "recordSale", "userErrors", 0, "code"))
	res = tb.Query(t, other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": speaker})
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes())

	// The seller follows its item to its sale.
	res = tb.Query(t, tb.SellerA, `{ returnAuthorizations { nodes { parcel { items { description status sale { price { amount } } } } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, "35.50", get(res.Data, "returnAuthorizations", "nodes", 0, "parcel", "items", 0, "sale", "price", "amount"))

	const void = `mutation($s: ID!, $r: String!) { voidSale(input: {sale: $s, reason: $r}) { sale { voidedAt voidReason } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, void, map[string]any{"s": saleID, "r": "rang up the wrong item"})
	require.Equal(t, "rang up the wrong item", get(res.Data, "voidSale", "sale", "voidReason"))
	res = tb.Query(t, tb.Staff, void, map[string]any{"s": saleID, "r": "again"})
	require.Equal(t, "CONFLICT", get(res.Data, "voidSale", "userErrors", 0, "code"))
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on ReturnedItem { status sale { id } } } }`, map[string]any{"id": speaker})
	require.Equal(t, map[string]any{"status": "LISTED", "sale": nil}, get(res.Data, "node"))
	res = tb.Query(t, tb.Staff, sell, sale(speaker, "30.00", "USD"))
	require.Empty(t, get(res.Data, "recordSale", "userErrors"), "listed again, it sells again")

	// The seller follows each item from the RMA on; the timelines of a page are one statement.
	statements := func(query string) (gqlResponse, int64) {
		before := tb.DB.Statements()
		res := tb.Query(t, tb.SellerA, query, nil)
		require.Empty(t, res.Errors)
		return res, tb.DB.Statements() - before
	}
	_, without := statements(`{ returnAuthorizations(first: 10) { nodes { parcel { items { id } } } } }`)
	res, with := statements(`{ returnAuthorizations(first: 10) { nodes { parcel { items { timeline { kind detail amount { amount } } } } } } }`)
	require.Equal(t, without+1, with, "the timelines of all the items are one statement")
	step := func(kind, detail string, amount any) map[string]any {
		m := map[string]any{"kind": kind, "detail": detail, "amount": nil}
		if amount != nil {
			m["amount"] = map[string]any{"amount": amount}
		}
		return m
	}
	items = get(res.Data, "returnAuthorizations", "nodes", 0, "parcel", "items").([]any)
	require.Equal(t, []any{step("AUTHORIZED", code.(string), nil), step("RECEIVED", "LIKE_NEW", nil),
		step("SOLD", "store counter", "35.50"), step("SALE_VOIDED", "rang up the wrong item", "35.50"), step("SOLD", "store counter", "30.00")},
		get(items[0], "timeline"))
	require.Equal(t, []any{step("AUTHORIZED", code.(string), nil), step("RECEIVED", "UNSELLABLE", nil)}, get(items[1], "timeline"))
	require.Equal(t, []any{step("AUTHORIZED", code.(string), nil), step("RECEIVED", "FAIR", nil)}, get(items[2], "timeline"))
	res = tb.Query(t, tb.SellerA, sell, sale(lamp, "5.00", "USD"))
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
}

// A store's rule for a category and grade decides where an item goes when staff name no
// route; items without an RMA line, and other stores, keep the rule by grade.
func TestRoutingRules(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	const set = `mutation($input: SetRoutingRuleInput!) { setRoutingRule(input: $input) { rules { category grade route } userErrors { field code } } }`
	rule := func(category, grade string, route any) map[string]any {
		return map[string]any{"input": map[string]any{"category": category, "grade": grade, "route": route}}
	}
	for _, tc := range []struct {
		name string
		vars map[string]any
	}{
		{"ErrEmptyCategory", rule("  ", "GOOD", "AUCTION")},
		{"ErrLongCategory", rule(strings.Repeat("x", 101), "GOOD", "AUCTION")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.Staff, set, tc.vars)
			require.Equal(t, "INVALID", get(res.Data, "setRoutingRule", "userErrors", 0, "code"))
			require.Equal(t, []any{"input", "category"}, get(res.Data, "setRoutingRule", "userErrors", 0, "field"))
			var n int
			require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM store_routing_rules`))
			require.Zero(t, n)
		})
	}
	res := tb.Query(t, tb.SellerA, set, rule("Electronics", "GOOD", "AUCTION"))
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), "sellers do not set rules")

	tb.Query(t, tb.Staff, set, rule("Toys", "POOR", "RECYCLE"))
	tb.Query(t, tb.Staff, set, rule("electronics", "LIKE_NEW", "SALE"))
	res = tb.Query(t, tb.Staff, set, rule(" Electronics ", "LIKE_NEW", "AUCTION"))
	require.Equal(t, []any{
		map[string]any{"category": "electronics", "grade": "LIKE_NEW", "route": "AUCTION"},
		map[string]any{"category": "toys", "grade": "POOR", "route": "RECYCLE"},
	}, get(res.Data, "setRoutingRule", "rules"), "one rule per category and grade, folded")

	receive := func(order string) []any {
		res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput(order)})
		code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
		res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } userErrors { code } } }`,
			map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{
				map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "LIKE_NEW"},
				map[string]any{"rmaLine": 2, "description": "Cable", "grade": "GOOD"},
				map[string]any{"description": "Extra", "grade": "LIKE_NEW"}}}})
		return get(res.Data, "receiveParcel", "parcel", "items").([]any)
	}
	const route = `mutation($item: ID!) { routeItem(input: {item: $item}) { item { route } userErrors { code } } }`
	routed := func(item any) any {
		return get(tb.Query(t, tb.Staff, route, map[string]any{"item": get(item, "id")}).Data, "routeItem", "item", "route")
	}
	items := receive("S1-0")
	require.Equal(t, "AUCTION", routed(items[0]), "Electronics, LIKE_NEW: the store's rule")
	require.Equal(t, "SALE", routed(items[1]), "Electronics, GOOD: no rule, the grade's default")
	require.Equal(t, "SALE", routed(items[2]), "not on the RMA: no category, the grade's default")

	res = tb.Query(t, tb.Staff, set, rule("ELECTRONICS", "LIKE_NEW", nil))
	require.Equal(t, []any{map[string]any{"category": "toys", "grade": "POOR", "route": "RECYCLE"}},
		get(res.Data, "setRoutingRule", "rules"), "no route removes the rule")
	items = receive("S1-1")
	require.Equal(t, "SALE", routed(items[0]), "the removed rule no longer applies")

	// Rules belong to a store: its staff and admins see them, other staff neither see nor change them.
	const rules = `{ returnAddress { routingRules { category route } } }`
	require.Equal(t, []any{map[string]any{"category": "toys", "route": "RECYCLE"}},
		get(tb.Query(t, tb.Admin, rules, nil).Data, "returnAddress", "routingRules"))
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTH")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTH"})
	require.NoError(t, err)
	res = tb.Query(t, other, rules, nil)
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), "another store's staff do not see them")
	res = tb.Query(t, other, set, rule("Electronics", "GOOD", "RECYCLE"))
	require.Equal(t, []any{map[string]any{"category": "electronics", "grade": "GOOD", "route": "RECYCLE"}}, get(res.Data, "setRoutingRule", "rules"))
	require.Equal(t, "SALE", routed(receive("S1-2")[1]), "another store's rule does not apply here")
}

// The staff's work queues: a store's items by status, oldest first, page by page; other stores'
// staff and sellers do not see them.
func TestItemQueues(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var ids []any
	for o := 0; o < 3; o++ {
		res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput(fmt.Sprintf("S1-%d", o))})
		code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
		res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } } }`,
			map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{
				map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "GOOD"},
				map[string]any{"rmaLine": 2, "description": "Cable", "grade": "GOOD"}}}})
		for _, it := range get(res.Data, "receiveParcel", "parcel", "items").([]any) {
			ids = append(ids, get(it, "id"))
		}
	}
	for _, id := range ids[:2] {
		tb.Query(t, tb.Staff, `mutation($i: ID!) { routeItem(input: {item: $i}) { item { id } } }`, map[string]any{"i": id})
	}
	const queue = `query($s: ItemStatus, $first: Int, $after: String) { returnedItems(status: $s, first: $first, after: $after) {
		nodes { id status } pageInfo { hasNextPage endCursor } totalCount } }`
	page := func(token string, status any, first int, after any) (nodes []any, total any, next any) {
		t.Helper()
		res := tb.Query(t, token, queue, map[string]any{"s": status, "first": first, "after": after})
		require.Empty(t, res.Errors)
		c := get(res.Data, "returnedItems")
		for _, n := range get(c, "nodes").([]any) {
			nodes = append(nodes, get(n, "id"))
		}
		if get(c, "pageInfo", "hasNextPage") == true {
			next = get(c, "pageInfo", "endCursor")
		}
		return nodes, get(c, "totalCount"), next
	}
	got, total, next := page(tb.Staff, "RECEIVED", 3, nil)
	require.Equal(t, ids[2:5], got, "to route, oldest first")
	require.Equal(t, float64(4), total)
	got, _, next = page(tb.Staff, "RECEIVED", 3, next)
	require.Equal(t, ids[5:], got)
	require.Nil(t, next)
	got, total, _ = page(tb.Staff, "LISTED", 10, nil)
	require.Equal(t, ids[:2], got, "to sell")
	require.Equal(t, float64(2), total)
	got, total, _ = page(tb.Admin, nil, 10, nil)
	require.Equal(t, ids, got, "every status")
	require.Equal(t, float64(6), total)

	res := tb.Query(t, tb.SellerA, queue, map[string]any{"s": "RECEIVED"})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	res = tb.Query(t, tb.Staff, queue, map[string]any{"after": "nonsense"})
	require.Equal(t, []string{"INVALID"}, res.Codes())
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTH")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTH"})
	require.NoError(t, err)
	got, total, _ = page(other, nil, 10, nil)
	require.Empty(t, got, "another store's staff")
	require.Equal(t, float64(0), total)
}
