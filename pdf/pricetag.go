package pdf

import (
	"fmt"

	"github.com/boombuler/barcode/code128"
	"github.com/jung-kurt/gofpdf"

	sc "github.com/secondchance/secondchance"
)

// The tag is a 2.25 × 1.25 inch thermal label.
const tagW, tagH = 57.15, 31.75

// PriceTag renders an item's price tag on one label: the store, what the item is and its grade,
// the price when given, and the item's code as a Code 128 barcode with the code beneath.
func (r *Renderer) PriceTag(t *sc.PriceTag) ([]byte, error) {
	if t.Code == "" {
		return nil, fmt.Errorf("a price tag needs an item code")
	}
	price := ""
	if t.Price != nil {
		price = t.Price.Amount() + " " + t.Price.Currency
	}
	d := newDoc(r.fonts, t.PrintedAt, t.StoreName, t.Description, string(t.Grade), price, t.Code)
	d.p.SetTitle("Price tag "+t.Code, true)
	d.p.AddPageFormat("P", gofpdf.SizeType{Wd: tagW, Ht: tagH})
	const m = 2.0
	y := m
	y += d.text(m, y, tagW-2*m, 6, "L", t.StoreName)
	desc := d.wrap(tagW-2*m, 8, "L", t.Description)
	if len(desc.lines) > 2 { // two lines at most: the barcode needs the rest
		desc.lines = desc.lines[:2]
	}
	y += d.draw(m, y, desc)
	d.text(m, y, 28, 7, "L", string(t.Grade))
	if price != "" {
		d.text(tagW/2, y-0.5, tagW/2-m, 10, "R", price)
	}
	if err := drawCode128(d.p, t.Code, m+2, tagH-m-3.2-9, tagW-2*m-4, 9); err != nil {
		return nil, err
	}
	d.text(m+2, tagH-m-3.2, tagW-2*m, 7, "L", t.Code)
	return d.output()
}

// drawCode128 draws text as a Code 128 barcode filling w × h at (x, y), its bars as rectangles.
func drawCode128(p *gofpdf.Fpdf, text string, x, y, w, h float64) error {
	bc, err := code128.Encode(text)
	if err != nil {
		return fmt.Errorf("encoding %q as Code 128: %w", text, err)
	}
	n := bc.Bounds().Dx()
	mod := w / float64(n)
	p.SetFillColor(0, 0, 0)
	for i := 0; i < n; {
		if r, _, _, _ := bc.At(i, 0).RGBA(); r != 0 {
			i++
			continue
		}
		j := i
		for j < n {
			if r, _, _, _ := bc.At(j, 0).RGBA(); r != 0 {
				break
			}
			j++
		}
		p.Rect(x+float64(i)*mod, y, float64(j-i)*mod, h, "F")
		i = j
	}
	return nil
}
