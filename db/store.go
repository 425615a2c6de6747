package db

import (
	"context"

	sc "github.com/secondchance/secondchance"
)

var _ sc.StoreService = (*DB)(nil)

// StoreByID implements secondchance.StoreService.
func (db *DB) StoreByID(ctx context.Context, id int64) (*sc.Store, error) {
	var s sc.Store
	err := db.GetContext(ctx, &s, `SELECT id, code, name, recipient, address_line1, address_line2, city, region,
		postal_code, country, created_at FROM stores WHERE id = $1`, id)
	if err != nil {
		return nil, notFound(err, "id", "no store with ID %d", id)
	}
	return &s, nil
}
