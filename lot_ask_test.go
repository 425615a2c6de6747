package secondchance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// TestMinimumBidAfter: the ask a live screen computes from an event is the lot's own
// minimum bid in the state the event leaves.
func TestMinimumBidAfter(t *testing.T) {
	t.Parallel()
	paddle := 101
	leader := int64(7)
	for _, tc := range []struct {
		name  string
		price int64
		lead  bool
		want  int64
	}{
		{"NoBid", 0, false, 500},
		{"UnderFive", 475, true, 500},
		{"Five", 500, true, 550},
		{"Hundred", 10_000, true, 10_250},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &sc.Lot{Currency: "USD", StartingCents: 500, PriceCents: tc.price}
			e := &sc.LotEvent{PriceCents: tc.price, Currency: "USD"}
			if tc.lead {
				l.LeaderBidderID, l.BidCount, e.LeaderPaddle = &leader, 1, &paddle
			}
			require.Equal(t, sc.USD(tc.want), l.MinimumBidAfter(e))
			require.Equal(t, l.MinimumBid(), l.MinimumBidAfter(e))
		})
	}
}

// What each status allows, the one rule the services and the portal both ask.
func TestWhatAStatusAllows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status                                        sc.AuctionStatus
		kind                                          sc.AuctionKind
		schedulable, openable, takesLots, cancellable bool
	}{
		{sc.AuctionDraft, sc.AuctionTimed, true, true, true, true},
		{sc.AuctionScheduled, sc.AuctionTimed, false, true, true, true},
		{sc.AuctionOpen, sc.AuctionTimed, false, false, false, true},
		{sc.AuctionOpen, sc.AuctionLive, false, false, true, true},
		{sc.AuctionClosed, sc.AuctionLive, false, false, false, false},
		{sc.AuctionSettled, sc.AuctionTimed, false, false, false, false},
		{sc.AuctionCancelled, sc.AuctionTimed, false, false, false, false},
	} {
		t.Run(string(tc.status)+"_"+string(tc.kind), func(t *testing.T) {
			a := &sc.Auction{Status: tc.status, Kind: tc.kind}
			require.Equal(t, tc.schedulable, a.Schedulable(), "schedulable")
			require.Equal(t, tc.openable, a.Openable(), "openable")
			require.Equal(t, tc.takesLots, a.TakesLots(), "takes lots")
			require.Equal(t, tc.cancellable, a.Cancellable(), "cancellable")
		})
	}
	for _, tc := range []struct {
		status                         sc.LotStatus
		payable, offerable, relistable bool
	}{
		{sc.LotPending, false, false, false},
		{sc.LotOpen, false, false, false},
		{sc.LotSold, true, false, false},
		{sc.LotUnsold, false, false, true},
		{sc.LotPaid, false, false, false},
		{sc.LotUnpaid, false, true, true},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			l := &sc.Lot{Status: tc.status}
			require.Equal(t, tc.payable, l.Payable(), "payable")
			require.Equal(t, tc.offerable, l.Offerable(), "offerable")
			require.Equal(t, tc.relistable, l.Relistable(), "relistable")
		})
	}
}
