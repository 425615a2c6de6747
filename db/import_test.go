package db_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// TestIngestFarZoneOffset sends times with offsets RFC 3339 allows and PostgreSQL does not
// (beyond ±15:59) through both ways in: the import and the mutation share the staging rows,
// which hold UTC.
func TestIngestFarZoneOffset(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := admin()
	b := batch(1)
	far := time.FixedZone("", 23*3600+59*60)
	b.Orders[0].PlacedAt = b.Orders[0].PlacedAt.In(far)
	b.Orders[0].ShipBy = ptr(b.Orders[0].PlacedAt.Add(time.Hour))
	_, err := d.Ingest(ctx, b)
	require.NoError(t, err)
	_, err = d.Import(ctx, db.ImportOrders, "orders.csv", strings.NewReader("number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"+
		"O9,S1,B1,2026-10-01T10:00:00+23:59,1.00,USD\n"), nil)
	require.NoError(t, err)
	var placed time.Time
	require.NoError(t, d.Get(&placed, `SELECT placed_at FROM orders WHERE number = 'O9'`))
	require.True(t, placed.Equal(time.Date(2026, 9, 30, 10, 1, 0, 0, time.UTC)), "%v", placed)
}
