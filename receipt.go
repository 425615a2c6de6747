package secondchance

import "time"

// ReceiptDocument is everything a buyer's receipt for a paid auction lot shows; rendering is a pure
// function of it. Deductible and Disclosure are what ReceiptTerms says of Paid and Estimate:
// the caller computes them (to store them with the payment) and the renderer refuses a receipt
// where they disagree, so a printed receipt never claims a deduction the figures do not give.
type ReceiptDocument struct {
	Number string    // the receipt's serial number
	PaidAt time.Time // when the payment was recorded
	// Store is the charity that sold the lot: its name, EIN and address.
	Store    Party
	Auction  string // the auction's title
	Lot      int    // the lot's number in the auction
	LotTitle string
	Items    []ReceiptItem
	Bidder   string        // the buyer's name
	Paddle   int           // the buyer's paddle in the auction
	Address  PostalAddress // the buyer's address; may be empty
	Method   PaymentMethod // may be empty
	Paid     Money         // the amount paid for the lot
	// Estimate is the good-faith estimate of the fair market value of the goods.
	Estimate   Money
	Deductible Money
	Disclosure bool // the §6115 disclosure is printed (a payment over 75.00 USD)
}

// ReceiptItem is one item of the lot: its title and a reference staff can find it by.
type ReceiptItem struct {
	Title     string
	Reference string
}
