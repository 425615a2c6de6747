package pdf

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestShape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"مرحبا", "\uFEE3\uFEAE\uFEA3\uFE92\uFE8E"},        // meem initial, reh final, hah initial (reh does not join on), beh medial, alef final
		{"سلام", "\uFEB3\uFEFC\uFEE1"},                     // seen initial, lam-alef final, meem isolated
		{"لا", "\uFEFB"},                                   // lam-alef isolated
		{"بَيت", "\uFE91\u064E\uFEF4\uFE96"},               // a vowel mark does not break joining
		{"Zoë", "Zoë"},                                     // nothing to shape
		{"پیشگام", "\uFB58\uFBFF\uFEB8\uFB95\uFE8E\uFEE1"}, // Persian letters: peh, farsi yeh, sheen, gaf medial, alef final, meem
	} {
		if got := shape(tc.in); got != tc.want {
			t.Errorf("shape(%q) = %+q, want %+q", tc.in, got, tc.want)
		}
		if got := norm.NFKC.String(shape(tc.in)); got != norm.NFKC.String(tc.in) {
			t.Errorf("shape(%q) does not normalise back: %q", tc.in, got)
		}
	}
}

func TestVisual(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Shalom שלום!", "Shalom םולש!"},
		{"שלום 123 עולם", "םלוע 123 םולש"},
		{"Order 12 (עברית)", "Order 12 (תירבע)"},
		{"אבג (דה) וז", "זו (הד) גבא"},
		{"מחיר 12.50 ש", "ש 12.50 ריחמ"},
		{"כד קרמיקה (2 יח׳)", "(׳חי 2) הקימרק דכ"},
		{"Order (עברית) 5", "Order (תירבע) 5"},
		{"plain text", "plain text"},
	} {
		if got := visual(tc.in); got != tc.want {
			t.Errorf("visual(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRightToLeftRoundTrip renders Arabic and Hebrew names and reads them back: poppler puts
// text drawn in visual order back in logical order, so the extracted text, normalised (the
// Arabic is printed in presentation forms) and without direction marks, is what was given.
func TestRightToLeftRoundTrip(t *testing.T) {
	t.Parallel()
	c := multilingual()
	c.Donor.Name = "شركة الأمل للتجارة"
	c.Items[0].Description = "כד קרמיקה עתיק"
	c.Beneficiaries[1].Name = "جمعية البر الخيرية"
	pdf, err := testRenderer(t).Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Map(func(r rune) rune {
		if r >= 0x202A && r <= 0x202E || r == 0x200E || r == 0x200F {
			return -1
		}
		return r
	}, norm.NFKC.String(pdftotext(t, pdf)))
	for _, s := range []string{c.Donor.Name, c.Items[0].Description, c.Beneficiaries[1].Name} {
		if !strings.Contains(text, s) {
			t.Errorf("the text lacks %q:\n%s", s, text)
		}
	}
}
