package secondchance

import (
	"math/bits"
	"regexp"
	"sort"
)

var einPattern = regexp.MustCompile(`^\d{2}-\d{7}$`)

// ValidEIN reports whether s is a US Employer Identification Number written 12-3456789.
func ValidEIN(s string) bool { return einPattern.MatchString(s) }

// FeeSchedule is what a charity store charges per item it sells: fixed intake, storage and
// shipping costs, and a commission in basis points (1/100 of a percent) of the price.
type FeeSchedule struct {
	IntakeCents           int64 `json:"intakeCents"`
	StorageCents          int64 `json:"storageCents"`
	ShippingCents         int64 `json:"shippingCents"`
	CommissionBasisPoints int64 `json:"commissionBasisPoints"`
	// AuctionCommissionBasisPoints is the commission on an item sold at auction instead.
	AuctionCommissionBasisPoints int64 `json:"auctionCommissionBasisPoints"`
}

// SaleChannelAuction is the channel of the sales a paid auction lot makes.
const SaleChannelAuction = "AUCTION"

// AtAuction returns the schedule of an item sold at auction: the auction commission replaces
// the direct-sale one.
func (f FeeSchedule) AtAuction() FeeSchedule {
	f.CommissionBasisPoints = f.AuctionCommissionBasisPoints
	return f
}

// Validate checks that every fee is a non-negative amount and the commission at most 100 %.
func (f FeeSchedule) Validate() error {
	var e fieldErrors
	for _, c := range []struct {
		name string
		v    int64
	}{{"intakeCents", f.IntakeCents}, {"storageCents", f.StorageCents}, {"shippingCents", f.ShippingCents}} {
		if c.v < 0 {
			e.add(c.name, "a fee cannot be negative")
		} else if c.v > MaxAmountCents {
			e.add(c.name, "a fee is at most %d cents", MaxAmountCents)
		}
	}
	if f.CommissionBasisPoints < 0 || f.CommissionBasisPoints > 10000 {
		e.add("commissionBasisPoints", "a commission is 0 to 10,000 basis points (100 %%)")
	}
	if f.AuctionCommissionBasisPoints < 0 || f.AuctionCommissionBasisPoints > 10000 {
		e.add("auctionCommissionBasisPoints", "a commission is 0 to 10,000 basis points (100 %%)")
	}
	return e.Err()
}

// Costs are what a store deducts from one item's price, in cents of Currency.
type Costs struct {
	Intake, Storage, Shipping, Commission int64
	Currency                              string
}

// Total is the sum of the costs.
func (c Costs) Total() int64 { return c.Intake + c.Storage + c.Shipping + c.Commission }

// IntakeMoney, StorageMoney, ShippingMoney, CommissionMoney and TotalMoney are the costs as money.
func (c Costs) IntakeMoney() Money { return Money{Cents: c.Intake, Currency: c.Currency} }

// StorageMoney is the storage cost.
func (c Costs) StorageMoney() Money { return Money{Cents: c.Storage, Currency: c.Currency} }

// ShippingMoney is the shipping cost.
func (c Costs) ShippingMoney() Money { return Money{Cents: c.Shipping, Currency: c.Currency} }

// CommissionMoney is the commission.
func (c Costs) CommissionMoney() Money { return Money{Cents: c.Commission, Currency: c.Currency} }

// TotalMoney is every cost together.
func (c Costs) TotalMoney() Money { return Money{Cents: c.Total(), Currency: c.Currency} }

// Proceeds are one item's price, the costs deducted from it, and what is left to donate:
// Gross = Costs.Total() + Net, and Net is never below zero.
type Proceeds struct {
	Gross Money
	Costs Costs
	Net   Money
}

// Proceeds applies the schedule to an item sold for gross. The commission is rounded half up
// to the cent. Costs beyond the price are not charged: they are cut, last ones first
// (commission, shipping, storage, intake), so the ledger still balances with nothing donated.
func (f FeeSchedule) Proceeds(gross Money) Proceeds {
	c := Costs{Intake: f.IntakeCents, Storage: f.StorageCents, Shipping: f.ShippingCents,
		Commission: (gross.Cents*f.CommissionBasisPoints + 5000) / 10000, Currency: gross.Currency}
	over := c.Total() - gross.Cents
	for _, part := range []*int64{&c.Commission, &c.Shipping, &c.Storage, &c.Intake} {
		if over <= 0 {
			break
		}
		cut := min(*part, over)
		*part -= cut
		over -= cut
	}
	return Proceeds{Gross: gross, Costs: c, Net: Money{Cents: gross.Cents - c.Total(), Currency: gross.Currency}}
}

// SplitCents divides total among parts in proportion to weights so that the parts add up to
// total exactly: each gets its rounded-down share, and the cents left over go one each to the
// parts with the largest remainders (ties to the earlier part). Zero weights throughout split
// evenly. A price paid for a lot of several items is split by their declared values this way.
func SplitCents(total int64, weights []int64) []int64 {
	n := len(weights)
	out := make([]int64, n)
	if n == 0 {
		return out
	}
	var sum int64
	for _, w := range weights {
		if w < 0 {
			panic("SplitCents: negative weight")
		}
		sum += w
	}
	if sum == 0 {
		weights = make([]int64, n)
		for i := range weights {
			weights[i] = 1
		}
		sum = int64(n)
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, n)
	var given int64
	q, r := total/sum, total%sum
	for i, w := range weights {
		// total·w/sum = q·w + r·w/sum, where r·w can pass 2^63 (a sum of large weights
		// squared): it is multiplied and divided in 128 bits.
		hi, lo := bits.Mul64(uint64(r), uint64(w))
		share, remainder := bits.Div64(hi, lo, uint64(sum))
		out[i] = q*w + int64(share)
		rems[i] = rem{i, int64(remainder)}
		given += out[i]
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := int64(0); k < total-given; k++ {
		out[rems[k].i]++
	}
	return out
}

// AllocatePercent divides total among beneficiaries by whole percentages that add up to 100,
// exactly to the cent; INVALID on field "splits" otherwise.
func AllocatePercent(total int64, percents []int64) ([]int64, error) {
	var sum int64
	for _, p := range percents {
		if p <= 0 || p > 100 {
			return nil, FieldErrorf("splits", EINVALID, "each share is a whole percentage from 1 to 100")
		}
		sum += p
	}
	if sum != 100 {
		return nil, FieldErrorf("splits", EINVALID, "the shares add up to %d%%, not 100%%", sum)
	}
	return SplitCents(total, percents), nil
}
