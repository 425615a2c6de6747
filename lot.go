package secondchance

import (
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// Global ID kinds of the auction types.
const (
	KindAuction = "Auction"
	KindLot     = "Lot"
	KindBidder  = "Bidder"
	KindBid     = "Bid"
	KindOffer   = "SecondChanceOffer"
)

// Auction is a sale of a store's returned items in lots: TIMED online, each lot ending at its
// own time with a soft close, or LIVE on the floor, where a clerk opens and hammers the lots.
type Auction struct {
	ID                  int64         `db:"id"`
	StoreID             int64         `db:"store_id"`
	Title               string        `db:"title"`
	Description         string        `db:"description"`
	Kind                AuctionKind   `db:"kind"`
	Status              AuctionStatus `db:"status"`
	StartsAt            time.Time     `db:"starts_at"`
	EndsAt              *time.Time    `db:"ends_at"`
	SoftCloseSeconds    int           `db:"soft_close_seconds"`
	ExtensionCapSeconds int           `db:"extension_cap_seconds"`
	StaggerSeconds      int           `db:"stagger_seconds"`
	CreatedAt           time.Time     `db:"created_at"`
	OpenedAt            *time.Time    `db:"opened_at"`
	ClosedAt            *time.Time    `db:"closed_at"`
}

// GlobalID is the auction's Relay ID.
func (a *Auction) GlobalID() string { return GlobalID(KindAuction, a.ID) }

// SoftCloseWindow is how close to a lot's end a bid must come to extend it.
func (a *Auction) SoftCloseWindow() time.Duration {
	return time.Duration(a.SoftCloseSeconds) * time.Second
}

// ExtensionCap is how far past its scheduled end a lot may be extended.
func (a *Auction) ExtensionCap() time.Duration {
	return time.Duration(a.ExtensionCapSeconds) * time.Second
}

// Stagger is the time between the scheduled ends of consecutive lots.
func (a *Auction) Stagger() time.Duration { return time.Duration(a.StaggerSeconds) * time.Second }

// What an auction's status allows. The services refuse what these say no to (with their own
// further checks, e.g. no cancelling after a bid), and the portal offers only what they allow.

// Schedulable says whether the auction may be scheduled: only a DRAFT one is.
func (a *Auction) Schedulable() bool { return a.Status == AuctionDraft }

// Openable says whether the auction may open: a DRAFT or SCHEDULED one (that has lots).
func (a *Auction) Openable() bool { return a.Status == AuctionDraft || a.Status == AuctionScheduled }

// TakesLots says whether lots may be added to the auction: before it opens, or while a LIVE
// sale runs (the clerk adds lots as the room goes).
func (a *Auction) TakesLots() bool {
	return a.Openable() || (a.Status == AuctionOpen && a.Kind == AuctionLive)
}

// Cancellable says whether the auction's status lets it be cancelled: until it closes (the
// service also refuses once any lot has a bid).
func (a *Auction) Cancellable() bool { return a.Openable() || a.Status == AuctionOpen }

// Lot is one or more items sold together, with its current state: the engine's LotState and,
// for a TIMED lot, its end, kept in the same row in the transaction of every event.
type Lot struct {
	ID                int64          `db:"id"`
	AuctionID         int64          `db:"auction_id"`
	StoreID           int64          `db:"store_id"`
	Number            int            `db:"number"`
	Title             string         `db:"title"`
	Description       string         `db:"description"`
	Currency          string         `db:"currency"`
	EstimateCents     int64          `db:"estimate_cents"`
	StartingCents     int64          `db:"starting_cents"`
	ReserveCents      int64          `db:"reserve_cents"`
	IncrementsJSON    []byte         `db:"increments"`
	IncrementsVersion *int           `db:"increments_version"`
	Status            LotStatus      `db:"status"`
	UnsoldReason      *UnsoldReason  `db:"unsold_reason"`
	Seq               int64          `db:"seq"`
	PriceCents        int64          `db:"price_cents"`
	LeaderBidderID    *int64         `db:"leader_bidder_id"`
	LeaderMaxCents    int64          `db:"leader_max_cents"`
	LeaderSeq         int64          `db:"leader_seq"`
	BidCount          int            `db:"bid_count"`
	ScheduledEnd      *time.Time     `db:"scheduled_end"`
	EndsAt            *time.Time     `db:"ends_at"`
	CapAt             *time.Time     `db:"cap_at"`
	OpenedAt          *time.Time     `db:"opened_at"`
	ClosedAt          *time.Time     `db:"closed_at"`
	WinnerBidderID    *int64         `db:"winner_bidder_id"`
	HammerCents       *int64         `db:"hammer_cents"`
	DueAt             *time.Time     `db:"due_at"`
	PaidCents         *int64         `db:"paid_cents"`
	PaymentMethod     *PaymentMethod `db:"payment_method"`
	PaidAt            *time.Time     `db:"paid_at"`
	UnpaidAt          *time.Time     `db:"unpaid_at"`
	RelistedFrom      *int64         `db:"relisted_from"`
	CreatedAt         time.Time      `db:"created_at"`
	// The paddles of the leader and the winner in the lot's auction.
	LeaderPaddle *int `db:"leader_paddle"`
	WinnerPaddle *int `db:"winner_paddle"`
}

// GlobalID is the lot's Relay ID.
func (l *Lot) GlobalID() string { return GlobalID(KindLot, l.ID) }

// Payable says whether a payment may be recorded for the lot: it is SOLD and not yet paid.
// Marking it UNPAID needs the same status (and the store's payment window past).
func (l *Lot) Payable() bool { return l.Status == LotSold }

// Offerable says whether the lot may be offered to another bidder (a second-chance offer):
// its winner did not pay.
func (l *Lot) Offerable() bool { return l.Status == LotUnpaid }

// Relistable says whether the lot's items may go into another auction: it did not sell, or
// its winner did not pay.
func (l *Lot) Relistable() bool { return l.Status == LotUnsold || l.Status == LotUnpaid }

func (l *Lot) money(c int64) Money { return Money{Cents: c, Currency: l.Currency} }

// Estimate is the lot's fair-market-value estimate, printed in the catalogue and on receipts.
func (l *Lot) Estimate() Money { return l.money(l.EstimateCents) }

// StartingBid is the lowest first bid.
func (l *Lot) StartingBid() Money { return l.money(l.StartingCents) }

// Reserve is the lowest price the lot sells at; nil without one. Staff only: bidders see
// whether it is met.
func (l *Lot) Reserve() *Money {
	if l.ReserveCents == 0 {
		return nil
	}
	m := l.money(l.ReserveCents)
	return &m
}

// CurrentPrice is the leading price; nil before the first bid.
func (l *Lot) CurrentPrice() *Money {
	if l.BidCount == 0 {
		return nil
	}
	m := l.money(l.PriceCents)
	return &m
}

// Hammer is the price the lot was won at.
func (l *Lot) Hammer() *Money {
	if l.HammerCents == nil {
		return nil
	}
	m := l.money(*l.HammerCents)
	return &m
}

// Paid is what the winner paid.
func (l *Lot) Paid() *Money {
	if l.PaidCents == nil {
		return nil
	}
	m := l.money(*l.PaidCents)
	return &m
}

// Increments is the lot's increment table: the copy of its store's table taken when it opened,
// and the default table before.
func (l *Lot) Increments() IncrementTable {
	if len(l.IncrementsJSON) > 0 {
		var t IncrementTable
		if json.Unmarshal(l.IncrementsJSON, &t) == nil && len(t) > 0 {
			return t
		}
	}
	return DefaultIncrementTable()
}

// Terms are the lot's bidding terms for the engine.
func (l *Lot) Terms() LotTerms {
	return LotTerms{StartingCents: l.StartingCents, ReserveCents: l.ReserveCents, Increments: l.Increments()}
}

// MinimumBid is the lowest bid the lot takes next.
func (l *Lot) MinimumBid() Money { return l.money(l.Terms().MinimumBid(l.State())) }

// ReserveMet reports whether the price has reached the reserve (always, without one).
func (l *Lot) ReserveMet() bool { return l.BidCount > 0 && l.Terms().ReserveMet(l.State()) }

// State is the engine's state of the lot.
func (l *Lot) State() LotState {
	s := LotState{PriceCents: l.PriceCents, LeaderMaxCents: l.LeaderMaxCents, LeaderSeq: l.LeaderSeq, Bids: l.BidCount}
	if l.LeaderBidderID != nil {
		s.LeaderBidder = *l.LeaderBidderID
	}
	return s
}

// SetState writes the engine's state into the lot.
func (l *Lot) SetState(s LotState) {
	l.PriceCents, l.LeaderMaxCents, l.LeaderSeq, l.BidCount = s.PriceCents, s.LeaderMaxCents, s.LeaderSeq, s.Bids
	l.LeaderBidderID = nil
	if s.LeaderBidder != 0 {
		id := s.LeaderBidder
		l.LeaderBidderID = &id
	}
}

// Bidder is a person registered with a store to bid in its auctions.
type Bidder struct {
	ID            int64      `db:"id"`
	StoreID       int64      `db:"store_id"`
	Name          string     `db:"name"`
	Email         string     `db:"email"`
	Phone         string     `db:"phone"`
	AddressLine1  string     `db:"address_line1"`
	AddressLine2  string     `db:"address_line2"`
	City          string     `db:"city"`
	Region        string     `db:"region"`
	PostalCode    string     `db:"postal_code"`
	Country       string     `db:"country"`
	UnpaidStrikes int        `db:"unpaid_strikes"`
	BlockedAt     *time.Time `db:"blocked_at"`
	BlockReason   string     `db:"block_reason"`
	CreatedAt     time.Time  `db:"created_at"`
}

// GlobalID is the bidder's Relay ID.
func (b *Bidder) GlobalID() string { return GlobalID(KindBidder, b.ID) }

// Address is the bidder's postal address.
func (b *Bidder) Address() PostalAddress {
	return PostalAddress{Recipient: b.Name, Line1: b.AddressLine1, Line2: b.AddressLine2, City: b.City,
		Region: b.Region, PostalCode: b.PostalCode, Country: b.Country}
}

// Blocked reports whether the bidder may not bid.
func (b *Bidder) Blocked() bool { return b.BlockedAt != nil }

// Paddle is a bidder's number in one auction.
type Paddle struct {
	AuctionID int64 `db:"auction_id"`
	Number    int   `db:"number"`
	BidderID  int64 `db:"bidder_id"`
}

// Bid is a bid as logged, with the paddle it was logged for.
type Bid struct {
	ID            int64      `db:"id"`
	LotID         int64      `db:"lot_id"`
	Seq           int64      `db:"seq"`
	BidderID      int64      `db:"bidder_id"`
	Paddle        int        `db:"paddle"`
	Kind          BidKind    `db:"kind"`
	Cents         int64      `db:"cents"`
	Currency      string     `db:"currency"`
	PlacedAt      time.Time  `db:"placed_at"`
	RetractedAt   *time.Time `db:"retracted_at"`
	RetractReason *string    `db:"retract_reason"`
	// LoggedBy names who logged the bid: the clerk (staff member), or the token's label ("a
	// token" without one).
	LoggedBy string `db:"logged_by"`
}

// GlobalID is the bid's Relay ID.
func (b *Bid) GlobalID() string { return GlobalID(KindBid, b.ID) }

// Amount is the bid, or for an absentee bid the bidder's maximum.
func (b *Bid) Amount() Money { return Money{Cents: b.Cents, Currency: b.Currency} }

// Line is the bid as the engine takes it.
func (b *Bid) Line() BidLine {
	return BidLine{Seq: b.Seq, Bidder: b.BidderID, Kind: b.Kind, Cents: b.Cents}
}

// LotEvent is one thing that happened to a lot, numbered without gaps per lot, with the lot's
// price, leader and end after it.
type LotEvent struct {
	LotID        int64        `db:"lot_id"`
	Seq          int64        `db:"seq"`
	Kind         LotEventKind `db:"kind"`
	At           time.Time    `db:"at"`
	BidID        *int64       `db:"bid_id"`
	Paddle       *int         `db:"paddle"`
	AmountCents  *int64       `db:"amount_cents"`
	PriceCents   int64        `db:"price_cents"`
	LeaderPaddle *int         `db:"leader_paddle"`
	EndsAt       *time.Time   `db:"ends_at"`
	Detail       string       `db:"detail"`
	Currency     string       `db:"currency"`
	ReserveMet   bool         `db:"reserve_met"`
}

// Amount is the event's bid amount, if it has one.
func (e *LotEvent) Amount() *Money {
	if e.AmountCents == nil {
		return nil
	}
	return &Money{Cents: *e.AmountCents, Currency: e.Currency}
}

// Price is the lot's price after the event; nil before the first bid.
func (e *LotEvent) Price() *Money {
	if e.LeaderPaddle == nil {
		return nil
	}
	return &Money{Cents: e.PriceCents, Currency: e.Currency}
}

// OfferStatus is where a second-chance offer stands.
type OfferStatus string

// Offer statuses.
const (
	OfferOpen     OfferStatus = "OPEN"
	OfferAccepted OfferStatus = "ACCEPTED"
	OfferDeclined OfferStatus = "DECLINED"
	OfferExpired  OfferStatus = "EXPIRED"
)

// SecondChanceOffer offers an unpaid lot to another bidder at that bidder's highest bid.
type SecondChanceOffer struct {
	ID        int64       `db:"id"`
	LotID     int64       `db:"lot_id"`
	BidderID  int64       `db:"bidder_id"`
	Cents     int64       `db:"cents"`
	Currency  string      `db:"currency"`
	OfferedAt time.Time   `db:"offered_at"`
	ExpiresAt time.Time   `db:"expires_at"`
	Status    OfferStatus `db:"status"`
	DecidedAt *time.Time  `db:"decided_at"`
}

// GlobalID is the offer's Relay ID.
func (o *SecondChanceOffer) GlobalID() string { return GlobalID(KindOffer, o.ID) }

// Price is what the offer asks.
func (o *SecondChanceOffer) Price() Money { return Money{Cents: o.Cents, Currency: o.Currency} }

// AuctionResults sums up an auction's lots.
type AuctionResults struct {
	Lots          int
	Sold          int // SOLD or PAID: won, paid or not
	Paid          int
	Unpaid        int
	Unsold        int
	NoBids        int
	ReserveNotMet int
	Passed        int
	OffersMade    int
	OffersTaken   int
	GrossCents    int64 // hammer prices of the lots won
	PaidCents     int64
	Currency      string
}

// Gross is the sum of the hammer prices of the lots won.
func (r *AuctionResults) Gross() Money { return Money{Cents: r.GrossCents, Currency: r.Currency} }

// Collected is what winners paid.
func (r *AuctionResults) Collected() Money { return Money{Cents: r.PaidCents, Currency: r.Currency} }

// SellThroughRate is the share of lots won, 0 to 1.
func (r *AuctionResults) SellThroughRate() float64 {
	if r.Lots == 0 {
		return 0
	}
	return float64(r.Sold) / float64(r.Lots)
}

// From is the lowest price the band applies to.
func (s IncrementStep) From() Money { return USD(s.FromCents) }

// Increment is the band's increment.
func (s IncrementStep) Increment() Money { return USD(s.IncrementCents) }

// Valid reports whether s is a known offer status.
func (s OfferStatus) Valid() bool {
	return s == OfferOpen || s == OfferAccepted || s == OfferDeclined || s == OfferExpired
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s OfferStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *OfferStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, OfferStatus.Valid) }

// MinimumBidAfter is the lowest bid the lot takes next as of event e, from the event's price
// and leader alone: what a live screen shows without reading the lot again.
func (l *Lot) MinimumBidAfter(e *LotEvent) Money {
	if e.LeaderPaddle == nil {
		return l.StartingBid()
	}
	return l.money(e.PriceCents + l.Increments().Increment(e.PriceCents))
}
