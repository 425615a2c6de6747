package http_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReturnTotalsAddUp: whatever becomes of a seller's items (unsold, sold, settled, paid out,
// recycled) and whatever the prices and fees, its totals are the exact sum of its items' ledgers.
func TestReturnTotalsAddUp(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))

	res := tb.Query(t, tb.Admin, `mutation { createBeneficiary(input: {name: "Food Bank", ein: "43-1111111", addressLine1: "1 Way",
		city: "Kansas City", region: "MO", postalCode: "64105", country: "US"}) { beneficiary { id } } }`, nil)
	charity := get(res.Data, "createBeneficiary", "beneficiary", "id")
	res = tb.Query(t, tb.Admin, `mutation($f: FeeScheduleInput!, $b: ID!) { setStoreDonations(input: {store: "SCS", fees: $f, beneficiary: $b}) { ok } }`,
		map[string]any{"b": charity, "f": map[string]any{"intakeCents": rng.IntN(300), "storageCents": rng.IntN(300), "shippingCents": rng.IntN(300),
			"commissionBasisPoints": rng.IntN(3000)}})
	require.Equal(t, true, get(res.Data, "setStoreDonations", "ok"))

	var items []any
	for o := 0; o < 3; o++ {
		var lines, received []any
		for l := 1; l <= 5; l++ {
			lines = append(lines, map[string]any{"description": fmt.Sprintf("Item %d", l), "quantity": 1, "category": "Home",
				"declaredValue": map[string]any{"amount": "20", "currency": "USD"}})
			received = append(received, map[string]any{"rmaLine": l, "description": fmt.Sprintf("Item %d", l), "grade": "GOOD"})
		}
		res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": map[string]any{"orderNumber": fmt.Sprintf("S1-%d", o), "items": lines}})
		code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
		res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } } }`,
			map[string]any{"input": map[string]any{"rmaCode": code, "items": received}})
		items = append(items, get(res.Data, "receiveParcel", "parcel", "items").([]any)...)
	}
	var sold, recycled int
	for i, it := range items {
		id := get(it, "id")
		switch step := rng.IntN(4); {
		case step == 0: // left received
		case step == 1:
			tb.Query(t, tb.Staff, `mutation($i: ID!) { routeItem(input: {item: $i, route: RECYCLE}) { item { id } } }`, map[string]any{"i": id})
			recycled++
		default:
			tb.Query(t, tb.Staff, `mutation($i: ID!) { routeItem(input: {item: $i, route: SALE}) { item { id } } }`, map[string]any{"i": id})
			price := fmt.Sprintf("%d.%02d", rng.IntN(80), rng.IntN(100))
			res := tb.Query(t, tb.Staff, `mutation($i: ID!, $p: String!) { recordSale(input: {item: $i, price: {amount: $p, currency: "USD"}, channel: "store"}) { userErrors { code } } }`,
				map[string]any{"i": id, "p": price})
			require.Empty(t, get(res.Data, "recordSale", "userErrors"))
			if rng.IntN(3) == 0 { // a mistaken sale, voided and sold again at another price
				sale := get(tb.Query(t, tb.Staff, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { sale { id } } } }`, map[string]any{"i": id}).Data, "node", "sale", "id")
				res := tb.Query(t, tb.Staff, `mutation($s: ID!) { voidSale(input: {sale: $s, reason: "wrong price"}) { userErrors { code } } }`, map[string]any{"s": sale})
				require.Empty(t, get(res.Data, "voidSale", "userErrors"))
				res = tb.Query(t, tb.Staff, `mutation($i: ID!, $p: String!) { recordSale(input: {item: $i, price: {amount: $p, currency: "USD"}, channel: "store"}) { userErrors { code } } }`,
					map[string]any{"i": id, "p": fmt.Sprintf("%d.%02d", rng.IntN(80), rng.IntN(100))})
				require.Empty(t, get(res.Data, "recordSale", "userErrors"))
			}
			sold++
			if step == 3 {
				res := tb.Query(t, tb.Staff, `mutation($i: ID!) { settleItem(input: {item: $i}) { userErrors { code } } }`, map[string]any{"i": id})
				require.Empty(t, get(res.Data, "settleItem", "userErrors"))
			}
		}
		if i == len(items)/2 {
			tb.Query(t, tb.Staff, `mutation($b: ID!) { disburseBeneficiary(input: {beneficiary: $b}) { amount { amount } } }`, map[string]any{"b": charity})
		}
	}

	cents := func(v any) int64 {
		s := v.(string)
		var n int64
		for _, c := range strings.Replace(s, ".", "", 1) {
			n = n*10 + int64(c-'0')
		}
		return n
	}
	var want [4]int64 // gross, costs, donated, pending
	for _, it := range items {
		res := tb.Query(t, tb.SellerA, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { ledger { gross { amount } costs { total { amount } } donated { amount } pending { amount } } } } }`,
			map[string]any{"i": get(it, "id")})
		require.Empty(t, res.Errors)
		if l := get(res.Data, "node", "ledger"); l != nil {
			want[0] += cents(get(l, "gross", "amount"))
			want[1] += cents(get(l, "costs", "total", "amount"))
			want[2] += cents(get(l, "donated", "amount"))
			want[3] += cents(get(l, "pending", "amount"))
		}
	}
	now := time.Now()
	res = tb.Query(t, tb.SellerA, `query($from: Time!, $to: Time!) { me { seller { returnTotals(from: $from, to: $to) { items sold recycled
		gross { amount } costs { amount } donated { amount } pending { amount } } } } }`, map[string]any{"from": now.Add(-time.Hour), "to": now.Add(time.Hour)})
	require.Empty(t, res.Errors)
	x := get(res.Data, "me", "seller", "returnTotals")
	require.Equal(t, []any{float64(len(items)), float64(sold), float64(recycled)}, []any{get(x, "items"), get(x, "sold"), get(x, "recycled")})
	got := [4]int64{cents(get(x, "gross", "amount")), cents(get(x, "costs", "amount")), cents(get(x, "donated", "amount")), cents(get(x, "pending", "amount"))}
	require.Equal(t, want, got, "totals = the sum of the items' ledgers")
	require.Equal(t, got[0], got[1]+got[2]+got[3], "gross = costs + donated + pending")

	// The store's totals, kept by triggers as items change, agree with the same sums; seller A's
	// items are all the store has.
	today := now.UTC().Truncate(24 * time.Hour)
	const store = `query($from: Time!, $to: Time!) { returnAddress { totals(from: $from, to: $to) { items sold recycled
		gross { amount } costs { amount } donated { amount } pending { amount } } } }`
	// Two days, in case the test runs across midnight.
	res = tb.Query(t, tb.Staff, store, map[string]any{"from": today.Add(-24 * time.Hour), "to": today.Add(24 * time.Hour)})
	require.Empty(t, res.Errors)
	y := get(res.Data, "returnAddress", "totals")
	require.Equal(t, []any{get(x, "items"), get(x, "sold"), get(x, "recycled")}, []any{get(y, "items"), get(y, "sold"), get(y, "recycled")})
	require.Equal(t, want, [4]int64{cents(get(y, "gross", "amount")), cents(get(y, "costs", "amount")), cents(get(y, "donated", "amount")), cents(get(y, "pending", "amount"))},
		"store totals = the sum of the items' ledgers")
	res = tb.Query(t, tb.Staff, store, map[string]any{"from": today.Add(-72 * time.Hour), "to": today.Add(-24 * time.Hour)})
	require.Equal(t, float64(0), get(res.Data, "returnAddress", "totals", "items"), "nothing received before")
	res = tb.Query(t, tb.Staff, store, map[string]any{"from": now, "to": today.Add(24 * time.Hour)})
	require.Equal(t, []string{"INVALID"}, res.Codes(), "not a whole day")
	res = tb.Query(t, tb.SellerA, store, map[string]any{"from": today, "to": today.Add(24 * time.Hour)})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), "sellers do not see a store's totals")
}
