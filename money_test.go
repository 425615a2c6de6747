package secondchance_test

import (
	"testing"

	sc "github.com/secondchance/secondchance"
	"github.com/stretchr/testify/require"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		cents int64
		ok    bool
	}{
		{"0", 0, true}, {"12", 1200, true}, {"12.3", 1230, true}, {"12.34", 1234, true},
		{"-0.05", -5, true}, {"12.345", 0, false}, {"1e3", 0, false}, {"", 0, false},
		{"12.", 0, false}, {".5", 0, false}, {"abc", 0, false}, {"1,00", 0, false},
		{"1000000.00", sc.MaxAmountCents, true}, {"-1000000", -sc.MaxAmountCents, true},
		{"1000000.01", 0, false}, {"-1000000.01", 0, false}, {"999999999999999.99", 0, false},
	} {
		m, err := sc.ParseMoney(tc.in, "USD")
		if !tc.ok {
			require.Equal(t, sc.EINVALID, sc.ErrorCode(err), tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.cents, m.Cents, tc.in)
	}
	_, err := sc.ParseMoney("1.00", "usd")
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
}

func TestMoneyAmountRoundTrips(t *testing.T) {
	t.Parallel()
	for _, c := range []int64{0, 1, 5, 99, 100, 101, sc.MaxAmountCents, -1, -100, -12345} {
		m := sc.USD(c)
		back, err := sc.ParseMoney(m.Amount(), m.Currency)
		require.NoError(t, err)
		require.Equal(t, m, back)
	}
}
