package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	sc "github.com/secondchance/secondchance"
)

var _ sc.BatchService = (*DB)(nil)

const batchColumns = `b.id, b.week, b.cutoff, b.policy_version, b.started_at, b.completed_at, b.stats`

const verdictColumns = `v.id, v.batch_id, v.buyer_id, v.verdict, v.suspended_until, v.policy_version, v.facts,
	v.pinned_by_token_id, v.pin_reason, v.decided_at, v.reversed_at, v.reversal_reason, v.reversed_by_token_id`

// factsFetch is how many buyers' facts the batch reads and decides at a time: memory stays
// flat however many buyers a week has.
const factsFetch = 10000

// RunBatch implements secondchance.BatchService. The whole week runs in one transaction: a run
// that crashes at any point leaves nothing behind, and running the week again does all of it,
// ending in the same state an uninterrupted run would have (every effect is stamped with the
// week's cutoff, not the clock). A transaction-scoped advisory lock on the week makes a second
// run that starts meanwhile wait and then return the first one's batch. A dry run does the same
// work and rolls it back. The zero week is the week that last ended by db.Now.
func (db *DB) RunBatch(ctx context.Context, week sc.Week, opts sc.RunOptions) (*sc.BatchRun, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	started := db.Now()
	if week == (sc.Week{}) {
		week = sc.WeekOf(started).Previous()
	}
	cutoff, err := week.Cutoff(started)
	if err != nil {
		return nil, err
	}
	p := opts.Progress
	if p == nil {
		p = noProgress{}
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, mapError(err)
	}
	defer tx.Rollback()
	// Room for the sorts and hash joins over a week's reports, for this transaction only.
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, mapError(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(74210002, hashtext($1))`, week.String()); err != nil {
		return nil, mapError(err)
	}
	var existing sc.Batch
	err = tx.GetContext(ctx, &existing, `SELECT `+batchColumns+` FROM batches b WHERE b.week = $1`, week.String())
	if err == nil {
		return &sc.BatchRun{Batch: &existing, Existing: true, DryRun: opts.DryRun}, nil
	}
	if sc.ErrorCode(mapError(err)) != sc.ENOTFOUND {
		return nil, mapError(err)
	}
	policy, err := currentPolicy(ctx, tx)
	if err != nil {
		return nil, mapError(err)
	}
	r := &batchRunner{tx: tx, policy: *policy, at: cutoff, progress: p, actor: a, dryRun: opts.DryRun}
	r.batch = sc.Batch{Week: week.String(), Cutoff: cutoff, PolicyVersion: policy.Version, StartedAt: started}
	if err := r.run(ctx); err != nil {
		return nil, mapError(err)
	}
	r.batch.CompletedAt = db.Now()
	r.batch.Stats.Steps = r.steps
	if _, err := tx.ExecContext(ctx, `UPDATE batches SET stats = $2, completed_at = $3 WHERE id = $1`,
		r.batch.ID, r.batch.Stats, r.batch.CompletedAt); err != nil {
		return nil, mapError(err)
	}
	run := &sc.BatchRun{Batch: &r.batch, DryRun: opts.DryRun}
	if opts.DryRun {
		if err := tx.SelectContext(ctx, &run.Verdicts, `SELECT `+verdictColumns+` FROM verdicts v
			WHERE v.batch_id = $1 ORDER BY v.buyer_id LIMIT $2`, r.batch.ID, sc.MaxDryRunVerdicts); err != nil {
			return nil, mapError(err)
		}
		// The stand-in row's ID names nothing once rolled back: a dry run's batch has none.
		r.batch.ID = 0
		for _, v := range run.Verdicts {
			v.BatchID = 0
		}
		return run, nil // the deferred rollback writes nothing
	}
	if db.AfterBatch != nil {
		if err := db.AfterBatch(ctx, tx.Tx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, mapError(err)
	}
	return run, nil
}

// batchRunner is one run of the batch inside its transaction.
type batchRunner struct {
	tx       *sqlx.Tx
	policy   sc.Policy
	at       time.Time // the effective time of every effect: the week's cutoff
	progress sc.Progress
	actor    *sc.Actor
	batch    sc.Batch
	steps    []sc.StepTiming
	dryRun   bool
}

func (r *batchRunner) run(ctx context.Context) error {
	// The verdicts, purges and digests refer to their batch's row, so a dry run needs one too;
	// but a sequence is not rolled back, and a dry run that drew the next ID would make the
	// week's real batch skip a number. So a dry run's row takes an ID no real batch can have,
	// negative and unique among the transactions running at once: minus its backend's PID.
	id := `DEFAULT`
	if r.dryRun {
		id = `-pg_backend_pid()`
	}
	err := r.tx.GetContext(ctx, &r.batch.ID, `INSERT INTO batches (id, week, cutoff, policy_version, started_at, completed_at, stats)
		VALUES (`+id+`, $1, $2, $3, $4, $4, '{}') RETURNING id`, r.batch.Week, r.batch.Cutoff, r.batch.PolicyVersion, r.batch.StartedAt)
	if err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"collect reports", r.collect},
		{"decide verdicts", r.decide},
		{"report outcomes", r.outcomes},
		{"sanctions", r.sanction},
		{"purge", r.purge},
		{"exclusions", r.exclude},
		{"digests", r.digests},
	} {
		start := time.Now()
		r.progress.Begin(s.name, 0)
		err := s.fn(ctx)
		r.progress.End()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.steps = append(r.steps, sc.StepTiming{Step: s.name, Millis: float64(time.Since(start).Microseconds()) / 1000})
	}
	return nil
}

func (r *batchRunner) exec(ctx context.Context, query string, args ...any) (int, error) {
	res, err := r.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// collect takes every PENDING report created before the cutoff into a working table. The
// reports themselves are written once, in outcomes: the batch runs in one transaction, so the
// IN_BATCH status would never be seen by anyone, and writing a million reports twice is what
// made the first version of the batch four times too slow.
func (r *batchRunner) collect(ctx context.Context) error {
	n, err := r.exec(ctx, `CREATE TEMP TABLE batch_reports ON COMMIT DROP AS
		SELECT r.id, r.seller_id, r.buyer_id, r.order_id, r.reason, jsonb_array_length(r.evidence) > 0 AS evidenced,
			d.report_id IS NOT NULL AS dismissed, d.reason AS dismissal
		FROM reports r LEFT JOIN report_dismissals d ON d.report_id = r.id
		WHERE r.status = 'PENDING' AND r.created_at < $1`, r.batch.Cutoff)
	if err != nil {
		return err
	}
	r.batch.Stats.Reports = n
	_, err = r.tx.ExecContext(ctx, `ANALYZE batch_reports`)
	return err
}

// decide streams each buyer's facts through the policy and stores one verdict per buyer.
func (r *batchRunner) decide(ctx context.Context) error {
	lookback := r.at.AddDate(0, 0, -r.policy.LookbackDays)
	if _, err := r.tx.ExecContext(ctx, `CREATE TEMP TABLE batch_verdicts (buyer_id bigint, verdict text,
		suspended_until timestamptz, facts jsonb, pinned_by bigint, pin_reason text) ON COMMIT DROP`); err != nil {
		return err
	}
	if _, err := r.tx.ExecContext(ctx, `DECLARE buyer_facts NO SCROLL CURSOR FOR
		SELECT r.buyer_id,
			count(*) FILTER (WHERE NOT r.dismissed) AS reports,
			count(DISTINCT r.seller_id) FILTER (WHERE NOT r.dismissed) AS sellers,
			coalesce(bool_or(NOT r.dismissed AND r.reason = 'FEEDBACK_EXTORTION' AND r.evidenced), false) AS extortion,
			EXISTS (SELECT 1 FROM sanctions s WHERE s.buyer_id = r.buyer_id AND s.revoked_at IS NULL
				AND s.kind = 'WARNING' AND s.starts_at >= $1 AND s.starts_at < $2) AS warned,
			EXISTS (SELECT 1 FROM sanctions s WHERE s.buyer_id = r.buyer_id AND s.revoked_at IS NULL
				AND s.kind IN ('SUSPENSION', 'ACCOUNT_CLOSED') AND s.starts_at >= $1 AND s.starts_at < $2) AS suspended,
			pin.verdict AS pinned, pin.token_id AS pinned_by, coalesce(pin.reason, '') AS pin_reason
		FROM batch_reports r
		LEFT JOIN verdict_pins pin ON pin.buyer_id = r.buyer_id AND pin.consumed_by_batch IS NULL
		GROUP BY r.buyer_id, pin.verdict, pin.token_id, pin.reason
		ORDER BY r.buyer_id`, lookback, r.at); err != nil {
		return err
	}
	type factRow struct {
		BuyerID   int64           `db:"buyer_id"`
		Reports   int             `db:"reports"`
		Sellers   int             `db:"sellers"`
		Extortion bool            `db:"extortion"`
		Warned    bool            `db:"warned"`
		Suspended bool            `db:"suspended"`
		Pinned    *sc.VerdictKind `db:"pinned"`
		PinnedBy  *int64          `db:"pinned_by"`
		PinReason string          `db:"pin_reason"`
	}
	for {
		var rows []factRow
		if err := r.tx.SelectContext(ctx, &rows, fmt.Sprintf(`FETCH %d FROM buyer_facts`, factsFetch)); err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		err := copyRows(ctx, r.tx, "batch_verdicts", "buyer_id, verdict, suspended_until, facts, pinned_by, pin_reason", func(emit func(...any) error) error {
			for _, f := range rows {
				facts := sc.BuyerFacts{BuyerID: f.BuyerID, Reports: f.Reports, DistinctSellers: f.Sellers, EvidencedExtortion: f.Extortion,
					WarnedWithinLookback: f.Warned, SuspendedWithinLookbk: f.Suspended, Pinned: f.Pinned}
				v := r.policy.Decide(facts)
				var until any
				if v == sc.VerdictSuspension {
					until = r.policy.SuspensionEnds(r.at)
				}
				js, err := json.Marshal(facts)
				if err != nil {
					return err
				}
				if err := emit(f.BuyerID, string(v), until, string(js), f.PinnedBy, f.PinReason); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.progress.Add(int64(len(rows)))
	}
	if _, err := r.tx.ExecContext(ctx, `CLOSE buyer_facts`); err != nil {
		return err
	}
	n, err := r.exec(ctx, `INSERT INTO verdicts (batch_id, buyer_id, verdict, suspended_until, policy_version, facts,
			pinned_by_token_id, pin_reason, decided_at)
		SELECT $1, buyer_id, verdict, suspended_until, $2, facts, pinned_by, pin_reason, $3 FROM batch_verdicts`,
		r.batch.ID, r.policy.Version, r.at)
	if err != nil {
		return err
	}
	r.batch.Stats.Buyers = n
	// The statistics must know the week's verdicts: planned as the handful they were before,
	// the joins below run as nested loops of random reads (22 s instead of 3 for exclusions).
	if _, err := r.tx.ExecContext(ctx, `ANALYZE verdicts`); err != nil {
		return err
	}
	if _, err := r.exec(ctx, `UPDATE verdict_pins p SET consumed_by_batch = $1 FROM verdicts v
		WHERE v.batch_id = $1 AND v.buyer_id = p.buyer_id AND p.consumed_by_batch IS NULL`, r.batch.ID); err != nil {
		return err
	}
	return r.tx.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE verdict = 'NO_ACTION'), count(*) FILTER (WHERE verdict = 'WARNING'),
			count(*) FILTER (WHERE verdict = 'SUSPENSION'), count(*) FILTER (WHERE verdict = 'ACCOUNT_CLOSED')
		FROM verdicts WHERE batch_id = $1`, r.batch.ID).
		Scan(&r.batch.Stats.NoAction, &r.batch.Stats.Warnings, &r.batch.Stats.Suspensions, &r.batch.Stats.Closures)
}

// outcomes writes each report once: taken by this batch, and dismissed (by a reviewer or by a
// NO_ACTION verdict) or upheld; the report's timeline tells it from these columns. A report a
// seller withdrew since collect is no longer PENDING; the batch then stops, and the week runs
// again.
func (r *batchRunner) outcomes(ctx context.Context) error {
	n, err := r.exec(ctx, `UPDATE reports r SET
			status = CASE WHEN b.dismissed OR v.verdict = 'NO_ACTION' THEN 'DISMISSED' ELSE 'UPHELD' END,
			batch_id = $1, verdict_id = v.id, decided_at = $2, updated_at = $2
		FROM batch_reports b JOIN verdicts v ON v.batch_id = $1 AND v.buyer_id = b.buyer_id
		WHERE r.id = b.id AND r.status = 'PENDING'`, r.batch.ID, r.at)
	if err != nil {
		return err
	}
	if n != r.batch.Stats.Reports {
		return sc.Errorf(sc.ECONFLICT, "%d of the week's reports changed while the batch ran (withdrawn by their sellers); run the week again", r.batch.Stats.Reports-n)
	}
	return r.tx.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE NOT b.dismissed AND v.verdict <> 'NO_ACTION'),
			count(*) FILTER (WHERE b.dismissed OR v.verdict = 'NO_ACTION')
		FROM batch_reports b JOIN verdicts v ON v.batch_id = $1 AND v.buyer_id = b.buyer_id`, r.batch.ID).
		Scan(&r.batch.Stats.Upheld, &r.batch.Stats.Dismissed)
}

// sanction records each verdict's sanction and moves the buyer's status, never to a milder one.
func (r *batchRunner) sanction(ctx context.Context) error {
	if _, err := r.exec(ctx, `INSERT INTO sanctions (buyer_id, verdict_id, kind, starts_at, ends_at, previous_status)
		SELECT v.buyer_id, v.id, v.verdict, $2, v.suspended_until, b.status
		FROM verdicts v JOIN buyers b ON b.id = v.buyer_id
		WHERE v.batch_id = $1 AND v.verdict <> 'NO_ACTION'`, r.batch.ID, r.at); err != nil {
		return err
	}
	_, err := r.exec(ctx, `UPDATE buyers b SET status = x.status, status_changed_at = $2, updated_at = $2
		FROM (SELECT v.buyer_id, CASE v.verdict WHEN 'WARNING' THEN 'WARNED' WHEN 'SUSPENSION' THEN 'SUSPENDED' ELSE 'CLOSED' END AS status
		      FROM verdicts v WHERE v.batch_id = $1 AND v.verdict <> 'NO_ACTION') AS x
		WHERE b.id = x.buyer_id
		  AND array_position(ARRAY['ACTIVE', 'WARNED', 'SUSPENDED', 'CLOSED'], x.status)
		    > array_position(ARRAY['ACTIVE', 'WARNED', 'SUSPENDED', 'CLOSED'], b.status)`, r.batch.ID, r.at)
	return err
}

// upheldOrders is, per order of an upheld report, the first such report: the purge's reason.
const upheldOrders = `SELECT DISTINCT ON (b.order_id) b.order_id, b.id AS report_id, v.id AS verdict_id
	FROM batch_reports b JOIN verdicts v ON v.batch_id = $1 AND v.buyer_id = b.buyer_id
	WHERE NOT b.dismissed AND v.verdict <> 'NO_ACTION' ORDER BY b.order_id, b.id`

// purge moves the bad data of every upheld report's order out of the live tables into the
// purge ledger, whole, so an appeal can put it back exactly.
func (r *batchRunner) purge(ctx context.Context) error {
	for _, t := range []struct {
		table, kind string
		count       *int
	}{
		{"feedback", "FEEDBACK", &r.batch.Stats.PurgedFeedback},
		{"disputes", "DISPUTE", &r.batch.Stats.PurgedDisputes},
		{"return_claims", "RETURN_CLAIM", &r.batch.Stats.PurgedReturnClaims},
	} {
		n, err := r.exec(ctx, `WITH u AS (`+upheldOrders+`),
			moved AS (DELETE FROM `+t.table+` e USING u WHERE e.order_id = u.order_id RETURNING e.*, u.report_id AS purge_report, u.verdict_id AS purge_verdict)
			INSERT INTO purged_records (kind, order_id, report_id, verdict_id, batch_id, record, purged_at)
			SELECT $2, order_id, purge_report, purge_verdict, $1, to_jsonb(moved) - 'purge_report' - 'purge_verdict', $3 FROM moved`,
			r.batch.ID, t.kind, r.at)
		if err != nil {
			return err
		}
		*t.count = n
	}
	return nil
}

// exclude takes every order of every buyer this batch closed out of seller indicators.
func (r *batchRunner) exclude(ctx context.Context) error {
	n, err := r.exec(ctx, `INSERT INTO order_exclusions (order_id, seller_id, buyer_id, reason, verdict_id, batch_id, excluded_at)
		SELECT o.id, o.seller_id, o.buyer_id, 'ACCOUNT_CLOSED', v.id, $1, $2
		FROM verdicts v JOIN orders o ON o.buyer_id = v.buyer_id
		WHERE v.batch_id = $1 AND v.verdict = 'ACCOUNT_CLOSED'
		ON CONFLICT (order_id) WHERE restored_at IS NULL DO NOTHING`, r.batch.ID, r.at)
	r.batch.Stats.ExcludedOrders = n
	return err
}

// digests queues one digest email per seller with reports in the batch. The digests table is
// the outbox: the mailer job sends what it holds, and marks each sent.
func (r *batchRunner) digests(ctx context.Context) error {
	n, err := r.exec(ctx, `INSERT INTO digests (batch_id, seller_id, kind, ref_id, message_id)
		SELECT DISTINCT $1::bigint, seller_id, 'BATCH', 0, format('<batch-%s-seller-%s@secondchance>', $1::bigint, seller_id)
		FROM batch_reports`, r.batch.ID)
	r.batch.Stats.Digests = n
	return err
}

func currentPolicy(ctx context.Context, q queryer) (*sc.Policy, error) {
	var row struct {
		Version int    `db:"version"`
		Rules   []byte `db:"rules"`
	}
	if err := q.GetContext(ctx, &row, `SELECT version, rules FROM policies ORDER BY version DESC LIMIT 1`); err != nil {
		return nil, err
	}
	var p sc.Policy
	if err := json.Unmarshal(row.Rules, &p); err != nil {
		return nil, err
	}
	p.Version = row.Version
	return &p, nil
}
