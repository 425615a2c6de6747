package secondchance

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
)

// Route is where a returned item goes.
type Route string

// Routes.
const (
	RouteSale    Route = "SALE"
	RouteAuction Route = "AUCTION"
	RouteRecycle Route = "RECYCLE"
)

// Valid reports whether r is a known route.
func (r Route) Valid() bool { return r == RouteSale || r == RouteAuction || r == RouteRecycle }

// MarshalGQL writes the route as a GraphQL enum value.
func (r Route) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *Route) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, Route.Valid) }

// DefaultRoute is the store's rule when staff do not choose: items in good condition sell
// directly, worn ones go to auction, unsellable ones are recycled.
func DefaultRoute(g Grade) Route {
	switch g {
	case GradeNew, GradeLikeNew, GradeGood:
		return RouteSale
	case GradeFair, GradePoor:
		return RouteAuction
	}
	return RouteRecycle
}

// RoutingRule is a store's default route for items of one category and grade, chosen over
// DefaultRoute when staff route an item without naming a route.
type RoutingRule struct {
	Category string `db:"category"`
	Grade    Grade  `db:"grade"`
	Route    Route  `db:"route"`
}

// RoutingRuleInput sets or, with a nil Route, removes one rule of the staff's store.
type RoutingRuleInput struct {
	Category string
	Grade    Grade
	Route    *Route
}

// Validate checks the rule. Categories are folded (lower(btrim(...))) by the database alone, so
// rules and RMA lines are compared by one definition.
func (in *RoutingRuleInput) Validate() error {
	var f fieldErrors
	checkText(f.add, "category", in.Category, 1, 100)
	if !in.Grade.Valid() {
		f.add("grade", "%q is not a grade", in.Grade)
	}
	if in.Route != nil && !in.Route.Valid() {
		f.add("route", "%q is not a route", *in.Route)
	}
	return f.Err()
}

// ItemEventKind is a step of a returned item's way from its authorisation to its donation.
type ItemEventKind string

// Item event kinds, in the order they happen.
const (
	ItemAuthorized        ItemEventKind = "AUTHORIZED"
	ItemReceivedEvent     ItemEventKind = "RECEIVED"
	ItemSoldEvent         ItemEventKind = "SOLD"
	ItemSaleVoided        ItemEventKind = "SALE_VOIDED"
	ItemSettledEvent      ItemEventKind = "SETTLED"
	ItemDonationAllocated ItemEventKind = "DONATION_ALLOCATED"
	ItemDonationDisbursed ItemEventKind = "DONATION_DISBURSED"
	ItemCertified         ItemEventKind = "CERTIFIED"
	ItemCertificateVoided ItemEventKind = "CERTIFICATE_VOIDED"
)

// ItemEvent is one step of an item's timeline, derived from the records the step left, so the
// timeline cannot disagree with them. Money is the step's amount: the price sold or voided, the
// net settled, a beneficiary's share.
type ItemEvent struct {
	ItemID   int64         `db:"item_id"`
	Kind     ItemEventKind `db:"kind"`
	At       time.Time     `db:"at"`
	Detail   string        `db:"detail"`
	Cents    *int64        `db:"cents"`
	Currency *string       `db:"currency"`
}

// Amount is the step's money, if it has any.
func (e *ItemEvent) Amount() *Money {
	if e.Cents == nil || e.Currency == nil {
		return nil
	}
	return &Money{Cents: *e.Cents, Currency: *e.Currency}
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s ItemStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *ItemStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, func(s ItemStatus) bool {
		return contains(ItemStatuses, s)
	})
}

// Sale is a direct store sale of a returned item.
type Sale struct {
	ID         int64      `db:"id"`
	ItemID     int64      `db:"item_id"`
	PriceCents int64      `db:"price_cents"`
	Currency   string     `db:"currency"`
	Channel    string     `db:"channel"`
	SoldAt     time.Time  `db:"sold_at"`
	VoidedAt   *time.Time `db:"voided_at"`
	VoidReason string     `db:"void_reason"`
	// RecordedBy and VoidedBy name who recorded and voided the sale: the staff member, or the
	// token's label ("a token" without one); empty where nobody is known (a sale recorded
	// before this was kept), and for the seller whose return it was, who does not see the
	// store's people.
	RecordedBy string `db:"recorded_by"`
	VoidedBy   string `db:"voided_by"`
}

// GlobalID is the sale's Relay ID.
func (s *Sale) GlobalID() string { return GlobalID(KindSale, s.ID) }

// Price is what the item sold for.
func (s *Sale) Price() Money { return Money{Cents: s.PriceCents, Currency: s.Currency} }

// SaleInput records a sale.
type SaleInput struct {
	Item    int64 // the item's ID
	Price   MoneyInput
	Channel string
	SoldAt  *time.Time
}

// Validate checks the sale: a price of zero or more in the store's currency, a channel, and
// no date in the future.
func (in *SaleInput) Validate(now time.Time) error {
	var f fieldErrors
	m, err := ParseMoney(in.Price.Amount, in.Price.Currency)
	switch {
	case err != nil && ValidateCurrency(in.Price.Currency) != nil:
		f.add("price.currency", "%s", ErrorMessage(err))
	case err != nil:
		f.add("price.amount", "%s", ErrorMessage(err))
	case m.Cents < 0:
		f.add("price.amount", "a price cannot be negative")
	case m.Currency != DefaultCurrency:
		f.add("price.currency", "the store sells in %s only", DefaultCurrency)
	}
	in.Channel = strings.TrimSpace(in.Channel)
	checkText(f.add, "channel", in.Channel, 1, 100)
	switch {
	case in.SoldAt == nil:
	case CheckTime("", *in.SoldAt) != nil:
		f.add("soldAt", "%s", ErrorMessage(CheckTime("", *in.SoldAt)))
	case in.SoldAt.After(now.Add(clockSkew)):
		f.add("soldAt", "a sale cannot be in the future")
	}
	return f.Err()
}

// SalesService is what staff do with received items: route them, sell them, void a mistaken sale.
type SalesService interface {
	// RouteItem sends a RECEIVED item to a route (nil: the default for its grade).
	RouteItem(ctx context.Context, item int64, route *Route) (*ReturnedItem, error)
	// SetRoutingRule changes one routing default of the staff's store and returns all of them.
	SetRoutingRule(ctx context.Context, in RoutingRuleInput) ([]*RoutingRule, error)
	// RoutingRules lists a store's routing defaults.
	RoutingRules(ctx context.Context, storeID int64) ([]*RoutingRule, error)
	RecordSale(ctx context.Context, in SaleInput) (*Sale, error)
	// ListItems is a store's items, oldest first, optionally of one status (staff; admins see all).
	ListItems(ctx context.Context, status *ItemStatus, page PageArgs) (*Page[*ReturnedItem], error)
	// ItemTimelines returns the visible items' events, oldest first, in the order of itemIDs.
	ItemTimelines(ctx context.Context, itemIDs []int64) ([][]*ItemEvent, error)
	VoidSale(ctx context.Context, sale int64, reason string) (*Sale, error)
	SalesByItem(ctx context.Context, itemIDs []int64) ([]*Sale, error)
	ItemsByID(ctx context.Context, ids []int64) ([]*ReturnedItem, error)
	SalesByID(ctx context.Context, ids []int64) ([]*Sale, error)
}
