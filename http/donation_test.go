package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDonations walks an item from its return to its donation and checks, after every step,
// that its ledger balances to the cent: gross = costs + donated + pending.
func TestDonations(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	const create = `mutation($input: BeneficiaryInput!) { createBeneficiary(input: $input) { beneficiary { id name ein address { city } } userErrors { field code } } }`
	charity := func(name, ein string) string {
		res := tb.Query(t, tb.Admin, create, map[string]any{"input": map[string]any{"name": name, "ein": ein, "addressLine1": "1 Charity Way",
			"city": "Kansas City", "region": "MO", "postalCode": "64105", "country": "US"}})
		require.Empty(t, get(res.Data, "createBeneficiary", "userErrors"))
		return get(res.Data, "createBeneficiary", "beneficiary", "id").(string)
	}
	a, b := charity("Food Bank of Independence", "43-1111111"), charity("Literacy Kansas City", "43-2222222")
	res := tb.Query(t, tb.Admin, create, map[string]any{"input": map[string]any{"name": "X", "ein": "43-1111111", "addressLine1": "x",
		"city": "x", "region": "x", "postalCode": "x", "country": "US"}})
	require.Equal(t, "CONFLICT", get(res.Data, "createBeneficiary", "userErrors", 0, "code"))
	res = tb.Query(t, tb.Admin, create, map[string]any{"input": map[string]any{"name": "X", "ein": "431111111", "addressLine1": "x",
		"city": "x", "region": "x", "postalCode": "x", "country": "US"}})
	require.Equal(t, []any{"input", "ein"}, get(res.Data, "createBeneficiary", "userErrors", 0, "field"))

	const setStore = `mutation($f: FeeScheduleInput!, $b: ID!) { setStoreDonations(input: {store: "SCS", fees: $f, beneficiary: $b}) { ok userErrors { field code } } }`
	fees := map[string]any{"intakeCents": 150, "storageCents": 100, "shippingCents": 0, "commissionBasisPoints": 1000}
	res = tb.Query(t, tb.Admin, setStore, map[string]any{"f": map[string]any{"intakeCents": -1, "storageCents": 0, "shippingCents": 0, "commissionBasisPoints": 0}, "b": a})
	require.Equal(t, []any{"input", "fees", "intakeCents"}, get(res.Data, "setStoreDonations", "userErrors", 0, "field"))
	res = tb.Query(t, tb.Admin, setStore, map[string]any{"f": fees, "b": a})
	require.Equal(t, true, get(res.Data, "setStoreDonations", "ok"))

	// An item returned, received, routed and sold for 35.50.
	res = tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-0")})
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
	res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } } }`,
		map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "NEW"}}}})
	item := get(res.Data, "receiveParcel", "parcel", "items", 0, "id")
	tb.Query(t, tb.Staff, `mutation($i: ID!) { routeItem(input: {item: $i}) { item { status } } }`, map[string]any{"i": item})
	res = tb.Query(t, tb.Staff, `mutation($i: ID!) { recordSale(input: {item: $i, price: {amount: "35.50", currency: "USD"}, channel: "store"}) { userErrors { code } } }`, map[string]any{"i": item})
	require.Empty(t, get(res.Data, "recordSale", "userErrors"))

	const ledger = `query($i: ID!) { node(id: $i) { ... on ReturnedItem { status ledger { gross { amount } costs { intake { amount } storage { amount }
		shipping { amount } commission { amount } total { amount } } donated { amount } pending { amount }
		allocations { beneficiary { name } amount { amount } disbursedAt } } } } }`
	balanced := func(who string) map[string]any {
		t.Helper()
		res := tb.Query(t, who, ledger, map[string]any{"i": item})
		require.Empty(t, res.Errors)
		l := get(res.Data, "node", "ledger")
		cents := func(path ...any) int64 {
			s := strings.Replace(get(l, path...).(string), ".", "", 1)
			var n int64
			for _, c := range s {
				n = n*10 + int64(c-'0')
			}
			return n
		}
		require.Equal(t, cents("gross", "amount"), cents("costs", "total", "amount")+cents("donated", "amount")+cents("pending", "amount"),
			"gross = costs + donated + pending")
		return l.(map[string]any)
	}
	l := balanced(tb.Staff)
	require.Equal(t, "35.50", get(l, "pending", "amount"), "sold, not settled: all of it pending")

	// The seller's totals for a period sum its items' ledgers.
	const totals = `query($from: Time!, $to: Time!) { me { seller { returnTotals(from: $from, to: $to) { items sold recycled
		gross { amount } costs { amount } donated { amount } pending { amount } } } } }`
	now := time.Now()
	sums := func(who string, from, to time.Time) string {
		t.Helper()
		res := tb.Query(t, who, totals, map[string]any{"from": from, "to": to})
		require.Empty(t, res.Errors)
		x := get(res.Data, "me", "seller", "returnTotals")
		return fmt.Sprintf("%v items, %v sold, %v recycled: %v = %v + %v + %v", get(x, "items"), get(x, "sold"), get(x, "recycled"),
			get(x, "gross", "amount"), get(x, "costs", "amount"), get(x, "donated", "amount"), get(x, "pending", "amount"))
	}
	require.Equal(t, "1 items, 1 sold, 0 recycled: 35.50 = 0.00 + 0.00 + 35.50", sums(tb.SellerA, now.Add(-time.Hour), now.Add(time.Hour)))
	require.Equal(t, "0 items, 0 sold, 0 recycled: 0.00 = 0.00 + 0.00 + 0.00", sums(tb.SellerA, now.Add(-2*time.Hour), now.Add(-time.Hour)),
		"received after the period")
	require.Equal(t, "0 items, 0 sold, 0 recycled: 0.00 = 0.00 + 0.00 + 0.00", sums(tb.SellerB, now.Add(-time.Hour), now.Add(time.Hour)),
		"another seller's items are not counted")
	res = tb.Query(t, tb.SellerA, totals, map[string]any{"from": now, "to": now})
	require.Equal(t, []string{"INVALID"}, res.Codes(), "an empty period")

	// The seller chooses its charities: 60 % and 40 %.
	const splits = `mutation($s: [DonationSplitInput!]!) { setDonationSplits(input: {splits: $s}) { ok userErrors { field code message } } }`
	res = tb.Query(t, tb.SellerA, splits, map[string]any{"s": []any{map[string]any{"beneficiary": a, "percent": 60}, map[string]any{"beneficiary": b, "percent": 30}}})
	require.Equal(t, []any{"input", "splits"}, get(res.Data, "setDonationSplits", "userErrors", 0, "field"), "90 %% is not 100 %%")
	res = tb.Query(t, tb.SellerA, splits, map[string]any{"s": []any{map[string]any{"beneficiary": a, "percent": 60}, map[string]any{"beneficiary": b, "percent": 40}}})
	require.Equal(t, true, get(res.Data, "setDonationSplits", "ok"))

	res = tb.Query(t, tb.Staff, `mutation($i: ID!) { settleItem(input: {item: $i}) { ledger { pending { amount } } userErrors { code } } }`, map[string]any{"i": item})
	require.Empty(t, get(res.Data, "settleItem", "userErrors"))
	l = balanced(tb.SellerA)
	// 10 % of 35.50 is 3.55; costs 1.50 + 1.00 + 3.55 = 6.05; net 29.45, split 17.67 / 11.78.
	require.Equal(t, "6.05", get(l, "costs", "total", "amount"))
	require.Equal(t, "29.45", get(l, "pending", "amount"))
	require.Equal(t, "17.67", get(l, "allocations", 0, "amount", "amount"))
	require.Equal(t, "11.78", get(l, "allocations", 1, "amount", "amount"))
	res = tb.Query(t, tb.Staff, `mutation($i: ID!) { settleItem(input: {item: $i}) { userErrors { code } } }`, map[string]any{"i": item})
	require.Equal(t, "ITEM_STATE", get(res.Data, "settleItem", "userErrors", 0, "code"), "settled once")

	res = tb.Query(t, tb.Staff, `mutation($b: ID!) { disburseBeneficiary(input: {beneficiary: $b}) { amount { amount } userErrors { code } } }`, map[string]any{"b": a})
	require.Equal(t, "17.67", get(res.Data, "disburseBeneficiary", "amount", "amount"))
	l = balanced(tb.Staff)
	require.Equal(t, "17.67", get(l, "donated", "amount"))
	require.Equal(t, "11.78", get(l, "pending", "amount"))
	require.NotNil(t, get(l, "allocations", 0, "disbursedAt"))

	require.Equal(t, "1 items, 1 sold, 0 recycled: 35.50 = 6.05 + 17.67 + 11.78", sums(tb.SellerA, now.Add(-time.Hour), now.Add(time.Hour)),
		"settled and partly disbursed")

	res = tb.Query(t, tb.SellerA, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { timeline { kind detail amount { amount } } } } }`, map[string]any{"i": item})
	var steps []string
	for _, e := range get(res.Data, "node", "timeline").([]any) {
		amount, _ := get(e, "amount", "amount").(string)
		steps = append(steps, strings.TrimSpace(get(e, "kind").(string)+" "+amount))
	}
	require.Equal(t, []string{"AUTHORIZED", "RECEIVED", "SOLD 35.50", "SETTLED 29.45", "DONATION_ALLOCATED 17.67", "DONATION_ALLOCATED 11.78",
		"DONATION_DISBURSED 17.67"}, steps, "from the RMA to the donation")

	res = tb.Query(t, tb.SellerB, ledger, map[string]any{"i": item})
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes(), "another seller's item")
	res = tb.Query(t, tb.SellerA, `mutation($i: ID!) { settleItem(input: {item: $i}) { userErrors { code } } }`, map[string]any{"i": item})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
}
