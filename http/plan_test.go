package http_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/http/apitest"
	"github.com/secondchance/secondchance/resolvers"
)

// TestPlansWriteWhatGqlgenWrites: every query is answered byte for byte as gqlgen alone answers
// it, whether a plan writes it, declines it or falls back from it; and each case is executed
// the way it says (the server's secondchance_graphql_queries_total).
func TestPlansWriteWhatGqlgenWrites(t *testing.T) {
	t.Parallel()
	w := newReadAccessWorld(t)
	// Orders with every optional field set, and text json.Marshal escapes.
	day := time.Now().UTC().Truncate(time.Hour).Add(-30 * 24 * time.Hour)
	at := func(h int) *time.Time { v := day.Add(time.Duration(h) * time.Hour); return &v }
	reason := sc.CancelledOutOfStock
	comment := "late & <broken>"
	_, err := w.DB.Ingest(sc.NewSystemContext(context.Background()), sc.MarketplaceBatch{
		Sellers: []sc.SellerInput{{Number: "S1", Name: "Acme <Goods> & \u2028Sons"}},
		Orders: []sc.OrderInput{
			{Number: "S1-shipped", SellerNumber: "S1", BuyerNumber: "B1", PlacedAt: day, ShipBy: at(48), ShippedAt: at(24), DeliveredAt: at(72),
				Total: sc.MoneyInput{Amount: "1234.05", Currency: "USD"}, Feedback: &sc.FeedbackInput{Rating: 2, Comment: &comment, LeftAt: *at(80)},
				ReturnClaims: []sc.ReturnClaimInput{{Number: "R2", Reason: "damaged", RequestedAt: *at(90)}, {Number: "R1", Reason: "wrong \"size\"", RequestedAt: *at(85)}},
				Disputes:     []sc.DisputeInput{{Number: "D-shipped", Reason: sc.DisputeNotReceived, OpenedAt: *at(30)}}},
			{Number: "S1-cancelled", SellerNumber: "S1", BuyerNumber: "B2", PlacedAt: day.Add(time.Minute), CancelledAt: at(2), CancellationReason: &reason,
				Total: sc.MoneyInput{Amount: "0.99", Currency: "USD"}},
		},
	})
	require.NoError(t, err)
	res := w.Query(t, w.Staff, receiveParcel, map[string]any{"input": map[string]any{"items": []any{
		map[string]any{"description": "Lamp \"quoted\" <b> é", "grade": "GOOD", "notes": "a\u2029b", "photoUrls": []string{"https://photos.test/1.jpg?a=1&b=2", "https://photos.test/2.jpg"}},
	}}})
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))

	gqlgenOnly := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.API.ServeHTTP(rw, r.WithContext(resolvers.WithoutPlans(r.Context())))
	}))
	t.Cleanup(gqlgenOnly.Close)

	const allOrder = `id number placedAt shipBy shippedAt deliveredAt cancelledAt cancellationReason __typename
		total { amount currency __typename } seller { id number name legalName email country createdAt __typename } buyer { id handle __typename }`
	cases := []struct {
		name, token, query string
		vars               map[string]any
		by                 string
	}{
		{"the issue's page", w.SellerA, `{ orders(first: 100) { nodes { number placedAt total { amount currency } seller { number name } buyer { handle } } } }`, nil, resolvers.PlanWritten},
		{"every field of an order", w.SellerA, `{ orders(first: 100) { nodes { ` + allOrder + ` } } }`, nil, resolvers.PlanWritten},
		{"edges, cursors and page info", w.SellerA, `{ __typename orders(first: 2) { __typename edges { cursor node { number } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, nil, resolvers.PlanWritten},
		{"aliases, fragments and directives", w.SellerA, `query($yes: Boolean!, $no: Boolean!) {
			a: orders(first: 3) { list: nodes { ...o n2: number ... on Node { id } ... on Order @include(if: $yes) { placedAt } total @skip(if: $yes) { amount } } }
			b: orders(first: 1) @include(if: $no) { nodes { number } } }
			fragment o on Order { n: number number total { c: currency } seller { ... on Seller { name } } }`, map[string]any{"yes": true, "no": false}, resolvers.PlanWritten},
		{"one order", w.SellerA, `query($n: String!) { order(number: $n) { ` + allOrder + ` } }`, map[string]any{"n": "S1-cancelled"}, resolvers.PlanWritten},
		{"one order with its events", w.SellerA, `query($n: String!) { order(number: $n) { number feedback { rating comment leftAt } disputes { number reason openedAt closedAt }
			returnClaims { number reason requestedAt __typename } } }`, map[string]any{"n": "S1-shipped"}, resolvers.PlanWritten},
		{"events under a fragment on Node", w.SellerA, `query($n: String!) { order(number: $n) { ... on Node { ... on Order { feedback { rating } disputes { number } } } } }`,
			map[string]any{"n": "S1-shipped"}, resolvers.PlanWritten},
		{"an authorisation's order under a fragment on Node", w.SellerA, `{ returnAuthorizations(first: 10) { nodes { ... on Node { ... on ReturnAuthorization { order { number } } } } } }`, nil, resolvers.PlanWritten},
		{"an order without events", w.SellerA, `query($n: String!) { order(number: $n) { number feedback { rating } disputes { number } returnClaims { number } } }`, map[string]any{"n": "S1-cancelled"}, resolvers.PlanWritten},
		{"a page of orders with their events", w.Admin, `{ orders(first: 100) { nodes { number feedback { rating comment } disputes { number closedAt } returnClaims { requestedAt } } } }`, nil, resolvers.PlanWritten},
		{"a report's order's events", w.SellerA, `{ reports(first: 10) { nodes { order { number feedback { rating } } } } }`, nil, resolvers.PlanDeclined},
		{"another seller's order", w.SellerB, `query($n: String!) { order(number: $n) { number } }`, map[string]any{"n": "S1-0"}, resolvers.PlanFellBack},
		{"a role the field refuses", w.Staff, `{ orders(first: 5) { nodes { number } } }`, nil, resolvers.PlanFellBack},
		{"a bad argument", w.SellerA, `{ orders(first: 1000) { nodes { number } } }`, nil, resolvers.PlanFellBack},
		{"a page after a cursor", w.SellerA, `query($after: String) { orders(first: 2, after: $after) { nodes { number } pageInfo { endCursor hasNextPage } } }`, nil, resolvers.PlanWritten},
		{"the seller", w.SellerA, `{ seller(number: "S1") { id number name legalName email country createdAt } }`, nil, resolvers.PlanWritten},
		{"sellers and buyers", w.Admin, `{ sellers(first: 10) { nodes { number name } } buyers(first: 10) { nodes { id handle } } orders(first: 100) { nodes { ` + allOrder + ` } } }`, nil, resolvers.PlanWritten},
		{"an admin's field of a buyer", w.Admin, `{ buyers(first: 10) { nodes { handle number } } }`, nil, resolvers.PlanDeclined},
		{"returned items", w.Staff, `{ returnedItems(first: 100) { nodes { id status route line rmaLine description grade notes photoUrls __typename } pageInfo { endCursor } } }`, nil, resolvers.PlanWritten},
		{"another store's returned items", w.OtherStaff, `{ returnedItems(first: 100) { nodes { id description } } }`, nil, resolvers.PlanWritten},
		{"reports with their orders and parties", w.SellerB, `{ reports(first: 100) { nodes { id reason description status outcome createdAt updatedAt decidedAt
			order { ` + allOrder + ` } seller { number name } buyer { id handle } } pageInfo { hasNextPage endCursor } edges { cursor } } }`, nil, resolvers.PlanWritten},
		{"reports decided by the batch", w.Admin, `{ reports(first: 100) { nodes { id status outcome decidedAt order { number } buyer { handle } } } }`, nil, resolvers.PlanWritten},
		{"a report's evidence", w.SellerA, `{ reports(first: 5) { nodes { id evidence { kind } } } }`, nil, resolvers.PlanDeclined},
		{"certificates with their stores", w.SellerA, `{ certificates(first: 100) { nodes { id serial kind status taxYear issuedAt donorName store { id code name ein }
			itemCount gross { amount currency } costs { amount } net { amount currency } verificationCode pdfBytes voidReason voidedAt emailedAt } } }`, nil, resolvers.PlanWritten},
		{"a store's certificates", w.Staff, `{ certificates(first: 100) { edges { cursor node { serial store { name } net { amount } } } } }`, nil, resolvers.PlanWritten},
		{"a certificate's links", w.SellerA, `{ certificates(first: 100) { nodes { serial verifyUrl } } }`, nil, resolvers.PlanDeclined},
		{"authorisations with their orders", w.SellerA, `{ returnAuthorizations(first: 100) { nodes { id code status trackingNumber createdAt expiresAt order { ` + allOrder + ` } } } }`, nil, resolvers.PlanWritten},
		{"a store's authorisations", w.Staff, `{ returnAuthorizations(first: 100) { nodes { code status order { number placedAt } } } }`, nil, resolvers.PlanWritten},
		{"a party staff may not see", w.Staff, `{ returnAuthorizations(first: 100) { nodes { code order { number buyer { handle } } } } }`, nil, resolvers.PlanFellBack},
		{"an authorisation's store", w.SellerA, `{ returnAuthorizations(first: 100) { nodes { code store { name } } } }`, nil, resolvers.PlanDeclined},
		{"a resolver field", w.SellerA, `{ orders(first: 2) { nodes { number seller { standing { projected } } } } }`, nil, resolvers.PlanDeclined},
		{"a count", w.SellerA, `{ orders(first: 2) { totalCount nodes { number } } }`, nil, resolvers.PlanDeclined},
		{"a root without a plan", w.SellerA, `{ me { role } orders(first: 1) { nodes { number } } }`, nil, resolvers.PlanDeclined},
	}
	// Pages after the first: the cursor of the page.
	first := w.Query(t, w.SellerA, `{ orders(first: 2) { pageInfo { endCursor } } }`, nil)
	for i := range cases {
		if cases[i].name == "a page after a cursor" {
			cases[i].vars = map[string]any{"after": get(first.Data, "orders", "pageInfo", "endCursor")}
		}
	}

	// And selections drawn at random from every field a plan writes.
	rnd := rand.New(rand.NewPCG(13, 13))
	fields := strings.Fields(`id number placedAt shipBy shippedAt deliveredAt cancelledAt cancellationReason __typename`)
	pick := func(all []string, sub map[string]string) string {
		var out []string
		for _, f := range all {
			if rnd.IntN(2) == 0 {
				if rnd.IntN(4) == 0 {
					f = "as_" + strings.Trim(f, "_") + ": " + f
				}
				out = append(out, f)
			}
		}
		for name, inner := range sub {
			if rnd.IntN(2) == 0 {
				out = append(out, name+" { "+inner+" }")
			}
		}
		if len(out) == 0 {
			out = append(out, "number")
		}
		rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return strings.Join(out, " ")
	}
	for i := range 40 {
		sel := pick(fields, map[string]string{"total": "amount currency", "seller": "name number createdAt", "buyer": "handle id"})
		q := fmt.Sprintf(`{ orders(first: %d) { nodes { %s } } }`, 1+rnd.IntN(6), sel)
		if rnd.IntN(3) == 0 {
			q = fmt.Sprintf(`{ orders(first: %d) { edges { cursor node { %s } } pageInfo { hasNextPage } } }`, 1+rnd.IntN(6), sel)
		}
		cases = append(cases, struct {
			name, token, query string
			vars               map[string]any
			by                 string
		}{fmt.Sprintf("drawn %d", i), []string{w.SellerA, w.SellerB, w.Admin}[rnd.IntN(3)], q, nil, resolvers.PlanWritten})
	}

	for _, tc := range cases {
		before := queriesBy(t, w.API.MetricsHandler())
		body, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
		require.NoError(t, err)
		planned := rawPost(t, w.Server.URL, tc.token, body)
		after := queriesBy(t, w.API.MetricsHandler())
		alone := rawPost(t, gqlgenOnly.URL, tc.token, body)
		require.Equal(t, alone, planned, "%s: %s", tc.name, tc.query)
		require.Equal(t, before[tc.by]+1, after[tc.by], "%s: executed by %s, counters %v → %v", tc.name, tc.by, before, after)
		require.Equal(t, after, queriesBy(t, w.API.MetricsHandler()), "%s: the request without plans counts nothing", tc.name)
		if tc.by == resolvers.PlanWritten {
			require.NotContains(t, string(planned), `"errors"`, tc.name)
			require.Contains(t, string(planned), `"data":{`, tc.name)
		}
	}
}

// TestWithoutPlans: GRAPHQL_PLANS=false (Config.NoPlans) leaves every query to gqlgen, and
// the answer is the same.
func TestWithoutPlans(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	cfg := apitest.Config()
	cfg.NoPlans = true
	api := apitest.NewServer(cfg, tb.DB)
	plain := httptest.NewServer(api)
	t.Cleanup(func() { api.Close(); plain.Close() })
	body := []byte(`{"query":"{ orders(first: 100) { nodes { number placedAt total { amount currency } seller { number name } buyer { handle } } } }"}`)
	require.Equal(t, rawPost(t, tb.Server.URL, tb.SellerA, body), rawPost(t, plain.URL, tb.SellerA, body))
	require.Equal(t, 1, queriesBy(t, tb.API.MetricsHandler())[resolvers.PlanWritten])
	require.Empty(t, queriesBy(t, api.MetricsHandler()))
}

// rawPost is the response body of one GraphQL request, as sent.
func rawPost(t *testing.T, url, token string, body []byte) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return fmt.Sprintf("%d %s", res.StatusCode, raw)
}

// queriesBy reads secondchance_graphql_queries_total by its label.
func queriesBy(t *testing.T, metrics http.Handler) map[string]int {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := map[string]int{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), `secondchance_graphql_queries_total{by="`)
		if !ok {
			continue
		}
		by, n, _ := strings.Cut(line, `"} `)
		v, err := strconv.Atoi(n)
		require.NoError(t, err)
		out[by] = v
	}
	return out
}
