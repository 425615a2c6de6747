package pdf

import (
	"fmt"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// Receipt is the buyer's receipt of a paid lot (sc.ReceiptDocument, which the services fill).
type Receipt = sc.ReceiptDocument

// ReceiptItem is one item of the lot on the receipt.
type ReceiptItem = sc.ReceiptItem

// Check verifies the receipt before it is printed: a number, at least one item, one currency,
// a payment, and the deductible part and disclosure that ReceiptTerms gives for its figures.
func CheckReceipt(r *Receipt) error {
	if r.Number == "" {
		return fmt.Errorf("a receipt needs a number")
	}
	if len(r.Items) == 0 {
		return fmt.Errorf("receipt %s lists no items", r.Number)
	}
	cur := r.Paid.Currency
	if r.Estimate.Currency != cur || r.Deductible.Currency != cur {
		return fmt.Errorf("receipt %s mixes currencies", r.Number)
	}
	if r.Paid.Cents <= 0 || r.Estimate.Cents < 0 {
		return fmt.Errorf("receipt %s: paid %s and estimate %s are not a payment for goods", r.Number, r.Paid, r.Estimate)
	}
	deductible, disclosure := sc.ReceiptTerms(r.Paid, r.Estimate)
	if r.Deductible != deductible {
		return fmt.Errorf("receipt %s: the deductible part of %s for goods worth %s is %s, not %s", r.Number, r.Paid, r.Estimate, deductible, r.Deductible)
	}
	if r.Disclosure != disclosure {
		return fmt.Errorf("receipt %s: a payment of %s needs the disclosure: %v, not %v", r.Number, r.Paid, disclosure, r.Disclosure)
	}
	return nil
}

// DisclosureText is the quid-pro-quo disclosure IRC §6115 asks of a charity that receives a
// payment of more than $75 made partly as a contribution and partly for goods: what part is
// deductible, and the charity's good-faith estimate of the value of the goods.
func DisclosureText(r *Receipt) string {
	return fmt.Sprintf("Disclosure under section 6115 of the Internal Revenue Code: your payment of %s to %s was made partly "+
		"as a contribution and partly for the goods of the lot above. The amount of your contribution that is deductible for "+
		"federal income tax purposes is limited to the excess of the amount paid over the value of the goods provided by the "+
		"charity, estimated in good faith at %s.", r.Paid, r.Store.Name, r.Estimate)
}

// NothingDeductible is printed when the goods are estimated to be worth at least what was paid.
const NothingDeductible = "The goods are estimated to be worth at least the amount paid, so no part of this payment is a deductible contribution."

// paymentMethods are the methods as a receipt words them.
var paymentMethods = map[sc.PaymentMethod]string{
	sc.PaymentCash: "cash", sc.PaymentCard: "card", sc.PaymentCheck: "check", sc.PaymentTransfer: "bank transfer",
}

// Receipt renders a buyer's receipt for a paid lot, laid out as certificates are. It refuses a
// receipt that Check refuses.
func (r *Renderer) Receipt(rc *Receipt) ([]byte, error) {
	if err := CheckReceipt(rc); err != nil {
		return nil, err
	}
	d := newDoc(r.fonts, rc.PaidAt, receiptTexts(rc)...)
	d.p.SetTitle("Receipt "+rc.Number, true)
	d.p.SetAuthor(rc.Store.Name, true)
	w := &pager{doc: d, footer: rc.Store.Name + " · " + rc.Number}
	w.newPage()

	w.y += d.text(margin, w.y, 180, 18, "L", "Receipt for an auction purchase") + 1
	w.y += d.text(margin, w.y, 180, 10, "L", fmt.Sprintf("Receipt number %s · paid %s", rc.Number, rc.PaidAt.UTC().Format("2 January 2006")))
	w.y += 3
	d.rule(w.y)
	w.y += 3

	buyer := append([]string{rc.Bidder, fmt.Sprintf("Paddle %d", rc.Paddle)}, addressLines(rc.Address)...)
	store := append([]string{rc.Store.Name, "EIN " + rc.Store.EIN}, addressLines(rc.Store.Address)...)
	top := w.y
	hl := w.block(margin, top, 85, "Buyer", buyer)
	hr := w.block(110, top, 85, "Received by", store)
	w.y = top + max(hl, hr) + 3
	d.rule(w.y)
	w.y += 3

	w.heading(fmt.Sprintf("Lot %d · %s", rc.Lot, rc.Auction))
	lot := d.wrap(180, 10, "L", rc.LotTitle)
	w.ensure(lot.height() + 2)
	w.y += d.draw(margin, w.y, lot) + 4
	receiptItems(w, rc.Items)

	rows := [][2]string{
		{"Amount paid", rc.Paid.String()},
		{"Value of the goods (good-faith estimate)", rc.Estimate.String()},
		{"Deductible contribution", rc.Deductible.String()},
	}
	w.ensure(float64(len(rows))*lineHeight(10) + 2)
	for _, row := range rows {
		d.text(margin+60, w.y, 80, 10, "L", row[0])
		d.text(margin+140, w.y, 40, 10, "R", row[1])
		w.y += lineHeight(10)
	}
	if m, ok := paymentMethods[rc.Method]; ok {
		d.text(margin+60, w.y, 120, 9, "L", "Paid by "+m)
		w.y += lineHeight(9)
	}
	w.y += 4

	var notes []string
	if rc.Disclosure {
		notes = append(notes, DisclosureText(rc))
	}
	if rc.Deductible.Cents == 0 {
		notes = append(notes, NothingDeductible)
	}
	notes = append(notes, fmt.Sprintf("%s sold the items above at auction; what it received after its processing costs is donated to charity.", rc.Store.Name))
	for i, n := range notes {
		size := 9.0
		if i == 0 && rc.Disclosure {
			size = 10
		}
		b := d.wrap(180, size, "L", n)
		w.ensure(b.height() + 2)
		w.y += d.draw(margin, w.y, b) + 2
	}
	return d.output()
}

// receiptColumns are the columns of a receipt's items table.
var receiptColumns = []column{{"Item", 130, "L"}, {"Reference", 50, "L"}}

func receiptItems(w *pager, items []ReceiptItem) {
	header := func() {
		row, h := w.wrapRow(receiptColumns, 8, []string{receiptColumns[0].title, receiptColumns[1].title})
		w.drawRow(margin, w.y, receiptColumns, row)
		w.y += h + 1
		w.rule(w.y)
		w.y += 1
	}
	w.heading(fmt.Sprintf("Items (%d)", len(items)))
	header()
	for _, it := range items {
		row, h := w.wrapRow(receiptColumns, 9, []string{it.Title, it.Reference})
		if w.ensure(h + 1) {
			header()
		}
		w.drawRow(margin, w.y, receiptColumns, row)
		w.y += h + 1
	}
	w.rule(w.y)
	w.y += 3
}

// receiptTexts is every string the receipt prints that a client wrote, to know its fonts up
// front; the rest is ASCII and the currency code.
func receiptTexts(rc *Receipt) []string {
	ts := []string{rc.Store.Name, oneLine(rc.Store.Address), rc.Store.EIN, rc.Number, rc.Auction, rc.LotTitle, rc.Bidder, oneLine(rc.Address)}
	for _, it := range rc.Items {
		ts = append(ts, it.Title, it.Reference)
	}
	return []string{strings.Join(ts, " ")}
}
