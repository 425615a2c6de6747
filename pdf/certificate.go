package pdf

import (
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"rsc.io/qr"

	sc "github.com/secondchance/secondchance"
)

// Renderer renders documents with loaded fonts. It holds no other state: one Renderer serves
// any number of goroutines.
type Renderer struct {
	fonts *Fonts
}

// NewRenderer returns a renderer setting documents in fonts.
func NewRenderer(fonts *Fonts) *Renderer { return &Renderer{fonts: fonts} }

// NoGoodsOrServices is the statement every certificate carries.
const NoGoodsOrServices = "No goods or services were provided in exchange for this contribution."

// Certificate renders a donation certificate. It refuses a document whose sums do not add up.
func (r *Renderer) Certificate(c *sc.CertificateDocument) ([]byte, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	d := newDoc(r.fonts, c.IssuedAt, certificateTexts(c)...)
	d.p.SetTitle("Donation certificate "+c.Serial, true)
	d.p.SetAuthor(c.Store.Name, true)
	cw := &certWriter{pager: &pager{doc: d, footer: c.Store.Name + " · " + c.Serial}, c: c}
	cw.newPage()

	title := "Donation certificate"
	if c.Kind == sc.CertificateAnnual {
		title = fmt.Sprintf("Annual donation summary %d", c.TaxYear)
	}
	cw.y += d.text(margin, cw.y, 180, 18, "L", title) + 1
	cw.y += d.text(margin, cw.y, 180, 10, "L", fmt.Sprintf("Serial number %s · issued %s", c.Serial, c.IssuedAt.UTC().Format("2 January 2006")))
	if c.Replaces != "" {
		cw.y += d.text(margin, cw.y, 180, 10, "L", fmt.Sprintf("This certificate replaces %s, which is void.", c.Replaces))
	}
	cw.y += 3
	d.rule(cw.y)
	cw.y += 3

	donor := append([]string{c.Donor.Name}, addressLines(c.Donor.Address)...)
	store := append([]string{c.Store.Name, "EIN " + c.Store.EIN}, addressLines(c.Store.Address)...)
	top := cw.y
	hl := cw.block(margin, top, 85, "Donor", donor)
	hr := cw.block(110, top, 85, "Received and sold by", store)
	cw.y = top + max(hl, hr) + 3
	d.rule(cw.y)
	cw.y += 3

	cw.heading("Beneficiary charities")
	for _, b := range c.Beneficiaries {
		line := d.wrap(150, 9, "L", fmt.Sprintf("%s · EIN %s · %s", b.Name, b.EIN, oneLine(b.Address)))
		cw.ensure(line.height())
		d.draw(margin, cw.y, line)
		d.text(margin+150, cw.y, 30, 9, "R", b.Amount.Amount())
		cw.y += line.height() + 1
	}
	cw.y += 2
	cw.items()
	cw.totals()

	cw.ensure(50)
	cw.y += 2
	cw.y += d.text(margin, cw.y, 180, 10, "L", NoGoodsOrServices)
	cw.y += d.text(margin, cw.y, 180, 8, "L", fmt.Sprintf(
		"The donor sent the items above to %s, which sold them and donated the net proceeds, after its processing costs, to the charities above.", c.Store.Name))
	cw.y += 4
	if err := cw.verification(); err != nil {
		return nil, err
	}
	return d.output()
}

// certificateTexts is every string the certificate prints, to know its fonts up front.
func certificateTexts(c *sc.CertificateDocument) []string {
	ts := []string{c.Donor.Name, oneLine(c.Donor.Address), c.Store.Name, oneLine(c.Store.Address)}
	for _, b := range c.Beneficiaries {
		ts = append(ts, b.Name, oneLine(b.Address))
	}
	for _, it := range c.Items {
		ts = append(ts, it.Description)
	}
	return ts
}

// pager draws a document page after page, top to bottom, with a footer on each page: the
// layout certificates and receipts share.
type pager struct {
	*doc
	footer string // "<store> · <serial>", followed by the page number
	y      float64
	pageNo int
}

type certWriter struct {
	*pager
	c *sc.CertificateDocument
}

// bottom is where body text stops, above the footer.
const bottom = pageH - margin - 8

func (w *pager) newPage() {
	w.p.AddPage()
	w.pageNo++
	w.y = margin
	w.text(margin, pageH-margin-4, 180, 8, "L", fmt.Sprintf("%s · page %d", w.footer, w.pageNo))
}

// ensure starts a new page when h more millimetres do not fit.
func (w *pager) ensure(h float64) bool {
	if w.y+h <= bottom {
		return false
	}
	w.newPage()
	return true
}

func (w *pager) heading(s string) {
	w.ensure(12)
	w.y += w.text(margin, w.y, 180, 11, "L", s) + 1
}

// block draws a titled block of lines and returns its height.
func (w *pager) block(x, y, width float64, title string, lines []string) float64 {
	h := w.text(x, y, width, 8, "L", title)
	for i, l := range lines {
		size := 9.0
		if i == 0 {
			size = 11
		}
		h += w.text(x, y+h, width, size, "L", l)
	}
	return h
}

// Columns of the items table: width and alignment.
var itemColumns = []column{
	{"Item", 46, "L"}, {"RMA", 26, "L"}, {"Order", 20, "L"}, {"Received", 18, "L"},
	{"Sold", 18, "L"}, {"Gross", 18, "R"}, {"Costs", 16, "R"}, {"Net", 18, "R"},
}

func (w *certWriter) itemHeader() {
	titles := make([]string, len(itemColumns))
	for i, col := range itemColumns {
		titles[i] = col.title
		if col.align == "R" {
			titles[i] += " " + w.c.Gross.Currency
		}
	}
	row, h := w.wrapRow(itemColumns, 8, titles)
	w.drawRow(margin, w.y, itemColumns, row)
	w.y += h + 1
	w.rule(w.y)
	w.y += 1
}

func (w *certWriter) items() {
	w.heading(fmt.Sprintf("Donated items (%d)", len(w.c.Items)))
	w.itemHeader()
	for _, it := range w.c.Items {
		cells := []string{it.Description, it.RMACode, it.OrderNumber, it.Received.UTC().Format("2006-01-02"),
			it.Sold.UTC().Format("2006-01-02"), it.Gross.Amount(), it.Costs.Amount(), it.Net.Amount()}
		row, h := w.wrapRow(itemColumns, 8, cells)
		if w.ensure(h + 1) {
			w.itemHeader()
		}
		w.drawRow(margin, w.y, itemColumns, row)
		w.y += h + 1
	}
	w.rule(w.y)
	w.y += 2
}

func (w *certWriter) totals() {
	rows := [][2]string{
		{"Gross proceeds", w.c.Gross.String()},
		{"Processing costs", w.c.Costs.String()},
		{"Net donated", w.c.Net.String()},
	}
	w.ensure(float64(len(rows))*lineHeight(10) + 2)
	for _, r := range rows {
		w.text(margin+80, w.y, 60, 10, "L", r[0])
		w.text(margin+140, w.y, 40, 10, "R", r[1])
		w.y += lineHeight(10)
	}
	w.y += 2
}

// verification draws the QR code of the verification link and the code in words.
func (w *certWriter) verification() error {
	const size = 32.0
	w.ensure(size + 2)
	if err := drawQR(w.p, w.c.VerifyURL, margin, w.y, size); err != nil {
		return err
	}
	x := margin + size + 6
	y := w.y
	y += w.text(x, y, 180-size-6, 10, "L", "Verify this certificate")
	y += w.text(x, y, 180-size-6, 9, "L", "Scan the code, or open "+w.c.VerifyURL)
	w.text(x, y+1, 180-size-6, 12, "L", "Verification code "+w.c.VerificationCode)
	w.y += size + 2
	return nil
}

// drawQR draws text as a QR code of side size at (x, y): the modules as filled rectangles, one
// per run of dark modules in a row, which keeps it sharp at any zoom and smaller than an image.
// rsc.io/qr keeps one fixed mask instead of trying all eight, which is a valid code and saves
// most of the encoding time.
func drawQR(p *gofpdf.Fpdf, text string, x, y, size float64) error {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return fmt.Errorf("QR code of %q: %w", text, err)
	}
	m := size / float64(c.Size)
	p.SetFillColor(0, 0, 0)
	for i := 0; i < c.Size; i++ {
		for j := 0; j < c.Size; {
			if !c.Black(j, i) {
				j++
				continue
			}
			k := j
			for k < c.Size && c.Black(k, i) {
				k++
			}
			p.Rect(x+float64(j)*m, y+float64(i)*m, float64(k-j)*m, m+0.01, "F")
			j = k
		}
	}
	return nil
}

// addressLines is an address as lines, without the recipient.
func addressLines(a sc.PostalAddress) []string {
	var ls []string
	for _, l := range []string{a.Line1, a.Line2, strings.TrimSpace(strings.Join(nonEmpty(a.City, strings.TrimSpace(a.Region+" "+a.PostalCode)), ", ")), a.Country} {
		if strings.TrimSpace(l) != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// oneLine is an address on one line.
func oneLine(a sc.PostalAddress) string { return strings.Join(addressLines(a), ", ") }

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
