package secondchance_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestIncrementDefaultTable(t *testing.T) {
	t.Parallel()
	tab := sc.DefaultIncrementTable()
	require.NoError(t, tab.Validate())
	for _, tc := range []struct {
		name  string
		price int64
		inc   int64
	}{
		{"NoBidYet", 0, 5}, {"OneCent", 1, 5}, {"99Cents", 99, 5},
		{"OneDollar", 100, 25}, {"4.99", 499, 25},
		{"5.00", 500, 50}, {"24.99", 2499, 50},
		{"25.00", 2500, 100}, {"99.99", 9999, 100},
		{"100.00", 10000, 250}, {"249.99", 24999, 250},
		{"250.00", 25000, 500}, {"499.99", 49999, 500},
		{"500.00", 50000, 1000}, {"999.99", 99999, 1000},
		{"1000.00", 100000, 2500}, {"2499.99", 249999, 2500},
		{"2500.00", 250000, 5000}, {"4999.99", 499999, 5000},
		{"5000.00", 500000, 10000}, {"TheLimit", sc.MaxAmountCents, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.inc, tab.Increment(tc.price))
		})
	}
	// A table Validate refuses still never answers less than a cent, so a minimum always rises.
	require.Equal(t, int64(1), sc.IncrementTable(nil).Increment(500))
	require.Equal(t, int64(1), sc.IncrementTable{{0, 0}}.Increment(500))
	require.Equal(t, int64(7), sc.IncrementTable{{100, 7}, {200, 9}}.Increment(50), "below the first step: the first step")
}

func TestIncrementTableValidate(t *testing.T) {
	t.Parallel()
	long := make(sc.IncrementTable, sc.MaxIncrementSteps+1)
	for i := range long {
		long[i] = sc.IncrementStep{FromCents: int64(i * 100), IncrementCents: 5}
	}
	for _, tc := range []struct {
		name   string
		table  sc.IncrementTable
		fields []string
	}{
		{"OKDefault", sc.DefaultIncrementTable(), nil},
		{"OKFromOneCent", sc.IncrementTable{{1, 5}, {100, 25}}, nil},
		{"OKOneStep", sc.IncrementTable{{0, 100}}, nil},
		{"OKEqualIncrements", sc.IncrementTable{{0, 100}, {1000, 100}}, nil},
		{"ErrEmpty", nil, []string{"steps"}},
		{"ErrTooLong", long, []string{"steps"}},
		{"ErrFirstNotAtZero", sc.IncrementTable{{100, 5}}, []string{"steps.0.fromCents"}},
		{"ErrNotAscending", sc.IncrementTable{{0, 5}, {500, 25}, {500, 50}}, []string{"steps.2.fromCents"}},
		{"ErrDescending", sc.IncrementTable{{0, 5}, {500, 25}, {100, 50}}, []string{"steps.2.fromCents"}},
		{"ErrZeroIncrement", sc.IncrementTable{{0, 5}, {100, 25}, {500, 0}}, []string{"steps.2.incrementCents"}},
		{"ErrNegativeIncrement", sc.IncrementTable{{0, -5}}, []string{"steps.0.incrementCents"}},
		{"ErrShrinkingIncrement", sc.IncrementTable{{0, 5}, {100, 25}, {500, 10}}, []string{"steps.2.incrementCents"}},
		{"ErrHugeIncrement", sc.IncrementTable{{0, sc.MaxAmountCents + 1}}, []string{"steps.0.incrementCents"}},
		{"ErrHugeFrom", sc.IncrementTable{{0, 5}, {sc.MaxAmountCents + 1, 5}}, []string{"steps.1.fromCents"}},
		{"ErrSeveral", sc.IncrementTable{{3, 0}, {2, 5}}, []string{"steps.0.fromCents", "steps.0.incrementCents", "steps.1.fromCents"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireFields(t, tc.fields, tc.table.Validate())
		})
	}
}

// requireFields checks that err is nil for no fields, and otherwise INVALID on exactly these
// fields, in order.
func requireFields(t *testing.T, fields []string, err error) {
	t.Helper()
	if len(fields) == 0 {
		require.NoError(t, err)
		return
	}
	var got []string
	for _, e := range sc.AsErrors(err) {
		require.Equal(t, sc.EINVALID, e.Code, e.Error())
		got = append(got, e.Field)
	}
	require.Equal(t, fields, got, "%v", err)
}

func TestLotTermsValidate(t *testing.T) {
	t.Parallel()
	def := sc.DefaultIncrementTable()
	for _, tc := range []struct {
		name   string
		terms  sc.LotTerms
		fields []string
	}{
		{"OKNoReserve", sc.LotTerms{StartingCents: 1000, Increments: def}, nil},
		{"OKReserveAtStart", sc.LotTerms{StartingCents: 1000, ReserveCents: 1000, Increments: def}, nil},
		{"OKReserveAbove", sc.LotTerms{StartingCents: 1000, ReserveCents: 5000, Increments: def}, nil},
		{"ErrZeroStart", sc.LotTerms{StartingCents: 0, Increments: def}, []string{"startingBid"}},
		{"ErrStartAboveLimit", sc.LotTerms{StartingCents: sc.MaxAmountCents + 1, Increments: def}, []string{"startingBid"}},
		{"ErrReserveBelowStart", sc.LotTerms{StartingCents: 1000, ReserveCents: 999, Increments: def}, []string{"reserve"}},
		{"ErrNegativeReserve", sc.LotTerms{StartingCents: 1000, ReserveCents: -1, Increments: def}, []string{"reserve"}},
		{"ErrNoIncrements", sc.LotTerms{StartingCents: 1000}, []string{"increments.steps"}},
		{"ErrBadStep", sc.LotTerms{StartingCents: 1000, Increments: sc.IncrementTable{{0, 5}, {100, 0}}}, []string{"increments.steps.1.incrementCents"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireFields(t, tc.fields, tc.terms.Validate())
		})
	}
}

func TestMinimumBid(t *testing.T) {
	t.Parallel()
	terms := sc.LotTerms{StartingCents: 1000, Increments: sc.DefaultIncrementTable()}
	for _, tc := range []struct {
		name  string
		state sc.LotState
		min   int64
	}{
		{"NoBidsStartingBid", sc.LotState{}, 1000},
		{"At99Cents", sc.LotState{PriceCents: 99, LeaderBidder: 1, LeaderMaxCents: 99, Bids: 1}, 104},
		{"AtOneDollar", sc.LotState{PriceCents: 100, LeaderBidder: 1, LeaderMaxCents: 100, Bids: 1}, 125},
		{"At4.99", sc.LotState{PriceCents: 499, LeaderBidder: 1, LeaderMaxCents: 499, Bids: 1}, 524},
		{"At10", sc.LotState{PriceCents: 1000, LeaderBidder: 1, LeaderMaxCents: 3000, Bids: 1}, 1050},
		{"At99.99", sc.LotState{PriceCents: 9999, LeaderBidder: 1, LeaderMaxCents: 9999, Bids: 3}, 10099},
		{"At100", sc.LotState{PriceCents: 10000, LeaderBidder: 1, LeaderMaxCents: 10000, Bids: 3}, 10250},
		{"At5000", sc.LotState{PriceCents: 500000, LeaderBidder: 1, LeaderMaxCents: 500000, Bids: 9}, 510000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.min, terms.MinimumBid(tc.state))
			require.Equal(t, tc.min, terms.MinimumBidFor(tc.state, 2), "another bidder")
			if tc.state.LeaderBidder != 0 {
				require.Equal(t, max(tc.min, tc.state.LeaderMaxCents+1), terms.MinimumBidFor(tc.state, tc.state.LeaderBidder), "the leader")
			}
		})
	}
}

// bid is a bid in a test's stream; its Seq is its place in the stream, from 1.
type bid struct {
	bidder int64
	kind   sc.BidKind
	cents  int64
}

const (
	fl = sc.BidFloor
	ph = sc.BidPhone
	ab = sc.BidAbsentee
)

func TestBidPlace(t *testing.T) {
	t.Parallel()
	def := sc.DefaultIncrementTable()
	plain := sc.LotTerms{StartingCents: 1000, Increments: def}
	reserved := sc.LotTerms{StartingCents: 1000, ReserveCents: 5000, Increments: def}
	for _, tc := range []struct {
		name  string
		terms sc.LotTerms
		bids  []bid // all but the last must be accepted
		want  sc.LotState
		code  string // of the last bid; its state must then be the one before it
		field string
	}{
		{name: "FirstFloorAtItsAmount", terms: plain, bids: []bid{{1, fl, 1200}},
			want: sc.LotState{PriceCents: 1200, LeaderBidder: 1, LeaderMaxCents: 1200, LeaderSeq: 1, Bids: 1}},
		{name: "FirstPhoneAtStartingBid", terms: plain, bids: []bid{{1, ph, 1000}},
			want: sc.LotState{PriceCents: 1000, LeaderBidder: 1, LeaderMaxCents: 1000, LeaderSeq: 1, Bids: 1}},
		{name: "FirstAbsenteeAtStartingBid", terms: plain, bids: []bid{{1, ab, 3000}},
			want: sc.LotState{PriceCents: 1000, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 1}},
		{name: "ErrFirstBelowStartingBid", terms: plain, bids: []bid{{1, fl, 999}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "ErrAbsenteeBelowStartingBid", terms: plain, bids: []bid{{1, ab, 999}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "ErrBelowIncrement", terms: plain, bids: []bid{{1, fl, 1000}, {2, fl, 1049}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "FloorOutbidsFloorAtIncrement", terms: plain, bids: []bid{{1, fl, 1000}, {2, fl, 1050}},
			want: sc.LotState{PriceCents: 1050, LeaderBidder: 2, LeaderMaxCents: 1050, LeaderSeq: 2, Bids: 2}},
		{name: "FloorAnsweredByAbsenteeAtNextIncrement", terms: plain, bids: []bid{{1, ab, 3000}, {2, fl, 1500}},
			want: sc.LotState{PriceCents: 1550, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 2}},
		{name: "FloorAnsweredNeverAboveMaximum", terms: plain, bids: []bid{{1, ab, 3000}, {2, fl, 2950}},
			want: sc.LotState{PriceCents: 3000, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 2}},
		{name: "LowerAbsenteeAnsweredByHigher", terms: plain, bids: []bid{{1, ab, 3000}, {2, ab, 2000}},
			want: sc.LotState{PriceCents: 2050, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 2}},
		{name: "EqualMaximumsEarlierWins", terms: plain, bids: []bid{{1, ab, 3000}, {2, ab, 3000}},
			want: sc.LotState{PriceCents: 3000, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 2}},
		{name: "FloorEqualToMaximumLoses", terms: plain, bids: []bid{{1, ab, 3000}, {2, fl, 3000}},
			want: sc.LotState{PriceCents: 3000, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 1, Bids: 2}},
		{name: "AbsenteeBeatsMaximumByOneIncrement", terms: plain, bids: []bid{{1, ab, 3000}, {2, ab, 5000}},
			want: sc.LotState{PriceCents: 3100, LeaderBidder: 2, LeaderMaxCents: 5000, LeaderSeq: 2, Bids: 2}},
		{name: "AbsenteeBeatsAcrossIncrementStep", terms: plain, bids: []bid{{1, ab, 2450}, {2, ab, 5000}},
			want: sc.LotState{PriceCents: 2500, LeaderBidder: 2, LeaderMaxCents: 5000, LeaderSeq: 2, Bids: 2}},
		{name: "AbsenteeNeverAboveOwnMaximum", terms: plain, bids: []bid{{1, ab, 3000}, {2, ab, 3050}},
			want: sc.LotState{PriceCents: 3050, LeaderBidder: 2, LeaderMaxCents: 3050, LeaderSeq: 2, Bids: 2}},
		{name: "FloorBeatsAbsenteeAtItsAmount", terms: plain, bids: []bid{{1, ab, 3000}, {2, fl, 3500}},
			want: sc.LotState{PriceCents: 3500, LeaderBidder: 2, LeaderMaxCents: 3500, LeaderSeq: 2, Bids: 2}},
		{name: "AbsenteeAnswersFloorLeader", terms: plain, bids: []bid{{1, fl, 1200}, {2, ab, 4000}},
			want: sc.LotState{PriceCents: 1250, LeaderBidder: 2, LeaderMaxCents: 4000, LeaderSeq: 2, Bids: 2}},
		{name: "LeaderRaisingMaximumKeepsPrice", terms: plain, bids: []bid{{1, ab, 3000}, {2, fl, 1500}, {1, ab, 6000}},
			want: sc.LotState{PriceCents: 1550, LeaderBidder: 1, LeaderMaxCents: 6000, LeaderSeq: 3, Bids: 3}},
		{name: "LeaderFloorBidOnlyRaisesMaximum", terms: plain, bids: []bid{{1, fl, 1000}, {1, fl, 2000}},
			want: sc.LotState{PriceCents: 1000, LeaderBidder: 1, LeaderMaxCents: 2000, LeaderSeq: 2, Bids: 2}},
		{name: "ErrLeaderLowersMaximum", terms: plain, bids: []bid{{1, ab, 3000}, {1, ab, 2000}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "ErrLeaderRepeatsMaximum", terms: plain, bids: []bid{{1, ab, 3000}, {1, ab, 3000}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "ErrLeaderRaiseBelowMinimum", terms: plain, bids: []bid{{1, fl, 1000}, {1, fl, 1001}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "OutbidLeaderReturns", terms: plain, bids: []bid{{1, ab, 3000}, {2, ab, 5000}, {1, ab, 8000}},
			want: sc.LotState{PriceCents: 5100, LeaderBidder: 1, LeaderMaxCents: 8000, LeaderSeq: 3, Bids: 3}},
		{name: "ReserveLiftsAbsenteeFirstBid", terms: reserved, bids: []bid{{1, ab, 6000}},
			want: sc.LotState{PriceCents: 5000, LeaderBidder: 1, LeaderMaxCents: 6000, LeaderSeq: 1, Bids: 1}},
		{name: "ReserveLiftsMaximumAtReserve", terms: reserved, bids: []bid{{1, ab, 5000}},
			want: sc.LotState{PriceCents: 5000, LeaderBidder: 1, LeaderMaxCents: 5000, LeaderSeq: 1, Bids: 1}},
		{name: "MaximumBelowReserveDoesNotLift", terms: reserved, bids: []bid{{1, ab, 4999}},
			want: sc.LotState{PriceCents: 1000, LeaderBidder: 1, LeaderMaxCents: 4999, LeaderSeq: 1, Bids: 1}},
		{name: "LeaderRaisePastReserveLiftsToReserve", terms: reserved, bids: []bid{{1, ab, 3000}, {2, fl, 1500}, {1, ab, 7000}},
			want: sc.LotState{PriceCents: 5000, LeaderBidder: 1, LeaderMaxCents: 7000, LeaderSeq: 3, Bids: 3}},
		{name: "NewLeaderBelowReserve", terms: reserved, bids: []bid{{1, ab, 3000}, {2, ab, 4000}},
			want: sc.LotState{PriceCents: 3100, LeaderBidder: 2, LeaderMaxCents: 4000, LeaderSeq: 2, Bids: 2}},
		{name: "AnswerAboveReserve", terms: reserved, bids: []bid{{1, ab, 8000}, {2, fl, 6000}},
			want: sc.LotState{PriceCents: 6100, LeaderBidder: 1, LeaderMaxCents: 8000, LeaderSeq: 1, Bids: 2}},
		{name: "ErrBelowLiftedPrice", terms: reserved, bids: []bid{{1, ab, 8000}, {2, fl, 5050}}, code: sc.EBIDTOOLOW, field: "amount"},
		{name: "ErrNoBidder", terms: plain, bids: []bid{{0, fl, 1000}}, code: sc.EINVALID, field: "paddle"},
		{name: "ErrUnknownKind", terms: plain, bids: []bid{{1, "SHOUT", 1000}}, code: sc.EINVALID, field: "kind"},
		{name: "ErrZeroAmount", terms: plain, bids: []bid{{1, fl, 0}}, code: sc.EINVALID, field: "amount"},
		{name: "ErrNegativeAmount", terms: plain, bids: []bid{{1, fl, -1000}}, code: sc.EINVALID, field: "amount"},
		{name: "ErrAboveLimit", terms: plain, bids: []bid{{1, fl, sc.MaxAmountCents + 1}}, code: sc.EINVALID, field: "amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s sc.LotState
			for i, b := range tc.bids {
				next, err := tc.terms.Place(s, sc.BidLine{Seq: int64(i + 1), Bidder: b.bidder, Kind: b.kind, Cents: b.cents})
				if i < len(tc.bids)-1 || tc.code == "" {
					require.NoError(t, err, "bid %d", i+1)
					s = next
					continue
				}
				require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
				require.Equal(t, tc.field, sc.AsErrors(err)[0].Field)
				require.Equal(t, s, next, "a refused bid changes nothing")
				return
			}
			require.Equal(t, tc.want, s)
		})
	}
}

// TestBidPlaceNamesTheMinimum: the issue asks that a bid below the minimum says what the minimum
// is, so staff can read it out; the figure is part of the contract, not wording.
func TestBidPlaceNamesTheMinimum(t *testing.T) {
	t.Parallel()
	terms := sc.LotTerms{StartingCents: 1200, Increments: sc.DefaultIncrementTable()}
	_, err := terms.Place(sc.LotState{}, sc.BidLine{Seq: 1, Bidder: 1, Kind: fl, Cents: 1000})
	require.Contains(t, sc.ErrorMessage(err), "12.00 USD")
	s, err := terms.Place(sc.LotState{}, sc.BidLine{Seq: 1, Bidder: 1, Kind: fl, Cents: 1200})
	require.NoError(t, err)
	_, err = terms.Place(s, sc.BidLine{Seq: 2, Bidder: 2, Kind: fl, Cents: 1200})
	require.Contains(t, sc.ErrorMessage(err), "12.50 USD")
}

func TestBidPlaceEqualMaximumToTheLowerSequence(t *testing.T) {
	t.Parallel()
	// The engine orders ties by Seq, not by arrival: a bid with a lower Seq than the leader's
	// maximum (which a serial lot never sends, but a caller might) takes an equal maximum.
	terms := sc.LotTerms{StartingCents: 1000, Increments: sc.DefaultIncrementTable()}
	s := sc.LotState{PriceCents: 2000, LeaderBidder: 1, LeaderMaxCents: 3000, LeaderSeq: 5, Bids: 2}
	next, err := terms.Place(s, sc.BidLine{Seq: 3, Bidder: 2, Kind: ab, Cents: 3000})
	require.NoError(t, err)
	require.Equal(t, sc.LotState{PriceCents: 3000, LeaderBidder: 2, LeaderMaxCents: 3000, LeaderSeq: 3, Bids: 3}, next)
	next, err = terms.Place(s, sc.BidLine{Seq: 6, Bidder: 2, Kind: ab, Cents: 3000})
	require.NoError(t, err)
	require.Equal(t, int64(1), next.LeaderBidder)
}

func TestLotHammer(t *testing.T) {
	t.Parallel()
	def := sc.DefaultIncrementTable()
	plain := sc.LotTerms{StartingCents: 1000, Increments: def}
	reserved := sc.LotTerms{StartingCents: 1000, ReserveCents: 5000, Increments: def}
	for _, tc := range []struct {
		name   string
		terms  sc.LotTerms
		state  sc.LotState
		met    bool
		status sc.LotStatus
		reason sc.UnsoldReason
	}{
		{"NoBids", plain, sc.LotState{}, true, sc.LotUnsold, sc.UnsoldNoBids},
		{"NoBidsWithReserve", reserved, sc.LotState{}, false, sc.LotUnsold, sc.UnsoldNoBids},
		{"SoldNoReserve", plain, sc.LotState{PriceCents: 1000, LeaderBidder: 7, LeaderMaxCents: 1000, Bids: 1}, true, sc.LotSold, ""},
		{"ReserveNotMet", reserved, sc.LotState{PriceCents: 4999, LeaderBidder: 7, LeaderMaxCents: 4999, Bids: 3}, false, sc.LotUnsold, sc.UnsoldReserveNotMet},
		{"ReserveMetExactly", reserved, sc.LotState{PriceCents: 5000, LeaderBidder: 7, LeaderMaxCents: 6000, Bids: 1}, true, sc.LotSold, ""},
		{"ReserveExceeded", reserved, sc.LotState{PriceCents: 7000, LeaderBidder: 7, LeaderMaxCents: 7000, Bids: 4}, true, sc.LotSold, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.met, tc.terms.ReserveMet(tc.state))
			status, reason := tc.terms.Hammer(tc.state)
			require.Equal(t, tc.status, status)
			require.Equal(t, tc.reason, reason)
		})
	}
}

func TestLotClockExtend(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	clock := sc.NewLotClock(end, 2*time.Minute, 30*time.Minute)
	require.Equal(t, end.Add(30*time.Minute), clock.Cap)
	for _, tc := range []struct {
		name     string
		clock    sc.LotClock
		at       time.Time
		end      time.Time
		extended bool
	}{
		{"LongBeforeEnd", clock, end.Add(-time.Hour), end, false},
		{"JustBeforeWindow", clock, end.Add(-2*time.Minute - time.Nanosecond), end, false},
		{"ExactlyAtWindowStart", clock, end.Add(-2 * time.Minute), end, false}, // at+window is the end itself
		{"InsideWindow", clock, end.Add(-30 * time.Second), end.Add(90 * time.Second), true},
		{"LastInstant", clock, end.Add(-time.Nanosecond), end.Add(2*time.Minute - time.Nanosecond), true},
		{"AtEndIsLate", clock, end, end, false},
		{"AfterEnd", clock, end.Add(time.Second), end, false},
		{"ExtendedAgain", sc.LotClock{End: end.Add(10 * time.Minute), Cap: clock.Cap, Window: 2 * time.Minute},
			end.Add(9 * time.Minute), end.Add(11 * time.Minute), true},
		{"CappedNearCap", sc.LotClock{End: end.Add(29 * time.Minute), Cap: clock.Cap, Window: 2 * time.Minute},
			end.Add(29*time.Minute - 10*time.Second), clock.Cap, true},
		{"AtCapStaysThere", sc.LotClock{End: clock.Cap, Cap: clock.Cap, Window: 2 * time.Minute},
			clock.Cap.Add(-time.Minute), clock.Cap, false},
		{"NoWindowNoSoftClose", sc.LotClock{End: end, Cap: clock.Cap}, end.Add(-time.Second), end, false},
		{"NoCapNoExtension", sc.NewLotClock(end, 2*time.Minute, 0), end.Add(-time.Second), end, false},
		{"CapBeforeEndNeverMovesBack", sc.LotClock{End: end, Cap: end.Add(-time.Minute), Window: 2 * time.Minute},
			end.Add(-time.Second), end, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, extended := tc.clock.Extend(tc.at)
			require.Equal(t, tc.end, got)
			require.Equal(t, tc.extended, extended)
		})
	}
	require.False(t, clock.Ended(end.Add(-time.Nanosecond)))
	require.True(t, clock.Ended(end))
}

func TestLotEnds(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	require.Equal(t, []time.Time{end, end.Add(20 * time.Second), end.Add(40 * time.Second)}, sc.LotEnds(end, 20*time.Second, 3))
	require.Equal(t, []time.Time{end, end}, sc.LotEnds(end, 0, 2))
	require.Empty(t, sc.LotEnds(end, time.Second, 0))
	require.Empty(t, sc.LotEnds(end, time.Second, -1))
}

func TestLotReceiptTerms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		paid, estimate int64
		deductible     int64
		disclosure     bool
	}{
		{"PaidOverEstimate", 20000, 8000, 12000, true},
		{"PaidBelowEstimate", 5000, 8000, 0, false},
		{"PaidEqualsEstimate", 8000, 8000, 0, true},
		{"NoEstimate", 4000, 0, 4000, false},
		{"Exactly75NoDisclosure", 7500, 1000, 6500, false},
		{"75.01Discloses", 7501, 1000, 6501, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, disclose := sc.ReceiptTerms(sc.USD(tc.paid), sc.USD(tc.estimate))
			require.Equal(t, sc.USD(tc.deductible), d)
			require.Equal(t, tc.disclosure, disclose)
		})
	}
}

func TestAuctionEnums(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, values []string, valid func(string) bool, unmarshal func(any) error) {
		for _, v := range values {
			require.True(t, valid(v), v)
			require.NoError(t, unmarshal(v), v)
		}
		for _, bad := range []any{"", "open", "NOPE", 3, nil} {
			require.Equal(t, sc.EINVALID, sc.ErrorCode(unmarshal(bad)), "%v", bad)
		}
	}
	t.Run("AuctionKind", func(t *testing.T) {
		var k sc.AuctionKind
		check(t, []string{"TIMED", "LIVE"}, func(s string) bool { return sc.AuctionKind(s).Valid() }, k.UnmarshalGQL)
	})
	t.Run("AuctionStatus", func(t *testing.T) {
		var s sc.AuctionStatus
		check(t, []string{"DRAFT", "SCHEDULED", "OPEN", "CLOSED", "SETTLED", "CANCELLED"}, func(v string) bool { return sc.AuctionStatus(v).Valid() }, s.UnmarshalGQL)
	})
	t.Run("LotStatus", func(t *testing.T) {
		var s sc.LotStatus
		check(t, []string{"PENDING", "OPEN", "SOLD", "UNSOLD", "PAID", "UNPAID"}, func(v string) bool { return sc.LotStatus(v).Valid() }, s.UnmarshalGQL)
	})
	t.Run("BidKind", func(t *testing.T) {
		var k sc.BidKind
		check(t, []string{"FLOOR", "PHONE", "ABSENTEE"}, func(v string) bool { return sc.BidKind(v).Valid() }, k.UnmarshalGQL)
	})
	t.Run("UnsoldReason", func(t *testing.T) {
		var r sc.UnsoldReason
		check(t, []string{"NO_BIDS", "RESERVE_NOT_MET", "PASSED"}, func(v string) bool { return sc.UnsoldReason(v).Valid() }, r.UnmarshalGQL)
	})
	t.Run("LotEventKind", func(t *testing.T) {
		var k sc.LotEventKind
		check(t, []string{"OPENED", "BID", "REJECTED", "RETRACTED", "EXTENDED", "SOLD", "UNSOLD", "PASSED", "PAID", "UNPAID"}, func(v string) bool { return sc.LotEventKind(v).Valid() }, k.UnmarshalGQL)
	})
	t.Run("PaymentMethod", func(t *testing.T) {
		var m sc.PaymentMethod
		check(t, []string{"CASH", "CARD", "CHECK", "TRANSFER"}, func(v string) bool { return sc.PaymentMethod(v).Valid() }, m.UnmarshalGQL)
	})
	var b bytes.Buffer
	sc.BidAbsentee.MarshalGQL(&b)
	sc.LotUnsold.MarshalGQL(&b)
	require.Equal(t, `"ABSENTEE""UNSOLD"`, b.String())
}

// leader is the bid the rules say leads: the highest amount, ties to the lower Seq.
func leader(bids []sc.BidLine) (sc.BidLine, bool) {
	if len(bids) == 0 {
		return sc.BidLine{}, false
	}
	best := bids[0]
	for _, b := range bids[1:] {
		if b.Cents > best.Cents || b.Cents == best.Cents && b.Seq < best.Seq {
			best = b
		}
	}
	return best, true
}

// requireInvariants checks what holds for every state whatever the stream: the leader is the
// highest maximum (ties to the earlier bid), the price is within [starting bid, leader's
// maximum], and a maximum at or above the reserve has lifted the price to it.
func requireInvariants(t *testing.T, terms sc.LotTerms, accepted []sc.BidLine, s sc.LotState) {
	t.Helper()
	require.Equal(t, len(accepted), s.Bids)
	lead, ok := leader(accepted)
	if !ok {
		require.Equal(t, sc.LotState{}, s)
		return
	}
	require.Equal(t, lead.Bidder, s.LeaderBidder, "the leader is the highest maximum, ties to the lower Seq")
	require.Equal(t, lead.Cents, s.LeaderMaxCents)
	require.Equal(t, lead.Seq, s.LeaderSeq)
	require.LessOrEqual(t, s.PriceCents, s.LeaderMaxCents, "price <= leader's maximum")
	require.GreaterOrEqual(t, s.PriceCents, terms.StartingCents, "price >= starting bid")
	if terms.ReserveCents > 0 && s.LeaderMaxCents >= terms.ReserveCents {
		require.GreaterOrEqual(t, s.PriceCents, terms.ReserveCents, "a maximum at the reserve lifts the price to it")
	}
	if terms.ReserveCents > 0 && s.LeaderMaxCents < terms.ReserveCents {
		require.False(t, terms.ReserveMet(s), "the reserve is never met by a lower maximum")
	}
}

// randomTerms are a lot's terms: the default table or a random valid one, a starting bid, and
// a reserve half the time.
func randomTerms(r *rand.Rand) sc.LotTerms {
	tab := sc.DefaultIncrementTable()
	if r.IntN(3) == 0 {
		tab = sc.IncrementTable{{0, 1 + r.Int64N(20)}}
		for range r.IntN(5) {
			last := tab[len(tab)-1]
			tab = append(tab, sc.IncrementStep{FromCents: last.FromCents + 1 + r.Int64N(5000), IncrementCents: last.IncrementCents + r.Int64N(200)})
		}
	}
	t := sc.LotTerms{StartingCents: 1 + r.Int64N(5000), Increments: tab}
	if r.IntN(2) == 0 {
		t.ReserveCents = t.StartingCents + r.Int64N(20000)
	}
	return t
}

// randomBid makes a bid that is interesting in state s: below the minimum, at it, at or just
// around a maximum already placed (equal maximums), or well above; by a few bidders, so the
// leader often bids again.
func randomBid(r *rand.Rand, terms sc.LotTerms, s sc.LotState, accepted []sc.BidLine, seq int64, kinds []sc.BidKind) sc.BidLine {
	b := sc.BidLine{Seq: seq, Bidder: 1 + r.Int64N(4), Kind: kinds[r.IntN(len(kinds))]}
	m := terms.MinimumBid(s)
	switch r.IntN(6) {
	case 0:
		b.Cents = m - 1 - r.Int64N(50)
	case 1:
		b.Cents = m
	case 2:
		if len(accepted) > 0 {
			b.Cents = accepted[r.IntN(len(accepted))].Cents + r.Int64N(3) - 1
		} else {
			b.Cents = m
		}
	case 3:
		b.Cents = s.LeaderMaxCents + r.Int64N(3) - 1
	default:
		b.Cents = m + r.Int64N(5000)
	}
	b.Cents = max(b.Cents, 1)
	return b
}

// TestBidStreamProperties: random streams of maximums, equal maximums, floor and phone bids and
// leaders raising their maximum. After every bid the invariants hold, the price never falls,
// a refused bid changes nothing, Replay of the accepted bids (in any order) is the state, and
// retracting any bid is the replay of the rest, in which no bid is accepted that Place refuses.
func TestBidStreamProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(14, 1))
	all := []sc.BidKind{fl, ph, ab}
	for stream := 0; stream < 2000; stream++ {
		terms := randomTerms(r)
		require.NoError(t, terms.Validate())
		kinds := all
		if stream%4 == 0 {
			kinds = []sc.BidKind{ab}
		}
		var s sc.LotState
		var accepted []sc.BidLine
		for seq := int64(1); seq <= int64(5+r.IntN(40)); seq++ {
			b := randomBid(r, terms, s, accepted, seq, kinds)
			next, err := terms.Place(s, b)
			if err != nil {
				require.Equal(t, sc.EBIDTOOLOW, sc.ErrorCode(err), "%v", err)
				require.Less(t, b.Cents, terms.MinimumBidFor(s, b.Bidder))
				require.Equal(t, s, next, "a refused bid changes nothing")
				continue
			}
			require.GreaterOrEqual(t, b.Cents, terms.MinimumBidFor(s, b.Bidder))
			require.GreaterOrEqual(t, next.PriceCents, s.PriceCents, "the price never falls while bids only arrive")
			if b.Bidder == s.LeaderBidder {
				require.True(t, next.PriceCents == s.PriceCents || next.PriceCents == terms.ReserveCents,
					"a leader raising its maximum moves the price only up to the reserve")
			}
			s = next
			accepted = append(accepted, b)
			requireInvariants(t, terms, accepted, s)
		}
		shuffled := slices.Clone(accepted)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		replayed, refused := terms.ReplayRefused(shuffled)
		require.Equal(t, s, replayed, "Replay(bids) is the fold of Place")
		require.Empty(t, refused)
		if len(accepted) == 0 {
			continue
		}
		// Retract one bid: the state is the serial fold of Place over the rest, skipping what
		// Place refuses there, and retracting the last bid is exactly the state before it.
		k := r.IntN(len(accepted))
		rest := slices.Delete(slices.Clone(accepted), k, k+1)
		var want sc.LotState
		var kept, dropped []sc.BidLine
		for _, b := range rest {
			next, err := terms.Place(want, b)
			if err != nil {
				require.Less(t, b.Cents, terms.MinimumBidFor(want, b.Bidder))
				dropped = append(dropped, b)
				continue
			}
			want = next
			kept = append(kept, b)
		}
		got, refused := terms.ReplayRefused(rest)
		require.Equal(t, want, got)
		require.Equal(t, dropped, refused)
		require.Equal(t, want, terms.Replay(rest))
		requireInvariants(t, terms, kept, got)
		if k == len(accepted)-1 {
			require.Equal(t, terms.Replay(accepted[:k]), got)
		}
	}
}

// TestAbsenteePriceIsSecondMaximumPlusIncrement: with absentee bids only, and no leader raising
// its own maximum, the price is exactly the rule: the lowest amount that beats the
// second-highest maximum (of the other bidders) by one increment, never above the leader's
// maximum, the starting bid with no second bidder, and lifted to the reserve by a leader's
// maximum at or above it.
func TestAbsenteePriceIsSecondMaximumPlusIncrement(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(14, 2))
	for stream := 0; stream < 2000; stream++ {
		terms := randomTerms(r)
		var s sc.LotState
		var accepted []sc.BidLine
		for seq := int64(1); seq <= 30; seq++ {
			b := randomBid(r, terms, s, accepted, seq, []sc.BidKind{ab})
			if b.Bidder == s.LeaderBidder {
				continue
			}
			next, err := terms.Place(s, b)
			if err != nil {
				continue
			}
			s, accepted = next, append(accepted, b)
			want := terms.StartingCents
			second := int64(-1)
			for _, a := range accepted {
				if a.Bidder != s.LeaderBidder {
					second = max(second, a.Cents)
				}
			}
			if second >= 0 {
				want = min(s.LeaderMaxCents, second+terms.Increments.Increment(second))
			}
			if terms.ReserveCents > 0 && s.LeaderMaxCents >= terms.ReserveCents {
				want = max(want, terms.ReserveCents)
			}
			require.Equal(t, want, s.PriceCents, "stream %d bid %d: %+v after %+v", stream, seq, s, accepted)
		}
	}
}

// TestLotClockProperties: for random clocks and bid times, the end never moves back, never
// passes the cap (unless it already did), and moves only for a bid inside the window.
func TestLotClockProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(14, 3))
	base := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	for range 20000 {
		c := sc.LotClock{
			End:    base.Add(time.Duration(r.Int64N(int64(time.Hour)))),
			Cap:    base.Add(time.Duration(r.Int64N(int64(2 * time.Hour)))),
			Window: time.Duration(r.Int64N(int64(5 * time.Minute))),
		}
		at := c.End.Add(time.Duration(r.Int64N(int64(20*time.Minute))) - 10*time.Minute)
		end, extended := c.Extend(at)
		require.Equal(t, extended, end != c.End)
		require.False(t, end.Before(c.End), "the end never moves back")
		if extended {
			require.False(t, end.After(c.Cap), "never past the cap")
			require.False(t, end.After(at.Add(c.Window)))
			require.True(t, at.Before(c.End) && !at.Before(c.End.Add(-c.Window)), "only a bid inside the window extends")
		}
	}
}

func TestAuctionInputValidate(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC)
	end := start.Add(48 * time.Hour)
	before := start.Add(-time.Hour)
	far := time.Date(3001, 1, 1, 0, 0, 0, 0, time.UTC)
	dur := func(d time.Duration) *time.Duration { return &d }
	ok := func() sc.AuctionInput {
		return sc.AuctionInput{Title: "Spring auction", Kind: sc.AuctionTimed, StartsAt: start, EndsAt: &end}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*sc.AuctionInput)
		fields []string
	}{
		{"OKTimed", func(*sc.AuctionInput) {}, nil},
		{"OKLiveWithoutEnd", func(in *sc.AuctionInput) { in.Kind, in.EndsAt = sc.AuctionLive, nil }, nil},
		{"OKNoSoftClose", func(in *sc.AuctionInput) { in.SoftCloseWindow, in.ExtensionCap = dur(0), dur(0) }, nil},
		{"OKLimits", func(in *sc.AuctionInput) {
			in.SoftCloseWindow, in.ExtensionCap, in.Stagger = dur(time.Hour), dur(24*time.Hour), dur(10*time.Minute)
		}, nil},
		{"ErrNoTitle", func(in *sc.AuctionInput) { in.Title = "  " }, []string{"title"}},
		{"ErrTitleControl", func(in *sc.AuctionInput) { in.Title = "Spring\x1b[31m" }, []string{"title"}},
		{"ErrDescriptionNUL", func(in *sc.AuctionInput) { in.Description = "a\x00b" }, []string{"description"}},
		{"ErrKind", func(in *sc.AuctionInput) { in.Kind = "timed" }, []string{"kind"}},
		{"ErrNoStart", func(in *sc.AuctionInput) { in.StartsAt = time.Time{} }, []string{"startsAt"}},
		{"ErrStartOutOfRange", func(in *sc.AuctionInput) { in.StartsAt = far }, []string{"startsAt"}},
		{"ErrTimedWithoutEnd", func(in *sc.AuctionInput) { in.EndsAt = nil }, []string{"endsAt"}},
		{"ErrEndBeforeStart", func(in *sc.AuctionInput) { in.EndsAt = &before }, []string{"endsAt"}},
		{"ErrEndAtStart", func(in *sc.AuctionInput) { in.EndsAt = &start }, []string{"endsAt"}},
		{"ErrLiveEndBeforeStart", func(in *sc.AuctionInput) { in.Kind, in.EndsAt = sc.AuctionLive, &before }, []string{"endsAt"}},
		{"ErrEndOutOfRange", func(in *sc.AuctionInput) { in.EndsAt = &far }, []string{"endsAt"}},
		{"ErrNegativeWindow", func(in *sc.AuctionInput) { in.SoftCloseWindow = dur(-time.Second) }, []string{"softCloseSeconds"}},
		{"ErrWindowOverAnHour", func(in *sc.AuctionInput) { in.SoftCloseWindow = dur(time.Hour + time.Second) }, []string{"softCloseSeconds"}},
		{"ErrCapOverADay", func(in *sc.AuctionInput) { in.ExtensionCap = dur(25 * time.Hour) }, []string{"extensionCapSeconds"}},
		{"ErrStaggerOverTenMinutes", func(in *sc.AuctionInput) { in.Stagger = dur(11 * time.Minute) }, []string{"staggerSeconds"}},
		{"ErrSeveral", func(in *sc.AuctionInput) { in.Title, in.Kind, in.Stagger = "", "", dur(-1) }, []string{"title", "kind", "staggerSeconds"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.edit(&in)
			requireFields(t, tc.fields, in.Validate())
		})
	}
	in := ok()
	require.NoError(t, in.Validate())
	require.Equal(t, sc.DefaultSoftCloseWindow, *in.SoftCloseWindow, "defaults are filled in")
	require.Equal(t, sc.DefaultExtensionCap, *in.ExtensionCap)
	require.Equal(t, time.Duration(0), *in.Stagger)
}

func TestLotInputValidate(t *testing.T) {
	t.Parallel()
	usd := func(a string) sc.MoneyInput { return sc.MoneyInput{Amount: a, Currency: "USD"} }
	reserve := func(m sc.MoneyInput) *sc.MoneyInput { return &m }
	ok := func() sc.LotInput {
		return sc.LotInput{Number: 1, Items: []int64{11}, Title: "A lamp", Estimate: usd("40.00"), StartingBid: usd("10")}
	}
	// items gives a lot of several items each item's estimate, as a lot of several needs.
	items := func(in *sc.LotInput, ids []int64) {
		in.Items = ids
		in.ItemEstimates = make([]sc.MoneyInput, len(ids))
		for i := range ids {
			in.ItemEstimates[i] = usd("1.00")
		}
	}
	many := make([]int64, sc.MaxLotItems+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for _, tc := range []struct {
		name   string
		edit   func(*sc.LotInput)
		fields []string
	}{
		{"OK", func(*sc.LotInput) {}, nil},
		{"OKReserveAtStartingBid", func(in *sc.LotInput) { in.Reserve = reserve(usd("10.00")) }, nil},
		{"OKZeroEstimate", func(in *sc.LotInput) { in.Estimate = usd("0") }, nil},
		{"OKFiftyItems", func(in *sc.LotInput) { items(in, many[:sc.MaxLotItems]) }, nil},
		{"OKItemEstimatesMakeTheEstimate", func(in *sc.LotInput) {
			items(in, []int64{11, 12})
			if in.Validate() == nil && in.Estimate.Amount != "2.00" {
				t.Errorf("estimate %s, want the items' 2.00", in.Estimate.Amount)
			}
		}, nil},
		{"ErrSeveralItemsWithoutEstimates", func(in *sc.LotInput) { in.Items = []int64{11, 12} }, []string{"items"}},
		{"ErrItemEstimateNegative", func(in *sc.LotInput) { items(in, []int64{11, 12}); in.ItemEstimates[1] = usd("-1") }, []string{"items.1.estimate.amount"}},
		{"ErrNumberZero", func(in *sc.LotInput) { in.Number = 0 }, []string{"number"}},
		{"ErrNumberHuge", func(in *sc.LotInput) { in.Number = sc.MaxLotNumber + 1 }, []string{"number"}},
		{"ErrNoItems", func(in *sc.LotInput) { in.Items = nil }, []string{"items"}},
		{"ErrTooManyItems", func(in *sc.LotInput) { items(in, many) }, []string{"items"}},
		{"ErrDuplicateItem", func(in *sc.LotInput) { items(in, []int64{11, 12, 11}) }, []string{"items.2"}},
		{"ErrBadItemID", func(in *sc.LotInput) { items(in, []int64{0, 12}) }, []string{"items.0"}},
		{"ErrNoTitle", func(in *sc.LotInput) { in.Title = "" }, []string{"title"}},
		{"ErrNoEstimate", func(in *sc.LotInput) { in.Estimate = sc.MoneyInput{} }, []string{"estimate.currency"}},
		{"ErrEstimateNotNumeric", func(in *sc.LotInput) { in.Estimate = usd("forty") }, []string{"estimate.amount"}},
		{"ErrNegativeEstimate", func(in *sc.LotInput) { in.Estimate = usd("-1") }, []string{"estimate.amount"}},
		{"ErrEstimateInEuros", func(in *sc.LotInput) { in.Estimate = sc.MoneyInput{Amount: "40", Currency: "EUR"} }, []string{"estimate.currency"}},
		{"ErrZeroStartingBid", func(in *sc.LotInput) { in.StartingBid = usd("0.00") }, []string{"startingBid.amount"}},
		{"ErrStartingBidTooPrecise", func(in *sc.LotInput) { in.StartingBid = usd("10.001") }, []string{"startingBid.amount"}},
		{"ErrReserveBelowStartingBid", func(in *sc.LotInput) { in.Reserve = reserve(usd("9.99")) }, []string{"reserve.amount"}},
		{"ErrReserveCurrency", func(in *sc.LotInput) { in.Reserve = reserve(sc.MoneyInput{Amount: "50", Currency: "usd"}) }, []string{"reserve.currency"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.edit(&in)
			requireFields(t, tc.fields, in.Validate())
		})
	}
	in := ok()
	in.Reserve = reserve(usd("50"))
	terms, err := in.Terms(sc.DefaultIncrementTable())
	require.NoError(t, err)
	require.Equal(t, sc.LotTerms{StartingCents: 1000, ReserveCents: 5000, Increments: sc.DefaultIncrementTable()}, terms)
	require.Equal(t, int64(4000), in.EstimateCents())
	_, err = in.Terms(nil)
	requireFields(t, []string{"increments.steps"}, err)
	in.Number = 0
	_, err = in.Terms(sc.DefaultIncrementTable())
	requireFields(t, []string{"number"}, err)
}

func TestBidderInputValidate(t *testing.T) {
	t.Parallel()
	ok := func() sc.BidderInput {
		return sc.BidderInput{Name: "Ada Byron", Email: "ada@example.org", Phone: "+1 (555) 010-2030",
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*sc.BidderInput)
		fields []string
	}{
		{"OK", func(*sc.BidderInput) {}, nil},
		{"OKNoPhone", func(in *sc.BidderInput) { in.Phone = "" }, nil},
		{"OKNoRegion", func(in *sc.BidderInput) { in.Address.Region, in.Address.Country = "", "GB" }, nil},
		{"ErrNoName", func(in *sc.BidderInput) { in.Name = "" }, []string{"name"}},
		{"ErrNameBidiOverride", func(in *sc.BidderInput) { in.Name = "Ada\u202eByron" }, []string{"name"}},
		{"ErrEmail", func(in *sc.BidderInput) { in.Email = "ada at example.org" }, []string{"email"}},
		{"ErrEmailWithName", func(in *sc.BidderInput) { in.Email = "Ada <ada@example.org>" }, []string{"email"}},
		{"ErrNoEmail", func(in *sc.BidderInput) { in.Email = "" }, []string{"email"}},
		{"ErrPhoneLetters", func(in *sc.BidderInput) { in.Phone = "call me" }, []string{"phone"}},
		{"ErrPhoneShort", func(in *sc.BidderInput) { in.Phone = "12345" }, []string{"phone"}},
		{"ErrPhonePlusInside", func(in *sc.BidderInput) { in.Phone = "555+0102030" }, []string{"phone"}},
		{"ErrNoLine1", func(in *sc.BidderInput) { in.Address.Line1 = "" }, []string{"address.line1"}},
		{"ErrNoCity", func(in *sc.BidderInput) { in.Address.City = " " }, []string{"address.city"}},
		{"ErrNoPostalCode", func(in *sc.BidderInput) { in.Address.PostalCode = "" }, []string{"address.postalCode"}},
		{"ErrNoCountry", func(in *sc.BidderInput) { in.Address.Country = "" }, []string{"address.country"}},
		{"ErrCountry", func(in *sc.BidderInput) { in.Address.Country = "USA" }, []string{"address.country"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.edit(&in)
			requireFields(t, tc.fields, in.Validate())
		})
	}
	in := ok()
	require.NoError(t, in.Validate())
	require.Equal(t, "Ada Byron", in.Address.Recipient, "the receipt is addressed to the bidder")
}

func TestBidInputValidate(t *testing.T) {
	t.Parallel()
	ok := func() sc.BidInput {
		return sc.BidInput{Lot: 5, Paddle: sc.FirstPaddle, Kind: sc.BidAbsentee, Amount: sc.MoneyInput{Amount: "12.50", Currency: "USD"}, IdempotencyKey: "4f1c6a52-1c1e-4b7e-9a55-0d3c3f1a2b3c"}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*sc.BidInput)
		fields []string
	}{
		{"OK", func(*sc.BidInput) {}, nil},
		{"OKFloor", func(in *sc.BidInput) { in.Kind = sc.BidFloor }, nil},
		{"ErrLot", func(in *sc.BidInput) { in.Lot = 0 }, []string{"lot"}},
		{"ErrPaddleBelowFirst", func(in *sc.BidInput) { in.Paddle = sc.FirstPaddle - 1 }, []string{"paddle"}},
		{"ErrPaddleHuge", func(in *sc.BidInput) { in.Paddle = sc.MaxPaddle + 1 }, []string{"paddle"}},
		{"ErrKind", func(in *sc.BidInput) { in.Kind = "PROXY" }, []string{"kind"}},
		{"ErrOtherCurrency", func(in *sc.BidInput) { in.Amount.Currency = "EUR" }, []string{"amount.currency"}},
		{"ErrNotACurrency", func(in *sc.BidInput) { in.Amount.Currency = "dollars" }, []string{"amount.currency"}},
		{"ErrNonNumeric", func(in *sc.BidInput) { in.Amount.Amount = "twelve" }, []string{"amount.amount"}},
		{"ErrNegative", func(in *sc.BidInput) { in.Amount.Amount = "-12.50" }, []string{"amount.amount"}},
		{"ErrZero", func(in *sc.BidInput) { in.Amount.Amount = "0" }, []string{"amount.amount"}},
		{"ErrAboveLimit", func(in *sc.BidInput) { in.Amount.Amount = "1000000.01" }, []string{"amount.amount"}},
		{"ErrNoKey", func(in *sc.BidInput) { in.IdempotencyKey = "" }, []string{"idempotencyKey"}},
		{"ErrLongKey", func(in *sc.BidInput) { in.IdempotencyKey = string(bytes.Repeat([]byte("k"), 101)) }, []string{"idempotencyKey"}},
		{"ErrKeyControl", func(in *sc.BidInput) { in.IdempotencyKey = "a\nb" }, []string{"idempotencyKey"}},
		{"ErrKeyNotUTF8", func(in *sc.BidInput) { in.IdempotencyKey = "a\xffb" }, []string{"idempotencyKey"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.edit(&in)
			requireFields(t, tc.fields, in.Validate())
		})
	}
	in := ok()
	require.Equal(t, int64(1250), in.Cents())
}

func TestAuctionPaymentAndOfferInputValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		in     sc.PaymentInput
		fields []string
	}{
		{"OK", sc.PaymentInput{Lot: 1, Amount: sc.MoneyInput{Amount: "31", Currency: "USD"}, Method: sc.PaymentCard}, nil},
		{"ErrLot", sc.PaymentInput{Lot: -1, Amount: sc.MoneyInput{Amount: "31", Currency: "USD"}, Method: sc.PaymentCash}, []string{"lot"}},
		{"ErrZeroAmount", sc.PaymentInput{Lot: 1, Amount: sc.MoneyInput{Amount: "0", Currency: "USD"}, Method: sc.PaymentCheck}, []string{"amount.amount"}},
		{"ErrCurrency", sc.PaymentInput{Lot: 1, Amount: sc.MoneyInput{Amount: "31", Currency: "CAD"}, Method: sc.PaymentTransfer}, []string{"amount.currency"}},
		{"ErrMethod", sc.PaymentInput{Lot: 1, Amount: sc.MoneyInput{Amount: "31", Currency: "USD"}, Method: "BITCOIN"}, []string{"method"}},
	} {
		t.Run("Payment"+tc.name, func(t *testing.T) {
			requireFields(t, tc.fields, tc.in.Validate())
		})
	}
	for _, tc := range []struct {
		name   string
		in     sc.OfferInput
		fields []string
	}{
		{"OKOneDay", sc.OfferInput{Lot: 1, Bidder: 2, Days: 1}, nil},
		{"OKSevenDays", sc.OfferInput{Lot: 1, Bidder: 2, Days: 7}, nil},
		{"ErrTwoDays", sc.OfferInput{Lot: 1, Bidder: 2, Days: 2}, []string{"days"}},
		{"ErrZeroDays", sc.OfferInput{Lot: 1, Bidder: 2}, []string{"days"}},
		{"ErrNoLotNoBidder", sc.OfferInput{Days: 3}, []string{"lot", "bidder"}},
	} {
		t.Run("Offer"+tc.name, func(t *testing.T) {
			requireFields(t, tc.fields, tc.in.Validate())
		})
	}
}

// FuzzAuctionInputs: whatever a client sends, the auction inputs' Validate (and the engine fed
// what they accept) never panics, and every error it returns is an INVALID error on a field.
func FuzzAuctionInputs(f *testing.F) {
	f.Add("Spring auction", "TIMED", int64(1_777_000_000), int64(3600), int64(120), 1, int64(11), int64(12), "12.50", "USD", "10", 100, "key-1", 3, "a@b.org", "+1 555 010 2030", "FLOOR")
	f.Add("", "LIVE", int64(-5), int64(-5), int64(-1), 0, int64(0), int64(0), "-1", "usd", "1e3", 99, "", 2, "", "++", "ABSENTEE")
	f.Add("\u202e", "", int64(1<<62), int64(1<<62), int64(1<<62), -1, int64(-1), int64(-1), "999999999999999.99", "EUR", "0.001", 1<<30, "\x00", 7, "<>", "x", "")
	f.Fuzz(func(t *testing.T, title, kind string, startUnix, lengthSec, windowSec int64, number int, item1, item2 int64,
		amount, currency, starting string, paddle int, key string, days int, email, phone, bidKind string) {
		start := time.Unix(startUnix, 0)
		end := start.Add(time.Duration(lengthSec) * time.Second)
		window := time.Duration(windowSec) * time.Second
		money := sc.MoneyInput{Amount: amount, Currency: currency}
		auction := sc.AuctionInput{Title: title, Description: title, Kind: sc.AuctionKind(kind), StartsAt: start, EndsAt: &end,
			SoftCloseWindow: &window, ExtensionCap: &window, Stagger: &window}
		lot := sc.LotInput{Number: number, Items: []int64{item1, item2}, Title: title, Estimate: money,
			StartingBid: sc.MoneyInput{Amount: starting, Currency: currency}, Reserve: &money}
		bidder := sc.BidderInput{Name: title, Email: email, Phone: phone, Address: sc.PostalAddress{Line1: title, City: title, PostalCode: key, Country: currency}}
		bidIn := sc.BidInput{Lot: item1, Paddle: paddle, Kind: sc.BidKind(bidKind), Amount: money, IdempotencyKey: key}
		pay := sc.PaymentInput{Lot: item1, Amount: money, Method: sc.PaymentMethod(kind)}
		offer := sc.OfferInput{Lot: item1, Bidder: item2, Days: days}
		for _, err := range []error{auction.Validate(), lot.Validate(), bidder.Validate(), bidIn.Validate(), pay.Validate(), offer.Validate()} {
			for _, e := range sc.AsErrors(err) {
				require.Equal(t, sc.EINVALID, e.Code, e.Error())
				require.NotEmpty(t, e.Field, e.Error())
			}
			if err != nil {
				require.NotEmpty(t, sc.AsErrors(err), "only field errors: %v", err)
			}
		}
		terms, err := lot.Terms(sc.DefaultIncrementTable())
		if err != nil || bidIn.Validate() != nil {
			return
		}
		s := sc.LotState{}
		for seq, b := range []sc.BidLine{{Bidder: 1, Kind: bidIn.Kind, Cents: bidIn.Cents()}, {Bidder: 2, Kind: sc.BidAbsentee, Cents: terms.MinimumBid(s) + item2%1000}} {
			b.Seq = int64(seq + 1)
			if next, err := terms.Place(s, b); err == nil {
				s = next
			} else {
				require.Contains(t, []string{sc.EBIDTOOLOW, sc.EINVALID}, sc.ErrorCode(err))
			}
			require.LessOrEqual(t, s.PriceCents, s.LeaderMaxCents)
		}
	})
}
