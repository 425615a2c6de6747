package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzSeeds are documents and variables the tests send, plus the hostile shapes the fuzzer
// should start from: NUL and invalid UTF-8 in strings, huge and negative numbers, odd times,
// wrong-case enums, aliases and fragments.
var fuzzSeeds = []struct{ doc, vars string }{
	{`{ me { role seller { number } store { code } } }`, `{}`},
	{`query { ...F a: me { role } } fragment F on Query { me { token { id } } }`, `{}`},
	{`query($id: ID!) { node(id: $id) { id ... on Order { number total { amount } } ... on Seller { number } } }`, `{"id": "T3JkZXI6MQ"}`},
	{`query($id: ID!) { node(id: $id) { id } }`, `{"id": "T3JkZXI6KzE"}`},
	{`{ orders(first: 5) { nodes { id number placedAt } pageInfo { endCursor hasNextPage } } }`, `{}`},
	{`query($n: Int, $a: String) { orders(first: $n, after: $a) { nodes { id } } }`, `{"n": 2147483648, "a": "\u0000"}`},
	{`{ orders(first: 99999999999999999999) { nodes { id } } }`, `{}`},
	{`query($n: String) { reports(filter: {sellerNumber: $n}) { nodes { id status } } }`, `{"n": "S1\u0000"}`},
	{`{ reports(filter: {createdAfter: "2026-13-45T00:00:00Z"}) { nodes { id } } }`, `{}`},
	{`query($s: String!, $c: String!) { verifyCertificate(serial: $s, code: $c) { status serial } }`, `{"s": "SCS\u0000", "c": "\ud800"}`},
	{`query($f: Time!, $t: Time!) { me { seller { returnTotals(from: $f, to: $t) { items sold } } store { totals(from: $f, to: $t) { items } } } }`,
		`{"f": "0001-01-01T00:00:00Z", "t": "10000-01-01T00:00:00Z"}`},
	{`{ returnedItems(first: 3, status: LISTED) { nodes { id status timeline { kind at } } } }`, `{}`},
	{`query($s: ItemStatus) { returnedItems(status: $s) { nodes { id } } }`, `{"s": "listed"}`},
	{`{ parcels(first: 3) { nodes { id items { id grade } } } returnAuthorizations(first: 3) { nodes { id code status } } }`, `{}`},
	{`{ certificates(first: 3, filter: {taxYear: 2147483647}) { nodes { id serial } } }`, `{}`},
	{`{ indicators(window: DAYS_90) { window } }`, `{}`},
	{createRMA, `{"input": {"orderNumber": "S1-1", "items": [{"description": "Speaker", "quantity": 1, "category": "Audio", "declaredValue": {"amount": "49.90", "currency": "USD"}}]}}`},
	{createRMA, `{"input": {"orderNumber": "S1-2", "items": [{"description": "Spe\u0000aker\u202e\u001b[2J", "quantity": 1e10, "category": "", "declaredValue": {"amount": "999999999999999.99", "currency": "usd"}}]}}`},
	{`mutation($c: String!) { addReturnTracking(input: {code: $c, trackingNumber: "1Z999AA10123456784"}) { userErrors { field code } } }`, `{"c": "RMA-X"}`},
	{`mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { id items { id } } userErrors { field code } } }`,
		`{"input": {"rmaCode": "X", "items": [{"rmaLine": 99999999999, "description": "Lamp", "grade": "like_new"}]}}`},
	{`mutation($item: ID!) { routeItem(input: {item: $item}) { item { status } userErrors { code } } }`, `{"item": "UmV0dXJuZWRJdGVtOjE"}`},
	{`mutation($input: RecordSaleInput!) { recordSale(input: $input) { sale { id soldAt } userErrors { field code } } }`,
		`{"input": {"item": "UmV0dXJuZWRJdGVtOjE", "price": {"amount": "5.00", "currency": "USD"}, "channel": "counter", "soldAt": "0001-01-01T00:00:00Z"}}`},
	{`mutation($input: RecordSaleInput!) { recordSale(input: $input) { sale { id } userErrors { field code } } }`,
		`{"input": {"item": "UmV0dXJuZWRJdGVtOjE", "price": {"amount": "1e400", "currency": "USD"}, "channel": "\u0000"}}`},
	{reportMutation, `{"input": {"orderNumber": "S1-0", "reason": "FALSE_NOT_RECEIVED_CLAIM", "description": "Never came.", "evidence": [{"kind": "photo_url", "value": "x"}]}}`},
	{`mutation($input: BeneficiaryInput!) { createBeneficiary(input: $input) { beneficiary { id } userErrors { field code } } }`,
		`{"input": {"name": "Food Bank", "ein": "12-3456789", "addressLine1": "1 Way", "city": "KC", "region": "MO", "postalCode": "64105", "country": "US"}}`},
	{`mutation { setStoreDonations(input: {store: "SCS", beneficiary: "QmVuZWZpY2lhcnk6MQ", fees: {intakeCents: 100, storageCents: 0, shippingCents: 0, commissionBasisPoints: 10001}}) { userErrors { field code } } }`, `{}`},
	{`mutation($in: IssueCertificatesInput!) { issueCertificates(input: $in) { serials userErrors { field code } } }`, `{"in": {"kind": "SETTLEMENT", "from": "not a date", "taxYear": -1}}`},
	{ingestMutation, `{"input": {"orders": [{"number": "O1", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-02-30T00:00:00Z", "total": {"amount": "1", "currency": "USD"}}]}}`},
	{`mutation { a: withdrawReport(input: {id: "UmVwb3J0OjE"}) { userErrors { code } } b: withdrawReport(input: {id: "UmVwb3J0OjE"}) { userErrors { code } } }`, `{}`},
	{`mutation($p: PolicyInput!) { setPolicy(input: $p) { userErrors { field code } } }`, `{"p": {"warningSellers": 1, "suspensionSellers": 2, "closureSellers": 2147483647, "suspendAfterWarning": true, "closeAfterSuspension": true, "suspendOnEvidencedExtortion": true, "suspensionDays": 30, "lookbackDays": 365}}`},
}

// FuzzGraphQLHandler sends random GraphQL documents and variables, by POST and by GET, with
// each role's token or none, through the real handler over a real database. Whatever comes
// in, the server answers below 500, never with INTERNAL (a panic is INTERNAL too), and a
// request none of whose fields succeeded has written nothing. `go test` runs the seeds;
// docs/FUZZING-graphql.md says how to fuzz for longer.
func FuzzGraphQLHandler(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s.doc, s.vars, uint8(i), false)
		if !strings.HasPrefix(s.doc, "mutation") {
			f.Add(s.doc, s.vars, uint8(i+1), true)
		}
	}
	tb := setup(f)
	listedItem(f, tb) // an RMA, a parcel and an item, so IDs 1 name rows
	tokens := []string{"", tb.SellerA, tb.SellerB, tb.Staff, tb.Admin}
	f.Fuzz(func(t *testing.T, doc, vars string, who uint8, viaGet bool) {
		var req *http.Request
		var err error
		if viaGet {
			q := url.Values{"query": {doc}}
			if vars != "" {
				q.Set("variables", vars) // any text: not an object is BAD_REQUEST
			}
			req, err = http.NewRequest(http.MethodGet, tb.Server.URL+"/graphql?"+q.Encode(), nil)
		} else {
			body := map[string]any{"query": doc}
			// Any JSON value as variables: one that is not an object is BAD_REQUEST.
			if json.Valid([]byte(vars)) {
				body["variables"] = json.RawMessage(vars)
			}
			raw, merr := json.Marshal(body)
			require.NoError(t, merr)
			req, err = http.NewRequest(http.MethodPost, tb.Server.URL+"/graphql", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
		}
		require.NoError(t, err)
		if tok := tokens[int(who)%len(tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		before := tableSums(t, tb)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "the server closed the connection: a panic outside GraphQL?")
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		require.Less(t, res.StatusCode, 500, "body: %s", raw)
		var out gqlResponse
		if json.Unmarshal(raw, &out) != nil {
			return // a non-JSON answer of the edge (a 4xx), nothing GraphQL ran
		}
		require.NotContains(t, codesOf(out), "INTERNAL", "body: %s", raw)
		if nothingSucceeded(out) {
			require.Equal(t, before, tableSums(t, tb), "a request that answered only errors wrote: %s", raw)
		}
	})
}

// nothingSucceeded reports whether every top-level field of a response failed: it is null or
// its payload has userErrors. Only then may the request have written nothing; a document of
// several mutations may commit the first and fail the second.
func nothingSucceeded(res gqlResponse) bool {
	if len(res.Errors) == 0 && len(res.Data) == 0 {
		return false
	}
	for _, v := range res.Data {
		if v == nil {
			continue
		}
		ues, _ := get(v, "userErrors").([]any)
		if len(ues) == 0 {
			return false
		}
	}
	return true
}
