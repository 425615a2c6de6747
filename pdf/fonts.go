// Package pdf renders the documents Second Chance prints: donation certificates and the
// return label a buyer puts on a parcel. Rendering is pure: data in, PDF bytes out, safe to
// run in parallel; the fonts are loaded once and only read afterwards. It also stamps a void
// certificate's stored PDF VOID (void.go) by appending an incremental update to it
// (overlay.go, with just enough of PDF's object syntax in pdfobj.go), never rewriting it.
//
// Text is set character by character in the first font that has a glyph for it, so names in
// any script covered by the fonts print as written. gofpdf does no shaping and no
// bidirectional layout, so this package does the part names need (bidi.go): Arabic letters
// take their joined forms, and Hebrew and Arabic runs are drawn right to left. Scripts that
// need a shaping engine (Devanagari, Thai) are not covered.
package pdf

import (
	"fmt"
	"os"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/sfnt"
)

// FontFile is a TrueType file and the Debian package that installs it.
type FontFile struct {
	Path    string
	Package string
}

// FontPaths are the files documents are set in: Sans first, for every character it has
// (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic letters …), then each fallback in
// turn for the characters it lacks.
type FontPaths struct {
	Sans      FontFile
	Fallbacks []FontFile
}

// DebianFonts are the files of Debian's packages, which pdf/install-deps.sh installs: DejaVu
// Sans, Droid Sans Fallback for Chinese and Japanese, Nanum Gothic for Korean.
var DebianFonts = FontPaths{
	Sans: FontFile{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"},
	Fallbacks: []FontFile{
		{"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "fonts-droid-fallback"},
		{"/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "fonts-nanum"},
	},
}

// coverageLimit bounds the code points whose glyphs are looked up at load: the Basic and
// Supplementary Multilingual Planes and the CJK Extension planes.
const coverageLimit = 0x40000

// Fonts are loaded fonts and which code points each can draw. faces[0] is a cut of the sans
// to the European scripts and common punctuation, which nearly every document needs alone:
// gofpdf parses each embedded font whole for every document, and the cut is a fraction of the
// size, so most documents render several times faster. faces[1] is the whole sans, for the
// rest of its characters; the fallbacks follow.
type Fonts struct {
	faces []face
}

// coreRanges are the code points of faces[0]: Latin (with Vietnamese), Greek, Cyrillic,
// general punctuation, currency signs and letterlike symbols.
var coreRanges = [][2]rune{{0x20, 0x7e}, {0xa0, 0x24f}, {0x370, 0x52f}, {0x1e00, 0x1fff}, {0x2000, 0x206f}, {0x20a0, 0x20cf}, {0x2100, 0x214f}}

type face struct {
	name  string
	bytes []byte
	has   []uint64 // a bit set over code points below coverageLimit
}

// LoadFonts reads the font files and the code points they cover; a missing file names the
// Debian package that provides it.
func LoadFonts(p FontPaths) (*Fonts, error) {
	f := &Fonts{}
	for _, ff := range append([]FontFile{p.Sans}, p.Fallbacks...) {
		fc, err := loadFace(ff)
		if err != nil {
			return nil, err
		}
		f.faces = append(f.faces, fc)
	}
	var core []rune
	for _, rg := range coreRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			if f.faces[0].covers(r) {
				core = append(core, r)
			}
		}
	}
	cut, err := parseFace(gofpdf.UTF8CutFont(f.faces[0].bytes, string(core)), p.Sans.Path+" (cut)")
	if err != nil {
		return nil, err
	}
	f.faces = append([]face{cut}, f.faces...)
	for i := range f.faces {
		f.faces[i].name = fmt.Sprintf("f%d", i)
	}
	return f, nil
}

func loadFace(ff FontFile) (face, error) {
	b, err := os.ReadFile(ff.Path)
	if err != nil {
		return face{}, fmt.Errorf("font %s: %w (install Debian's %s: apt-get install %s, or run pdf/install-deps.sh)", ff.Path, err, ff.Package, ff.Package)
	}
	return parseFace(b, ff.Path)
}

func parseFace(b []byte, name string) (face, error) {
	sf, err := sfnt.Parse(b)
	if err != nil {
		return face{}, fmt.Errorf("font %s: %w", name, err)
	}
	has := make([]uint64, coverageLimit/64)
	var buf sfnt.Buffer
	for r := rune(0); r < coverageLimit; r++ {
		if g, err := sf.GlyphIndex(&buf, r); err == nil && g != 0 {
			has[r/64] |= 1 << (r % 64)
		}
	}
	return face{bytes: b, has: has}, nil
}

func (fc *face) covers(r rune) bool {
	return r >= 0 && r < coverageLimit && fc.has[r/64]&(1<<(r%64)) != 0
}

// faceOf says which font draws r: the first that has it; control characters and code points
// none has fall to the sans (its missing-glyph box).
func (f *Fonts) faceOf(r rune) int {
	if r < 0x80 {
		return 0
	}
	for i := range f.faces {
		if f.faces[i].covers(r) {
			return i
		}
	}
	return 0
}
