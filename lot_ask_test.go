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
