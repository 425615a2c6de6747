package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

const createRMA = `mutation($input: CreateReturnAuthorizationInput!) { createReturnAuthorization(input: $input) {
	returnAuthorization { id code status trackingNumber addressBlock instructions expiresAt order { number } store { code }
		report { reason } items { line description quantity category declaredValue { amount currency } } }
	userErrors { field code message } } }`

func rmaInput(order string) map[string]any {
	return map[string]any{"orderNumber": order, "items": []any{
		map[string]any{"description": "Bluetooth speaker", "quantity": 1, "category": "Electronics", "declaredValue": map[string]any{"amount": "49.90", "currency": "USD"}},
		map[string]any{"description": "USB cable", "quantity": 2, "category": "Electronics", "declaredValue": map[string]any{"amount": "5", "currency": "USD"}},
	}}
}

func TestReturnAuthorizations(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := tb.Query(t, tb.SellerA, `{ returnAddress { name returnAddress { recipient line1 city region postalCode country } } }`, nil)
	require.Equal(t, map[string]any{"recipient": "Margo Gibson", "line1": "11415 E. 23rd Street", "city": "Independence",
		"region": "MO", "postalCode": "64052", "country": "US"}, get(res.Data, "returnAddress", "returnAddress"))

	rep := reportAs(t, tb, tb.SellerA, reportInput("S1-0", sc.ReasonEmptyBoxOrSwappedReturn))
	in := rmaInput("S1-0")
	in["report"] = get(rep.Data, "reportBuyer", "report", "id")
	res = tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": in})
	require.Empty(t, res.Errors)
	require.Empty(t, get(res.Data, "createReturnAuthorization", "userErrors"))
	rma := get(res.Data, "createReturnAuthorization", "returnAuthorization")
	code := get(rma, "code").(string)
	require.Regexp(t, `^RMA-[2-9A-HJKMNP-Z]{8}$`, code)
	require.Equal(t, "AUTHORIZED", get(rma, "status"))
	require.Equal(t, "SCS", get(rma, "store", "code"))
	require.Equal(t, "EMPTY_BOX_OR_SWAPPED_RETURN", get(rma, "report", "reason"))
	require.Equal(t, "Margo Gibson\n"+code+"\n11415 E. 23rd Street\nIndependence, MO 64052\nUS", get(rma, "addressBlock"))
	require.Contains(t, get(rma, "instructions"), "Write the code "+code+" clearly on the outside of the parcel")
	require.Equal(t, map[string]any{"line": 2.0, "description": "USB cable", "quantity": 2.0, "category": "Electronics",
		"declaredValue": map[string]any{"amount": "5.00", "currency": "USD"}}, get(rma, "items", 1))
	id := get(rma, "id").(string)

	rmaErr := func(t *testing.T, token string, in map[string]any) (string, string) {
		t.Helper()
		res := tb.Query(t, token, createRMA, map[string]any{"input": in})
		require.Empty(t, res.Errors)
		require.Nil(t, get(res.Data, "createReturnAuthorization", "returnAuthorization"))
		ue := get(res.Data, "createReturnAuthorization", "userErrors", 0)
		var f []string
		for _, p := range get(ue, "field").([]any) {
			f = append(f, p.(string))
		}
		return strings.Join(f, "."), get(ue, "code").(string)
	}
	for _, tc := range []struct {
		name        string
		edit        func(map[string]any)
		field, code string
	}{
		{"ErrOpenAlready", func(in map[string]any) {}, "input.orderNumber", "CONFLICT"},
		{"ErrNotOwned", func(in map[string]any) { in["orderNumber"] = "S2-0" }, "input.orderNumber", "ORDER_NOT_OWNED"},
		{"ErrUnknownOrder", func(in map[string]any) { in["orderNumber"] = "NOPE" }, "input.orderNumber", "NOT_FOUND"},
		{"ErrNoItems", func(in map[string]any) { in["orderNumber"], in["items"] = "S1-1", []any{} }, "input.items", "INVALID"},
		{"ErrQuantity", func(in map[string]any) {
			in["orderNumber"] = "S1-1"
			in["items"].([]any)[0].(map[string]any)["quantity"] = 0
		}, "input.items.0.quantity", "INVALID"},
		{"ErrNegativeValue", func(in map[string]any) {
			in["orderNumber"] = "S1-1"
			in["items"].([]any)[1].(map[string]any)["declaredValue"] = map[string]any{"amount": "-1", "currency": "USD"}
		}, "input.items.1.declaredValue.amount", "INVALID"},
		{"ErrWrongCurrency", func(in map[string]any) {
			in["orderNumber"] = "S1-1"
			in["items"].([]any)[1].(map[string]any)["declaredValue"] = map[string]any{"amount": "1", "currency": "EUR"}
		}, "input.items.1.declaredValue.currency", "INVALID"},
		{"ErrReportOfAnotherOrder", func(in map[string]any) {
			in["orderNumber"], in["report"] = "S1-1", get(rep.Data, "reportBuyer", "report", "id")
		}, "input.report", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before int
			require.NoError(t, tb.DB.Get(&before, `SELECT count(*) FROM return_authorizations`))
			in := rmaInput("S1-0")
			tc.edit(in)
			field, code := rmaErr(t, tb.SellerA, in)
			require.Equal(t, tc.field+" "+tc.code, field+" "+code)
			var after int
			require.NoError(t, tb.DB.Get(&after, `SELECT count(*) FROM return_authorizations`))
			require.Equal(t, before, after)
		})
	}
	for name, token := range map[string]string{"ErrStaffCreates": tb.Staff, "ErrAdminCreates": tb.Admin} {
		res := tb.Query(t, token, createRMA, map[string]any{"input": rmaInput("S1-1")})
		require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), name)
	}

	const track = `mutation($id: ID!, $n: String!) { addReturnTracking(input: {id: $id, trackingNumber: $n}) { returnAuthorization { status trackingNumber } userErrors { field code } } }`
	const cancel = `mutation($id: ID!) { cancelReturnAuthorization(input: {id: $id}) { returnAuthorization { status } userErrors { field code message } } }`
	res = tb.Query(t, tb.SellerA, track, map[string]any{"id": id, "n": "no!"})
	require.Equal(t, []any{"input", "trackingNumber"}, get(res.Data, "addReturnTracking", "userErrors", 0, "field"))
	res = tb.Query(t, tb.SellerB, track, map[string]any{"id": id, "n": "1Z999AA10123456784"})
	require.Equal(t, "NOT_FOUND", get(res.Data, "addReturnTracking", "userErrors", 0, "code"), "another seller's return does not exist for it")
	res = tb.Query(t, tb.SellerA, track, map[string]any{"id": id, "n": "1z 999 aa1 0123456784"})
	require.Equal(t, map[string]any{"status": "IN_TRANSIT", "trackingNumber": "1Z999AA10123456784"}, get(res.Data, "addReturnTracking", "returnAuthorization"))
	res = tb.Query(t, tb.SellerA, cancel, map[string]any{"id": id})
	require.Equal(t, "RMA_NOT_OPEN", get(res.Data, "cancelReturnAuthorization", "userErrors", 0, "code"))

	// Another return: cancelled while authorised, then not again.
	res = tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-1")})
	second := get(res.Data, "createReturnAuthorization", "returnAuthorization", "id")
	res = tb.Query(t, tb.SellerA, cancel, map[string]any{"id": second})
	require.Equal(t, "CANCELLED", get(res.Data, "cancelReturnAuthorization", "returnAuthorization", "status"))
	res = tb.Query(t, tb.SellerA, cancel, map[string]any{"id": second})
	require.Equal(t, "RMA_NOT_OPEN", get(res.Data, "cancelReturnAuthorization", "userErrors", 0, "code"))

	// An authorisation the buyer never used expires; the order can be authorised again.
	res = tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-2")})
	third := get(res.Data, "createReturnAuthorization", "returnAuthorization", "id").(string)
	_, n, _ := sc.ParseGlobalID(third)
	_, err := tb.DB.Exec(`UPDATE return_authorizations SET expires_at = now() - interval '1 day' WHERE id = $1`, n)
	require.NoError(t, err)
	res = tb.Query(t, tb.SellerA, `query($id: ID!) { node(id: $id) { ... on ReturnAuthorization { status } } }`, map[string]any{"id": third})
	require.Equal(t, "EXPIRED", get(res.Data, "node", "status"))
	res = tb.Query(t, tb.SellerA, track, map[string]any{"id": third, "n": "1Z999AA10123456784"})
	require.Equal(t, "RMA_NOT_OPEN", get(res.Data, "addReturnTracking", "userErrors", 0, "code"))
	res = tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-2")})
	require.Empty(t, get(res.Data, "createReturnAuthorization", "userErrors"))

	// Who sees what; a page costs the same whatever its size.
	const list = `query($s: RMAStatus) { returnAuthorizations(first: 100, filter: {status: $s}) { totalCount nodes { code status order { number } items { description } } } }`
	for _, c := range []struct {
		token  string
		status any
		want   int
	}{{tb.SellerA, nil, 4}, {tb.SellerA, "EXPIRED", 1}, {tb.SellerA, "IN_TRANSIT", 1}, {tb.SellerA, "AUTHORIZED", 1}, {tb.SellerB, nil, 0}, {tb.Staff, nil, 4}, {tb.Admin, nil, 4}} {
		before := tb.DB.Statements()
		res := tb.Query(t, c.token, list, map[string]any{"s": c.status})
		require.Empty(t, res.Errors)
		require.EqualValues(t, c.want, get(res.Data, "returnAuthorizations", "totalCount"), fmt.Sprint(c.status))
		if c.want > 0 {
			require.Equal(t, int64(5), tb.DB.Statements()-before, "token, page, count, items, orders")
		}
	}
	res = tb.Query(t, tb.SellerB, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
}
