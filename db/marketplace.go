package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	sc "github.com/secondchance/secondchance"
)

var _ sc.MarketplaceService = (*DB)(nil)

// Marketplace data arrives two ways, the ingestMarketplaceData mutation (up to 1,000 orders) and
// `secondchance import` (millions of rows). Both COPY their rows into temporary staging tables
// and then merge them with the same set-based statements, so they cannot disagree on a rule.
// Every staged row carries ord (its position in the input) and ref (where it came from: a field
// path such as "orders.3" for the mutation, "file.csv:17" for an import), which is how an error
// found by a set-based check points back at its input.

const stagingDDL = `
CREATE TEMP TABLE stage_sellers (ord bigint, ref text, number text, name text, legal_name text, email text, country text) ON COMMIT DROP;
CREATE TEMP TABLE stage_buyers (ord bigint, ref text, number text, handle text, country text, status text) ON COMMIT DROP;
CREATE TEMP TABLE stage_orders (ord bigint, ref text, number text, seller_number text, buyer_number text,
	placed_at timestamptz, ship_by timestamptz, shipped_at timestamptz, delivered_at timestamptz, cancelled_at timestamptz,
	cancellation_reason text, total_cents bigint, currency text, fb_rating int, fb_comment text, fb_left_at timestamptz) ON COMMIT DROP;
CREATE TEMP TABLE stage_disputes (ord bigint, ref text, order_number text, number text, reason text, opened_at timestamptz, closed_at timestamptz) ON COMMIT DROP;
CREATE TEMP TABLE stage_return_claims (ord bigint, ref text, order_number text, number text, reason text, requested_at timestamptz) ON COMMIT DROP;`

// Staging columns of each table, in COPY order.
const (
	stageSellerCols  = "ord, ref, number, name, legal_name, email, country"
	stageBuyerCols   = "ord, ref, number, handle, country, status"
	stageOrderCols   = "ord, ref, number, seller_number, buyer_number, placed_at, ship_by, shipped_at, delivered_at, cancelled_at, cancellation_reason, total_cents, currency, fb_rating, fb_comment, fb_left_at"
	stageDisputeCols = "ord, ref, order_number, number, reason, opened_at, closed_at"
	stageReturnCols  = "ord, ref, order_number, number, reason, requested_at"
)

// The row builders stage times in UTC: RFC 3339 allows zone offsets up to ±23:59 and PostgreSQL
// only up to ±15:59, so "2026-10-01T10:00:00+23:00" would fail the COPY as sent, though it is
// an instant like any other.

func sellerRow(ord int64, ref string, s *sc.SellerInput) []any {
	return []any{ord, ref, s.Number, s.Name, deref(s.LegalName), deref(s.Email), deref(s.Country)}
}

func buyerRow(ord int64, ref string, b *sc.BuyerInput) []any {
	var status any
	if b.Status != nil {
		status = string(*b.Status)
	}
	return []any{ord, ref, b.Number, b.Handle, deref(b.Country), status}
}

func orderRow(ord int64, ref string, o *sc.OrderInput) []any {
	m, _ := sc.ParseMoney(o.Total.Amount, o.Total.Currency) // validated before staging
	var reason, rating, comment, left any
	if o.CancellationReason != nil {
		reason = string(*o.CancellationReason)
	}
	if f := o.Feedback; f != nil {
		rating, comment, left = int64(f.Rating), deref(f.Comment), f.LeftAt.UTC()
	}
	return []any{ord, ref, o.Number, o.SellerNumber, o.BuyerNumber, o.PlacedAt.UTC(), opt(o.ShipBy), opt(o.ShippedAt),
		opt(o.DeliveredAt), opt(o.CancelledAt), reason, m.Cents, m.Currency, rating, comment, left}
}

func disputeRow(ord int64, ref, orderNumber string, d *sc.DisputeInput) []any {
	return []any{ord, ref, orderNumber, d.Number, string(d.Reason), d.OpenedAt.UTC(), opt(d.ClosedAt)}
}

func returnClaimRow(ord int64, ref, orderNumber string, r *sc.ReturnClaimInput) []any {
	return []any{ord, ref, orderNumber, r.Number, r.Reason, r.RequestedAt.UTC()}
}

// Ingest implements secondchance.MarketplaceService.
func (db *DB) Ingest(ctx context.Context, b sc.MarketplaceBatch) (*sc.IngestResult, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := b.Validate(db.Now()); err != nil {
		return nil, err
	}
	// The batch is in memory already (at most 1,000 orders), so its staged rows are built first
	// and then copied table by table.
	type staged struct {
		table, columns string
		rows           [][]any
	}
	var sellers, buyers, orders, disputes, returns [][]any
	for i := range b.Sellers {
		sellers = append(sellers, sellerRow(int64(i), fmt.Sprintf("sellers.%d", i), &b.Sellers[i]))
	}
	for i := range b.Buyers {
		buyers = append(buyers, buyerRow(int64(i), fmt.Sprintf("buyers.%d", i), &b.Buyers[i]))
	}
	for i := range b.Orders {
		o := &b.Orders[i]
		orders = append(orders, orderRow(int64(i), fmt.Sprintf("orders.%d", i), o))
		for j := range o.Disputes {
			disputes = append(disputes, disputeRow(int64(len(disputes)), fmt.Sprintf("orders.%d.disputes.%d", i, j), o.Number, &o.Disputes[j]))
		}
		for j := range o.ReturnClaims {
			returns = append(returns, returnClaimRow(int64(len(returns)), fmt.Sprintf("orders.%d.returnClaims.%d", i, j), o.Number, &o.ReturnClaims[j]))
		}
	}
	m := merger{locate: fieldPath}
	err := db.stageAndMerge(ctx, &m, func(tx *sqlx.Tx) error {
		for _, st := range []staged{
			{"stage_sellers", stageSellerCols, sellers}, {"stage_buyers", stageBuyerCols, buyers},
			{"stage_orders", stageOrderCols, orders}, {"stage_disputes", stageDisputeCols, disputes},
			{"stage_return_claims", stageReturnCols, returns},
		} {
			if len(st.rows) == 0 {
				continue
			}
			err := copyRows(ctx, tx, st.table, st.columns, func(emit func(...any) error) error {
				for _, r := range st.rows {
					if err := emit(r...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m.res, nil
}

// stageAndMerge runs one ingestion in one transaction: it creates the staging tables, lets
// stage fill them, and merges them.
func (db *DB) stageAndMerge(ctx context.Context, m *merger, stage func(tx *sqlx.Tx) error) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error { return stageAndMergeIn(ctx, tx, m, stage) })
}

// stageAndMergeIn is stageAndMerge in a transaction of the caller's.
func stageAndMergeIn(ctx context.Context, tx *sqlx.Tx, m *merger, stage func(tx *sqlx.Tx) error) error {
	if _, err := tx.ExecContext(ctx, stagingDDL); err != nil {
		return err
	}
	if err := stage(tx); err != nil {
		return err
	}
	return m.merge(ctx, tx)
}

// copyRows streams rows into table through COPY on tx and returns when all are sent.
func copyRows(ctx context.Context, tx *sqlx.Tx, table, columns string, rows func(emit func(args ...any) error) error) error {
	stmt, err := tx.PrepareContext(ctx, `COPY `+table+` (`+columns+`) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := rows(func(args ...any) error {
		_, err := stmt.ExecContext(ctx, args...)
		return err
	}); err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	return stmt.Close()
}

// merger moves staged rows into the marketplace tables. locate turns a staged row's ref and a
// field into an error that points at the input.
type merger struct {
	locate func(ref, field, code, msg string) *sc.Error
	// analyze the staged rows first: worth it for a file, not for a mutation's thousand rows.
	analyze bool
	res     sc.IngestResult
}

// fieldPath locates errors of the mutation by input field path ("orders.3.sellerNumber").
func fieldPath(ref, field, code, msg string) *sc.Error {
	return &sc.Error{Code: code, Field: ref + "." + field, Message: msg}
}

// fileLine locates errors of an import by file and line ("orders.csv:17: sellerNumber: ...").
func fileLine(ref, field, code, msg string) *sc.Error {
	return &sc.Error{Code: code, Message: ref + ": " + field + ": " + msg}
}

// problem is a staged row that a set-based check refused.
type problem struct {
	Ref   string `db:"ref"`
	Field string `db:"field"`
	Code  string `db:"code"`
	Msg   string `db:"msg"`
}

// maxProblems bounds how many problems one check reports; fixing those usually fixes the rest.
const maxProblems = 20

func (m *merger) check(ctx context.Context, q queryer, query string) error {
	var ps []problem
	if err := q.SelectContext(ctx, &ps, query+` LIMIT `+fmt.Sprint(maxProblems)); err != nil {
		return err
	}
	var errs sc.Errors
	for _, p := range ps {
		errs = append(errs, m.locate(p.Ref, p.Field, p.Code, p.Msg))
	}
	return errs.Err()
}

func (m *merger) merge(ctx context.Context, tx *sqlx.Tx) error {
	q := tx
	if m.analyze {
		// Temporary tables have no statistics; without them the planner takes a million staged
		// rows for a handful and joins them by nested loops.
		if _, err := tx.ExecContext(ctx, `ANALYZE stage_sellers, stage_buyers, stage_orders, stage_disputes, stage_return_claims`); err != nil {
			return err
		}
	}
	// Numbers must be unique within one input: the platform's numbers identify its records.
	if err := m.check(ctx, q, `
		SELECT ref, 'number' AS field, 'INVALID' AS code, format('%s number %s appears more than once (first at %s)', kind, number, first) AS msg
		FROM (
			SELECT kind, ref, number, ord, first_value(ref) OVER (PARTITION BY kind, number ORDER BY ord) AS first,
			       row_number() OVER (PARTITION BY kind, number ORDER BY ord) AS n
			FROM (SELECT 'seller' AS kind, ref, number, ord FROM stage_sellers
			      UNION ALL SELECT 'buyer', ref, number, ord FROM stage_buyers
			      UNION ALL SELECT 'order', ref, number, ord FROM stage_orders
			      UNION ALL SELECT 'dispute', ref, number, ord FROM stage_disputes
			      UNION ALL SELECT 'return claim', ref, number, ord FROM stage_return_claims) AS staged
		) AS numbered
		WHERE n > 1 ORDER BY kind, ord`); err != nil {
		return err
	}
	if err := q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO sellers (number, name, legal_name, email, country)
			SELECT number, name, legal_name, email, country FROM stage_sellers
			ON CONFLICT (number) DO UPDATE SET name = excluded.name, legal_name = excluded.legal_name,
				email = excluded.email, country = excluded.country, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
	).Scan(&m.res.SellersCreated, &m.res.SellersUpdated); err != nil {
		return err
	}
	// A buyer's status is only set when the platform sends one: re-sending a buyer's profile
	// must not undo a sanction this service applied.
	if err := q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO buyers (number, handle, country, status)
			SELECT number, handle, country, coalesce(status, 'ACTIVE') FROM stage_buyers
			ON CONFLICT (number) DO UPDATE SET handle = excluded.handle, country = excluded.country, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
	).Scan(&m.res.BuyersCreated, &m.res.BuyersUpdated); err != nil {
		return err
	}
	if err := m.analyzeAfter(ctx, tx, "sellers", m.res.SellersCreated); err != nil {
		return err
	}
	if err := m.analyzeAfter(ctx, tx, "buyers", m.res.BuyersCreated); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE buyers b SET status = s.status, status_changed_at = now(), updated_at = now()
		FROM stage_buyers s WHERE b.number = s.number AND s.status IS NOT NULL AND b.status <> s.status`); err != nil {
		return err
	}
	// An order never changes hands: reports and returns hang off its seller and buyer.
	if err := m.check(ctx, q, `
		SELECT x.ref, f.field, f.code, f.msg
		FROM stage_orders x
		LEFT JOIN sellers s ON s.number = x.seller_number
		LEFT JOIN buyers b ON b.number = x.buyer_number
		LEFT JOIN orders o ON o.number = x.number
		CROSS JOIN LATERAL (VALUES
			('sellerNumber', 'NOT_FOUND', format('no seller with number %s: send it in this input or an earlier one', x.seller_number), s.id IS NULL),
			('buyerNumber', 'NOT_FOUND', format('no buyer with number %s: send it in this input or an earlier one', x.buyer_number), b.id IS NULL),
			('sellerNumber', 'CONFLICT', format('order %s already belongs to another seller; an order cannot change sellers', x.number), o.seller_id <> s.id),
			('buyerNumber', 'CONFLICT', format('order %s already belongs to another buyer; an order cannot change buyers', x.number), o.buyer_id <> b.id)
		) AS f(field, code, msg, failed)
		WHERE f.failed ORDER BY x.ord, f.field`); err != nil {
		return err
	}
	// The indicator rollups of every order this input touches are recomputed, on the day the
	// order was placed before the input (here) and after it (below).
	const touched = `o.number IN (SELECT number FROM stage_orders UNION SELECT order_number FROM stage_disputes
		UNION SELECT order_number FROM stage_return_claims)`
	if err := markDirty(ctx, tx, touched); err != nil {
		return err
	}
	if err := q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO orders (number, seller_id, buyer_id, placed_at, ship_by, shipped_at, delivered_at,
				cancelled_at, cancellation_reason, total_cents, currency)
			SELECT x.number, s.id, b.id, x.placed_at, x.ship_by, x.shipped_at, x.delivered_at, x.cancelled_at,
				x.cancellation_reason, x.total_cents, x.currency
			FROM stage_orders x
			JOIN sellers s ON s.number = x.seller_number
			JOIN buyers b ON b.number = x.buyer_number
			ON CONFLICT (number) DO UPDATE SET placed_at = excluded.placed_at, ship_by = excluded.ship_by,
				shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at,
				cancelled_at = excluded.cancelled_at, cancellation_reason = excluded.cancellation_reason,
				total_cents = excluded.total_cents, currency = excluded.currency, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
	).Scan(&m.res.OrdersCreated, &m.res.OrdersUpdated); err != nil {
		return err
	}
	if err := m.analyzeAfter(ctx, tx, "orders", m.res.OrdersCreated); err != nil {
		return err
	}
	// Events hang off orders of this input or earlier ones, and their numbers are the
	// platform's: one that already belongs to another order is a mistake in the input. Events a
	// batch purged stay purged when the platform sends them again.
	for _, t := range []struct{ stage, table, kind string }{
		{"stage_disputes", "disputes", "dispute"}, {"stage_return_claims", "return_claims", "return claim"},
	} {
		if err := m.check(ctx, q, `
			SELECT x.ref, f.field, f.code, f.msg
			FROM `+t.stage+` x
			LEFT JOIN orders o ON o.number = x.order_number
			LEFT JOIN `+t.table+` e ON e.number = x.number
			LEFT JOIN orders eo ON eo.id = e.order_id
			CROSS JOIN LATERAL (VALUES
				('orderNumber', 'NOT_FOUND', format('no order with number %s', x.order_number), o.id IS NULL),
				('number', 'CONFLICT', format('`+t.kind+` number %s already belongs to order %s', x.number, eo.number), eo.number <> x.order_number)
			) AS f(field, code, msg, failed)
			WHERE f.failed ORDER BY x.ord`); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`INSERT INTO feedback (order_id, rating, comment, left_at)
		 SELECT o.id, x.fb_rating, x.fb_comment, x.fb_left_at FROM stage_orders x JOIN orders o ON o.number = x.number
		 WHERE x.fb_rating IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM purged_records p WHERE p.kind = 'FEEDBACK' AND p.order_id = o.id AND p.restored_at IS NULL)
		 ON CONFLICT (order_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, left_at = excluded.left_at`,
		`INSERT INTO disputes (number, order_id, reason, opened_at, closed_at)
		 SELECT x.number, o.id, x.reason, x.opened_at, x.closed_at FROM stage_disputes x JOIN orders o ON o.number = x.order_number
		 WHERE NOT EXISTS (SELECT 1 FROM purged_records p WHERE p.kind = 'DISPUTE' AND p.record ->> 'number' = x.number AND p.restored_at IS NULL)
		 ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, opened_at = excluded.opened_at, closed_at = excluded.closed_at`,
		`INSERT INTO return_claims (number, order_id, reason, requested_at)
		 SELECT x.number, o.id, x.reason, x.requested_at FROM stage_return_claims x JOIN orders o ON o.number = x.order_number
		 WHERE NOT EXISTS (SELECT 1 FROM purged_records p WHERE p.kind = 'RETURN_CLAIM' AND p.record ->> 'number' = x.number AND p.restored_at IS NULL)
		 ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, requested_at = excluded.requested_at`,
	} {
		r, err := tx.ExecContext(ctx, stmt)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		m.res.EventsUpserted += int(n)
	}
	return markDirty(ctx, tx, touched)
}

// analyzeAfter refreshes a table's statistics when a bulk load has just grown it a lot: a table
// that was empty when last analysed is planned as empty, and joining a million staged rows
// against it by nested loop takes hours instead of seconds.
func (m *merger) analyzeAfter(ctx context.Context, tx *sqlx.Tx, table string, added int) error {
	if !m.analyze || added < 10000 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `ANALYZE `+table)
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// opt passes an optional time to the driver as NULL or a value.
func opt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
