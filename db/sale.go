package db

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.SalesService = (*DB)(nil)

const itemColumns = `i.id, i.parcel_id, i.line, i.rma_line, i.description, i.grade, i.notes, i.route, i.status,
	to_json(i.photo_urls) AS photo_urls`

var saleColumns = `s.id, s.item_id, s.price_cents, s.currency, s.channel, s.sold_at, s.voided_at, s.void_reason,
	` + recorder("s.created_by", "s.created_by_staff") + ` AS recorded_by, ` + recorder("s.voided_by", "s.voided_by_staff") + ` AS voided_by`

// recorder is the SQL of who a row says recorded it, from its token and staff columns: the
// staff member's name, else the token's label, else "a token"; empty when neither is set.
func recorder(token, staff string) string {
	return `coalesce((SELECT st.name FROM staff_accounts st WHERE st.id = ` + staff + `),
		(SELECT coalesce(nullif(t.label, ''), 'a token') FROM tokens t WHERE t.id = ` + token + `), '')`
}

// staffItem locks an item of the staff's own store; another store's items do not exist for it.
func staffItem(ctx context.Context, tx *sqlx.Tx, a *sc.Actor, id int64) (*sc.ReturnedItem, error) {
	var it sc.ReturnedItem
	err := tx.GetContext(ctx, &it, `SELECT `+itemColumns+` FROM returned_items i JOIN parcels p ON p.id = i.parcel_id
		WHERE i.id = $1 AND p.store_id = $2 FOR UPDATE OF i`, id, a.StoreID)
	if err != nil {
		return nil, notFound(err, "item", "no item of this store with this ID")
	}
	return &it, nil
}

// RouteItem implements secondchance.SalesService.
func (db *DB) RouteItem(ctx context.Context, item int64, route *sc.Route) (*sc.ReturnedItem, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var it *sc.ReturnedItem
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if it, err = staffItem(ctx, tx, a, item); err != nil {
			return err
		}
		if err := sc.ItemRoute.Step("item", it.Status, sc.ItemListed); err != nil {
			return err
		}
		var inLot bool
		if err := tx.GetContext(ctx, &inLot, `SELECT EXISTS (SELECT 1 FROM lot_items WHERE item_id = $1 AND live)`, it.ID); err != nil {
			return err
		}
		if inLot {
			return sc.FieldErrorf("item", sc.EITEMSTATE, "the item is in an auction lot; take it out of the lot first")
		}
		r := sc.DefaultRoute(it.Grade)
		if route != nil {
			r = *route
		} else {
			// The store's rule for the category the seller declared on the RMA line, if any;
			// items without a line (unmatched parcels, extras) have no category.
			var rule []sc.Route
			if err := tx.SelectContext(ctx, &rule, `SELECT r.route FROM parcels p
				JOIN return_authorization_items ri ON ri.rma_id = p.rma_id AND ri.line = $2
				JOIN store_routing_rules r ON r.store_id = p.store_id AND r.category = lower(btrim(ri.category)) AND r.grade = $3
				WHERE p.id = $1`, it.ParcelID, it.RMALine, it.Grade); err != nil {
				return err
			}
			if len(rule) == 1 {
				r = rule[0]
			}
		}
		status := sc.ItemListed
		if r == sc.RouteRecycle {
			status = sc.ItemRecycled
		}
		if err := sc.ItemRoute.Step("item", it.Status, status); err != nil {
			return err
		}
		return tx.GetContext(ctx, it, `UPDATE returned_items i SET route = $2, status = $3 WHERE i.id = $1 RETURNING `+itemColumns, it.ID, r, status)
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// RecordSale implements secondchance.SalesService: a LISTED item sold directly becomes SOLD.
func (db *DB) RecordSale(ctx context.Context, in sc.SaleInput) (*sc.Sale, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	price, _ := sc.ParseMoney(in.Price.Amount, in.Price.Currency) // validated
	soldAt := now
	if in.SoldAt != nil {
		soldAt = *in.SoldAt
	}
	var s sc.Sale
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		it, err := staffItem(ctx, tx, a, in.Item)
		if err != nil {
			return err
		}
		if err := sc.ItemSell.Step("item", it.Status, sc.ItemSold); err != nil {
			return err
		}
		if it.Route == nil || *it.Route != sc.RouteSale {
			return sc.FieldErrorf("item", sc.EITEMSTATE, "the item is routed to %s; only an item routed to SALE is sold directly", routeName(it.Route))
		}
		if err := tx.GetContext(ctx, &s, `INSERT INTO sales AS s (item_id, price_cents, currency, channel, sold_at, created_by, created_by_staff)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+saleColumns, it.ID, price.Cents, price.Currency, in.Channel, soldAt, tokenRef(a), staffRef(a)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE returned_items SET status = $2 WHERE id = $1`, it.ID, sc.ItemSold)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// VoidSale implements secondchance.SalesService: a mistaken sale is voided, kept with its
// reason, and the item is listed again. A settled item's sale is final.
func (db *DB) VoidSale(ctx context.Context, id int64, reason string) (*sc.Sale, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	var s sc.Sale
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var status sc.ItemStatus
		var lot *int64
		err := tx.QueryRowxContext(ctx, `SELECT `+saleColumns+`, i.status, s.lot_id FROM sales s
			JOIN returned_items i ON i.id = s.item_id JOIN parcels p ON p.id = i.parcel_id
			WHERE s.id = $1 AND p.store_id = $2 FOR UPDATE OF s, i`, id, a.StoreID).
			Scan(&s.ID, &s.ItemID, &s.PriceCents, &s.Currency, &s.Channel, &s.SoldAt, &s.VoidedAt, &s.VoidReason, &s.RecordedBy, &s.VoidedBy, &status, &lot)
		if err != nil {
			return notFound(err, "sale", "no sale of this store with this ID")
		}
		if lot != nil {
			return sc.FieldErrorf("sale", sc.EITEMSTATE, "the item was sold at auction; its lot's payment is the record of the sale")
		}
		if s.VoidedAt != nil {
			return sc.FieldErrorf("sale", sc.ECONFLICT, "the sale was already voided")
		}
		if err := sc.ItemVoidSale.Step("sale", status, sc.ItemListed); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &s, `UPDATE sales s SET voided_at = $2, void_reason = $3, voided_by = $4, voided_by_staff = $5
			WHERE s.id = $1 RETURNING `+saleColumns, id, db.Now(), reason, tokenRef(a), staffRef(a)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE returned_items SET status = $2 WHERE id = $1`, s.ItemID, sc.ItemListed)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// SalesByItem implements secondchance.SalesService: each item's live sale, for those the actor
// may see (the store's staff, the seller whose return it was, admins).
func (db *DB) SalesByItem(ctx context.Context, itemIDs []int64) ([]*sc.Sale, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Sale
	if err := db.SelectContext(ctx, &rows, `SELECT `+saleColumns+` FROM sales s
		JOIN returned_items i ON i.id = s.item_id JOIN parcels p ON p.id = i.parcel_id
		WHERE s.item_id = ANY($1) AND s.voided_at IS NULL AND `+parcelVisible, append([]any{pq.Array(itemIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	hideRecorders(ctx, rows)
	return byID(itemIDs, rows, func(s *sc.Sale) int64 { return s.ItemID }), nil
}

// ItemsByID returns visible returned items in the order of ids, for node(id:).
func (db *DB) ItemsByID(ctx context.Context, ids []int64) ([]*sc.ReturnedItem, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ReturnedItem
	if err := db.SelectContext(ctx, &rows, `SELECT `+itemColumns+` FROM returned_items i JOIN parcels p ON p.id = i.parcel_id
		WHERE i.id = ANY($1) AND `+parcelVisible, append([]any{pq.Array(ids)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(i *sc.ReturnedItem) int64 { return i.ID }), nil
}

// SalesByID returns visible sales, voided ones too, in the order of ids, for node(id:).
func (db *DB) SalesByID(ctx context.Context, ids []int64) ([]*sc.Sale, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Sale
	if err := db.SelectContext(ctx, &rows, `SELECT `+saleColumns+` FROM sales s
		JOIN returned_items i ON i.id = s.item_id JOIN parcels p ON p.id = i.parcel_id
		WHERE s.id = ANY($1) AND `+parcelVisible, append([]any{pq.Array(ids)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	hideRecorders(ctx, rows)
	return byID(ids, rows, func(s *sc.Sale) int64 { return s.ID }), nil
}

// hideRecorders blanks who recorded and voided the sales for a seller, who sees the sales of
// its returns but not the store's staff or the labels of its tokens.
func hideRecorders(ctx context.Context, sales []*sc.Sale) {
	if a := sc.ActorFromContext(ctx); a != nil && a.Role != sc.RoleSeller {
		return
	}
	for _, s := range sales {
		s.RecordedBy, s.VoidedBy = "", ""
	}
}

// SetRoutingRule implements secondchance.SalesService: a staff token or a store manager
// changes their own store's rules.
func (db *DB) SetRoutingRule(ctx context.Context, in sc.RoutingRuleInput) ([]*sc.RoutingRule, error) {
	a, err := requireStoreSettings(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var rules []*sc.RoutingRule
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if in.Route == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM store_routing_rules WHERE store_id = $1 AND category = lower(btrim($2)) AND grade = $3`,
				a.StoreID, in.Category, in.Grade)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO store_routing_rules (store_id, category, grade, route) VALUES ($1, lower(btrim($2)), $3, $4)
				ON CONFLICT (store_id, category, grade) DO UPDATE SET route = EXCLUDED.route`,
				a.StoreID, in.Category, in.Grade, *in.Route)
		}
		if err != nil {
			return err
		}
		rules, err = storeRoutingRules(ctx, tx, a.StoreID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rules, nil
}

// RoutingRules implements secondchance.SalesService: a store's rules, for its staff and admins.
func (db *DB) RoutingRules(ctx context.Context, storeID int64) ([]*sc.RoutingRule, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if a.Role == sc.RoleStaff && a.StoreID != storeID {
		return nil, sc.Errorf(sc.EFORBIDDEN, "staff see their own store's routing rules only")
	}
	return storeRoutingRules(ctx, db, storeID)
}

// storeRoutingRules lists rules by category, then grade from best to worst.
func storeRoutingRules(ctx context.Context, q sqlx.QueryerContext, storeID int64) ([]*sc.RoutingRule, error) {
	rules := []*sc.RoutingRule{}
	err := sqlx.SelectContext(ctx, q, &rules, `SELECT r.category, r.grade, r.route FROM store_routing_rules r
		WHERE r.store_id = $1 ORDER BY r.category, array_position(ARRAY['NEW','LIKE_NEW','GOOD','FAIR','POOR','UNSELLABLE'], r.grade)`, storeID)
	return rules, err
}

// ItemTimelines implements secondchance.SalesService in one statement for all the items: each
// step is read from the row it left (authorisation, parcel, sales, proceeds, allocations).
// Allocations are made by the settlement, so they carry its time.
func (db *DB) ItemTimelines(ctx context.Context, itemIDs []int64) ([][]*sc.ItemEvent, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ItemEvent
	if err := db.SelectContext(ctx, &rows, `WITH it AS (
			SELECT i.id, i.grade, p.rma_id, p.received_at FROM returned_items i JOIN parcels p ON p.id = i.parcel_id
			WHERE i.id = ANY($1) AND `+parcelVisible+`)
		SELECT item_id, kind, at, detail, cents, currency FROM (
			SELECT it.id AS item_id, 'AUTHORIZED' AS kind, 1 AS step, r.created_at AS at, r.code AS detail, NULL::bigint AS cents, NULL::text AS currency
			FROM it JOIN return_authorizations r ON r.id = it.rma_id
			UNION ALL
			SELECT it.id, 'RECEIVED', 2, it.received_at, it.grade, NULL, NULL FROM it
			UNION ALL
			SELECT s.item_id, 'SOLD', 3, s.sold_at, s.channel, s.price_cents, s.currency FROM it JOIN sales s ON s.item_id = it.id
			UNION ALL
			SELECT s.item_id, 'SALE_VOIDED', 4, s.voided_at, s.void_reason, s.price_cents, s.currency FROM it JOIN sales s ON s.item_id = it.id
			WHERE s.voided_at IS NOT NULL
			UNION ALL
			SELECT pr.item_id, 'SETTLED', 5, pr.settled_at, '', pr.net_cents, pr.currency FROM it JOIN item_proceeds pr ON pr.item_id = it.id
			UNION ALL
			SELECT a.item_id, 'DONATION_ALLOCATED', 6, pr.settled_at, b.name, a.cents, a.currency
			FROM it JOIN item_proceeds pr ON pr.item_id = it.id JOIN donation_allocations a ON a.item_id = it.id
			JOIN beneficiaries b ON b.id = a.beneficiary_id
			UNION ALL
			SELECT a.item_id, 'DONATION_DISBURSED', 7, a.disbursed_at, b.name, a.cents, a.currency
			FROM it JOIN donation_allocations a ON a.item_id = it.id JOIN beneficiaries b ON b.id = a.beneficiary_id
			WHERE a.disbursed_at IS NOT NULL
			UNION ALL
			SELECT ci.item_id, 'CERTIFIED', 8, c.issued_at, c.serial, c.net_cents, c.currency
			FROM it JOIN certificate_items ci ON ci.item_id = it.id JOIN certificates c ON c.id = ci.certificate_id
			UNION ALL
			SELECT ci.item_id, 'CERTIFICATE_VOIDED', 9, c.voided_at, c.serial || ': ' || c.void_reason, NULL, NULL
			FROM it JOIN certificate_items ci ON ci.item_id = it.id JOIN certificates c ON c.id = ci.certificate_id
			WHERE c.voided_at IS NOT NULL
		) e ORDER BY item_id, at, step, detail`, append([]any{pq.Array(itemIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(itemIDs, rows, func(e *sc.ItemEvent) int64 { return e.ItemID }), nil
}

// ListItems implements secondchance.SalesService: the staff's queues, oldest first.
func (db *DB) ListItems(ctx context.Context, status *sc.ItemStatus, page sc.PageArgs) (*sc.Page[*sc.ReturnedItem], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin); err != nil {
		return nil, err
	}
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listReturnedItems, page)
	if err != nil {
		return nil, err
	}
	// Staff and admins only (above), so a store's items or all; an item carries its parcel's
	// store, so the page reads returned_items_store(_status)_idx from the cursor on.
	var w where
	if status != nil {
		w.add(`i.status = $?`, *status)
	}
	if !sp.all {
		w.add(`i.store_id = $?`, sp.storeID)
	}
	count := db.countFunc(`SELECT count(*) FROM returned_items i WHERE `+w.sql(), slices.Clone(w.args)...)
	if afterID != nil {
		w.add(`i.id > $?`, *afterID)
	}
	var rows []*sc.ReturnedItem
	if err := db.SelectContext(ctx, &rows, `SELECT `+itemColumns+` FROM returned_items i WHERE `+w.sql()+` ORDER BY i.id LIMIT `+w.next(limit+1), w.args...); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(i *sc.ReturnedItem) string { return idCursor(listReturnedItems, i.ID) }, count), nil
}

func routeName(r *sc.Route) string {
	if r == nil {
		return "nothing yet"
	}
	return string(*r)
}
