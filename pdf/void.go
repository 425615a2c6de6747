package pdf

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"

	sc "github.com/secondchance/secondchance"
)

// StampVoid marks original, a void certificate's PDF as issued, VOID on every page: a large
// red diagonal VOID, a red frame, and in the top margin when it was voided, which certificate
// replaces it and why. The marks are an incremental update appended to original (see
// overlay), so original stays byte for byte a prefix of the result and is never rewritten.
//
// The reason prints in the document fonts, in any script they cover; a reason longer than two
// lines is cut short with an ellipsis (the verification page shows it whole).
func (r *Renderer) StampVoid(original []byte, v *sc.VoidNotice) ([]byte, error) {
	if v == nil {
		return nil, errors.New("stamping a certificate VOID: no void notice")
	}
	dst, err := readPDF(original) // first: a PDF it cannot update costs no rendering
	if err != nil {
		return nil, fmt.Errorf("stamping %s VOID: reading the PDF: %w", v.Serial, err)
	}
	stamp, err := r.voidStamp(v)
	if err != nil {
		return nil, fmt.Errorf("stamping %s VOID: %w", v.Serial, err)
	}
	out, err := overlay(dst, stamp)
	if err != nil {
		return nil, fmt.Errorf("stamping %s VOID: %w", v.Serial, err)
	}
	return out, nil
}

// voidRed is the colour of the stamp.
var voidRed = [3]int{200, 16, 16}

// VoidNoticeText is the line the stamp prints at the top of every page.
func VoidNoticeText(v *sc.VoidNotice) string {
	s := fmt.Sprintf("VOID: certificate %s was voided on %s and is not in force.", v.Serial, v.VoidedAt.UTC().Format("2 January 2006"))
	if v.ReplacedBy != "" {
		s += " It is replaced by " + v.ReplacedBy + "."
	}
	return s + " Reason: " + strings.TrimSpace(v.Reason)
}

// voidStamp renders the stamp as a page of its own, transparent but for the marks: the
// overlay draws it over each page of the certificate. Everything sits in the margins but
// the diagonal VOID, which is drawn in outline so the text under it stays legible without
// transparency (which PDF 1.3, the certificates' version, lacks).
func (r *Renderer) voidStamp(v *sc.VoidNotice) ([]byte, error) {
	notice := VoidNoticeText(v)
	d := newDocIn(r.fonts, v.VoidedAt, "void", notice)
	d.p.AddPage()
	d.p.SetDrawColor(voidRed[0], voidRed[1], voidRed[2])
	d.p.SetTextColor(voidRed[0], voidRed[1], voidRed[2])

	d.p.SetLineWidth(1)
	d.p.Rect(5, 5, pageW-10, pageH-10, "D")

	const size = 230.0 // points: the word spans most of the diagonal
	d.p.SetFont("Helvetica", "B", size)
	w := d.p.GetStringWidth("VOID")
	capHeight := 0.718 * size * ptToMM // Helvetica's cap height is 718/1000 em
	d.p.TransformBegin()
	d.p.TransformRotate(math.Atan2(pageH, pageW)*180/math.Pi, pageW/2, pageH/2)
	d.p.SetLineWidth(0.9)
	d.p.SetTextRenderingMode(1) // stroke only
	d.p.Text(pageW/2-w/2, pageH/2+capHeight/2, "VOID")
	d.p.SetTextRenderingMode(0)
	d.p.TransformEnd()

	d.draw(margin, 6.2, firstLines(d, d.wrap(pageW-2*margin, 8.5, "L", notice), 2))
	return d.output()
}

// firstLines keeps the first n lines of b, the last ending in an ellipsis when text was cut.
func firstLines(d *doc, b block, n int) block {
	if len(b.lines) <= n {
		return b
	}
	b.lines = b.lines[:n]
	last := []rune(strings.TrimRightFunc(b.lines[n-1], unicode.IsSpace))
	for len(last) > 0 && width(d.spans(visual(string(last)+" …"), b.size)) > b.w {
		last = last[:len(last)-1]
	}
	b.lines[n-1] = strings.TrimRightFunc(string(last), unicode.IsSpace) + " …"
	return b
}
