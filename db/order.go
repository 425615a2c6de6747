package db

import (
	"context"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.OrderService = (*DB)(nil)

const orderColumns = `o.id, o.number, o.seller_id, o.buyer_id, o.placed_at, o.ship_by, o.shipped_at,
	o.delivered_at, o.cancelled_at, o.cancellation_reason, o.total_cents, o.currency, o.created_at, o.updated_at`

// ListOrders implements secondchance.OrderService.
func (db *DB) ListOrders(ctx context.Context, f sc.OrderFilter, page sc.PageArgs) (*sc.Page[*sc.Order], error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	if a := sc.ActorFromContext(ctx); a.Role == sc.RoleStaff {
		return nil, sc.Errorf(sc.EFORBIDDEN, "a STAFF token cannot list marketplace orders")
	}
	if err := sc.CheckBuyerNumberFilter(sc.ActorFromContext(ctx), f.BuyerNumber, "filter.buyerNumber"); err != nil {
		return nil, err
	}
	limit, afterTime, afterID, err := timePage(listOrders, page)
	if err != nil {
		return nil, err
	}
	if f.PlacedAfter != nil && f.PlacedBefore != nil && !f.PlacedAfter.Before(*f.PlacedBefore) {
		return nil, sc.FieldErrorf("filter.placedBefore", sc.EINVALID, "placedBefore must be after placedAfter")
	}
	// Sellers and buyers are looked up by number in subqueries so that an unknown number is an
	// empty page, the same answer a seller gets for another seller's number.
	const where = `($1 OR o.seller_id = $2)
		AND ($3::text IS NULL OR o.seller_id = (SELECT id FROM sellers WHERE number = $3))
		AND ($4::text IS NULL OR o.buyer_id = (SELECT id FROM buyers WHERE number = $4))
		AND ($5::timestamptz IS NULL OR o.placed_at >= $5)
		AND ($6::timestamptz IS NULL OR o.placed_at < $6)`
	args := []any{sp.all, sp.sellerID, f.SellerNumber, f.BuyerNumber, f.PlacedAfter, f.PlacedBefore}
	var rows []*sc.Order
	err = db.SelectContext(ctx, &rows, `SELECT `+orderColumns+` FROM orders o WHERE `+where+`
		AND ($7::timestamptz IS NULL OR (o.placed_at, o.id) < ($7, $8))
		ORDER BY o.placed_at DESC, o.id DESC LIMIT $9`, append(args, afterTime, afterID, limit+1)...)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, orderCursor, db.countFunc(`SELECT count(*) FROM orders o WHERE `+where, args...)), nil
}

func orderCursor(o *sc.Order) string { return timeCursor(listOrders, o.PlacedAt, o.ID) }

// OrdersByID implements secondchance.OrderService.
func (db *DB) OrdersByID(ctx context.Context, ids []int64) ([]*sc.Order, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Order
	err = db.SelectContext(ctx, &rows, `SELECT `+orderColumns+` FROM orders o
		WHERE o.id = ANY($1) AND ($2 OR o.seller_id = $3
			OR EXISTS (SELECT 1 FROM return_authorizations ra WHERE ra.order_id = o.id AND ra.store_id = $4))`,
		pq.Array(ids), sp.all, sp.sellerID, sp.storeID)
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(o *sc.Order) int64 { return o.ID }), nil
}

// OrderByNumber implements secondchance.OrderService.
func (db *DB) OrderByNumber(ctx context.Context, number string) (*sc.Order, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var o sc.Order
	err = db.GetContext(ctx, &o, `SELECT `+orderColumns+` FROM orders o
		WHERE o.number = $1 AND ($2 OR o.seller_id = $3)`, number, sp.all, sp.sellerID)
	if err != nil {
		return nil, notFound(err, "number", "no order with number %q", number)
	}
	return &o, nil
}

// FeedbackByOrder implements secondchance.OrderService.
func (db *DB) FeedbackByOrder(ctx context.Context, orderIDs []int64) ([]*sc.Feedback, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Feedback
	err = db.SelectContext(ctx, &rows, `SELECT f.order_id, f.rating, f.comment, f.left_at
		FROM feedback f JOIN orders o ON o.id = f.order_id
		WHERE f.order_id = ANY($1) AND ($2 OR o.seller_id = $3)`, pq.Array(orderIDs), sp.all, sp.sellerID)
	if err != nil {
		return nil, mapError(err)
	}
	return byID(orderIDs, rows, func(f *sc.Feedback) int64 { return f.OrderID }), nil
}

// DisputesByOrder implements secondchance.OrderService.
func (db *DB) DisputesByOrder(ctx context.Context, orderIDs []int64) ([][]*sc.Dispute, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Dispute
	err = db.SelectContext(ctx, &rows, `SELECT d.id, d.number, d.order_id, d.reason, d.opened_at, d.closed_at
		FROM disputes d JOIN orders o ON o.id = d.order_id
		WHERE d.order_id = ANY($1) AND ($2 OR o.seller_id = $3) ORDER BY d.opened_at, d.id`,
		pq.Array(orderIDs), sp.all, sp.sellerID)
	if err != nil {
		return nil, mapError(err)
	}
	return groupByID(orderIDs, rows, func(d *sc.Dispute) int64 { return d.OrderID }), nil
}

// ReturnClaimsByOrder implements secondchance.OrderService.
func (db *DB) ReturnClaimsByOrder(ctx context.Context, orderIDs []int64) ([][]*sc.ReturnClaim, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ReturnClaim
	err = db.SelectContext(ctx, &rows, `SELECT r.id, r.number, r.order_id, r.reason, r.requested_at
		FROM return_claims r JOIN orders o ON o.id = r.order_id
		WHERE r.order_id = ANY($1) AND ($2 OR o.seller_id = $3) ORDER BY r.requested_at, r.id`,
		pq.Array(orderIDs), sp.all, sp.sellerID)
	if err != nil {
		return nil, mapError(err)
	}
	return groupByID(orderIDs, rows, func(r *sc.ReturnClaim) int64 { return r.OrderID }), nil
}

// groupByID groups rows under the ids they belong to, in the order of ids.
func groupByID[T any](ids []int64, rows []T, id func(T) int64) [][]T {
	at := make(map[int64][]T, len(ids))
	for _, r := range rows {
		at[id(r)] = append(at[id(r)], r)
	}
	out := make([][]T, len(ids))
	for i, k := range ids {
		out[i] = at[k]
	}
	return out
}
