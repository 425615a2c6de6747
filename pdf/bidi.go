package pdf

import "unicode"

// gofpdf writes characters left to right, one glyph each, as given. Arabic and Hebrew need two
// things it does not do: Arabic letters take their joined forms (shape), and right-to-left
// runs are drawn in visual order (visual). Both are simplified forms of the Unicode rules,
// enough for names, addresses and item descriptions in a left-to-right document.

// arabicForms gives a letter's isolated presentation form and how it joins: dual-joining
// letters have four forms from iso (isolated, final, initial, medial), right-joining ones two
// (isolated, final).
var arabicForms = map[rune]struct {
	iso  rune
	dual bool
}{
	0x0622: {0xFE81, false}, 0x0623: {0xFE83, false}, 0x0624: {0xFE85, false}, 0x0625: {0xFE87, false},
	0x0626: {0xFE89, true}, 0x0627: {0xFE8D, false}, 0x0628: {0xFE8F, true}, 0x0629: {0xFE93, false},
	0x062A: {0xFE95, true}, 0x062B: {0xFE99, true}, 0x062C: {0xFE9D, true}, 0x062D: {0xFEA1, true},
	0x062E: {0xFEA5, true}, 0x062F: {0xFEA9, false}, 0x0630: {0xFEAB, false}, 0x0631: {0xFEAD, false},
	0x0632: {0xFEAF, false}, 0x0633: {0xFEB1, true}, 0x0634: {0xFEB5, true}, 0x0635: {0xFEB9, true},
	0x0636: {0xFEBD, true}, 0x0637: {0xFEC1, true}, 0x0638: {0xFEC5, true}, 0x0639: {0xFEC9, true},
	0x063A: {0xFECD, true}, 0x0641: {0xFED1, true}, 0x0642: {0xFED5, true}, 0x0643: {0xFED9, true},
	0x0644: {0xFEDD, true}, 0x0645: {0xFEE1, true}, 0x0646: {0xFEE5, true}, 0x0647: {0xFEE9, true},
	0x0648: {0xFEED, false}, 0x0649: {0xFEEF, false}, 0x064A: {0xFEF1, true},
	// Persian and Urdu letters.
	0x067E: {0xFB56, true}, 0x0686: {0xFB7A, true}, 0x0698: {0xFB8A, false}, 0x06A9: {0xFB8E, true},
	0x06AF: {0xFB92, true}, 0x06CC: {0xFBFC, true},
}

// lamAlef is the isolated ligature of lam with each alef; the final form follows it.
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

const tatweel = 0x0640

// transparent reports whether r does not break joining (Arabic vowel marks).
func transparent(r rune) bool { return unicode.Is(unicode.Mn, r) }

// joinsForward reports whether r connects to the letter after it.
func joinsForward(r rune) bool {
	f, ok := arabicForms[r]
	return r == tatweel || ok && f.dual
}

// joinsBackward reports whether r connects to the letter before it.
func joinsBackward(r rune) bool {
	_, ok := arabicForms[r]
	return ok || r == tatweel
}

// shape replaces Arabic letters, in logical order, by their contextual presentation forms.
func shape(s string) string {
	rs := []rune(s)
	has := false
	for _, r := range rs {
		if _, ok := arabicForms[r]; ok {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	neighbour := func(i, step int) rune {
		for j := i + step; j >= 0 && j < len(rs); j += step {
			if !transparent(rs[j]) {
				return rs[j]
			}
		}
		return 0
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		f, ok := arabicForms[r]
		if !ok {
			out = append(out, r)
			continue
		}
		prev := neighbour(i, -1)
		joinPrev := prev != 0 && joinsForward(prev)
		next := neighbour(i, 1)
		if r == 0x0644 { // lam with an alef: one ligature
			if lig, ok := lamAlef[next]; ok {
				if joinPrev {
					lig++
				}
				out = append(out, lig)
				for i++; rs[i] != next; i++ { // keep marks between them
					out = append(out, rs[i])
				}
				continue
			}
		}
		joinNext := f.dual && next != 0 && joinsBackward(next)
		switch {
		case joinPrev && joinNext:
			out = append(out, f.iso+3)
		case joinPrev:
			out = append(out, f.iso+1)
		case joinNext:
			out = append(out, f.iso+2)
		default:
			out = append(out, f.iso)
		}
	}
	return string(out)
}

// Bidirectional classes, simplified: strong left, strong right, a digit, and neutral.
const (
	bidiL byte = iota
	bidiR
	bidiDigit
	bidiNeutral
	bidiRDigit // a digit in a right-to-left run: keeps its left-to-right order there
)

func bidiClass(r rune) byte {
	switch {
	case r >= '0' && r <= '9', r >= 0x0660 && r <= 0x0669, r >= 0x06F0 && r <= 0x06F9:
		return bidiDigit
	case r >= 0x0590 && r <= 0x08FF, r >= 0xFB1D && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
		return bidiR
	case unicode.IsLetter(r):
		return bidiL
	}
	return bidiNeutral
}

var mirrored = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«'}

func rtl(c byte) bool { return c == bidiR || c == bidiRDigit }

// visual reorders one line of a left-to-right document for drawing left to right: each run of
// right-to-left text (with the spaces, punctuation and numbers inside it) is reversed, numbers
// in it keep their own order, marks stay after their letter, and brackets are mirrored.
func visual(s string) string {
	rs := []rune(s)
	cls := make([]byte, len(rs))
	any := false
	for i, r := range rs {
		cls[i] = bidiClass(r)
		if i > 0 && transparent(r) {
			cls[i] = cls[i-1]
		}
		any = any || cls[i] == bidiR
	}
	if !any {
		return s
	}
	// A digit after right-to-left text belongs to it; separators inside such numbers too.
	strong := bidiL
	for i, c := range cls {
		switch c {
		case bidiL, bidiR:
			strong = c
		case bidiDigit:
			cls[i] = bidiL
			if strong == bidiR {
				cls[i] = bidiRDigit
			}
		}
	}
	for i := 1; i+1 < len(rs); i++ {
		if cls[i] == bidiNeutral && cls[i-1] == bidiRDigit && cls[i+1] == bidiRDigit && (rs[i] == '.' || rs[i] == ',' || rs[i] == ':') {
			cls[i] = bidiRDigit
		}
	}
	// A pair of brackets around right-to-left text belongs to it when right-to-left text leads
	// in, else to the document (rule N0, simplified).
	var open []int
	for i, r := range rs {
		switch r {
		case '(', '[', '{', '«':
			open = append(open, i)
		case ')', ']', '}', '»':
			if len(open) == 0 || mirrored[rs[open[len(open)-1]]] != r {
				continue
			}
			o := open[len(open)-1]
			open = open[:len(open)-1]
			inR := false
			for _, c := range cls[o+1 : i] {
				inR = inR || rtl(c)
			}
			before := bidiL
			for k := o - 1; k >= 0; k-- {
				if cls[k] != bidiNeutral {
					before = cls[k]
					break
				}
			}
			if inR {
				d := bidiL // the document's direction, unless right-to-left text leads in
				if rtl(before) {
					d = bidiR
				}
				cls[o], cls[i] = d, d
			}
		}
	}
	// Neutrals between right-to-left text join it; others take the document's direction.
	for i := 0; i < len(rs); {
		if cls[i] != bidiNeutral {
			i++
			continue
		}
		j := i
		for j < len(rs) && cls[j] == bidiNeutral {
			j++
		}
		d := bidiL
		if i > 0 && j < len(rs) && rtl(cls[i-1]) && rtl(cls[j]) {
			d = bidiR
		}
		for k := i; k < j; k++ {
			cls[k] = d
		}
		i = j
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		if !rtl(cls[i]) {
			out = append(out, rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && rtl(cls[j]) {
			j++
		}
		var units [][]rune
		for k := i; k < j; {
			m := k + 1
			if cls[k] == bidiRDigit {
				for m < j && cls[m] == bidiRDigit {
					m++
				}
			} else {
				for m < j && transparent(rs[m]) {
					m++
				}
			}
			u := append([]rune(nil), rs[k:m]...)
			if to, ok := mirrored[u[0]]; ok && cls[k] != bidiRDigit {
				u[0] = to
			}
			units = append(units, u)
			k = m
		}
		for u := len(units) - 1; u >= 0; u-- {
			out = append(out, units[u]...)
		}
		i = j
	}
	return string(out)
}
