package resolvers

import (
	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// Services are the domain services the resolvers call. The storage layer implements all of
// them; tests may swap one.
type Services struct {
	Sellers      sc.SellerService
	Buyers       sc.BuyerService
	Orders       sc.OrderService
	Marketplace  sc.MarketplaceService
	Tokens       sc.TokenService
	Stores       sc.StoreService
	Reports      sc.ReportService
	Batches      sc.BatchService
	Indicators   sc.IndicatorService
	Snapshots    sc.SnapshotService
	Adjustments  sc.AdjustmentService
	Returns      sc.ReturnService
	Intake       sc.IntakeService
	Matcher      sc.ParcelMatcher
	Sales        sc.SalesService
	Donations    sc.DonationService
	Certificates sc.CertificateService
	// Links makes the URLs handed out (signed PDF links, verification pages).
	Links sc.Links
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

// rmaPayload runs a change to a return authorisation once its ID decoded, and turns the
// outcome into the mutation's payload.
func rmaPayload(id int64, err error) func(change func(int64) (*sc.ReturnAuthorization, error)) (*graph.ReturnAuthorizationPayload, error) {
	return func(change func(int64) (*sc.ReturnAuthorization, error)) (*graph.ReturnAuthorizationPayload, error) {
		var rma *sc.ReturnAuthorization
		if err == nil {
			rma, err = change(id)
		}
		ues, err := userErrors(err)
		if err != nil {
			return nil, err
		}
		return &graph.ReturnAuthorizationPayload{ReturnAuthorization: rma, UserErrors: ues}, nil
	}
}

// settingsPayload turns the outcome of a settings change into its payload.
func settingsPayload(err error) (*graph.DonationSettingsPayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &graph.DonationSettingsPayload{Ok: len(ues) == 0, UserErrors: ues}, nil
}
