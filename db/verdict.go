package db

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

// ListBatches implements secondchance.BatchService (admins), newest first.
func (db *DB) ListBatches(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.Batch], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, before, err := idPage(listBatches, page)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Batch
	err = db.SelectContext(ctx, &rows, `SELECT `+batchColumns+` FROM batches b
		WHERE ($1::bigint IS NULL OR b.id < $1) ORDER BY b.id DESC LIMIT $2`, before, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(b *sc.Batch) string { return idCursor(listBatches, b.ID) },
		db.countFunc(`SELECT count(*) FROM batches`)), nil
}

// BatchesByID implements secondchance.BatchService. Sellers and admins read batches (a week, its
// cutoff and times), as Query.batch allows; staff have no report in any and are FORBIDDEN, by
// node(id:) as by batch(id:). Their stats are for admins, which the schema enforces on the field.
func (db *DB) BatchesByID(ctx context.Context, ids []int64) ([]*sc.Batch, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleSeller, sc.RoleAdmin); err != nil {
		return nil, err
	}
	var rows []*sc.Batch
	err := db.SelectContext(ctx, &rows, `SELECT `+batchColumns+` FROM batches b WHERE b.id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(b *sc.Batch) int64 { return b.ID }), nil
}

// ListVerdicts implements secondchance.BatchService (admins), by batch then buyer.
func (db *DB) ListVerdicts(ctx context.Context, f sc.VerdictFilter, page sc.PageArgs) (*sc.Page[*sc.Verdict], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, after, err := idPage(listVerdicts, page)
	if err != nil {
		return nil, err
	}
	batchID, buyerID := f.Batch, f.Buyer
	const where = `($1::bigint IS NULL OR v.batch_id = $1) AND ($2::bigint IS NULL OR v.buyer_id = $2) AND ($3::text IS NULL OR v.verdict = $3)`
	var rows []*sc.Verdict
	err = db.SelectContext(ctx, &rows, `SELECT `+verdictColumns+` FROM verdicts v WHERE `+where+`
		AND ($4::bigint IS NULL OR v.id > $4) ORDER BY v.id LIMIT $5`, batchID, buyerID, f.Verdict, after, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(v *sc.Verdict) string { return idCursor(listVerdicts, v.ID) },
		db.countFunc(`SELECT count(*) FROM verdicts v WHERE `+where, batchID, buyerID, f.Verdict)), nil
}

// VerdictsByID implements secondchance.BatchService. A seller sees the verdicts on its reports:
// their outcome, never what the policy knew of the buyer (how many reports and sellers) nor a
// reviewer's reasons, which tell of other sellers' activity.
func (db *DB) VerdictsByID(ctx context.Context, ids []int64) ([]*sc.Verdict, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Verdict
	// A verdict's reports are on its buyer, so the reports looked at are the buyer's
	// (reports_buyer_idx), not every report of the seller.
	err = db.SelectContext(ctx, &rows, `SELECT `+verdictColumns+` FROM verdicts v WHERE v.id = ANY($1)
		AND ($2 OR EXISTS (SELECT 1 FROM reports r WHERE r.buyer_id = v.buyer_id AND r.verdict_id = v.id AND r.seller_id = $3))`,
		pq.Array(ids), sp.all, sp.seller())
	if err != nil {
		return nil, mapError(err)
	}
	if !sp.all {
		for _, v := range rows {
			v.RedactForSeller()
		}
	}
	return byID(ids, rows, func(v *sc.Verdict) int64 { return v.ID }), nil
}

const sanctionColumns = `s.id, s.buyer_id, s.verdict_id, s.kind, s.starts_at, s.ends_at, s.previous_status, s.revoked_at`

// SanctionsByBuyer implements secondchance.BatchService (admins), oldest first.
func (db *DB) SanctionsByBuyer(ctx context.Context, buyerIDs []int64) ([][]*sc.Sanction, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	var rows []*sc.Sanction
	err := db.SelectContext(ctx, &rows, `SELECT `+sanctionColumns+` FROM sanctions s WHERE s.buyer_id = ANY($1)
		ORDER BY s.starts_at, s.id`, pq.Array(buyerIDs))
	if err != nil {
		return nil, mapError(err)
	}
	return groupByID(buyerIDs, rows, func(s *sc.Sanction) int64 { return s.BuyerID }), nil
}

// DismissReport implements secondchance.BatchService. The report stays PENDING until the next
// batch, which dismisses it and records the reviewer's reason.
func (db *DB) DismissReport(ctx context.Context, reportID int64, reason string) (*sc.Report, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	var r sc.Report
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports r WHERE r.id = $1 FOR UPDATE`, reportID); err != nil {
			return notFound(err, "id", "no report with this ID")
		}
		if r.Status != sc.ReportPending {
			return sc.FieldErrorf("id", sc.EREPORTDECIDED, "the report is %s; only a PENDING report can be dismissed before its batch", r.Status)
		}
		_, err := tx.ExecContext(ctx, `WITH d AS (
				INSERT INTO report_dismissals (report_id, reason, token_id) VALUES ($1, $2, $3)
				ON CONFLICT (report_id) DO UPDATE SET reason = excluded.reason, token_id = excluded.token_id, created_at = now()
				RETURNING report_id)
			INSERT INTO report_events (report_id, status, note) SELECT report_id, 'PENDING', 'a reviewer dismissed it for the next batch: ' || $2 FROM d`,
			reportID, reason, tokenRef(a))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// PinVerdict implements secondchance.BatchService.
func (db *DB) PinVerdict(ctx context.Context, in sc.PinInput) error {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin)
	if err != nil {
		return err
	}
	buyerID := in.Buyer
	if !in.Verdict.Valid() {
		return sc.FieldErrorf("verdict", sc.EINVALID, "unknown verdict %q", in.Verdict)
	}
	if err := checkReason(in.Reason); err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `INSERT INTO verdict_pins (buyer_id, verdict, reason, token_id)
		SELECT id, $2, $3, $4 FROM buyers WHERE id = $1
		ON CONFLICT (buyer_id) WHERE consumed_by_batch IS NULL
		DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason, token_id = excluded.token_id, created_at = now()`,
		buyerID, in.Verdict, in.Reason, tokenRef(a))
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sc.FieldErrorf("buyer", sc.ENOTFOUND, "no buyer with this ID")
	}
	return nil
}

// ReverseVerdict implements secondchance.BatchService: the verdict is marked reversed, its
// sanction revoked, the buyer's status recomputed, every record it purged put back as it was,
// every exclusion it caused ended, its reports dismissed, and each affected seller told.
func (db *DB) ReverseVerdict(ctx context.Context, verdictID int64, reason string) (*sc.Verdict, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	now := db.Now()
	var v sc.Verdict
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &v, `SELECT `+verdictColumns+` FROM verdicts v WHERE v.id = $1 FOR UPDATE`, verdictID); err != nil {
			return notFound(err, "id", "no verdict with this ID")
		}
		if v.ReversedAt != nil {
			return sc.FieldErrorf("id", sc.EVERDICTREVERSED, "the verdict was already reversed on %s", v.ReversedAt.Format("2006-01-02"))
		}
		// The buyer row is locked first, so two appeals for one buyer recompute its status in turn.
		var status sc.BuyerStatus
		if err := tx.GetContext(ctx, &status, `SELECT status FROM buyers WHERE id = $1 FOR UPDATE`, v.BuyerID); err != nil {
			return err
		}
		var mine []*sc.Sanction
		var others []*sc.Sanction
		if err := tx.SelectContext(ctx, &mine, `SELECT `+sanctionColumns+` FROM sanctions s WHERE s.verdict_id = $1`, verdictID); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &others, `SELECT `+sanctionColumns+` FROM sanctions s
			WHERE s.buyer_id = $1 AND s.verdict_id <> $2 AND s.revoked_at IS NULL`, v.BuyerID, verdictID); err != nil {
			return err
		}
		steps := []struct {
			query string
			args  []any
		}{
			{`UPDATE verdicts SET reversed_at = $2, reversal_reason = $3, reversed_by_token_id = $4 WHERE id = $1`, []any{verdictID, now, reason, tokenRef(a)}},
			{`UPDATE sanctions SET revoked_at = $2 WHERE verdict_id = $1`, []any{verdictID, now}},
			// Records come back with their own keys. A record the platform has re-sent since
			// (same order, same number) is newer, so it stays.
			{`INSERT INTO feedback SELECT (jsonb_populate_record(NULL::feedback, record)).* FROM purged_records
				WHERE verdict_id = $1 AND kind = 'FEEDBACK' AND restored_at IS NULL ON CONFLICT DO NOTHING`, []any{verdictID}},
			{`INSERT INTO disputes OVERRIDING SYSTEM VALUE SELECT (jsonb_populate_record(NULL::disputes, record)).* FROM purged_records
				WHERE verdict_id = $1 AND kind = 'DISPUTE' AND restored_at IS NULL ON CONFLICT DO NOTHING`, []any{verdictID}},
			{`INSERT INTO return_claims OVERRIDING SYSTEM VALUE SELECT (jsonb_populate_record(NULL::return_claims, record)).* FROM purged_records
				WHERE verdict_id = $1 AND kind = 'RETURN_CLAIM' AND restored_at IS NULL ON CONFLICT DO NOTHING`, []any{verdictID}},
			{`UPDATE purged_records SET restored_at = $2 WHERE verdict_id = $1 AND restored_at IS NULL`, []any{verdictID, now}},
			// Reports and exclusions are found through the buyer, whose rows are indexed.
			{`UPDATE order_exclusions e SET restored_at = $2 FROM orders o
				WHERE o.buyer_id = $3 AND e.order_id = o.id AND e.verdict_id = $1 AND e.restored_at IS NULL`, []any{verdictID, now, v.BuyerID}},
			{`WITH d AS (UPDATE reports SET status = 'DISMISSED', updated_at = $2 WHERE buyer_id = $4 AND verdict_id = $1 AND status = 'UPHELD' RETURNING id)
				INSERT INTO report_events (report_id, status, at, note) SELECT id, 'DISMISSED', $2, 'the verdict was reversed on appeal: ' || $3 FROM d`,
				[]any{verdictID, now, reason, v.BuyerID}},
			{`INSERT INTO digests (batch_id, seller_id, kind, ref_id, message_id)
				SELECT DISTINCT $2::bigint, seller_id, 'APPEAL', $1::bigint, format('<appeal-%s-seller-%s@secondchance>', $1::bigint, seller_id)
				FROM reports WHERE buyer_id = $3 AND verdict_id = $1 ON CONFLICT DO NOTHING`, []any{verdictID, v.BatchID, v.BuyerID}},
		}
		for _, s := range steps {
			if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
				return err
			}
		}
		if err := markDirty(ctx, tx, `o.buyer_id = $1`, v.BuyerID); err != nil {
			return err
		}
		before := status
		if len(mine) > 0 {
			before = mine[0].PreviousStatus
		}
		if next := sc.StatusAfterReversal(before, others, now); next != status {
			if _, err := tx.ExecContext(ctx, `UPDATE buyers SET status = $2, status_changed_at = $3, updated_at = $3 WHERE id = $1`,
				v.BuyerID, next, now); err != nil {
				return err
			}
		}
		return tx.GetContext(ctx, &v, `SELECT `+verdictColumns+` FROM verdicts v WHERE v.id = $1`, verdictID)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// CurrentPolicy implements secondchance.BatchService.
func (db *DB) CurrentPolicy(ctx context.Context) (*sc.Policy, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	p, err := currentPolicy(ctx, db)
	return p, mapError(err)
}

// SetPolicy implements secondchance.BatchService: a new version, which the next batch applies.
func (db *DB) SetPolicy(ctx context.Context, p sc.Policy) (*sc.Policy, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	rules, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE policies IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		return tx.GetContext(ctx, &p.Version, `INSERT INTO policies (version, rules, created_by)
			SELECT coalesce(max(version), 0) + 1, $1, $2 FROM policies RETURNING version`, string(rules), tokenRef(a))
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ExcludeClosedBuyers implements secondchance.BatchService: the daily clean-up. It excludes the
// orders of every CLOSED buyer (also orders ingested after the closure, and buyers the platform
// closed itself), ends the exclusions of buyers the platform reopened, and lifts suspensions
// that have ended.
func (db *DB) ExcludeClosedBuyers(ctx context.Context) (int, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return 0, err
	}
	now := db.Now()
	var n int
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Each changed exclusion marks its order's indicator rollup for recomputing.
		err := tx.GetContext(ctx, &n, `WITH ins AS (
				INSERT INTO order_exclusions (order_id, seller_id, buyer_id, reason, verdict_id, batch_id, excluded_at)
				SELECT o.id, o.seller_id, o.buyer_id, 'ACCOUNT_CLOSED', c.verdict_id, c.batch_id, $1
				FROM buyers b
				JOIN orders o ON o.buyer_id = b.id
				LEFT JOIN LATERAL (SELECT s.verdict_id, v.batch_id FROM sanctions s JOIN verdicts v ON v.id = s.verdict_id
					WHERE s.buyer_id = b.id AND s.kind = 'ACCOUNT_CLOSED' AND s.revoked_at IS NULL
					ORDER BY s.starts_at DESC LIMIT 1) c ON true
				WHERE b.status = 'CLOSED'
				ON CONFLICT (order_id) WHERE restored_at IS NULL DO NOTHING
				RETURNING order_id),
			dirty AS (INSERT INTO seller_day_dirty (seller_id, day)
				SELECT DISTINCT o.seller_id, `+orderDay+` FROM ins JOIN orders o ON o.id = ins.order_id ON CONFLICT DO NOTHING)
			SELECT count(*) FROM ins`, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `WITH ended AS (
				UPDATE order_exclusions e SET restored_at = $1 FROM buyers b
				WHERE e.buyer_id = b.id AND e.restored_at IS NULL AND e.verdict_id IS NULL AND b.status <> 'CLOSED'
				RETURNING e.order_id)
			INSERT INTO seller_day_dirty (seller_id, day)
			SELECT DISTINCT o.seller_id, `+orderDay+` FROM ended JOIN orders o ON o.id = ended.order_id ON CONFLICT DO NOTHING`, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE buyers b SET status = 'WARNED', status_changed_at = $1, updated_at = $1
			WHERE b.status = 'SUSPENDED'
			  AND EXISTS (SELECT 1 FROM sanctions s WHERE s.buyer_id = b.id AND s.kind = 'SUSPENSION' AND s.revoked_at IS NULL)
			  AND NOT EXISTS (SELECT 1 FROM sanctions s WHERE s.buyer_id = b.id AND s.kind = 'SUSPENSION'
				AND s.revoked_at IS NULL AND s.ends_at > $1)`, now)
		return err
	})
	return n, err
}

// tokenRef is the token an admin acted with, or NULL for the platform itself (command line,
// scheduler).
func tokenRef(a *sc.Actor) *int64 {
	if a == nil || a.TokenID == 0 {
		return nil
	}
	return &a.TokenID
}

func checkReason(reason string) error {
	if r := strings.TrimSpace(reason); r == "" || len([]rune(r)) > 1000 {
		return sc.FieldErrorf("reason", sc.EINVALID, "a reason of 1 to 1,000 characters is required")
	}
	return nil
}
