package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// batchWorld: sellers S1..S4, buyers B1..B6; every seller has one order with every buyer
// (O-<seller>-<buyer>), each with feedback, a dispute and a return claim.
func batchWorld(t *testing.T) *db.DB {
	t.Helper()
	d := dbtest.New(t)
	placed := time.Now().UTC().Add(-20 * 24 * time.Hour).Truncate(time.Second)
	var b sc.MarketplaceBatch
	for s := 1; s <= 4; s++ {
		b.Sellers = append(b.Sellers, sc.SellerInput{Number: fmt.Sprintf("S%d", s), Name: fmt.Sprintf("Seller %d", s)})
	}
	for u := 1; u <= 6; u++ {
		b.Buyers = append(b.Buyers, sc.BuyerInput{Number: fmt.Sprintf("B%d", u), Handle: fmt.Sprintf("buyer%d", u)})
	}
	for s := 1; s <= 4; s++ {
		for u := 1; u <= 6; u++ {
			n := fmt.Sprintf("O-%d-%d", s, u)
			b.Orders = append(b.Orders, sc.OrderInput{Number: n, SellerNumber: fmt.Sprintf("S%d", s), BuyerNumber: fmt.Sprintf("B%d", u),
				PlacedAt: placed, Total: sc.MoneyInput{Amount: "20.00", Currency: "USD"},
				Feedback:     &sc.FeedbackInput{Rating: 1, Comment: ptr("awful"), LeftAt: placed.Add(time.Hour)},
				Disputes:     []sc.DisputeInput{{Number: "D" + n, Reason: sc.DisputeNotReceived, OpenedAt: placed.Add(2 * time.Hour)}},
				ReturnClaims: []sc.ReturnClaimInput{{Number: "R" + n, Reason: "changed mind", RequestedAt: placed.Add(3 * time.Hour)}}})
		}
	}
	_, err := d.Ingest(admin(), b)
	require.NoError(t, err)
	return d
}

func sellerCtx(t *testing.T, d *db.DB, number string) context.Context {
	var id int64
	require.NoError(t, d.Get(&id, `SELECT id FROM sellers WHERE number = $1`, number))
	return sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: id})
}

func report(t *testing.T, d *db.DB, seller, buyer int, reason sc.ReportReason, evidence ...sc.Evidence) *sc.Report {
	t.Helper()
	r, _, err := d.ReportBuyer(sellerCtx(t, d, fmt.Sprintf("S%d", seller)), sc.ReportInput{
		OrderNumber: fmt.Sprintf("O-%d-%d", seller, buyer), Reason: reason, Description: "abuse", Evidence: evidence})
	require.NoError(t, err)
	return r
}

func buyerStatus(t *testing.T, d *db.DB, buyer int) sc.BuyerStatus {
	var s sc.BuyerStatus
	require.NoError(t, d.Get(&s, `SELECT status FROM buyers WHERE number = $1`, fmt.Sprintf("B%d", buyer)))
	return s
}

func verdictOf(t *testing.T, d *db.DB, batch int64, buyer int) sc.VerdictKind {
	var v sc.VerdictKind
	require.NoError(t, d.Get(&v, `SELECT v.verdict FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE v.batch_id = $1 AND b.number = $2`,
		batch, fmt.Sprintf("B%d", buyer)))
	return v
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	var n int
	require.NoError(t, d.Get(&n, q, args...))
	return n
}

// liveEvents digests the live feedback, disputes and return claims, keys included.
const liveEvents = `SELECT md5(
	coalesce((SELECT string_agg(concat_ws('|', order_id, rating, comment, left_at), ',' ORDER BY order_id) FROM feedback), '') ||
	coalesce((SELECT string_agg(concat_ws('|', id, number, order_id, reason, opened_at, closed_at), ',' ORDER BY id) FROM disputes), '') ||
	coalesce((SELECT string_agg(concat_ws('|', id, number, order_id, reason, requested_at), ',' ORDER BY id) FROM return_claims), ''))`

func TestWeeklyBatch(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	week := sc.WeekOf(time.Now())
	report(t, d, 1, 1, sc.ReasonFalseNotReceivedClaim) // B1: one seller → WARNING
	report(t, d, 1, 2, sc.ReasonSerialReturns)         // B2: two sellers → SUSPENSION
	report(t, d, 2, 2, sc.ReasonSerialReturns)         //
	for s := 1; s <= 3; s++ {                          // B3: three sellers → ACCOUNT_CLOSED
		report(t, d, s, 3, sc.ReasonChargebackAbuse)
	}
	report(t, d, 1, 4, sc.ReasonFeedbackExtortion, sc.Evidence{Kind: sc.EvidenceMessageExcerpt, Value: "5 stars for a refund"}) // B4 → SUSPENSION
	dismissed := report(t, d, 1, 5, sc.ReasonOther)                                                                             // B5: dismissed by a reviewer → NO_ACTION
	_, err := d.DismissReport(admin(), dismissed.ID, "the seller's own mistake")
	require.NoError(t, err)
	for s := 1; s <= 3; s++ { // B6: three sellers, but pinned to a WARNING
		report(t, d, s, 6, sc.ReasonOther)
	}
	var b6 int64
	require.NoError(t, d.Get(&b6, `SELECT id FROM buyers WHERE number = 'B6'`))
	require.NoError(t, d.PinVerdict(admin(), sc.PinInput{Buyer: b6, Verdict: sc.VerdictWarning, Reason: "first offence, known account"}))
	before := count(t, d, `SELECT count(*) FROM feedback`)

	// A dry run says what would happen and writes nothing.
	dry, err := d.RunBatch(admin(), week, sc.RunOptions{DryRun: true})
	require.NoError(t, err)
	require.True(t, dry.DryRun)
	require.Zero(t, dry.Batch.ID, "a dry run's batch has no ID")
	require.Zero(t, dry.Verdicts[0].BatchID)
	require.Equal(t, 11, dry.Batch.Stats.Reports)
	require.Equal(t, sc.BatchStats{Reports: 11, Upheld: 10, Dismissed: 1, Buyers: 6, NoAction: 1, Warnings: 2, Suspensions: 2, Closures: 1,
		PurgedFeedback: 10, PurgedDisputes: 10, PurgedReturnClaims: 10, ExcludedOrders: 4, Digests: 3, Steps: dry.Batch.Stats.Steps}, dry.Batch.Stats)
	require.Len(t, dry.Verdicts, 6)
	require.Zero(t, count(t, d, `SELECT count(*) FROM batches`))
	require.Equal(t, 11, count(t, d, `SELECT count(*) FROM reports WHERE status = 'PENDING'`))
	require.Equal(t, before, count(t, d, `SELECT count(*) FROM feedback`))

	run, err := d.RunBatch(admin(), week, sc.RunOptions{})
	require.NoError(t, err)
	require.False(t, run.Existing)
	require.Equal(t, dry.Batch.Stats.Closures, run.Batch.Stats.Closures)
	id := run.Batch.ID
	require.EqualValues(t, 1, id, "the dry run drew no batch number")
	for buyer, want := range map[int]sc.VerdictKind{1: sc.VerdictWarning, 2: sc.VerdictSuspension, 3: sc.VerdictAccountClosed,
		4: sc.VerdictSuspension, 5: sc.VerdictNoAction, 6: sc.VerdictWarning} {
		require.Equal(t, want, verdictOf(t, d, id, buyer), "B%d", buyer)
		require.Equal(t, want.BuyerStatus(), buyerStatus(t, d, buyer), "B%d", buyer)
	}
	require.Equal(t, "DISMISSED", func() string {
		var s string
		require.NoError(t, d.Get(&s, `SELECT status FROM reports WHERE id = $1`, dismissed.ID))
		return s
	}())
	// Who decided: the pin and the policy version are on the verdict.
	var pinReason string
	var policy int
	require.NoError(t, d.QueryRow(`SELECT pin_reason, policy_version FROM verdicts WHERE batch_id = $1 AND buyer_id = $2`, id, b6).Scan(&pinReason, &policy))
	require.Equal(t, "first offence, known account", pinReason)
	require.Equal(t, 1, policy)
	// The suspension ends 30 days after the cutoff.
	var until time.Time
	require.NoError(t, d.Get(&until, `SELECT suspended_until FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE b.number = 'B2'`))
	require.WithinDuration(t, run.Batch.Cutoff.AddDate(0, 0, 30), until, time.Second)
	// Purge: the upheld orders' events left the live tables for the ledger; the dismissed one's stayed.
	require.Equal(t, before-10, count(t, d, `SELECT count(*) FROM feedback`))
	require.Equal(t, 30, count(t, d, `SELECT count(*) FROM purged_records WHERE batch_id = $1`, id))
	require.Equal(t, 1, count(t, d, `SELECT count(*) FROM feedback f JOIN orders o ON o.id = f.order_id WHERE o.number = 'O-1-5'`))
	// Exclusions: every order of the closed buyer, whoever sold it.
	require.Equal(t, 4, count(t, d, `SELECT count(*) FROM order_exclusions e JOIN buyers b ON b.id = e.buyer_id WHERE b.number = 'B3' AND e.restored_at IS NULL`))
	require.Equal(t, 3, count(t, d, `SELECT count(*) FROM digests WHERE batch_id = $1`, id))

	// The same week again is the same batch.
	again, err := d.RunBatch(admin(), week, sc.RunOptions{})
	require.NoError(t, err)
	require.True(t, again.Existing)
	require.Equal(t, id, again.Batch.ID)
	require.Equal(t, 1, count(t, d, `SELECT count(*) FROM batches`))

	// Re-sending a purged record does not bring it back.
	_, err = d.Ingest(admin(), sc.MarketplaceBatch{Orders: []sc.OrderInput{{Number: "O-1-1", SellerNumber: "S1", BuyerNumber: "B1",
		PlacedAt: time.Now().UTC().Add(-20 * 24 * time.Hour), Total: sc.MoneyInput{Amount: "20.00", Currency: "USD"},
		Feedback: &sc.FeedbackInput{Rating: 1, LeftAt: time.Now().Add(-time.Hour)},
		Disputes: []sc.DisputeInput{{Number: "DO-1-1", Reason: sc.DisputeNotReceived, OpenedAt: time.Now().Add(-time.Hour)}}}}})
	require.NoError(t, err)
	require.Zero(t, count(t, d, `SELECT count(*) FROM feedback f JOIN orders o ON o.id = f.order_id WHERE o.number = 'O-1-1'`))
	require.Zero(t, count(t, d, `SELECT count(*) FROM disputes WHERE number = 'DO-1-1'`))

	// Next week: earlier sanctions escalate.
	d.Now = func() time.Time { return time.Now().Add(7 * 24 * time.Hour) }
	report(t, d, 2, 1, sc.ReasonOther) // B1 was warned → SUSPENSION
	report(t, d, 3, 2, sc.ReasonOther) // B2 was suspended → ACCOUNT_CLOSED
	next, err := d.RunBatch(admin(), week.Next(), sc.RunOptions{})
	require.NoError(t, err)
	require.Equal(t, sc.VerdictSuspension, verdictOf(t, d, next.Batch.ID, 1))
	require.Equal(t, sc.VerdictAccountClosed, verdictOf(t, d, next.Batch.ID, 2))
	require.Equal(t, sc.BuyerClosed, buyerStatus(t, d, 2))
}

func TestAppealRestoresExactly(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	events := func() string {
		var s string
		require.NoError(t, d.Get(&s, liveEvents))
		return s
	}
	original := events()
	for s := 1; s <= 3; s++ {
		report(t, d, s, 3, sc.ReasonChargebackAbuse)
	}
	report(t, d, 4, 1, sc.ReasonOther) // another buyer, whose purge the appeal must leave alone
	run, err := d.RunBatch(admin(), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	require.Equal(t, sc.BuyerClosed, buyerStatus(t, d, 3))
	require.NotEqual(t, original, events())
	var verdictID int64
	require.NoError(t, d.Get(&verdictID, `SELECT v.id FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE v.batch_id = $1 AND b.number = 'B3'`, run.Batch.ID))

	v, err := d.ReverseVerdict(admin(), verdictID, "the seller's reports were coordinated")
	require.NoError(t, err)
	require.NotNil(t, v.ReversedAt)
	require.Equal(t, sc.BuyerActive, buyerStatus(t, d, 3))
	require.Equal(t, sc.BuyerWarned, buyerStatus(t, d, 1))
	require.Zero(t, count(t, d, `SELECT count(*) FROM order_exclusions WHERE restored_at IS NULL`))
	require.Equal(t, 4, count(t, d, `SELECT count(*) FROM order_exclusions WHERE restored_at IS NOT NULL`), "the ledger keeps what was excluded")
	require.Equal(t, 3, count(t, d, `SELECT count(*) FROM reports WHERE verdict_id = $1 AND status = 'DISMISSED'`, verdictID))
	require.Equal(t, 3, count(t, d, `SELECT count(*) FROM digests WHERE kind = 'APPEAL' AND ref_id = $1`, verdictID))
	// Every record B3's verdict purged is back, exactly; B1's stays purged.
	require.Equal(t, 3, count(t, d, `SELECT count(*) FROM purged_records WHERE restored_at IS NULL`))
	var restoredWithB1 string
	tx := d.MustBegin()
	_, err = tx.Exec(`INSERT INTO feedback SELECT (jsonb_populate_record(NULL::feedback, record)).* FROM purged_records WHERE restored_at IS NULL AND kind = 'FEEDBACK'`)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO disputes SELECT (jsonb_populate_record(NULL::disputes, record)).* FROM purged_records WHERE restored_at IS NULL AND kind = 'DISPUTE'`)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO return_claims SELECT (jsonb_populate_record(NULL::return_claims, record)).* FROM purged_records WHERE restored_at IS NULL AND kind = 'RETURN_CLAIM'`)
	require.NoError(t, err)
	require.NoError(t, tx.Get(&restoredWithB1, liveEvents))
	require.NoError(t, tx.Rollback())
	require.Equal(t, original, restoredWithB1, "live data plus B1's ledger is the original data, to the byte")

	_, err = d.ReverseVerdict(admin(), verdictID, "again")
	require.Equal(t, sc.EVERDICTREVERSED, sc.ErrorCode(err))
	_, err = d.ReverseVerdict(admin(), verdictID+1000, "x")
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
	_, err = d.ReverseVerdict(admin(), verdictID, " ")
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
}

func TestBatchBadInput(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	r := report(t, d, 1, 1, sc.ReasonOther)
	future := sc.WeekOf(time.Now().Add(8 * 24 * time.Hour))
	_, err := d.RunBatch(admin(), future, sc.RunOptions{})
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	require.Equal(t, "week", sc.AsErrors(err)[0].Field)
	seller := sellerCtx(t, d, "S1")
	_, err = d.RunBatch(seller, sc.WeekOf(time.Now()), sc.RunOptions{})
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	_, err = d.DismissReport(seller, r.ID, "x")
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	_, err = d.RunBatch(admin(), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	_, err = d.DismissReport(admin(), r.ID, "too late")
	require.Equal(t, sc.EREPORTDECIDED, sc.ErrorCode(err))
	require.Zero(t, count(t, d, `SELECT count(*) FROM report_dismissals`))
	require.Zero(t, count(t, d, `SELECT count(*) FROM batches WHERE week = $1`, future.String()))
}

func TestConcurrentRunsMakeOneBatch(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	for s := 1; s <= 4; s++ {
		report(t, d, s, 2, sc.ReasonOther)
	}
	week := sc.WeekOf(time.Now())
	results := make(chan *sc.BatchRun, 4)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			r, err := d.RunBatch(admin(), week, sc.RunOptions{})
			results <- r
			errs <- err
		}()
	}
	created := 0
	var ids []int64
	for i := 0; i < 4; i++ {
		require.NoError(t, <-errs)
		r := <-results
		if !r.Existing {
			created++
		}
		ids = append(ids, r.Batch.ID)
	}
	require.Equal(t, 1, created)
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	require.Equal(t, 1, count(t, d, `SELECT count(*) FROM sanctions`))
	require.Equal(t, 4, count(t, d, `SELECT count(*) FROM digests`))
}

func TestExcludeClosedBuyers(t *testing.T) {
	t.Parallel()
	d := batchWorld(t)
	// The platform closes B5 itself; orders ingested after a closure are excluded too.
	_, err := d.Ingest(admin(), sc.MarketplaceBatch{Buyers: []sc.BuyerInput{{Number: "B5", Handle: "buyer5", Status: ptr(sc.BuyerClosed)}}})
	require.NoError(t, err)
	n, err := d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	require.Equal(t, 4, n)
	n, err = d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	require.Zero(t, n, "idempotent")
	_, err = d.Ingest(admin(), sc.MarketplaceBatch{Orders: []sc.OrderInput{{Number: "late", SellerNumber: "S1", BuyerNumber: "B5",
		PlacedAt: time.Now().Add(-time.Hour), Total: sc.MoneyInput{Amount: "1", Currency: "USD"}}}})
	require.NoError(t, err)
	n, err = d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	// The platform reopens B5: its exclusions end, and stay in the ledger.
	_, err = d.Ingest(admin(), sc.MarketplaceBatch{Buyers: []sc.BuyerInput{{Number: "B5", Handle: "buyer5", Status: ptr(sc.BuyerActive)}}})
	require.NoError(t, err)
	_, err = d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	require.Zero(t, count(t, d, `SELECT count(*) FROM order_exclusions WHERE restored_at IS NULL`))
	require.Equal(t, 5, count(t, d, `SELECT count(*) FROM order_exclusions`))

	// A suspension lifts by itself once it ends.
	for s := 1; s <= 2; s++ {
		report(t, d, s, 2, sc.ReasonOther)
	}
	_, err = d.RunBatch(admin(), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	require.Equal(t, sc.BuyerSuspended, buyerStatus(t, d, 2))
	d.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	_, err = d.ExcludeClosedBuyers(admin())
	require.NoError(t, err)
	require.Equal(t, sc.BuyerWarned, buyerStatus(t, d, 2))
}
