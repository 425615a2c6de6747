package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// TestAuctionableItems: the lot form's picker offers exactly the items a lot takes: the
// store's own, routed AUCTION, LISTED and in no live lot; a cancelled auction frees its items.
func TestAuctionableItems(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	free := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	inLot := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed)}) // routed SALE
	dbtest.Item(t, d, nil)                                          // RECEIVED, not routed
	au, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Floor sale", Kind: sc.AuctionLive, StartsAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	_, err = d.AddLot(staff, au.ID, sc.LotInput{Number: 1, Items: []int64{inLot.ID}, Title: "Lamp",
		Estimate: sc.MoneyInput{Amount: "10.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "1.00", Currency: "USD"}})
	require.NoError(t, err)

	ids := func() []int64 {
		p, err := d.AuctionableItems(staff, sc.PageArgs{})
		require.NoError(t, err)
		var out []int64
		for _, it := range p.Items {
			out = append(out, it.ID)
		}
		n, err := p.Count(staff)
		require.NoError(t, err)
		require.Equal(t, len(out), n)
		return out
	}
	require.Equal(t, []int64{free.ID}, ids())
	_, err = d.CancelAuction(staff, au.ID)
	require.NoError(t, err)
	require.Equal(t, []int64{free.ID, inLot.ID}, ids(), "a cancelled auction's items are free again")

	other := dbtest.Store(t, d, nil)
	otherStaff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: other.Code})
	p, err := d.AuctionableItems(otherStaff, sc.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "another store's items are not offered")
	seller, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: dbtest.Seller(t, d, nil).Number})
	_, err = d.AuctionableItems(seller, sc.PageArgs{})
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
}

// TestAuctionQueues counts the dashboard's auction work: lots ending in the period, won lots
// awaiting payment, and unpaid ones; another store sees none of them.
func TestAuctionQueues(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	now := time.Now()
	end := now.Add(2 * time.Hour)
	timed, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Online", Kind: sc.AuctionTimed, StartsAt: now.Add(-time.Minute), EndsAt: &end})
	require.NoError(t, err)
	live, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Floor", Kind: sc.AuctionLive, StartsAt: now.Add(-time.Minute)})
	require.NoError(t, err)
	lot := func(au int64, n int) *sc.Lot {
		it := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
		l, err := d.AddLot(staff, au, sc.LotInput{Number: n, Items: []int64{it.ID}, Title: "Lot",
			Estimate: sc.MoneyInput{Amount: "10.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "1.00", Currency: "USD"}})
		require.NoError(t, err)
		return l
	}
	lot(timed.ID, 1)
	lot(timed.ID, 2)
	sold := lot(live.ID, 1)
	_, err = d.OpenAuction(staff, timed.ID)
	require.NoError(t, err)
	_, err = d.OpenAuction(staff, live.ID)
	require.NoError(t, err)
	b, err := d.RegisterBidder(staff, sc.BidderInput{Name: "Ann", Email: "ann@example.com",
		Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
	require.NoError(t, err)
	p, err := d.AssignPaddle(staff, live.ID, b.ID)
	require.NoError(t, err)
	_, err = d.OpenLot(staff, sold.ID)
	require.NoError(t, err)
	_, err = d.PlaceBid(staff, sc.BidInput{Lot: sold.ID, Paddle: p.Number, Kind: sc.BidFloor,
		Amount: sc.MoneyInput{Amount: "5.00", Currency: "USD"}, IdempotencyKey: "k1"})
	require.NoError(t, err)
	_, err = d.HammerLot(staff, sold.ID)
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     sc.AuctionQueues
	}{
		{"Today", now.Add(-time.Hour), now.Add(3 * time.Hour), sc.AuctionQueues{ClosingLots: 2, AwaitingPayment: 1}},
		{"Tomorrow", now.Add(20 * time.Hour), now.Add(44 * time.Hour), sc.AuctionQueues{AwaitingPayment: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.AuctionQueues(staff, tc.from, tc.to)
			require.NoError(t, err)
			require.Equal(t, tc.want, *got)
		})
	}
	other := dbtest.Store(t, d, nil)
	otherStaff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: other.Code})
	got, err := d.AuctionQueues(otherStaff, now.Add(-time.Hour), now.Add(3*time.Hour))
	require.NoError(t, err)
	require.Equal(t, sc.AuctionQueues{}, *got)
}
