package secondchance

import "time"

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
	CreatedAt    time.Time `db:"created_at"`
}
