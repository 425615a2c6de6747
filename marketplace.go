package secondchance

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxIngestBatch is the most sellers, buyers or orders one IngestMarketplaceData call takes;
// larger loads go through `secondchance import`.
const MaxIngestBatch = 1000

// MarketplaceBatch is one delivery of marketplace data from the platform. Orders may refer to
// sellers and buyers of the same batch or of earlier ones. Every record is keyed by the
// platform's number, so sending it again updates it and never duplicates it.
type MarketplaceBatch struct {
	Sellers []SellerInput
	Buyers  []BuyerInput
	Orders  []OrderInput
}

// SellerInput is a seller as the platform sends it.
type SellerInput struct {
	Number    string
	Name      string
	LegalName *string
	Email     *string
	Country   *string
}

// BuyerInput is a buyer as the platform sends it. A nil status leaves a known buyer's status
// alone and makes a new buyer ACTIVE.
type BuyerInput struct {
	Number  string
	Handle  string
	Country *string
	Status  *BuyerStatus
}

// MoneyInput is an amount as clients send it: a decimal string and a currency code.
type MoneyInput struct {
	Amount   string
	Currency string
}

// OrderInput is an order with its events as the platform sends it.
type OrderInput struct {
	Number             string
	SellerNumber       string
	BuyerNumber        string
	PlacedAt           time.Time
	ShipBy             *time.Time
	ShippedAt          *time.Time
	DeliveredAt        *time.Time
	CancelledAt        *time.Time
	CancellationReason *CancellationReason
	Total              MoneyInput
	Feedback           *FeedbackInput
	Disputes           []DisputeInput
	ReturnClaims       []ReturnClaimInput
}

// FeedbackInput is the buyer's rating of an order.
type FeedbackInput struct {
	Rating  int
	Comment *string
	LeftAt  time.Time
}

// DisputeInput is a dispute or claim on an order.
type DisputeInput struct {
	Number   string
	Reason   DisputeReason
	OpenedAt time.Time
	ClosedAt *time.Time
}

// ReturnClaimInput is a buyer's return request on an order.
type ReturnClaimInput struct {
	Number      string
	Reason      string
	RequestedAt time.Time
}

// IngestResult counts what one batch created and updated.
type IngestResult struct {
	SellersCreated int
	SellersUpdated int
	BuyersCreated  int
	BuyersUpdated  int
	OrdersCreated  int
	OrdersUpdated  int
	EventsUpserted int
}

// MarketplaceService takes marketplace data from the platform (admins).
type MarketplaceService interface {
	// Ingest validates the whole batch and writes all of it or, on any error, nothing.
	Ingest(ctx context.Context, batch MarketplaceBatch) (*IngestResult, error)
}

// Validate checks every record of the batch and returns every problem found, each naming its
// field path (e.g. "orders.3.total.amount"). References to sellers and buyers outside the
// batch, and numbers repeated within it, are checked by the storage layer.
func (b *MarketplaceBatch) Validate(now time.Time) error {
	var errs Errors
	if len(b.Sellers)+len(b.Buyers)+len(b.Orders) == 0 {
		errs = append(errs, FieldErrorf("orders", EINVALID, "the batch is empty: send at least one seller, buyer or order"))
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"sellers", len(b.Sellers)}, {"buyers", len(b.Buyers)}, {"orders", len(b.Orders)}} {
		if l.n > MaxIngestBatch {
			errs = append(errs, FieldErrorf(l.name, EINVALID, "at most %d %s per batch, got %d; use `secondchance import` for bulk loads", MaxIngestBatch, l.name, l.n))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for i := range b.Sellers {
		errs = append(errs, prefixed(fmt.Sprintf("sellers.%d.", i), b.Sellers[i].Validate())...)
	}
	for i := range b.Buyers {
		errs = append(errs, prefixed(fmt.Sprintf("buyers.%d.", i), b.Buyers[i].Validate())...)
	}
	for i := range b.Orders {
		errs = append(errs, prefixed(fmt.Sprintf("orders.%d.", i), b.Orders[i].Validate(now))...)
	}
	return errs.Err()
}

// prefixed puts a record's path in front of the fields of its errors.
func prefixed(prefix string, err error) Errors {
	es := AsErrors(err)
	for _, e := range es {
		e.Field = prefix + e.Field
	}
	return es
}

// fieldErrors collects the INVALID errors of one record.
type fieldErrors struct{ Errors }

func (f *fieldErrors) add(field, format string, args ...any) {
	f.Errors = append(f.Errors, FieldErrorf(field, EINVALID, format, args...))
}

// Validate checks one seller.
func (s *SellerInput) Validate() error {
	var f fieldErrors
	checkNumber(f.add, "number", s.Number)
	checkText(f.add, "name", s.Name, 1, 200)
	if s.LegalName != nil {
		checkText(f.add, "legalName", *s.LegalName, 0, 200)
	}
	if s.Email != nil && *s.Email != "" {
		if a, err := mail.ParseAddress(*s.Email); err != nil || a.Address != *s.Email {
			f.add("email", "%q is not an email address", *s.Email)
		}
	}
	checkCountry(f.add, "country", s.Country)
	return f.Err()
}

// Validate checks one buyer.
func (b *BuyerInput) Validate() error {
	var f fieldErrors
	checkNumber(f.add, "number", b.Number)
	checkText(f.add, "handle", b.Handle, 1, 64)
	checkCountry(f.add, "country", b.Country)
	if b.Status != nil && !b.Status.Valid() {
		f.add("status", "unknown buyer status %q", *b.Status)
	}
	return f.Err()
}

// Validate checks one order with its events, as of now.
func (o *OrderInput) Validate(now time.Time) error {
	var f fieldErrors
	checkNumber(f.add, "number", o.Number)
	checkNumber(f.add, "sellerNumber", o.SellerNumber)
	checkNumber(f.add, "buyerNumber", o.BuyerNumber)
	o.validateTimes(f.add, "", now)
	if m, err := ParseMoney(o.Total.Amount, o.Total.Currency); err != nil {
		field := "total.amount"
		if ValidateCurrency(o.Total.Currency) != nil {
			field = "total.currency"
		}
		f.add(field, "%s", ErrorMessage(err))
	} else if m.Cents < 0 {
		f.add("total.amount", "an order total cannot be negative")
	}
	if fb := o.Feedback; fb != nil {
		if fb.Rating < 1 || fb.Rating > 5 {
			f.add("feedback.rating", "rating must be 1 to 5 stars, got %d", fb.Rating)
		}
		if fb.Comment != nil {
			checkLongText(f.add, "feedback.comment", *fb.Comment, 0, 2000)
		}
		checkAfter(f.add, "feedback.leftAt", fb.LeftAt, o.PlacedAt, now)
	}
	for j := range o.Disputes {
		f.Errors = append(f.Errors, prefixed(fmt.Sprintf("disputes.%d.", j), o.Disputes[j].Validate(o.PlacedAt, now))...)
	}
	for j := range o.ReturnClaims {
		f.Errors = append(f.Errors, prefixed(fmt.Sprintf("returnClaims.%d.", j), o.ReturnClaims[j].Validate(o.PlacedAt, now))...)
	}
	return f.Err()
}

// Validate checks one dispute of an order placed at placed (zero when unknown here).
func (d *DisputeInput) Validate(placed, now time.Time) error {
	var f fieldErrors
	checkNumber(f.add, "number", d.Number)
	if !d.Reason.Valid() {
		f.add("reason", "unknown dispute reason %q", d.Reason)
	}
	checkAfter(f.add, "openedAt", d.OpenedAt, placed, now)
	if d.ClosedAt != nil && CheckTime("", *d.ClosedAt) != nil {
		f.add("closedAt", "%s", ErrorMessage(CheckTime("", *d.ClosedAt)))
	} else if d.ClosedAt != nil && d.ClosedAt.Before(d.OpenedAt) {
		f.add("closedAt", "a dispute cannot close before it opened")
	}
	return f.Err()
}

// Validate checks one return claim of an order placed at placed (zero when unknown here).
func (r *ReturnClaimInput) Validate(placed, now time.Time) error {
	var f fieldErrors
	checkNumber(f.add, "number", r.Number)
	checkText(f.add, "reason", r.Reason, 1, 200)
	checkAfter(f.add, "requestedAt", r.RequestedAt, placed, now)
	return f.Err()
}

func (o *OrderInput) validateTimes(add func(string, string, ...any), p string, now time.Time) {
	if o.PlacedAt.IsZero() {
		add(p+"placedAt", "placedAt is required")
		return
	}
	if err := CheckTime("", o.PlacedAt); err != nil {
		add(p+"placedAt", "%s", ErrorMessage(err))
		return
	}
	if o.PlacedAt.After(now.Add(clockSkew)) {
		add(p+"placedAt", "placedAt %s is in the future", o.PlacedAt.Format(time.RFC3339))
	}
	if o.ShipBy != nil && CheckTime("", *o.ShipBy) != nil {
		add(p+"shipBy", "%s", ErrorMessage(CheckTime("", *o.ShipBy)))
	} else if o.ShipBy != nil && o.ShipBy.Before(o.PlacedAt) {
		add(p+"shipBy", "shipBy is before placedAt")
	}
	if o.ShippedAt != nil {
		checkAfter(add, p+"shippedAt", *o.ShippedAt, o.PlacedAt, now)
	}
	if o.DeliveredAt != nil {
		if o.ShippedAt == nil {
			add(p+"deliveredAt", "an order cannot be delivered without being shipped")
		} else {
			checkAfter(add, p+"deliveredAt", *o.DeliveredAt, *o.ShippedAt, now)
		}
	}
	if o.CancelledAt != nil {
		checkAfter(add, p+"cancelledAt", *o.CancelledAt, o.PlacedAt, now)
		if o.CancellationReason == nil {
			add(p+"cancellationReason", "a cancelled order needs a cancellation reason")
		}
	}
	if o.CancellationReason != nil {
		if o.CancelledAt == nil {
			add(p+"cancelledAt", "a cancellation reason needs cancelledAt")
		}
		if !o.CancellationReason.Valid() {
			add(p+"cancellationReason", "unknown cancellation reason %q", *o.CancellationReason)
		}
	}
}

// clockSkew is how far in the future a platform timestamp may lie before it is refused.
const clockSkew = 5 * time.Minute

func checkAfter(add func(string, string, ...any), field string, t, notBefore, now time.Time) {
	switch {
	case t.IsZero():
		add(field, "%s is required", lastSegment(field))
	case CheckTime(field, t) != nil:
		add(field, "%s", ErrorMessage(CheckTime(field, t)))
	case t.Before(notBefore):
		add(field, "%s %s is before %s", lastSegment(field), t.Format(time.RFC3339), notBefore.Format(time.RFC3339))
	case t.After(now.Add(clockSkew)):
		add(field, "%s %s is in the future", lastSegment(field), t.Format(time.RFC3339))
	}
}

func lastSegment(field string) string { return field[strings.LastIndexByte(field, '.')+1:] }

// checkNumber accepts the platform's identifiers: 1 to 64 printable characters, no spaces.
func checkNumber(add func(string, string, ...any), field, v string) {
	if v == "" || len(v) > 64 || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		add(field, "%q is not a platform number: 1 to 64 printable characters without spaces", v)
	}
}

// checkText checks one line of text that people read (names, addresses, descriptions): valid
// UTF-8, min to max characters, and nothing that is not printed as it reads (see printable).
func checkText(add func(string, string, ...any), field, v string, min, max int) {
	checkTextOf(add, field, v, min, max, false)
}

// checkLongText is checkText for free text that may span lines (notes, comments).
func checkLongText(add func(string, string, ...any), field, v string, min, max int) {
	checkTextOf(add, field, v, min, max, true)
}

func checkTextOf(add func(string, string, ...any), field, v string, min, max int, multiline bool) {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		add(field, "%s is not valid UTF-8", lastSegment(field))
	case !printable(v, multiline):
		add(field, "%s contains control or invisible formatting characters", lastSegment(field))
	case n < min || strings.TrimSpace(v) == "" && min > 0:
		add(field, "%s is required", lastSegment(field))
	case n > max:
		add(field, "%s is longer than %d characters", lastSegment(field), max)
	}
}

func checkCountry(add func(string, string, ...any), field string, c *string) {
	if c == nil || *c == "" {
		return
	}
	if len(*c) != 2 || strings.ToUpper(*c) != *c || strings.IndexFunc(*c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		add(field, "%q is not a two-letter ISO 3166 country code such as US", *c)
	}
}
