package secondchance

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// RMAStatus is where a return authorisation is: AUTHORIZED → IN_TRANSIT (tracking added) →
// RECEIVED, or CANCELLED by the seller, or EXPIRED when the buyer never sent it in time.
type RMAStatus string

// RMA statuses.
const (
	RMAAuthorized RMAStatus = "AUTHORIZED"
	RMAInTransit  RMAStatus = "IN_TRANSIT"
	RMAReceived   RMAStatus = "RECEIVED"
	RMACancelled  RMAStatus = "CANCELLED"
	RMAExpired    RMAStatus = "EXPIRED"
)

// Valid reports whether s is a known status.
func (s RMAStatus) Valid() bool {
	switch s {
	case RMAAuthorized, RMAInTransit, RMAReceived, RMACancelled, RMAExpired:
		return true
	}
	return false
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s RMAStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *RMAStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, RMAStatus.Valid) }

// ERMANOTOPEN: the authorisation is no longer open to this change (received, cancelled, expired).
const ERMANOTOPEN = "RMA_NOT_OPEN"

// Limits of a return authorisation.
const (
	MaxRMAItems          = 50
	DefaultRMAExpiryDays = 30
)

// ReturnAuthorization lets a seller's buyer send an order's goods to a charity store.
type ReturnAuthorization struct {
	ID             int64     `db:"id"`
	Code           string    `db:"code"`
	SellerID       int64     `db:"seller_id"`
	OrderID        int64     `db:"order_id"`
	StoreID        int64     `db:"store_id"`
	ReportID       *int64    `db:"report_id"`
	StoredStatus   RMAStatus `db:"status"`
	TrackingNumber *string   `db:"tracking_number"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
	ExpiresAt      time.Time `db:"expires_at"`
	// Order is the authorised order when the list that read the authorisation loaded it too
	// (as the actor may see it).
	Order *Order `db:"-"`
}

// GlobalID is the authorisation's Relay ID.
func (r *ReturnAuthorization) GlobalID() string { return GlobalID(KindRMA, r.ID) }

// StatusAt is the status as of now: an AUTHORIZED one past its expiry is EXPIRED.
func (r *ReturnAuthorization) StatusAt(now time.Time) RMAStatus {
	if r.StoredStatus == RMAAuthorized && now.After(r.ExpiresAt) {
		return RMAExpired
	}
	return r.StoredStatus
}

// Status is the status now.
func (r *ReturnAuthorization) Status() RMAStatus { return r.StatusAt(time.Now()) }

// Instructions is the text a seller gives its buyer: where to send the parcel and what to
// write on it.
func (r *ReturnAuthorization) Instructions(s *Store) string {
	a := s.ReturnAddress()
	var b strings.Builder
	fmt.Fprintf(&b, "Please return the items of this order to %s, our charity partner:\n\n", s.Name)
	b.WriteString(a.Block(r.Code))
	fmt.Fprintf(&b, "\n\nWrite the code %s clearly on the outside of the parcel and put a copy inside. ", r.Code)
	fmt.Fprintf(&b, "Send it by %s and add its tracking number to the return, so we can follow it.\n", r.ExpiresAt.UTC().Format("2 January 2006"))
	b.WriteString("What the store sells is donated to charity, after its processing costs.\n")
	return b.String()
}

// Block is the address as printed on a parcel, with a reference line (the RMA code).
func (a PostalAddress) Block(reference string) string {
	lines := []string{a.Recipient}
	if reference != "" {
		lines = append(lines, reference)
	}
	lines = append(lines, a.Line1)
	if a.Line2 != "" {
		lines = append(lines, a.Line2)
	}
	lines = append(lines, fmt.Sprintf("%s, %s %s", a.City, a.Region, a.PostalCode), a.Country)
	return strings.Join(lines, "\n")
}

// RMAItem is one line of an authorisation: what the buyer sends back.
type RMAItem struct {
	RMAID         int64  `db:"rma_id"`
	Line          int    `db:"line"`
	Description   string `db:"description"`
	Quantity      int    `db:"quantity"`
	Category      string `db:"category"`
	DeclaredCents int64  `db:"declared_cents"`
	Currency      string `db:"currency"`
}

// DeclaredValue is what the seller says the item is worth.
func (i *RMAItem) DeclaredValue() Money { return Money{Cents: i.DeclaredCents, Currency: i.Currency} }

// RMAItemInput is one line as a seller sends it.
type RMAItemInput struct {
	Description   string
	Quantity      int
	Category      string
	DeclaredValue MoneyInput
}

// RMAInput is a seller's request for a return authorisation.
type RMAInput struct {
	OrderNumber string
	Items       []RMAItemInput
	// Report is the ID of the report that prompted the return, if one did.
	Report *int64
}

// Validate checks the request.
func (in *RMAInput) Validate() error {
	var f fieldErrors
	checkNumber(f.add, "orderNumber", in.OrderNumber)
	if len(in.Items) == 0 || len(in.Items) > MaxRMAItems {
		f.add("items", "list 1 to %d items", MaxRMAItems)
	}
	for i, it := range in.Items {
		p := fmt.Sprintf("items.%d.", i)
		checkText(f.add, p+"description", it.Description, 1, 500)
		checkText(f.add, p+"category", it.Category, 1, 100)
		if it.Quantity < 1 || it.Quantity > 1000 {
			f.add(p+"quantity", "quantity must be 1 to 1000, got %d", it.Quantity)
		}
		m, err := ParseMoney(it.DeclaredValue.Amount, it.DeclaredValue.Currency)
		switch {
		case err != nil && ValidateCurrency(it.DeclaredValue.Currency) != nil:
			f.add(p+"declaredValue.currency", "%s", ErrorMessage(err))
		case err != nil:
			f.add(p+"declaredValue.amount", "%s", ErrorMessage(err))
		case m.Cents < 0:
			f.add(p+"declaredValue.amount", "a declared value cannot be negative")
		case m.Currency != DefaultCurrency:
			f.add(p+"declaredValue.currency", "the store takes %s only", DefaultCurrency)
		}
	}
	return f.Err()
}

// NewRMACode makes a code a person can read out and type: RMA- and 8 characters without the
// ones that look alike (0/O, 1/I/L).
func NewRMACode() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "RMA-" + string(b)
}

// RMAFilter narrows the list of return authorisations.
type RMAFilter struct {
	Status *RMAStatus
	// Search, when set, keeps the authorisations with this RMA code or tracking number, as a
	// barcode scanner at the intake bench types either.
	Search *string
}

// ReturnService manages return authorisations. Sellers create, follow and cancel their own.
type ReturnService interface {
	CreateRMA(ctx context.Context, in RMAInput) (*ReturnAuthorization, error)
	CancelRMA(ctx context.Context, id int64) (*ReturnAuthorization, error)
	// AddRMATracking records the parcel's tracking number: the return is IN_TRANSIT.
	AddRMATracking(ctx context.Context, id int64, tracking string) (*ReturnAuthorization, error)
	ListRMAs(ctx context.Context, f RMAFilter, page PageArgs) (*Page[*ReturnAuthorization], error)
	RMAsByID(ctx context.Context, ids []int64) ([]*ReturnAuthorization, error)
	RMAItems(ctx context.Context, ids []int64) ([][]*RMAItem, error)
	// UniversalReturnAddress is the store every seller's buyers return to.
	UniversalReturnAddress(ctx context.Context) (*Store, error)
}

// ReturnLabel is what a return label and packing slip print: the address block with the code,
// and the lines the buyer sends back.
type ReturnLabel struct {
	Code         string
	OrderNumber  string
	SellerName   string
	Address      PostalAddress
	ExpiresAt    time.Time
	CreatedAt    time.Time
	Items        []RMAItem
	Instructions string
}
