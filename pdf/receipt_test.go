package pdf

import (
	"fmt"
	"strings"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
)

// receipt is a paid lot of three items in several scripts, paid well over its estimate.
func receipt(paid, estimate int64) *Receipt {
	deductible, disclosure := sc.ReceiptTerms(usd(paid), usd(estimate))
	return &Receipt{
		Number: "SCS-R-2026-000042", PaidAt: time.Date(2026, 5, 3, 16, 20, 0, 0, time.UTC),
		Store: sc.Party{Name: "The Second Chance Store", EIN: "43-1234567", Address: sc.PostalAddress{
			Line1: "1701 S. Main Street", City: "Independence", Region: "MO", PostalCode: "64052", Country: "US"}},
		Auction: "Spring charity auction", Lot: 12, LotTitle: "Three ceramics: a Greek vase, a Russian doll, a Japanese bowl",
		Items: []ReceiptItem{
			{Title: "Ελληνικό κεραμικό βάζο", Reference: "RMA-7KQ2-M4XD · item 311"},
			{Title: "Матрёшка деревянная, 7 штук", Reference: "RMA-7KQ2-M4XD · item 312"},
			{Title: "日本製の茶碗", Reference: "RMA-P9ZZ-2B6C · item 340"},
		},
		Bidder: "Zoë Müller-Øberg", Paddle: 142, Address: sc.PostalAddress{
			Line1: "2 Elm St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Method: sc.PaymentCard,
		Paid:   usd(paid), Estimate: usd(estimate), Deductible: deductible, Disclosure: disclosure,
	}
}

// flat is a text with its line breaks and runs of spaces made single spaces, so that a
// sentence wrapped over lines reads as one.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// lineWith returns the line of text that contains label.
func lineWith(t *testing.T, text, label string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, label) {
			return flat(l)
		}
	}
	t.Fatalf("no line has %q:\n%s", label, text)
	return ""
}

func TestReceiptGolden(t *testing.T) {
	t.Parallel()
	rc := receipt(20000, 8000)
	pdf, err := testRenderer(t).Receipt(rc)
	if err != nil {
		t.Fatal(err)
	}
	if pages := pdfinfo(t, pdf); pages != "1" {
		t.Errorf("the receipt has %s pages, want 1", pages)
	}
	text := pdftotext(t, pdf)
	for label, want := range map[string]string{
		"Amount paid":             "Amount paid 200.00 USD",
		"Value of the goods":      "Value of the goods (good-faith estimate) 80.00 USD",
		"Deductible contribution": "Deductible contribution 120.00 USD",
		"Receipt number":          "Receipt number SCS-R-2026-000042 · paid 3 May 2026",
		"Paddle":                  "Paddle 142",
		"Lot 12":                  "Lot 12 · Spring charity auction",
		"Paid by":                 "Paid by card",
	} {
		if got := lineWith(t, text, label); !strings.Contains(got, want) {
			t.Errorf("the line of %q reads %q, want %q", label, got, want)
		}
	}
	all := flat(text)
	for _, s := range []string{
		"Zoë Müller-Øberg", "2 Elm St", "Springfield, IL 62701",
		"The Second Chance Store", "EIN 43-1234567", "1701 S. Main Street", "Independence, MO 64052",
		"Ελληνικό κεραμικό βάζο", "RMA-7KQ2-M4XD · item 311", "Матрёшка деревянная", "日本製の茶碗", "RMA-P9ZZ-2B6C · item 340",
		"Items (3)", "Three ceramics: a Greek vase",
		"your payment of 200.00 USD to The Second Chance Store",
		"The amount of your contribution that is deductible for federal income tax purposes is limited to the excess of the amount paid " +
			"over the value of the goods provided by the charity, estimated in good faith at 80.00 USD.",
		"The Second Chance Store · SCS-R-2026-000042 · page 1",
	} {
		if !strings.Contains(all, s) {
			t.Errorf("the receipt lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(all, flat(NothingDeductible)) {
		t.Error("a receipt with a deductible part says nothing is deductible")
	}
	if strings.ContainsAny(text, "?\uFFFD") {
		t.Errorf("the text has a ? or a replacement character:\n%s", text)
	}
	golden(t, "receipt.txt", text)
}

// TestReceiptDisclosure: the §6115 disclosure is printed for a payment over 75.00 USD and only
// then, and a payment that buys goods worth at least as much says nothing is deductible.
func TestReceiptDisclosure(t *testing.T) {
	t.Parallel()
	const clause = "estimated in good faith at"
	for _, tc := range []struct {
		name           string
		paid, estimate int64
		deductible     string
		disclosure     bool
		nothing        bool
	}{
		{"At75NoDisclosure", 7500, 2000, "55.00 USD", false, false},
		{"At75.01Disclosure", 7501, 2000, "55.01 USD", true, false},
		{"BelowEstimateOver75", 9000, 12000, "0.00 USD", true, true},
		{"BelowEstimateUnder75", 3000, 4000, "0.00 USD", false, true},
		{"NoEstimate", 5000, 0, "50.00 USD", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc := receipt(tc.paid, tc.estimate)
			rc.Method = ""
			pdf, err := testRenderer(t).Receipt(rc)
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, pdf)
			all := flat(text)
			if got := lineWith(t, text, "Amount paid"); !strings.Contains(got, usd(tc.paid).String()) {
				t.Errorf("paid: %q", got)
			}
			if got := lineWith(t, text, "Value of the goods"); !strings.Contains(got, usd(tc.estimate).String()) {
				t.Errorf("estimate: %q", got)
			}
			if got := lineWith(t, text, "Deductible contribution"); !strings.Contains(got, tc.deductible) {
				t.Errorf("deductible: %q, want %s", got, tc.deductible)
			}
			if got := strings.Contains(all, clause+" "+usd(tc.estimate).String()+"."); got != tc.disclosure {
				t.Errorf("disclosure printed: %v, want %v:\n%s", got, tc.disclosure, text)
			}
			if got := strings.Contains(all, flat(NothingDeductible)); got != tc.nothing {
				t.Errorf("nothing-deductible note printed: %v, want %v", got, tc.nothing)
			}
			if strings.Contains(all, "Paid by") {
				t.Error("a receipt without a method names one")
			}
		})
	}
}

func TestReceiptRefusesBadFigures(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	for _, tc := range []struct {
		name string
		edit func(*Receipt)
	}{
		{"DeductibleOffByACent", func(rc *Receipt) { rc.Deductible.Cents++ }},
		{"DeductibleNegative", func(rc *Receipt) { rc.Paid, rc.Deductible = usd(5000), usd(-3000) }},
		{"DisclosureMissing", func(rc *Receipt) { rc.Disclosure = false }},
		{"DisclosureAt75", func(rc *Receipt) {
			rc.Paid, rc.Estimate, rc.Deductible, rc.Disclosure = usd(7500), usd(0), usd(7500), true
		}},
		{"MixedCurrencies", func(rc *Receipt) { rc.Estimate.Currency = "EUR" }},
		{"NothingPaid", func(rc *Receipt) { rc.Paid, rc.Deductible, rc.Disclosure = usd(0), usd(0), false }},
		{"NegativeEstimate", func(rc *Receipt) { rc.Estimate, rc.Deductible = usd(-1), usd(20001) }},
		{"NoItems", func(rc *Receipt) { rc.Items = nil }},
		{"NoNumber", func(rc *Receipt) { rc.Number = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := receipt(20000, 8000)
			tc.edit(rc)
			if _, err := r.Receipt(rc); err == nil {
				t.Error("rendered a receipt whose figures do not hold together")
			}
		})
	}
}

func TestReceiptManyItemsPaginates(t *testing.T) {
	t.Parallel()
	rc := receipt(1_234_567, 1_000_000)
	rc.Items = nil
	for i := range sc.MaxLotItems {
		rc.Items = append(rc.Items, ReceiptItem{Title: fmt.Sprintf("Item %d with a title long enough to wrap onto a second line of its cell in the table of the receipt", i),
			Reference: fmt.Sprint("item ", 1000+i)})
	}
	pdf, err := testRenderer(t).Receipt(rc)
	if err != nil {
		t.Fatal(err)
	}
	if pages := pdfinfo(t, pdf); pages == "1" {
		t.Errorf("%d items fit on one page", sc.MaxLotItems)
	}
	text := pdftotext(t, pdf)
	all := flat(text)
	for _, s := range []string{"Item 0 with", "item 1049", "page 2", "Amount paid 12345.67 USD", "Deductible contribution 2345.67 USD", "estimated in good faith at 10000.00 USD."} {
		if !strings.Contains(all, s) {
			t.Errorf("the text lacks %q", s)
		}
	}
	if n := strings.Count(text, "Reference"); n < 2 {
		t.Errorf("the items table header is printed %d times; each page repeats it", n)
	}
}
