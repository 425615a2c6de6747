package secondchance

import "fmt"

// IncrementStep is one row of an increment table: from a current price of FromCents upwards,
// the next bid must be at least IncrementCents higher.
type IncrementStep struct {
	FromCents      int64 `json:"fromCents"`
	IncrementCents int64 `json:"incrementCents"`
}

// IncrementTable is a store's bid increments by current price, in ascending FromCents. The
// version in force when a lot opens is copied onto the lot, so a later change of the store's
// table never moves the minimum of a running lot.
type IncrementTable []IncrementStep

// MaxIncrementSteps bounds a table: real tables have about ten rows.
const MaxIncrementSteps = 50

// DefaultIncrementTable is the table of a store that has not set its own (issue 14): $0.01–0.99
// → 0.05, 1–4.99 → 0.25, 5–24.99 → 0.50, 25–99.99 → 1, 100–249.99 → 2.50, 250–499.99 → 5,
// 500–999.99 → 10, 1,000–2,499.99 → 25, 2,500–4,999.99 → 50, 5,000 and up → 100. Its first
// step starts at 0 rather than 1 cent so that every price, also the 0 of a lot without bids,
// has an increment.
func DefaultIncrementTable() IncrementTable {
	return IncrementTable{
		{0, 5},
		{100, 25},
		{500, 50},
		{2500, 100},
		{10000, 250},
		{25000, 500},
		{50000, 1000},
		{100000, 2500},
		{250000, 5000},
		{500000, 10000},
	}
}

// Validate checks the table: 1 to MaxIncrementSteps steps, the first from 0 or 1 cent, each
// later one from a higher price, and increments of at least a cent that never shrink as the
// price grows. The last rule keeps price + increment rising with the price, which is what makes
// an absentee bid's price (the old maximum plus its increment) never fall below the minimum.
// Fields are "steps" and "steps.<i>.fromCents" / "steps.<i>.incrementCents".
func (t IncrementTable) Validate() error {
	var f fieldErrors
	if len(t) == 0 || len(t) > MaxIncrementSteps {
		f.add("steps", "an increment table has 1 to %d steps, got %d", MaxIncrementSteps, len(t))
		return f.Err()
	}
	for i, s := range t {
		p := fmt.Sprintf("steps.%d.", i)
		switch {
		case i == 0 && s.FromCents != 0 && s.FromCents != 1:
			f.add(p+"fromCents", "the first step starts at a price of 0 or 1 cent, not %d", s.FromCents)
		case s.FromCents > MaxAmountCents:
			f.add(p+"fromCents", "a step starts at most at %d cents", MaxAmountCents)
		case i > 0 && s.FromCents <= t[i-1].FromCents:
			f.add(p+"fromCents", "steps are in ascending price: %d is not above %d", s.FromCents, t[i-1].FromCents)
		}
		switch {
		case s.IncrementCents < 1 || s.IncrementCents > MaxAmountCents:
			f.add(p+"incrementCents", "an increment is 1 to %d cents, got %d", MaxAmountCents, s.IncrementCents)
		case i > 0 && s.IncrementCents < t[i-1].IncrementCents:
			f.add(p+"incrementCents", "an increment is at least the one of the step before (%d cents)", t[i-1].IncrementCents)
		}
	}
	return f.Err()
}

// Increment is the step above a current price of priceCents: the increment of the last step
// that starts at or below it. A price below the first step takes the first step, and a table
// that Validate would refuse still answers at least 1 cent, so a minimum always rises.
func (t IncrementTable) Increment(priceCents int64) int64 {
	if len(t) == 0 {
		return 1
	}
	inc := t[0].IncrementCents
	for _, s := range t[1:] {
		if s.FromCents > priceCents {
			break
		}
		inc = s.IncrementCents
	}
	return max(inc, 1)
}
