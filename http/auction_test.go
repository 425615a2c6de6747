package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

const (
	auctionFields = `id status kind`
	lotFields     = `id number status unsoldReason currentPrice { amount } minimumBid { amount } reserveMet bidCount sequence
		leader { number } winner { number } hammerPrice { amount } endsAt paid { amount } receiptUrl`
	placeBid = `mutation($in: PlaceBidInput!) { placeBid(input: $in) { bid { id sequence paddle kind amount { amount } }
		lot { ` + lotFields + ` } replayed userErrors { field code message } } }`
)

// auctionItems makes n items of the SCS store routed AUCTION.
func auctionItems(t *testing.T, tb *testBundle, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		it := dbtest.Item(t, tb.DB, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
		out[i] = it.GlobalID()
	}
	return out
}

func money(a string) map[string]any { return map[string]any{"amount": a, "currency": "USD"} }

// userError is the first userError of a payload as "field code", "" without one.
func userError(t *testing.T, payload any) string {
	t.Helper()
	ues := get(payload, "userErrors").([]any)
	if len(ues) == 0 {
		return ""
	}
	var f []string
	for _, x := range get(ues[0], "field").([]any) {
		f = append(f, x.(string))
	}
	return strings.Join(f, ".") + " " + get(ues[0], "code").(string)
}

type auctionSetup struct {
	auction string
	lot     string
	paddles []int
	bidders []string
}

// newAuction creates an auction of kind with one lot of the items (estimates 30.00 and 10.00 when
// two), starting bid 5.00 and the reserve given, and three bidders with paddles.
func newAuction(t *testing.T, tb *testBundle, kind string, items []string, reserve any) auctionSetup {
	t.Helper()
	in := map[string]any{"title": "Winter sale", "kind": kind, "startsAt": time.Now().Add(-time.Minute).Format(time.RFC3339)}
	if kind == "TIMED" {
		in["endsAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	}
	res := tb.Query(t, tb.Staff, `mutation($in: CreateAuctionInput!) { createAuction(input: $in) { auction { id status } userErrors { field code } } }`,
		map[string]any{"in": in})
	require.Equal(t, "DRAFT", get(res.Data, "createAuction", "auction", "status"), "%v", res.Errors)
	a := auctionSetup{auction: get(res.Data, "createAuction", "auction", "id").(string)}
	var li []any
	for i, it := range items {
		li = append(li, map[string]any{"item": it, "estimate": money([]string{"30.00", "10.00", "5.00"}[i%3])})
	}
	res = tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id status estimate { amount } } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 1, "items": li, "title": "Lamp and cable", "startingBid": money("5.00"), "reserve": reserve}})
	require.Empty(t, userError(t, get(res.Data, "addLot")))
	a.lot = get(res.Data, "addLot", "lot", "id").(string)
	for i := range 3 {
		res := tb.Query(t, tb.Staff, `mutation($in: RegisterBidderInput!) { registerBidder(input: $in) { bidder { id } userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"name": fmt.Sprintf("Bidder %d", i), "email": fmt.Sprintf("bidder%d@example.com", i),
				"address": map[string]any{"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}}})
		require.Empty(t, userError(t, get(res.Data, "registerBidder")))
		b := get(res.Data, "registerBidder", "bidder", "id").(string)
		res = tb.Query(t, tb.Staff, `mutation($a: ID!, $b: ID!) { assignPaddle(input: {auction: $a, bidder: $b}) { paddle { number } userErrors { code } } }`,
			map[string]any{"a": a.auction, "b": b})
		a.paddles = append(a.paddles, int(get(res.Data, "assignPaddle", "paddle", "number").(float64)))
		a.bidders = append(a.bidders, b)
	}
	require.Equal(t, []int{100, 101, 102}, a.paddles)
	return a
}

func bid(lot string, paddle int, kind, amount, key string) map[string]any {
	return map[string]any{"in": map[string]any{"lot": lot, "paddle": paddle, "kind": kind, "amount": money(amount), "idempotencyKey": key}}
}

func TestTimedAuctionFromBidsToCertificate(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	items := auctionItems(t, tb, 2)
	a := newAuction(t, tb, "TIMED", items, money("20.00"))

	res := tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "ABSENTEE", "50.00", "k0"))
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "placeBid")), "a lot takes bids once open")
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } userErrors { code } } }`, map[string]any{"id": a.auction})
	require.Equal(t, "OPEN", get(res.Data, "openAuction", "auction", "status"))

	// An absentee maximum above the reserve leads at the reserve; a floor bid is answered one
	// increment up, below the maximum.
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "ABSENTEE", "50.00", "k1"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	require.Equal(t, "20.00", get(res.Data, "placeBid", "lot", "currentPrice", "amount"))
	require.Equal(t, true, get(res.Data, "placeBid", "lot", "reserveMet"))
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "FLOOR", "20.50", "k2"))
	lot := get(res.Data, "placeBid", "lot")
	require.Equal(t, "21.00", get(lot, "currentPrice", "amount"))
	require.Equal(t, float64(100), get(lot, "leader", "number"))
	require.Equal(t, "21.50", get(lot, "minimumBid", "amount"))

	for _, tc := range []struct {
		name string
		vars map[string]any
		want string
	}{
		{"ErrBelowMinimum", bid(a.lot, 102, "FLOOR", "21.00", "e1"), "input.amount BID_TOO_LOW"},
		{"ErrUnknownPaddle", bid(a.lot, 999, "FLOOR", "30.00", "e2"), "input.paddle NOT_FOUND"},
		{"ErrOtherCurrency", map[string]any{"in": map[string]any{"lot": a.lot, "paddle": 102, "kind": "FLOOR",
			"amount": map[string]any{"amount": "30.00", "currency": "EUR"}, "idempotencyKey": "e3"}}, "input.amount.currency INVALID"},
		{"ErrNotANumber", bid(a.lot, 102, "FLOOR", "thirty", "e4"), "input.amount.amount INVALID"},
		{"ErrNegative", bid(a.lot, 102, "FLOOR", "-30.00", "e5"), "input.amount.amount INVALID"},
		{"ErrNoKey", bid(a.lot, 102, "FLOOR", "30.00", ""), "input.idempotencyKey INVALID"},
		{"ErrNotALot", bid(a.auction, 102, "FLOOR", "30.00", "e6"), "input.lot INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.Staff, placeBid, tc.vars)
			require.Equal(t, tc.want, userError(t, get(res.Data, "placeBid")))
			var n int
			require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM bids`))
			require.Equal(t, 2, n, "nothing written")
		})
	}
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 102, "FLOOR", "21.00", "e1"))
	require.Contains(t, get(res.Data, "placeBid", "userErrors", 0, "message"), "21.50", "the error says the minimum")

	// The lot cannot change after its first bid.
	res = tb.Query(t, tb.Staff, `mutation($in: UpdateLotInput!) { updateLot(input: $in) { userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": a.lot, "number": 1, "items": []any{map[string]any{"item": items[0], "estimate": money("1.00")}},
			"title": "x", "startingBid": money("1.00")}})
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "updateLot")))

	// Another store's staff see nothing of the lot and cannot bid on it.
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTA")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTA"})
	require.NoError(t, err)
	res = tb.Query(t, other, placeBid, bid(a.lot, 102, "FLOOR", "40.00", "o1"))
	require.Equal(t, "input.lot NOT_FOUND", userError(t, get(res.Data, "placeBid")))
	res = tb.Query(t, other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": a.lot})
	require.Nil(t, get(res.Data, "node"))

	// The end comes; the closing job's service closes the lot: SOLD at the leader's price.
	tb.Advance(2 * time.Hour)
	closeLots(t, tb, a.lot)
	requireBalanced(t, tb)
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Lot { `+lotFields+` events { sequence kind } } } }`, map[string]any{"id": a.lot})
	lot = get(res.Data, "node")
	require.Equal(t, "SOLD", get(lot, "status"))
	require.Equal(t, float64(100), get(lot, "winner", "number"))
	require.Equal(t, "21.00", get(lot, "hammerPrice", "amount"))
	events := get(lot, "events").([]any)
	var kinds []string
	for i, e := range events {
		require.Equal(t, float64(i+1), get(e, "sequence"), "gapless")
		kinds = append(kinds, get(e, "kind").(string))
	}
	require.Equal(t, []string{"OPENED", "BID", "BID", "SOLD"}, kinds)
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 102, "FLOOR", "40.00", "late"))
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "placeBid")), "a closed lot takes no bid")

	// Payment: the whole price, once; the lot's items become AUCTION sales split by estimate.
	const pay = `mutation($in: RecordLotPaymentInput!) { recordLotPayment(input: $in) { lot { status paid { amount } receiptUrl } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, pay, map[string]any{"in": map[string]any{"lot": a.lot, "amount": money("20.00"), "method": "CARD"}})
	require.Equal(t, "input.amount.amount INVALID", userError(t, get(res.Data, "recordLotPayment")))
	res = tb.Query(t, tb.Staff, pay, map[string]any{"in": map[string]any{"lot": a.lot, "amount": money("21.00"), "method": "CARD"}})
	require.Equal(t, "PAID", get(res.Data, "recordLotPayment", "lot", "status"))
	receipt := get(res.Data, "recordLotPayment", "lot", "receiptUrl").(string)
	res = tb.Query(t, tb.Staff, pay, map[string]any{"in": map[string]any{"lot": a.lot, "amount": money("21.00"), "method": "CARD"}})
	require.Equal(t, "input.lot CONFLICT", userError(t, get(res.Data, "recordLotPayment")), "paying twice")
	var prices []int64
	require.NoError(t, tb.DB.Select(&prices, `SELECT s.price_cents FROM sales s JOIN lot_items li ON li.item_id = s.item_id AND li.lot_id = s.lot_id ORDER BY li.position`))
	require.Equal(t, []int64{1575, 525}, prices, "21.00 split 30:10 to the cent")
	requireBalanced(t, tb)

	// The receipt: paid 21.00 for goods estimated at 40.00: nothing deductible, no disclosure.
	text := downloadPDFText(t, tb, receipt)
	require.Contains(t, text, "21.00")
	require.Contains(t, text, "40.00")
	require.NotContains(t, text, "6115")

	// Settled and certified like a direct sale, with the auction commission (10 %) as a cost;
	// the certificate names the auction and lot.
	dbtest.Donations(t, tb.DB, "SCS", sc.FeeSchedule{IntakeCents: 100, CommissionBasisPoints: 2500, AuctionCommissionBasisPoints: 1000})
	_, err = tb.DB.Exec(`UPDATE stores SET ein = '12-3456789' WHERE code = 'SCS'`)
	require.NoError(t, err)
	ids := make([]any, len(items))
	for i, it := range items {
		ids[i] = it
	}
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { ledgers { gross { amount } } userErrors { field code message } } }`,
		map[string]any{"items": ids})
	require.Empty(t, res.Errors)
	require.Empty(t, userError(t, get(res.Data, "settleItems")))
	var unbalanced int
	require.NoError(t, tb.DB.Get(&unbalanced, `SELECT count(*) FROM item_proceeds p WHERE p.gross_cents <> p.intake_cents + p.storage_cents
		+ p.shipping_cents + p.commission_cents + p.net_cents OR p.net_cents <> (SELECT sum(cents) FROM donation_allocations a WHERE a.item_id = p.item_id)`))
	require.Zero(t, unbalanced)
	requireBalanced(t, tb)
	res = tb.Query(t, tb.Staff, `mutation($b: ID!) { disburseBeneficiary(input: {beneficiary: $b}) { userErrors { field code } } }`,
		map[string]any{"b": beneficiaryOf(t, tb)})
	require.Empty(t, res.Errors)
	require.Empty(t, userError(t, get(res.Data, "disburseBeneficiary")))
	var pending int
	require.NoError(t, tb.DB.Get(&pending, `SELECT count(*) FROM donation_allocations WHERE disbursed_at IS NULL`))
	require.Zero(t, pending, "donated")
	requireBalanced(t, tb)
	var gross int64
	require.NoError(t, tb.DB.Get(&gross, `SELECT sum(gross_cents) FROM item_proceeds`))
	require.Equal(t, int64(2100), gross, "the lot's price, whole")
	var commissions []int64
	require.NoError(t, tb.DB.Select(&commissions, `SELECT commission_cents FROM item_proceeds ORDER BY gross_cents DESC`))
	require.Equal(t, []int64{158, 53}, commissions, "10 %% of 15.75 and 5.25, rounded half up")
	res = tb.Query(t, tb.Staff, `mutation { issueCertificates(input: {kind: SETTLEMENT}) { serials userErrors { field code message } } }`, nil)
	require.Empty(t, res.Errors)
	require.Len(t, get(res.Data, "issueCertificates", "serials"), 2, "one per seller: %v", get(res.Data, "issueCertificates"))
	var certPDF []byte
	require.NoError(t, tb.DB.Get(&certPDF, `SELECT pdf FROM certificates ORDER BY id LIMIT 1`))
	// The table wraps the description: its two lines hold the item's line.
	certText := strings.Join(strings.Fields(pdfText(t, certPDF)), " ")
	require.Contains(t, certText, "Factory item (sold at auction:")
	require.Contains(t, certText, "Winter sale, lot 1)")

	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Auction { status results { lots sold paid unsold gross { amount } collected { amount } sellThroughRate } } } }`,
		map[string]any{"id": a.auction})
	require.Equal(t, map[string]any{"lots": float64(1), "sold": float64(1), "paid": float64(1), "unsold": float64(0),
		"gross": map[string]any{"amount": "21.00"}, "collected": map[string]any{"amount": "21.00"}, "sellThroughRate": float64(1)},
		get(res.Data, "node", "results"))
	require.Equal(t, "CLOSED", get(res.Data, "node", "status"))
}

// requireBalanced checks the money invariants at any step: a paid lot's sales add up to what
// was paid, to the cent; an item's proceeds are its costs plus its net, and its net is what its
// beneficiaries were allocated; every live sale of a lot's item belongs to a paid lot.
func requireBalanced(t *testing.T, tb *testBundle) {
	t.Helper()
	var bad []string
	require.NoError(t, tb.DB.Select(&bad, `
		SELECT 'lot ' || l.id FROM lots l WHERE l.status = 'PAID'
			AND l.paid_cents IS DISTINCT FROM (SELECT sum(s.price_cents) FROM sales s WHERE s.lot_id = l.id AND s.voided_at IS NULL)
		UNION ALL
		SELECT 'item ' || p.item_id FROM item_proceeds p WHERE p.gross_cents <> p.intake_cents + p.storage_cents + p.shipping_cents
			+ p.commission_cents + p.net_cents OR p.net_cents <> (SELECT coalesce(sum(a.cents), 0) FROM donation_allocations a WHERE a.item_id = p.item_id)
		UNION ALL
		SELECT 'sale ' || s.id FROM sales s JOIN lots l ON l.id = s.lot_id WHERE s.voided_at IS NULL AND l.status <> 'PAID'`))
	require.Empty(t, bad, "unbalanced")
}

// beneficiaryOf is the SCS store's default beneficiary's global ID.
func beneficiaryOf(t *testing.T, tb *testBundle) string {
	t.Helper()
	var id int64
	require.NoError(t, tb.DB.Get(&id, `SELECT default_beneficiary_id FROM stores WHERE code = 'SCS'`))
	return sc.GlobalID(sc.KindBeneficiary, id)
}

// closeLots runs the closing job's service for each lot, as the job does at the lot's end.
func closeLots(t *testing.T, tb *testBundle, lots ...string) {
	t.Helper()
	for _, l := range lots {
		id, err := sc.ParseGlobalIDOf(l, sc.KindLot, "lot")
		require.NoError(t, err)
		res, err := tb.DB.CloseLot(sc.NewSystemContext(context.Background()), id)
		require.NoError(t, err)
		require.True(t, res.Closed)
	}
}

func downloadPDFText(t *testing.T, tb *testBundle, link string) string {
	t.Helper()
	resp, err := http.Get(tb.Server.URL + strings.TrimPrefix(link, "https://secondchance.test"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return pdfText(t, body)
}

func TestSoftCloseExtendsTheLotUpToItsCap(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	res := tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "a"))
	end, err := time.Parse(time.RFC3339, get(res.Data, "placeBid", "lot", "endsAt").(string))
	require.NoError(t, err)

	// A minute before the end, inside the two-minute window: the end moves to the bid plus two minutes.
	tb.Advance(time.Until(end) - time.Minute)
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "FLOOR", "6.00", "b"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	extended, err := time.Parse(time.RFC3339, get(res.Data, "placeBid", "lot", "endsAt").(string))
	require.NoError(t, err)
	require.InDelta(t, time.Minute.Seconds(), extended.Sub(end).Seconds(), 5)

	// The closing job at the old end finds the new one and waits for it.
	id, _ := sc.ParseGlobalIDOf(a.lot, sc.KindLot, "lot")
	tb.Advance(90 * time.Second)
	c, err := tb.DB.CloseLot(sc.NewSystemContext(context.Background()), id)
	require.NoError(t, err)
	require.False(t, c.Closed)
	require.WithinDuration(t, extended, c.EndsAt, time.Second)

	// A rejected bid never extends anything.
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 102, "FLOOR", "1.00", "c"))
	require.Equal(t, "input.amount BID_TOO_LOW", userError(t, get(res.Data, "placeBid")))
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Lot { endsAt events { kind } } } }`, map[string]any{"id": a.lot})
	stillEnds, err := time.Parse(time.RFC3339, get(res.Data, "node", "endsAt").(string))
	require.NoError(t, err)
	require.WithinDuration(t, extended, stillEnds, time.Second)
	var kinds []string
	for _, e := range get(res.Data, "node", "events").([]any) {
		kinds = append(kinds, get(e, "kind").(string))
	}
	require.Equal(t, []string{"OPENED", "BID", "BID", "EXTENDED"}, kinds)

	// Late bids keep extending, never past the cap (30 minutes past the scheduled end).
	for i := range 40 {
		tb.Advance(100 * time.Second)
		res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100+i%2, "FLOOR", fmt.Sprintf("%d.00", 10+i), fmt.Sprintf("late%d", i)))
		if userError(t, get(res.Data, "placeBid")) != "" {
			break
		}
	}
	var capped bool
	require.NoError(t, tb.DB.Get(&capped, `SELECT ends_at <= cap_at AND cap_at = scheduled_end + interval '30 minutes' FROM lots`))
	require.True(t, capped)
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "placeBid")), "after the cap the lot ends")
}

func TestLiveAuctionClerking(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	items := auctionItems(t, tb, 2)
	a := newAuction(t, tb, "LIVE", items[:1], money("10.00"))
	res := tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 1, "items": []any{map[string]any{"item": items[1], "estimate": money("2.00")}},
			"title": "Same number", "startingBid": money("1.00")}})
	require.Equal(t, "input.number CONFLICT", userError(t, get(res.Data, "addLot")))
	res = tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 2, "items": []any{map[string]any{"item": items[0], "estimate": money("2.00")}},
			"title": "Same item", "startingBid": money("1.00")}})
	require.Equal(t, "input.items.0.item ITEM_STATE", userError(t, get(res.Data, "addLot")), "an item in another live lot")
	res = tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 2, "items": []any{map[string]any{"item": items[1], "estimate": money("2.00")}},
			"title": "Cable", "startingBid": money("1.00"), "reserve": money("0.50")}})
	require.Equal(t, "input.reserve.amount INVALID", userError(t, get(res.Data, "addLot")), "a reserve below the starting bid")
	res = tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 2, "items": []any{map[string]any{"item": items[1], "estimate": money("2.00")}},
			"title": "Cable", "startingBid": money("1.00")}})
	lot2 := get(res.Data, "addLot", "lot", "id").(string)

	const change = `mutation($id: ID!) { %s(id: $id) { lot { ` + lotFields + ` } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "openLot"), map[string]any{"id": a.lot})
	require.Equal(t, "input.id LOT_STATE", userError(t, get(res.Data, "openLot")), "the auction opens first")
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "openLot"), map[string]any{"id": a.lot})
	require.Equal(t, "OPEN", get(res.Data, "openLot", "lot", "status"))
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "openLot"), map[string]any{"id": lot2})
	require.Equal(t, "input.id LOT_STATE", userError(t, get(res.Data, "openLot")), "one lot at a time")

	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "f1"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "PHONE", "12.00", "f2"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	retract := get(res.Data, "placeBid", "bid", "id")
	require.Equal(t, float64(101), get(res.Data, "placeBid", "lot", "leader", "number"))
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { retractBid(input: {bid: $id, reason: "misheard"}) { lot { `+lotFields+` } userErrors { field code } } }`,
		map[string]any{"id": retract})
	lot := get(res.Data, "retractBid", "lot")
	require.Equal(t, float64(100), get(lot, "leader", "number"), "as if the retracted bid had never been placed")
	require.Equal(t, "5.00", get(lot, "currentPrice", "amount"))
	require.Equal(t, false, get(lot, "reserveMet"))
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { retractBid(input: {bid: $id, reason: "again"}) { userErrors { field code } } }`, map[string]any{"id": retract})
	require.Equal(t, "input.bid CONFLICT", userError(t, get(res.Data, "retractBid")))

	// Hammered below the reserve: UNSOLD; hammering twice is refused.
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "hammerLot"), map[string]any{"id": a.lot})
	require.Equal(t, "UNSOLD", get(res.Data, "hammerLot", "lot", "status"))
	require.Equal(t, "RESERVE_NOT_MET", get(res.Data, "hammerLot", "lot", "unsoldReason"))
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "hammerLot"), map[string]any{"id": a.lot})
	require.Equal(t, "input.id LOT_STATE", userError(t, get(res.Data, "hammerLot")))

	// The next lot: sold to the floor.
	tb.Query(t, tb.Staff, fmt.Sprintf(change, "openLot"), map[string]any{"id": lot2})
	tb.Query(t, tb.Staff, placeBid, bid(lot2, 102, "FLOOR", "3.00", "g1"))
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "hammerLot"), map[string]any{"id": lot2})
	require.Equal(t, "SOLD", get(res.Data, "hammerLot", "lot", "status"))
	require.Equal(t, float64(102), get(res.Data, "hammerLot", "lot", "winner", "number"))
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Auction { status } } }`, map[string]any{"id": a.auction})
	require.Equal(t, "CLOSED", get(res.Data, "node", "status"))

	// The unsold lot is relisted into another auction with the same items, and sells there.
	b := newAuctionOnly(t, tb, "LIVE")
	res = tb.Query(t, tb.Staff, `mutation($in: RelistLotInput!) { relistLot(input: $in) { lot { id status relistedFrom { id } } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": a.lot, "auction": b, "number": 7}})
	require.Empty(t, userError(t, get(res.Data, "relistLot")))
	require.Equal(t, a.lot, get(res.Data, "relistLot", "lot", "relistedFrom", "id"))
	res = tb.Query(t, tb.Staff, `mutation($in: RelistLotInput!) { relistLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": lot2, "auction": b, "number": 8}})
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "relistLot")), "a sold lot is not relisted")

	// In the new auction the relisted lot sells, is paid and settles.
	res = tb.Query(t, tb.Staff, `mutation($a: ID!, $b: ID!) { assignPaddle(input: {auction: $a, bidder: $b}) { paddle { number } userErrors { code } } }`,
		map[string]any{"a": b, "b": a.bidders[1]})
	paddleB := int(get(res.Data, "assignPaddle", "paddle", "number").(float64))
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Auction { lots { nodes { id } } } } }`, map[string]any{"id": b})
	relisted := get(res.Data, "node", "lots", "nodes", 0, "id").(string)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": b})
	tb.Query(t, tb.Staff, fmt.Sprintf(change, "openLot"), map[string]any{"id": relisted})
	res = tb.Query(t, tb.Staff, placeBid, bid(relisted, paddleB, "FLOOR", "12.00", "r1"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	res = tb.Query(t, tb.Staff, fmt.Sprintf(change, "hammerLot"), map[string]any{"id": relisted})
	require.Equal(t, "SOLD", get(res.Data, "hammerLot", "lot", "status"))
	res = tb.Query(t, tb.Staff, `mutation($in: RecordLotPaymentInput!) { recordLotPayment(input: $in) { lot { status } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": relisted, "amount": money("12.00"), "method": "CHECK"}})
	require.Equal(t, "PAID", get(res.Data, "recordLotPayment", "lot", "status"))
	requireBalanced(t, tb)
	dbtest.Donations(t, tb.DB, "SCS", sc.FeeSchedule{IntakeCents: 50, AuctionCommissionBasisPoints: 1500})
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { ledgers { gross { amount } } userErrors { field code } } }`,
		map[string]any{"items": []any{items[0]}})
	require.Equal(t, "12.00", get(res.Data, "settleItems", "ledgers", 0, "gross", "amount"))
	requireBalanced(t, tb)
}

// newAuctionOnly creates an auction of kind without lots.
func newAuctionOnly(t *testing.T, tb *testBundle, kind string) string {
	t.Helper()
	res := tb.Query(t, tb.Staff, `mutation($in: CreateAuctionInput!) { createAuction(input: $in) { auction { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"title": "Spring sale", "kind": kind, "startsAt": time.Now().Add(time.Hour).Format(time.RFC3339)}})
	return get(res.Data, "createAuction", "auction", "id").(string)
}

func TestTheSameBidTwentyTimesAtOnceIsOneBid(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	var wg sync.WaitGroup
	ids := make([]any, 20)
	replayed := make([]any, 20)
	for i := range 20 {
		wg.Go(func() {
			res := tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "ABSENTEE", "40.00", "same-key"))
			ids[i], replayed[i] = get(res.Data, "placeBid", "bid", "id"), get(res.Data, "placeBid", "replayed")
		})
	}
	wg.Wait()
	n := 0
	for i := range ids {
		require.Equal(t, ids[0], ids[i])
		if replayed[i] == false {
			n++
		}
	}
	require.Equal(t, 1, n, "one first result, nineteen replays")
	var bids, events int
	require.NoError(t, tb.DB.Get(&bids, `SELECT count(*) FROM bids`))
	require.NoError(t, tb.DB.Get(&events, `SELECT count(*) FROM lot_events WHERE kind = 'BID'`))
	require.Equal(t, []int{1, 1}, []int{bids, events})

	// The key with another bid is a conflict, not a second bid.
	res := tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "FLOOR", "40.00", "same-key"))
	require.Equal(t, "input.idempotencyKey CONFLICT", userError(t, get(res.Data, "placeBid")))
}

func TestUnpaidWinnerAndSecondChanceOffer(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	items := auctionItems(t, tb, 1)
	a := newAuction(t, tb, "TIMED", items, nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "FLOOR", "8.00", "b1"))
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "ABSENTEE", "30.00", "b2"))
	tb.Advance(2 * time.Hour)
	closeLots(t, tb, a.lot)

	const unpaid = `mutation($id: ID!) { markLotUnpaid(id: $id) { lot { status } userErrors { field code } } }`
	res := tb.Query(t, tb.Staff, unpaid, map[string]any{"id": a.lot})
	require.Equal(t, "input.id LOT_STATE", userError(t, get(res.Data, "markLotUnpaid")), "the winner has 4 days to pay")
	tb.Advance(5 * 24 * time.Hour)
	res = tb.Query(t, tb.Staff, unpaid, map[string]any{"id": a.lot})
	require.Equal(t, "UNPAID", get(res.Data, "markLotUnpaid", "lot", "status"))
	requireBalanced(t, tb)
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Bidder { unpaidStrikes blocked } } }`, map[string]any{"id": a.bidders[0]})
	require.Equal(t, map[string]any{"unpaidStrikes": float64(1), "blocked": false}, get(res.Data, "node"))

	const offer = `mutation($in: MakeSecondChanceOfferInput!) { makeSecondChanceOffer(input: $in) { offer { id price { amount } status } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, offer, map[string]any{"in": map[string]any{"lot": a.lot, "bidder": a.bidders[0], "days": 3}})
	require.Equal(t, "input.bidder INVALID", userError(t, get(res.Data, "makeSecondChanceOffer")), "not to the winner itself")
	res = tb.Query(t, tb.Staff, offer, map[string]any{"in": map[string]any{"lot": a.lot, "bidder": a.bidders[1], "days": 2}})
	require.Equal(t, "input.days INVALID", userError(t, get(res.Data, "makeSecondChanceOffer")))
	res = tb.Query(t, tb.Staff, offer, map[string]any{"in": map[string]any{"lot": a.lot, "bidder": a.bidders[2], "days": 3}})
	require.Equal(t, "input.bidder NOT_FOUND", userError(t, get(res.Data, "makeSecondChanceOffer")), "a bidder without a bid on the lot")
	res = tb.Query(t, tb.Staff, offer, map[string]any{"in": map[string]any{"lot": a.lot, "bidder": a.bidders[1], "days": 3}})
	require.Equal(t, map[string]any{"amount": "8.00"}, get(res.Data, "makeSecondChanceOffer", "offer", "price"), "at the bidder's own highest bid")
	offerID := get(res.Data, "makeSecondChanceOffer", "offer", "id")
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { decideSecondChanceOffer(input: {offer: $id, accept: true}) { offer { status } userErrors { field code } } }`,
		map[string]any{"id": offerID})
	require.Equal(t, "ACCEPTED", get(res.Data, "decideSecondChanceOffer", "offer", "status"))
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Lot { status winner { number } hammerPrice { amount } } } }`, map[string]any{"id": a.lot})
	require.Equal(t, map[string]any{"status": "SOLD", "winner": map[string]any{"number": float64(101)}, "hammerPrice": map[string]any{"amount": "8.00"}},
		get(res.Data, "node"))
	res = tb.Query(t, tb.Staff, `mutation($in: RecordLotPaymentInput!) { recordLotPayment(input: $in) { lot { status } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": a.lot, "amount": money("8.00"), "method": "CASH"}})
	require.Equal(t, "PAID", get(res.Data, "recordLotPayment", "lot", "status"))
	dbtest.Donations(t, tb.DB, "SCS", sc.FeeSchedule{})
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { ledgers { gross { amount } } userErrors { field code } } }`,
		map[string]any{"items": []any{items[0]}})
	require.Equal(t, "8.00", get(res.Data, "settleItems", "ledgers", 0, "gross", "amount"))
	requireBalanced(t, tb)
}

func TestLotAndBidderRulesRefuseAndWriteNothing(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	forSale := dbtest.Item(t, tb.DB, &dbtest.ItemOpts{Status: ptr(sc.ItemListed)}).GlobalID()
	own := auctionItems(t, tb, 1)[0]
	const addLot = `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`
	lot := func(auction, item string) map[string]any {
		return map[string]any{"in": map[string]any{"auction": auction, "number": 9, "title": "x", "startingBid": money("1.00"),
			"items": []any{map[string]any{"item": item, "estimate": money("1.00")}}}}
	}
	res := tb.Query(t, tb.Staff, addLot, lot(a.auction, forSale))
	require.Equal(t, "input.items.0.item ITEM_STATE", userError(t, get(res.Data, "addLot")), "an item routed to SALE")

	// Another store's staff: the SCS item does not exist for them, nor the SCS auction.
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTB")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTB"})
	require.NoError(t, err)
	res = tb.Query(t, other, `mutation { createAuction(input: {title: "Theirs", kind: LIVE, startsAt: "2027-01-01T00:00:00Z"}) { auction { id } } }`, nil)
	theirs := get(res.Data, "createAuction", "auction", "id").(string)
	res = tb.Query(t, other, addLot, lot(theirs, own))
	require.Equal(t, "input.items.0.item NOT_FOUND", userError(t, get(res.Data, "addLot")), "another store's item")
	res = tb.Query(t, other, addLot, lot(a.auction, own))
	require.Equal(t, "input.auction NOT_FOUND", userError(t, get(res.Data, "addLot")), "another store's auction")
	var lots int
	require.NoError(t, tb.DB.Get(&lots, `SELECT count(*) FROM lots`))
	require.Equal(t, 1, lots, "nothing written")

	// A blocked bidder's paddle bids nothing; unblocked, it does.
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	const block = `mutation($b: ID!, $on: Boolean!, $why: String!) { setBidderBlocked(input: {bidder: $b, blocked: $on, reason: $why}) { bidder { blocked blockReason } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, block, map[string]any{"b": a.bidders[0], "on": true, "why": ""})
	require.Equal(t, "input.reason INVALID", userError(t, get(res.Data, "setBidderBlocked")), "blocking says why")
	res = tb.Query(t, tb.Staff, block, map[string]any{"b": a.bidders[0], "on": true, "why": "bounced a check"})
	require.Equal(t, map[string]any{"blocked": true, "blockReason": "bounced a check"}, get(res.Data, "setBidderBlocked", "bidder"))
	res = tb.Query(t, other, block, map[string]any{"b": a.bidders[0], "on": false, "why": ""})
	require.Equal(t, "input.bidder NOT_FOUND", userError(t, get(res.Data, "setBidderBlocked")), "another store's bidder")
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "blk"))
	require.Equal(t, "input.paddle BIDDER_BLOCKED", userError(t, get(res.Data, "placeBid")))
	tb.Query(t, tb.Staff, block, map[string]any{"b": a.bidders[0], "on": false, "why": ""})
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "blk"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))

	// A retraction of an unknown bid, or of another store's, is NOT_FOUND.
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { retractBid(input: {bid: $id, reason: "x"}) { userErrors { field code } } }`,
		map[string]any{"id": sc.GlobalID(sc.KindBid, 999999)})
	require.Equal(t, "input.bid NOT_FOUND", userError(t, get(res.Data, "retractBid")))
	var mine int64
	require.NoError(t, tb.DB.Get(&mine, `SELECT id FROM bids`))
	res = tb.Query(t, other, `mutation($id: ID!) { retractBid(input: {bid: $id, reason: "x"}) { userErrors { field code } } }`,
		map[string]any{"id": sc.GlobalID(sc.KindBid, mine)})
	require.Equal(t, "input.bid NOT_FOUND", userError(t, get(res.Data, "retractBid")))
}

func TestTwoUnpaidWinsBlockTheBidder(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	items := auctionItems(t, tb, 2)
	a := newAuction(t, tb, "TIMED", items[:1], nil)
	res := tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"auction": a.auction, "number": 2, "title": "Second", "startingBid": money("1.00"),
			"items": []any{map[string]any{"item": items[1], "estimate": money("1.00")}}}})
	second := get(res.Data, "addLot", "lot", "id").(string)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	for _, l := range []string{a.lot, second} {
		res := tb.Query(t, tb.Staff, placeBid, bid(l, 100, "FLOOR", "5.00", "u"+l))
		require.Empty(t, userError(t, get(res.Data, "placeBid")))
	}
	tb.Advance(2 * time.Hour)
	closeLots(t, tb, a.lot, second)
	tb.Advance(5 * 24 * time.Hour)
	for _, l := range []string{a.lot, second} {
		res := tb.Query(t, tb.Staff, `mutation($id: ID!) { markLotUnpaid(id: $id) { lot { status } userErrors { field code } } }`, map[string]any{"id": l})
		require.Equal(t, "UNPAID", get(res.Data, "markLotUnpaid", "lot", "status"))
	}
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Bidder { unpaidStrikes blocked blockReason } } }`, map[string]any{"id": a.bidders[0]})
	require.Equal(t, map[string]any{"unpaidStrikes": float64(2), "blocked": true, "blockReason": "2 unpaid wins"}, get(res.Data, "node"),
		"the store's limit is 2 unpaid wins")
}

func TestCancellingAnAuctionWithoutBidsFreesItsItems(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	items := auctionItems(t, tb, 1)
	a := newAuction(t, tb, "TIMED", items, nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	const cancel = `mutation($id: ID!) { cancelAuction(id: $id) { auction { status } userErrors { field code } } }`
	res := tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "c1"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	res = tb.Query(t, tb.Staff, cancel, map[string]any{"id": a.auction})
	require.Equal(t, "input.id LOT_STATE", userError(t, get(res.Data, "cancelAuction")), "not after a bid")

	b := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": b.auction})
	res = tb.Query(t, tb.Staff, cancel, map[string]any{"id": b.auction})
	require.Equal(t, "CANCELLED", get(res.Data, "cancelAuction", "auction", "status"))
	res = tb.Query(t, tb.Staff, placeBid, bid(b.lot, 100, "FLOOR", "5.00", "c2"))
	require.Equal(t, "input.lot LOT_STATE", userError(t, get(res.Data, "placeBid")), "a cancelled auction takes no bid")
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Lot { status events { sequence kind } } } }`, map[string]any{"id": b.lot})
	require.Equal(t, "UNSOLD", get(res.Data, "node", "status"))
	require.Equal(t, []any{map[string]any{"sequence": float64(1), "kind": "OPENED"}, map[string]any{"sequence": float64(2), "kind": "UNSOLD"}},
		get(res.Data, "node", "events"))
	c := newAuctionOnly(t, tb, "LIVE")
	res = tb.Query(t, tb.Staff, `mutation($in: RelistLotInput!) { relistLot(input: $in) { lot { status } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"lot": b.lot, "auction": c, "number": 1}})
	require.Equal(t, "PENDING", get(res.Data, "relistLot", "lot", "status"), "its items go into another lot")
}

func TestALotKeepsTheIncrementTableInForceWhenItOpened(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	const set = `mutation($steps: [IncrementStepInput!]!) { setIncrementTable(input: {steps: $steps}) { table { version steps { from { amount } increment { amount } } } userErrors { field code } } }`
	step := func(from, inc string) map[string]any {
		return map[string]any{"from": money(from), "increment": money(inc)}
	}
	res := tb.Query(t, tb.Staff, `{ me { store { incrementTable { version steps { from { amount } increment { amount } } } } } }`, nil)
	require.Equal(t, float64(0), get(res.Data, "me", "store", "incrementTable", "version"), "the default table")
	require.Equal(t, map[string]any{"from": map[string]any{"amount": "0.00"}, "increment": map[string]any{"amount": "0.05"}},
		get(res.Data, "me", "store", "incrementTable", "steps", 0))

	res = tb.Query(t, tb.Staff, set, map[string]any{"steps": []any{step("0", "1.00"), step("50.00", "0.50")}})
	require.NotEmpty(t, userError(t, get(res.Data, "setIncrementTable")), "increments never shrink as the price grows")
	res = tb.Query(t, tb.Staff, set, map[string]any{"steps": []any{step("0", "2.00")}})
	require.Equal(t, float64(1), get(res.Data, "setIncrementTable", "table", "version"))

	a := newAuction(t, tb, "LIVE", auctionItems(t, tb, 1), nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openLot(id: $id) { lot { status } } }`, map[string]any{"id": a.lot})
	res = tb.Query(t, tb.Staff, set, map[string]any{"steps": []any{step("0", "5.00")}})
	require.Equal(t, float64(2), get(res.Data, "setIncrementTable", "table", "version"))
	res = tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "i1"))
	require.Equal(t, "7.00", get(res.Data, "placeBid", "lot", "minimumBid", "amount"), "the table of version 1, in force when the lot opened")
}
