package secondchance

import (
	"context"
	"io"
	"strconv"
	"time"
)

// BuyerStatus is the standing of a buyer account on the platform.
type BuyerStatus string

// Buyer statuses, from good to gone.
const (
	BuyerActive    BuyerStatus = "ACTIVE"
	BuyerWarned    BuyerStatus = "WARNED"
	BuyerSuspended BuyerStatus = "SUSPENDED"
	BuyerClosed    BuyerStatus = "CLOSED"
)

// Valid reports whether s is a known status.
func (s BuyerStatus) Valid() bool {
	switch s {
	case BuyerActive, BuyerWarned, BuyerSuspended, BuyerClosed:
		return true
	}
	return false
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s BuyerStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *BuyerStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, BuyerStatus.Valid) }

// Buyer is a marketplace buyer account. Handle is the public name every seller already sees on
// its orders; Number, status and everything else are the platform's and shown to admins only.
type Buyer struct {
	ID              int64       `db:"id"`
	Number          string      `db:"number"`
	Handle          string      `db:"handle"`
	Country         string      `db:"country"`
	Status          BuyerStatus `db:"status"`
	StatusChangedAt time.Time   `db:"status_changed_at"`
	CreatedAt       time.Time   `db:"created_at"`
}

// GlobalID is the buyer's Relay ID.
func (b *Buyer) GlobalID() string { return GlobalID(KindBuyer, b.ID) }

// BuyerFilter narrows the buyers list.
type BuyerFilter struct {
	Status *BuyerStatus
	// Search matches the start of the buyer number or handle, case-insensitively.
	Search *string
}

// BuyerService reads buyers. A seller sees a buyer only when that buyer has an order with it;
// admins see every buyer.
type BuyerService interface {
	// ListBuyers pages through buyers by number (admins).
	ListBuyers(ctx context.Context, filter BuyerFilter, page PageArgs) (*Page[*Buyer], error)
	// BuyersByID returns the buyers with these IDs in the order of ids, nil where one does not
	// exist or is not visible to the actor.
	BuyersByID(ctx context.Context, ids []int64) ([]*Buyer, error)
}

// CheckBuyerNumberFilter refuses a filter by buyer number (field) to anyone but an admin. Buyer
// numbers are hidden from sellers; a filter that answered "no rows" or "some rows" for any
// number a seller tried would give them back, one guess at a time.
func CheckBuyerNumberFilter(a *Actor, number *string, field string) error {
	if number == nil || a.IsAdmin() {
		return nil
	}
	return FieldErrorf(field, EFORBIDDEN, "only admins filter by buyer number; sellers see buyers by handle")
}
