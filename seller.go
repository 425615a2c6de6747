package secondchance

import (
	"context"
	"time"
)

// Seller is a marketplace seller as the platform knows it. Number is the platform's own seller
// number, which seller frontends already use to refer to it.
type Seller struct {
	ID        int64     `db:"id"`
	Number    string    `db:"number"`
	Name      string    `db:"name"`
	LegalName string    `db:"legal_name"`
	Email     string    `db:"email"`
	Country   string    `db:"country"`
	CreatedAt time.Time `db:"created_at"`
}

// GlobalID is the seller's Relay ID.
func (s *Seller) GlobalID() string { return GlobalID(KindSeller, s.ID) }

// SellerFilter narrows the sellers list.
type SellerFilter struct {
	// Search matches the start of the seller number or name, case-insensitively.
	Search *string
	// Standing keeps the sellers with this standing in the latest weekly snapshot.
	Standing *Standing
}

// SellerService reads sellers. Every method scopes by the actor of the context: a seller sees
// only itself, an admin every seller, and staff no seller yet.
type SellerService interface {
	// ListSellers pages through sellers by number (admins).
	ListSellers(ctx context.Context, filter SellerFilter, page PageArgs) (*Page[*Seller], error)
	// SellersByID returns the sellers with these IDs in the order of ids, nil where one does
	// not exist or is not visible to the actor.
	SellersByID(ctx context.Context, ids []int64) ([]*Seller, error)
	// SellerByNumber returns one visible seller by its platform number, or NOT_FOUND.
	SellerByNumber(ctx context.Context, number string) (*Seller, error)
}
