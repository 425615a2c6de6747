package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
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
	if _, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), fixtureBatch(990, 0)); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": `{ orders(first: 100) { edges { cursor node { id number placedAt total { amount currency } seller { number name } buyer { handle } } } pageInfo { hasNextPage endCursor } } }`})
	for b.Loop() {
		if res := tb.Post(b, tb.SellerA, body); len(res.Errors) > 0 {
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
		res := tb.Post(b, tb.Admin, body)
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
		if _, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), batch); err != nil {
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
			req, _ := http.NewRequest(http.MethodPost, tb.Server.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tb.SellerA)
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

// BenchmarkIntakeAndSale: one staff request at a time through the whole HTTP handler,
// receiving a parcel of two items by RMA code, then (a second request) recording the direct
// sale of a listed item. It reports the median of each.
func BenchmarkIntakeAndSale(b *testing.B) {
	tb := setup(b)
	const n = 600
	codes := prepareReturns(b, tb, n)
	post := func(query string, vars map[string]any) map[string]any {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		res := tb.Post(b, tb.Staff, body)
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
		return res.Data
	}
	const receive = `mutation($c: String!) { receiveParcel(input: {rmaCode: $c, items: [{rmaLine: 1, description: "Speaker", grade: GOOD},
		{rmaLine: 2, description: "Cable", grade: GOOD}]}) { parcel { items { id } } userErrors { code } } }`
	const sell = `mutation($i: ID!) { recordSale(input: {item: $i, price: {amount: "25.00", currency: "USD"}, channel: "store"}) { sale { id } userErrors { code } } }`
	var intake, sale []time.Duration
	i := 0
	for b.Loop() {
		if i >= n {
			b.Fatal("raise n: more iterations than prepared returns")
		}
		start := time.Now()
		data := post(receive, map[string]any{"c": codes[i]})
		intake = append(intake, time.Since(start))
		item := get(data, "receiveParcel", "parcel", "items", 0, "id")
		post(`mutation($i: ID!) { routeItem(input: {item: $i}) { item { status } } }`, map[string]any{"i": item})
		start = time.Now()
		data = post(sell, map[string]any{"i": item})
		sale = append(sale, time.Since(start))
		if get(data, "recordSale", "sale") == nil {
			b.Fatal(data)
		}
		i++
	}
	slices.Sort(intake)
	slices.Sort(sale)
	b.ReportMetric(float64(intake[len(intake)/2].Microseconds())/1000, "intake-p50-ms")
	b.ReportMetric(float64(sale[len(sale)/2].Microseconds())/1000, "sale-p50-ms")
}

// BenchmarkConcurrentIntake: 8 staff clients of one store receive parcels at once over HTTP,
// with and without the triggers that keep the store's per-day totals: every intake updates the
// same (store, day) row, so intakes queue on it until each commits. Reports throughput and the
// median and 99th percentile latency of 800 intakes.
func BenchmarkConcurrentIntake(b *testing.B) {
	for _, triggers := range []bool{true, false} {
		name := "with-totals-triggers"
		if !triggers {
			name = "without"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				tb := setup(b)
				const n, clients = 800, 8
				codes := make(chan string, n)
				for _, c := range prepareReturns(b, tb, n) {
					codes <- c
				}
				close(codes)
				if !triggers {
					if _, err := tb.DB.Exec(`ALTER TABLE returned_items DISABLE TRIGGER store_item_totals_items_inserted`); err != nil {
						b.Fatal(err)
					}
				}
				const receive = `mutation($c: String!) { receiveParcel(input: {rmaCode: $c, items: [{rmaLine: 1, description: "Speaker", grade: GOOD},
					{rmaLine: 2, description: "Cable", grade: GOOD}]}) { parcel { items { id } } userErrors { code } } }`
				lat := make(chan time.Duration, n)
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for range clients {
					wg.Go(func() {
						for c := range codes {
							body, _ := json.Marshal(map[string]any{"query": receive, "variables": map[string]any{"c": c}})
							t0 := time.Now()
							if res := tb.Post(b, tb.Staff, body); len(res.Errors) > 0 {
								b.Error(res.Errors)
								return
							}
							lat <- time.Since(t0)
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				close(lat)
				var ds []time.Duration
				for d := range lat {
					ds = append(ds, d)
				}
				slices.Sort(ds)
				var items int
				if err := tb.DB.Get(&items, `SELECT coalesce(sum(items), 0) FROM store_item_totals`); err != nil {
					b.Fatal(err)
				}
				if triggers && items != 2*n {
					b.Fatalf("the store's totals count %d items, want %d", items, 2*n)
				}
				b.ReportMetric(float64(len(ds))/elapsed.Seconds(), "intakes/s")
				b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
				b.StartTimer()
			}
		})
	}
}

// prepareReturns authorises the return of n new orders of seller S1, two lines each, and
// returns their RMA codes.
func prepareReturns(b *testing.B, tb *testBundle, n int) []string {
	ctx := context.Background()
	batch := sc.MarketplaceBatch{}
	for i := 0; i < n; i++ {
		batch.Orders = append(batch.Orders, sc.OrderInput{Number: fmt.Sprintf("R-%d", i), SellerNumber: "S1", BuyerNumber: "B1",
			PlacedAt: time.Now().Add(-time.Hour), Total: sc.MoneyInput{Amount: "10", Currency: "USD"}})
	}
	if _, err := tb.DB.Ingest(sc.NewSystemContext(ctx), batch); err != nil {
		b.Fatal(err)
	}
	var sellerID int64
	if err := tb.DB.Get(&sellerID, `SELECT id FROM sellers WHERE number = 'S1'`); err != nil {
		b.Fatal(err)
	}
	seller := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID})
	codes := make([]string, n)
	for i := range codes {
		rma, err := tb.DB.CreateRMA(seller, sc.RMAInput{OrderNumber: fmt.Sprintf("R-%d", i), Items: []sc.RMAItemInput{
			{Description: "Speaker", Quantity: 1, Category: "Electronics", DeclaredValue: sc.MoneyInput{Amount: "40", Currency: "USD"}},
			{Description: "Cable", Quantity: 1, Category: "Electronics", DeclaredValue: sc.MoneyInput{Amount: "5", Currency: "USD"}}}})
		if err != nil {
			b.Fatal(err)
		}
		codes[i] = rma.Code
	}
	return codes
}
