package db

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.IndicatorService = (*DB)(nil)

// orderDay is the UTC calendar day of an order, the grain of the rollups.
const orderDay = `(o.placed_at AT TIME ZONE 'UTC')::date`

// rollupSQL computes the rows of seller_day_stats for the orders that from selects. Each order
// is counted once per figure, four ways: raw (live and purged records, excluded orders too),
// assessed (live records of orders not excluded), excluded and purged, so that raw = assessed +
// excluded + purged holds for every figure by construction. Late shipments and seller
// cancellations are facts of the order, not records a report can purge; lateness is as of now
// ($1), which is why unshipped orders are looked at again as their ship-by dates pass.
func rollupSQL(from string) string {
	return `INSERT INTO seller_day_stats
SELECT seller_id, day,
	count(*), count(*) FILTER (WHERE dis_raw), count(*) FILTER (WHERE neg_raw), count(*) FILTER (WHERE ret_raw),
	count(*) FILTER (WHERE late), count(*) FILTER (WHERE cancelled), count(*) FILTER (WHERE def_raw),
	count(*) FILTER (WHERE NOT excluded), count(*) FILTER (WHERE NOT excluded AND dis_live),
	count(*) FILTER (WHERE NOT excluded AND neg_live), count(*) FILTER (WHERE NOT excluded AND ret_live),
	count(*) FILTER (WHERE NOT excluded AND late), count(*) FILTER (WHERE NOT excluded AND cancelled),
	count(*) FILTER (WHERE NOT excluded AND def_live),
	count(*) FILTER (WHERE excluded), count(*) FILTER (WHERE excluded AND dis_raw), count(*) FILTER (WHERE excluded AND neg_raw),
	count(*) FILTER (WHERE excluded AND ret_raw), count(*) FILTER (WHERE excluded AND late),
	count(*) FILTER (WHERE excluded AND cancelled), count(*) FILTER (WHERE excluded AND def_raw),
	count(*) FILTER (WHERE NOT excluded AND dis_raw AND NOT dis_live), count(*) FILTER (WHERE NOT excluded AND neg_raw AND NOT neg_live),
	count(*) FILTER (WHERE NOT excluded AND ret_raw AND NOT ret_live), count(*) FILTER (WHERE NOT excluded AND def_raw AND NOT def_live)
FROM (
	SELECT *, dis_live OR dis_purged AS dis_raw, neg_live OR neg_purged AS neg_raw, ret_live OR ret_purged AS ret_raw,
		dis_live OR dis_purged OR neg_live OR neg_purged OR late OR cancelled AS def_raw,
		dis_live OR neg_live OR late OR cancelled AS def_live
	FROM (
		SELECT o.seller_id, ` + orderDay + ` AS day,
			coalesce(o.shipped_at > o.ship_by OR (o.shipped_at IS NULL AND o.cancelled_at IS NULL AND o.ship_by < $1), false) AS late,
			coalesce(o.cancellation_reason IN ('OUT_OF_STOCK', 'SELLER_REQUEST'), false) AS cancelled,
			e.order_id IS NOT NULL AS excluded,
			coalesce(f.rating <= 2, false) AS neg_live,
			d.order_id IS NOT NULL AS dis_live,
			r.order_id IS NOT NULL AS ret_live,
			coalesce(p.neg, false) AS neg_purged, coalesce(p.dis, false) AS dis_purged, coalesce(p.ret, false) AS ret_purged
		FROM ` + from + `
		LEFT JOIN feedback f ON f.order_id = o.id
		LEFT JOIN (SELECT DISTINCT order_id FROM disputes) d ON d.order_id = o.id
		LEFT JOIN (SELECT DISTINCT order_id FROM return_claims) r ON r.order_id = o.id
		LEFT JOIN order_exclusions e ON e.order_id = o.id AND e.restored_at IS NULL
		LEFT JOIN (SELECT order_id, bool_or(kind = 'FEEDBACK' AND (record ->> 'rating')::int <= 2) AS neg,
				bool_or(kind = 'DISPUTE') AS dis, bool_or(kind = 'RETURN_CLAIM') AS ret
			FROM purged_records WHERE restored_at IS NULL GROUP BY order_id) p ON p.order_id = o.id
	) AS facts
) AS x GROUP BY seller_id, day`
}

// markDirty marks the (seller, day) pairs of the orders that where selects (on orders o).
func markDirty(ctx context.Context, q queryer, where string, args ...any) error {
	_, err := q.ExecContext(ctx, `INSERT INTO seller_day_dirty (seller_id, day)
		SELECT DISTINCT o.seller_id, `+orderDay+` FROM orders o WHERE `+where+` ON CONFLICT DO NOTHING`, args...)
	return err
}

// RefreshIndicators brings the rollups up to date: it marks what the batches that ran since and
// the passing of ship-by dates changed, then recomputes every dirty (seller, day), or every
// row when a rebuild is due. It runs as a River job every 30 seconds and from the command line;
// it returns how many rows it recomputed.
func (db *DB) RefreshIndicators(ctx context.Context) (int, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return 0, err
	}
	now := db.Now().UTC()
	var n int
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var state struct {
			LateCheckedTo time.Time `db:"late_checked_to"`
			Rebuild       bool      `db:"rebuild"`
		}
		// One refresh at a time: the row lock orders them.
		if err := tx.GetContext(ctx, &state, `SELECT late_checked_to, rebuild FROM indicator_state WHERE id = 1 FOR UPDATE`); err != nil {
			return err
		}
		// The batches this refresh takes in, fixed now: one that commits while it runs is the
		// next refresh's, not marked as taken in without its orders marked dirty (each statement
		// of this transaction sees what has committed by then).
		var batches []int64
		if err := tx.SelectContext(ctx, &batches, `SELECT id FROM batches WHERE indicators_marked_at IS NULL FOR UPDATE`); err != nil {
			return err
		}
		if !state.Rebuild {
			// A large batch touches so many (seller, day) pairs that marking them costs more
			// than the rebuild they lead to: its own counts decide.
			var touched int
			if err := tx.GetContext(ctx, &touched, `SELECT coalesce(sum((stats ->> 'excludedOrders')::int + (stats ->> 'purgedFeedback')::int
				+ (stats ->> 'purgedDisputes')::int + (stats ->> 'purgedReturnClaims')::int), 0)
				FROM batches WHERE id = ANY($1)`, pq.Array(batches)); err != nil {
				return err
			}
			state.Rebuild = touched > 200000
		}
		if !state.Rebuild {
			if err := markDirty(ctx, tx, `o.id IN (
					SELECT order_id FROM order_exclusions WHERE batch_id = ANY($1)
					UNION SELECT order_id FROM purged_records WHERE batch_id = ANY($1))`, pq.Array(batches)); err != nil {
				return err
			}
			if err := markDirty(ctx, tx, `o.shipped_at IS NULL AND o.cancelled_at IS NULL AND o.ship_by > $1 AND o.ship_by <= $2`,
				state.LateCheckedTo, now); err != nil {
				return err
			}
			// Recomputing pair by pair beats a rebuild only for a part of the rows: after a
			// large batch, a quarter or more are dirty, and the rebuild's hash joins win
			// (18 s instead of 62 s for 1.5M of 3.3M rows).
			var dirty, rows float64
			if err := tx.QueryRowxContext(ctx, `SELECT (SELECT count(*) FROM seller_day_dirty),
				(SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'seller_day_stats'::regclass)`).Scan(&dirty, &rows); err != nil {
				return err
			}
			state.Rebuild = dirty > 100000 && dirty*4 > rows
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET indicators_marked_at = $1 WHERE id = ANY($2)`, now, pq.Array(batches)); err != nil {
			return err
		}
		if state.Rebuild {
			// DELETE, not TRUNCATE: readers keep the old rows until this commits.
			if _, err := tx.ExecContext(ctx, `DELETE FROM seller_day_stats; DELETE FROM seller_day_dirty`); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, rollupSQL(`orders o`), now)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n = int(m)
		} else {
			if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE refresh_pairs (seller_id bigint, day date) ON COMMIT DROP`); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `WITH d AS (DELETE FROM seller_day_dirty RETURNING seller_id, day)
				INSERT INTO refresh_pairs SELECT seller_id, day FROM d`)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n = int(m)
			if n > 0 {
				if _, err := tx.ExecContext(ctx, `ANALYZE refresh_pairs`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM seller_day_stats s USING refresh_pairs t
					WHERE s.seller_id = t.seller_id AND s.day = t.day`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, rollupSQL(`refresh_pairs t JOIN orders o ON o.seller_id = t.seller_id
					AND o.placed_at >= t.day::timestamp AT TIME ZONE 'UTC' AND o.placed_at < (t.day + 1)::timestamp AT TIME ZONE 'UTC'`), now); err != nil {
					return err
				}
			}
		}
		// The weekly snapshot of each batch is taken once its effects are in the rollups.
		var weeks []string
		if err := tx.SelectContext(ctx, &weeks, `UPDATE batches SET snapshot_taken_at = $1
			WHERE indicators_marked_at IS NOT NULL AND snapshot_taken_at IS NULL RETURNING week`, now); err != nil {
			return err
		}
		for _, w := range weeks {
			if _, err := snapshot(ctx, tx, w, now); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE indicator_state SET late_checked_to = $1, rebuild = false, refreshed_at = $1 WHERE id = 1`, now)
		return err
	})
	return n, err
}

// RequestIndicatorRebuild makes the next refresh recompute every row, as after a bulk load.
func (db *DB) RequestIndicatorRebuild(ctx context.Context) error {
	_, err := db.ExecContext(ctx, `UPDATE indicator_state SET rebuild = true WHERE id = 1`)
	return mapError(err)
}

// SellersIndicators implements secondchance.IndicatorService: sums of the rollups, as of the
// last refresh (seconds old while the refresh job runs).
func (db *DB) SellersIndicators(ctx context.Context, sellerIDs []int64, window sc.IndicatorWindow) ([]*sc.Indicators, error) {
	out, err := db.SellersIndicatorsIn(ctx, sellerIDs, []sc.IndicatorWindow{window})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// indicatorSumsSQL sums the rollups of sellers $1 over windows that go back $2 days (one per
// window, numbered from 1) from the day of the last refresh, or of $3 when none ran; $4 is the
// longest of them, so that the rows read are the longest window's (seller_day_stats_pkey)
// whatever the plan, never the seller's whole history.
var indicatorSumsSQL = func() string {
	sums, cols := make([]string, len(counterColumns)), make([]string, len(counterColumns))
	for i, c := range counterColumns {
		sums[i], cols[i] = "sum(d."+c+") AS "+c, "coalesce(x."+c+", 0)"
	}
	return `WITH st AS MATERIALIZED (SELECT coalesce(refreshed_at, $3) AS to_at,
			(coalesce(refreshed_at, $3) AT TIME ZONE 'UTC')::date AS today FROM indicator_state WHERE id = 1)
		SELECT st.to_at, x.window_no, x.seller_id, ` + strings.Join(cols, ", ") + ` FROM st LEFT JOIN LATERAL (
			SELECT w.window_no, d.seller_id, ` + strings.Join(sums, ", ") + `
			FROM seller_day_stats d JOIN unnest($2::int[]) WITH ORDINALITY AS w(back, window_no) ON d.day >= st.today - w.back
			WHERE d.seller_id = ANY($1) AND d.day >= st.today - $4::int
			GROUP BY w.window_no, d.seller_id) x ON true`
}()

// SellersIndicatorsIn implements secondchance.IndicatorService.
func (db *DB) SellersIndicatorsIn(ctx context.Context, sellerIDs []int64, windows []sc.IndicatorWindow) ([][]*sc.Indicators, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range windows {
		if !w.Valid() {
			return nil, sc.FieldErrorf("window", sc.EINVALID, "unknown window %q; use one of %v", w, sc.IndicatorWindows)
		}
	}
	visible := make([]int64, 0, len(sellerIDs))
	for _, id := range sellerIDs {
		if sp.all || id == sp.sellerID {
			visible = append(visible, id)
		}
	}
	// One statement, prepared (its text is the same for any sellers and windows): the time of
	// the last refresh, which the figures are as of, and per window the sums of its whole UTC
	// days up to it, today's included (DAYS_30 is today and the 29 days before). A seller
	// without rollup rows in a window has none there, and zeros. The refresh time is read once
	// (MATERIALIZED): inlined, its day was computed again for every row and sum.
	back := make([]int64, len(windows))
	longest := int64(0)
	for i, w := range windows {
		back[i] = int64(w.Days() - 1)
		longest = max(longest, back[i])
	}
	st, ctx, err := db.prepared(ctx, indicatorSumsSQL)
	if err != nil {
		return nil, mapError(err)
	}
	rows, err := st.QueryContext(ctx, pq.Array(visible), pq.Array(back), db.Now(), longest)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var to time.Time
	at := make([]map[int64]*indicatorRow, len(windows))
	for i := range at {
		at[i] = map[int64]*indicatorRow{}
	}
	for rows.Next() {
		var window, seller sql.NullInt64
		var r indicatorRow
		if err := rows.Scan(append([]any{&to, &window, &seller}, r.counterPointers()...)...); err != nil {
			return nil, mapError(err)
		}
		if window.Valid && seller.Valid {
			r.SellerID = seller.Int64
			at[window.Int64-1][r.SellerID] = &r
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	to = to.UTC()
	out := make([][]*sc.Indicators, len(windows))
	for i, w := range windows {
		fromDay := to.Truncate(24*time.Hour).AddDate(0, 0, 1-w.Days())
		out[i] = make([]*sc.Indicators, len(sellerIDs))
		for j, id := range sellerIDs {
			if !(sp.all || id == sp.sellerID) {
				continue
			}
			var r indicatorRow // a seller without rollup rows has zeros
			if at[i][id] != nil {
				r = *at[i][id]
			}
			ind := r.indicators(id, w, fromDay, to)
			out[i][j] = &ind
		}
	}
	return out, nil
}

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
