package secondchance

import (
	"context"
	"strings"
	"time"
)

// Store is a charity store that receives returned goods. Staff tokens are scoped to one store.
// Code is the short name operators use for it (e.g. SCS).
type Store struct {
	ID           int64     `db:"id"`
	Code         string    `db:"code"`
	Name         string    `db:"name"`
	Recipient    string    `db:"recipient"`
	AddressLine1 string    `db:"address_line1"`
	AddressLine2 string    `db:"address_line2"`
	City         string    `db:"city"`
	Region       string    `db:"region"`
	PostalCode   string    `db:"postal_code"`
	Country      string    `db:"country"`
	EIN          string    `db:"ein"`
	CreatedAt    time.Time `db:"created_at"`
}

// GlobalID is the store's Relay ID.
func (s *Store) GlobalID() string { return GlobalID(KindStore, s.ID) }

// ReturnAddress is the address block buyers write on a returned parcel.
func (s *Store) ReturnAddress() PostalAddress {
	return PostalAddress{Recipient: s.Recipient, Line1: s.AddressLine1, Line2: s.AddressLine2,
		City: s.City, Region: s.Region, PostalCode: s.PostalCode, Country: s.Country}
}

// PostalAddress is an address as printed on a parcel.
type PostalAddress struct {
	Recipient  string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// StoreInput creates a store or, in an update, replaces the fields that are not nil.
type StoreInput struct {
	Code         *string
	Name         *string
	Recipient    *string
	AddressLine1 *string
	AddressLine2 *string
	City         *string
	Region       *string
	PostalCode   *string
	Country      *string
}

// Validate checks the fields given; creating requires every field but the second address line.
func (in *StoreInput) Validate(creating bool) error {
	var f fieldErrors
	if in.Code != nil || creating {
		code := deref(in.Code)
		if len(code) < 2 || len(code) > 12 || strings.IndexFunc(code, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < '0' || r > '9') }) >= 0 {
			f.add("code", "%q is not a store code: 2 to 12 capital letters or digits, e.g. SCS", code)
		}
	}
	for _, t := range []struct {
		field    string
		v        *string
		required bool
	}{
		{"name", in.Name, true}, {"recipient", in.Recipient, true}, {"addressLine1", in.AddressLine1, true},
		{"addressLine2", in.AddressLine2, false}, {"city", in.City, true}, {"region", in.Region, true},
		{"postalCode", in.PostalCode, true},
	} {
		if t.v == nil && !creating {
			continue
		}
		min := 0
		if t.required {
			min = 1
		}
		checkText(f.add, t.field, deref(t.v), min, 200)
	}
	if in.Country != nil || creating {
		if deref(in.Country) == "" {
			f.add("country", "country is required: a two-letter ISO 3166 code such as US")
		}
		checkCountry(f.add, "country", in.Country)
	}
	return f.Err()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// StoreService reads charity stores; admins create and edit them.
type StoreService interface {
	// CreateStore registers a new store (admins); its code is unique (CONFLICT on code).
	CreateStore(ctx context.Context, in StoreInput) (*Store, error)
	// UpdateStore changes the fields of in that are set on the store with this code (admins).
	UpdateStore(ctx context.Context, code string, in StoreInput) (*Store, error)
	// ListStores pages through stores by code (admins).
	ListStores(ctx context.Context, page PageArgs) (*Page[*Store], error)
	// StoreByID returns a store to any token, as Query.returnAddress does; without a token it is
	// UNAUTHENTICATED.
	StoreByID(ctx context.Context, id int64) (*Store, error)
	// StoresByID returns stores in the order of ids.
	StoresByID(ctx context.Context, ids []int64) ([]*Store, error)
}
