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

// Migration 00043 turns the payments recorded before it (allocations marked paid together)
// into disbursement rows, one per store, beneficiary and instant, which the allocations name.
func TestMigrationGivesEarlierPaymentsTheirDisbursements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin, err := db.Open(ctx, dbtest.URL(t))
	require.NoError(t, err)
	name := fmt.Sprintf("sctest_migrate_%d", time.Now().UnixNano())
	_, err = admin.Exec(`CREATE DATABASE ` + name)
	require.NoError(t, err)
	// Dropped as dbtest drops its databases: best effort (an autovacuum worker on the new
	// database cannot be terminated by a role that is not a superuser).
	t.Cleanup(func() {
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	d, err := db.Open(ctx, dbtest.WithDatabase(dbtest.URL(t), name))
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	require.NoError(t, d.MigrateTo(ctx, 42))

	// Three settled items; two paid to their charities at one instant, one still pending.
	var items []int64
	for range 3 {
		items = append(items, dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)}).ID)
	}
	paidAt := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	_, err = d.Exec(`UPDATE donation_allocations SET disbursed_at = $3 WHERE item_id IN ($1, $2)`, items[0], items[1], paidAt)
	require.NoError(t, err)

	require.NoError(t, d.MigrateTo(ctx, 43))
	var rows []struct {
		Beneficiary int64 `db:"beneficiary_id"`
		Cents       int64 `db:"cents"`
		Items       int   `db:"items"`
		Linked      int   `db:"linked"`
	}
	require.NoError(t, d.Select(&rows, `SELECT d.beneficiary_id, d.cents, d.items,
			(SELECT count(*) FROM donation_allocations a WHERE a.disbursement_id = d.id) AS linked
		FROM disbursements d ORDER BY d.id`))
	var want int64
	require.NoError(t, d.Get(&want, `SELECT sum(cents) FROM donation_allocations WHERE disbursed_at IS NOT NULL`))
	var got int64
	for _, r := range rows {
		got += r.Cents
		require.Equal(t, 1, r.Items)
		require.Equal(t, 1, r.Linked)
	}
	require.Len(t, rows, 2, "each item's charity was a new default, so two disbursements")
	require.Equal(t, want, got, "the disbursements hold exactly what was paid")
	var unlinked int
	require.NoError(t, d.Get(&unlinked, `SELECT count(*) FROM donation_allocations WHERE disbursed_at IS NULL AND disbursement_id IS NULL`))
	require.Equal(t, 1, unlinked, "the pending allocation stays pending")
	_, err = d.Exec(`UPDATE donation_allocations SET disbursed_at = now() WHERE item_id = $1`, items[2])
	require.Error(t, err, "an allocation paid without its disbursement is refused")
}
