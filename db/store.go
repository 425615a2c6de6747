package db

import (
	"context"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.StoreService = (*DB)(nil)

// storeColumns are the columns of sc.Store.
const storeColumns = `id, code, name, recipient, address_line1, address_line2, city, region, postal_code, country, ein, created_at`

// StoresByID implements secondchance.StoreService, in the order of ids.
func (db *DB) StoresByID(ctx context.Context, ids []int64) ([]*sc.Store, error) {
	var rows []*sc.Store
	if err := db.SelectContext(ctx, &rows, `SELECT `+storeColumns+` FROM stores WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(s *sc.Store) int64 { return s.ID }), nil
}

// StoreByID implements secondchance.StoreService.
func (db *DB) StoreByID(ctx context.Context, id int64) (*sc.Store, error) {
	var s sc.Store
	err := db.GetContext(ctx, &s, `SELECT `+storeColumns+` FROM stores WHERE id = $1`, id)
	if err != nil {
		return nil, notFound(err, "id", "no store with ID %d", id)
	}
	return &s, nil
}
