package secondchance_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestProceeds(t *testing.T) {
	t.Parallel()
	f := sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, ShippingCents: 250, CommissionBasisPoints: 1250} // 12.5 %
	p := f.Proceeds(sc.USD(4990))
	require.Equal(t, sc.Costs{Intake: 150, Storage: 100, Shipping: 250, Commission: 624, Currency: "USD"}, p.Costs, "12.5 %% of 49.90 is 6.2375, rounded half up")
	require.Equal(t, sc.USD(4990-1124), p.Net)
	// Costs beyond the price are cut, commission first: nothing is donated, and it balances.
	p = f.Proceeds(sc.USD(300))
	require.Equal(t, sc.Costs{Intake: 150, Storage: 100, Shipping: 50, Commission: 0, Currency: "USD"}, p.Costs)
	require.Equal(t, int64(0), p.Net.Cents)
	require.Equal(t, sc.EINVALID, sc.ErrorCode(sc.FeeSchedule{CommissionBasisPoints: 10001}.Validate()))
	require.Equal(t, sc.EINVALID, sc.ErrorCode(sc.FeeSchedule{IntakeCents: -1}.Validate()))
}

func TestSplitCents(t *testing.T) {
	t.Parallel()
	require.Equal(t, []int64{334, 333, 333}, sc.SplitCents(1000, []int64{1, 1, 1}))
	require.Equal(t, []int64{750, 250}, sc.SplitCents(1000, []int64{4500, 1500}))
	require.Equal(t, []int64{1, 0, 0}, sc.SplitCents(1, []int64{0, 0, 0}))
	require.Equal(t, []int64{}, sc.SplitCents(5, nil))
	big := sc.SplitCents(9_000_000_000_000, []int64{4_000_000_000_000, 3_000_000_000_001, 2_999_999_999_999})
	require.Equal(t, int64(9_000_000_000_000), big[0]+big[1]+big[2], "weights whose products pass 2^63")
	shares, err := sc.AllocatePercent(1001, []int64{50, 30, 20})
	require.NoError(t, err)
	require.Equal(t, []int64{501, 300, 200}, shares)
	for _, bad := range [][]int64{{50, 40}, {60, 50}, {100, 0}, {101, -1}} {
		_, err := sc.AllocatePercent(100, bad)
		require.Equal(t, "splits", sc.AsErrors(err)[0].Field)
	}
}

// TestMoneyAddsUp: for random prices, schedules, lots and splits, every part adds up to its
// whole exactly, nothing is negative, and gross = costs + donated for every item and in total.
func TestMoneyAddsUp(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 13))
	for i := 0; i < 5000; i++ {
		f := sc.FeeSchedule{IntakeCents: r.Int64N(1000), StorageCents: r.Int64N(1000), ShippingCents: r.Int64N(2000),
			CommissionBasisPoints: r.Int64N(10001)}
		lot := r.Int64N(10_000_000) // a lot's price, up to 100,000.00
		weights := make([]int64, 1+r.IntN(8))
		for j := range weights {
			weights[j] = r.Int64N(100_000)
		}
		prices := sc.SplitCents(lot, weights)
		var sumPrices, sumGross, sumCosts, sumNet int64
		for _, price := range prices {
			require.GreaterOrEqual(t, price, int64(0))
			sumPrices += price
			p := f.Proceeds(sc.USD(price))
			require.GreaterOrEqual(t, p.Net.Cents, int64(0))
			for _, c := range []int64{p.Costs.Intake, p.Costs.Storage, p.Costs.Shipping, p.Costs.Commission} {
				require.GreaterOrEqual(t, c, int64(0))
			}
			require.Equal(t, p.Gross.Cents, p.Costs.Total()+p.Net.Cents)
			pct := make([]int64, 0, 4)
			left := int64(100)
			for left > 0 {
				s := 1 + r.Int64N(left)
				pct = append(pct, s)
				left -= s
			}
			shares, err := sc.AllocatePercent(p.Net.Cents, pct)
			require.NoError(t, err)
			var donated int64
			for _, s := range shares {
				require.GreaterOrEqual(t, s, int64(0))
				donated += s
			}
			require.Equal(t, p.Net.Cents, donated)
			sumGross, sumCosts, sumNet = sumGross+p.Gross.Cents, sumCosts+p.Costs.Total(), sumNet+donated
		}
		require.Equal(t, lot, sumPrices, "a lot's price splits into its items exactly")
		require.Equal(t, sumGross, sumCosts+sumNet, "gross = costs + donated in total")
	}
}
