package secondchance

import (
	"context"
	"io"
	"strconv"
	"time"
)

// Order is a marketplace order. Number is the platform's order number.
type Order struct {
	ID                 int64               `db:"id"`
	Number             string              `db:"number"`
	SellerID           int64               `db:"seller_id"`
	BuyerID            int64               `db:"buyer_id"`
	PlacedAt           time.Time           `db:"placed_at"`
	ShipBy             *time.Time          `db:"ship_by"`
	ShippedAt          *time.Time          `db:"shipped_at"`
	DeliveredAt        *time.Time          `db:"delivered_at"`
	CancelledAt        *time.Time          `db:"cancelled_at"`
	CancellationReason *CancellationReason `db:"cancellation_reason"`
	TotalCents         int64               `db:"total_cents"`
	Currency           string              `db:"currency"`
	// Seller and Buyer are the order's parties as the statement that read the order joined
	// them: nil where the actor may not see them (staff, who read the orders returned to their
	// store). Every read of orders joins them, so a page of orders resolves them without a
	// statement or a goroutine per order.
	Seller *Seller `db:"seller"`
	Buyer  *Buyer  `db:"buyer"`
	// Events are the order's events when the read that returned it loaded them too.
	Events *OrderEvents `db:"-"`
}

// SellerOrNotFound is the order's seller as the API shows it: NOT_FOUND where the actor may
// not see it.
func (o *Order) SellerOrNotFound() (*Seller, error) {
	if o.Seller == nil {
		return nil, Errorf(ENOTFOUND, "seller not found")
	}
	return o.Seller, nil
}

// BuyerOrNotFound is the order's buyer as the API shows it: NOT_FOUND where the actor may not
// see it.
func (o *Order) BuyerOrNotFound() (*Buyer, error) {
	if o.Buyer == nil {
		return nil, Errorf(ENOTFOUND, "buyer not found")
	}
	return o.Buyer, nil
}

// GlobalID is the order's Relay ID.
func (o *Order) GlobalID() string { return GlobalID(KindOrder, o.ID) }

// Total is the order total.
func (o *Order) Total() Money { return Money{Cents: o.TotalCents, Currency: o.Currency} }

// ShippedLate reports whether the order shipped after its ship-by date, or has not shipped and
// the date has passed (as of now). Indicators count such an order as a late shipment.
func (o *Order) ShippedLate(now time.Time) bool {
	if o.ShipBy == nil || o.CancelledAt != nil {
		return false
	}
	if o.ShippedAt != nil {
		return o.ShippedAt.After(*o.ShipBy)
	}
	return now.After(*o.ShipBy)
}

// CancellationReason says who cancelled an order and why. Only seller-caused cancellations
// count against a seller's indicators.
type CancellationReason string

// Cancellation reasons.
const (
	CancelledOutOfStock   CancellationReason = "OUT_OF_STOCK"
	CancelledBySeller     CancellationReason = "SELLER_REQUEST"
	CancelledByBuyer      CancellationReason = "BUYER_REQUEST"
	CancelledUnpaid       CancellationReason = "UNPAID"
	CancelledAddressIssue CancellationReason = "ADDRESS_ISSUE"
)

// Valid reports whether r is a known reason.
func (r CancellationReason) Valid() bool {
	switch r {
	case CancelledOutOfStock, CancelledBySeller, CancelledByBuyer, CancelledUnpaid, CancelledAddressIssue:
		return true
	}
	return false
}

// MarshalGQL writes the reason as a GraphQL enum value.
func (r CancellationReason) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *CancellationReason) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r, CancellationReason.Valid)
}

// Feedback is the rating a buyer left on an order (1 to 5 stars; 1–2 is negative). One per order.
type Feedback struct {
	OrderID int64     `db:"order_id"`
	Rating  int       `db:"rating"`
	Comment string    `db:"comment"`
	LeftAt  time.Time `db:"left_at"`
}

// Negative reports whether the rating counts as negative feedback.
func (f *Feedback) Negative() bool { return f.Rating <= 2 }

// DisputeReason is why a buyer opened a dispute or claim.
type DisputeReason string

// Dispute reasons.
const (
	DisputeNotReceived    DisputeReason = "ITEM_NOT_RECEIVED"
	DisputeNotAsDescribed DisputeReason = "NOT_AS_DESCRIBED"
	DisputeChargeback     DisputeReason = "CHARGEBACK"
	DisputeOther          DisputeReason = "OTHER"
)

// Valid reports whether r is a known reason.
func (r DisputeReason) Valid() bool {
	switch r {
	case DisputeNotReceived, DisputeNotAsDescribed, DisputeChargeback, DisputeOther:
		return true
	}
	return false
}

// MarshalGQL writes the reason as a GraphQL enum value.
func (r DisputeReason) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *DisputeReason) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, DisputeReason.Valid) }

// Dispute is a dispute or claim a buyer opened on an order. Number is the platform's.
type Dispute struct {
	ID       int64         `db:"id"`
	Number   string        `db:"number"`
	OrderID  int64         `db:"order_id"`
	Reason   DisputeReason `db:"reason"`
	OpenedAt time.Time     `db:"opened_at"`
	ClosedAt *time.Time    `db:"closed_at"`
}

// ReturnClaim is a buyer's request to return an order's goods. Number is the platform's.
type ReturnClaim struct {
	ID          int64     `db:"id"`
	Number      string    `db:"number"`
	OrderID     int64     `db:"order_id"`
	Reason      string    `db:"reason"`
	RequestedAt time.Time `db:"requested_at"`
}

// OrderFilter narrows the orders list.
type OrderFilter struct {
	SellerNumber *string
	BuyerNumber  *string
	PlacedAfter  *time.Time
	PlacedBefore *time.Time
}

// OrderService reads orders and their events. A seller sees only its own orders; admins all;
// staff none.
type OrderService interface {
	// ListOrders pages through orders newest first (by placed time, then ID).
	ListOrders(ctx context.Context, filter OrderFilter, page PageArgs) (*Page[*Order], error)
	// OrdersByID returns the orders with these IDs in the order of ids, nil where one does not
	// exist or is not visible to the actor.
	OrdersByID(ctx context.Context, ids []int64) ([]*Order, error)
	// OrderByNumber returns one visible order by its platform number, or NOT_FOUND.
	OrderByNumber(ctx context.Context, number string) (*Order, error)
	// FeedbackByOrder, DisputesByOrder and ReturnClaimsByOrder return the events of visible
	// orders, grouped in the order of orderIDs.
	FeedbackByOrder(ctx context.Context, orderIDs []int64) ([]*Feedback, error)
	DisputesByOrder(ctx context.Context, orderIDs []int64) ([][]*Dispute, error)
	ReturnClaimsByOrder(ctx context.Context, orderIDs []int64) ([][]*ReturnClaim, error)
	// EventsByOrder returns all three at once, in one statement: for a page that shows an
	// order with its events.
	EventsByOrder(ctx context.Context, orderIDs []int64) ([]*OrderEvents, error)
}

// OrderEvents are an order's feedback (nil without any), disputes and return claims, oldest
// first.
type OrderEvents struct {
	Feedback     *Feedback
	Disputes     []*Dispute
	ReturnClaims []*ReturnClaim
}
