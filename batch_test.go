package secondchance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestPolicyDecide(t *testing.T) {
	t.Parallel()
	p := sc.DefaultPolicy
	closed := sc.VerdictAccountClosed
	none := sc.VerdictNoAction
	for _, tc := range []struct {
		name  string
		facts sc.BuyerFacts
		want  sc.VerdictKind
	}{
		{"OneSellerNoHistoryWarns", sc.BuyerFacts{Reports: 1, DistinctSellers: 1}, sc.VerdictWarning},
		{"OneSellerManyReportsWarns", sc.BuyerFacts{Reports: 5, DistinctSellers: 1}, sc.VerdictWarning},
		{"TwoSellersSuspend", sc.BuyerFacts{Reports: 2, DistinctSellers: 2}, sc.VerdictSuspension},
		{"OneSellerAfterWarningSuspends", sc.BuyerFacts{Reports: 1, DistinctSellers: 1, WarnedWithinLookback: true}, sc.VerdictSuspension},
		{"EvidencedExtortionSuspends", sc.BuyerFacts{Reports: 1, DistinctSellers: 1, EvidencedExtortion: true}, sc.VerdictSuspension},
		{"ThreeSellersClose", sc.BuyerFacts{Reports: 3, DistinctSellers: 3}, sc.VerdictAccountClosed},
		{"AnyReportAfterSuspensionCloses", sc.BuyerFacts{Reports: 1, DistinctSellers: 1, SuspendedWithinLookbk: true}, sc.VerdictAccountClosed},
		{"AllDismissedNoAction", sc.BuyerFacts{Reports: 0, DistinctSellers: 0, SuspendedWithinLookbk: true}, sc.VerdictNoAction},
		{"PinWins", sc.BuyerFacts{Reports: 9, DistinctSellers: 9, Pinned: &none}, sc.VerdictNoAction},
		{"PinCloses", sc.BuyerFacts{Reports: 1, DistinctSellers: 1, Pinned: &closed}, sc.VerdictAccountClosed},
	} {
		require.Equal(t, tc.want, p.Decide(tc.facts), tc.name)
	}
	lenient := p
	lenient.SuspendOnEvidencedExtortion, lenient.SuspendAfterWarning, lenient.ClosureSellers = false, false, 5
	require.Equal(t, sc.VerdictWarning, lenient.Decide(sc.BuyerFacts{Reports: 1, DistinctSellers: 1, EvidencedExtortion: true, WarnedWithinLookback: true}))
	require.Equal(t, sc.VerdictSuspension, lenient.Decide(sc.BuyerFacts{Reports: 4, DistinctSellers: 4}))
	require.NoError(t, p.Validate())
	bad := p
	bad.ClosureSellers = 1
	require.Equal(t, "closureSellers", sc.AsErrors(bad.Validate())[0].Field)
}

func TestWeek(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		start string
	}{{"2026-W48", "2026-11-23"}, {"2026-W01", "2025-12-29"}, {"2020-W53", "2020-12-28"}, {"2027-W52", "2027-12-27"}} {
		w, err := sc.ParseWeek(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.start, w.Start().Format(time.DateOnly), tc.in)
		require.Equal(t, tc.in, w.String())
		require.Equal(t, w, sc.WeekOf(w.Start().Add(50*time.Hour)))
		require.Equal(t, w, sc.WeekOf(w.End().Add(-time.Second)))
	}
	for _, bad := range []string{"2026-48", "2026-W0", "2026-W00", "2026-W54", "2025-W53", "26-W01", "2026-W1x", ""} {
		_, err := sc.ParseWeek(bad)
		require.Equal(t, sc.EINVALID, sc.ErrorCode(err), bad)
	}
	w, _ := sc.ParseWeek("2026-W48")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c, err := w.Cutoff(now)
	require.NoError(t, err)
	require.Equal(t, now, c, "a running week cuts off now")
	c, err = w.Previous().Cutoff(now)
	require.NoError(t, err)
	require.Equal(t, w.Start(), c)
	next, _ := sc.ParseWeek("2026-W49")
	_, err = next.Cutoff(now)
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
}

func TestStatusAfterReversal(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	sanction := func(k sc.VerdictKind, ends *time.Time, revoked bool) *sc.Sanction {
		s := &sc.Sanction{Kind: k, EndsAt: ends}
		if revoked {
			s.RevokedAt = &now
		}
		return s
	}
	require.Equal(t, sc.BuyerActive, sc.StatusAfterReversal(sc.BuyerActive, nil, now))
	require.Equal(t, sc.BuyerWarned, sc.StatusAfterReversal(sc.BuyerActive, []*sc.Sanction{sanction(sc.VerdictWarning, nil, false)}, now))
	require.Equal(t, sc.BuyerSuspended, sc.StatusAfterReversal(sc.BuyerWarned, []*sc.Sanction{sanction(sc.VerdictSuspension, &later, false)}, now))
	require.Equal(t, sc.BuyerWarned, sc.StatusAfterReversal(sc.BuyerWarned, []*sc.Sanction{sanction(sc.VerdictSuspension, &earlier, false)}, now), "an ended suspension no longer counts")
	require.Equal(t, sc.BuyerActive, sc.StatusAfterReversal(sc.BuyerActive, []*sc.Sanction{sanction(sc.VerdictAccountClosed, nil, true)}, now), "a revoked sanction no longer counts")
	require.Equal(t, sc.BuyerClosed, sc.Worse(sc.BuyerClosed, sc.BuyerWarned))
}

func TestStandingEvaluate(t *testing.T) {
	t.Parallel()
	th := sc.DefaultStandingThresholds
	c := func(orders, defects, late int) sc.IndicatorCounts {
		return sc.IndicatorCounts{Orders: orders, Defects: defects, LateShipments: late}
	}
	for _, tc := range []struct {
		name      string
		d90, d365 sc.IndicatorCounts
		want      sc.Standing
		window    sc.IndicatorWindow
	}{
		{"NoOrdersAboveStandard", c(0, 0, 0), c(0, 0, 0), sc.StandingAboveStandard, sc.Window365},
		{"FewOrdersCannotBeTopRated", c(10, 0, 0), c(50, 0, 0), sc.StandingAboveStandard, sc.Window365},
		{"TopRatedOver365", c(90, 0, 0), c(300, 1, 3), sc.StandingTopRated, sc.Window365},
		{"TooLateForTopRated", c(90, 0, 0), c(300, 1, 10), sc.StandingAboveStandard, sc.Window365},
		{"BelowStandard", c(90, 9, 0), c(300, 7, 0), sc.StandingBelowStandard, sc.Window365},
		{"BusySellerEvaluatedOver90", c(400, 2, 0), c(1000, 100, 0), sc.StandingTopRated, sc.Window90},
		{"ExactlyTwoPercent", c(0, 0, 0), c(100, 2, 0), sc.StandingAboveStandard, sc.Window365},
	} {
		s, w := th.Evaluate(tc.d90, tc.d365)
		require.Equal(t, tc.want, s, tc.name)
		require.Equal(t, tc.window, w, tc.name)
	}
	bad := th
	bad.TopRatedMaxDefectRate = 0.5
	require.Equal(t, sc.EINVALID, sc.ErrorCode(bad.Validate()))
	require.NoError(t, th.Validate())
}

func TestDiscrepancies(t *testing.T) {
	t.Parallel()
	line := func(n int) *int { return &n }
	yes := true
	require.Equal(t, sc.DiscrepancyEmptyBox, sc.Discrepancies([]int{1}, nil)[0].Kind)
	require.Empty(t, sc.Discrepancies([]int{1, 2}, []sc.ReceivedItemInput{{RMALine: line(1)}, {RMALine: line(2)}}))
	ds := sc.Discrepancies([]int{1, 2, 3}, []sc.ReceivedItemInput{{RMALine: line(1), DiffersFromRMA: &yes}, {Description: "brick"}, {RMALine: line(2)}})
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%d %s %v", d.Seq, d.Kind, d.RMALine != nil))
	}
	require.Equal(t, []string{"1 DIFFERENT_ITEM true", "2 DIFFERENT_ITEM false", "3 MISSING_ITEM true"}, got)
	require.Equal(t, 3, *ds[2].RMALine)
}
