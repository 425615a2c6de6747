package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/demo"
	"github.com/secondchance/secondchance/http/apitest"
)

// TestShowcase: the showcase loads on top of the demo data set through the services, and
// makes what the portal's pages show: a parcel with discrepancies, a paid lot, an open lot with
// bids, an open TIMED auction.
func TestShowcase(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	apitest.Prepare(t, d)
	ctx := context.Background()
	_, err := demo.Load(ctx, d, time.Time{})
	require.NoError(t, err)
	shown, err := demo.Showcase(ctx, d)
	require.NoError(t, err)

	var store int64
	require.NoError(t, d.Get(&store, `SELECT id FROM stores WHERE code = 'SCS'`))
	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: store})
	ls, err := d.LotsByID(staff, []int64{shown.PaidLot, shown.OpenLot})
	require.NoError(t, err)
	require.Equal(t, sc.LotPaid, ls[0].Status)
	require.Equal(t, sc.LotOpen, ls[1].Status)
	bids, err := d.Bids(staff, []int64{shown.OpenLot})
	require.NoError(t, err)
	require.Len(t, bids[0], 5)
	au, err := d.AuctionsByID(staff, []int64{shown.TimedAuction})
	require.NoError(t, err)
	require.Equal(t, sc.AuctionOpen, au[0].Status)
	var kinds []string
	require.NoError(t, d.Select(&kinds, `SELECT kind FROM parcel_discrepancies WHERE parcel_id = $1 ORDER BY kind`, shown.Parcel))
	require.Equal(t, []string{"DIFFERENT_ITEM", "MISSING_ITEM"}, kinds)
}
