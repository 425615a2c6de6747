package db

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.ReportService = (*DB)(nil)

const reportColumns = `r.id, r.seller_id, r.order_id, r.buyer_id, r.reason, r.description, r.evidence, r.status,
	r.created_at, r.updated_at, r.decided_at, r.batch_id, r.verdict_id`

// reportWithOrderColumns reads a report with its order, seller and buyer (joined as o, s and
// b) in one statement, so a page of reports needs no statement for them. The reports read are
// the actor's own or an admin's, who sees both parties of their orders.
const reportWithOrderColumns = reportColumns + `, o.id AS "order.id", o.number AS "order.number",
	o.seller_id AS "order.seller_id", o.buyer_id AS "order.buyer_id", o.placed_at AS "order.placed_at",
	o.ship_by AS "order.ship_by", o.shipped_at AS "order.shipped_at", o.delivered_at AS "order.delivered_at",
	o.cancelled_at AS "order.cancelled_at", o.cancellation_reason AS "order.cancellation_reason",
	o.total_cents AS "order.total_cents", o.currency AS "order.currency",
	s.id AS "seller.id", s.number AS "seller.number", s.name AS "seller.name", s.legal_name AS "seller.legal_name",
	s.email AS "seller.email", s.country AS "seller.country", s.created_at AS "seller.created_at",
	b.id AS "buyer.id", b.number AS "buyer.number", b.handle AS "buyer.handle", b.country AS "buyer.country", b.status AS "buyer.status",
	b.status_changed_at AS "buyer.status_changed_at", b.created_at AS "buyer.created_at"`

// ReportBuyer implements secondchance.ReportService.
func (db *DB) ReportBuyer(ctx context.Context, in sc.ReportInput) (*sc.Report, bool, error) {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return nil, false, err
	}
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	var r sc.Report
	created := false
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// The order with its seller and buyer (the buyer's status decides; both are the payload's),
		// which the seller sees only when the order is its own, as checked next.
		orders, err := selectOrdersWithParties(ctx, tx, `SELECT `+orderWithPartiesColumns+` FROM orders o `+orderParties+`
			WHERE o.number = $1`, in.OrderNumber)
		if err == nil && len(orders) == 0 {
			err = sql.ErrNoRows
		}
		if err != nil {
			return notFound(err, "orderNumber", "no order with number %q", in.OrderNumber)
		}
		o := orders[0]
		switch {
		case o.SellerID != a.SellerID:
			return sc.FieldErrorf("orderNumber", sc.EORDERNOTOWNED, "order %s is not one of your orders", in.OrderNumber)
		case db.Now().After(sc.ReportableUntil(o, db.ReportingWindow)):
			return sc.FieldErrorf("orderNumber", sc.EREPORTINGWINDOWCLOSED, "order %s was placed on %s; orders can be reported for %d days",
				in.OrderNumber, o.PlacedAt.Format(time.DateOnly), int(db.ReportingWindow.Hours()/24))
		case o.Buyer.Status == sc.BuyerClosed:
			return sc.FieldErrorf("orderNumber", sc.EBUYERCLOSED, "the buyer of order %s has already been closed", in.OrderNumber)
		}
		// The partial unique index on live reports makes the insert a no-op for a repeat, even
		// one racing this one; the repeat then reads the report that won.
		err = tx.GetContext(ctx, &r, `WITH ins AS (
				INSERT INTO reports (seller_id, order_id, buyer_id, reason, description, evidence)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (seller_id, order_id, reason) WHERE status IN ('PENDING', 'IN_BATCH') DO NOTHING
				RETURNING *),
			ev AS (INSERT INTO report_events (report_id, status, note, at)
				SELECT id, 'PENDING', 'reported by the seller', created_at FROM ins)
			SELECT `+reportColumns+` FROM ins r`,
			a.SellerID, o.ID, o.BuyerID, in.Reason, in.Description, sc.EvidenceList(in.Evidence))
		if err == nil {
			created = true
			r.Order, r.Buyer = o, o.Buyer // read above; saves the payload statements
			return nil
		}
		if sc.ErrorCode(mapError(err)) != sc.ENOTFOUND {
			return err
		}
		err = tx.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports r
			WHERE r.seller_id = $1 AND r.order_id = $2 AND r.reason = $3 AND r.status IN ('PENDING', 'IN_BATCH')`,
			a.SellerID, o.ID, in.Reason)
		r.Order, r.Buyer = o, o.Buyer
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return &r, created, nil
}

// WithdrawReport implements secondchance.ReportService.
func (db *DB) WithdrawReport(ctx context.Context, id int64) (*sc.Report, error) {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return nil, err
	}
	var r sc.Report
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports r WHERE r.id = $1 AND r.seller_id = $2 FOR UPDATE`, id, a.SellerID)
		if err != nil {
			return notFound(err, "id", "no report with this ID")
		}
		if r.Status != sc.ReportPending {
			return sc.FieldErrorf("id", sc.EREPORTNOTPENDING, "the report is %s; only a PENDING report can be withdrawn", r.Status)
		}
		return tx.GetContext(ctx, &r, `WITH up AS (
				UPDATE reports SET status = 'WITHDRAWN', updated_at = now() WHERE id = $1 RETURNING *),
			ev AS (INSERT INTO report_events (report_id, status, note) SELECT id, 'WITHDRAWN', 'withdrawn by the seller' FROM up)
			SELECT `+reportColumns+` FROM up r`, id)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ListReports implements secondchance.ReportService.
func (db *DB) ListReports(ctx context.Context, f sc.ReportFilter, page sc.PageArgs) (*sc.Page[*sc.Report], error) {
	a, err := sc.RequireRole(ctx, sc.RoleSeller, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := sc.CheckBuyerNumberFilter(a, f.BuyerNumber, "filter.buyerNumber"); err != nil {
		return nil, err
	}
	limit, afterTime, afterID, err := timePage(listReports, page)
	if err != nil {
		return nil, err
	}
	buyerID := f.Buyer
	if f.CreatedAfter != nil && f.CreatedBefore != nil && !f.CreatedAfter.Before(*f.CreatedBefore) {
		return nil, sc.FieldErrorf("filter.createdBefore", sc.EINVALID, "createdBefore must be after createdAfter")
	}
	var w where
	if !a.IsAdmin() {
		w.add(`r.seller_id = $?`, a.SellerID)
	}
	if f.Status != nil {
		w.add(`r.status = $?`, *f.Status)
	}
	if f.Reason != nil {
		w.add(`r.reason = $?`, *f.Reason)
	}
	if buyerID != nil {
		w.add(`r.buyer_id = $?`, *buyerID)
	}
	if f.SellerNumber != nil {
		w.add(`r.seller_id = (SELECT id FROM sellers WHERE number = $?)`, *f.SellerNumber)
	}
	if f.BuyerNumber != nil {
		w.add(`r.buyer_id = (SELECT id FROM buyers WHERE number = $?)`, *f.BuyerNumber)
	}
	if f.CreatedAfter != nil {
		w.add(`r.created_at >= $?`, *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		w.add(`r.created_at < $?`, *f.CreatedBefore)
	}
	count := db.countFunc(`SELECT count(*) FROM reports r WHERE `+w.sql(), slices.Clone(w.args)...)
	if afterTime != nil {
		w.add(`(r.created_at, r.id) < ($?, $?)`, *afterTime, afterID)
	}
	var rows []*sc.Report
	if err := db.SelectContext(ctx, &rows, `SELECT `+reportWithOrderColumns+`
		FROM reports r JOIN orders o ON o.id = r.order_id JOIN sellers s ON s.id = r.seller_id JOIN buyers b ON b.id = r.buyer_id
		WHERE `+w.sql()+` ORDER BY r.created_at DESC, r.id DESC LIMIT `+w.next(limit+1), w.args...); err != nil {
		return nil, mapError(err)
	}
	for _, r := range rows {
		r.Order.Seller, r.Order.Buyer = r.Seller, r.Buyer // a report's seller and buyer are its order's
	}
	cursor := func(r *sc.Report) string { return timeCursor(listReports, r.CreatedAt, r.ID) }
	return newPage(rows, limit, page.After, cursor, count), nil
}

// ReportsByID implements secondchance.ReportService.
func (db *DB) ReportsByID(ctx context.Context, ids []int64) ([]*sc.Report, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Report
	err = db.SelectContext(ctx, &rows, `SELECT `+reportColumns+` FROM reports r
		WHERE r.id = ANY($1) AND ($2 OR r.seller_id = $3)`, pq.Array(ids), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(r *sc.Report) int64 { return r.ID }), nil
}

// ReportEventsByReport implements secondchance.ReportService. The batch's decision is not
// stored as an event (it would be a million rows a week, all saying what the report's own
// columns say); it is read from the report, its verdict and its batch, and told as the batch
// decided it even after an appeal dismissed the report since.
func (db *DB) ReportEventsByReport(ctx context.Context, ids []int64) ([][]*sc.ReportEvent, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ReportEvent
	err = db.SelectContext(ctx, &rows, `SELECT report_id, status, at, note FROM (
			SELECT e.report_id, e.status, e.at, e.note, e.id AS seq
			FROM report_events e JOIN reports r ON r.id = e.report_id
			WHERE e.report_id = ANY($1) AND ($2 OR r.seller_id = $3)
			UNION ALL
			SELECT r.id, CASE WHEN d.report_id IS NOT NULL OR v.verdict = 'NO_ACTION' THEN 'DISMISSED' ELSE 'UPHELD' END,
				r.decided_at, 'batch ' || b.week || ': ' || CASE
					WHEN d.report_id IS NOT NULL THEN 'dismissed by a reviewer: ' || d.reason
					WHEN v.verdict = 'NO_ACTION' THEN 'dismissed: no action against the buyer'
					ELSE 'upheld: ' || lower(replace(v.verdict, '_', ' ')) || ' for the buyer' END,
				0
			FROM reports r JOIN verdicts v ON v.id = r.verdict_id JOIN batches b ON b.id = r.batch_id
			LEFT JOIN report_dismissals d ON d.report_id = r.id
			WHERE r.id = ANY($1) AND ($2 OR r.seller_id = $3)
		) AS timeline ORDER BY at, seq`, pq.Array(ids), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	return groupByID(ids, rows, func(e *sc.ReportEvent) int64 { return e.ReportID }), nil
}

// BuyerReportStats implements secondchance.ReportService.
func (db *DB) BuyerReportStats(ctx context.Context, buyerIDs []int64) ([]*sc.BuyerReportStats, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	var rows []*sc.BuyerReportStats
	err := db.SelectContext(ctx, &rows, `SELECT b.id AS buyer_id, count(r.id) AS reports,
			count(r.id) FILTER (WHERE r.status IN ('PENDING', 'IN_BATCH')) AS live_reports,
			count(DISTINCT r.seller_id) FILTER (WHERE r.status <> 'WITHDRAWN') AS distinct_sellers
		FROM unnest($1::bigint[]) AS b(id) LEFT JOIN reports r ON r.buyer_id = b.id
		GROUP BY b.id`, pq.Array(buyerIDs))
	if err != nil {
		return nil, mapError(err)
	}
	return byID(buyerIDs, rows, func(s *sc.BuyerReportStats) int64 { return s.BuyerID }), nil
}
