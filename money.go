package secondchance

import (
	"strconv"
	"strings"
)

// Money is an amount in integer minor units (cents) of one currency. Floats never hold money:
// sums must add up to the cent.
type Money struct {
	Cents    int64
	Currency string
}

// DefaultCurrency is the currency of the US marketplace and the Second Chance Store.
const DefaultCurrency = "USD"

// USD returns an amount of US cents.
func USD(cents int64) Money { return Money{Cents: cents, Currency: "USD"} }

// Amount is the decimal form of the amount ("12.34", "-0.05"), which is what GraphQL clients see:
// a string, so no client parses it into a float by accident.
func (m Money) Amount() string {
	c := m.Cents
	b := make([]byte, 0, 24)
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	b = append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
	return string(b)
}

func (m Money) String() string { return m.Amount() + " " + m.Currency }

// ParseMoney reads a decimal amount with at most two decimals ("12", "12.3", "12.34") and a
// three-letter currency code.
func ParseMoney(amount, currency string) (Money, error) {
	if err := ValidateCurrency(currency); err != nil {
		return Money{}, err
	}
	cents, err := parseCents(amount)
	if err != nil {
		return Money{}, err
	}
	return Money{Cents: cents, Currency: currency}, nil
}

// MaxAmountCents bounds every amount a client sends, in either direction: 1,000,000.00. No
// returned item, order or fee comes near it, and sums of many such amounts (a store's day, a
// seller's year) stay far inside the 64-bit cents the store adds them in.
const MaxAmountCents = 100_000_000

func parseCents(s string) (int64, error) {
	bad := Errorf(EINVALID, "amount %q is not a decimal number with at most two decimals, e.g. 12.34", s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasDot && frac == "") || len(whole) > 15 {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	c, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	if c > MaxAmountCents {
		return 0, Errorf(EINVALID, "amount %s is above the limit of %s", truncate(s, 30), USD(MaxAmountCents).Amount())
	}
	if neg {
		c = -c
	}
	return c, nil
}

// ValidateCurrency accepts an ISO 4217-shaped code: three upper-case letters.
func ValidateCurrency(c string) error {
	if len(c) != 3 || strings.ToUpper(c) != c || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return Errorf(EINVALID, "currency %q is not a three-letter ISO 4217 code such as USD", c)
	}
	return nil
}
