package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// Who recorded a sale, voided it, or logged a bid: the clerk of a portal session by name, a
// token by its label.
func TestSalesAndBidsSayWhoRecordedThem(t *testing.T) {
	t.Parallel()
	b := newStaffBundle(t)
	clerk := b.as(t, "SCS", "clerk@scs.example", sc.StaffMember)
	token, _ := dbtest.As(t, b.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS", Label: "till 2"})

	listed := ptr(sc.ItemListed)
	unlabelled, _ := dbtest.As(t, b.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	for _, tc := range []struct {
		name          string
		ctx, other    context.Context
		who, otherWho string
	}{
		{"Clerk", clerk, token, "Pat clerk@scs.example", "till 2"},
		{"Token", token, clerk, "till 2", "Pat clerk@scs.example"},
		{"TokenWithoutLabel", unlabelled, clerk, "a token", "Pat clerk@scs.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			owner := dbtest.Seller(t, b.d, nil)
			it := dbtest.Item(t, b.d, &dbtest.ItemOpts{Status: listed, Seller: owner})
			s, err := b.d.RecordSale(ctx, sc.SaleInput{Item: it.ID, Price: sc.MoneyInput{Amount: "12.50", Currency: "USD"}, Channel: "STORE"})
			require.NoError(t, err)
			require.Equal(t, tc.who, s.RecordedBy)
			require.Empty(t, s.VoidedBy)
			// Voided by the other one: each column names its own actor.
			v, err := b.d.VoidSale(tc.other, s.ID, "rang up the wrong item")
			require.NoError(t, err)
			require.Equal(t, tc.who, v.RecordedBy)
			require.Equal(t, tc.otherWho, v.VoidedBy)
			read, err := b.d.SalesByID(ctx, []int64{s.ID})
			require.NoError(t, err)
			require.Equal(t, tc.who, read[0].RecordedBy)
			require.Equal(t, tc.otherWho, read[0].VoidedBy)
			// The seller whose return it was sees the sale, not the store's people.
			seller, _ := dbtest.As(t, b.d, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: owner.Number})
			theirs, err := b.d.SalesByID(seller, []int64{s.ID})
			require.NoError(t, err)
			require.NotNil(t, theirs[0], "the seller sees its return's sale")
			require.Empty(t, theirs[0].RecordedBy)
			require.Empty(t, theirs[0].VoidedBy)

			a := dbtest.TimedAuction(t, b.d, dbtest.AuctionOpts{Bidders: 1})
			_, err = b.d.OpenAuction(a.Staff, a.ID)
			require.NoError(t, err)
			res, err := b.d.PlaceBid(ctx, sc.BidInput{Lot: a.Lots[0], Paddle: a.Paddles[0], Kind: sc.BidFloor,
				Amount: sc.MoneyInput{Amount: "5.00", Currency: "USD"}, IdempotencyKey: "k1"})
			require.NoError(t, err)
			require.Equal(t, tc.who, res.Bid.LoggedBy, "as the mutation answers")
			bids, err := b.d.Bids(ctx, []int64{a.Lots[0]})
			require.NoError(t, err)
			require.Len(t, bids[0], 1)
			require.Equal(t, tc.who, bids[0][0].LoggedBy, "as the lot's bids read")
		})
	}
}
