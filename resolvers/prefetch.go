package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// Lists load their edges up front. A loader alone batches by a time window, so on a busy
// machine a page's elements can straddle two windows and cost an extra statement; priming the
// loaders from the list resolver makes each selected edge exactly one statement per page. The
// loaders still serve single objects (node, order) and anything not primed.

// selectedNodeFields returns the fields selected on the items of the connection being resolved
// in ctx, under `nodes` and under `edges { node }`.
func selectedNodeFields(ctx context.Context, typeName string) map[string]bool {
	out := map[string]bool{}
	for _, f := range selectedNodeSelections(ctx, typeName) {
		out[f.Name] = true
	}
	return out
}

// selectedNodeSelections is selectedNodeFields with each selection, so that prefetching can
// read a field's arguments.
func selectedNodeSelections(ctx context.Context, typeName string) []graphql.CollectedField {
	oc := graphql.GetOperationContext(ctx)
	on := satisfies(typeName)
	var out []graphql.CollectedField
	add := func(sel []graphql.CollectedField) { out = append(out, sel...) }
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			add(graphql.CollectFields(oc, f.Selections, on))
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, nil) {
				if e.Name == "node" {
					add(graphql.CollectFields(oc, e.Selections, on))
				}
			}
		}
	}
	return out
}

// selectedFieldsOf returns the fields selected on the object the field being resolved in ctx
// returns, for a single object (order(number:), seller(number:)) as selectedNodeFields does
// for the items of a connection.
func selectedFieldsOf(ctx context.Context, typeName string) []graphql.CollectedField {
	return graphql.CollectFields(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections, satisfies(typeName))
}

// satisfies are the type conditions a fragment selecting on typeName may name, as gqlgen
// collects its fields: the type and Node, which every type prefetched implements (and which
// validation allows only inside a type that does), so `... on Node { ... on Order { feedback } }`
// is prefetched too and a plan finds what it writes.
func satisfies(typeName string) []string { return []string{typeName, "Node"} }

func fieldNames(fields []graphql.CollectedField) map[string]bool {
	out := make(map[string]bool, len(fields))
	for _, f := range fields {
		out[f.Name] = true
	}
	return out
}

// prime fetches the values of ids in one call and puts them in the loader.
func prime[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], ids []int64, fetch func(context.Context, []int64) ([]V, error)) error {
	_, err := primed(ctx, l, ids, fetch)
	return err
}

// primed is prime that also returns what it loaded, by ID.
func primed[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], ids []int64, fetch func(context.Context, []int64) ([]V, error)) (map[int64]V, error) {
	ids = unique(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	vs, err := fetch(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]V, len(ids))
	for i, id := range ids {
		l.Prime(id, vs[i])
		out[id] = vs[i]
	}
	return out, nil
}

func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// prefetchOrders primes the edges of a page of orders that the query selects.
func (r *Resolver) prefetchOrders(ctx context.Context, orders []*sc.Order) error {
	return r.prefetchOrderEdges(ctx, orders, selectedNodeFields(ctx, "Order"))
}

// prefetchOrder primes the selected edges of one order: each one statement, sent at once
// instead of after a loader's wait for company that never comes.
func (r *Resolver) prefetchOrder(ctx context.Context, o *sc.Order) error {
	return r.prefetchOrderEdges(ctx, []*sc.Order{o}, fieldNames(selectedFieldsOf(ctx, "Order")))
}

func (r *Resolver) prefetchOrderEdges(ctx context.Context, orders []*sc.Order, sel map[string]bool) error {
	if len(orders) == 0 {
		return nil
	}
	// Sellers and buyers come with the orders; the events, one statement for whichever of the
	// three are selected (it reads all three: one statement either way, and the orders then hold
	// them all, for the plans that write the page, plan.go).
	if !sel["feedback"] && !sel["disputes"] && !sel["returnClaims"] {
		return nil
	}
	l := loadersFrom(ctx)
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	evs, err := r.Services.Orders.EventsByOrder(ctx, ids)
	if err != nil {
		return err
	}
	for i, o := range orders {
		o.Events = evs[i]
		l.feedback.Prime(o.ID, evs[i].Feedback)
		l.disputes.Prime(o.ID, evs[i].Disputes)
		l.returnClaims.Prime(o.ID, evs[i].ReturnClaims)
	}
	return nil
}

// prefetchTokens primes the sellers of a page of tokens.
func (r *Resolver) prefetchTokens(ctx context.Context, tokens []*sc.Token) error {
	if !selectedNodeFields(ctx, "Token")["seller"] {
		return nil
	}
	var sellers []int64
	for _, t := range tokens {
		if t.SellerID != nil {
			sellers = append(sellers, *t.SellerID)
		}
	}
	return prime(ctx, loadersFrom(ctx).seller, sellers, r.Services.Sellers.SellersByID)
}

// listReports pages through reports and primes what the page selects: the orders, sellers and
// buyers come with the page itself, the timelines cost one statement.
func (r *Resolver) listReports(ctx context.Context, f sc.ReportFilter, first *int, after *string) (*graph.Connection[*sc.Report], error) {
	p, err := r.Services.Reports.ListReports(ctx, f, sc.PageArgs{First: first, After: after})
	if err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return graph.NewConnection(p), nil
	}
	sel := selectedNodeFields(ctx, "Report")
	l := loadersFrom(ctx)
	ids := make([]int64, len(p.Items))
	for i, rep := range p.Items {
		ids[i] = rep.ID
		if rep.Order != nil {
			l.order.Prime(rep.Order.ID, rep.Order)
		}
	}
	steps := []struct {
		field string
		run   func() error
	}{
		{"timeline", func() error { return prime(ctx, l.reportEvents, ids, r.Services.Reports.ReportEventsByReport) }},
	}
	for _, s := range steps {
		if sel[s.field] {
			if err := s.run(); err != nil {
				return nil, err
			}
		}
	}
	return graph.NewConnection(p), nil
}

// prefetchVerdicts primes the buyers and batches of a page of verdicts.
func (r *Resolver) prefetchVerdicts(ctx context.Context, verdicts []*sc.Verdict) error {
	if len(verdicts) == 0 {
		return nil
	}
	sel := selectedNodeFields(ctx, "Verdict")
	l := loadersFrom(ctx)
	buyers, batches := make([]int64, len(verdicts)), make([]int64, len(verdicts))
	for i, v := range verdicts {
		buyers[i], batches[i] = v.BuyerID, v.BatchID
	}
	if sel["buyer"] {
		if err := prime(ctx, l.buyer, buyers, r.Services.Buyers.BuyersByID); err != nil {
			return err
		}
	}
	if sel["batch"] {
		return prime(ctx, l.batch, batches, r.Services.Batches.BatchesByID)
	}
	return nil
}

// prefetchSellers primes the indicators and standings a page of sellers selects: the
// standings in one statement, the indicators of every window asked for (a query may ask for
// several under aliases) in another.
func (r *Resolver) prefetchSellers(ctx context.Context, sellers []*sc.Seller) error {
	return r.prefetchSellerEdges(ctx, sellers, selectedNodeSelections(ctx, "Seller"))
}

// prefetchSeller is prefetchSellers for one seller (seller(number:), a frontend's dashboard).
func (r *Resolver) prefetchSeller(ctx context.Context, s *sc.Seller) error {
	return r.prefetchSellerEdges(ctx, []*sc.Seller{s}, selectedFieldsOf(ctx, "Seller"))
}

func (r *Resolver) prefetchSellerEdges(ctx context.Context, sellers []*sc.Seller, selections []graphql.CollectedField) error {
	if len(sellers) == 0 {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	ids := make([]int64, len(sellers))
	for i, s := range sellers {
		ids[i] = s.ID
	}
	l := loadersFrom(ctx)
	done := map[sc.IndicatorWindow]bool{}
	var windows []sc.IndicatorWindow
	standing := false
	for _, f := range selections {
		if f.Name == "standing" && !standing {
			standing = true
			if err := prime(ctx, l.standing, ids, r.Services.Snapshots.SellerStandings); err != nil {
				return err
			}
		}
		if f.Name != "indicators" {
			continue
		}
		var w sc.IndicatorWindow
		if err := w.UnmarshalGQL(f.ArgumentMap(oc.Variables)["window"]); err != nil || done[w] {
			continue // a bad window fails in the field's own resolver, with its error
		}
		done[w] = true
		windows = append(windows, w)
	}
	if len(windows) == 0 {
		return nil
	}
	// Every window asked for in one statement.
	figures, err := r.Services.Indicators.SellersIndicatorsIn(ctx, ids, windows)
	if err != nil {
		return err
	}
	for i, w := range windows {
		for j, id := range ids {
			l.indicators[w].Prime(id, figures[i][j])
		}
	}
	return nil
}

// prefetchAdjustments primes the orders, reports, verdicts and batches a page of indicator
// adjustments selects.
func (r *Resolver) prefetchAdjustments(ctx context.Context, items []*sc.IndicatorAdjustment) error {
	if len(items) == 0 {
		return nil
	}
	sel := selectedNodeFields(ctx, "IndicatorAdjustment")
	l := loadersFrom(ctx)
	var orders, reports, verdicts, batches []int64
	for _, a := range items {
		orders = append(orders, a.OrderID)
		for _, p := range []struct {
			id  *int64
			ids *[]int64
		}{{a.ReportID, &reports}, {a.VerdictID, &verdicts}, {a.BatchID, &batches}} {
			if p.id != nil {
				*p.ids = append(*p.ids, *p.id)
			}
		}
	}
	steps := []struct {
		field string
		run   func() error
	}{
		{"order", func() error { return prime(ctx, l.order, orders, r.Services.Orders.OrdersByID) }},
		{"report", func() error { return prime(ctx, l.report, reports, r.Services.Reports.ReportsByID) }},
		{"verdict", func() error { return prime(ctx, l.verdict, verdicts, r.Services.Batches.VerdictsByID) }},
		{"batch", func() error { return prime(ctx, l.batch, batches, r.Services.Batches.BatchesByID) }},
	}
	for _, s := range steps {
		if sel[s.field] {
			if err := s.run(); err != nil {
				return err
			}
		}
	}
	return nil
}

// prefetchRMAs primes the items and orders a page of return authorisations selects.
func (r *Resolver) prefetchRMAs(ctx context.Context, rmas []*sc.ReturnAuthorization) error {
	if len(rmas) == 0 {
		return nil
	}
	sel := selectedNodeFields(ctx, "ReturnAuthorization")
	l := loadersFrom(ctx)
	ids, orders := make([]int64, len(rmas)), make([]int64, len(rmas))
	for i, x := range rmas {
		ids[i], orders[i] = x.ID, x.OrderID
	}
	if sel["items"] {
		if err := prime(ctx, l.rmaItems, ids, r.Services.Returns.RMAItems); err != nil {
			return err
		}
	}
	if sel["order"] {
		// Held by the authorisations too, for the plans that write the page (plan.go).
		byID, err := primed(ctx, l.order, orders, r.Services.Orders.OrdersByID)
		if err != nil {
			return err
		}
		for _, x := range rmas {
			x.Order = byID[x.OrderID]
		}
	}
	return nil
}

// prefetchCertificates primes the sellers, stores and certificates (replaced, replacing) a
// page of certificates selects.
func (r *Resolver) prefetchCertificates(ctx context.Context, items []*sc.Certificate) error {
	if len(items) == 0 {
		return nil
	}
	sel := selectedNodeFields(ctx, "Certificate")
	l := loadersFrom(ctx)
	var sellers, stores, related []int64
	for _, c := range items {
		sellers = append(sellers, c.SellerID)
		if c.Store == nil {
			stores = append(stores, c.StoreID)
		}
		for _, id := range []*int64{c.ReplacesID, c.ReplacedByID} {
			if id != nil {
				related = append(related, *id)
			}
		}
	}
	steps := []struct {
		selected bool
		run      func() error
	}{
		{sel["seller"], func() error { return prime(ctx, l.seller, sellers, r.Services.Sellers.SellersByID) }},
		{sel["store"] && len(stores) > 0, func() error { return prime(ctx, l.store, stores, r.Services.Stores.StoresByID) }},
		{sel["replaces"] || sel["replacedBy"], func() error {
			return prime(ctx, l.certificate, related, r.Services.Certificates.CertificatesByID)
		}},
	}
	for _, s := range steps {
		if s.selected {
			if err := s.run(); err != nil {
				return err
			}
		}
	}
	return nil
}
