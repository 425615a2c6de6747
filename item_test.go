package secondchance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestItemSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		action   ItemAction
		from, to ItemStatus
		code     string
	}{
		{"OKRouteReceivedToListed", ItemRoute, ItemReceived, ItemListed, ""},
		{"OKRerouteListedToRecycled", ItemRoute, ItemListed, ItemRecycled, ""},
		{"ErrRouteSold", ItemRoute, ItemSold, ItemListed, EITEMSTATE},
		{"ErrRouteRecycled", ItemRoute, ItemRecycled, ItemListed, EITEMSTATE},
		{"OKSell", ItemSell, ItemListed, ItemSold, ""},
		{"ErrSellReceived", ItemSell, ItemReceived, ItemSold, EITEMSTATE},
		{"ErrSellTwice", ItemSell, ItemSold, ItemSold, EITEMSTATE},
		{"OKVoidSale", ItemVoidSale, ItemSold, ItemListed, ""},
		{"ErrVoidSettled", ItemVoidSale, ItemSettled, ItemListed, EITEMSTATE},
		{"OKSettle", ItemSettle, ItemSold, ItemSettled, ""},
		{"ErrSettleListed", ItemSettle, ItemListed, ItemSettled, EITEMSTATE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.action.Step("item", tc.from, tc.to)
			require.Equal(t, tc.code, ErrorCode(err), "%v", err)
			if err != nil {
				require.Equal(t, "item", AsErrors(err)[0].Field)
			}
		})
	}
	// A writer asking for a target its action cannot reach is a programming error, not input.
	require.Equal(t, EINTERNAL, ErrorCode(ItemSell.Step("item", ItemListed, ItemSettled)))
}

// Every status is reached by some step or is where items start, and every step's statuses are
// known ones: the table has no orphan.
func TestItemStepsCoverEveryStatus(t *testing.T) {
	t.Parallel()
	reached := map[ItemStatus]bool{ItemReceived: true}
	for a, s := range itemSteps {
		for _, st := range append(append([]ItemStatus{}, s.from...), s.to...) {
			require.Contains(t, ItemStatuses, st, "action %s", a)
		}
		for _, st := range s.to {
			reached[st] = true
		}
	}
	for _, s := range ItemStatuses {
		require.True(t, reached[s], "no step leads to %s", s)
	}
}
