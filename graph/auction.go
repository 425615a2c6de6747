package graph

import (
	"strconv"
	"time"

	sc "github.com/secondchance/secondchance"
)

// Connections of auctions.
type (
	AuctionConnection = Connection[*sc.Auction]
	AuctionEdge       = Edge[*sc.Auction]
	LotConnection     = Connection[*sc.Lot]
	LotEdge           = Edge[*sc.Lot]
	BidderConnection  = Connection[*sc.Bidder]
	BidderEdge        = Edge[*sc.Bidder]
)

// IncrementTableView is a store's increment table with its version.
type IncrementTableView struct {
	Version int
	Steps   []sc.IncrementStep
}

// CreateAuctionInput is an auction as sent; durations in seconds.
type CreateAuctionInput struct {
	Title               string
	Description         string
	Kind                sc.AuctionKind
	StartsAt            time.Time
	EndsAt              *time.Time
	SoftCloseSeconds    *int
	ExtensionCapSeconds *int
	StaggerSeconds      *int
}

// Domain converts the input.
func (in CreateAuctionInput) Domain() sc.AuctionInput {
	return sc.AuctionInput{Title: in.Title, Description: in.Description, Kind: in.Kind, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		SoftCloseWindow: seconds(in.SoftCloseSeconds), ExtensionCap: seconds(in.ExtensionCapSeconds), Stagger: seconds(in.StaggerSeconds)}
}

func seconds(s *int) *time.Duration {
	if s == nil {
		return nil
	}
	d := time.Duration(*s) * time.Second
	return &d
}

// LotItemInput is one item of a lot as sent.
type LotItemInput struct {
	Item     string
	Estimate sc.MoneyInput
}

// AddLotInput is a lot to add, as sent.
type AddLotInput struct {
	Auction     string
	Number      int
	Items       []*LotItemInput
	Title       string
	Description string
	StartingBid sc.MoneyInput
	Reserve     *sc.MoneyInput
}

// Domain decodes the input.
func (in AddLotInput) Domain() (int64, sc.LotInput, error) {
	var errs sc.Errors
	auction, err := sc.ParseGlobalIDOf(in.Auction, sc.KindAuction, "auction")
	errs = append(errs, sc.AsErrors(err)...)
	lot, err := lotInput(in.Number, in.Items, in.Title, in.Description, in.StartingBid, in.Reserve)
	errs = append(errs, sc.AsErrors(err)...)
	return auction, lot, errs.Err()
}

// UpdateLotInput is a lot's new terms, as sent.
type UpdateLotInput struct {
	Lot         string
	Number      int
	Items       []*LotItemInput
	Title       string
	Description string
	StartingBid sc.MoneyInput
	Reserve     *sc.MoneyInput
}

// Domain decodes the input.
func (in UpdateLotInput) Domain() (int64, sc.LotInput, error) {
	var errs sc.Errors
	id, err := sc.ParseGlobalIDOf(in.Lot, sc.KindLot, "lot")
	errs = append(errs, sc.AsErrors(err)...)
	lot, err := lotInput(in.Number, in.Items, in.Title, in.Description, in.StartingBid, in.Reserve)
	errs = append(errs, sc.AsErrors(err)...)
	return id, lot, errs.Err()
}

func lotInput(number int, items []*LotItemInput, title, description string, start sc.MoneyInput, reserve *sc.MoneyInput) (sc.LotInput, error) {
	in := sc.LotInput{Number: number, Title: title, Description: description, StartingBid: start, Reserve: reserve}
	var errs sc.Errors
	for i, it := range items {
		id, err := sc.ParseGlobalIDOf(it.Item, sc.KindItem, "items."+strconv.Itoa(i)+".item")
		errs = append(errs, sc.AsErrors(err)...)
		in.Items = append(in.Items, id)
		in.ItemEstimates = append(in.ItemEstimates, it.Estimate)
	}
	return in, errs.Err()
}

// RelistLotInput is a lot to relist, as sent.
type RelistLotInput struct {
	Lot     string
	Auction string
	Number  int
}

// Domain decodes the input.
func (in RelistLotInput) Domain() (lot, auction int64, err error) {
	var errs sc.Errors
	lot, err = sc.ParseGlobalIDOf(in.Lot, sc.KindLot, "lot")
	errs = append(errs, sc.AsErrors(err)...)
	auction, err = sc.ParseGlobalIDOf(in.Auction, sc.KindAuction, "auction")
	errs = append(errs, sc.AsErrors(err)...)
	return lot, auction, errs.Err()
}

// RegisterBidderInput is a bidder as sent.
type RegisterBidderInput struct {
	Name    string
	Email   string
	Phone   string
	Address sc.PostalAddress
}

// Domain converts the input.
func (in RegisterBidderInput) Domain() sc.BidderInput {
	return sc.BidderInput{Name: in.Name, Email: in.Email, Phone: in.Phone, Address: in.Address}
}

// PlaceBidInput is a bid as sent.
type PlaceBidInput struct {
	Lot            string
	Paddle         int
	Kind           sc.BidKind
	Amount         sc.MoneyInput
	IdempotencyKey string
}

// Domain decodes the input.
func (in PlaceBidInput) Domain() (sc.BidInput, error) {
	lot, err := sc.ParseGlobalIDOf(in.Lot, sc.KindLot, "lot")
	return sc.BidInput{Lot: lot, Paddle: in.Paddle, Kind: in.Kind, Amount: in.Amount, IdempotencyKey: in.IdempotencyKey}, err
}

// RecordLotPaymentInput is a payment as sent.
type RecordLotPaymentInput struct {
	Lot    string
	Amount sc.MoneyInput
	Method sc.PaymentMethod
}

// Domain decodes the input.
func (in RecordLotPaymentInput) Domain() (sc.PaymentInput, error) {
	lot, err := sc.ParseGlobalIDOf(in.Lot, sc.KindLot, "lot")
	return sc.PaymentInput{Lot: lot, Amount: in.Amount, Method: in.Method}, err
}

// MakeSecondChanceOfferInput is an offer as sent.
type MakeSecondChanceOfferInput struct {
	Lot    string
	Bidder string
	Days   int
}

// Domain decodes the input.
func (in MakeSecondChanceOfferInput) Domain() (sc.OfferInput, error) {
	var errs sc.Errors
	lot, err := sc.ParseGlobalIDOf(in.Lot, sc.KindLot, "lot")
	errs = append(errs, sc.AsErrors(err)...)
	bidder, err := sc.ParseGlobalIDOf(in.Bidder, sc.KindBidder, "bidder")
	errs = append(errs, sc.AsErrors(err)...)
	return sc.OfferInput{Lot: lot, Bidder: bidder, Days: in.Days}, errs.Err()
}

// IncrementStepInput is one band as sent.
type IncrementStepInput struct {
	From      sc.MoneyInput
	Increment sc.MoneyInput
}

// SetIncrementTableInput is a table as sent.
type SetIncrementTableInput struct {
	Steps []*IncrementStepInput
}

// Domain decodes the table, naming a malformed amount steps.N.from or steps.N.increment.
func (in SetIncrementTableInput) Domain() (sc.IncrementTable, error) {
	t := make(sc.IncrementTable, len(in.Steps))
	var errs sc.Errors
	for i, s := range in.Steps {
		p := "steps." + strconv.Itoa(i) + "."
		from, err := sc.ParseMoney(s.From.Amount, s.From.Currency)
		if err != nil {
			errs = append(errs, sc.FieldErrorf(p+"from", sc.EINVALID, "%s", sc.ErrorMessage(err)))
		}
		inc, err := sc.ParseMoney(s.Increment.Amount, s.Increment.Currency)
		if err != nil {
			errs = append(errs, sc.FieldErrorf(p+"increment", sc.EINVALID, "%s", sc.ErrorMessage(err)))
		}
		t[i] = sc.IncrementStep{FromCents: from.Cents, IncrementCents: inc.Cents}
	}
	return t, errs.Err()
}
