package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
)

// BenchmarkOrdersPage: one seller frontend request for a page of 100 orders with seller and
// buyer, through the whole HTTP handler (authentication, GraphQL, dataloaders, PostgreSQL).
func BenchmarkOrdersPage(b *testing.B) {
	tb := setup(b)
	// 990 more orders for seller A, so its pages are full.
	if _, err := tb.db.Ingest(sc.NewSystemContext(context.Background()), fixtureBatch(990, 0)); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": `{ orders(first: 100) { edges { cursor node { id number placedAt total { amount currency } seller { number name } buyer { handle } } } pageInfo { hasNextPage endCursor } } }`})
	for b.Loop() {
		if res := tb.post(b, tb.sellerA, body); len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
	}
}

// BenchmarkIngest1000Orders: one ingestMarketplaceData mutation of 1,000 orders with feedback
// and a dispute each (updates after the first round), through the whole HTTP handler.
func BenchmarkIngest1000Orders(b *testing.B) {
	tb := setup(b)
	batch := fixtureBatch(500, 500)
	in := graphqlInput(map[string]any{"sellers": batch.Sellers, "buyers": batch.Buyers, "orders": batch.Orders})
	body, err := json.Marshal(map[string]any{"query": ingestMutation, "variables": map[string]any{"input": in}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res := tb.post(b, tb.admin, body)
		if len(res.Errors) > 0 || len(get(res.Data, "ingestMarketplaceData", "userErrors").([]any)) > 0 {
			b.Fatal(res.Errors, res.Data)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "orders/s")
}

// graphqlInput turns domain input structs into GraphQL variables: the same fields, camelCase.
func graphqlInput(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	var camel func(any) any
	camel = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, e := range x {
				m[strings.ToLower(k[:1])+k[1:]] = camel(e)
			}
			return m
		case []any:
			for i := range x {
				x[i] = camel(x[i])
			}
		}
		return v
	}
	return camel(out)
}

// reportMutationLight asks for what a frontend needs right after filing: the report's ID and status.
const reportMutationLight = `mutation($input: ReportBuyerInput!) { reportBuyer(input: $input) { created report { id status } userErrors { field code message } } }`

// BenchmarkReportBuyer: reportBuyer from 16 concurrent clients (8 goroutines per core on this
// 2-core machine), each report a new one, through the whole HTTP handler with real commits.
// "light" asks for the report's ID and status; "full" for its order, buyer, seller and timeline
// too (reportMutation of the tests).
func BenchmarkReportBuyer(b *testing.B) {
	for _, bc := range []struct{ name, query string }{{"light", reportMutationLight}, {"full", reportMutation}} {
		b.Run(bc.name, func(b *testing.B) { benchmarkReportBuyer(b, bc.query) })
	}
}

func benchmarkReportBuyer(b *testing.B, query string) {
	tb := setup(b)
	const orders = 5000
	for i := 0; i < orders; i += 1000 {
		batch := sc.MarketplaceBatch{}
		for j := i; j < i+1000; j++ {
			batch.Orders = append(batch.Orders, sc.OrderInput{Number: fmt.Sprintf("R-%d", j), SellerNumber: "S1", BuyerNumber: "B1",
				PlacedAt: time.Now().Add(-time.Hour), Total: sc.MoneyInput{Amount: "10", Currency: "USD"}})
		}
		if _, err := tb.db.Ingest(sc.NewSystemContext(context.Background()), batch); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			in := reportInput(fmt.Sprintf("R-%d", i%orders), sc.ReportReasons[(i/orders)%int64(len(sc.ReportReasons))])
			body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": in}})
			req, _ := http.NewRequest(http.MethodPost, tb.server.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tb.sellerA)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !bytes.Contains(raw, []byte(`"created":true`)) {
				b.Errorf("unexpected response: %s", raw)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
