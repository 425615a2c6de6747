package secondchance

import (
	"context"
	"io"
	"strconv"
	"time"
)

// IndicatorWindow is a trailing window of days over which a seller's indicators are counted,
// by order date.
type IndicatorWindow string

// The windows the marketplace evaluates sellers over.
const (
	Window30  IndicatorWindow = "DAYS_30"
	Window90  IndicatorWindow = "DAYS_90"
	Window365 IndicatorWindow = "DAYS_365"
)

// IndicatorWindows lists every window, shortest first.
var IndicatorWindows = []IndicatorWindow{Window30, Window90, Window365}

// Days is the window's length.
func (w IndicatorWindow) Days() int {
	switch w {
	case Window30:
		return 30
	case Window90:
		return 90
	case Window365:
		return 365
	}
	return 0
}

// Valid reports whether w is a known window.
func (w IndicatorWindow) Valid() bool { return w.Days() > 0 }

// MarshalGQL writes the window as a GraphQL enum value.
func (w IndicatorWindow) MarshalGQL(out io.Writer) { io.WriteString(out, strconv.Quote(string(w))) }

// UnmarshalGQL reads a GraphQL enum value into w.
func (w *IndicatorWindow) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, w, IndicatorWindow.Valid)
}

// IndicatorCounts counts a seller's orders and the orders with each kind of defect. An order
// counts once per kind however many records of that kind it has, and once as a defect however
// many kinds it has. The defects are disputes/claims, negative feedback (1–2 stars), late
// shipments and seller-caused cancellations; returns are counted but are not defects.
type IndicatorCounts struct {
	Orders           int `db:"orders"`
	Disputes         int `db:"disputes"`
	NegativeFeedback int `db:"negative_feedback"`
	Returns          int `db:"returns"`
	LateShipments    int `db:"late_shipments"`
	Cancellations    int `db:"cancellations"`
	Defects          int `db:"defects"`
}

// Rate is part/whole, or nil when there are no orders: a rate of nothing is not applicable,
// not zero.
func rate(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	r := float64(part) / float64(whole)
	return &r
}

// DisputeRate and the other rates are per order; nil when there are no orders.
func (c IndicatorCounts) DisputeRate() *float64 { return rate(c.Disputes, c.Orders) }

// NegativeFeedbackRate is the share of orders with negative feedback.
func (c IndicatorCounts) NegativeFeedbackRate() *float64 { return rate(c.NegativeFeedback, c.Orders) }

// ReturnRate is the share of orders with a return claim.
func (c IndicatorCounts) ReturnRate() *float64 { return rate(c.Returns, c.Orders) }

// LateShipmentRate is the share of orders shipped late.
func (c IndicatorCounts) LateShipmentRate() *float64 { return rate(c.LateShipments, c.Orders) }

// CancellationRate is the share of orders the seller cancelled.
func (c IndicatorCounts) CancellationRate() *float64 { return rate(c.Cancellations, c.Orders) }

// DefectRate is the share of orders with at least one defect.
func (c IndicatorCounts) DefectRate() *float64 { return rate(c.Defects, c.Orders) }

// Indicators are one seller's figures over one window: raw (every order and record) and
// assessed (without excluded orders and purged records), and what moved each figure from one
// to the other. For every count, Raw − Assessed = Excluded + Purged.
type Indicators struct {
	SellerID int64
	Window   IndicatorWindow
	From, To time.Time
	Raw      IndicatorCounts
	Assessed IndicatorCounts
	// Excluded counts, per figure, the orders taken out because their buyer was closed.
	Excluded IndicatorCounts
	// Purged counts, per figure, the orders still assessed whose records of that kind were all
	// purged by upheld reports (late shipments and cancellations are never purged).
	Purged IndicatorCounts
}

// IndicatorService computes sellers' indicators. A seller reads its own; admins any.
type IndicatorService interface {
	// SellersIndicators returns the figures of each seller over window as of now, in the order
	// of sellerIDs, nil for a seller the actor may not see: one statement for a whole page.
	SellersIndicators(ctx context.Context, sellerIDs []int64, window IndicatorWindow) ([]*Indicators, error)
	// SellersIndicatorsIn is SellersIndicators over several windows in one statement (a
	// dashboard shows three): the i-th list holds the figures over windows[i].
	SellersIndicatorsIn(ctx context.Context, sellerIDs []int64, windows []IndicatorWindow) ([][]*Indicators, error)
}

// Standing is where a seller stands against the marketplace's thresholds.
type Standing string

// Standings, from best to worst.
const (
	StandingTopRated      Standing = "TOP_RATED"
	StandingAboveStandard Standing = "ABOVE_STANDARD"
	StandingBelowStandard Standing = "BELOW_STANDARD"
)

// Valid reports whether s is a known standing.
func (s Standing) Valid() bool {
	return s == StandingTopRated || s == StandingAboveStandard || s == StandingBelowStandard
}

// MarshalGQL writes the standing as a GraphQL enum value.
func (s Standing) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *Standing) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, Standing.Valid) }

// StandingThresholds decide a seller's standing from its assessed figures. Like the big
// marketplaces, a seller is evaluated over 90 days when it had enough orders in them, and over
// 365 days otherwise.
type StandingThresholds struct {
	// MinOrders90 is how many orders in 90 days make the 90-day window the evaluated one.
	MinOrders90 int `json:"minOrders90"`
	// TopRated needs at most these rates and at least TopRatedMinOrders in the evaluated window.
	TopRatedMaxDefectRate float64 `json:"topRatedMaxDefectRate"`
	TopRatedMaxLateRate   float64 `json:"topRatedMaxLateRate"`
	TopRatedMinOrders     int     `json:"topRatedMinOrders"`
	// AboveStandard needs at most this defect rate; anything worse is BELOW_STANDARD.
	AboveStandardMaxDefectRate float64 `json:"aboveStandardMaxDefectRate"`
}

// DefaultStandingThresholds: top rated at ≤ 0.5 % defects, ≤ 3 % late and 100 orders; above
// standard at ≤ 2 % defects; evaluated over 90 days from 400 orders in them.
var DefaultStandingThresholds = StandingThresholds{MinOrders90: 400, TopRatedMaxDefectRate: 0.005,
	TopRatedMaxLateRate: 0.03, TopRatedMinOrders: 100, AboveStandardMaxDefectRate: 0.02}

// Validate checks that the thresholds are rates and counts that make sense together.
func (t StandingThresholds) Validate() error {
	var f fieldErrors
	for _, r := range []struct {
		name string
		v    float64
	}{{"topRatedMaxDefectRate", t.TopRatedMaxDefectRate}, {"topRatedMaxLateRate", t.TopRatedMaxLateRate},
		{"aboveStandardMaxDefectRate", t.AboveStandardMaxDefectRate}} {
		if r.v < 0 || r.v > 1 {
			f.add(r.name, "a rate is between 0 and 1, got %g", r.v)
		}
	}
	if t.TopRatedMaxDefectRate > t.AboveStandardMaxDefectRate {
		f.add("topRatedMaxDefectRate", "cannot be above aboveStandardMaxDefectRate")
	}
	if t.MinOrders90 < 0 || t.TopRatedMinOrders < 0 {
		f.add("minOrders90", "order counts cannot be negative")
	}
	const maxOrders = 10_000_000 // more orders in 90 days than any seller has
	if t.MinOrders90 > maxOrders {
		f.add("minOrders90", "must be at most %d", maxOrders)
	}
	if t.TopRatedMinOrders > maxOrders {
		f.add("topRatedMinOrders", "must be at most %d", maxOrders)
	}
	return f.Err()
}

// Evaluate returns the standing and the window it was evaluated over, from the assessed
// 90- and 365-day figures. A seller with no orders is ABOVE_STANDARD: nothing counts against it.
func (t StandingThresholds) Evaluate(d90, d365 IndicatorCounts) (Standing, IndicatorWindow) {
	c, w := d365, Window365
	if d90.Orders >= t.MinOrders90 {
		c, w = d90, Window90
	}
	defects, late := 0.0, 0.0
	if c.Orders > 0 {
		defects, late = float64(c.Defects)/float64(c.Orders), float64(c.LateShipments)/float64(c.Orders)
	}
	switch {
	case c.Orders >= t.TopRatedMinOrders && defects <= t.TopRatedMaxDefectRate && late <= t.TopRatedMaxLateRate:
		return StandingTopRated, w
	case defects <= t.AboveStandardMaxDefectRate:
		return StandingAboveStandard, w
	}
	return StandingBelowStandard, w
}

// IndicatorSnapshot is a seller's indicators over one window as a weekly snapshot took them.
type IndicatorSnapshot struct {
	Indicators
	Week    string
	TakenAt time.Time
}

// SellerStanding is a seller's standing: the current one, from the last snapshot (nil before
// the first), and the projected one, from its figures now, which the next snapshot would give.
type SellerStanding struct {
	SellerID        int64
	Current         *Standing
	CurrentWeek     *string
	CurrentWindow   *IndicatorWindow
	Projected       Standing
	ProjectedWindow IndicatorWindow
}

// MaxHistoryDays bounds the range one history request covers: three years of weekly points.
const MaxHistoryDays = 3 * 366

// SnapshotService takes and reads the weekly snapshots of sellers' indicators and standing.
type SnapshotService interface {
	// TakeIndicatorSnapshot refreshes the rollups and snapshots every seller for the current
	// week, replacing an earlier snapshot of the week (admins). It returns how many sellers.
	TakeIndicatorSnapshot(ctx context.Context) (int, error)
	// IndicatorHistory returns a seller's snapshots of window taken in [from, to], oldest first.
	IndicatorHistory(ctx context.Context, sellerID int64, window IndicatorWindow, from, to time.Time) ([]*IndicatorSnapshot, error)
	// SellerStandings returns the standing of each seller in the order of sellerIDs, nil where
	// the actor may not see the seller.
	SellerStandings(ctx context.Context, sellerIDs []int64) ([]*SellerStanding, error)
	// StandingThresholds returns the thresholds in force; SetStandingThresholds replaces them (admins).
	StandingThresholds(ctx context.Context) (*StandingThresholds, error)
	SetStandingThresholds(ctx context.Context, t StandingThresholds) (*StandingThresholds, error)
	// StandingChanges counts, per batch, the sellers whose standing in the batch's snapshot
	// differs from their snapshot before it (admins); nil where the batch has no snapshot yet.
	StandingChanges(ctx context.Context, batchIDs []int64) ([]*int, error)
}

// AdjustmentKind is what an indicator adjustment took out of a seller's assessment.
type AdjustmentKind string

// Adjustment kinds.
const (
	AdjustExcludedOrder     AdjustmentKind = "EXCLUDED_ORDER"
	AdjustPurgedFeedback    AdjustmentKind = "PURGED_FEEDBACK"
	AdjustPurgedDispute     AdjustmentKind = "PURGED_DISPUTE"
	AdjustPurgedReturnClaim AdjustmentKind = "PURGED_RETURN_CLAIM"
)

// MarshalGQL writes the kind as a GraphQL enum value.
func (k AdjustmentKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *AdjustmentKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, func(k AdjustmentKind) bool {
		return k == AdjustExcludedOrder || k == AdjustPurgedFeedback || k == AdjustPurgedDispute || k == AdjustPurgedReturnClaim
	})
}

// AdjustmentReason is why: an upheld report purged a record, a closed account excluded an
// order, an appeal put them back, or the platform reopened an account it had closed itself.
type AdjustmentReason string

// Adjustment reasons.
const (
	ReasonReportUpheld    AdjustmentReason = "REPORT_UPHELD"
	ReasonAccountClosed   AdjustmentReason = "ACCOUNT_CLOSED"
	ReasonAppealRestored  AdjustmentReason = "APPEAL_RESTORED"
	ReasonAccountReopened AdjustmentReason = "ACCOUNT_REOPENED"
)

// MarshalGQL writes the reason as a GraphQL enum value.
func (r AdjustmentReason) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *AdjustmentReason) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r, func(r AdjustmentReason) bool {
		return r == ReasonReportUpheld || r == ReasonAccountClosed || r == ReasonAppealRestored || r == ReasonAccountReopened
	})
}

// IndicatorAdjustment is one line of the ledgers as it bears on a seller's indicators: an
// excluded order or a purged record of one of its orders, or one put back since, with what
// caused it.
type IndicatorAdjustment struct {
	Kind      AdjustmentKind   `db:"kind"`
	Reason    AdjustmentReason `db:"reason"`
	At        time.Time        `db:"at"`
	OrderID   int64            `db:"order_id"`
	ReportID  *int64           `db:"report_id"`
	VerdictID *int64           `db:"verdict_id"`
	BatchID   *int64           `db:"batch_id"`
	Key       string           `db:"item_key"`
}

// AdjustmentService lists the ledger lines behind a seller's indicators.
type AdjustmentService interface {
	// ListIndicatorAdjustments pages through the adjustments of the seller's orders placed in
	// window, newest first.
	ListIndicatorAdjustments(ctx context.Context, sellerID int64, window IndicatorWindow, page PageArgs) (*Page[*IndicatorAdjustment], error)
}
