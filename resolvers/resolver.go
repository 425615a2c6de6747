package resolvers

import (
	sc "github.com/secondchance/secondchance"
)

// Services are the domain services the resolvers call. The storage layer implements all of
// them; tests may swap one.
type Services struct {
	Sellers     sc.SellerService
	Buyers      sc.BuyerService
	Orders      sc.OrderService
	Marketplace sc.MarketplaceService
	Tokens      sc.TokenService
	Stores      sc.StoreService
	Reports     sc.ReportService
	Batches     sc.BatchService
	Indicators  sc.IndicatorService
	Snapshots   sc.SnapshotService
	Adjustments sc.AdjustmentService
}

// Resolver is the root resolver.
type Resolver struct {
	Services
}

// deref returns the value of an optional input, or its zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
