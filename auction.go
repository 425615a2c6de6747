package secondchance

import (
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AuctionKind is how an auction runs: TIMED, an online catalogue whose lots each end at a time
// with a soft close, or LIVE, a floor sale where the clerk opens lots one after another and
// hammers them.
type AuctionKind string

// Auction kinds.
const (
	AuctionTimed AuctionKind = "TIMED"
	AuctionLive  AuctionKind = "LIVE"
)

// Valid reports whether k is a known kind.
func (k AuctionKind) Valid() bool { return k == AuctionTimed || k == AuctionLive }

// MarshalGQL writes the kind as a GraphQL enum value.
func (k AuctionKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *AuctionKind) UnmarshalGQL(v any) error { return unmarshalEnum(v, k, AuctionKind.Valid) }

// AuctionStatus is where an auction is in its life: DRAFT → SCHEDULED → OPEN → CLOSED →
// SETTLED, or CANCELLED, which is only possible before its first bid.
type AuctionStatus string

// Auction statuses, in the order of an auction's life.
const (
	AuctionDraft     AuctionStatus = "DRAFT"
	AuctionScheduled AuctionStatus = "SCHEDULED"
	AuctionOpen      AuctionStatus = "OPEN"
	AuctionClosed    AuctionStatus = "CLOSED"
	AuctionSettled   AuctionStatus = "SETTLED"
	AuctionCancelled AuctionStatus = "CANCELLED"
)

// AuctionStatuses lists every auction status.
var AuctionStatuses = []AuctionStatus{AuctionDraft, AuctionScheduled, AuctionOpen, AuctionClosed, AuctionSettled, AuctionCancelled}

// Valid reports whether s is a known status.
func (s AuctionStatus) Valid() bool { return slices.Contains(AuctionStatuses, s) }

// MarshalGQL writes the status as a GraphQL enum value.
func (s AuctionStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *AuctionStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, AuctionStatus.Valid) }

// LotStatus is where a lot is: PENDING → OPEN → SOLD | UNSOLD, and a SOLD lot → PAID | UNPAID.
// An UNSOLD or UNPAID lot's items can be relisted in a new lot of another auction.
type LotStatus string

// Lot statuses, in the order of a lot's life.
const (
	LotPending LotStatus = "PENDING"
	LotOpen    LotStatus = "OPEN"
	LotSold    LotStatus = "SOLD"
	LotUnsold  LotStatus = "UNSOLD"
	LotPaid    LotStatus = "PAID"
	LotUnpaid  LotStatus = "UNPAID"
)

// LotStatuses lists every lot status.
var LotStatuses = []LotStatus{LotPending, LotOpen, LotSold, LotUnsold, LotPaid, LotUnpaid}

// Valid reports whether s is a known status.
func (s LotStatus) Valid() bool { return slices.Contains(LotStatuses, s) }

// MarshalGQL writes the status as a GraphQL enum value.
func (s LotStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *LotStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, LotStatus.Valid) }

// BidKind is how a bid reached the clerk. FLOOR and PHONE bids are for their amount; an
// ABSENTEE bid is a maximum that the engine bids with, one increment at a time (a proxy bid).
type BidKind string

// Bid kinds.
const (
	BidFloor    BidKind = "FLOOR"
	BidPhone    BidKind = "PHONE"
	BidAbsentee BidKind = "ABSENTEE"
)

// Valid reports whether k is a known kind.
func (k BidKind) Valid() bool { return k == BidFloor || k == BidPhone || k == BidAbsentee }

// MarshalGQL writes the kind as a GraphQL enum value.
func (k BidKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *BidKind) UnmarshalGQL(v any) error { return unmarshalEnum(v, k, BidKind.Valid) }

// UnsoldReason says why a lot ended UNSOLD.
type UnsoldReason string

// Unsold reasons.
const (
	UnsoldNoBids        UnsoldReason = "NO_BIDS"
	UnsoldReserveNotMet UnsoldReason = "RESERVE_NOT_MET"
	// UnsoldPassed: the clerk passed the lot, whatever its bids.
	UnsoldPassed UnsoldReason = "PASSED"
)

// Valid reports whether r is a known reason.
func (r UnsoldReason) Valid() bool {
	return r == UnsoldNoBids || r == UnsoldReserveNotMet || r == UnsoldPassed
}

// MarshalGQL writes the reason as a GraphQL enum value.
func (r UnsoldReason) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *UnsoldReason) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, UnsoldReason.Valid) }

// LotEventKind is what one event of a lot records. Every change to a lot is an event with the
// lot's next sequence number, so watchers that reconnect read exactly what they missed.
type LotEventKind string

// Lot event kinds.
const (
	LotOpened        LotEventKind = "OPENED"
	LotBid           LotEventKind = "BID"
	LotBidRejected   LotEventKind = "REJECTED"
	LotBidRetracted  LotEventKind = "RETRACTED"
	LotExtended      LotEventKind = "EXTENDED"
	LotSoldEvent     LotEventKind = "SOLD"
	LotUnsoldEvent   LotEventKind = "UNSOLD"
	LotPassed        LotEventKind = "PASSED"
	LotPaidEvent     LotEventKind = "PAID"
	LotUnpaidEvent   LotEventKind = "UNPAID"
	LotOfferMade     LotEventKind = "OFFER_MADE"
	LotOfferAccepted LotEventKind = "OFFER_ACCEPTED"
	LotOfferDeclined LotEventKind = "OFFER_DECLINED"
)

// LotEventKinds lists every lot event kind.
var LotEventKinds = []LotEventKind{LotOpened, LotBid, LotBidRejected, LotBidRetracted, LotExtended,
	LotSoldEvent, LotUnsoldEvent, LotPassed, LotPaidEvent, LotUnpaidEvent, LotOfferMade, LotOfferAccepted, LotOfferDeclined}

// Valid reports whether k is a known kind.
func (k LotEventKind) Valid() bool { return slices.Contains(LotEventKinds, k) }

// MarshalGQL writes the kind as a GraphQL enum value.
func (k LotEventKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *LotEventKind) UnmarshalGQL(v any) error { return unmarshalEnum(v, k, LotEventKind.Valid) }

// PaymentMethod is how a winner paid for a lot.
type PaymentMethod string

// Payment methods.
const (
	PaymentCash     PaymentMethod = "CASH"
	PaymentCard     PaymentMethod = "CARD"
	PaymentCheck    PaymentMethod = "CHECK"
	PaymentTransfer PaymentMethod = "TRANSFER"
)

// Valid reports whether m is a known method.
func (m PaymentMethod) Valid() bool {
	return m == PaymentCash || m == PaymentCard || m == PaymentCheck || m == PaymentTransfer
}

// MarshalGQL writes the method as a GraphQL enum value.
func (m PaymentMethod) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL reads a GraphQL enum value into m.
func (m *PaymentMethod) UnmarshalGQL(v any) error { return unmarshalEnum(v, m, PaymentMethod.Valid) }

// EBIDTOOLOW: a bid below the lot's minimum next bid (or a leader's new maximum not above its
// old one). The message names the minimum; the field is "amount". It is a userError code of the
// bid mutation and, like the other such codes, has no HTTP status of its own.
const EBIDTOOLOW = "BID_TOO_LOW"

// LotTerms are what a lot's bids are measured against. They are fixed when the lot opens.
type LotTerms struct {
	StartingCents int64 // > 0
	ReserveCents  int64 // 0: no reserve; otherwise >= StartingCents
	Increments    IncrementTable
}

// Validate checks the terms on the fields "startingBid", "reserve" and "increments.<field of
// IncrementTable.Validate>".
func (t LotTerms) Validate() error {
	var f fieldErrors
	if t.StartingCents < 1 || t.StartingCents > MaxAmountCents {
		f.add("startingBid", "a starting bid is 0.01 to %s", USD(MaxAmountCents))
	}
	switch {
	case t.ReserveCents < 0 || t.ReserveCents > MaxAmountCents:
		f.add("reserve", "a reserve is 0.01 to %s, or none", USD(MaxAmountCents))
	case t.ReserveCents > 0 && t.ReserveCents < t.StartingCents:
		f.add("reserve", "the reserve %s is below the starting bid %s", USD(t.ReserveCents), USD(t.StartingCents))
	}
	f.Errors = append(f.Errors, prefixed("increments.", t.Increments.Validate())...)
	return f.Err()
}

// BidLine is one accepted bid as the engine sees it.
type BidLine struct {
	Seq    int64 // the lot's gapless sequence number of the event that placed it (orders ties)
	Bidder int64 // the bidder's ID (0 is never a bidder)
	Kind   BidKind
	Cents  int64 // the amount; for ABSENTEE the bidder's maximum
}

// LotState is everything the lot row keeps to take the next bid without reading old bids.
type LotState struct {
	PriceCents     int64 // current price, 0 before the first bid
	LeaderBidder   int64 // 0: no bid yet
	LeaderMaxCents int64 // the leader's maximum (for a floor/phone bid its amount)
	LeaderSeq      int64 // Seq of the bid that made the leader's maximum (ties)
	Bids           int   // accepted bids counted
}

// MinimumBid is the lowest amount the lot takes next: the starting bid before the first bid,
// then the current price plus its increment.
func (t LotTerms) MinimumBid(s LotState) int64 {
	if s.LeaderBidder == 0 {
		return t.StartingCents
	}
	return s.PriceCents + t.Increments.Increment(s.PriceCents)
}

// MinimumBidFor is MinimumBid for one bidder: the leader bids only to raise its maximum, so
// its new maximum must also be above the old one.
func (t LotTerms) MinimumBidFor(s LotState, bidder int64) int64 {
	m := t.MinimumBid(s)
	if bidder != 0 && bidder == s.LeaderBidder {
		m = max(m, s.LeaderMaxCents+1)
	}
	return m
}

// ReserveMet reports whether the lot would sell at its current price: it has no reserve, or
// the price has reached it. Bidders see only this, never the reserve.
func (t LotTerms) ReserveMet(s LotState) bool {
	return t.ReserveCents <= 0 || (s.LeaderBidder != 0 && s.PriceCents >= t.ReserveCents)
}

// Place applies one bid to the lot's state and returns the new state; a refused bid leaves s
// as it was (the caller logs a REJECTED event, and nothing else changes, not even the end).
//
// The rules (proxy bidding):
//   - the bid must be at least MinimumBidFor the bidder, or it is BID_TOO_LOW on "amount";
//   - the first bid leads: a floor or phone bid at its amount, an absentee one at the
//     starting bid;
//   - a new bidder above the leader's maximum takes the lead: a floor or phone bid at its
//     amount, an absentee one at the old maximum plus its increment, never above its own
//     maximum;
//   - a bid at or below the leader's maximum is answered by it: the price becomes the bid plus
//     its increment, never above the leader's maximum; an equal maximum goes to the earlier
//     bid, by Seq, so the price is then that maximum;
//   - the leader bidding again only raises its maximum, never the price;
//   - a leader's maximum at or above the reserve lifts the price to at least the reserve;
//   - the price never falls.
func (t LotTerms) Place(s LotState, b BidLine) (LotState, error) {
	var f fieldErrors
	if b.Bidder <= 0 {
		f.add("paddle", "a bid needs a bidder")
	}
	if !b.Kind.Valid() {
		f.add("kind", "%q is not a bid kind: FLOOR, PHONE or ABSENTEE", b.Kind)
	}
	if b.Cents < 1 || b.Cents > MaxAmountCents {
		f.add("amount", "a bid is 0.01 to %s", USD(MaxAmountCents))
	}
	if err := f.Err(); err != nil {
		return s, err
	}
	if m := t.MinimumBidFor(s, b.Bidder); b.Cents < m {
		if b.Bidder == s.LeaderBidder && b.Cents <= s.LeaderMaxCents {
			return s, FieldErrorf("amount", EBIDTOOLOW, "this bidder already leads with a maximum of %s; a new maximum is at least %s", USD(s.LeaderMaxCents), USD(m))
		}
		return s, FieldErrorf("amount", EBIDTOOLOW, "the minimum bid is %s", USD(m))
	}
	next := s
	next.Bids++
	switch {
	case s.LeaderBidder == 0:
		next.LeaderBidder, next.LeaderMaxCents, next.LeaderSeq = b.Bidder, b.Cents, b.Seq
		next.PriceCents = b.Cents
		if b.Kind == BidAbsentee {
			next.PriceCents = t.StartingCents
		}
	case b.Bidder == s.LeaderBidder:
		next.LeaderMaxCents, next.LeaderSeq = b.Cents, b.Seq
	case b.Cents > s.LeaderMaxCents || b.Cents == s.LeaderMaxCents && b.Seq < s.LeaderSeq:
		next.LeaderBidder, next.LeaderMaxCents, next.LeaderSeq = b.Bidder, b.Cents, b.Seq
		next.PriceCents = b.Cents
		if b.Kind == BidAbsentee {
			next.PriceCents = min(b.Cents, s.LeaderMaxCents+t.Increments.Increment(s.LeaderMaxCents))
		}
	default:
		next.PriceCents = min(s.LeaderMaxCents, b.Cents+t.Increments.Increment(b.Cents))
	}
	if t.ReserveCents > 0 && next.LeaderMaxCents >= t.ReserveCents {
		next.PriceCents = max(next.PriceCents, t.ReserveCents)
	}
	next.PriceCents = max(next.PriceCents, s.PriceCents)
	return next, nil
}

// Replay folds the bids in Seq order as if only they had been placed: the state after a
// retraction is the replay of the bids that remain. A bid the replay would refuse (Place on the
// state before it says no) is left out, as it would have been had it come in that world.
func (t LotTerms) Replay(bids []BidLine) LotState {
	s, _ := t.ReplayRefused(bids)
	return s
}

// ReplayRefused is Replay that also returns the bids the replay left out, in Seq order, so a
// retraction can log what else it undid.
func (t LotTerms) ReplayRefused(bids []BidLine) (LotState, []BidLine) {
	sorted := slices.Clone(bids)
	slices.SortStableFunc(sorted, func(a, b BidLine) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	var s LotState
	var refused []BidLine
	for _, b := range sorted {
		next, err := t.Place(s, b)
		if err != nil {
			refused = append(refused, b)
			continue
		}
		s = next
	}
	return s, refused
}

// Hammer says how a lot ends: SOLD when there is a leader and the reserve is met, else UNSOLD
// with its reason (a clerk's pass is UnsoldPassed, decided by the clerk, not here).
func (t LotTerms) Hammer(s LotState) (LotStatus, UnsoldReason) {
	switch {
	case s.LeaderBidder == 0:
		return LotUnsold, UnsoldNoBids
	case !t.ReserveMet(s):
		return LotUnsold, UnsoldReserveNotMet
	}
	return LotSold, ""
}

// DefaultSoftCloseWindow, DefaultExtensionCap and the bounds below are the soft-close settings
// of an auction that does not choose its own.
const (
	DefaultSoftCloseWindow = 2 * time.Minute
	DefaultExtensionCap    = 30 * time.Minute
	MaxSoftCloseWindow     = time.Hour
	MaxExtensionCap        = 24 * time.Hour
	MaxStagger             = 10 * time.Minute
)

// LotClock is a TIMED lot's soft close.
type LotClock struct {
	End    time.Time     // the current end
	Cap    time.Time     // scheduled end + extension cap; End never passes it
	Window time.Duration // soft-close window (default 2 min)
}

// NewLotClock is the clock of a lot scheduled to end at end.
func NewLotClock(end time.Time, window, extensionCap time.Duration) LotClock {
	return LotClock{End: end, Cap: end.Add(extensionCap), Window: window}
}

// Ended reports whether the lot no longer takes bids at `at`: its end is inclusive, so a bid
// stamped exactly at the end is late.
func (c LotClock) Ended(at time.Time) bool { return !at.Before(c.End) }

// Extend returns the end after a bid accepted at `at`: when at is within the window before End,
// at+Window capped at Cap; otherwise End unchanged. extended reports a change. The end only
// ever moves later, and a bid at or after the end (which the lot refuses) moves nothing.
func (c LotClock) Extend(at time.Time) (end time.Time, extended bool) {
	if c.Window <= 0 || c.Ended(at) || at.Before(c.End.Add(-c.Window)) {
		return c.End, false
	}
	end = at.Add(c.Window)
	if end.After(c.Cap) {
		end = c.Cap
	}
	if !end.After(c.End) {
		return c.End, false
	}
	return end, true
}

// LotEnds gives each lot of a TIMED auction its scheduled end: auction end + i*stagger in lot
// order, so that closing lots one after another lets bidders move on to the next.
func LotEnds(end time.Time, stagger time.Duration, lots int) []time.Time {
	out := make([]time.Time, max(lots, 0))
	for i := range out {
		out[i] = end.Add(time.Duration(i) * stagger)
	}
	return out
}

// DisclosureThresholdCents is the payment above which a charity must tell the buyer what part
// of it is deductible (IRC §6115: a quid-pro-quo contribution of more than $75).
const DisclosureThresholdCents = 7500

// ReceiptTerms are the figures of the buyer's receipt: the deductible part of a payment for
// goods worth estimate, max(0, paid − estimate), and whether the §6115 disclosure is due.
func ReceiptTerms(paid, estimate Money) (deductible Money, disclosure bool) {
	return Money{Cents: max(0, paid.Cents-estimate.Cents), Currency: paid.Currency}, paid.Cents > DisclosureThresholdCents
}

// FirstPaddle is the first paddle number of an auction; paddles are numbered upwards from it.
const FirstPaddle = 100

// MaxPaddle bounds the paddle numbers a client sends; no charity auction comes near it.
const MaxPaddle = 1_000_000

// MaxLotItems is the most items one lot holds.
const MaxLotItems = 50

// MaxLotNumber bounds lot numbers.
const MaxLotNumber = 100_000

// OfferDays are the lengths a second-chance offer may stay open, in days.
var OfferDays = []int{1, 3, 5, 7}

// AuctionInput creates an auction or replaces its settings while it is a DRAFT. A nil duration
// takes its default; Validate fills it in, so after Validate none is nil.
type AuctionInput struct {
	Title       string
	Description string
	Kind        AuctionKind
	StartsAt    time.Time
	// EndsAt is when a TIMED auction's first lot ends (required for TIMED); a LIVE auction
	// ends when its clerk hammers the last lot.
	EndsAt          *time.Time
	SoftCloseWindow *time.Duration // default 2m, 0 (no soft close) to 1h
	ExtensionCap    *time.Duration // default 30m past a lot's scheduled end, 0 to 24h
	Stagger         *time.Duration // between consecutive lots' ends, default 0, 0 to 10m
}

// Validate checks the auction and fills in the default durations.
func (in *AuctionInput) Validate() error {
	var f fieldErrors
	checkText(f.add, "title", in.Title, 1, 200)
	checkLongText(f.add, "description", in.Description, 0, 5000)
	if !in.Kind.Valid() {
		f.add("kind", "%q is not an auction kind: TIMED or LIVE", in.Kind)
	}
	startOK := false
	switch {
	case in.StartsAt.IsZero():
		f.add("startsAt", "startsAt is required")
	case CheckTime("", in.StartsAt) != nil:
		f.add("startsAt", "%s", ErrorMessage(CheckTime("", in.StartsAt)))
	default:
		startOK = true
	}
	switch {
	case in.EndsAt == nil && in.Kind == AuctionTimed:
		f.add("endsAt", "a TIMED auction needs endsAt, when its first lot ends")
	case in.EndsAt == nil:
	case CheckTime("", *in.EndsAt) != nil:
		f.add("endsAt", "%s", ErrorMessage(CheckTime("", *in.EndsAt)))
	case startOK && !in.EndsAt.After(in.StartsAt):
		f.add("endsAt", "endsAt %s is not after startsAt %s", in.EndsAt.UTC().Format(time.RFC3339), in.StartsAt.UTC().Format(time.RFC3339))
	}
	for _, d := range []struct {
		field    string
		v        **time.Duration
		def, max time.Duration
	}{
		{"softCloseSeconds", &in.SoftCloseWindow, DefaultSoftCloseWindow, MaxSoftCloseWindow},
		{"extensionCapSeconds", &in.ExtensionCap, DefaultExtensionCap, MaxExtensionCap},
		{"staggerSeconds", &in.Stagger, 0, MaxStagger},
	} {
		if *d.v == nil {
			def := d.def
			*d.v = &def
		} else if **d.v < 0 || **d.v > d.max {
			f.add(d.field, "%s is 0 to %s, got %s", d.field, d.max, **d.v)
		}
	}
	return f.Err()
}

// LotInput adds a lot to an auction or, before its first bid, replaces it.
type LotInput struct {
	Number      int     // unique in the auction, from 1
	Items       []int64 // IDs of the store's items routed AUCTION, 1 to MaxLotItems
	Title       string
	Description string
	// Estimate is the fair market value, printed in the catalogue and on the buyer's receipt.
	Estimate    MoneyInput
	StartingBid MoneyInput
	Reserve     *MoneyInput // nil: no reserve; never shown to bidders
	// ItemEstimates are the items' parts of the estimate, in the order of Items: a paid lot's
	// price is split over its items in these proportions. When given, Estimate is their sum;
	// a lot of one item may leave them out and take Estimate whole.
	ItemEstimates []MoneyInput
}

// ItemEstimateCents are the items' estimates of a validated lot, in US cents.
func (in *LotInput) ItemEstimateCents() []int64 {
	if len(in.ItemEstimates) == 0 {
		return []int64{in.EstimateCents()}
	}
	out := make([]int64, len(in.ItemEstimates))
	for i, e := range in.ItemEstimates {
		out[i] = mustCents(e)
	}
	return out
}

// Validate checks the lot. Whether its items are the store's, routed AUCTION and in no other
// open lot is the store's to check.
func (in *LotInput) Validate() error {
	var f fieldErrors
	if in.Number < 1 || in.Number > MaxLotNumber {
		f.add("number", "a lot number is 1 to %d, got %d", MaxLotNumber, in.Number)
	}
	if len(in.Items) == 0 || len(in.Items) > MaxLotItems {
		f.add("items", "a lot holds 1 to %d items, got %d", MaxLotItems, len(in.Items))
	}
	seen := make(map[int64]bool, len(in.Items))
	for i, id := range in.Items {
		switch {
		case id <= 0:
			f.add("items."+strconv.Itoa(i), "%d is not an item ID", id)
		case seen[id]:
			f.add("items."+strconv.Itoa(i), "the item is listed twice")
		}
		seen[id] = true
	}
	checkText(f.add, "title", in.Title, 1, 200)
	checkLongText(f.add, "description", in.Description, 0, 5000)
	switch {
	case len(in.ItemEstimates) > 0 && len(in.ItemEstimates) != len(in.Items):
		f.add("items", "give each item its estimate: %d items, %d estimates", len(in.Items), len(in.ItemEstimates))
	case len(in.ItemEstimates) > 0:
		var sum int64
		ok := true
		for i, e := range in.ItemEstimates {
			c, good := checkUSD(f.add, "items."+strconv.Itoa(i)+".estimate", e, 0)
			ok = ok && good
			sum += c
		}
		if ok {
			in.Estimate = MoneyInput{Amount: USD(sum).Amount(), Currency: DefaultCurrency}
		}
	case len(in.Items) > 1:
		f.add("items", "a lot of several items needs each item's estimate, to split its price by")
	default:
		checkUSD(f.add, "estimate", in.Estimate, 0)
	}
	starting, startOK := checkUSD(f.add, "startingBid", in.StartingBid, 1)
	if in.Reserve != nil {
		if reserve, ok := checkUSD(f.add, "reserve", *in.Reserve, 1); ok && startOK && reserve < starting {
			f.add("reserve.amount", "the reserve %s is below the starting bid %s", USD(reserve), USD(starting))
		}
	}
	return f.Err()
}

// Terms are the lot's bidding terms under the increment table in force; INVALID as Validate
// and LotTerms.Validate say.
func (in *LotInput) Terms(increments IncrementTable) (LotTerms, error) {
	if err := in.Validate(); err != nil {
		return LotTerms{}, err
	}
	t := LotTerms{StartingCents: mustCents(in.StartingBid), Increments: increments}
	if in.Reserve != nil {
		t.ReserveCents = mustCents(*in.Reserve)
	}
	return t, t.Validate()
}

// EstimateCents is the estimate of a validated lot, in US cents.
func (in *LotInput) EstimateCents() int64 { return mustCents(in.Estimate) }

// mustCents reads an amount that Validate accepted; anything else reads as 0.
func mustCents(m MoneyInput) int64 {
	v, err := ParseMoney(m.Amount, m.Currency)
	if err != nil {
		return 0
	}
	return v.Cents
}

// checkUSD checks an amount in US dollars of at least minCents on "<field>.amount" and
// "<field>.currency", and returns its cents when it is good.
func checkUSD(add func(string, string, ...any), field string, in MoneyInput, minCents int64) (int64, bool) {
	m, err := ParseMoney(in.Amount, in.Currency)
	switch {
	case err != nil && ValidateCurrency(in.Currency) != nil:
		add(field+".currency", "%s", ErrorMessage(err))
	case err != nil:
		add(field+".amount", "%s", ErrorMessage(err))
	case m.Cents < 0:
		add(field+".amount", "%s cannot be negative", field)
	case m.Cents < minCents:
		add(field+".amount", "%s is at least %s", field, USD(minCents))
	case m.Currency != DefaultCurrency:
		add(field+".currency", "auctions are held in %s only", DefaultCurrency)
	default:
		return m.Cents, true
	}
	return 0, false
}

// BidderInput registers a bidder with the staff's store.
type BidderInput struct {
	Name  string
	Email string
	Phone string // optional
	// Address is where the receipt is mailed; an empty Recipient is the bidder's name.
	Address PostalAddress
}

// Validate checks the bidder: a name, an email address and a postal address (line 1, city,
// postal code and a two-letter country; region and line 2 optional).
func (in *BidderInput) Validate() error {
	var f fieldErrors
	checkText(f.add, "name", in.Name, 1, 200)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		f.add("email", "%q is not an email address", truncate(in.Email, 60))
	}
	checkPhone(f.add, "phone", in.Phone)
	a := &in.Address
	for _, t := range []struct {
		field string
		v     string
		min   int
	}{
		{"address.recipient", a.Recipient, 0}, {"address.line1", a.Line1, 1}, {"address.line2", a.Line2, 0},
		{"address.city", a.City, 1}, {"address.region", a.Region, 0}, {"address.postalCode", a.PostalCode, 1},
	} {
		checkText(f.add, t.field, t.v, t.min, 200)
	}
	if a.Country == "" {
		f.add("address.country", "country is required: a two-letter ISO 3166 code such as US")
	}
	checkCountry(f.add, "address.country", &a.Country)
	if len(f.Errors) == 0 && strings.TrimSpace(a.Recipient) == "" {
		a.Recipient = in.Name
	}
	return f.Err()
}

// checkPhone accepts an optional phone number as people write it: digits with spaces, dots,
// dashes, parentheses and a leading +, 7 to 15 digits (E.164's longest).
func checkPhone(add func(string, string, ...any), field, v string) {
	if v == "" {
		return
	}
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			digits = -1000
		}
	}
	if digits < 7 || digits > 15 || len(v) > 40 {
		add(field, "%q is not a phone number: 7 to 15 digits, e.g. +1 555 010 2030", truncate(v, 40))
	}
}

// BidInput is a bid logged by staff for a paddle. A retry with the same IdempotencyKey returns
// the first result and never places a second bid.
type BidInput struct {
	Lot            int64 // the lot's ID
	Paddle         int
	Kind           BidKind
	Amount         MoneyInput // for ABSENTEE the bidder's maximum
	IdempotencyKey string
}

// Validate checks the bid's form; whether it is high enough is the lot's (LotTerms.Place).
func (in *BidInput) Validate() error {
	var f fieldErrors
	if in.Lot <= 0 {
		f.add("lot", "%d is not a lot ID", in.Lot)
	}
	if in.Paddle < FirstPaddle || in.Paddle > MaxPaddle {
		f.add("paddle", "paddle numbers run from %d to %d, got %d", FirstPaddle, MaxPaddle, in.Paddle)
	}
	if !in.Kind.Valid() {
		f.add("kind", "%q is not a bid kind: FLOOR, PHONE or ABSENTEE", in.Kind)
	}
	checkUSD(f.add, "amount", in.Amount, 1)
	checkKey(f.add, "idempotencyKey", in.IdempotencyKey)
	return f.Err()
}

// Cents is the amount of a validated bid, in US cents.
func (in *BidInput) Cents() int64 { return mustCents(in.Amount) }

// checkKey accepts a client's idempotency key: 1 to 100 printable characters.
func checkKey(add func(string, string, ...any), field, v string) {
	if v == "" || utf8.RuneCountInString(v) > 100 || !utf8.ValidString(v) ||
		strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		add(field, "an idempotency key is 1 to 100 printable characters, e.g. a UUID")
	}
}

// PaymentInput records the winner's payment of a SOLD lot.
type PaymentInput struct {
	Lot    int64
	Amount MoneyInput
	Method PaymentMethod
}

// Validate checks the payment's form; that it is the lot's price is the store's to check.
func (in *PaymentInput) Validate() error {
	var f fieldErrors
	if in.Lot <= 0 {
		f.add("lot", "%d is not a lot ID", in.Lot)
	}
	checkUSD(f.add, "amount", in.Amount, 1)
	if !in.Method.Valid() {
		f.add("method", "%q is not a payment method: CASH, CARD, CHECK or TRANSFER", in.Method)
	}
	return f.Err()
}

// Cents is the amount of a validated payment, in US cents.
func (in *PaymentInput) Cents() int64 { return mustCents(in.Amount) }

// OfferInput makes a second-chance offer of an UNPAID lot to another of its bidders, at that
// bidder's own highest bid.
type OfferInput struct {
	Lot    int64
	Bidder int64
	Days   int // 1, 3, 5 or 7
}

// Validate checks the offer's form; that the bidder bid on the lot and is not its winner is
// the store's to check.
func (in *OfferInput) Validate() error {
	var f fieldErrors
	if in.Lot <= 0 {
		f.add("lot", "%d is not a lot ID", in.Lot)
	}
	if in.Bidder <= 0 {
		f.add("bidder", "%d is not a bidder ID", in.Bidder)
	}
	if !slices.Contains(OfferDays, in.Days) {
		f.add("days", "an offer stays open 1, 3, 5 or 7 days, not %d", in.Days)
	}
	return f.Err()
}
