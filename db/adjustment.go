package db

import (
	"context"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

var _ sc.AdjustmentService = (*DB)(nil)

// ListIndicatorAdjustments implements secondchance.AdjustmentService. Each line is keyed by its
// ledger ("E" exclusions, "P" purges) and row, so the newest-first order is stable.
func (db *DB) ListIndicatorAdjustments(ctx context.Context, sellerID int64, window sc.IndicatorWindow, page sc.PageArgs) (*sc.Page[*sc.IndicatorAdjustment], error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	if !window.Valid() {
		return nil, sc.FieldErrorf("window", sc.EINVALID, "unknown window %q", window)
	}
	if !sp.all && sellerID != sp.sellerID {
		return nil, sc.Errorf(sc.ENOTFOUND, "seller not found")
	}
	limit, err := page.Limit()
	if err != nil {
		return nil, err
	}
	cur, err := decodeCursor(listIndicatorAdjustments, page.After, 2)
	if err != nil {
		return nil, err
	}
	var afterAt *time.Time
	afterKey := ""
	if cur != nil {
		t, terr := time.Parse(time.RFC3339Nano, cur[0])
		if terr != nil || (!strings.HasPrefix(cur[1], "E") && !strings.HasPrefix(cur[1], "P")) {
			return nil, notACursor(listIndicatorAdjustments, *page.After)
		}
		afterAt, afterKey = &t, cur[1]
	}
	from := windowStart(db.Now(), window)
	// Live exclusions are found through order_exclusions_live_key, ended ones through
	// order_exclusions_ended_idx, purges through purged_records_order_idx.
	const lines = `
		SELECT 'EXCLUDED_ORDER' AS kind, 'ACCOUNT_CLOSED' AS reason, e.excluded_at AS at, e.order_id,
			NULL::bigint AS report_id, e.verdict_id, e.batch_id, 'E' || lpad(e.id::text, 19, '0') AS item_key
		FROM orders o JOIN order_exclusions e ON e.order_id = o.id AND e.restored_at IS NULL
		WHERE o.seller_id = $1 AND o.placed_at >= $2
		UNION ALL
		SELECT 'EXCLUDED_ORDER', CASE WHEN e.verdict_id IS NULL THEN 'ACCOUNT_REOPENED' ELSE 'APPEAL_RESTORED' END, e.restored_at,
			e.order_id, NULL, e.verdict_id, e.batch_id, 'E' || lpad(e.id::text, 19, '0')
		FROM orders o JOIN order_exclusions e ON e.order_id = o.id AND e.restored_at IS NOT NULL
		WHERE o.seller_id = $1 AND o.placed_at >= $2
		UNION ALL
		SELECT 'PURGED_' || p.kind, CASE WHEN p.restored_at IS NULL THEN 'REPORT_UPHELD' ELSE 'APPEAL_RESTORED' END,
			coalesce(p.restored_at, p.purged_at), p.order_id, p.report_id, p.verdict_id, p.batch_id, 'P' || lpad(p.id::text, 19, '0')
		FROM orders o JOIN purged_records p ON p.order_id = o.id
		WHERE o.seller_id = $1 AND o.placed_at >= $2`
	var rows []*sc.IndicatorAdjustment
	err = db.SelectContext(ctx, &rows, `SELECT kind, reason, at, order_id, report_id, verdict_id, batch_id, item_key FROM (`+lines+`) AS x
		WHERE $3::timestamptz IS NULL OR (at, item_key) < ($3, $4)
		ORDER BY at DESC, item_key DESC LIMIT $5`, sellerID, from, afterAt, afterKey, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	cursor := func(a *sc.IndicatorAdjustment) string {
		return encodeCursor(listIndicatorAdjustments, a.At.UTC().Format(time.RFC3339Nano), a.Key)
	}
	return newPage(rows, limit, page.After, cursor, db.countFunc(`SELECT count(*) FROM (`+lines+`) AS x`, sellerID, from)), nil
}
