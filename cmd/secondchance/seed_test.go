package main

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/demo"
)

// TestSeedDemoHasFixedCodes: the demo data set's RMAs and certificate carry the codes the README
// shows, on every machine, while everything else the same database makes afterwards gets random
// ones.
func TestSeedDemoHasFixedCodes(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	code, out, errOut := run(t, u, "seed", "--demo")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "and another authorised, "+demo.RMACodes[1])

	var rmas, verification []string
	require.NoError(t, d.Select(&rmas, `SELECT code FROM return_authorizations ORDER BY id`))
	require.Equal(t, demo.RMACodes, rmas)
	require.NoError(t, d.Select(&verification, `SELECT verification_code FROM certificates ORDER BY id`))
	require.Equal(t, demo.VerificationCodes, verification)

	var sellerID int64
	require.NoError(t, d.Get(&sellerID, `SELECT id FROM sellers WHERE number = 'S000001'`))
	seller := sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID})
	rma, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: "O000000007", Items: []sc.RMAItemInput{
		{Description: "Lamp", Quantity: 1, Category: "Home", DeclaredValue: sc.MoneyInput{Amount: "10", Currency: "USD"}}}})
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^RMA-[2-9A-HJKMNP-Z]{8}$`), rma.Code)
	require.NotContains(t, demo.RMACodes, rma.Code, "outside the demo seeding, codes are random")
}

// TestDemoBatchIsTheSameOnEveryDay: the README runs the current week's batch on the demo data,
// which `seed --demo` generates up to the day it runs. Whatever the weekday and the time of day,
// the batch decides the same reports the same way, so the README's figures hold every day.
func TestDemoBatchIsTheSameOnEveryDay(t *testing.T) {
	t.Parallel()
	type outcome struct {
		Stats    sc.BatchStats
		Verdicts []string
	}
	monday := sc.WeekOf(time.Now()).Start()
	results := make([][]outcome, 7)
	t.Run("days", func(t *testing.T) {
		for day := range 7 {
			t.Run(monday.AddDate(0, 0, day).Weekday().String(), func(t *testing.T) {
				t.Parallel()
				today := monday.AddDate(0, 0, day)
				d := dbtest.New(t)
				opts := demo.Size
				opts.Until = today
				require.NoError(t, d.Seed(context.Background(), opts, nil))
				for _, at := range []time.Duration{time.Minute, 12 * time.Hour, 23*time.Hour + 59*time.Minute} {
					now := today.Add(at)
					d.Now = func() time.Time { return now }
					run, err := d.RunBatch(sc.NewSystemContext(context.Background()), sc.WeekOf(now), sc.RunOptions{DryRun: true})
					require.NoError(t, err)
					o := outcome{Stats: run.Batch.Stats}
					o.Stats.Steps = nil
					for _, v := range run.Verdicts {
						o.Verdicts = append(o.Verdicts, fmt.Sprintf("buyer %d: %s %+v", v.BuyerID, v.Kind, v.Facts))
					}
					results[day] = append(results[day], o)
				}
			})
		}
	})
	require.NotZero(t, results[0][0].Stats.Reports)
	for day := range results {
		for i, o := range results[day] {
			require.Equal(t, results[0][0], o, "%s, run %d", monday.AddDate(0, 0, day).Weekday(), i)
		}
	}
}

// TestDemoTokensOnlyInTheDemosOwnDatabase: the demo's published tokens are never created in a
// database the demo seed did not fill, and one an operator revoked stays revoked.
func TestDemoTokensOnlyInTheDemosOwnDatabase(t *testing.T) {
	t.Parallel()
	t.Run("ErrRealData", func(t *testing.T) {
		t.Parallel()
		tb := setup(t) // a database with marketplace data of its own
		code, out, errOut := run(t, tb.DBURL, "seed", "--demo")
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, errOut, "creating no demo tokens")
		for _, tok := range demo.Tokens {
			require.NotContains(t, out, tok.Secret)
			_, err := tb.DB.Authenticate(context.Background(), tok.Secret)
			require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err), "%s must not exist", tok.Role)
		}
	})
	t.Run("RevokedStaysRevoked", func(t *testing.T) {
		t.Parallel()
		d, u := dbtest.NewWithURL(t)
		code, _, errOut := run(t, u, "seed", "--demo")
		require.Equal(t, exitOK, code, errOut)
		admin := demo.Tokens[len(demo.Tokens)-1]
		require.Equal(t, sc.RoleAdmin, admin.Role)
		a, err := d.Authenticate(context.Background(), admin.Secret)
		require.NoError(t, err)
		_, err = d.RevokeToken(sc.NewSystemContext(context.Background()), a.TokenID)
		require.NoError(t, err)

		code, out, errOut := run(t, u, "seed", "--demo")
		require.Equal(t, exitOK, code, errOut)
		require.NotContains(t, out, admin.Secret)
		require.Regexp(t, `ADMIN\s+\(revoked on \d{4}-\d\d-\d\d; it stays revoked\)`, out)
		require.Contains(t, out, demo.Tokens[0].Secret, "the others are still printed")
		_, err = d.Authenticate(context.Background(), admin.Secret)
		require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
	})
}

// TestSeedDemoShowcase: --showcase loads the portal's showcase with the demo data set, once:
// a second run keeps what is there; without --demo it is a usage error that loads nothing.
func TestSeedDemoShowcase(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	code, _, errOut := run(t, u, "seed", "--showcase")
	require.Equal(t, exitUsage, code, errOut)
	code, out, errOut := run(t, u, "seed", "--demo", "--showcase")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "and the portal's showcase")
	require.Contains(t, out, "Demo portal login")
	count := func() (n [2]int) {
		require.NoError(t, d.Get(&n[0], `SELECT count(*) FROM auctions`))
		require.NoError(t, d.Get(&n[1], `SELECT count(*) FROM bids`))
		return n
	}
	first := count()
	require.Equal(t, 2, first[0])
	code, out, errOut = run(t, u, "seed", "--demo", "--showcase")
	require.Equal(t, exitOK, code, errOut)
	require.NotContains(t, out, "and the portal's showcase")
	require.Contains(t, errOut, "already holds the demo data set")
	require.Equal(t, first, count(), "a second run loads nothing")
}
