package secondchance

import (
	"context"
	"time"
)

// Error codes of auctions.
const (
	// ELOTSTATE: the lot (or its auction) is not in the state the action needs, e.g. a bid on a
	// closed lot, hammering a lot twice, editing a lot after its first bid.
	ELOTSTATE = "LOT_STATE"
	// EBIDDERBLOCKED: the paddle's bidder is blocked from bidding.
	EBIDDERBLOCKED = "BIDDER_BLOCKED"
)

// BidResult is a bid as logged and the lot after it. Replayed is true when the idempotency key
// had been used already: the first result is returned and nothing new was written.
type BidResult struct {
	Bid      *Bid
	Lot      *Lot
	Replayed bool
}

// LotClose is what closing a TIMED lot found: Closed when it ended now or before, else the end
// to check again at (a late bid extended it).
type LotClose struct {
	Closed bool
	EndsAt time.Time
}

// AuctionService runs a store's auctions. Staff act on their own store's auctions only; another
// store's auction, lot or bidder does not exist for them (NOT_FOUND), as for a bidder.
type AuctionService interface {
	CreateAuction(ctx context.Context, in AuctionInput) (*Auction, error)
	// ScheduleAuction publishes a DRAFT auction with its lots: it opens at its start.
	ScheduleAuction(ctx context.Context, auction int64) (*Auction, error)
	// OpenAuction opens a DRAFT or SCHEDULED auction now; a TIMED auction opens all its lots.
	OpenAuction(ctx context.Context, auction int64) (*Auction, error)
	// CancelAuction cancels an auction that has no bid; its items may go into other lots.
	CancelAuction(ctx context.Context, auction int64) (*Auction, error)
	AddLot(ctx context.Context, auction int64, in LotInput) (*Lot, error)
	// UpdateLot replaces a lot's terms and items; refused once it has a bid.
	UpdateLot(ctx context.Context, lot int64, in LotInput) (*Lot, error)
	// RelistLot puts an UNSOLD or UNPAID lot's items into another auction, as a new lot.
	RelistLot(ctx context.Context, lot, auction int64, number int) (*Lot, error)

	RegisterBidder(ctx context.Context, in BidderInput) (*Bidder, error)
	// SetBidderBlocked blocks (with a reason) or unblocks a bidder.
	SetBidderBlocked(ctx context.Context, bidder int64, blocked bool, reason string) (*Bidder, error)
	// AssignPaddle gives a bidder the next paddle number of an auction, or the one it has.
	AssignPaddle(ctx context.Context, auction, bidder int64) (*Paddle, error)

	PlaceBid(ctx context.Context, in BidInput) (*BidResult, error)
	RetractBid(ctx context.Context, bid int64, reason string) (*Lot, error)
	// OpenLot opens the next lot of a LIVE auction.
	OpenLot(ctx context.Context, lot int64) (*Lot, error)
	// HammerLot ends an open lot of a LIVE auction: SOLD to the leader when the reserve is met.
	HammerLot(ctx context.Context, lot int64) (*Lot, error)
	// PassLot ends an open lot of a LIVE auction unsold.
	PassLot(ctx context.Context, lot int64) (*Lot, error)
	// CloseLot ends a TIMED lot whose end has come (the closing job).
	CloseLot(ctx context.Context, lot int64) (LotClose, error)

	RecordLotPayment(ctx context.Context, in PaymentInput) (*Lot, error)
	// MarkLotUnpaid ends a won lot unpaid after the store's payment window: the winner gets a strike.
	MarkLotUnpaid(ctx context.Context, lot int64) (*Lot, error)
	MakeSecondChanceOffer(ctx context.Context, in OfferInput) (*SecondChanceOffer, error)
	DecideSecondChanceOffer(ctx context.Context, offer int64, accept bool) (*SecondChanceOffer, error)

	// SetIncrementTable adds a version of the staff's store's increment table.
	SetIncrementTable(ctx context.Context, t IncrementTable) (int, error)
	// IncrementTable is the store's table in force and its version (0: the default).
	IncrementTable(ctx context.Context, store int64) (IncrementTable, int, error)

	Auctions(ctx context.Context, status *AuctionStatus, page PageArgs) (*Page[*Auction], error)
	AuctionsByID(ctx context.Context, ids []int64) ([]*Auction, error)
	Lots(ctx context.Context, auction int64, page PageArgs) (*Page[*Lot], error)
	LotsByID(ctx context.Context, ids []int64) ([]*Lot, error)
	// LotItems returns each lot's items, in the order of lotIDs.
	LotItems(ctx context.Context, lotIDs []int64) ([][]*ReturnedItem, error)
	// LotEvents returns a lot's events after a sequence number, oldest first, at most limit.
	LotEvents(ctx context.Context, lot int64, after int64, limit int) ([]*LotEvent, error)
	// Bids returns each lot's bids, retracted ones too, in order, in the order of lotIDs.
	Bids(ctx context.Context, lotIDs []int64) ([][]*Bid, error)
	Bidders(ctx context.Context, page PageArgs) (*Page[*Bidder], error)
	BiddersByID(ctx context.Context, ids []int64) ([]*Bidder, error)
	// PaddlesOf returns the paddle of each bidder in an auction, in the order of bidderIDs.
	PaddlesOf(ctx context.Context, auction int64, bidderIDs []int64) ([]*Paddle, error)
	// Offers returns each lot's second-chance offers, oldest first, in the order of lotIDs.
	Offers(ctx context.Context, lotIDs []int64) ([][]*SecondChanceOffer, error)
	OffersByID(ctx context.Context, ids []int64) ([]*SecondChanceOffer, error)
	Results(ctx context.Context, auction int64) (*AuctionResults, error)
	// AuctionableItems are the store's items a new lot can take: routed AUCTION, LISTED and in
	// no live lot, oldest first.
	AuctionableItems(ctx context.Context, page PageArgs) (*Page[*ReturnedItem], error)
	// AuctionQueues counts the store's auction work: lots due to end in [from, to), and won
	// lots waiting for payment or marked unpaid.
	AuctionQueues(ctx context.Context, from, to time.Time) (*AuctionQueues, error)
}

// AuctionQueues are the counts of a store's auction work on its dashboard.
type AuctionQueues struct {
	// ClosingLots are the PENDING or OPEN lots whose end falls in the period asked.
	ClosingLots int `db:"closing_lots"`
	// AwaitingPayment are the SOLD lots not yet paid; Unpaid those marked UNPAID, waiting for
	// a second-chance offer or a relisting.
	AwaitingPayment int `db:"awaiting_payment"`
	Unpaid          int `db:"unpaid"`
}

// LotWatcher streams a lot's events: those after a sequence number first, then each new one, in
// order and each once. The channel closes when ctx ends, when the subscriber falls too far
// behind (it reconnects with the last sequence it saw), or when the server shuts down.
type LotWatcher interface {
	Watch(ctx context.Context, lot, after int64) (<-chan *LotEvent, error)
}
