package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/resolvers"
)

// planCase is one request sent with plans and without; by is how the planned one must run
// ("" where the request never reaches an operation: nothing is counted).
type planCase struct {
	name, token, query, operation string
	vars                          map[string]any
	by                            string
	// absent: what the answer must not hold (another party's rows).
	absent []string
}

// planBench sends a case to the server and to the same server without plans, and says what each
// cost in statements.
type planBench struct {
	w          *readAccessWorld
	gqlgenOnly string
}

func newPlanBench(t *testing.T, w *readAccessWorld) *planBench {
	gqlgenOnly := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.API.ServeHTTP(rw, r.WithContext(resolvers.WithoutPlans(r.Context())))
	}))
	t.Cleanup(gqlgenOnly.Close)
	return &planBench{w: w, gqlgenOnly: gqlgenOnly.URL}
}

func (b *planBench) body(t *testing.T, tc planCase) []byte {
	t.Helper()
	req := map[string]any{"query": tc.query, "variables": tc.vars}
	if tc.operation != "" {
		req["operationName"] = tc.operation
	}
	body, err := json.Marshal(req)
	require.NoError(t, err)
	return body
}

// run checks tc: the same bytes both ways, executed as tc.by says, and returns the response and
// the statements each way cost.
func (b *planBench) run(t *testing.T, tc planCase) (planned string, withPlan, alone int64) {
	t.Helper()
	body := b.body(t, tc)
	metrics := b.w.API.MetricsHandler()
	before, statements := queriesBy(t, metrics), b.w.DB.Statements()
	planned = rawPost(t, b.w.Server.URL, tc.token, body)
	withPlan = b.w.DB.Statements() - statements
	after := queriesBy(t, metrics)
	statements = b.w.DB.Statements()
	gqlgen := rawPost(t, b.gqlgenOnly, tc.token, body)
	alone = b.w.DB.Statements() - statements
	require.Equal(t, gqlgen, planned, "%s: %s", tc.name, tc.query)
	require.Equal(t, after, queriesBy(t, metrics), "%s: the request without plans counts nothing", tc.name)
	want := map[string]int{}
	for k, v := range before {
		want[k] = v
	}
	if tc.by != "" {
		want[tc.by]++
	}
	require.Equal(t, want, withZeros(after, want), "%s: executed by %q", tc.name, tc.by)
	if tc.by == resolvers.PlanWritten {
		require.NotContains(t, planned, `"errors"`, tc.name)
	}
	for _, s := range tc.absent {
		require.NotContains(t, planned, s, "%s: holds another party's %q", tc.name, s)
	}
	return planned, withPlan, alone
}

// withZeros is got with the labels want has and got does not, at zero: a counter appears in
// the metrics only once it counted.
func withZeros(got, want map[string]int) map[string]int {
	out := map[string]int{}
	for k := range want {
		out[k] = 0
	}
	for k, v := range got {
		out[k] = v
	}
	return out
}

// TestPlansUnderReview: the review's attempts to make a plan write what gqlgen would not, run
// more statements than gqlgen, or show one party another's rows. Each case is answered byte for
// byte as gqlgen alone answers it, executed as it says.
func TestPlansUnderReview(t *testing.T) {
	t.Parallel()
	w := newReadAccessWorld(t)
	b := newPlanBench(t, w)

	// Text with every character a writer escapes or must not: C0 controls, DEL, quotes and
	// backslashes, HTML's <>&, U+2028/2029, a BOM, astral runes (PostgreSQL holds no NUL and no
	// invalid UTF-8: FuzzLeavesWriteAsGqlgen covers them). Times of the years 1 and 9999 and a
	// microsecond, and Ints at both ends of 32 bits.
	const odd = "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f \" \\ \\\" \t\r\n <script>&amp; \u2028\u2029 \ufeff é 😀 \u00ad"
	for _, stmt := range []string{
		`UPDATE sellers SET name = $1, legal_name = $1, email = $1, country = $1 WHERE number = 'S1'`,
		`UPDATE buyers SET handle = $1 WHERE number = 'B1'`,
		`UPDATE orders SET ship_by = '0001-01-01 00:00:00+00', shipped_at = '9999-12-31 23:59:59.999999+00',
			delivered_at = '2026-03-29 01:30:00.000001+00' WHERE number = 'S1-0' AND $1 <> ''`,
		`UPDATE returned_items SET notes = $1, description = $1, photo_urls = ARRAY[$1, '', 'https://p.test/a?b=1&c=<2>'],
			line = 2147483647, rma_line = -2147483648 WHERE description = 'Speaker'`,
		`UPDATE return_authorizations SET tracking_number = $1`,
		`UPDATE certificates SET void_reason = $1, voided_at = '2026-01-02 03:04:05.6+00' WHERE id = (SELECT min(id) FROM certificates)`,
		`UPDATE stores SET name = $1, ein = $1 WHERE code = 'SCS'`,
	} {
		_, err := w.DB.Exec(stmt, odd)
		require.NoError(t, err, stmt)
	}

	first := func(token, q string, path ...any) string {
		res := w.Query(t, token, q, nil)
		require.Empty(t, res.Errors, q)
		c, _ := get(res.Data, path...).(string)
		return c
	}
	lastOrders := first(w.SellerA, `{ orders(first: 100) { pageInfo { endCursor } } }`, "orders", "pageInfo", "endCursor")
	firstReport := first(w.SellerB, `{ reports(first: 1) { pageInfo { endCursor } } }`, "reports", "pageInfo", "endCursor")
	require.NotEmpty(t, lastOrders)
	require.NotEmpty(t, firstReport)

	const order = `id number placedAt shipBy shippedAt deliveredAt cancelledAt cancellationReason total { amount currency } seller { id number name legalName email country createdAt } buyer { id handle }`
	for _, group := range []struct {
		name  string
		cases []planCase
	}{
		{"fragments", []planCase{
			{name: "a field and the same field through Node", token: w.SellerA,
				query: `{ orders(first: 3) { nodes { id ... on Node { id __typename } ... on Order { id number } number } } }`, by: resolvers.PlanWritten},
			{name: "Node first, then the field", token: w.SellerA,
				query: `{ orders(first: 3) { nodes { ... on Node { id } id } } }`, by: resolvers.PlanWritten},
			{name: "named fragments nested and spread twice", token: w.SellerA,
				query: `query { orders(first: 3) { nodes { ...O } edges { node { ...O ...O } } } }
					fragment O on Order { number seller { ...S } buyer { ...N } ...N }
					fragment S on Seller { name ...N ... on Seller { number } }
					fragment N on Node { id ... on Buyer { handle } ... on Order { placedAt } }`, by: resolvers.PlanWritten},
			{name: "a fragment on Query", token: w.SellerA,
				query: `{ ...Q __typename } fragment Q on Query { __typename orders(first: 2) { nodes { number } } }`, by: resolvers.PlanWritten},
			{name: "fragments without a type condition", token: w.SellerA,
				query: `query($no: Boolean = false) { orders(first: 2) { ... { nodes { ... { number } } } ... @include(if: $no) { pageInfo { hasNextPage } } } }`,
				by:    resolvers.PlanWritten},
			{name: "skip and include on fragment spreads", token: w.SellerA,
				query: `query($yes: Boolean!) { orders(first: 2) { nodes { ...A @skip(if: $yes) ...B @include(if: $yes) ...A @skip(if: false) } } }
					fragment A on Order { number } fragment B on Order { id total { amount } }`, vars: map[string]any{"yes": true}, by: resolvers.PlanWritten},
			{name: "a deferred fragment", token: w.SellerA,
				query: `{ orders(first: 2) { nodes { number ... @defer { id } } } }`, by: resolvers.PlanDeclined},
			{name: "a fragment deferred only if false", token: w.SellerA,
				query: `{ orders(first: 2) { nodes { number ... @defer(if: false) { id } } } }`, by: resolvers.PlanWritten},
			{name: "a deferred root", token: w.SellerA,
				query: `{ ... @defer { orders(first: 2) { nodes { number } } } }`, by: resolvers.PlanDeclined},
		}},
		{"aliases, merging, typenames", []planCase{
			{name: "aliases named as other fields", token: w.SellerA,
				query: `{ orders(first: 3) { nodes: edges { cursor } edges: nodes { number: id id: number seller { name: number number: name } } } }`, by: resolvers.PlanWritten},
			{name: "one field twice with different selections", token: w.SellerA,
				query: `{ orders(first: 3) { nodes { seller { name } total { amount } } nodes { seller { number name } buyer { handle } total { currency } } } }`, by: resolvers.PlanWritten},
			{name: "typenames everywhere", token: w.SellerA,
				query: `{ t: __typename orders(first: 2) { __typename t: __typename nodes { __typename total { __typename } seller { __typename } buyer { __typename } }
					edges { __typename node { __typename } } pageInfo { __typename } } }`, by: resolvers.PlanWritten},
			{name: "a root twice under two aliases", token: w.SellerA,
				query: `{ a: orders(first: 1) { nodes { number } } b: orders(first: 3) { nodes { id placedAt } pageInfo { hasNextPage endCursor } } }`, by: resolvers.PlanWritten},
			{name: "a root aliased as another root", token: w.Admin,
				query: `{ sellers: buyers(first: 2) { nodes { handle } } buyers: sellers(first: 2) { nodes { name } } }`, by: resolvers.PlanWritten},
			{name: "a root aliased __typename", token: w.SellerA,
				query: `{ __typename: orders(first: 1) { nodes { number } } }`, by: resolvers.PlanWritten},
			{name: "introspection at the root", token: w.SellerA,
				query: `{ __type(name: "Order") { name } orders(first: 1) { nodes { number } } }`, by: resolvers.PlanDeclined},
			{name: "the schema at the root", token: w.SellerA,
				query: `{ __schema { queryType { name } } }`, by: resolvers.PlanDeclined},
			{name: "only a typename", token: w.SellerA, query: `{ __typename }`, by: resolvers.PlanWritten},
		}},
		{"operations and variables", []planCase{
			{name: "the planned one of two operations", token: w.SellerA, operation: "Orders",
				query: `query Me { me { role } } query Orders { orders(first: 2) { nodes { number } } }`, by: resolvers.PlanWritten},
			{name: "the other of two operations", token: w.SellerA, operation: "Me",
				query: `query Me { me { role } } query Orders { orders(first: 2) { nodes { number } } }`, by: resolvers.PlanDeclined},
			{name: "a mutation beside a planned query", token: w.SellerA, operation: "Q",
				query: `query Q { orders(first: 1) { nodes { number } } } mutation M { __typename }`, by: resolvers.PlanWritten},
			{name: "variables with defaults", token: w.SellerA,
				query: `query($n: Int = 2, $yes: Boolean = true, $after: String = null) { orders(first: $n, after: $after) @include(if: $yes) { nodes { number } } }`, by: resolvers.PlanWritten},
			{name: "every root skipped", token: w.SellerA,
				query: `query($yes: Boolean!) { orders(first: 1) @skip(if: $yes) { nodes { number } } o: order(number: "S1-0") @include(if: false) { number } }`,
				vars:  map[string]any{"yes": true}, by: resolvers.PlanWritten},
			{name: "roots skipped and not by variables", token: w.SellerA,
				query: `query($yes: Boolean!) { a: orders(first: 1) @skip(if: $yes) { nodes { number } } b: orders(first: 2) @include(if: $yes) { nodes { id } } }`,
				vars:  map[string]any{"yes": true}, by: resolvers.PlanWritten},
			// Null for a nullable variable of @include(if:), on which gqlgen's field collection
			// panics, is refused before anything runs (resolvers/directive_args.go).
			{name: "null for a defaulted include below the root", token: w.SellerA, vars: map[string]any{"v": nil},
				query: `query($v: Boolean = true) { orders(first: 2) { nodes @include(if: $v) { number } } }`},
			{name: "null for a defaulted include at the root", token: w.SellerA, vars: map[string]any{"v": nil},
				query: `query($v: Boolean = true) { orders(first: 2) @include(if: $v) { nodes { number } } }`},
		}},
		{"pages", []planCase{
			{name: "first: 0", token: w.SellerA, query: `{ orders(first: 0) { nodes { number } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, by: resolvers.PlanWritten},
			{name: "after the last cursor", token: w.SellerA, vars: map[string]any{"after": lastOrders},
				query: `query($after: String) { orders(first: 5, after: $after) { nodes { number } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, by: resolvers.PlanWritten},
			{name: "a cursor of another list", token: w.SellerA, vars: map[string]any{"after": firstReport},
				query: `query($after: String) { orders(first: 5, after: $after) { nodes { number } } }`, by: resolvers.PlanFellBack},
			{name: "a second page of reports", token: w.SellerB, vars: map[string]any{"after": firstReport},
				query: `query($after: String) { reports(first: 1, after: $after) { nodes { id order { number } } pageInfo { hasPreviousPage hasNextPage } } }`, by: resolvers.PlanWritten},
		}},
		{"errors", []planCase{
			{name: "a field that does not exist", token: w.SellerA, query: `{ orders(first: 1) { nodes { nope } } }`},
			{name: "a syntax error", token: w.SellerA, query: `{ orders(first: 1) { nodes { number } }`},
			{name: "a variable of the wrong type", token: w.SellerA, query: `query($n: Int) { orders(first: $n) { nodes { number } } }`, vars: map[string]any{"n": "two"}},
			{name: "not found", token: w.SellerA, query: `{ order(number: "nope") { number } }`, by: resolvers.PlanFellBack},
			{name: "not found for one alias only", token: w.SellerA,
				query: `{ a: order(number: "S1-0") { number } b: order(number: "S2-0") { number } c: orders(first: 1) { nodes { number } } }`, by: resolvers.PlanFellBack,
				absent: []string{`"S2-0"`}},
			{name: "a seller of an order staff may not see", token: w.Staff,
				query: `{ returnAuthorizations(first: 100) { nodes { code order { number seller { name } } } } }`, by: resolvers.PlanFellBack},
			{name: "a planned root beside a refused one", token: w.Staff,
				query: `{ returnedItems(first: 2) { nodes { id } } orders(first: 1) { nodes { number } } }`, by: resolvers.PlanFellBack},
			{name: "an argument below the root", token: w.SellerA,
				query: `{ seller(number: "S1") { name orders(first: 1) { nodes { number } } } }`, by: resolvers.PlanDeclined},
		}},
		{"data", []planCase{
			{name: "escapes of a seller", token: w.SellerA, query: `{ seller(number: "S1") { id number name legalName email country createdAt } }`, by: resolvers.PlanWritten},
			{name: "escapes of reports", token: w.SellerA,
				query: `{ reports(first: 100) { nodes { reason description status outcome order { ` + order + ` } seller { name } buyer { handle } } } }`, by: resolvers.PlanWritten},
		}},
		{"access", []planCase{
			{name: "seller B's reports", token: w.SellerB,
				query: `{ reports(first: 100) { nodes { id order { ` + order + ` } seller { name email } buyer { handle } } } }`, by: resolvers.PlanWritten,
				absent: []string{`"S1-`, "Acme", `"S1"`}},
			{name: "seller B's authorisations", token: w.SellerB,
				query: `{ returnAuthorizations(first: 100) { nodes { code trackingNumber order { ` + order + ` } } } }`, by: resolvers.PlanWritten,
				absent: []string{"RMA-", `"S1-`}},
			{name: "another store's returned items", token: w.OtherStaff,
				query: `{ returnedItems(first: 100) { nodes { id description notes photoUrls } } }`, by: resolvers.PlanWritten, absent: []string{"<script>", w.ItemA}},
			{name: "another store's certificates", token: w.OtherStaff,
				query: `{ certificates(first: 100) { nodes { serial donorName store { name } } } }`, by: resolvers.PlanWritten, absent: []string{"SCS-", "<script>"}},
		}},
	} {
		t.Run(group.name, func(t *testing.T) {
			for _, tc := range group.cases {
				_, withPlan, alone := b.run(t, tc)
				switch tc.by {
				case resolvers.PlanWritten:
					require.LessOrEqual(t, withPlan, alone, "%s: a plan runs no statement gqlgen would not", tc.name)
				case resolvers.PlanDeclined, "":
					require.Equal(t, alone, withPlan, "%s: a declined query runs as gqlgen's", tc.name)
				case resolvers.PlanFellBack:
					require.Equal(t, alone, withPlan, "%s: a fallback resolves no root field twice", tc.name)
				}
			}
		})
	}

	// The pages as their owners read them, with everything a plan writes: written by the plan,
	// not fallen back (which is gqlgen's speed, after the plan's work), in no more statements
	// than gqlgen's.
	t.Run("the common pages", func(t *testing.T) {
		for _, tc := range []planCase{
			{name: "a seller's orders", token: w.SellerA, query: `{ orders(first: 100) { nodes { ` + order + ` } pageInfo { hasNextPage endCursor } } }`},
			{name: "an admin's orders", token: w.Admin, query: `{ orders(first: 100) { edges { cursor node { ` + order + ` } } } }`},
			{name: "one order", token: w.SellerA, query: `{ order(number: "S1-1") { ` + order + ` } }`},
			{name: "a seller's reports", token: w.SellerB, query: `{ reports(first: 100) { nodes { id reason description status outcome createdAt updatedAt decidedAt
				order { ` + order + ` } seller { number name } buyer { id handle } } pageInfo { hasNextPage endCursor } } }`},
			{name: "an admin's reports", token: w.Admin, query: `{ reports(first: 100) { nodes { id status order { number seller { name } buyer { handle } } seller { number } buyer { handle } } } }`},
			{name: "a seller's certificates", token: w.SellerA, query: `{ certificates(first: 100) { nodes { id serial kind status taxYear issuedAt donorName
				store { id code name ein } itemCount gross { amount currency } costs { amount } net { amount currency } verificationCode pdfBytes voidReason voidedAt emailedAt } } }`},
			{name: "a store's certificates", token: w.Staff, query: `{ certificates(first: 100) { nodes { serial store { code } net { amount } } } }`},
			{name: "a seller's authorisations", token: w.SellerA, query: `{ returnAuthorizations(first: 100) { nodes { id code status trackingNumber createdAt expiresAt order { ` + order + ` } } } }`},
			{name: "a store's authorisations", token: w.Staff, query: `{ returnAuthorizations(first: 100) { nodes { id code status trackingNumber order { id number placedAt total { amount } } } } }`},
			{name: "a store's returned items", token: w.Staff, query: `{ returnedItems(first: 100) { nodes { id status route line rmaLine description grade notes photoUrls } pageInfo { endCursor } } }`},
			{name: "an admin's returned items", token: w.Admin, query: `{ returnedItems(first: 100) { nodes { id status description } } }`},
			{name: "an admin's sellers and buyers", token: w.Admin, query: `{ sellers(first: 100) { nodes { id number name } } buyers(first: 100) { nodes { id handle } } }`},
		} {
			tc.by = resolvers.PlanWritten
			_, withPlan, alone := b.run(t, tc)
			require.LessOrEqual(t, withPlan, alone, "%s: a plan runs no statement gqlgen would not", tc.name)
		}
	})

	// Twenty at once read what one alone reads (run with -race: the root fields' values are
	// kept from goroutines of their own).
	t.Run("concurrently", func(t *testing.T) {
		for _, tc := range []planCase{
			{name: "orders and reports", token: w.SellerA, query: `{ orders(first: 100) { nodes { ` + order + ` } } reports(first: 100) { nodes { id order { number seller { name } } buyer { handle } } }
				a: returnAuthorizations(first: 100) { nodes { code order { number buyer { handle } } } } certificates(first: 100) { nodes { serial store { name } } } }`, by: resolvers.PlanWritten},
			{name: "a fallback", token: w.Staff, query: `{ returnAuthorizations(first: 100) { nodes { code order { number buyer { handle } } } } }`, by: resolvers.PlanFellBack},
		} {
			serial, _, _ := b.run(t, tc)
			body := b.body(t, tc)
			var wg sync.WaitGroup
			got := make([]string, 20)
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = rawPost(t, w.Server.URL, tc.token, body)
				}()
			}
			wg.Wait()
			for i := range got {
				require.Equal(t, serial, got[i], "%s: request %d of 20", tc.name, i)
			}
		}
	})

	// Seller A sees the rows the access cases look for: they can fail.
	t.Run("the owner sees the rows", func(t *testing.T) {
		res := w.Query(t, w.SellerA, `{ returnAuthorizations(first: 100) { nodes { code order { number } } } certificates(first: 100) { nodes { serial } } }`, nil)
		require.Empty(t, res.Errors)
		require.True(t, strings.HasPrefix(get(res.Data, "returnAuthorizations", "nodes", 0, "code").(string), "RMA-"))
		require.True(t, strings.HasPrefix(get(res.Data, "returnAuthorizations", "nodes", 0, "order", "number").(string), "S1-"))
		require.True(t, strings.HasPrefix(get(res.Data, "certificates", "nodes", 0, "serial").(string), "SCS-"))
		res = w.Query(t, w.Staff, `{ returnedItems(first: 100) { nodes { id } } }`, nil)
		require.Contains(t, fmt.Sprint(res.Data), w.ItemA)
	})
}

// TestPlansOverWebsocket: a query sent over graphql-transport-ws is answered once, then
// completed, as gqlgen answers it; the websocket transport asks the response handler for
// responses until it has none.
func TestPlansOverWebsocket(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, tc := range []struct{ name, query, by string }{
		{"OK written", `{ orders(first: 2) { nodes { number } } }`, resolvers.PlanWritten},
		{"OK fallen back", `{ a: orders(first: 2) { nodes { number } } b: order(number: "nope") { number } }`, resolvers.PlanFellBack},
		{"OK declined", `{ me { role } orders(first: 1) { nodes { number } } }`, resolvers.PlanDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := queriesBy(t, tb.API.MetricsHandler())
			c := dialEvents(t, tb, tb.SellerA)
			c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": tc.query}})
			m := c.next()
			require.Equal(t, "next", m["type"], "%v", m)
			want := tb.Query(t, tb.SellerA, tc.query, nil)
			data, _ := get(m, "payload", "data").(map[string]any)
			require.Equal(t, want.Data, data)
			require.Equal(t, want.Codes(), wsCodes(m))
			require.Equal(t, map[string]any{"id": "1", "type": "complete"}, c.next(), "one answer, then complete")
			after := queriesBy(t, tb.API.MetricsHandler())
			require.Equal(t, before[tc.by]+2, after[tc.by], "the websocket's query and the POST's, counted once each: %v → %v", before, after)
		})
	}
}

func wsCodes(m map[string]any) []string {
	var out []string
	errs, _ := get(m, "payload", "errors").([]any)
	for _, e := range errs {
		out = append(out, get(e, "extensions", "code").(string))
	}
	return out
}
