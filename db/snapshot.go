package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.SnapshotService = (*DB)(nil)

// counterColumns are the counts a rollup row, a snapshot row and an indicatorRow share.
var counterColumns = []string{
	"raw_orders", "raw_disputes", "raw_negative", "raw_returns", "raw_late", "raw_cancelled", "raw_defects",
	"orders", "disputes", "negative", "returns", "late", "cancelled", "defects",
	"ex_orders", "ex_disputes", "ex_negative", "ex_returns", "ex_late", "ex_cancelled", "ex_defects",
	"pu_disputes", "pu_negative", "pu_returns", "pu_defects",
}

func (r *indicatorRow) counters() []any {
	return []any{r.RawOrders, r.RawDisputes, r.RawNegative, r.RawReturns, r.RawLate, r.RawCancel, r.RawDefects,
		r.Orders, r.Disputes, r.Negative, r.Returns, r.Late, r.Cancel, r.Defects,
		r.ExOrders, r.ExDisputes, r.ExNegative, r.ExReturns, r.ExLate, r.ExCancel, r.ExDefects,
		r.PuDisputes, r.PuNegative, r.PuReturns, r.PuDefects}
}

// indicators turns a row of counts into the domain's figures.
func (r *indicatorRow) indicators(seller int64, w sc.IndicatorWindow, from, to time.Time) sc.Indicators {
	return sc.Indicators{SellerID: seller, Window: w, From: from, To: to,
		Raw: sc.IndicatorCounts{Orders: r.RawOrders, Disputes: r.RawDisputes, NegativeFeedback: r.RawNegative, Returns: r.RawReturns,
			LateShipments: r.RawLate, Cancellations: r.RawCancel, Defects: r.RawDefects},
		Assessed: sc.IndicatorCounts{Orders: r.Orders, Disputes: r.Disputes, NegativeFeedback: r.Negative, Returns: r.Returns,
			LateShipments: r.Late, Cancellations: r.Cancel, Defects: r.Defects},
		Excluded: sc.IndicatorCounts{Orders: r.ExOrders, Disputes: r.ExDisputes, NegativeFeedback: r.ExNegative, Returns: r.ExReturns,
			LateShipments: r.ExLate, Cancellations: r.ExCancel, Defects: r.ExDefects},
		Purged: sc.IndicatorCounts{Disputes: r.PuDisputes, NegativeFeedback: r.PuNegative, Returns: r.PuReturns, Defects: r.PuDefects}}
}

// windowStart is the first UTC day of window w as of at: today and the days before.
func windowStart(at time.Time, w sc.IndicatorWindow) time.Time {
	return at.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-w.Days())
}

// sumsSQL sums the rollups of the sellers that where selects over every window at once, one
// pass over the rows: $1, $2 and $3 are the first days of DAYS_30, DAYS_90 and DAYS_365.
func sumsSQL(where string) string {
	var cols []string
	for i, w := range sc.IndicatorWindows {
		for _, c := range counterColumns {
			cols = append(cols, fmt.Sprintf("coalesce(sum(d.%s) FILTER (WHERE d.day >= $%d), 0) AS w%d_%s", c, i+1, i, c))
		}
		_ = w
	}
	return `SELECT s.id AS seller_id, ` + strings.Join(cols, ", ") + `
		FROM sellers s LEFT JOIN seller_day_stats d ON d.seller_id = s.id AND d.day >= $3
		WHERE ` + where + ` GROUP BY s.id ORDER BY s.id`
}

// counterPointers are the destinations of counterColumns, in their order.
func (r *indicatorRow) counterPointers() []any {
	return []any{&r.RawOrders, &r.RawDisputes, &r.RawNegative, &r.RawReturns, &r.RawLate, &r.RawCancel, &r.RawDefects,
		&r.Orders, &r.Disputes, &r.Negative, &r.Returns, &r.Late, &r.Cancel, &r.Defects,
		&r.ExOrders, &r.ExDisputes, &r.ExNegative, &r.ExReturns, &r.ExLate, &r.ExCancel, &r.ExDefects,
		&r.PuDisputes, &r.PuNegative, &r.PuReturns, &r.PuDefects}
}

// scanSums reads a sumsSQL row into one indicatorRow per window.
func scanSums(rows *sqlx.Rows) (int64, [3]indicatorRow, error) {
	var id int64
	var w [3]indicatorRow
	dest := []any{&id}
	for i := range w {
		dest = append(dest, w[i].counterPointers()...)
	}
	err := rows.Scan(dest...)
	return id, w, err
}

func thresholds(ctx context.Context, q queryer) (*sc.StandingThresholds, error) {
	var raw []byte
	if err := q.GetContext(ctx, &raw, `SELECT thresholds FROM indicator_state WHERE id = 1`); err != nil {
		return nil, err
	}
	var t sc.StandingThresholds
	return &t, json.Unmarshal(raw, &t)
}

// snapshot stores every seller's figures and standing for week, as the rollups have them now.
func snapshot(ctx context.Context, tx *sqlx.Tx, week string, at time.Time) (int, error) {
	th, err := thresholds(ctx, tx)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE snap_standings (seller_id bigint, standing text, evaluated_window text) ON COMMIT DROP;
		CREATE TEMP TABLE snap_figures (LIKE indicator_snapshots) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	starts := []any{windowStart(at, sc.Window30), windowStart(at, sc.Window90), windowStart(at, sc.Window365)}
	// The sums of all sellers are read first (about 20,000 rows of 75 numbers), then copied:
	// one connection cannot stream a query and a COPY at once.
	type sellerSums struct {
		id int64
		w  [3]indicatorRow
	}
	var all []sellerSums
	rows, err := tx.QueryxContext(ctx, sumsSQL(`true`), starts...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		id, w, err := scanSums(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, sellerSums{id, w})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	err = copyRows(ctx, tx, "snap_standings", "seller_id, standing, evaluated_window", func(emit func(...any) error) error {
		for _, s := range all {
			d90, d365 := s.w[1].indicators(s.id, sc.Window90, at, at), s.w[2].indicators(s.id, sc.Window365, at, at)
			standing, w := th.Evaluate(d90.Assessed, d365.Assessed)
			if err := emit(s.id, string(standing), string(w)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = copyRows(ctx, tx, "snap_figures", `seller_id, week, "window", taken_at, `+strings.Join(counterColumns, ", "), func(emit func(...any) error) error {
		for _, s := range all {
			for i, win := range sc.IndicatorWindows {
				if err := emit(append([]any{s.id, week, string(win), at}, s.w[i].counters()...)...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	set := make([]string, len(counterColumns))
	for i, c := range counterColumns {
		set[i] = c + " = excluded." + c
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_snapshots SELECT * FROM snap_figures
		ON CONFLICT (seller_id, "window", week) DO UPDATE SET taken_at = excluded.taken_at, `+strings.Join(set, ", ")); err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO seller_standings (seller_id, week, taken_at, standing, evaluated_window)
		SELECT seller_id, $1, $2, standing, evaluated_window FROM snap_standings
		ON CONFLICT (seller_id, week) DO UPDATE SET taken_at = excluded.taken_at, standing = excluded.standing,
			evaluated_window = excluded.evaluated_window`, week, at)
	return len(all), err
}

// TakeIndicatorSnapshot implements secondchance.SnapshotService.
func (db *DB) TakeIndicatorSnapshot(ctx context.Context) (int, error) {
	if _, err := db.RefreshIndicators(ctx); err != nil {
		return 0, err
	}
	now := db.Now().UTC()
	var n int
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		n, err = snapshot(ctx, tx, sc.WeekOf(now).String(), now)
		return err
	})
	return n, err
}

// IndicatorHistory implements secondchance.SnapshotService.
func (db *DB) IndicatorHistory(ctx context.Context, sellerID int64, window sc.IndicatorWindow, from, to time.Time) ([]*sc.IndicatorSnapshot, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	if !window.Valid() {
		return nil, sc.FieldErrorf("window", sc.EINVALID, "unknown window %q", window)
	}
	if !to.After(from) {
		return nil, sc.FieldErrorf("to", sc.EINVALID, "to must be after from")
	}
	if to.Sub(from) > sc.MaxHistoryDays*24*time.Hour {
		return nil, sc.FieldErrorf("to", sc.EINVALID, "a history covers at most %d days; ask for a shorter range", sc.MaxHistoryDays)
	}
	if !sp.all && sellerID != sp.sellerID {
		return nil, sc.Errorf(sc.ENOTFOUND, "seller not found")
	}
	rows, err := db.QueryxContext(ctx, `SELECT week, taken_at, `+strings.Join(counterColumns, ", ")+`
		FROM indicator_snapshots WHERE seller_id = $1 AND "window" = $2 AND taken_at >= $3 AND taken_at <= $4
		ORDER BY taken_at`, sellerID, window, from, to)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*sc.IndicatorSnapshot
	for rows.Next() {
		var week string
		var at time.Time
		var r indicatorRow
		c := []any{&week, &at, &r.RawOrders, &r.RawDisputes, &r.RawNegative, &r.RawReturns, &r.RawLate, &r.RawCancel, &r.RawDefects,
			&r.Orders, &r.Disputes, &r.Negative, &r.Returns, &r.Late, &r.Cancel, &r.Defects,
			&r.ExOrders, &r.ExDisputes, &r.ExNegative, &r.ExReturns, &r.ExLate, &r.ExCancel, &r.ExDefects,
			&r.PuDisputes, &r.PuNegative, &r.PuReturns, &r.PuDefects}
		if err := rows.Scan(c...); err != nil {
			return nil, mapError(err)
		}
		out = append(out, &sc.IndicatorSnapshot{Indicators: r.indicators(sellerID, window, windowStart(at, window), at), Week: week, TakenAt: at})
	}
	return out, mapError(rows.Err())
}

// SellerStandings implements secondchance.SnapshotService: the current standing from each
// seller's latest snapshot, the projected one from its rollups now. Two statements per page.
func (db *DB) SellerStandings(ctx context.Context, sellerIDs []int64) ([]*sc.SellerStanding, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	th, err := thresholds(ctx, db)
	if err != nil {
		return nil, mapError(err)
	}
	now := db.Now().UTC()
	starts := []any{windowStart(now, sc.Window30), windowStart(now, sc.Window90), windowStart(now, sc.Window365), pq.Array(sellerIDs), sp.all, sp.seller()}
	rows, err := db.QueryxContext(ctx, sumsSQL(`s.id = ANY($4) AND ($5 OR s.id = $6)`), starts...)
	if err != nil {
		return nil, mapError(err)
	}
	at := map[int64]*sc.SellerStanding{}
	for rows.Next() {
		id, w, err := scanSums(rows)
		if err != nil {
			rows.Close()
			return nil, mapError(err)
		}
		d90, d365 := w[1].indicators(id, sc.Window90, now, now), w[2].indicators(id, sc.Window365, now, now)
		s, win := th.Evaluate(d90.Assessed, d365.Assessed)
		at[id] = &sc.SellerStanding{SellerID: id, Projected: s, ProjectedWindow: win}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	var current []struct {
		SellerID int64              `db:"seller_id"`
		Week     string             `db:"week"`
		Standing sc.Standing        `db:"standing"`
		Window   sc.IndicatorWindow `db:"evaluated_window"`
	}
	err = db.SelectContext(ctx, &current, `SELECT DISTINCT ON (seller_id) seller_id, week, standing, evaluated_window
		FROM seller_standings WHERE seller_id = ANY($1) ORDER BY seller_id, taken_at DESC`, pq.Array(sellerIDs))
	if err != nil {
		return nil, mapError(err)
	}
	for _, c := range current {
		if s := at[c.SellerID]; s != nil {
			s.Current, s.CurrentWeek, s.CurrentWindow = &c.Standing, &c.Week, &c.Window
		}
	}
	out := make([]*sc.SellerStanding, len(sellerIDs))
	for i, id := range sellerIDs {
		out[i] = at[id]
	}
	return out, nil
}

// StandingThresholds implements secondchance.SnapshotService.
func (db *DB) StandingThresholds(ctx context.Context) (*sc.StandingThresholds, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	t, err := thresholds(ctx, db)
	return t, mapError(err)
}

// SetStandingThresholds implements secondchance.SnapshotService.
func (db *DB) SetStandingThresholds(ctx context.Context, t sc.StandingThresholds) (*sc.StandingThresholds, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `UPDATE indicator_state SET thresholds = $1 WHERE id = 1`, string(b)); err != nil {
		return nil, mapError(err)
	}
	return &t, nil
}

// StandingChanges implements secondchance.SnapshotService.
func (db *DB) StandingChanges(ctx context.Context, batchIDs []int64) ([]*int, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	var rows []struct {
		BatchID int64 `db:"batch_id"`
		Changed int   `db:"changed"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT b.id AS batch_id, count(*) FILTER (WHERE prev.standing IS NOT NULL AND prev.standing <> cur.standing) AS changed
		FROM batches b
		JOIN seller_standings cur ON cur.week = b.week
		LEFT JOIN LATERAL (SELECT p.standing FROM seller_standings p WHERE p.seller_id = cur.seller_id AND p.week < b.week
			ORDER BY p.week DESC LIMIT 1) prev ON true
		WHERE b.id = ANY($1) AND b.snapshot_taken_at IS NOT NULL GROUP BY b.id`, pq.Array(batchIDs))
	if err != nil {
		return nil, mapError(err)
	}
	at := map[int64]int{}
	for _, r := range rows {
		at[r.BatchID] = r.Changed
	}
	out := make([]*int, len(batchIDs))
	for i, id := range batchIDs {
		if n, ok := at[id]; ok {
			out[i] = &n
		}
	}
	return out, nil
}
