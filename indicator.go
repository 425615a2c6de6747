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
}
