package db

import (
	"context"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.BuyerService = (*DB)(nil)

const buyerColumns = `b.id, b.number, b.handle, b.country, b.status, b.status_changed_at, b.created_at`

// ListBuyers implements secondchance.BuyerService.
func (db *DB) ListBuyers(ctx context.Context, f sc.BuyerFilter, page sc.PageArgs) (*sc.Page[*sc.Buyer], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listBuyers, page)
	if err != nil {
		return nil, err
	}
	const where = `($1::text IS NULL OR b.status = $1)
		AND ($2::text IS NULL OR lower(b.handle) LIKE $2 OR lower(b.number) LIKE $2)`
	search := prefixPattern(f.Search)
	var rows []*sc.Buyer
	err = db.SelectContext(ctx, &rows, `SELECT `+buyerColumns+` FROM buyers b WHERE `+where+`
		AND ($3::bigint IS NULL OR b.id > $3) ORDER BY b.id LIMIT $4`, f.Status, search, afterID, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(b *sc.Buyer) string { return idCursor(listBuyers, b.ID) },
		db.countFunc(`SELECT count(*) FROM buyers b WHERE `+where, f.Status, search)), nil
}

// BuyersByID implements secondchance.BuyerService. A seller sees a buyer only when the buyer
// has an order with it. The orders looked at are those of the asked buyers only, one probe of
// orders_buyer_seller_idx each: written as a correlated EXISTS, the check was planned as a
// hash of every order of the seller, so the largest sellers paid for their whole history.
func (db *DB) BuyersByID(ctx context.Context, ids []int64) ([]*sc.Buyer, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Buyer
	err = db.SelectContext(ctx, &rows, `SELECT `+buyerColumns+` FROM buyers b
		WHERE b.id = ANY($1) AND ($2 OR b.id IN (SELECT o.buyer_id FROM orders o WHERE o.buyer_id = ANY($1) AND o.seller_id = $3))`,
		pq.Array(ids), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(b *sc.Buyer) int64 { return b.ID }), nil
}
