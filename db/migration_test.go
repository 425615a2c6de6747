package db_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// Migration 00043 turns the payments recorded before it (allocations marked paid together)
// into disbursement rows, one per store, beneficiary and instant, which the allocations name.
// Its backfill statement runs here on allocations put back the way the old code left them:
// paid, naming no disbursement.
func TestMigrationGivesEarlierPaymentsTheirDisbursements(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	raw, err := fs.ReadFile(db.Migrations, "migrations/00043_disbursements.sql")
	require.NoError(t, err)
	sql := string(raw)
	begin, end := strings.Index(sql, "-- backfill begin"), strings.Index(sql, "-- backfill end")
	require.True(t, begin > 0 && end > begin, "the migration marks its backfill")
	backfill := sql[begin:end]

	var items []int64
	for range 4 {
		items = append(items, dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)}).ID)
	}
	var charity int64
	require.NoError(t, d.Get(&charity, `SELECT beneficiary_id FROM donation_allocations WHERE item_id = $1`, items[0]))
	paidAt := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	// Items 0 and 1 paid to one charity at one instant, item 2 to its own at another; item 3
	// still pending.
	_, err = d.Exec(`ALTER TABLE donation_allocations DROP CONSTRAINT donation_allocations_disbursed_check`)
	require.NoError(t, err)
	_, err = d.Exec(`UPDATE donation_allocations SET beneficiary_id = $3, disbursed_at = $4 WHERE item_id IN ($1, $2)`,
		items[0], items[1], charity, paidAt)
	require.NoError(t, err)
	_, err = d.Exec(`UPDATE donation_allocations SET disbursed_at = $2 WHERE item_id = $1`, items[2], paidAt.Add(time.Hour))
	require.NoError(t, err)

	_, err = d.Exec(backfill)
	require.NoError(t, err)
	_, err = d.Exec(`ALTER TABLE donation_allocations ADD CONSTRAINT donation_allocations_disbursed_check
		CHECK ((disbursed_at IS NULL) = (disbursement_id IS NULL))`)
	require.NoError(t, err, "every paid allocation names its disbursement, and no pending one does")

	var rows []struct {
		Beneficiary int64 `db:"beneficiary_id"`
		Cents       int64 `db:"cents"`
		Items       int   `db:"items"`
		Linked      int   `db:"linked"`
	}
	require.NoError(t, d.Select(&rows, `SELECT d.beneficiary_id, d.cents, d.items,
			(SELECT count(*) FROM donation_allocations a WHERE a.disbursement_id = d.id) AS linked
		FROM disbursements d ORDER BY d.disbursed_at`))
	require.Len(t, rows, 2, "one disbursement per charity and instant")
	require.Equal(t, charity, rows[0].Beneficiary)
	require.Equal(t, 2, rows[0].Items)
	require.Equal(t, 2, rows[0].Linked)
	require.Equal(t, 1, rows[1].Items)
	var paid int64
	require.NoError(t, d.Get(&paid, `SELECT sum(cents) FROM donation_allocations WHERE disbursed_at IS NOT NULL`))
	require.Equal(t, paid, rows[0].Cents+rows[1].Cents, "the disbursements hold exactly what was paid")
}
