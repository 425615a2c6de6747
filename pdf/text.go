package pdf

import (
	"bytes"
	"strings"
	"time"
	"unicode"

	"github.com/jung-kurt/gofpdf"
)

// doc is one document being drawn, in millimetres on A4.
type doc struct {
	p      *gofpdf.Fpdf
	fonts  *Fonts
	family string        // prefixes the fonts' names
	used   []bool        // which faces are embedded
	cut    map[rune]bool // the characters of the faces embedded cut
}

const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	ptToMM       = 25.4 / 72
)

// newDoc starts a document whose strings are texts. A fallback font is embedded only when some
// text needs it: parsing one costs several times the rest of the document. Each document gets
// its own copy of a font's bytes, because gofpdf writes into them.
func newDoc(f *Fonts, created time.Time, texts ...string) *doc {
	return newDocIn(f, created, "", texts...)
}

// newDocIn is newDoc with family prefixed to the fonts' names: a document whose objects are
// copied into another (a stamp) must not name its embedded fonts as the other does, or a
// viewer or printer that goes by names may take one subset for the other.
func newDocIn(f *Fonts, created time.Time, family string, texts ...string) *doc {
	p := gofpdf.New("P", "mm", "A4", "")
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(margin, margin, margin)
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	d := &doc{p: p, fonts: f, family: family, used: make([]bool, len(f.faces)), cut: map[rune]bool{}}
	d.used[0] = true
	runes := make([][]rune, len(f.faces))
	for _, s := range texts {
		for _, r := range shape(clean(s)) {
			i := f.faceOf(r)
			d.used[i] = true
			if i > 0 && !d.cut[r] {
				d.cut[r] = true
				runes[i] = append(runes[i], r)
			}
		}
	}
	for i, use := range d.used {
		switch {
		case !use:
		case i == 0:
			p.AddUTF8FontFromBytes(d.fontName(i), "", bytes.Clone(f.faces[i].bytes))
		default:
			// A large font is cut to this document's characters first: gofpdf then parses the
			// whole font once (in the cut) rather than twice (when adding it and when writing
			// its subset). The texts must list every character drawn in it.
			p.AddUTF8FontFromBytes(d.fontName(i), "", gofpdf.UTF8CutFont(bytes.Clone(f.faces[i].bytes), string(runes[i])))
		}
	}
	return d
}

// fontName is the name face i is added under.
func (d *doc) fontName(i int) string { return d.family + d.fonts.faces[i].name }

// clean makes s printable on one line: control characters and line breaks become spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// span is text set in one font.
type span struct {
	font string
	text string
	w    float64
}

// spans cuts s into runs of one font each, measured at size points.
func (d *doc) spans(s string, size float64) []span {
	var out []span
	start, cur := 0, ""
	for i, r := range s {
		fi := d.fonts.faceOf(r)
		if fi > 0 && !d.cut[r] { // a text newDoc was not told about: its missing-glyph box
			fi = 0
		}
		f := d.fontName(fi)
		if i > 0 && f != cur {
			out = append(out, d.measure(cur, s[start:i], size))
			start = i
		}
		cur = f
	}
	if start < len(s) {
		out = append(out, d.measure(cur, s[start:], size))
	}
	return out
}

func (d *doc) measure(font, text string, size float64) span {
	d.p.SetFont(font, "", size)
	return span{font: font, text: text, w: d.p.GetStringWidth(text)}
}

func width(ss []span) float64 {
	w := 0.0
	for _, s := range ss {
		w += s.w
	}
	return w
}

// units cuts s where a line may break: around spaces, and between ideographs, which are
// written without spaces.
func units(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		breakBefore := unicode.IsSpace(r) || isIdeograph(r)
		if breakBefore && i > start {
			out = append(out, s[start:i])
			start = i
		}
		if breakBefore {
			end := i + len(string(r))
			out = append(out, s[i:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func isIdeograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// lines wraps s into lines no wider than w at size points, in logical order.
func (d *doc) lines(s string, size, w float64) []string {
	var out []string
	var line strings.Builder
	lw := 0.0
	flush := func() {
		out = append(out, strings.TrimRightFunc(line.String(), unicode.IsSpace))
		line.Reset()
		lw = 0
	}
	for _, u := range units(s) {
		space := strings.TrimSpace(u) == ""
		if space && line.Len() == 0 {
			continue
		}
		uw := width(d.spans(u, size))
		if lw+uw > w && line.Len() > 0 && !space {
			flush()
		}
		if uw > w { // a word wider than the line: break it between characters
			for _, r := range u {
				rw := width(d.spans(string(r), size))
				if lw+rw > w && line.Len() > 0 {
					flush()
				}
				line.WriteRune(r)
				lw += rw
			}
			continue
		}
		line.WriteString(u)
		lw += uw
	}
	if line.Len() > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// lineHeight is the distance between baselines at size points.
func lineHeight(size float64) float64 { return size * ptToMM * 1.3 }

// block is text wrapped to a width, measured before it is drawn.
type block struct {
	lines   []string
	w, size float64
	align   string // "L" or "R"
}

func (b block) height() float64 { return float64(len(b.lines)) * lineHeight(b.size) }

// wrap lays s out to width w at size points: Arabic is shaped before wrapping, and each line is
// put in visual order when drawn.
func (d *doc) wrap(w, size float64, align, s string) block {
	return block{lines: d.lines(shape(clean(s)), size, w), w: w, size: size, align: align}
}

// draw draws b with its first line's top at y and returns its height.
func (d *doc) draw(x, y float64, b block) float64 {
	lh := lineHeight(b.size)
	for i, l := range b.lines {
		spans := d.spans(visual(l), b.size)
		lx := x
		if b.align == "R" {
			lx = x + b.w - width(spans)
		}
		base := y + float64(i)*lh + b.size*ptToMM
		for _, sp := range spans {
			d.p.SetFont(sp.font, "", b.size)
			d.p.Text(lx, base, sp.text)
			lx += sp.w
		}
	}
	return b.height()
}

// text wraps and draws s, and returns the height it took.
func (d *doc) text(x, y, w, size float64, align string, s string) float64 {
	return d.draw(x, y, d.wrap(w, size, align, s))
}

// column is a table column: its title, width in millimetres and alignment.
type column struct {
	title string
	w     float64
	align string
}

// wrapRow lays out one table row and returns its cells and the height of the tallest.
func (d *doc) wrapRow(cols []column, size float64, cells []string) ([]block, float64) {
	row := make([]block, len(cols))
	h := 0.0
	for i, c := range cols {
		row[i] = d.wrap(c.w-1, size, c.align, cells[i])
		h = max(h, row[i].height())
	}
	return row, h
}

// drawRow draws a row wrapRow laid out, from x at y.
func (d *doc) drawRow(x, y float64, cols []column, row []block) {
	for i, c := range cols {
		d.draw(x, y, row[i])
		x += c.w
	}
}

// rule draws a horizontal line across the text width at y.
func (d *doc) rule(y float64) {
	d.p.SetDrawColor(160, 160, 160)
	d.p.SetLineWidth(0.2)
	d.p.Line(margin, y, pageW-margin, y)
}

// output finishes the document.
func (d *doc) output() ([]byte, error) {
	var b bytes.Buffer
	if err := d.p.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
