package form

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

// DateTimeLayout is how the portal's forms write a time, in UTC; the "T" of a datetime-local
// input's value is taken too.
const DateTimeLayout = "2006-01-02 15:04"

func parseDateTime(v string) (time.Time, error) {
	return time.Parse(DateTimeLayout, strings.Replace(v, "T", " ", 1))
}

// Auction reads the form that creates an auction. Times are UTC; the soft-close settings are
// in seconds and take their defaults when left empty.
func Auction(r *http.Request) (sc.AuctionInput, error) {
	f := r.PostForm
	in := sc.AuctionInput{Title: f.Get("title"), Description: f.Get("description"), Kind: sc.AuctionKind(f.Get("kind"))}
	var errs sc.Errors
	if v := strings.TrimSpace(f.Get("startsAt")); v != "" {
		t, err := parseDateTime(v)
		if err != nil {
			errs = append(errs, sc.FieldErrorf("startsAt", sc.EINVALID, "%q is not a date and time such as 2026-05-01 18:30", v))
		}
		in.StartsAt = t
	}
	if v := strings.TrimSpace(f.Get("endsAt")); v != "" {
		t, err := parseDateTime(v)
		if err != nil {
			errs = append(errs, sc.FieldErrorf("endsAt", sc.EINVALID, "%q is not a date and time such as 2026-05-08 18:30", v))
		}
		in.EndsAt = &t
	}
	for _, d := range []struct {
		name string
		v    **time.Duration
	}{{"softCloseSeconds", &in.SoftCloseWindow}, {"extensionCapSeconds", &in.ExtensionCap}, {"staggerSeconds", &in.Stagger}} {
		v := strings.TrimSpace(f.Get(d.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, sc.FieldErrorf(d.name, sc.EINVALID, "%q is not a number of seconds", v))
			continue
		}
		dur := time.Duration(n) * time.Second
		*d.v = &dur
	}
	return in, errs.Err()
}

// AuctionFields are its inputs.
var AuctionFields = []string{"title", "description", "kind", "startsAt", "endsAt", "softCloseSeconds", "extensionCapSeconds", "staggerSeconds"}

// Lot reads the form that adds a lot: its number, terms, and the items ticked in the picker,
// each with its estimate (input "estimate.<item ID>"), in the order they are listed.
func Lot(r *http.Request) (sc.LotInput, error) {
	f := r.PostForm
	in := sc.LotInput{Title: f.Get("title"), Description: f.Get("description"),
		StartingBid: usd(f.Get("startingBid.amount"))}
	var errs sc.Errors
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("number")))
	if err != nil {
		errs = append(errs, sc.FieldErrorf("number", sc.EINVALID, "a lot number is a whole number such as 1"))
	}
	in.Number = n
	if v := strings.TrimSpace(f.Get("reserve.amount")); v != "" {
		m := usd(v)
		in.Reserve = &m
	}
	for _, v := range f["items"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, sc.FieldErrorf("items", sc.EINVALID, "%q is not an item", v))
			continue
		}
		in.Items = append(in.Items, id)
		in.ItemEstimates = append(in.ItemEstimates, usd(f.Get("estimate."+v)))
	}
	return in, errs.Err()
}

// LotFieldName is the input of a lot form that shows the service's field path of in: an
// item's errors beside its row of the picker.
func LotFieldName(in sc.LotInput, field string) string {
	rest, ok := strings.CutPrefix(field, "items.")
	if !ok {
		return field
	}
	i, sub, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(i)
	if err != nil || n < 0 || n >= len(in.Items) {
		return "items"
	}
	id := strconv.FormatInt(in.Items[n], 10)
	if strings.HasPrefix(sub, "estimate") {
		return "estimate." + id
	}
	return "item." + id
}

// Bidder reads the form that registers a bidder.
func Bidder(r *http.Request) sc.BidderInput {
	f := r.PostForm
	return sc.BidderInput{Name: f.Get("name"), Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone")),
		Address: sc.PostalAddress{Line1: f.Get("address.line1"), Line2: f.Get("address.line2"), City: f.Get("address.city"),
			Region: f.Get("address.region"), PostalCode: f.Get("address.postalCode"), Country: strings.ToUpper(strings.TrimSpace(f.Get("address.country")))}}
}

// BidderFields are its inputs.
var BidderFields = []string{"name", "email", "phone", "address.line1", "address.line2", "address.city", "address.region", "address.postalCode", "address.country"}

// ID reads a record's ID from the input name; a missing or malformed one is an error on it.
func ID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PostForm.Get(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, sc.FieldErrorf(name, sc.EINVALID, "choose one")
	}
	return id, nil
}

// Block reads the form that blocks or unblocks a bidder.
func Block(r *http.Request) (blocked bool, reason string) {
	return r.PostForm.Get("blocked") == "true", r.PostForm.Get("reason")
}

// Bid reads a clerk's bid: paddle, amount and kind (FLOOR unless PHONE is ticked), and the
// client's idempotency key: the script's, or without it the form's one-time key.
func Bid(r *http.Request, lot int64) (sc.BidInput, error) {
	f := r.PostForm
	in := sc.BidInput{Lot: lot, Kind: sc.BidFloor, Amount: usd(f.Get("amount.amount")), IdempotencyKey: f.Get("key")}
	if k := f.Get("kind"); k != "" {
		in.Kind = sc.BidKind(k)
	}
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = f.Get("once")
	}
	p, err := strconv.Atoi(strings.TrimSpace(f.Get("paddle")))
	if err != nil {
		return in, sc.FieldErrorf("paddle", sc.EINVALID, "type the paddle number, such as 101")
	}
	in.Paddle = p
	return in, nil
}

// BidFields are its inputs.
var BidFields = []string{"paddle", "amount.amount", "kind"}

// Payment reads the payment of a won lot.
func Payment(r *http.Request, lot int64) sc.PaymentInput {
	return sc.PaymentInput{Lot: lot, Amount: usd(r.PostForm.Get("amount.amount")), Method: sc.PaymentMethod(r.PostForm.Get("method"))}
}

// PaymentFields are its inputs.
var PaymentFields = []string{"amount.amount", "method"}

// Offer reads a second-chance offer: to which bidder, for how many days.
func Offer(r *http.Request, lot int64) (sc.OfferInput, error) {
	in := sc.OfferInput{Lot: lot}
	b, err := ID(r, "bidder")
	in.Bidder = b
	in.Days, _ = strconv.Atoi(r.PostForm.Get("days"))
	return in, err
}

// Relist reads where an unsold or unpaid lot goes again: an auction and a lot number.
func Relist(r *http.Request) (auction int64, number int, err error) {
	auction, err = ID(r, "auction")
	if err != nil {
		return 0, 0, err
	}
	number, nerr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("number")))
	if nerr != nil {
		return 0, 0, sc.FieldErrorf("number", sc.EINVALID, "a lot number is a whole number such as 1")
	}
	return auction, number, nil
}

func usd(amount string) sc.MoneyInput {
	return sc.MoneyInput{Amount: strings.TrimSpace(amount), Currency: sc.DefaultCurrency}
}
