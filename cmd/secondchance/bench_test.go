package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

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
