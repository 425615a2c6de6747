package db

import (
	"context"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.StoreService = (*DB)(nil)

// storeColumns are the columns of sc.Store.
const storeColumns = `id, code, name, recipient, address_line1, address_line2, city, region, postal_code, country, ein, created_at`

// joinedStoreColumns are storeColumns of a store joined as st, into a field tagged db:"store".
const joinedStoreColumns = `st.id AS "store.id", st.code AS "store.code", st.name AS "store.name", st.recipient AS "store.recipient",
	st.address_line1 AS "store.address_line1", st.address_line2 AS "store.address_line2", st.city AS "store.city",
	st.region AS "store.region", st.postal_code AS "store.postal_code", st.country AS "store.country", st.ein AS "store.ein",
	st.created_at AS "store.created_at"`

// StoresByID implements secondchance.StoreService, in the order of ids.
func (db *DB) StoresByID(ctx context.Context, ids []int64) ([]*sc.Store, error) {
	var rows []*sc.Store
	if err := db.SelectContext(ctx, &rows, `SELECT `+storeColumns+` FROM stores WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(s *sc.Store) int64 { return s.ID }), nil
}

// StoreByID implements secondchance.StoreService: any token reads a store, as any token reads
// the return address (Query.returnAddress); without one it is UNAUTHENTICATED like that field.
func (db *DB) StoreByID(ctx context.Context, id int64) (*sc.Store, error) {
	if _, err := sc.RequireActor(ctx); err != nil {
		return nil, err
	}
	return db.storeByID(ctx, id)
}

// storeByID reads a store for a caller that checked its right already (a signed label link).
func (db *DB) storeByID(ctx context.Context, id int64) (*sc.Store, error) {
	var s sc.Store
	err := db.GetContext(ctx, &s, `SELECT `+storeColumns+` FROM stores WHERE id = $1`, id)
	if err != nil {
		return nil, notFound(err, "id", "no store with ID %d", id)
	}
	return &s, nil
}

// CreateStore implements secondchance.StoreService.
func (db *DB) CreateStore(ctx context.Context, in sc.StoreInput) (*sc.Store, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	var s sc.Store
	err := db.GetContext(ctx, &s, `INSERT INTO stores (code, name, recipient, address_line1, address_line2, city, region, postal_code, country)
		VALUES ($1, $2, $3, $4, coalesce($5, ''), $6, $7, $8, $9) RETURNING `+storeColumns,
		in.Code, in.Name, in.Recipient, in.AddressLine1, in.AddressLine2, in.City, in.Region, in.PostalCode, in.Country)
	if err != nil {
		return nil, mapError(err)
	}
	return &s, nil
}

// UpdateStore implements secondchance.StoreService: each field given replaces the stored one.
func (db *DB) UpdateStore(ctx context.Context, code string, in sc.StoreInput) (*sc.Store, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	var s sc.Store
	err := db.GetContext(ctx, &s, `UPDATE stores SET code = coalesce($2, code), name = coalesce($3, name),
			recipient = coalesce($4, recipient), address_line1 = coalesce($5, address_line1), address_line2 = coalesce($6, address_line2),
			city = coalesce($7, city), region = coalesce($8, region), postal_code = coalesce($9, postal_code), country = coalesce($10, country)
		WHERE code = $1 RETURNING `+storeColumns,
		code, in.Code, in.Name, in.Recipient, in.AddressLine1, in.AddressLine2, in.City, in.Region, in.PostalCode, in.Country)
	if err != nil {
		return nil, notFound(err, "store", "no store with code %q", code)
	}
	return &s, nil
}

// ListStores implements secondchance.StoreService, by code.
func (db *DB) ListStores(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.Store], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, err := page.Limit()
	if err != nil {
		return nil, err
	}
	cur, err := decodeCursor(listStores, page.After, 1)
	if err != nil {
		return nil, err
	}
	after := ""
	if cur != nil {
		after = cur[0]
	}
	var rows []*sc.Store
	if err := db.SelectContext(ctx, &rows, `SELECT `+storeColumns+` FROM stores WHERE code > $1 ORDER BY code LIMIT $2`, after, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(s *sc.Store) string { return encodeCursor(listStores, s.Code) },
		db.countFunc(`SELECT count(*) FROM stores`)), nil
}
