package pdf

import (
	"fmt"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// ReturnLabel renders an RMA's printable page: on top a label to stick on the parcel (the
// store's address block with the RMA code, in words and as a QR code staff scan at intake),
// below a dashed cut line a packing slip to put inside, listing the items and instructions.
func (r *Renderer) ReturnLabel(l *sc.ReturnLabel) ([]byte, error) {
	if l.Code == "" {
		return nil, fmt.Errorf("a return label needs an RMA code")
	}
	texts := []string{l.SellerName, l.Instructions, oneLine(l.Address), l.Address.Recipient}
	for _, it := range l.Items {
		texts = append(texts, it.Description, it.Category)
	}
	d := newDoc(r.fonts, l.CreatedAt, texts...)
	d.p.SetTitle("Return label "+l.Code, true)
	d.p.AddPage()

	// The label: a box 120 × 85 mm.
	d.p.SetDrawColor(0, 0, 0)
	d.p.SetLineWidth(0.6)
	d.p.Rect(margin, margin, 180, 95, "D")
	y := margin + 4
	d.text(margin+5, y, 120, 8, "L", "RETURN TO")
	y += lineHeight(8) + 1
	address := strings.Split(l.Address.Block(l.Code), "\n")
	for i, line := range address {
		size := 14.0
		if i == 1 { // the reference line: the RMA code
			size = 22
		}
		y += d.text(margin+5, y, 125, size, "L", line)
	}
	if err := drawQR(d.p, l.Code, margin+140, margin+8, 32); err != nil {
		return nil, err
	}
	d.text(margin+135, margin+43, 42, 9, "R", l.Code)
	d.text(margin+5, margin+95-lineHeight(8)-3, 170, 8, "L",
		fmt.Sprintf("Order %s · send by %s", l.OrderNumber, l.ExpiresAt.UTC().Format("2 January 2006")))

	// The cut line.
	y = margin + 105
	d.p.SetDashPattern([]float64{2, 2}, 0)
	d.p.SetLineWidth(0.2)
	d.p.Line(0, y, pageW, y)
	d.p.SetDashPattern(nil, 0)
	d.text(margin, y+1, 180, 7, "L", "Cut along the line: stick the label on the parcel, put the slip below inside it.")

	y += 10
	y += d.text(margin, y, 180, 16, "L", "Packing slip "+l.Code) + 1
	y += d.text(margin, y, 180, 10, "L", fmt.Sprintf("Order %s from %s", l.OrderNumber, l.SellerName)) + 3
	cols := []column{{"#", 8, "L"}, {"Item", 110, "L"}, {"Category", 45, "L"}, {"Qty", 17, "R"}}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	row, h := d.wrapRow(cols, 8, titles)
	d.drawRow(margin, y, cols, row)
	y += h + 1
	d.rule(y)
	y += 1
	for _, it := range l.Items {
		row, h := d.wrapRow(cols, 9, []string{fmt.Sprint(it.Line), it.Description, it.Category, fmt.Sprint(it.Quantity)})
		if y+h > bottom-30 { // the slip fits one page: an RMA has at most 50 lines
			d.p.AddPage()
			y = margin
		}
		d.drawRow(margin, y, cols, row)
		y += h + 0.5
	}
	d.rule(y + 1)
	y += 4
	// The instructions, paragraph by paragraph, on the next page when they do not fit.
	var paras []block
	h = 0
	for _, para := range strings.Split(l.Instructions, "\n") {
		b := d.wrap(180, 9, "L", para)
		if strings.TrimSpace(para) == "" {
			b.lines, b.size = nil, 9
		}
		paras = append(paras, b)
		h += max(b.height(), lineHeight(9)/2)
	}
	if y+h > bottom {
		d.p.AddPage()
		y = margin
	}
	for _, b := range paras {
		if len(b.lines) == 0 {
			y += lineHeight(9) / 2
			continue
		}
		y += d.draw(margin, y, b)
	}
	return d.output()
}
