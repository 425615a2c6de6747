package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// readAccessWorld: seller A (S1) and seller B (S2) with reports and a batch's verdicts, a return
// of A's order S1-1 received, sold, settled and certified at the universal store (SCS), and a
// second store with staff of its own that has received a parcel of its own.
type readAccessWorld struct {
	*testBundle
	OtherStaff string
	// Global IDs, read as an admin.
	BuyerOnlyB, BuyerShared, OrderA, OrderB, ReturnedOrderA string
	VerdictOnlyB, VerdictShared                             string
	ItemA, ParcelA, SaleA, OtherItem                        string
}

func newReadAccessWorld(t *testing.T) *readAccessWorld {
	t.Helper()
	tb := batchFixture(t)
	w := &readAccessWorld{testBundle: tb}
	res := tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": sc.WeekOf(time.Now()).String()}})
	require.Empty(t, res.Errors)
	certificateStore(t, tb)
	items := sellItems(t, tb, tb.SellerA, "S1-1", []string{"Speaker"}, []string{"10.00"})
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))
	_, err := tb.DB.IssueCertificates(sc.NewSystemContext(context.Background()), sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	require.NoError(t, err)

	admin := sc.NewSystemContext(context.Background())
	s := func(v string) *string { return &v }
	_, err = tb.DB.CreateStore(admin, sc.StoreInput{Code: s("OTHER"), Name: s("Other Store"), Recipient: s("Staff"), AddressLine1: s("1 Side Street"),
		City: s("Springfield"), Region: s("MO"), PostalCode: s("65801"), Country: s("US")})
	require.NoError(t, err)
	_, w.OtherStaff, err = tb.DB.CreateToken(admin, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTHER"})
	require.NoError(t, err)
	res = tb.Query(t, w.OtherStaff, `mutation { receiveParcel(input: {items: [{description: "Lamp", grade: GOOD}]}) { parcel { items { id } } userErrors { code } } }`, nil)
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	w.OtherItem = get(res.Data, "receiveParcel", "parcel", "items", 0, "id").(string)

	res = tb.Query(t, tb.Admin, `{
		b: seller(number: "S2") { orders(first: 100) { nodes { id buyer { id number } } } }
		a: order(number: "S1-0") { id }
		r: order(number: "S1-1") { id }
		verdicts(first: 100) { nodes { id buyer { number } } }
		returnedItems(first: 100) { nodes { id description sale { id } } }
		parcels(first: 100) { nodes { id items { id } } }
	}`, nil)
	require.Empty(t, res.Errors)
	w.OrderB = get(res.Data, "b", "orders", "nodes", 0, "id").(string)
	for _, n := range get(res.Data, "b", "orders", "nodes").([]any) {
		switch get(n, "buyer", "number") {
		case "B2":
			w.BuyerOnlyB = get(n, "buyer", "id").(string)
		case "B1":
			w.BuyerShared = get(n, "buyer", "id").(string)
		}
	}
	w.OrderA, w.ReturnedOrderA = get(res.Data, "a", "id").(string), get(res.Data, "r", "id").(string)
	for _, n := range get(res.Data, "verdicts", "nodes").([]any) {
		switch get(n, "buyer", "number") {
		case "B2":
			w.VerdictOnlyB = get(n, "id").(string)
		case "B1":
			w.VerdictShared = get(n, "id").(string)
		}
	}
	for _, n := range get(res.Data, "returnedItems", "nodes").([]any) {
		if get(n, "description") == "Speaker" {
			w.ItemA, w.SaleA = get(n, "id").(string), get(n, "sale", "id").(string)
		}
	}
	for _, n := range get(res.Data, "parcels", "nodes").([]any) {
		if get(n, "items", 0, "id") == w.ItemA {
			w.ParcelA = get(n, "id").(string)
		}
	}
	for name, id := range map[string]string{"BuyerOnlyB": w.BuyerOnlyB, "BuyerShared": w.BuyerShared, "VerdictOnlyB": w.VerdictOnlyB,
		"VerdictShared": w.VerdictShared, "ItemA": w.ItemA, "SaleA": w.SaleA, "ParcelA": w.ParcelA} {
		require.NotEmpty(t, id, name)
	}
	return w
}

// TestReadPathAccess: every list and edge the read path rewrote (issue 13) answers the owner and
// nobody else. For each, the owner's token sees the row, so the case can fail, and seller B gets
// nothing of seller A's, staff of another store nothing of the universal store's.
func TestReadPathAccess(t *testing.T) {
	t.Parallel()
	w := newReadAccessWorld(t)
	node := `query($id: ID!) { node(id: $id) { id } }`
	type want int
	const (
		visible  want = iota // the row is in the answer
		notFound             // the answer is NOT_FOUND, and holds nothing
		absent               // the answer has no error and does not hold the row
	)
	for _, tc := range []struct {
		name, token, query string
		vars               map[string]any
		want               want
		holds              string // what the answer holds when visible, and must not when absent
	}{
		// BuyersByID: a seller sees a buyer through its own orders only.
		{"OK BuyersByID shared buyer", w.SellerA, node, map[string]any{"id": w.BuyerShared}, visible, w.BuyerShared},
		{"ErrBuyersByID other seller's buyer", w.SellerA, node, map[string]any{"id": w.BuyerOnlyB}, notFound, ""},
		{"OK BuyersByID own buyer", w.SellerB, node, map[string]any{"id": w.BuyerOnlyB}, visible, w.BuyerOnlyB},
		{"ErrBuyersByID staff", w.Staff, node, map[string]any{"id": w.BuyerShared}, notFound, ""},
		// The orders page joins its sellers and buyers.
		{"OK orders page with parties", w.SellerB, `{ orders(first: 100) { nodes { number seller { number } buyer { id handle } } } }`, nil, visible, "bob"},
		{"Err orders page other seller's buyer", w.SellerA, `{ orders(first: 100) { nodes { number seller { number } buyer { id handle } } } }`, nil, absent, "bob"},
		{"Err orders page other seller's orders", w.SellerA, `{ orders(first: 100) { nodes { number seller { number } } } }`, nil, absent, "S2"},
		// One order joins its parties too.
		{"OK order by number", w.SellerB, `{ order(number: "S2-1") { number seller { number } buyer { handle } } }`, nil, visible, "bob"},
		{"ErrOrderByNumber other seller's", w.SellerA, `{ order(number: "S2-1") { number seller { number } buyer { handle } } }`, nil, notFound, ""},
		// OrdersByID: staff see the orders returned to their store, through its returns.
		{"OK OrdersByID returned to the store", w.Staff, `{ returnAuthorizations(first: 100) { nodes { order { id number } } } }`, nil, visible, w.ReturnedOrderA},
		{"ErrOrdersByID other store", w.OtherStaff, `{ returnAuthorizations(first: 100) { nodes { order { id number } } } }`, nil, absent, w.ReturnedOrderA},
		{"ErrOrdersByID other seller", w.SellerB, node, map[string]any{"id": w.OrderA}, notFound, ""},
		// Every read of orders joins their seller and buyer where the actor sees them.
		{"OK node order with parties", w.SellerA, `query($id: ID!) { node(id: $id) { ... on Order { seller { number } buyer { handle } } } }`,
			map[string]any{"id": w.OrderA}, visible, "alice"},
		{"OK report order with parties", w.SellerA, `{ reports(first: 100) { nodes { order { seller { number } buyer { handle } } } } }`, nil, visible, "alice"},
		{"OK returned order with parties", w.SellerA, `{ returnAuthorizations(first: 100) { nodes { order { seller { number } buyer { handle } } } } }`, nil, visible, "alice"},
		{"ErrOrder buyer to staff", w.Staff, `{ returnAuthorizations(first: 100) { nodes { order { number buyer { handle } } } } }`, nil, notFound, ""},
		{"ErrOrder seller to staff", w.Staff, `{ returnAuthorizations(first: 100) { nodes { order { number seller { number } } } } }`, nil, notFound, ""},
		// The reports page joins its buyers.
		{"OK reports page with buyers", w.SellerB, `{ reports(first: 100) { nodes { order { number } buyer { handle } } } }`, nil, visible, "bob"},
		{"Err reports page other seller's", w.SellerA, `{ reports(first: 100) { nodes { order { number } buyer { handle } } } }`, nil, absent, "bob"},
		// VerdictsByID: a seller sees the verdicts on its own reports.
		{"OK VerdictsByID own report's", w.SellerA, node, map[string]any{"id": w.VerdictShared}, visible, w.VerdictShared},
		{"ErrVerdictsByID other seller's", w.SellerA, node, map[string]any{"id": w.VerdictOnlyB}, notFound, ""},
		// Return authorisations: the seller's, and the store's for its staff.
		{"OK returns page seller", w.SellerA, `{ returnAuthorizations(first: 100) { nodes { order { number } } } }`, nil, visible, "S1-1"},
		{"Err returns page other seller", w.SellerB, `{ returnAuthorizations(first: 100) { nodes { order { number } } } }`, nil, absent, "S1-1"},
		{"OK returns page staff", w.Staff, `{ returnAuthorizations(first: 100) { nodes { order { number } } } }`, nil, visible, "S1-1"},
		{"Err returns page other store", w.OtherStaff, `{ returnAuthorizations(first: 100) { nodes { code } } }`, nil, absent, "RMA-"},
		// Certificates: the seller's, and the store's for its staff.
		{"OK certificates seller", w.SellerA, `{ certificates(first: 100) { nodes { serial store { code } } } }`, nil, visible, "SCS"},
		{"Err certificates other seller", w.SellerB, `{ certificates(first: 100) { nodes { serial store { code } } } }`, nil, absent, "SCS"},
		{"OK certificates staff", w.Staff, `{ certificates(first: 100) { nodes { serial store { code } } } }`, nil, visible, "SCS"},
		{"Err certificates other store", w.OtherStaff, `{ certificates(first: 100) { nodes { serial store { code } } } }`, nil, absent, "SCS"},
		// Returned items carry their store.
		{"OK returned items staff", w.Staff, `{ returnedItems(first: 100) { nodes { id description } } }`, nil, visible, w.ItemA},
		{"Err returned items other store", w.OtherStaff, `{ returnedItems(first: 100) { nodes { id description } } }`, nil, absent, w.ItemA},
		{"OK returned items other store's own", w.OtherStaff, `{ returnedItems(first: 100) { nodes { id description } } }`, nil, visible, w.OtherItem},
		{"Err returned items queue other store", w.OtherStaff, `{ returnedItems(first: 100, status: SETTLED) { nodes { id } } }`, nil, absent, w.ItemA},
		{"Err returned items staff not other store's", w.Staff, `{ returnedItems(first: 100) { nodes { id } } }`, nil, absent, w.OtherItem},
		{"Err parcels other store", w.OtherStaff, `{ parcels(first: 100) { nodes { id } } }`, nil, absent, w.ParcelA},
		// Items, parcels and sales by ID.
		{"OK item by ID staff", w.Staff, node, map[string]any{"id": w.ItemA}, visible, w.ItemA},
		{"ErrItemsByID other store", w.OtherStaff, node, map[string]any{"id": w.ItemA}, notFound, ""},
		{"ErrItemsByID other seller", w.SellerB, node, map[string]any{"id": w.ItemA}, notFound, ""},
		{"ErrParcelsByID other store", w.OtherStaff, node, map[string]any{"id": w.ParcelA}, notFound, ""},
		{"ErrSalesByID other store", w.OtherStaff, node, map[string]any{"id": w.SaleA}, notFound, ""},
		{"ErrSalesByID other seller", w.SellerB, node, map[string]any{"id": w.SaleA}, notFound, ""},
		// Sellers.
		{"OK seller by number own", w.SellerB, `{ seller(number: "S2") { number } }`, nil, visible, "S2"},
		{"ErrSellerByNumber other", w.SellerA, `{ seller(number: "S2") { number } }`, nil, notFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := w.Query(t, tc.token, tc.query, tc.vars)
			got := fmt.Sprint(res.Data)
			switch tc.want {
			case visible:
				require.Empty(t, res.Errors)
				require.Contains(t, got, tc.holds)
			case notFound:
				require.Equal(t, []string{"NOT_FOUND"}, res.Codes(), "%+v", res.Errors)
				require.NotContains(t, got, "S2-")
				require.NotContains(t, got, "bob")
				require.NotContains(t, got, "alice")
				require.NotContains(t, got, "Acme")
			case absent:
				require.Empty(t, res.Errors)
				require.NotContains(t, got, tc.holds)
				require.False(t, strings.Contains(got, "bob") && tc.token == w.SellerA, "seller A got a buyer only seller B sold to")
			}
		})
	}
}
