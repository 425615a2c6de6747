package secondchance

import (
	"context"
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

// StoreService reads charity stores.
type StoreService interface {
	// StoreByID returns a store; every store is public, as its return address is.
	StoreByID(ctx context.Context, id int64) (*Store, error)
	// StoresByID returns stores in the order of ids.
	StoresByID(ctx context.Context, ids []int64) ([]*Store, error)
}
