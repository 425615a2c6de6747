package http_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// tableSums is a cheap fingerprint of everything the requests of a test can write: per table,
// its row count and a hash of its rows. Tables that a request answering an error may still
// write by design (failed certificate verifications are counted) and River's are left out.
func tableSums(t testing.TB, tb *testBundle) string {
	t.Helper()
	query, ok := sumQueries.Load(tb)
	if !ok {
		var tables []string
		require.NoError(t, tb.DB.Select(&tables, `SELECT quote_ident(table_name) FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'river%'
			AND table_name NOT IN ('goose_db_version', 'verification_failures') ORDER BY table_name`))
		parts := make([]string, len(tables))
		for i, name := range tables {
			row := "t::text"
			if name == "tokens" {
				row = "t.id::text" // authenticating stamps last_used_at
			}
			parts[i] = fmt.Sprintf(`SELECT '%s' || ':' || count(*) || ':' || coalesce(sum(hashtext(%s)), 0) FROM %s t`, name, row, name)
		}
		query, _ = sumQueries.LoadOrStore(tb, strings.Join(parts, " UNION ALL "))
	}
	var sums []string
	require.NoError(t, tb.DB.Select(&sums, query.(string)))
	return strings.Join(sums, " ")
}

// sumQueries holds tableSums' query per bundle: the tables do not change during a test.
var sumQueries sync.Map

// codesOf lists every code a response carries: its top-level errors' and the userErrors of
// each payload in data.
func codesOf(res gqlResponse) []string {
	codes := res.Codes()
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ues, ok := x["userErrors"].([]any); ok {
				for _, ue := range ues {
					if c, ok := get(ue, "code").(string); ok {
						codes = append(codes, c)
					}
				}
			}
			for _, v := range x {
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(res.Data)
	return codes
}

// listedItem returns the ID of an item of seller A that staff received and listed for sale.
func listedItem(t testing.TB, tb *testBundle) string {
	t.Helper()
	res := tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-0")})
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
	res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } userErrors { code } } }`,
		map[string]any{"input": map[string]any{"rmaCode": code, "items": []any{map[string]any{"rmaLine": 1, "description": "Speaker", "grade": "LIKE_NEW"}}}})
	item := get(res.Data, "receiveParcel", "parcel", "items", 0, "id")
	res = tb.Query(t, tb.Staff, `mutation($item: ID!) { routeItem(input: {item: $item}) { item { status } } }`, map[string]any{"item": item})
	require.Equal(t, "LISTED", get(res.Data, "routeItem", "item", "status"))
	return item.(string)
}

// TestBadInputIsInvalid sends input that the store cannot hold or must not print, each of
// which answered INTERNAL (or wrote and then failed) before: every one is INVALID now, as a
// userError or a top-level error, and nothing is written.
func TestBadInputIsInvalid(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	item := listedItem(t, tb)

	const sell = `mutation($input: RecordSaleInput!) { recordSale(input: $input) { sale { id soldAt } userErrors { field code } } }`
	sale := func(amount string, soldAt any) map[string]any {
		in := map[string]any{"item": item, "price": map[string]any{"amount": amount, "currency": "USD"}, "channel": "counter"}
		if soldAt != nil {
			in["soldAt"] = soldAt
		}
		return map[string]any{"input": in}
	}
	rma := func(edit func(it map[string]any)) map[string]any {
		in := rmaInput("S1-1")
		edit(in["items"].([]any)[0].(map[string]any))
		return map[string]any{"input": in}
	}
	const beneficiary = `mutation($input: BeneficiaryInput!) { createBeneficiary(input: $input) { beneficiary { id } userErrors { field code } } }`
	charity := func(name string) map[string]any {
		return map[string]any{"input": map[string]any{"name": name, "ein": "12-3456789", "addressLine1": "1 Charity Way",
			"city": "Kansas City", "region": "MO", "postalCode": "64105", "country": "US"}}
	}
	ingest := func(edit func(o map[string]any)) map[string]any {
		in := ingestInput()
		edit(in["orders"].([]any)[0].(map[string]any))
		return map[string]any{"input": in}
	}
	const issue = `mutation($in: IssueCertificatesInput!) { issueCertificates(input: $in) { serials userErrors { field code } } }`
	report := func(kind string) map[string]any {
		in := reportInput("S1-2", sc.ReasonFalseNotReceivedClaim)
		in["evidence"] = []any{map[string]any{"kind": kind, "value": "https://img.example.com/door.jpg"}}
		return map[string]any{"input": in}
	}
	id := func(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

	for _, tc := range []struct {
		name  string
		token string
		query string
		vars  map[string]any
	}{
		{"NULInDescription", tb.SellerA, createRMA, rma(func(it map[string]any) { it["description"] = "Speaker\x00" })},
		{"NULInCategory", tb.SellerA, createRMA, rma(func(it map[string]any) { it["category"] = "\x00" })},
		{"NULInCurrency", tb.SellerA, createRMA, rma(func(it map[string]any) { it["declaredValue"] = map[string]any{"amount": "1", "currency": "US\x00"} })},
		{"NULInLiteral", tb.SellerA, `{ reports(filter: {sellerNumber: "S1\u0000"}) { nodes { id } } }`, nil},
		{"NULInFilter", tb.SellerA, `query($n: String) { reports(filter: {sellerNumber: $n}) { nodes { id } } }`, map[string]any{"n": "S\x001"}},
		{"NULInVerify", "", `query($s: String!) { verifyCertificate(serial: $s, code: "X") { status } }`, map[string]any{"s": "SCS\x00"}},
		{"NULInBeneficiaryName", tb.Admin, beneficiary, charity("Food\x00Bank")},
		{"NULInIngest", tb.Admin, ingestMutation, ingest(func(o map[string]any) { o["number"] = "O\x00100" })},
		{"NULInID", tb.Staff, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "\x00"}},
		{"SoldAtMonth13", tb.Staff, sell, sale("5.00", "2026-13-45T00:00:00Z")},
		{"SoldAtNotADate", tb.Staff, sell, sale("5.00", "not a date")},
		{"SoldAtYear1", tb.Staff, sell, sale("5.00", "0001-01-01T00:00:00Z")},
		{"SoldAtYear10000", tb.Staff, sell, sale("5.00", "10000-01-01T00:00:00Z")},
		{"SoldAtNumber", tb.Staff, sell, sale("5.00", 1700000000)},
		{"IssueFromYear1", tb.Staff, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": "0001-01-01T00:00:00Z"}}},
		{"IssueToNotADate", tb.Staff, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "to": "not a date"}}},
		{"IngestPlacedAtYear1", tb.Admin, ingestMutation, ingest(func(o map[string]any) { o["placedAt"] = "0001-01-01T00:00:00Z" })},
		{"IngestShipByYear9999", tb.Admin, ingestMutation, ingest(func(o map[string]any) { o["shipBy"] = "9999-12-31T23:59:59Z" })},
		{"EnumWrongCase", tb.SellerA, reportMutation, report("photo_url")},
		{"PriceHuge", tb.Staff, sell, sale("999999999999999.99", nil)},
		{"PriceAboveLimit", tb.Staff, sell, sale("1000000.01", nil)},
		{"DeclaredValueHuge", tb.SellerA, createRMA, rma(func(it map[string]any) {
			it["declaredValue"] = map[string]any{"amount": "999999999999999.99", "currency": "USD"}
		})},
		{"OrderTotalHuge", tb.Admin, ingestMutation, ingest(func(o map[string]any) { o["total"] = map[string]any{"amount": "999999999999999.99", "currency": "USD"} })},
		{"FeeHuge", tb.Admin, `mutation { setStoreDonations(input: {store: "SCS", beneficiary: "QmVuZWZpY2lhcnk6MQ", fees: {intakeCents: 2000000000, storageCents: 0, shippingCents: 0, commissionBasisPoints: 0}}) { userErrors { field code } } }`, nil},
		{"GlobalIDPlusSign", tb.SellerA, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id("Order:+1")}},
		{"GlobalIDLeadingZero", tb.SellerA, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id("Order:01")}},
		{"IntAboveInt32", tb.SellerA, createRMA, rma(func(it map[string]any) { it["quantity"] = 2147483648 })},
		{"IntAboveInt32InFilter", tb.SellerA, `{ certificates(filter: {taxYear: 2147483648}) { nodes { id } } }`, nil},
		{"IntHugeLiteral", tb.SellerA, `{ orders(first: 99999999999) { nodes { id } } }`, nil},
		{"IntHugeVariable", tb.SellerA, `query($n: Int) { orders(first: $n) { nodes { id } } }`, map[string]any{"n": json.Number("1e30")}},
		{"ANSIInName", tb.Admin, beneficiary, charity("Food Bank\x1b[2J")},
		{"RightToLeftOverride", tb.Admin, beneficiary, charity("Food Bank \u202egnp.exe")},
		{"ControlInDescription", tb.SellerA, createRMA, rma(func(it map[string]any) { it["description"] = "Speaker\x07" })},
		{"NewlineInName", tb.Admin, beneficiary, charity("Food\nBank")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tableSums(t, tb)
			res := tb.Query(t, tc.token, tc.query, tc.vars)
			codes := codesOf(res)
			require.Less(t, res.Status, 500)
			require.NotContains(t, codes, "INTERNAL")
			require.True(t, slices.Contains(codes, "INVALID") || slices.Contains(codes, "GRAPHQL_VALIDATION_FAILED"), "%+v", res)
			require.Equal(t, before, tableSums(t, tb), "nothing is written")
		})
	}

	t.Run("LineBreaksInFreeText", func(t *testing.T) {
		// A report's description keeps its lines; only what is not printed as it reads is refused.
		in := reportInput("S1-2", sc.ReasonFalseNotReceivedClaim)
		in["description"] = "The buyer says it never came.\n\tTracking shows it delivered."
		res := tb.Query(t, tb.SellerA, reportMutation, map[string]any{"input": in})
		require.Empty(t, get(res.Data, "reportBuyer", "userErrors"))
		require.Equal(t, in["description"], get(res.Data, "reportBuyer", "report", "description"))
	})

	t.Run("SaleAtYear1970IsReadBack", func(t *testing.T) {
		res := tb.Query(t, tb.Staff, sell, sale("5.00", "1970-01-01T00:00:00Z"))
		require.Empty(t, res.Errors)
		require.Equal(t, "1970-01-01T00:00:00Z", get(res.Data, "recordSale", "sale", "soldAt"))
		res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on ReturnedItem { status timeline { kind at } } } }`, map[string]any{"id": item})
		require.Empty(t, res.Errors)
		require.Equal(t, "SOLD", get(res.Data, "node", "status"))
	})

	t.Run("ZeroTimeReadsBack", func(t *testing.T) {
		// A time the input rules now refuse, stored before they did, still reads back.
		_, err := tb.DB.Exec(`UPDATE sales SET sold_at = '0001-01-01T00:00:00Z'`)
		require.NoError(t, err)
		res := tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on ReturnedItem { sale { soldAt } timeline { kind at } } }
			returnedItems(first: 5) { nodes { id sale { soldAt } } } }`, map[string]any{"id": item})
		require.Empty(t, res.Errors)
		require.Equal(t, "0001-01-01T00:00:00Z", get(res.Data, "node", "sale", "soldAt"))
	})
}

// TestVerifyPageBadSerial: the public page answers a serial the store cannot hold like any
// unknown one, never with a 500.
func TestVerifyPageBadSerial(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, path := range []string{"/verify/SCS%00?code=ABC", "/verify/SCS%FF%FE?code=ABC", "/verify?serial=SCS%00&code=A%00"} {
		res, err := http.Get(tb.Server.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		require.Less(t, res.StatusCode, 500, path)
	}
}

// TestConcurrentReturnAuthorizations: twenty sellers' frontends ask for a return of one order at
// once. One authorisation is created; every other request is told CONFLICT, none INTERNAL.
func TestConcurrentReturnAuthorizations(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	const n = 20
	results := make(chan gqlResponse, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results <- tb.Query(t, tb.SellerA, createRMA, map[string]any{"input": rmaInput("S1-0")})
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	created := 0
	for res := range results {
		require.Empty(t, res.Errors)
		if get(res.Data, "createReturnAuthorization", "returnAuthorization") != nil {
			created++
			continue
		}
		require.Equal(t, "CONFLICT", get(res.Data, "createReturnAuthorization", "userErrors", 0, "code"), "%+v", res)
	}
	require.Equal(t, 1, created)
	var live int
	require.NoError(t, tb.DB.Get(&live, `SELECT count(*) FROM return_authorizations WHERE status = 'AUTHORIZED'`))
	require.Equal(t, 1, live)
}
