package http_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

const reportMutation = `mutation($input: ReportBuyerInput!) {
	reportBuyer(input: $input) {
		created
		report { id status reason description evidence { kind value } order { number } buyer { handle } seller { number } timeline { status note } outcome }
		userErrors { field code message }
	}
}`

const withdrawMutation = `mutation($id: ID!) { withdrawReport(input: {id: $id}) { report { id status timeline { status } } userErrors { field code message } } }`

func reportInput(order string, reason sc.ReportReason) map[string]any {
	return map[string]any{"orderNumber": order, "reason": reason, "description": "The buyer says the parcel never came; tracking shows it delivered.",
		"evidence": []any{map[string]any{"kind": "TRACKING_NUMBER", "value": "1z 999 aa1 0123456784"}, map[string]any{"kind": "PHOTO_URL", "value": "https://img.example.com/door.jpg"}}}
}

func reportAs(t *testing.T, tb *testBundle, token string, in map[string]any) gqlResponse {
	t.Helper()
	res := tb.Query(t, token, reportMutation, map[string]any{"input": in})
	require.Empty(t, res.Errors)
	return res
}

func reportCount(t *testing.T, tb *testBundle) int {
	var n int
	require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM reports`))
	return n
}

func TestReportBuyer(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := sc.NewSystemContext(context.Background())
	// An order older than the reporting window, and one whose buyer is closed.
	old := time.Now().UTC().Add(-200 * 24 * time.Hour)
	_, err := tb.DB.Ingest(ctx, sc.MarketplaceBatch{
		Buyers: []sc.BuyerInput{{Number: "B3", Handle: "gone", Status: ptr(sc.BuyerClosed)}},
		Orders: []sc.OrderInput{
			{Number: "S1-old", SellerNumber: "S1", BuyerNumber: "B1", PlacedAt: old, Total: sc.MoneyInput{Amount: "5", Currency: "USD"}},
			{Number: "S1-closed", SellerNumber: "S1", BuyerNumber: "B3", PlacedAt: time.Now().Add(-time.Hour), Total: sc.MoneyInput{Amount: "5", Currency: "USD"}},
		}})
	require.NoError(t, err)

	res := reportAs(t, tb, tb.SellerA, reportInput("S1-0", sc.ReasonFalseNotReceivedClaim))
	p := get(res.Data, "reportBuyer")
	require.Equal(t, true, get(p, "created"))
	require.Empty(t, get(p, "userErrors"))
	require.Equal(t, "PENDING", get(p, "report", "status"))
	require.Equal(t, "S1-0", get(p, "report", "order", "number"))
	require.Equal(t, "alice", get(p, "report", "buyer", "handle"))
	require.Equal(t, "S1", get(p, "report", "seller", "number"))
	require.Nil(t, get(p, "report", "outcome"))
	require.Equal(t, "1Z999AA10123456784", get(p, "report", "evidence", 0, "value"), "tracking numbers are normalised")
	require.Equal(t, []any{map[string]any{"status": "PENDING", "note": "reported by the seller"}}, get(p, "report", "timeline"))
	first := get(p, "report", "id").(string)

	t.Run("OK again is the same report", func(t *testing.T) {
		in := reportInput("S1-0", sc.ReasonFalseNotReceivedClaim)
		in["description"] = "Said again, differently."
		res := reportAs(t, tb, tb.SellerA, in)
		require.Equal(t, false, get(res.Data, "reportBuyer", "created"))
		require.Equal(t, first, get(res.Data, "reportBuyer", "report", "id"))
		require.NotEqual(t, "Said again, differently.", get(res.Data, "reportBuyer", "report", "description"))
	})
	t.Run("OK another reason, another order, another seller", func(t *testing.T) {
		for _, c := range []struct {
			token, order string
			reason       sc.ReportReason
		}{{tb.SellerA, "S1-0", sc.ReasonFeedbackExtortion}, {tb.SellerA, "S1-1", sc.ReasonFalseNotReceivedClaim}, {tb.SellerB, "S2-0", sc.ReasonFalseNotReceivedClaim}} {
			res := reportAs(t, tb, c.token, reportInput(c.order, c.reason))
			require.Equal(t, true, get(res.Data, "reportBuyer", "created"), c)
			require.NotEqual(t, first, get(res.Data, "reportBuyer", "report", "id"))
		}
	})

	tooMany := make([]any, sc.MaxEvidenceItems+1)
	for i := range tooMany {
		tooMany[i] = map[string]any{"kind": "MESSAGE_EXCERPT", "value": "x"}
	}
	for _, tc := range []struct {
		name  string
		token string
		edit  func(map[string]any)
		field string
		code  string
	}{
		{"ErrUnknownOrder", tb.SellerA, func(in map[string]any) { in["orderNumber"] = "NOPE" }, "input.orderNumber", "NOT_FOUND"},
		{"ErrOrderNotOwned", tb.SellerA, func(in map[string]any) { in["orderNumber"] = "S2-0" }, "input.orderNumber", "ORDER_NOT_OWNED"},
		{"ErrReportingWindowClosed", tb.SellerA, func(in map[string]any) { in["orderNumber"] = "S1-old" }, "input.orderNumber", "REPORTING_WINDOW_CLOSED"},
		{"ErrBuyerClosed", tb.SellerA, func(in map[string]any) { in["orderNumber"] = "S1-closed" }, "input.orderNumber", "BUYER_CLOSED"},
		{"ErrEmptyDescription", tb.SellerA, func(in map[string]any) { in["description"] = "   " }, "input.description", "INVALID"},
		{"ErrDescriptionTooLong", tb.SellerA, func(in map[string]any) { in["description"] = strings.Repeat("é", sc.MaxDescription+1) }, "input.description", "INVALID"},
		{"ErrMalformedURL", tb.SellerA, func(in map[string]any) {
			in["evidence"] = []any{map[string]any{"kind": "PHOTO_URL", "value": "javascript:alert(1)"}}
		}, "input.evidence.0.value", "INVALID"},
		{"ErrMalformedTrackingNumber", tb.SellerA, func(in map[string]any) {
			in["evidence"] = []any{map[string]any{"kind": "PHOTO_URL", "value": "https://x.example/a.png"}, map[string]any{"kind": "TRACKING_NUMBER", "value": "12-34"}}
		}, "input.evidence.1.value", "INVALID"},
		{"ErrEmptyExcerpt", tb.SellerA, func(in map[string]any) {
			in["evidence"] = []any{map[string]any{"kind": "MESSAGE_EXCERPT", "value": ""}}
		}, "input.evidence.0.value", "INVALID"},
		{"ErrTooMuchEvidence", tb.SellerA, func(in map[string]any) { in["evidence"] = tooMany }, "input.evidence", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := reportCount(t, tb)
			in := reportInput("S1-2", sc.ReasonOther)
			tc.edit(in)
			res := reportAs(t, tb, tc.token, in)
			require.Nil(t, get(res.Data, "reportBuyer", "report"))
			ue := get(res.Data, "reportBuyer", "userErrors", 0)
			require.Equal(t, tc.code, get(ue, "code"), "%v", ue)
			var field []string
			for _, f := range get(ue, "field").([]any) {
				field = append(field, f.(string))
			}
			require.Equal(t, tc.field, strings.Join(field, "."))
			require.Equal(t, before, reportCount(t, tb), "nothing written")
		})
	}
	for name, token := range map[string]string{"ErrStaffToken": tb.Staff, "ErrAdminToken": tb.Admin, "ErrNoToken": ""} {
		t.Run(name, func(t *testing.T) {
			res := tb.Query(t, token, reportMutation, map[string]any{"input": reportInput("S1-2", sc.ReasonOther)})
			require.Len(t, res.Codes(), 1)
			require.Contains(t, []string{"FORBIDDEN", "UNAUTHENTICATED"}, res.Codes()[0])
		})
	}
	t.Run("ErrUnknownReason", func(t *testing.T) {
		res := tb.Query(t, tb.SellerA, reportMutation, map[string]any{"input": reportInput("S1-2", "MEAN")})
		require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, res.Codes())
	})
}

func TestWithdrawReport(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := reportAs(t, tb, tb.SellerA, reportInput("S1-0", sc.ReasonSerialReturns))
	id := get(res.Data, "reportBuyer", "report", "id").(string)

	res = tb.Query(t, tb.SellerB, withdrawMutation, map[string]any{"id": id})
	require.Equal(t, "NOT_FOUND", get(res.Data, "withdrawReport", "userErrors", 0, "code"), "another seller's report does not exist for it")

	res = tb.Query(t, tb.SellerA, withdrawMutation, map[string]any{"id": id})
	require.Empty(t, get(res.Data, "withdrawReport", "userErrors"))
	require.Equal(t, "WITHDRAWN", get(res.Data, "withdrawReport", "report", "status"))
	require.Len(t, get(res.Data, "withdrawReport", "report", "timeline").([]any), 2)

	for _, tc := range []struct{ name, id, code string }{
		{"ErrWithdrawnTwice", id, "REPORT_NOT_PENDING"},
		{"ErrMalformedID", "zzz", "INVALID"},
		{"ErrNotAReportID", sc.GlobalID(sc.KindOrder, 1), "INVALID"},
		{"ErrUnknownReport", sc.GlobalID(sc.KindReport, 999999), "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.SellerA, withdrawMutation, map[string]any{"id": tc.id})
			require.Nil(t, get(res.Data, "withdrawReport", "report"))
			require.Equal(t, tc.code, get(res.Data, "withdrawReport", "userErrors", 0, "code"))
			require.Equal(t, []any{"input", "id"}, get(res.Data, "withdrawReport", "userErrors", 0, "field"))
		})
	}
	t.Run("ErrInBatch", func(t *testing.T) {
		res := reportAs(t, tb, tb.SellerA, reportInput("S1-1", sc.ReasonSerialReturns))
		id := get(res.Data, "reportBuyer", "report", "id").(string)
		_, n, _ := sc.ParseGlobalID(id)
		_, err := tb.DB.Exec(`UPDATE reports SET status = 'IN_BATCH' WHERE id = $1`, n)
		require.NoError(t, err)
		res = tb.Query(t, tb.SellerA, withdrawMutation, map[string]any{"id": id})
		require.Equal(t, "REPORT_NOT_PENDING", get(res.Data, "withdrawReport", "userErrors", 0, "code"))
		require.Contains(t, get(res.Data, "withdrawReport", "userErrors", 0, "message"), "IN_BATCH")
	})
	t.Run("OK reporting again after withdrawing files a new report", func(t *testing.T) {
		res := reportAs(t, tb, tb.SellerA, reportInput("S1-0", sc.ReasonSerialReturns))
		require.Equal(t, true, get(res.Data, "reportBuyer", "created"))
		require.NotEqual(t, id, get(res.Data, "reportBuyer", "report", "id"))
	})
}

// TestConcurrentDuplicateReports: the same report sent 20 times at once leaves one report.
func TestConcurrentDuplicateReports(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	var wg sync.WaitGroup
	ids := make([]string, 20)
	created := make([]bool, 20)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := tb.Query(t, tb.SellerA, reportMutation, map[string]any{"input": reportInput("S1-0", sc.ReasonChargebackAbuse)})
			ids[i], _ = get(res.Data, "reportBuyer", "report", "id").(string)
			created[i], _ = get(res.Data, "reportBuyer", "created").(bool)
		}()
	}
	wg.Wait()
	require.Equal(t, 1, reportCount(t, tb))
	n := 0
	for i := range ids {
		require.Equal(t, ids[0], ids[i])
		if created[i] {
			n++
		}
	}
	require.Equal(t, 1, n, "exactly one call created it")
	var events int
	require.NoError(t, tb.DB.Get(&events, `SELECT count(*) FROM report_events`))
	require.Equal(t, 1, events)
}

func TestListReports(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, c := range []struct {
		token, order string
		reason       sc.ReportReason
	}{
		{tb.SellerA, "S1-0", sc.ReasonFalseNotReceivedClaim}, {tb.SellerA, "S1-1", sc.ReasonFeedbackExtortion},
		{tb.SellerA, "S1-2", sc.ReasonOther}, {tb.SellerB, "S2-0", sc.ReasonFalseNotReceivedClaim}, {tb.SellerB, "S2-1", sc.ReasonOther},
	} {
		reportAs(t, tb, c.token, reportInput(c.order, c.reason))
	}
	const list = `query($f: ReportFilter, $first: Int, $after: String) { reports(first: $first, after: $after, filter: $f) {
		totalCount nodes { id order { number } seller { number } reason status } pageInfo { hasNextPage endCursor } } }`
	numbers := func(res gqlResponse) []string {
		var out []string
		for _, n := range get(res.Data, "reports", "nodes").([]any) {
			out = append(out, get(n, "order", "number").(string))
		}
		return out
	}
	res := tb.Query(t, tb.SellerA, list, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, []string{"S1-2", "S1-1", "S1-0"}, numbers(res), "newest first, own only")

	res = tb.Query(t, tb.SellerA, list, map[string]any{"first": 2})
	require.Equal(t, []string{"S1-2", "S1-1"}, numbers(res))
	res = tb.Query(t, tb.SellerA, list, map[string]any{"first": 2, "after": get(res.Data, "reports", "pageInfo", "endCursor")})
	require.Equal(t, []string{"S1-0"}, numbers(res))
	require.Equal(t, false, get(res.Data, "reports", "pageInfo", "hasNextPage"))

	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"reason": "FEEDBACK_EXTORTION"}})
	require.Equal(t, []string{"S1-1"}, numbers(res))
	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"status": "WITHDRAWN"}})
	require.Empty(t, numbers(res))
	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"createdAfter": time.Now().Add(time.Hour).Format(time.RFC3339)}})
	require.Empty(t, numbers(res))
	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"createdAfter": time.Now().Add(-time.Hour).Format(time.RFC3339), "createdBefore": time.Now().Add(time.Hour).Format(time.RFC3339)}})
	require.Len(t, numbers(res), 3)
	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"createdAfter": time.Now().Format(time.RFC3339), "createdBefore": time.Now().Add(-time.Hour).Format(time.RFC3339)}})
	require.Equal(t, []string{"INVALID"}, res.Codes())

	// By buyer: the seller knows buyers by the IDs its own orders show.
	res = tb.Query(t, tb.SellerA, `{ order(number: "S1-0") { buyer { id } } }`, nil)
	buyer := get(res.Data, "order", "buyer", "id")
	res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"buyer": buyer}})
	require.Len(t, numbers(res), 3)
	res = tb.Query(t, tb.SellerB, list, map[string]any{"f": map[string]any{"buyer": buyer}})
	require.Equal(t, []string{"S2-0"}, numbers(res), "seller B's reports of the same buyer, not A's")

	res = tb.Query(t, tb.SellerA, `{ me { seller { reports(first: 10) { totalCount } } } }`, nil)
	require.EqualValues(t, 3, get(res.Data, "me", "seller", "reports", "totalCount"))

	t.Run("ErrOtherSellersReport", func(t *testing.T) {
		res := tb.Query(t, tb.SellerB, list, map[string]any{"f": map[string]any{"status": "PENDING"}})
		id := get(res.Data, "reports", "nodes", 0, "id")
		for _, q := range []string{`query($id: ID!) { report(id: $id) { id } }`, `query($id: ID!) { node(id: $id) { id } }`} {
			res = tb.Query(t, tb.SellerA, q, map[string]any{"id": id})
			require.Equal(t, []string{"NOT_FOUND"}, res.Codes())
		}
		res = tb.Query(t, tb.SellerA, list, map[string]any{"f": map[string]any{"sellerNumber": "S2"}})
		require.Empty(t, numbers(res))
		res = tb.Query(t, tb.Staff, list, nil)
		require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	})
	t.Run("OK admin sees all and who reported a buyer", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, list, map[string]any{"first": 100})
		require.EqualValues(t, 5, get(res.Data, "reports", "totalCount"))
		res = tb.Query(t, tb.Admin, list, map[string]any{"f": map[string]any{"sellerNumber": "S2"}})
		require.Equal(t, []string{"S2-1", "S2-0"}, numbers(res))
		res = tb.Query(t, tb.Admin, list, map[string]any{"f": map[string]any{"buyerNumber": "B2"}})
		require.Equal(t, []string{"S2-1"}, numbers(res))
		res = tb.Query(t, tb.Admin, `{ buyers { nodes { number reportStats { reports liveReports distinctSellers } } } }`, nil)
		require.Empty(t, res.Errors)
		stats := map[string]any{}
		for _, n := range get(res.Data, "buyers", "nodes").([]any) {
			stats[get(n, "number").(string)] = get(n, "reportStats")
		}
		require.Equal(t, map[string]any{"reports": 4.0, "liveReports": 4.0, "distinctSellers": 2.0}, stats["B1"])
		require.Equal(t, map[string]any{"reports": 1.0, "liveReports": 1.0, "distinctSellers": 1.0}, stats["B2"])
		res = tb.Query(t, tb.SellerA, `{ orders(first: 1) { nodes { buyer { reportStats { reports } } } } }`, nil)
		require.Contains(t, res.Codes(), "FORBIDDEN")
	})
}

// TestReportsPageStatementCount: a page of reports with order, buyer and seller is 2 statements
// (token, and the page with its orders, sellers and buyers) whatever its size.
func TestReportsPageStatementCount(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	_, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), fixtureBatch(150, 0))
	require.NoError(t, err)
	for i := 0; i < 150; i++ {
		reportAs(t, tb, tb.SellerA, reportInput(fmt.Sprintf("S1-%d", i), sc.ReasonOther))
	}
	const q = `query($n: Int) { reports(first: $n) { edges { cursor node { id status order { number total { amount } } buyer { handle } seller { number name } } } } }`
	for _, n := range []int{1, 10, 100} {
		before := tb.DB.Statements()
		res := tb.Query(t, tb.SellerA, q, map[string]any{"n": n})
		used := tb.DB.Statements() - before
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "reports", "edges").([]any), n)
		require.Equal(t, int64(2), used, "page of %d", n)
	}
	before := tb.DB.Statements()
	res := tb.Query(t, tb.Admin, `{ reports(first: 100) { nodes { timeline { status } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, int64(3), tb.DB.Statements()-before, "token, page, timelines")
}

// TestBuyerNumberFilterAdminsOnly: buyer numbers are hidden from sellers, so a filter by one is
// refused to them (it answered "your orders" for B1 and "none" for B2, which gave the numbers
// back one guess at a time); admins keep it.
func TestBuyerNumberFilterAdminsOnly(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	lists := map[string]string{
		"orders":  `query($n: String!) { orders(first: 10, filter: {buyerNumber: $n}) { totalCount nodes { number } } }`,
		"reports": `query($n: String!) { reports(first: 10, filter: {buyerNumber: $n}) { totalCount nodes { id } } }`,
	}
	tests := []struct {
		name  string
		token string
		code  string // "" for an answer
	}{
		{"ErrSellerA", tb.SellerA, "FORBIDDEN"},
		{"ErrSellerB", tb.SellerB, "FORBIDDEN"},
		{"OKAdmin", tb.Admin, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for list, q := range lists {
				for _, buyer := range []string{"B1", "B2", "B404"} {
					res := tb.Query(t, tt.token, q, map[string]any{"n": buyer})
					if tt.code == "" {
						require.Empty(t, res.Errors, "%s by %s", list, buyer)
						continue
					}
					require.Equal(t, []string{tt.code}, res.Codes(), "%s by %s", list, buyer)
					require.Equal(t, "filter.buyerNumber", res.Errors[0].Extensions["field"])
					require.Nil(t, res.Data[list])
				}
			}
		})
	}
	res := tb.Query(t, tb.Admin, lists["orders"], map[string]any{"n": "B2"})
	require.EqualValues(t, 1, get(res.Data, "orders", "totalCount"), "S2's one order to B2")
	// Without the filter a seller lists as before.
	res = tb.Query(t, tb.SellerA, `{ orders(first: 10) { totalCount } }`, nil)
	require.EqualValues(t, 3, get(res.Data, "orders", "totalCount"))
}
