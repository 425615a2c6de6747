package http_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

const receiveParcel = `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) {
	parcel { id matched trackingNumber returnAuthorization { code status } items { line rmaLine description grade photoUrls }
		discrepancies { kind rmaLine note } }
	userErrors { field code message } } }`

func TestReceiveParcels(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	newRMA := func(order string) (id, code string) {
		res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput(order)})
		rma := get(res.Data, "createReturnAuthorization", "returnAuthorization")
		return get(rma, "id").(string), get(rma, "code").(string)
	}
	_, code := newRMA("S1-0")

	// The speaker came back, the cable did not, and something else did.
	res := tb.Query(t, tb.Staff, receiveParcel, map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{
		map[string]any{"rmaLine": 1, "description": "Bluetooth speaker", "grade": "GOOD", "photoUrls": []any{"https://photos.example.com/p1.jpg"}},
		map[string]any{"description": "A brick", "grade": "UNSELLABLE", "notes": "in place of the cable"},
	}}})
	require.Empty(t, res.Errors)
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	p := get(res.Data, "receiveParcel", "parcel")
	require.Equal(t, true, get(p, "matched"))
	require.Equal(t, "RECEIVED", get(p, "returnAuthorization", "status"))
	require.Equal(t, []any{"https://photos.example.com/p1.jpg"}, get(p, "items", 0, "photoUrls"))
	kinds := []string{}
	for _, d := range get(p, "discrepancies").([]any) {
		kinds = append(kinds, get(d, "kind").(string))
	}
	require.Equal(t, []string{"DIFFERENT_ITEM", "MISSING_ITEM"}, kinds)

	// The seller sees what was received and the discrepancies: evidence for a report.
	res = tb.Query(t, tb.SellerA, `{ returnAuthorizations { nodes { status parcel { items { description grade } discrepancies { kind rmaLine } } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, "RECEIVED", get(res.Data, "returnAuthorizations", "nodes", 0, "status"))
	require.Equal(t, map[string]any{"kind": "MISSING_ITEM", "rmaLine": 2.0}, get(res.Data, "returnAuthorizations", "nodes", 0, "parcel", "discrepancies", 1))

	// A tracked parcel that held nothing.
	id2, _ := newRMA("S1-1")
	res = tb.Query(t, tb.SellerA, `mutation($id: ID!) { addReturnTracking(input: {id: $id, trackingNumber: "9400111899223344556677"}) { userErrors { code } } }`, map[string]any{"id": id2})
	require.Empty(t, get(res.Data, "addReturnTracking", "userErrors"))
	res = tb.Query(t, tb.Staff, receiveParcel, map[string]any{"input": map[string]any{"trackingNumber": "9400 1118 9922 3344 5566 77", "items": []any{}}})
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	require.Equal(t, "EMPTY_BOX", get(res.Data, "receiveParcel", "parcel", "discrepancies", 0, "kind"))

	// A parcel without an authorisation is logged unmatched.
	res = tb.Query(t, tb.Staff, receiveParcel, map[string]any{"input": map[string]any{"items": []any{
		map[string]any{"description": "Kettle", "grade": "LIKE_NEW"}}, "notes": "no label"}})
	require.Equal(t, false, get(res.Data, "receiveParcel", "parcel", "matched"))
	require.Empty(t, get(res.Data, "receiveParcel", "parcel", "discrepancies"))
	res = tb.Query(t, tb.Staff, `{ all: parcels { totalCount } unmatched: parcels(unmatchedOnly: true) { totalCount nodes { items { description } } } }`, nil)
	require.EqualValues(t, 3, get(res.Data, "all", "totalCount"))
	require.EqualValues(t, 1, get(res.Data, "unmatched", "totalCount"))

	// Staff of another store see none of this store's returns.
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTH")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTH"})
	require.NoError(t, err)
	_, code3 := newRMA("S1-2")
	res = tb.Query(t, other, `{ parcels { totalCount } returnAuthorizations { totalCount } }`, nil)
	require.EqualValues(t, 0, get(res.Data, "parcels", "totalCount"))
	require.EqualValues(t, 0, get(res.Data, "returnAuthorizations", "totalCount"))

	item := map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "NEW"}
	for _, tc := range []struct {
		name        string
		token       string
		in          map[string]any
		field, code string
	}{
		{"ErrOtherStore", other, map[string]any{"rmaCode": code3, "items": []any{item}}, "input.rmaCode", "NOT_FOUND"},
		{"ErrUnknownCode", tb.Staff, map[string]any{"rmaCode": "RMA-NOPE", "items": []any{item}}, "input.rmaCode", "NOT_FOUND"},
		{"ErrReceivedTwice", tb.Staff, map[string]any{"rmaCode": code, "items": []any{item}}, "input.rmaCode", "RMA_NOT_OPEN"},
		{"ErrNoSuchLine", tb.Staff, map[string]any{"rmaCode": code3, "items": []any{map[string]any{"rmaLine": 9, "description": "x", "grade": "NEW"}}}, "input.items.0.rmaLine", "INVALID"},
		{"ErrPhotoURL", tb.Staff, map[string]any{"rmaCode": code3, "items": []any{map[string]any{"description": "x", "grade": "NEW", "photoUrls": []any{"file:///etc/passwd"}}}}, "input.items.0.photoUrls.0", "INVALID"},
		{"ErrBadTracking", tb.Staff, map[string]any{"trackingNumber": "?", "items": []any{}}, "input.trackingNumber", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before int
			require.NoError(t, tb.DB.Get(&before, `SELECT count(*) FROM parcels`))
			res := tb.Query(t, tc.token, receiveParcel, map[string]any{"input": tc.in})
			require.Empty(t, res.Errors)
			ue := get(res.Data, "receiveParcel", "userErrors", 0)
			var f []string
			for _, x := range get(ue, "field").([]any) {
				f = append(f, x.(string))
			}
			require.Equal(t, tc.field+" "+tc.code, strings.Join(f, ".")+" "+get(ue, "code").(string))
			var after int
			require.NoError(t, tb.DB.Get(&after, `SELECT count(*) FROM parcels`))
			require.Equal(t, before, after)
		})
	}
	res = tb.Query(t, tb.SellerA, receiveParcel, map[string]any{"input": map[string]any{"items": []any{}}})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	pid := get(p, "id")
	res = tb.Query(t, tb.SellerA, `query($id: ID!) { node(id: $id) { ... on Parcel { matched } } }`, map[string]any{"id": pid})
	require.Equal(t, true, get(res.Data, "node", "matched"), "the seller whose return it is")
	res = tb.Query(t, tb.SellerB, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": pid})
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
	res = tb.Query(t, other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": pid})
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes(), "another store's staff")
	res = tb.Query(t, tb.Staff, receiveParcel, map[string]any{"input": map[string]any{"items": []any{map[string]any{"description": "x", "grade": "SHINY"}}}})
	require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, res.Codes())
}

func TestMatchParcel(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-0")})
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code").(string)
	// The label fell off: the parcel is logged unmatched, then matched when staff find the RMA.
	res = tb.Query(t, tb.Staff, receiveParcel, map[string]any{"input": map[string]any{"items": []any{
		map[string]any{"description": "USB cable", "grade": "GOOD"}, map[string]any{"description": "Mug", "grade": "FAIR"}}}})
	pid := get(res.Data, "receiveParcel", "parcel", "id")
	const match = `mutation($input: MatchParcelInput!) { matchParcel(input: $input) {
		parcel { matched returnAuthorization { code status } items { line rmaLine } discrepancies { kind rmaLine } } userErrors { field code } } }`
	for _, tc := range []struct {
		name        string
		token       string
		in          map[string]any
		field, code string
	}{
		{"ErrNoSuchItem", tb.Staff, map[string]any{"parcel": pid, "rmaCode": code, "lines": []any{map[string]any{"item": 3, "rmaLine": 1}}}, "input.lines.0.item", "INVALID"},
		{"ErrNoSuchLine", tb.Staff, map[string]any{"parcel": pid, "rmaCode": code, "lines": []any{map[string]any{"item": 1, "rmaLine": 7}}}, "input.lines.0.rmaLine", "INVALID"},
		{"ErrUnknownCode", tb.Staff, map[string]any{"parcel": pid, "rmaCode": "RMA-NOPE", "lines": []any{}}, "input.rmaCode", "NOT_FOUND"},
		{"ErrNotAParcel", tb.Staff, map[string]any{"parcel": sc.GlobalID(sc.KindOrder, 1), "rmaCode": code, "lines": []any{}}, "input.parcel", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tc.token, match, map[string]any{"input": tc.in})
			ue := get(res.Data, "matchParcel", "userErrors", 0)
			var f []string
			for _, x := range get(ue, "field").([]any) {
				f = append(f, x.(string))
			}
			require.Equal(t, tc.field+" "+tc.code, strings.Join(f, ".")+" "+get(ue, "code").(string))
		})
	}
	res = tb.Query(t, tb.Staff, match, map[string]any{"input": map[string]any{"parcel": pid, "rmaCode": code, "lines": []any{map[string]any{"item": 1, "rmaLine": 2}}}})
	require.Empty(t, get(res.Data, "matchParcel", "userErrors"))
	p := get(res.Data, "matchParcel", "parcel")
	require.Equal(t, true, get(p, "matched"))
	require.Equal(t, "RECEIVED", get(p, "returnAuthorization", "status"))
	require.Equal(t, 2.0, get(p, "items", 0, "rmaLine"))
	require.Equal(t, []any{map[string]any{"kind": "DIFFERENT_ITEM", "rmaLine": nil}, map[string]any{"kind": "MISSING_ITEM", "rmaLine": 1.0}}, get(p, "discrepancies"))
	res = tb.Query(t, tb.Staff, match, map[string]any{"input": map[string]any{"parcel": pid, "rmaCode": code, "lines": []any{}}})
	require.Equal(t, "CONFLICT", get(res.Data, "matchParcel", "userErrors", 0, "code"), "matched once")
	res = tb.Query(t, tb.SellerA, match, map[string]any{"input": map[string]any{"parcel": pid, "rmaCode": code, "lines": []any{}}})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
}

// TestSharedTrackingNumberMatchesNoOne: seller B puts seller A's tracking number on its own
// return first. Both are accepted alike, so neither learns of the other; but staff receiving A's
// parcel by that number get it unmatched with both returns as candidates, and B never sees A's
// goods. Staff then match it to A's return.
func TestSharedTrackingNumberMatchesNoOne(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	const tracking = "1Z999AA10123456784"
	const addTracking = `mutation($id: ID!, $n: String!) { addReturnTracking(input: {id: $id, trackingNumber: $n}) {
		returnAuthorization { status trackingNumber } userErrors { field code } } }`
	newRMA := func(token, order string) (id, code string) {
		res := tb.Query(t, token, createRMA, map[string]any{"input": rmaInput(order)})
		rma := get(res.Data, "createReturnAuthorization", "returnAuthorization")
		id, code = get(rma, "id").(string), get(rma, "code").(string)
		res = tb.Query(t, token, addTracking, map[string]any{"id": id, "n": tracking})
		require.Empty(t, res.Errors)
		require.Empty(t, get(res.Data, "addReturnTracking", "userErrors"), "a shared number is accepted: refusing it would tell a seller another return has it")
		require.Equal(t, map[string]any{"status": "IN_TRANSIT", "trackingNumber": tracking}, get(res.Data, "addReturnTracking", "returnAuthorization"))
		return id, code
	}
	_, codeB := newRMA(tb.SellerB, "S2-0") // the attacker's return, first
	_, codeA := newRMA(tb.SellerA, "S1-0")

	res := tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) {
		parcel { id matched returnAuthorization { code } trackingNumber items { rmaLine description } candidates { code status } } userErrors { field code } } }`,
		map[string]any{"input": map[string]any{"trackingNumber": "1z 999 aa1 0123456784", "notes": "A's speaker, boxed", "items": []any{
			map[string]any{"rmaLine": 1, "description": "Bluetooth speaker", "grade": "GOOD"}}}})
	require.Empty(t, res.Errors)
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	p := get(res.Data, "receiveParcel", "parcel")
	require.Equal(t, false, get(p, "matched"), "matched to neither return")
	require.Nil(t, get(p, "returnAuthorization"))
	require.Equal(t, tracking, get(p, "trackingNumber"))
	require.Equal(t, []any{map[string]any{"rmaLine": nil, "description": "Bluetooth speaker"}}, get(p, "items"), "no line until staff match it")
	require.Equal(t, []any{map[string]any{"code": codeB, "status": "IN_TRANSIT"}, map[string]any{"code": codeA, "status": "IN_TRANSIT"}}, get(p, "candidates"))
	parcel := get(p, "id")

	// Neither seller sees the parcel; both returns are still in transit.
	for _, token := range []string{tb.SellerA, tb.SellerB} {
		res = tb.Query(t, token, `{ returnAuthorizations { nodes { status parcel { id } } } }`, nil)
		require.Empty(t, res.Errors)
		require.Equal(t, []any{map[string]any{"status": "IN_TRANSIT", "parcel": nil}}, get(res.Data, "returnAuthorizations", "nodes"))
		res = tb.Query(t, token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": parcel})
		require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
	}
	res = tb.Query(t, tb.Staff, `{ parcels(unmatchedOnly: true) { nodes { id candidates { code } } } }`, nil)
	require.Equal(t, []any{map[string]any{"id": parcel, "candidates": []any{map[string]any{"code": codeB}, map[string]any{"code": codeA}}}}, get(res.Data, "parcels", "nodes"))

	// Staff choose A's return.
	res = tb.Query(t, tb.Staff, `mutation($input: MatchParcelInput!) { matchParcel(input: $input) { parcel { matched candidates { code } } userErrors { code } } }`,
		map[string]any{"input": map[string]any{"parcel": parcel, "rmaCode": codeA, "lines": []any{map[string]any{"item": 1, "rmaLine": 1}}}})
	require.Empty(t, get(res.Data, "matchParcel", "userErrors"))
	require.Equal(t, map[string]any{"matched": true, "candidates": []any{}}, get(res.Data, "matchParcel", "parcel"))
	res = tb.Query(t, tb.SellerA, `{ returnAuthorizations { nodes { status parcel { notes items { description } } } } }`, nil)
	require.Equal(t, []any{map[string]any{"status": "RECEIVED", "parcel": map[string]any{"notes": "A's speaker, boxed",
		"items": []any{map[string]any{"description": "Bluetooth speaker"}}}}}, get(res.Data, "returnAuthorizations", "nodes"))
	res = tb.Query(t, tb.SellerB, `{ returnAuthorizations { nodes { status parcel { id } } } }`, nil)
	require.Equal(t, []any{map[string]any{"status": "IN_TRANSIT", "parcel": nil}}, get(res.Data, "returnAuthorizations", "nodes"), "B sees none of A's goods")

	// The candidates are the store's to read: the seller that owns the parcel is refused them.
	res = tb.Query(t, tb.SellerA, `query($id: ID!) { node(id: $id) { ... on Parcel { candidates { code } } } }`, map[string]any{"id": parcel})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())

	// A number only one open return carries still matches it at once.
	res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { matched returnAuthorization { code } candidates { code } } userErrors { code } } }`,
		map[string]any{"input": map[string]any{"trackingNumber": tracking, "items": []any{}}})
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	require.Equal(t, map[string]any{"matched": true, "returnAuthorization": map[string]any{"code": codeB}, "candidates": []any{}}, get(res.Data, "receiveParcel", "parcel"))
}
