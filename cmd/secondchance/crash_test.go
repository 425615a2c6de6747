package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// crashWorld builds the same marketplace and reports in any database: four sellers, eight
// buyers with every mix of verdicts, reports backdated into last week.
func crashWorld(t *testing.T) (*db.DB, string) {
	t.Helper()
	d, u := dbtest.NewWithURL(t)
	ctx := sc.NewSystemContext(context.Background())
	placed := time.Now().UTC().Add(-30 * 24 * time.Hour).Truncate(time.Hour)
	var b sc.MarketplaceBatch
	for s := 1; s <= 4; s++ {
		b.Sellers = append(b.Sellers, sc.SellerInput{Number: fmt.Sprintf("S%d", s), Name: fmt.Sprintf("Seller %d", s), Email: ptr(fmt.Sprintf("s%d@example.com", s))})
	}
	for u := 1; u <= 8; u++ {
		b.Buyers = append(b.Buyers, sc.BuyerInput{Number: fmt.Sprintf("B%d", u), Handle: fmt.Sprintf("buyer%d", u)})
	}
	for s := 1; s <= 4; s++ {
		for u := 1; u <= 8; u++ {
			n := fmt.Sprintf("O-%d-%d", s, u)
			b.Orders = append(b.Orders, sc.OrderInput{Number: n, SellerNumber: fmt.Sprintf("S%d", s), BuyerNumber: fmt.Sprintf("B%d", u),
				PlacedAt: placed, Total: sc.MoneyInput{Amount: "12.34", Currency: "USD"},
				Feedback:     &sc.FeedbackInput{Rating: 1 + u%5, LeftAt: placed.Add(time.Hour)},
				Disputes:     []sc.DisputeInput{{Number: "D" + n, Reason: sc.DisputeOther, OpenedAt: placed.Add(2 * time.Hour)}},
				ReturnClaims: []sc.ReturnClaimInput{{Number: "R" + n, Reason: "broken", RequestedAt: placed.Add(3 * time.Hour)}}})
		}
	}
	_, err := d.Ingest(ctx, b)
	require.NoError(t, err)
	// Buyer u is reported by the first u%4+1 sellers: warnings, suspensions and closures.
	for u := 1; u <= 8; u++ {
		for s := 1; s <= u%4+1; s++ {
			var sellerID int64
			require.NoError(t, d.Get(&sellerID, `SELECT id FROM sellers WHERE number = $1`, fmt.Sprintf("S%d", s)))
			_, _, err := d.ReportBuyer(sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID}),
				sc.ReportInput{OrderNumber: fmt.Sprintf("O-%d-%d", s, u), Reason: sc.ReasonOther, Description: "abuse"})
			require.NoError(t, err)
		}
	}
	_, err = d.Exec(`UPDATE reports SET created_at = created_at - interval '7 days'`)
	require.NoError(t, err)
	_, err = d.Exec(`UPDATE report_events SET at = at - interval '7 days'`)
	require.NoError(t, err)
	return d, u
}

// stateDigest is everything a batch writes, by natural keys: identities a crashed run used up
// and the batch's own start and end times differ, nothing else may.
const stateDigest = `SELECT md5(concat_ws('#',
	(SELECT string_agg(concat_ws('|', r.id, r.status, b.week, v.verdict, r.decided_at), ',' ORDER BY r.id)
	   FROM reports r LEFT JOIN batches b ON b.id = r.batch_id LEFT JOIN verdicts v ON v.id = r.verdict_id),
	(SELECT string_agg(concat_ws('|', report_id, status, at, note), ',' ORDER BY report_id, at, status) FROM report_events),
	(SELECT string_agg(concat_ws('|', bu.number, b.week, v.verdict, v.suspended_until, v.policy_version, v.facts, v.decided_at), ',' ORDER BY bu.number)
	   FROM verdicts v JOIN buyers bu ON bu.id = v.buyer_id JOIN batches b ON b.id = v.batch_id),
	(SELECT string_agg(concat_ws('|', bu.number, s.kind, s.starts_at, s.ends_at, s.previous_status), ',' ORDER BY bu.number)
	   FROM sanctions s JOIN buyers bu ON bu.id = s.buyer_id),
	(SELECT string_agg(concat_ws('|', number, status, status_changed_at), ',' ORDER BY number) FROM buyers),
	(SELECT string_agg(concat_ws('|', kind, order_id, report_id, record, purged_at), ',' ORDER BY kind, order_id) FROM purged_records),
	(SELECT string_agg(concat_ws('|', order_id, reason, excluded_at), ',' ORDER BY order_id) FROM order_exclusions),
	(SELECT string_agg(concat_ws('|', b.week, g.seller_id, g.kind, g.sent_at), ',' ORDER BY g.seller_id) FROM digests g JOIN batches b ON b.id = g.batch_id),
	(SELECT string_agg(concat_ws('|', week, cutoff, policy_version, stats - 'steps'), ',') FROM batches),
	(SELECT count(*) FROM feedback), (SELECT count(*) FROM disputes), (SELECT count(*) FROM return_claims)))`

// TestHelperBatchProcess is not a test: it is the batch process the crash test starts and
// kills. It runs last week's batch and, at the step named by SECONDCHANCE_PAUSE_AT, says so
// and waits to be killed.
func TestHelperBatchProcess(t *testing.T) {
	pause := os.Getenv("SECONDCHANCE_PAUSE_AT")
	if pause == "" {
		t.Skip("started by TestBatchResumesAfterKill")
	}
	d, err := db.Open(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	_, err = d.RunBatch(sc.NewSystemContext(context.Background()), sc.WeekOf(time.Now()).Previous(), sc.RunOptions{Progress: pauseAt(pause)})
	fmt.Println("finished without being killed:", err)
	os.Exit(4)
}

type pauseAt string

func (p pauseAt) Begin(stage string, _ int64) { p.wait(stage) }
func (p pauseAt) Add(int64)                   {}
func (p pauseAt) End()                        {}

func (p pauseAt) wait(stage string) {
	if string(p) == stage {
		fmt.Println("paused at", stage)
		time.Sleep(time.Hour)
	}
}

// TestBatchResumesAfterKill kills a batch process (SIGKILL) in each of its steps, runs the
// week again, and compares everything with a run that was never interrupted.
func TestBatchResumesAfterKill(t *testing.T) {
	t.Parallel()
	ctx := sc.NewSystemContext(context.Background())
	week := sc.WeekOf(time.Now()).Previous()
	world, worldURL := crashWorld(t)
	ref, _ := dbtest.Clone(t, world, worldURL)
	_, err := ref.RunBatch(ctx, week, sc.RunOptions{})
	require.NoError(t, err)
	var want string
	require.NoError(t, ref.Get(&want, stateDigest))

	for _, stage := range []string{"collect reports", "decide verdicts", "report outcomes", "sanctions", "purge", "exclusions", "digests"} {
		t.Run(strings.ReplaceAll(stage, " ", "_"), func(t *testing.T) {
			d, u := dbtest.Clone(t, world, worldURL)
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBatchProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "DATABASE_URL="+u, "SECONDCHANCE_PAUSE_AT="+stage)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "paused at "+stage+"\n", line)
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			require.Error(t, cmd.Wait())

			// The killed run left nothing behind, and the week runs again as if for the first time.
			var batches int
			require.NoError(t, d.Get(&batches, `SELECT count(*) FROM batches`))
			require.Zero(t, batches)
			run, err := d.RunBatch(ctx, week, sc.RunOptions{})
			require.NoError(t, err)
			require.False(t, run.Existing)
			var got string
			require.NoError(t, d.Get(&got, stateDigest))
			require.Equal(t, want, got)
		})
	}
}
