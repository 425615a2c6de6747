package db

import (
	"context"
	"time"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.IndicatorService = (*DB)(nil)

// indicatorsSQL counts, per seller, each order of the window once per figure, four ways: raw
// (live and purged records, excluded orders too), assessed (live records of orders not
// excluded), excluded and purged, so that raw = assessed + excluded + purged holds for every
// figure by construction. Late shipments and seller cancellations are facts of the order, not
// records a report can purge.
const indicatorsSQL = `
WITH o AS (
	SELECT o.seller_id,
		coalesce(o.shipped_at > o.ship_by OR (o.shipped_at IS NULL AND o.cancelled_at IS NULL AND o.ship_by < $2), false) AS late,
		coalesce(o.cancellation_reason IN ('OUT_OF_STOCK', 'SELLER_REQUEST'), false) AS cancelled,
		EXISTS (SELECT 1 FROM order_exclusions e WHERE e.order_id = o.id AND e.restored_at IS NULL) AS excluded,
		coalesce((SELECT f.rating <= 2 FROM feedback f WHERE f.order_id = o.id), false) AS neg_live,
		EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = o.id) AS dis_live,
		EXISTS (SELECT 1 FROM return_claims r WHERE r.order_id = o.id) AS ret_live,
		p.neg_purged, p.dis_purged, p.ret_purged
	FROM orders o
	CROSS JOIN LATERAL (SELECT
			coalesce(bool_or(p.kind = 'FEEDBACK' AND (p.record ->> 'rating')::int <= 2), false) AS neg_purged,
			coalesce(bool_or(p.kind = 'DISPUTE'), false) AS dis_purged,
			coalesce(bool_or(p.kind = 'RETURN_CLAIM'), false) AS ret_purged
		FROM purged_records p WHERE p.order_id = o.id AND p.restored_at IS NULL) AS p
	WHERE o.seller_id = ANY($1) AND o.placed_at >= $3 AND o.placed_at < $2
), x AS (
	SELECT *, dis_live OR dis_purged AS dis_raw, neg_live OR neg_purged AS neg_raw, ret_live OR ret_purged AS ret_raw,
		dis_live OR dis_purged OR neg_live OR neg_purged OR late OR cancelled AS def_raw,
		dis_live OR neg_live OR late OR cancelled AS def_live
	FROM o
)
SELECT seller_id,
	count(*) AS raw_orders, count(*) FILTER (WHERE dis_raw) AS raw_disputes, count(*) FILTER (WHERE neg_raw) AS raw_negative,
	count(*) FILTER (WHERE ret_raw) AS raw_returns, count(*) FILTER (WHERE late) AS raw_late,
	count(*) FILTER (WHERE cancelled) AS raw_cancelled, count(*) FILTER (WHERE def_raw) AS raw_defects,

	count(*) FILTER (WHERE NOT excluded) AS orders, count(*) FILTER (WHERE NOT excluded AND dis_live) AS disputes,
	count(*) FILTER (WHERE NOT excluded AND neg_live) AS negative, count(*) FILTER (WHERE NOT excluded AND ret_live) AS returns,
	count(*) FILTER (WHERE NOT excluded AND late) AS late, count(*) FILTER (WHERE NOT excluded AND cancelled) AS cancelled,
	count(*) FILTER (WHERE NOT excluded AND def_live) AS defects,

	count(*) FILTER (WHERE excluded) AS ex_orders, count(*) FILTER (WHERE excluded AND dis_raw) AS ex_disputes,
	count(*) FILTER (WHERE excluded AND neg_raw) AS ex_negative, count(*) FILTER (WHERE excluded AND ret_raw) AS ex_returns,
	count(*) FILTER (WHERE excluded AND late) AS ex_late, count(*) FILTER (WHERE excluded AND cancelled) AS ex_cancelled,
	count(*) FILTER (WHERE excluded AND def_raw) AS ex_defects,

	count(*) FILTER (WHERE NOT excluded AND dis_raw AND NOT dis_live) AS pu_disputes,
	count(*) FILTER (WHERE NOT excluded AND neg_raw AND NOT neg_live) AS pu_negative,
	count(*) FILTER (WHERE NOT excluded AND ret_raw AND NOT ret_live) AS pu_returns,
	count(*) FILTER (WHERE NOT excluded AND def_raw AND NOT def_live) AS pu_defects
FROM x GROUP BY seller_id`

type indicatorRow struct {
	SellerID    int64 `db:"seller_id"`
	RawOrders   int   `db:"raw_orders"`
	RawDisputes int   `db:"raw_disputes"`
	RawNegative int   `db:"raw_negative"`
	RawReturns  int   `db:"raw_returns"`
	RawLate     int   `db:"raw_late"`
	RawCancel   int   `db:"raw_cancelled"`
	RawDefects  int   `db:"raw_defects"`
	Orders      int   `db:"orders"`
	Disputes    int   `db:"disputes"`
	Negative    int   `db:"negative"`
	Returns     int   `db:"returns"`
	Late        int   `db:"late"`
	Cancel      int   `db:"cancelled"`
	Defects     int   `db:"defects"`
	ExOrders    int   `db:"ex_orders"`
	ExDisputes  int   `db:"ex_disputes"`
	ExNegative  int   `db:"ex_negative"`
	ExReturns   int   `db:"ex_returns"`
	ExLate      int   `db:"ex_late"`
	ExCancel    int   `db:"ex_cancelled"`
	ExDefects   int   `db:"ex_defects"`
	PuDisputes  int   `db:"pu_disputes"`
	PuNegative  int   `db:"pu_negative"`
	PuReturns   int   `db:"pu_returns"`
	PuDefects   int   `db:"pu_defects"`
}

// SellersIndicators implements secondchance.IndicatorService.
func (db *DB) SellersIndicators(ctx context.Context, sellerIDs []int64, window sc.IndicatorWindow) ([]*sc.Indicators, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	if !window.Valid() {
		return nil, sc.FieldErrorf("window", sc.EINVALID, "unknown window %q; use one of %v", window, sc.IndicatorWindows)
	}
	visible := make([]int64, 0, len(sellerIDs))
	for _, id := range sellerIDs {
		if sp.all || id == sp.sellerID {
			visible = append(visible, id)
		}
	}
	to := db.Now().UTC()
	from := to.Add(-time.Duration(window.Days()) * 24 * time.Hour)
	var rows []*indicatorRow
	if len(visible) > 0 {
		if err := db.SelectContext(ctx, &rows, indicatorsSQL, pq.Array(visible), to, from); err != nil {
			return nil, mapError(err)
		}
	}
	at := make(map[int64]*indicatorRow, len(rows))
	for _, r := range rows {
		at[r.SellerID] = r
	}
	out := make([]*sc.Indicators, len(sellerIDs))
	for i, id := range sellerIDs {
		if !(sp.all || id == sp.sellerID) {
			continue
		}
		ind := &sc.Indicators{SellerID: id, Window: window, From: from, To: to}
		if r := at[id]; r != nil {
			ind.Raw = sc.IndicatorCounts{Orders: r.RawOrders, Disputes: r.RawDisputes, NegativeFeedback: r.RawNegative, Returns: r.RawReturns,
				LateShipments: r.RawLate, Cancellations: r.RawCancel, Defects: r.RawDefects}
			ind.Assessed = sc.IndicatorCounts{Orders: r.Orders, Disputes: r.Disputes, NegativeFeedback: r.Negative, Returns: r.Returns,
				LateShipments: r.Late, Cancellations: r.Cancel, Defects: r.Defects}
			ind.Excluded = sc.IndicatorCounts{Orders: r.ExOrders, Disputes: r.ExDisputes, NegativeFeedback: r.ExNegative, Returns: r.ExReturns,
				LateShipments: r.ExLate, Cancellations: r.ExCancel, Defects: r.ExDefects}
			ind.Purged = sc.IndicatorCounts{Disputes: r.PuDisputes, NegativeFeedback: r.PuNegative, Returns: r.PuReturns, Defects: r.PuDefects}
		}
		out[i] = ind
	}
	return out, nil
}
