package resolvers

import (
	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// Resolver is the root resolver.
type Resolver struct {
	sc.Services
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

// storePayload turns the outcome of a store change into its payload.
func storePayload(s *sc.Store, err error) (*graph.StorePayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	if len(ues) > 0 {
		s = nil
	}
	return &graph.StorePayload{Store: s, UserErrors: ues}, nil
}
