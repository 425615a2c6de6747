package form_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

func posted(v url.Values) *http.Request { return &http.Request{PostForm: v} }

// requireFieldErrors checks that err is nil or INVALID field errors on inputs of the form.
func requireFieldErrors(t *testing.T, err error, known []string) {
	t.Helper()
	if err == nil {
		return
	}
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	for _, e := range sc.AsErrors(err) {
		require.Contains(t, known, e.Field)
	}
}

func TestSettingsFees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		in     url.Values
		fees   sc.FeeSchedule
		ben    int64
		ein    *string
		fields []string
	}{
		{"OK", url.Values{"fees.intakeCents": {"1.50"}, "fees.storageCents": {"$1"}, "fees.shippingCents": {""},
			"fees.commissionBasisPoints": {"12.5%"}, "fees.auctionCommissionBasisPoints": {" 15 "}, "beneficiary": {"7"}, "ein": {" 12-3456789 "}},
			sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, CommissionBasisPoints: 1250, AuctionCommissionBasisPoints: 1500}, 7, ptr("12-3456789"), nil},
		{"OKEmpty", url.Values{}, sc.FeeSchedule{}, 0, nil, nil},
		{"OKNegativeIsTheServicesToRefuse", url.Values{"fees.intakeCents": {"-1"}}, sc.FeeSchedule{IntakeCents: -100}, 0, nil, nil},
		{"ErrNotNumbers", url.Values{"fees.intakeCents": {"one"}, "fees.commissionBasisPoints": {"10.555"}, "beneficiary": {"x"}},
			sc.FeeSchedule{}, 0, nil, []string{"fees.intakeCents", "fees.commissionBasisPoints", "beneficiary"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fees, ben, ein, err := form.Fees(posted(tc.in))
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
			requireFieldErrors(t, err, form.FeesFields)
			if err == nil {
				require.Equal(t, tc.fees, fees)
				require.Equal(t, tc.ben, ben)
				require.Equal(t, tc.ein, ein)
			}
		})
	}
}

// FuzzSettingsFees: whatever is typed, the parser returns INVALID errors on the form's own
// inputs or a schedule, and a schedule shown in the form (FeeValues) reads back the same.
func FuzzSettingsFees(f *testing.F) {
	f.Add("1.50", "12.5%", "7", "12-3456789", int64(150))
	f.Add("$-0.01", "100", "0", "", int64(0))
	f.Add("99999999999999999999", "1e3", "-3", "\x00", int64(sc.MaxAmountCents))
	f.Add("１", "0x10", "9223372036854775808", "\u202e", int64(-1))
	f.Fuzz(func(t *testing.T, amount, percent, ben, ein string, cents int64) {
		_, _, _, err := form.Fees(posted(url.Values{"fees.intakeCents": {amount}, "fees.storageCents": {percent},
			"fees.commissionBasisPoints": {percent}, "fees.auctionCommissionBasisPoints": {amount}, "beneficiary": {ben}, "ein": {ein}}))
		requireFieldErrors(t, err, form.FeesFields)

		if cents < -sc.MaxAmountCents || cents > sc.MaxAmountCents {
			return
		}
		in := sc.FeeSchedule{IntakeCents: cents, StorageCents: cents / 2, ShippingCents: -cents, CommissionBasisPoints: cents % 10001, AuctionCommissionBasisPoints: cents / 3}
		v := url.Values{}
		for k, s := range form.FeeValues(in) {
			v.Set(k, s)
		}
		got, _, _, err := form.Fees(posted(v))
		require.NoError(t, err)
		require.Equal(t, in, got)
	})
}

func TestSettingsIncrementTable(t *testing.T) {
	t.Parallel()
	v := url.Values{"rows": {"5"},
		"steps.0.fromCents": {"0"}, "steps.0.incrementCents": {"0.05"},
		"steps.2.fromCents": {"$10"}, "steps.2.incrementCents": {"1"},
		"steps.3.fromCents": {"25"}, "steps.3.incrementCents": {""},
		"steps.4.fromCents": {"lots"}, "steps.4.incrementCents": {"2.50"},
		"steps.9.fromCents": {"99"}, "steps.9.incrementCents": {"9"}, // beyond rows: not read
	}
	tab, rows, err := form.IncrementTable(posted(v))
	require.Equal(t, []int{0, 2, 3, 4}, rows)
	require.Equal(t, sc.IncrementTable{{FromCents: 0, IncrementCents: 5}, {FromCents: 1000, IncrementCents: 100}, {FromCents: 2500}, {IncrementCents: 250}}, tab)
	var fields []string
	for _, e := range sc.AsErrors(err) {
		fields = append(fields, e.Field)
	}
	require.Equal(t, []string{"steps.3.incrementCents", "steps.4.fromCents"}, fields)
	require.Equal(t, "steps.4.fromCents", form.RowField("steps", "steps.3.fromCents", rows), "the service's step 3 is the form's row 4")

	_, rows, err = form.IncrementTable(posted(url.Values{"rows": {"1000000"}}))
	require.NoError(t, err)
	require.Empty(t, rows, "blank rows are skipped, and a huge count is cut to the limit")
}

// FuzzSettingsIncrementTable: any posted table gives at most MaxIncrementRows steps, one per
// form row in ascending rows below the count, and only INVALID errors on the rows' inputs.
func FuzzSettingsIncrementTable(f *testing.F) {
	f.Add("3", "0", "0.05", "10", "1")
	f.Add("-1", "", "", "x", "y")
	f.Add("99999999999", "1.001", "$", "%", "-5")
	f.Add("2", "\x00", "１", "1e2", "0x1")
	f.Fuzz(func(t *testing.T, n, from0, inc0, from1, inc1 string) {
		v := url.Values{"rows": {n}, "steps.0.fromCents": {from0}, "steps.0.incrementCents": {inc0},
			"steps.1.fromCents": {from1}, "steps.1.incrementCents": {inc1}}
		for i := 2; i < 60; i++ {
			v.Set("steps."+strconv.Itoa(i)+".fromCents", from1)
		}
		tab, rows, err := form.IncrementTable(posted(v))
		require.Len(t, rows, len(tab))
		require.LessOrEqual(t, len(rows), form.MaxIncrementRows)
		require.True(t, slices.IsSorted(rows))
		require.Len(t, slices.Compact(slices.Clone(rows)), len(rows))
		count, _ := strconv.Atoi(n)
		requireFieldErrors(t, err, form.IncrementFields(count))
	})
}

func TestSettingsRoutingRule(t *testing.T) {
	t.Parallel()
	in := form.RoutingRule(posted(url.Values{"category": {"Lamps"}, "grade": {"GOOD"}, "route": {"AUCTION"}}))
	require.Equal(t, sc.RoutingRuleInput{Category: "Lamps", Grade: sc.GradeGood, Route: ptr(sc.RouteAuction)}, in)
	in = form.RoutingRule(posted(url.Values{"category": {"Lamps"}, "grade": {"GOOD"}}))
	require.Nil(t, in.Route, "no route removes the rule")
}

func ptr[T any](v T) *T { return &v }
