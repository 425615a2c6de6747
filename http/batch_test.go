package http_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/http/apitest"
	"github.com/secondchance/secondchance/jobs"
)

const runBatchMutation = `mutation($input: RunWeeklyBatchInput!) { runWeeklyBatch(input: $input) {
	existing dryRun
	batch { id week stats { reports upheld dismissed buyers warnings suspensions closures purgedFeedback purgedDisputes excludedOrders digests } }
	preview { buyer { number } verdict suspendedUntil facts { reports distinctSellers } }
	userErrors { field code message } } }`

// batchFixture: seller A and seller B both report buyer B1 (two sellers: SUSPENSION); seller B
// reports buyer B2 (one seller: WARNING).
func batchFixture(t *testing.T) *testBundle {
	tb := setup(t)
	reportAs(t, tb, tb.SellerA, reportInput("S1-0", sc.ReasonFalseNotReceivedClaim))
	reportAs(t, tb, tb.SellerB, reportInput("S2-0", sc.ReasonFalseNotReceivedClaim))
	reportAs(t, tb, tb.SellerB, reportInput("S2-1", sc.ReasonSerialReturns))
	return tb
}

func TestRunWeeklyBatchOverHTTP(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	week := sc.WeekOf(time.Now()).String()

	res := tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": week, "dryRun": true}})
	require.Empty(t, res.Errors)
	p := get(res.Data, "runWeeklyBatch")
	require.Equal(t, true, get(p, "dryRun"))
	require.Equal(t, sc.GlobalID(sc.KindBatch, 0), get(p, "batch", "id"), "a dry run's batch is batch 0, which names no batch")
	require.Equal(t, map[string]any{"reports": 3.0, "upheld": 3.0, "dismissed": 0.0, "buyers": 2.0, "warnings": 1.0, "suspensions": 1.0,
		"closures": 0.0, "purgedFeedback": 3.0, "purgedDisputes": 3.0, "excludedOrders": 0.0, "digests": 2.0}, get(p, "batch", "stats"))
	require.Len(t, get(p, "preview").([]any), 2)
	require.Equal(t, "SUSPENSION", get(p, "preview", 0, "verdict"))
	require.Equal(t, "B1", get(p, "preview", 0, "buyer", "number"))
	require.Equal(t, 2.0, get(p, "preview", 0, "facts", "distinctSellers"))
	require.Equal(t, 3, func() int {
		var n int
		tb.DB.Get(&n, `SELECT count(*) FROM reports WHERE status = 'PENDING'`)
		return n
	}())

	res = tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": week}})
	require.Empty(t, res.Errors)
	require.Equal(t, false, get(res.Data, "runWeeklyBatch", "existing"))
	batchID := get(res.Data, "runWeeklyBatch", "batch", "id")
	require.Equal(t, sc.GlobalID(sc.KindBatch, 1), batchID, "the dry run used up no batch number")
	require.Empty(t, get(res.Data, "runWeeklyBatch", "preview"))
	res = tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": week}})
	require.Equal(t, true, get(res.Data, "runWeeklyBatch", "existing"))
	require.Equal(t, batchID, get(res.Data, "runWeeklyBatch", "batch", "id"))

	// Each seller sees its own reports' outcomes, the sanction and the batch.
	res = tb.Query(t, tb.SellerA, `{ reports { nodes { status outcome buyerVerdict decidedAt batch { id week } timeline { status note } } } }`, nil)
	require.Empty(t, res.Errors)
	n := get(res.Data, "reports", "nodes", 0)
	require.Equal(t, "UPHELD", get(n, "status"))
	require.Equal(t, "UPHELD", get(n, "outcome"))
	require.Equal(t, "SUSPENSION", get(n, "buyerVerdict"))
	require.Equal(t, week, get(n, "batch", "week"))
	require.Equal(t, "batch "+week+": upheld: suspension for the buyer", get(n, "timeline", 1, "note"))
	res = tb.Query(t, tb.SellerA, `query($id: ID!) { batch(id: $id) { week stats { reports } } }`, map[string]any{"id": batchID})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), "stats are for admins")

	// Admins: verdicts with their facts and policy, a buyer's sanction history.
	res = tb.Query(t, tb.Admin, `query($b: ID) { verdicts(filter: {batch: $b, verdict: SUSPENSION}) { totalCount nodes { id verdict policyVersion suspendedUntil
		facts { reports distinctSellers } buyer { number sanctions { kind endsAt previousStatus verdict { id } } } batch { week } } } }`, map[string]any{"b": batchID})
	require.Empty(t, res.Errors)
	require.EqualValues(t, 1, get(res.Data, "verdicts", "totalCount"))
	v := get(res.Data, "verdicts", "nodes", 0)
	require.Equal(t, 1.0, get(v, "policyVersion"))
	require.Equal(t, "B1", get(v, "buyer", "number"))
	require.Equal(t, "SUSPENSION", get(v, "buyer", "sanctions", 0, "kind"))
	require.Equal(t, "ACTIVE", get(v, "buyer", "sanctions", 0, "previousStatus"))
	verdictID := get(v, "id")

	// Appeal over HTTP.
	const reverse = `mutation($id: ID!, $r: String!) { reverseVerdict(input: {id: $id, reason: $r}) { verdict { reversedAt reversalReason } userErrors { field code } } }`
	res = tb.Query(t, tb.Admin, reverse, map[string]any{"id": verdictID, "r": "coordinated reports"})
	require.Empty(t, get(res.Data, "reverseVerdict", "userErrors"))
	require.Equal(t, "coordinated reports", get(res.Data, "reverseVerdict", "verdict", "reversalReason"))
	res = tb.Query(t, tb.Admin, `{ buyers(filter: {search: "B1"}) { nodes { status } } }`, nil)
	require.Equal(t, "ACTIVE", get(res.Data, "buyers", "nodes", 0, "status"))

	for _, tc := range []struct {
		name, token, query string
		vars               map[string]any
		path               []any
		field, code        string
	}{
		{"ErrMalformedWeek", tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": "last week"}}, []any{"runWeeklyBatch"}, "input.week", "INVALID"},
		{"ErrFutureWeek", tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": sc.WeekOf(time.Now().Add(8 * 24 * time.Hour)).String()}}, []any{"runWeeklyBatch"}, "input.week", "INVALID"},
		{"ErrReversedTwice", tb.Admin, reverse, map[string]any{"id": verdictID, "r": "again"}, []any{"reverseVerdict"}, "input.id", "VERDICT_ALREADY_REVERSED"},
		{"ErrReverseWithoutReason", tb.Admin, reverse, map[string]any{"id": verdictID, "r": ""}, []any{"reverseVerdict"}, "input.reason", "INVALID"},
		{"ErrDismissDecided", tb.Admin, `mutation($id: ID!) { dismissReport(input: {id: $id, reason: "no"}) { report { id } userErrors { field code } } }`,
			map[string]any{"id": sc.GlobalID(sc.KindReport, 1)}, []any{"dismissReport"}, "input.id", "REPORT_ALREADY_DECIDED"},
		{"ErrPinUnknownBuyer", tb.Admin, `mutation($b: ID!) { pinVerdict(input: {buyer: $b, verdict: WARNING, reason: "x"}) { pinned userErrors { field code } } }`,
			map[string]any{"b": sc.GlobalID(sc.KindBuyer, 99999)}, []any{"pinVerdict"}, "input.buyer", "NOT_FOUND"},
		{"ErrInvalidPolicy", tb.Admin, `mutation { setPolicy(input: {warningSellers: 1, suspensionSellers: 2, closureSellers: 1, suspendAfterWarning: true,
			closeAfterSuspension: true, suspendOnEvidencedExtortion: true, suspensionDays: 30, lookbackDays: 365}) { policy { version } userErrors { field code } } }`,
			nil, []any{"setPolicy"}, "input.closureSellers", "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before int
			require.NoError(t, tb.DB.Get(&before, `SELECT (SELECT count(*) FROM batches) + (SELECT count(*) FROM policies) + (SELECT count(*) FROM report_dismissals) + (SELECT count(*) FROM verdict_pins)`))
			res := tb.Query(t, tc.token, tc.query, tc.vars)
			require.Empty(t, res.Errors)
			ue := get(res.Data, append(tc.path, "userErrors", 0)...)
			require.Equal(t, tc.code, get(ue, "code"), "%v", res.Data)
			var field []string
			for _, f := range get(ue, "field").([]any) {
				field = append(field, f.(string))
			}
			require.Equal(t, tc.field, strings.Join(field, "."))
			var after int
			require.NoError(t, tb.DB.Get(&after, `SELECT (SELECT count(*) FROM batches) + (SELECT count(*) FROM policies) + (SELECT count(*) FROM report_dismissals) + (SELECT count(*) FROM verdict_pins)`))
			require.Equal(t, before, after, "nothing written")
		})
	}
	for _, q := range []string{runBatchMutation, `{ batches { totalCount } }`, `{ verdicts { totalCount } }`, `{ policy { version } }`} {
		res := tb.Query(t, tb.SellerA, q, map[string]any{"input": map[string]any{"week": week}})
		require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), q)
	}

	// A new policy version applies to the next batch and is recorded on its verdicts.
	res = tb.Query(t, tb.Admin, `mutation { setPolicy(input: {warningSellers: 1, suspensionSellers: 1, closureSellers: 2, suspendAfterWarning: true,
		closeAfterSuspension: true, suspendOnEvidencedExtortion: true, suspensionDays: 14, lookbackDays: 365}) { policy { version suspensionDays } userErrors { code } } }`, nil)
	require.Equal(t, 2.0, get(res.Data, "setPolicy", "policy", "version"))
	res = tb.Query(t, tb.Admin, `{ policy { version suspensionSellers } }`, nil)
	require.Equal(t, 2.0, get(res.Data, "policy", "version"))
}

func startWorkers(t *testing.T, tb *testBundle, mailURL string, retry time.Duration) *river.Client[*sql.Tx] {
	t.Helper()
	mailer, err := jobs.NewMailer(mailURL)
	require.NoError(t, err)
	client, err := jobs.NewWorkerClient(jobs.WorkerConfig{DB: tb.DB, Mailer: mailer, MailFrom: "Second Chance <no-reply@secondchance.example>",
		DigestRetryBase: retry, FetchPollInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	tb.DB.AfterSettle = jobs.IssueOnSettle(client)
	jobs.AuctionHooks(tb.DB, client)
	require.NoError(t, client.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		client.Stop(ctx)
	})
	return client
}

func giveSellersEmail(t *testing.T, tb *testBundle) {
	_, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), sc.MarketplaceBatch{Sellers: []sc.SellerInput{
		{Number: "S1", Name: "Acme Goods", Email: ptr("acme@example.com")}, {Number: "S2", Name: "Bolt Outlet", Email: ptr("bolt@example.com")}}})
	require.NoError(t, err)
}

// TestDigestsOverSMTP: the weekly batch job (what the schedule inserts every Monday) runs the
// week and queues the digests, which arrive on a real SMTP server, one per seller; an appeal
// then tells the sellers it concerns.
func TestDigestsOverSMTP(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	giveSellersEmail(t, tb)
	server := startSMTP(t)
	client := startWorkers(t, tb, server.URL(), time.Second)
	_, err := client.Insert(context.Background(), jobs.RunWeeklyBatchArgs{Week: sc.WeekOf(time.Now()).String()}, nil)
	require.NoError(t, err)
	waitFor(t, "2 emails", func() bool { return len(server.Received()) == 2 })
	body, subject := map[string]string{}, map[string]string{}
	for _, m := range server.Received() {
		require.Len(t, m.To, 1)
		h, b := m.Message(t)
		body[m.To[0]], subject[m.To[0]] = b, h.Get("Subject")
	}
	require.Contains(t, body["acme@example.com"], "Order S1-0, buyer alice, false not received claim: upheld; the buyer was suspended until")
	require.Contains(t, body["bolt@example.com"], "Order S2-1, buyer bob, serial returns: upheld; the buyer was warned.")
	require.Contains(t, body["bolt@example.com"], "Order S2-0, buyer alice, false not received claim: upheld; the buyer was suspended until")
	require.Equal(t, "Second Chance: the results of your reports, batch "+sc.WeekOf(time.Now()).String(), subject["bolt@example.com"])
	// Sending again sends nothing more.
	again, err := client.Insert(context.Background(), jobs.SendDigestsArgs{}, nil)
	require.NoError(t, err)
	apitest.WaitForJob(t, tb.DB, again.Job.ID)
	require.Len(t, server.Received(), 2)

	// An appeal reverses the suspension of alice (B1), whom both sellers reported.
	var verdictID int64
	require.NoError(t, tb.DB.Get(&verdictID, `SELECT v.id FROM verdicts v JOIN buyers b ON b.id = v.buyer_id WHERE b.number = 'B1'`))
	_, err = tb.DB.ReverseVerdict(sc.NewSystemContext(context.Background()), verdictID, "the tracking was wrong")
	require.NoError(t, err)
	_, err = client.Insert(context.Background(), jobs.SendDigestsArgs{}, nil)
	require.NoError(t, err)
	waitFor(t, "4 emails", func() bool { return len(server.Received()) == 4 })
	for _, m := range server.Received()[2:] {
		h, b := m.Message(t)
		require.Contains(t, h.Get("Subject"), "reversed on appeal")
		require.Contains(t, b, "the tracking was wrong")
		require.Contains(t, b, "buyer alice")
	}
}

// TestSMTPOutageDelaysDigests: while the server refuses mail, digests wait; once it takes mail
// again every seller gets exactly one.
func TestSMTPOutageDelaysDigests(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	giveSellersEmail(t, tb)
	server := startSMTP(t)
	server.SetFailNext(3)
	_, err := tb.DB.RunBatch(sc.NewSystemContext(context.Background()), sc.WeekOf(time.Now()), sc.RunOptions{})
	require.NoError(t, err)
	client := startWorkers(t, tb, server.URL(), 200*time.Millisecond)
	send, err := client.Insert(context.Background(), jobs.SendDigestsArgs{}, nil)
	require.NoError(t, err)
	waitFor(t, "2 emails", func() bool { return len(server.Received()) == 2 })
	// Every send job, retries included, has finished: a duplicate would have arrived by now.
	apitest.WaitForJob(t, tb.DB, send.Job.ID)
	waitFor(t, "every digest job to finish", func() bool {
		var running int
		return tb.DB.Get(&running, `SELECT count(*) FROM river_job WHERE kind LIKE '%digest%' AND state NOT IN ('completed', 'discarded', 'cancelled')`) == nil && running == 0
	})
	mails := server.Received()
	require.Len(t, mails, 2)
	require.NotEqual(t, mails[0].To, mails[1].To)
	require.Equal(t, 3, server.Refused())
	var unsent int
	require.NoError(t, tb.DB.Get(&unsent, `SELECT count(*) FROM digests WHERE sent_at IS NULL`))
	require.Zero(t, unsent)
}

// TestBatchQueuesItsDigests: the batch's own transaction queues the digest job and the indicator
// refresh, so mail and figures follow a batch run from the API within seconds; a dry run queues
// nothing.
func TestBatchQueuesItsDigests(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	inserter, err := jobs.NewClient(tb.DB.DB.DB, jobs.Config{})
	require.NoError(t, err)
	tb.DB.AfterBatch = jobs.AfterBatch(inserter)
	queued := func() int {
		var n int
		require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM river_job WHERE kind = 'send_digests'`))
		var refresh int
		require.NoError(t, tb.DB.Get(&refresh, `SELECT count(*) FROM river_job WHERE kind = 'refresh_indicators'`))
		require.Equal(t, n, refresh, "the indicator refresh is queued with the digests")
		return n
	}
	run := `mutation Run($input: RunWeeklyBatchInput!) { runWeeklyBatch(input: $input) { existing userErrors { code } } }`
	week := sc.WeekOf(time.Now()).String()
	res := tb.Query(t, tb.Admin, run, map[string]any{"input": map[string]any{"week": week, "dryRun": true}})
	require.Empty(t, get(res.Data, "runWeeklyBatch", "userErrors"))
	require.Zero(t, queued(), "a dry run writes no digest and queues nothing")
	res = tb.Query(t, tb.Admin, run, map[string]any{"input": map[string]any{"week": week}})
	require.Empty(t, get(res.Data, "runWeeklyBatch", "userErrors"))
	require.Equal(t, 1, queued())
	res = tb.Query(t, tb.Admin, run, map[string]any{"input": map[string]any{"week": week}})
	require.Equal(t, true, get(res.Data, "runWeeklyBatch", "existing"))
	require.Equal(t, 1, queued(), "a week that already ran queues nothing more")
}

// TestVerdictFactsAdminsOnly: a seller with a report in a verdict reads its outcome, never the
// facts (how many reports and sellers there were) nor the reviewers' reasons, which tell of other
// sellers' activity. Admins read everything.
func TestVerdictFactsAdminsOnly(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	week := sc.WeekOf(time.Now()).String()
	res := tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": week}})
	require.Empty(t, res.Errors)
	res = tb.Query(t, tb.Admin, `{ verdicts(filter: {verdict: SUSPENSION}) { nodes { id } } }`, nil)
	id := get(res.Data, "verdicts", "nodes", 0, "id")
	res = tb.Query(t, tb.Admin, `mutation($id: ID!) { reverseVerdict(input: {id: $id, reason: "coordinated reports"}) { userErrors { code } } }`, map[string]any{"id": id})
	require.Empty(t, get(res.Data, "reverseVerdict", "userErrors"))

	const node = `query($id: ID!) { node(id: $id) { ... on Verdict { verdict reversedAt %s } } }`
	for _, tc := range []struct {
		name, token, field string
		code               string // "" for an answer
	}{
		{"OKSellerAOutcome", tb.SellerA, "suspendedUntil", ""},
		{"OKSellerBOutcome", tb.SellerB, "suspendedUntil", ""},
		{"ErrSellerAFacts", tb.SellerA, "facts { reports distinctSellers }", "FORBIDDEN"},
		{"ErrSellerBFacts", tb.SellerB, "facts { evidencedExtortion warnedWithinLookback suspendedWithinLookback pinned }", "FORBIDDEN"},
		{"ErrSellerAPinReason", tb.SellerA, "pinReason", "FORBIDDEN"},
		{"ErrSellerAReversalReason", tb.SellerA, "reversalReason", "FORBIDDEN"},
		{"OKAdmin", tb.Admin, "facts { reports distinctSellers } pinReason reversalReason", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := tb.Query(t, tc.token, strings.ReplaceAll(node, "%s", tc.field), map[string]any{"id": id})
			if tc.code != "" {
				require.Equal(t, []string{tc.code}, res.Codes())
				require.Nil(t, res.Data["node"], "nothing of the verdict beside the error")
				return
			}
			require.Empty(t, res.Errors)
			require.Equal(t, "SUSPENSION", get(res.Data, "node", "verdict"))
			require.NotNil(t, get(res.Data, "node", "reversedAt"))
			if tc.token == tb.Admin {
				require.Equal(t, 2.0, get(res.Data, "node", "facts", "distinctSellers"))
				require.Equal(t, "coordinated reports", get(res.Data, "node", "reversalReason"))
			}
		})
	}

	// The data layer itself gives a seller no facts, whatever reads them.
	vid, err := sc.ParseGlobalIDOf(id.(string), sc.KindVerdict, "id")
	require.NoError(t, err)
	seller, _ := dbtest.As(t, tb.DB, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: "S1"})
	vs, err := tb.DB.VerdictsByID(seller, []int64{vid})
	require.NoError(t, err)
	require.Equal(t, sc.VerdictSuspension, vs[0].Kind)
	require.Equal(t, sc.JSONFacts{}, vs[0].Facts)
	require.Empty(t, vs[0].ReversalReason)
	require.Nil(t, vs[0].ReversedBy)
}
