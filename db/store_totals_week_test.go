package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// The weekly series is StoreTotals of each week, in one statement.
func TestStoreTotalsByWeek(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	sold := sc.ItemSold
	dbtest.Item(t, d, &dbtest.ItemOpts{Status: &sold, Price: ptr("7.25")})
	dbtest.Item(t, d, nil)
	var store int64
	require.NoError(t, d.Get(&store, `SELECT id FROM stores WHERE code = 'SCS'`))
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	tomorrow := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := tomorrow.Add(-3 * 7 * 24 * time.Hour)
	weeks, err := d.StoreTotalsByWeek(staff, store, from, tomorrow)
	require.NoError(t, err)
	require.Len(t, weeks, 3)
	for i, w := range weeks {
		one, err := d.StoreTotals(staff, store, from.Add(time.Duration(i)*7*24*time.Hour), from.Add(time.Duration(i+1)*7*24*time.Hour))
		require.NoError(t, err)
		require.Equal(t, one, w, "week %d", i)
	}
	require.Equal(t, 2, weeks[2].Items)
	require.Equal(t, int64(725), weeks[2].Gross.Cents)

	_, err = d.StoreTotalsByWeek(staff, store, from, tomorrow.Add(-24*time.Hour))
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err), "not whole weeks")
	other := dbtest.Store(t, d, nil)
	_, err = d.StoreTotalsByWeek(staff, other.ID, from, tomorrow)
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
}
