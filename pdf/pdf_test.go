package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	loadOnce sync.Once
	renderer *Renderer
	loadErr  error
)

func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	loadOnce.Do(func() {
		var f *Fonts
		f, loadErr = LoadFonts(DebianFonts)
		renderer = NewRenderer(f)
	})
	if loadErr != nil {
		t.Fatalf("%v (make test runs pdf/install-deps.sh)", loadErr)
	}
	return renderer
}

func usd(c int64) sc.Money { return sc.USD(c) }

// multilingual is a certificate whose names and descriptions are in several scripts.
func multilingual() *sc.CertificateDocument {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 15, 4, 0, 0, time.UTC) }
	return &sc.CertificateDocument{
		Serial: "SCS-2026-000123", Kind: sc.CertificateSettlement, IssuedAt: day(24),
		Donor: sc.Party{Name: "Zoë Müller-Øberg Handelsgesellschaft", Address: sc.PostalAddress{
			Line1: "Straße des 17. Juni 135", City: "Berlin", PostalCode: "10623", Country: "DE"}},
		Store: sc.Party{Name: "The Second Chance Store", EIN: "43-1234567", Address: sc.PostalAddress{
			Line1: "1701 S. Main Street", City: "Independence", Region: "MO", PostalCode: "64052", Country: "US"}},
		Beneficiaries: []sc.CertificateBeneficiary{
			{Party: sc.Party{Name: "Société d'Entraide Ελπίδα", EIN: "12-3456789", Address: sc.PostalAddress{
				Line1: "5 Rue de la Paix", City: "Kansas City", Region: "MO", PostalCode: "64105", Country: "US"}}, Amount: usd(4466)},
			{Party: sc.Party{Name: "Фонд «Надежда»", EIN: "98-7654321", Address: sc.PostalAddress{
				Line1: "2 Elm St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}}, Amount: usd(4465)},
		},
		Items: []sc.CertificateItem{
			{Description: "Ελληνικό κεραμικό βάζο", RMACode: "RMA-7KQ2-M4XD", OrderNumber: "O-100234", Received: day(3), Sold: day(10),
				Gross: usd(2500), Costs: usd(700), Net: usd(1800)},
			{Description: "Матрёшка деревянная, 7 штук", RMACode: "RMA-7KQ2-M4XD", OrderNumber: "O-100234", Received: day(3), Sold: day(12),
				Gross: usd(4999), Costs: usd(900), Net: usd(4099)},
			{Description: "日本製の茶碗と한국 도자기 그릇", RMACode: "RMA-P9ZZ-2B6C", OrderNumber: "O-100987", Received: day(5), Sold: day(14),
				Gross: usd(3532), Costs: usd(500), Net: usd(3032)},
		},
		Gross: usd(11031), Costs: usd(2100), Net: usd(8931),
		VerificationCode: "7H3K9QW2MZ4P",
		VerifyURL:        "https://secondchance.example/verify/SCS-2026-000123?code=7H3K9QW2MZ4P",
	}
}

// poppler runs one of poppler's tools on a PDF, failing the test when the PDF does not parse
// cleanly (an error, or anything on stderr).
func poppler(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s: %v (make test installs poppler-utils through pdf/install-deps.sh --test)", tool, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}

// pdftotext extracts a PDF's text as laid out.
func pdftotext(t testing.TB, pdf []byte) string {
	t.Helper()
	return poppler(t, pdf, "pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
}

// pdfinfo checks that a PDF parses and returns its page count.
func pdfinfo(t testing.TB, pdf []byte) string {
	t.Helper()
	out := poppler(t, pdf, "pdfinfo", "-")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Pages:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "Pages:"))
		}
	}
	t.Fatalf("pdfinfo printed no page count:\n%s", out)
	return ""
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pdf -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendered text; got:\n%s", path, got)
	}
}

func TestCertificateGolden(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	pdf, err := r.Certificate(multilingual())
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf) > 80<<10 {
		t.Errorf("certificate is %d bytes, over 80 KB", len(pdf))
	}
	text := pdftotext(t, pdf)
	for _, s := range []string{"Zoë Müller-Øberg", "Ελληνικό κεραμικό βάζο", "Матрёшка деревянная", "日本製の茶碗と한국 도자기 그릇", "Фонд «Надежда»", NoGoodsOrServices} {
		if !strings.Contains(text, s) {
			t.Errorf("the text lacks %q", s)
		}
	}
	// A missing glyph comes out as ? or U+FFFD; the verification link is the one legitimate ?.
	if strings.ContainsAny(strings.ReplaceAll(text, "?code=", ""), "?\uFFFD") {
		t.Errorf("the text has a ? or a replacement character:\n%s", text)
	}
	golden(t, "certificate.txt", text)
}

func TestCertificateRefusesBadSums(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	c := multilingual()
	c.Beneficiaries[0].Amount.Cents++
	if _, err := r.Certificate(c); err == nil || !strings.Contains(err.Error(), "shares") {
		t.Errorf("rendered a certificate whose shares exceed the net: %v", err)
	}
	c = multilingual()
	c.Items[1].Costs.Cents++
	if _, err := r.Certificate(c); err == nil {
		t.Error("rendered an item whose gross is not costs + net")
	}
}

// annualOf is an annual summary of n items, which takes several pages.
func annualOf(n int) *sc.CertificateDocument {
	c := multilingual()
	c.Kind, c.TaxYear = sc.CertificateAnnual, 2026
	c.Items = nil
	var net int64
	for i := range n {
		c.Items = append(c.Items, sc.CertificateItem{Description: fmt.Sprintf("Item %d with a description long enough to wrap onto a second line of its cell", i),
			RMACode: "RMA-AAAA-BBBB", OrderNumber: fmt.Sprint("O-", i), Received: c.IssuedAt, Sold: c.IssuedAt,
			Gross: usd(1000), Costs: usd(100), Net: usd(900)})
		net += 900
	}
	c.Gross, c.Costs, c.Net = usd(1000*int64(n)), usd(100*int64(n)), usd(net)
	c.Beneficiaries = c.Beneficiaries[:1]
	c.Beneficiaries[0].Amount = usd(net)
	return c
}

func TestCertificateManyItemsPaginates(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	pdf, err := r.Certificate(annualOf(120))
	if err != nil {
		t.Fatal(err)
	}
	if pages := pdfinfo(t, pdf); pages == "1" {
		t.Errorf("120 items fit on %s page", pages)
	}
	text := pdftotext(t, pdf)
	for _, s := range []string{"Annual donation summary 2026", "Item 0 with", "Item 119 with", "Net donated", "page 2"} {
		if !strings.Contains(text, s) {
			t.Errorf("the text lacks %q", s)
		}
	}
}

func label() *sc.ReturnLabel {
	l := &sc.ReturnLabel{
		Code: "RMA-7KQ2-M4XD", OrderNumber: "O-100234", SellerName: "Zoë's Ceramics Ελλάς",
		Address: sc.PostalAddress{Recipient: "The Second Chance Store", Line1: "1701 S. Main Street",
			City: "Independence", Region: "MO", PostalCode: "64052", Country: "US"},
		CreatedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC),
		Items: []sc.RMAItem{
			{Line: 1, Description: "Матрёшка деревянная", Quantity: 1, Category: "Toys"},
			{Line: 2, Description: "日本製の茶碗", Quantity: 2, Category: "Kitchen"},
		},
	}
	l.Instructions = "Please return the items of this order to The Second Chance Store, our charity partner.\n\nWrite the code RMA-7KQ2-M4XD clearly on the outside of the parcel."
	return l
}

func TestReturnLabelGolden(t *testing.T) {
	t.Parallel()
	pdf, err := testRenderer(t).ReturnLabel(label())
	if err != nil {
		t.Fatal(err)
	}
	if pages := pdfinfo(t, pdf); pages != "1" {
		t.Errorf("the label has %s pages, want 1", pages)
	}
	text := pdftotext(t, pdf)
	for _, s := range []string{"RETURN TO", "RMA-7KQ2-M4XD", "1701 S. Main Street", "Матрёшка деревянная", "日本製の茶碗", "Packing slip"} {
		if !strings.Contains(text, s) {
			t.Errorf("the label lacks %q", s)
		}
	}
	golden(t, "label.txt", text)
}

// TestRenderInParallel renders 100 certificates at once (run with -race) and checks each one
// parses and shows its own serial, so no two documents share state.
func TestRenderInParallel(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	pdfs := make([][]byte, 100)
	var wg sync.WaitGroup
	errs := make(chan error, len(pdfs))
	for i := range pdfs {
		wg.Go(func() {
			c := multilingual()
			c.Serial = fmt.Sprintf("SCS-2026-%06d", i+1)
			if i%2 == 1 { // half without the fallback font
				c.Items[2].Description = "A tea bowl"
			}
			var err error
			if pdfs[i], err = r.Certificate(c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, pdf := range pdfs {
		text := pdftotext(t, pdf)
		if want := fmt.Sprintf("SCS-2026-%06d", i+1); !strings.Contains(text, want) {
			t.Errorf("certificate %d lacks its serial %s", i, want)
		}
	}
}

func BenchmarkCertificate(b *testing.B) {
	r := testRenderer(b)
	for _, tc := range []struct {
		name string
		edit func(*sc.CertificateDocument)
	}{
		{"latin-greek-cyrillic", func(c *sc.CertificateDocument) { c.Items[2].Description = "A tea bowl" }},
		{"with-cjk", func(*sc.CertificateDocument) {}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := multilingual()
			tc.edit(c)
			size := 0
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					pdf, err := r.Certificate(c)
					if err != nil {
						b.Error(err)
						return
					}
					size = len(pdf)
				}
			})
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

// TestScriptsHaveGlyphs checks that some loaded font draws every character of names in these
// scripts, so none prints as a missing-glyph box (pdftotext alone would not notice one).
func TestScriptsHaveGlyphs(t *testing.T) {
	t.Parallel()
	f := testRenderer(t).fonts
	for _, s := range []string{
		"Zoë Müller-Øberg, Łódź, Ærøskøbing, Çağrı, Nguyễn Thị Minh Khai", // Latin
		"Ελληνικό κεραμικό βάζο",                                          // Greek
		"Матрёшка деревянная",                                             // Cyrillic
		"Հայաստան", "საქართველო",                                          // Armenian, Georgian
		"שלום עולם", "مرحبا بالعالم", "پیشگام", // Hebrew, Arabic, Persian (shaped below)
		"日本製の茶碗", "中文慈善商店", "한국 도자기 그릇", // Japanese, Chinese, Korean
		"€ £ ¥ ₹ № « » – — …", // symbols
	} {
		for _, r := range shape(s) {
			if r == ' ' {
				continue
			}
			if fi := f.faceOf(r); !f.faces[fi].covers(r) {
				t.Errorf("no font has %q (U+%04X) of %q", r, r, s)
			}
		}
	}
}

// TestQRCodeLinksToVerification renders a certificate to an image and reads its QR code back.
func TestQRCodeLinksToVerification(t *testing.T) {
	t.Parallel()
	c := multilingual()
	pdf, err := testRenderer(t).Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", in, filepath.Join(dir, "c")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "c.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v (make test installs zbar-tools)", err)
	}
	if got := strings.TrimSpace(string(out)); got != c.VerifyURL {
		t.Errorf("the QR code reads %q, want %q", got, c.VerifyURL)
	}
}

// TestReplacementAndAnnualGolden: a certificate that replaces a voided one says so, and an
// annual summary is titled with its year.
func TestReplacementAndAnnualGolden(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	c := multilingual()
	c.Serial, c.Replaces = "SCS-2026-000124", "SCS-2026-000123"
	c.VerifyURL = "https://secondchance.example/verify/SCS-2026-000124?code=Q8WM3K2ZP7TA"
	c.VerificationCode = "Q8WM3K2ZP7TA"
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "replacement.txt", pdftotext(t, pdf))

	a := multilingual()
	a.Kind, a.TaxYear, a.Serial = sc.CertificateAnnual, 2026, "SCS-2027-000001"
	a.IssuedAt = time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC)
	pdf, err = r.Certificate(a)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "annual.txt", pdftotext(t, pdf))
}
