package db

import (
	"context"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.SellerService = (*DB)(nil)

const sellerColumns = `s.id, s.number, s.name, s.legal_name, s.email, s.country, s.created_at`

// ListSellers implements secondchance.SellerService.
func (db *DB) ListSellers(ctx context.Context, f sc.SellerFilter, page sc.PageArgs) (*sc.Page[*sc.Seller], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listSellers, page)
	if err != nil {
		return nil, err
	}
	const where = `($1::text IS NULL OR lower(s.name) LIKE $1 OR lower(s.number) LIKE $1)
		AND ($2::text IS NULL OR s.id IN (SELECT seller_id FROM seller_standings
			WHERE week = (SELECT max(week) FROM seller_standings) AND standing = $2))`
	search := prefixPattern(f.Search)
	var rows []*sc.Seller
	err = db.SelectContext(ctx, &rows, `SELECT `+sellerColumns+` FROM sellers s WHERE `+where+`
		AND ($3::bigint IS NULL OR s.id > $3) ORDER BY s.id LIMIT $4`, search, f.Standing, afterID, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(s *sc.Seller) string { return idCursor(listSellers, s.ID) },
		db.countFunc(`SELECT count(*) FROM sellers s WHERE `+where, search, f.Standing)), nil
}

// SellersByID implements secondchance.SellerService.
func (db *DB) SellersByID(ctx context.Context, ids []int64) ([]*sc.Seller, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Seller
	err = db.SelectContext(ctx, &rows, `SELECT `+sellerColumns+` FROM sellers s
		WHERE s.id = ANY($1) AND ($2 OR s.id = $3)`, pq.Array(ids), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(s *sc.Seller) int64 { return s.ID }), nil
}

// SellerByNumber implements secondchance.SellerService.
func (db *DB) SellerByNumber(ctx context.Context, number string) (*sc.Seller, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var s sc.Seller
	err = db.GetContext(ctx, &s, `SELECT `+sellerColumns+` FROM sellers s
		WHERE s.number = $1 AND ($2 OR s.id = $3)`, number, sp.all, sp.seller())
	if err != nil {
		return nil, notFound(err, "number", "no seller with number %q", number)
	}
	return &s, nil
}

// notFound maps a missing row to NOT_FOUND on field, with a message naming what was asked.
// Rows outside the actor's scope are missing too: their existence is not revealed.
func notFound(err error, field, format string, args ...any) error {
	err = mapError(err)
	if sc.ErrorCode(err) == sc.ENOTFOUND {
		return sc.FieldErrorf(field, sc.ENOTFOUND, format, args...)
	}
	return err
}
