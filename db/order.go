package db

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.OrderService = (*DB)(nil)

const orderColumns = `o.id, o.number, o.seller_id, o.buyer_id, o.placed_at, o.ship_by, o.shipped_at,
	o.delivered_at, o.cancelled_at, o.cancellation_reason, o.total_cents, o.currency`

// orderWithPartiesColumns reads an order with its seller and buyer, joined as s and b, so that
// a page of orders costs one statement, not one more per edge. The rows are read by
// selectOrdersWithParties, in this order; a party the actor may not see is joined as NULL.
const orderWithPartiesColumns = orderColumns + `,
	s.id, s.number, s.name, s.legal_name, s.email, s.country, s.created_at,
	b.id, b.number, b.handle, b.country, b.status, b.status_changed_at, b.created_at`

// orderParties joins an order's seller and buyer for an actor who sees both: its own orders,
// or an admin's (a statement already limited to those).
const orderParties = `JOIN sellers s ON s.id = o.seller_id JOIN buyers b ON b.id = o.buyer_id`

// orderPartiesIf joins them where visible is true of the order: a seller sees both parties of
// its own orders, an admin those of all; staff, who read the orders returned to their store,
// see neither, as SellersByID and BuyersByID answer them.
func orderPartiesIf(visible string) string {
	return `LEFT JOIN sellers s ON s.id = o.seller_id AND ` + visible + ` LEFT JOIN buyers b ON b.id = o.buyer_id AND ` + visible
}

// selectOrdersWithParties runs a statement of orderWithPartiesColumns. The rows are scanned by
// hand: a page of orders is a seller frontend's most frequent read, and sqlx's mapping of its
// 30 columns through reflection was a seventh of the server's CPU for it. The page's orders
// share one seller (and a buyer who bought twice one buyer), as the loaders would have.
func selectOrdersWithParties(ctx context.Context, q queryer, query string, args ...any) ([]*sc.Order, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	return scanOrdersWithParties(rows)
}

// scanOrdersWithParties reads and closes rows of orderWithPartiesColumns.
func scanOrdersWithParties(rows *sql.Rows) ([]*sc.Order, error) {
	defer rows.Close()
	var out []*sc.Order
	sellers := map[int64]*sc.Seller{}
	buyers := map[int64]*sc.Buyer{}
	var p orderPartiesRow
	for rows.Next() {
		o := new(sc.Order)
		if err := rows.Scan(&o.ID, &o.Number, &o.SellerID, &o.BuyerID, &o.PlacedAt, &o.ShipBy, &o.ShippedAt,
			&o.DeliveredAt, &o.CancelledAt, &p.reason, &o.TotalCents, &o.Currency,
			&p.sellerID, &p.seller.Number, &p.seller.Name, &p.seller.LegalName, &p.seller.Email, &p.seller.Country, &p.sellerCreated,
			&p.buyerID, &p.buyer.Number, &p.buyer.Handle, &p.buyer.Country, &p.buyerStatus, &p.buyerChanged, &p.buyerCreated); err != nil {
			return nil, mapError(err)
		}
		if p.reason.Valid {
			r := sc.CancellationReason(p.reason.String)
			o.CancellationReason = &r
		}
		if p.sellerID.Valid {
			if o.Seller = sellers[o.SellerID]; o.Seller == nil {
				seller := sc.Seller{ID: o.SellerID, Number: p.seller.Number.String, Name: p.seller.Name.String, LegalName: p.seller.LegalName.String,
					Email: p.seller.Email.String, Country: p.seller.Country.String, CreatedAt: p.sellerCreated.Time}
				o.Seller, sellers[o.SellerID] = &seller, &seller
			}
		}
		if p.buyerID.Valid {
			if o.Buyer = buyers[o.BuyerID]; o.Buyer == nil {
				buyer := sc.Buyer{ID: o.BuyerID, Number: p.buyer.Number.String, Handle: p.buyer.Handle.String, Country: p.buyer.Country.String,
					Status: sc.BuyerStatus(p.buyerStatus.String), StatusChangedAt: p.buyerChanged.Time, CreatedAt: p.buyerCreated.Time}
				o.Buyer, buyers[o.BuyerID] = &buyer, &buyer
			}
		}
		out = append(out, o)
	}
	return out, mapError(rows.Err())
}

// orderPartiesRow holds the nullable columns of one row of orderWithPartiesColumns.
type orderPartiesRow struct {
	reason                     sql.NullString
	sellerID, buyerID          sql.NullInt64
	seller                     struct{ Number, Name, LegalName, Email, Country sql.NullString }
	buyer                      struct{ Number, Handle, Country sql.NullString }
	buyerStatus                sql.NullString
	sellerCreated              sql.NullTime
	buyerChanged, buyerCreated sql.NullTime
}

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
	var w where
	if !sp.all {
		w.add(`o.seller_id = $?`, sp.sellerID)
	}
	if f.SellerNumber != nil {
		w.add(`o.seller_id = (SELECT id FROM sellers WHERE number = $?)`, *f.SellerNumber)
	}
	if f.BuyerNumber != nil {
		w.add(`o.buyer_id = (SELECT id FROM buyers WHERE number = $?)`, *f.BuyerNumber)
	}
	if f.PlacedAfter != nil {
		w.add(`o.placed_at >= $?`, *f.PlacedAfter)
	}
	if f.PlacedBefore != nil {
		w.add(`o.placed_at < $?`, *f.PlacedBefore)
	}
	count := db.countFunc(`SELECT count(*) FROM orders o WHERE `+w.sql(), slices.Clone(w.args)...)
	if afterTime != nil {
		w.add(`(o.placed_at, o.id) < ($?, $?)`, *afterTime, afterID)
	}
	// Staff are refused above, so the actor sees the seller and buyer of every order it lists.
	// Planned with the values, never prepared: a generic plan is made for the average seller
	// and, where that one has fewer orders than a page, sorts all of the largest seller's.
	rows, err := selectOrdersWithParties(ctx, db, `SELECT `+orderWithPartiesColumns+` FROM orders o `+orderParties+` WHERE `+w.sql()+`
		ORDER BY o.placed_at DESC, o.id DESC LIMIT `+w.next(limit+1), w.args...)
	if err != nil {
		return nil, err
	}
	return newPage(rows, limit, page.After, orderCursor, count), nil
}

func orderCursor(o *sc.Order) string { return timeCursor(listOrders, o.PlacedAt, o.ID) }

// OrdersByID implements secondchance.OrderService.
func (db *DB) OrdersByID(ctx context.Context, ids []int64) ([]*sc.Order, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	// Staff see the orders returned to their store: the authorisations looked at are those of
	// the asked orders (return_authorizations_order_idx), never every one of the store.
	rows, err := selectOrdersWithParties(ctx, db, `SELECT `+orderWithPartiesColumns+` FROM orders o `+orderPartiesIf(`($2 OR o.seller_id = $3)`)+`
		WHERE o.id = ANY($1) AND ($2 OR o.seller_id = $3
			OR o.id IN (SELECT ra.order_id FROM return_authorizations ra WHERE ra.order_id = ANY($1) AND ra.store_id = $4))`,
		pq.Array(ids), sp.all, sp.seller(), sp.store())
	if err != nil {
		return nil, err
	}
	return byID(ids, rows, func(o *sc.Order) int64 { return o.ID }), nil
}

// OrderByNumber implements secondchance.OrderService.
func (db *DB) OrderByNumber(ctx context.Context, number string) (*sc.Order, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	// Only the seller's own order or an admin's: so the actor sees both parties. Staff match none.
	rows, err := selectOrdersWithParties(ctx, db, `SELECT `+orderWithPartiesColumns+` FROM orders o `+orderParties+`
		WHERE o.number = $1 AND ($2 OR o.seller_id = $3)`, number, sp.all, sp.seller())
	if err == nil && len(rows) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, notFound(err, "number", "no order with number %q", number)
	}
	return rows[0], nil
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
		WHERE f.order_id = ANY($1) AND ($2 OR o.seller_id = $3)`, pq.Array(orderIDs), sp.all, sp.seller())
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
		pq.Array(orderIDs), sp.all, sp.seller())
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
		pq.Array(orderIDs), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	return groupByID(orderIDs, rows, func(r *sc.ReturnClaim) int64 { return r.OrderID }), nil
}

// EventsByOrder implements secondchance.OrderService: the three kinds of event as rows of one
// statement, each kind's columns where they apply. An order the actor may not see has none.
func (db *DB) EventsByOrder(ctx context.Context, orderIDs []int64) ([]*sc.OrderEvents, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	visible := `o.id = ANY($1) AND ($2 OR o.seller_id = $3)`
	rows, err := db.QueryContext(ctx, `
		SELECT 'f', f.order_id, NULL::bigint, NULL::text, f.rating, f.comment, f.left_at, NULL::timestamptz
			FROM feedback f JOIN orders o ON o.id = f.order_id WHERE `+visible+`
		UNION ALL SELECT 'd', d.order_id, d.id, d.number, NULL, d.reason, d.opened_at, d.closed_at
			FROM disputes d JOIN orders o ON o.id = d.order_id WHERE `+visible+`
		UNION ALL SELECT 'r', r.order_id, r.id, r.number, NULL, r.reason, r.requested_at, NULL
			FROM return_claims r JOIN orders o ON o.id = r.order_id WHERE `+visible+`
		ORDER BY 1, 7, 3`, pq.Array(orderIDs), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	at := make(map[int64]*sc.OrderEvents, len(orderIDs))
	for _, id := range orderIDs {
		at[id] = &sc.OrderEvents{}
	}
	for rows.Next() {
		var (
			kind, text string
			orderID    int64
			id         sql.NullInt64
			number     sql.NullString
			rating     sql.NullInt64
			when       time.Time
			closed     sql.NullTime
		)
		if err := rows.Scan(&kind, &orderID, &id, &number, &rating, &text, &when, &closed); err != nil {
			return nil, mapError(err)
		}
		ev := at[orderID]
		if ev == nil {
			continue
		}
		switch kind {
		case "f":
			ev.Feedback = &sc.Feedback{OrderID: orderID, Rating: int(rating.Int64), Comment: text, LeftAt: when}
		case "d":
			d := &sc.Dispute{ID: id.Int64, Number: number.String, OrderID: orderID, Reason: sc.DisputeReason(text), OpenedAt: when}
			if closed.Valid {
				d.ClosedAt = &closed.Time
			}
			ev.Disputes = append(ev.Disputes, d)
		case "r":
			ev.ReturnClaims = append(ev.ReturnClaims, &sc.ReturnClaim{ID: id.Int64, Number: number.String, OrderID: orderID, Reason: text, RequestedAt: when})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	out := make([]*sc.OrderEvents, len(orderIDs))
	for i, id := range orderIDs {
		out[i] = at[id]
	}
	return out, nil
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
