package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.MarketplaceService = (*DB)(nil)

// Ingest implements secondchance.MarketplaceService. The whole batch is written with one
// set-based statement per table, inside one transaction: all of it or nothing.
func (db *DB) Ingest(ctx context.Context, b sc.MarketplaceBatch) (*sc.IngestResult, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := b.Validate(db.Now()); err != nil {
		return nil, err
	}
	var res sc.IngestResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := upsertSellers(ctx, tx, b.Sellers, &res); err != nil {
			return err
		}
		if err := upsertBuyers(ctx, tx, b.Buyers, &res); err != nil {
			return err
		}
		return upsertOrders(ctx, tx, b.Orders, &res)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func upsertSellers(ctx context.Context, q queryer, in []sc.SellerInput, res *sc.IngestResult) error {
	if len(in) == 0 {
		return nil
	}
	n := len(in)
	number, name, legal, email, country := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, s := range in {
		number[i], name[i], legal[i], email[i], country[i] = s.Number, s.Name, deref(s.LegalName), deref(s.Email), deref(s.Country)
	}
	return q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO sellers (number, name, legal_name, email, country)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
			ON CONFLICT (number) DO UPDATE SET name = excluded.name, legal_name = excluded.legal_name,
				email = excluded.email, country = excluded.country, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
		pq.Array(number), pq.Array(name), pq.Array(legal), pq.Array(email), pq.Array(country),
	).Scan(&res.SellersCreated, &res.SellersUpdated)
}

func upsertBuyers(ctx context.Context, q queryer, in []sc.BuyerInput, res *sc.IngestResult) error {
	if len(in) == 0 {
		return nil
	}
	n := len(in)
	number, handle, country, status := make([]string, n), make([]string, n), make([]string, n), make([]sql.NullString, n)
	for i, b := range in {
		number[i], handle[i], country[i] = b.Number, b.Handle, deref(b.Country)
		if b.Status != nil {
			status[i] = sql.NullString{String: string(*b.Status), Valid: true}
		}
	}
	// The status is only set when the platform sends one: re-sending a buyer's profile must
	// not undo a sanction this service applied.
	err := q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO buyers (number, handle, country, status)
			SELECT x.number, x.handle, x.country, coalesce(x.status, 'ACTIVE')
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(number, handle, country, status)
			ON CONFLICT (number) DO UPDATE SET handle = excluded.handle, country = excluded.country, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
		pq.Array(number), pq.Array(handle), pq.Array(country), pq.Array(status),
	).Scan(&res.BuyersCreated, &res.BuyersUpdated)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE buyers b SET status = x.status, status_changed_at = now(), updated_at = now()
		FROM unnest($1::text[], $2::text[]) AS x(number, status)
		WHERE b.number = x.number AND x.status IS NOT NULL AND b.status <> x.status`,
		pq.Array(number), pq.Array(status))
	return err
}

// orderColumnsIn holds the batch's orders column by column, as unnest takes them.
type orderColumnsIn struct {
	number, seller, buyer, currency    []string
	placed, shipBy, shipped, delivered []sql.NullString
	cancelled, cancelReason            []sql.NullString
	total                              []int64
}

func upsertOrders(ctx context.Context, q queryer, in []sc.OrderInput, res *sc.IngestResult) error {
	if len(in) == 0 {
		return nil
	}
	n := len(in)
	c := orderColumnsIn{
		number: make([]string, n), seller: make([]string, n), buyer: make([]string, n), currency: make([]string, n),
		placed: make([]sql.NullString, n), shipBy: make([]sql.NullString, n), shipped: make([]sql.NullString, n),
		delivered: make([]sql.NullString, n), cancelled: make([]sql.NullString, n), cancelReason: make([]sql.NullString, n),
		total: make([]int64, n),
	}
	for i, o := range in {
		m, _ := sc.ParseMoney(o.Total.Amount, o.Total.Currency) // validated by the caller
		c.number[i], c.seller[i], c.buyer[i], c.currency[i], c.total[i] = o.Number, o.SellerNumber, o.BuyerNumber, m.Currency, m.Cents
		c.placed[i], c.shipBy[i], c.shipped[i] = timestamp(&o.PlacedAt), timestamp(o.ShipBy), timestamp(o.ShippedAt)
		c.delivered[i], c.cancelled[i] = timestamp(o.DeliveredAt), timestamp(o.CancelledAt)
		if o.CancellationReason != nil {
			c.cancelReason[i] = sql.NullString{String: string(*o.CancellationReason), Valid: true}
		}
	}
	if err := checkOrderReferences(ctx, q, c); err != nil {
		return err
	}
	err := q.QueryRowxContext(ctx, `WITH up AS (
			INSERT INTO orders (number, seller_id, buyer_id, placed_at, ship_by, shipped_at, delivered_at,
				cancelled_at, cancellation_reason, total_cents, currency)
			SELECT x.number, s.id, b.id, x.placed, x.ship_by, x.shipped, x.delivered, x.cancelled, x.reason, x.total, x.currency
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[],
				$7::timestamptz[], $8::timestamptz[], $9::text[], $10::bigint[], $11::text[])
				AS x(number, seller, buyer, placed, ship_by, shipped, delivered, cancelled, reason, total, currency)
			JOIN sellers s ON s.number = x.seller
			JOIN buyers b ON b.number = x.buyer
			ON CONFLICT (number) DO UPDATE SET placed_at = excluded.placed_at, ship_by = excluded.ship_by,
				shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at,
				cancelled_at = excluded.cancelled_at, cancellation_reason = excluded.cancellation_reason,
				total_cents = excluded.total_cents, currency = excluded.currency, updated_at = now()
			RETURNING (xmax = 0) AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
		pq.Array(c.number), pq.Array(c.seller), pq.Array(c.buyer), pq.Array(c.placed), pq.Array(c.shipBy),
		pq.Array(c.shipped), pq.Array(c.delivered), pq.Array(c.cancelled), pq.Array(c.cancelReason),
		pq.Array(c.total), pq.Array(c.currency),
	).Scan(&res.OrdersCreated, &res.OrdersUpdated)
	if err != nil {
		return err
	}
	return upsertOrderEvents(ctx, q, in, res)
}

// checkOrderReferences finds, in one statement, every order whose seller or buyer is unknown
// and every re-sent order whose seller or buyer differs from the stored one (an order never
// changes hands: reports and returns hang off it).
func checkOrderReferences(ctx context.Context, q queryer, c orderColumnsIn) error {
	var bad []struct {
		I     int    `db:"i"`
		Field string `db:"field"`
		Code  string `db:"code"`
	}
	err := sqlx.SelectContext(ctx, q, &bad, `
		SELECT x.i - 1 AS i, f.field, f.code
		FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(number, seller, buyer, i)
		LEFT JOIN sellers s ON s.number = x.seller
		LEFT JOIN buyers b ON b.number = x.buyer
		LEFT JOIN orders o ON o.number = x.number
		CROSS JOIN LATERAL (VALUES
			('sellerNumber', 'NOT_FOUND', s.id IS NULL),
			('buyerNumber', 'NOT_FOUND', b.id IS NULL),
			('sellerNumber', 'CONFLICT', o.id IS NOT NULL AND o.seller_id <> s.id),
			('buyerNumber', 'CONFLICT', o.id IS NOT NULL AND o.buyer_id <> b.id)) AS f(field, code, failed)
		WHERE f.failed ORDER BY x.i, f.field`, pq.Array(c.number), pq.Array(c.seller), pq.Array(c.buyer))
	if err != nil {
		return err
	}
	var errs sc.Errors
	for _, b := range bad {
		field := fmt.Sprintf("orders.%d.%s", b.I, b.Field)
		kind, number := "seller", c.seller[b.I]
		if b.Field == "buyerNumber" {
			kind, number = "buyer", c.buyer[b.I]
		}
		if b.Code == sc.ENOTFOUND {
			errs = append(errs, sc.FieldErrorf(field, sc.ENOTFOUND, "no %s with number %q: send it in this batch or an earlier one", kind, number))
		} else {
			errs = append(errs, sc.FieldErrorf(field, sc.ECONFLICT, "order %q already belongs to another %s; an order cannot change %ss", c.number[b.I], kind, kind))
		}
	}
	return errs.Err()
}

func upsertOrderEvents(ctx context.Context, q queryer, in []sc.OrderInput, res *sc.IngestResult) error {
	var fbOrder []string
	var fbRating []int64
	var fbComment []string
	var fbLeft []sql.NullString
	var dOrder, dNumber, dReason []string
	var dOpened, dClosed []sql.NullString
	var rOrder, rNumber, rReason []string
	var rRequested []sql.NullString
	for _, o := range in {
		if f := o.Feedback; f != nil {
			fbOrder, fbRating, fbComment, fbLeft = append(fbOrder, o.Number), append(fbRating, int64(f.Rating)),
				append(fbComment, deref(f.Comment)), append(fbLeft, timestamp(&f.LeftAt))
		}
		for _, d := range o.Disputes {
			dOrder, dNumber, dReason = append(dOrder, o.Number), append(dNumber, d.Number), append(dReason, string(d.Reason))
			dOpened, dClosed = append(dOpened, timestamp(&d.OpenedAt)), append(dClosed, timestamp(d.ClosedAt))
		}
		for _, r := range o.ReturnClaims {
			rOrder, rNumber, rReason = append(rOrder, o.Number), append(rNumber, r.Number), append(rReason, r.Reason)
			rRequested = append(rRequested, timestamp(&r.RequestedAt))
		}
	}
	if err := checkEventOwners(ctx, q, "disputes", dNumber, dOrder); err != nil {
		return err
	}
	if err := checkEventOwners(ctx, q, "return_claims", rNumber, rOrder); err != nil {
		return err
	}
	count := func(r sql.Result, err error) error {
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.EventsUpserted += int(n)
		return nil
	}
	if len(fbOrder) > 0 {
		err := count(q.ExecContext(ctx, `INSERT INTO feedback (order_id, rating, comment, left_at)
			SELECT o.id, x.rating, x.comment, x.left_at
			FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[]) AS x(number, rating, comment, left_at)
			JOIN orders o ON o.number = x.number
			ON CONFLICT (order_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, left_at = excluded.left_at`,
			pq.Array(fbOrder), pq.Array(fbRating), pq.Array(fbComment), pq.Array(fbLeft)))
		if err != nil {
			return err
		}
	}
	if len(dNumber) > 0 {
		err := count(q.ExecContext(ctx, `INSERT INTO disputes (number, order_id, reason, opened_at, closed_at)
			SELECT x.number, o.id, x.reason, x.opened_at, x.closed_at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
				AS x(order_number, number, reason, opened_at, closed_at)
			JOIN orders o ON o.number = x.order_number
			ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, opened_at = excluded.opened_at, closed_at = excluded.closed_at`,
			pq.Array(dOrder), pq.Array(dNumber), pq.Array(dReason), pq.Array(dOpened), pq.Array(dClosed)))
		if err != nil {
			return err
		}
	}
	if len(rNumber) > 0 {
		return count(q.ExecContext(ctx, `INSERT INTO return_claims (number, order_id, reason, requested_at)
			SELECT x.number, o.id, x.reason, x.requested_at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS x(order_number, number, reason, requested_at)
			JOIN orders o ON o.number = x.order_number
			ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, requested_at = excluded.requested_at`,
			pq.Array(rOrder), pq.Array(rNumber), pq.Array(rReason), pq.Array(rRequested)))
	}
	return nil
}

// checkEventOwners refuses a dispute or return claim number that already belongs to another
// order: the platform's numbers are unique, so that is a mistake in the batch.
func checkEventOwners(ctx context.Context, q queryer, table string, numbers, orders []string) error {
	if len(numbers) == 0 {
		return nil
	}
	var taken []string
	err := sqlx.SelectContext(ctx, q, &taken, `SELECT x.number
		FROM unnest($1::text[], $2::text[]) AS x(number, order_number)
		JOIN `+table+` e ON e.number = x.number
		JOIN orders o ON o.id = e.order_id
		WHERE o.number <> x.order_number`, pq.Array(numbers), pq.Array(orders))
	if err != nil {
		return err
	}
	var errs sc.Errors
	for _, num := range taken {
		e := *constraintErrors[table+"_number_key"]
		e.Message = fmt.Sprintf("number %q: %s", num, e.Message)
		errs = append(errs, &e)
	}
	return errs.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timestamp(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: t.UTC().Format(time.RFC3339Nano), Valid: true}
}
