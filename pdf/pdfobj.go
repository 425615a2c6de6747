package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// This file reads and writes just enough of PDF's syntax (ISO 32000-1, 7.3 and 7.5) to append
// an incremental update to a finished document: objects found through a classic
// cross-reference table (what gofpdf writes), and new objects written after them. Strings and
// numbers are kept as written, so what is copied is copied exactly.

// pdfObject is one of pdfName, pdfRef, pdfArray, *pdfDict, *pdfStream or pdfRaw.
type pdfObject any

// pdfName is a name without its slash, as written (with any #xx escapes).
type pdfName string

// pdfRef is an indirect reference, "num gen R".
type pdfRef struct{ num, gen int }

type pdfArray []pdfObject

// pdfRaw is a number, string, boolean or null, as written.
type pdfRaw string

// pdfDict is a dictionary; its entries keep their order, so a copy reads like the original.
type pdfDict struct{ entries []pdfEntry }

type pdfEntry struct {
	key pdfName
	val pdfObject
}

// pdfStream is a stream's dictionary and its bytes, still encoded.
type pdfStream struct {
	dict *pdfDict
	data []byte
}

func (d *pdfDict) get(key pdfName) pdfObject {
	for _, e := range d.entries {
		if e.key == key {
			return e.val
		}
	}
	return nil
}

func (d *pdfDict) set(key pdfName, val pdfObject) {
	for i, e := range d.entries {
		if e.key == key {
			d.entries[i].val = val
			return
		}
	}
	d.entries = append(d.entries, pdfEntry{key, val})
}

func (d *pdfDict) del(key pdfName) {
	for i, e := range d.entries {
		if e.key == key {
			d.entries = append(d.entries[:i:i], d.entries[i+1:]...)
			return
		}
	}
}

// clone copies the dictionary's entries (its values are shared).
func (d *pdfDict) clone() *pdfDict {
	return &pdfDict{entries: append([]pdfEntry(nil), d.entries...)}
}

// number reads a pdfRaw as a number.
func number(o pdfObject) (float64, bool) {
	r, ok := o.(pdfRaw)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(r), 64)
	return f, err == nil
}

// pdfLexer reads objects from b.
type pdfLexer struct {
	b     []byte
	pos   int
	depth int
}

// maxDepth bounds how deeply arrays and dictionaries nest, so a malformed file cannot exhaust
// the stack.
const maxDepth = 64

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *pdfLexer) errorf(format string, args ...any) error {
	return fmt.Errorf("PDF syntax at byte %d: %s", l.pos, fmt.Sprintf(format, args...))
}

// skipSpace skips white space and comments.
func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		switch c := l.b[l.pos]; {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// regular reads a run of regular characters: a number or a keyword.
func (l *pdfLexer) regular() string {
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelimiter(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

// keyword reads the next keyword (or number) and reports whether it is want.
func (l *pdfLexer) keyword(want string) bool {
	l.skipSpace()
	save := l.pos
	if l.regular() == want {
		return true
	}
	l.pos = save
	return false
}

// integer reads a non-negative integer.
func (l *pdfLexer) integer() (int64, error) {
	l.skipSpace()
	start := l.pos
	s := l.regular()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		l.pos = start
		return 0, l.errorf("want an integer, found %q", s)
	}
	return n, nil
}

// object reads one direct object, or a reference.
func (l *pdfLexer) object() (pdfObject, error) {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return nil, l.errorf("unexpected end of file")
	}
	switch c := l.b[l.pos]; c {
	case '/':
		l.pos++
		return pdfName(l.regular()), nil
	case '(':
		return l.literalString()
	case '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			return l.dict()
		}
		end := bytes.IndexByte(l.b[l.pos:], '>')
		if end < 0 {
			return nil, l.errorf("unterminated hex string")
		}
		s := pdfRaw(l.b[l.pos : l.pos+end+1])
		l.pos += end + 1
		return s, nil
	case '[':
		return l.array()
	case ')', '>', ']', '{', '}':
		return nil, l.errorf("unexpected %q", c)
	}
	start := l.pos
	tok := l.regular()
	switch tok {
	case "true", "false", "null":
		return pdfRaw(tok), nil
	case "":
		return nil, l.errorf("unexpected %q", l.b[l.pos])
	}
	if _, err := strconv.ParseFloat(tok, 64); err != nil {
		l.pos = start
		return nil, l.errorf("unexpected keyword %q", tok)
	}
	// An integer may start a reference: "num gen R".
	if num, err := strconv.Atoi(tok); err == nil && num >= 0 {
		save := l.pos
		if gen, err := l.integer(); err == nil && l.keyword("R") {
			return pdfRef{num, int(gen)}, nil
		}
		l.pos = save
	}
	return pdfRaw(tok), nil
}

func (l *pdfLexer) literalString() (pdfObject, error) {
	start, nesting := l.pos, 0
	for l.pos < len(l.b) {
		switch l.b[l.pos] {
		case '\\':
			l.pos++
		case '(':
			nesting++
		case ')':
			nesting--
			if nesting == 0 {
				l.pos++
				return pdfRaw(l.b[start:l.pos]), nil
			}
		}
		l.pos++
	}
	return nil, l.errorf("unterminated string")
}

func (l *pdfLexer) array() (pdfObject, error) {
	if l.depth++; l.depth > maxDepth {
		return nil, l.errorf("arrays and dictionaries nested too deeply")
	}
	defer func() { l.depth-- }()
	l.pos++ // [
	a := pdfArray{}
	for {
		l.skipSpace()
		if l.pos < len(l.b) && l.b[l.pos] == ']' {
			l.pos++
			return a, nil
		}
		o, err := l.object()
		if err != nil {
			return nil, err
		}
		a = append(a, o)
	}
}

func (l *pdfLexer) dict() (pdfObject, error) {
	if l.depth++; l.depth > maxDepth {
		return nil, l.errorf("arrays and dictionaries nested too deeply")
	}
	defer func() { l.depth-- }()
	l.pos += 2 // <<
	d := &pdfDict{}
	for {
		l.skipSpace()
		if bytes.HasPrefix(l.b[l.pos:], []byte(">>")) {
			l.pos += 2
			return d, nil
		}
		k, err := l.object()
		if err != nil {
			return nil, err
		}
		key, ok := k.(pdfName)
		if !ok {
			return nil, l.errorf("a dictionary key is not a name")
		}
		v, err := l.object()
		if err != nil {
			return nil, err
		}
		d.entries = append(d.entries, pdfEntry{key, v})
	}
}

// pdfFile is a parsed document: its bytes, where each object is, and its newest trailer.
type pdfFile struct {
	b       []byte
	xref    map[int]xrefEntry
	trailer *pdfDict
	// startxref is where the newest cross-reference section starts: an update's /Prev.
	startxref int64
	cache     map[pdfRef]pdfObject
}

type xrefEntry struct {
	off  int64
	gen  int
	free bool
}

var errXrefStream = errors.New("the PDF has a cross-reference stream (PDF 1.5); only classic cross-reference tables are supported")

// readPDF finds a document's objects through its cross-reference sections, newest first.
func readPDF(b []byte) (*pdfFile, error) {
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return nil, errors.New("not a PDF: no startxref")
	}
	l := &pdfLexer{b: b, pos: i + len("startxref")}
	start, err := l.integer()
	if err != nil {
		return nil, err
	}
	f := &pdfFile{b: b, xref: map[int]xrefEntry{}, startxref: start, cache: map[pdfRef]pdfObject{}}
	seen := map[int64]bool{}
	for off := start; ; {
		if seen[off] {
			return nil, fmt.Errorf("PDF cross-reference sections loop at byte %d", off)
		}
		seen[off] = true
		trailer, err := f.readXrefSection(off)
		if err != nil {
			return nil, err
		}
		if f.trailer == nil {
			f.trailer = trailer
		}
		prev, ok := number(trailer.get("Prev"))
		if !ok {
			break
		}
		off = int64(prev)
	}
	if f.trailer.get("Encrypt") != nil {
		return nil, errors.New("the PDF is encrypted")
	}
	return f, nil
}

// readXrefSection reads the section at off into f.xref, where newer sections (read first)
// take precedence, and returns its trailer.
func (f *pdfFile) readXrefSection(off int64) (*pdfDict, error) {
	if off < 0 || off >= int64(len(f.b)) {
		return nil, fmt.Errorf("PDF cross-reference offset %d is outside the file", off)
	}
	l := &pdfLexer{b: f.b, pos: int(off)}
	if !l.keyword("xref") {
		if _, err := l.integer(); err == nil {
			return nil, errXrefStream
		}
		return nil, l.errorf("no cross-reference table at byte %d", off)
	}
	for !l.keyword("trailer") {
		first, err := l.integer()
		if err != nil {
			return nil, err
		}
		count, err := l.integer()
		if err != nil {
			return nil, err
		}
		for n := first; n < first+count; n++ {
			o, err := l.integer()
			if err != nil {
				return nil, err
			}
			gen, err := l.integer()
			if err != nil {
				return nil, err
			}
			l.skipSpace()
			kind := l.regular()
			if kind != "n" && kind != "f" {
				return nil, l.errorf("cross-reference entry of kind %q", kind)
			}
			if _, ok := f.xref[int(n)]; !ok {
				f.xref[int(n)] = xrefEntry{off: o, gen: int(gen), free: kind == "f"}
			}
		}
	}
	t, err := l.object()
	if err != nil {
		return nil, err
	}
	trailer, ok := t.(*pdfDict)
	if !ok {
		return nil, l.errorf("the trailer is not a dictionary")
	}
	return trailer, nil
}

// object reads the indirect object ref: a direct object or a stream.
func (f *pdfFile) object(ref pdfRef) (pdfObject, error) {
	if o, ok := f.cache[ref]; ok {
		return o, nil
	}
	e, ok := f.xref[ref.num]
	if !ok || e.free || e.gen != ref.gen {
		return nil, fmt.Errorf("PDF object %d %d is not in the file", ref.num, ref.gen)
	}
	if e.off < 0 || e.off >= int64(len(f.b)) {
		return nil, fmt.Errorf("PDF object %d is outside the file (byte %d)", ref.num, e.off)
	}
	l := &pdfLexer{b: f.b, pos: int(e.off)}
	num, err := l.integer()
	if err != nil {
		return nil, err
	}
	gen, err := l.integer()
	if err != nil {
		return nil, err
	}
	if int(num) != ref.num || int(gen) != ref.gen || !l.keyword("obj") {
		return nil, fmt.Errorf("PDF object %d %d is not at byte %d", ref.num, ref.gen, e.off)
	}
	o, err := l.object()
	if err != nil {
		return nil, err
	}
	if d, ok := o.(*pdfDict); ok && l.keyword("stream") {
		if o, err = f.streamData(l, d); err != nil {
			return nil, fmt.Errorf("PDF object %d: %w", ref.num, err)
		}
	}
	f.cache[ref] = o
	return o, nil
}

// streamData reads the bytes of a stream whose keyword l has just read.
func (f *pdfFile) streamData(l *pdfLexer, d *pdfDict) (*pdfStream, error) {
	// The keyword ends with CR LF or LF (7.3.8.1).
	if bytes.HasPrefix(l.b[l.pos:], []byte("\r\n")) {
		l.pos += 2
	} else if l.pos < len(l.b) && l.b[l.pos] == '\n' {
		l.pos++
	}
	length := d.get("Length")
	if ref, ok := length.(pdfRef); ok {
		o, err := f.object(ref)
		if err != nil {
			return nil, err
		}
		length = o
	}
	n, ok := number(length)
	if !ok || n < 0 || n > float64(len(l.b)-l.pos) {
		return nil, errors.New("a stream without a valid /Length")
	}
	data := l.b[l.pos : l.pos+int(n)]
	l.pos += int(n)
	if !l.keyword("endstream") {
		return nil, errors.New("a stream's /Length does not reach endstream")
	}
	return &pdfStream{dict: d, data: data}, nil
}

// resolve follows references to the object they name; a missing object is null (7.3.10).
func (f *pdfFile) resolve(o pdfObject) (pdfObject, error) {
	for range maxDepth {
		ref, ok := o.(pdfRef)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = f.object(ref); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("PDF references chain too long")
}

// dict resolves o to a dictionary; nil when o is absent or null.
func (f *pdfFile) dict(o pdfObject) (*pdfDict, error) {
	o, err := f.resolve(o)
	switch d := o.(type) {
	case nil:
		return nil, err
	case *pdfDict:
		return d, nil
	case pdfRaw:
		if d == "null" {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("want a PDF dictionary, found %T", o)
}

// writeObject writes o in PDF syntax.
func writeObject(b *bytes.Buffer, o pdfObject) {
	switch o := o.(type) {
	case pdfName:
		b.WriteByte('/')
		b.WriteString(string(o))
	case pdfRaw:
		b.WriteString(string(o))
	case pdfRef:
		fmt.Fprintf(b, "%d %d R", o.num, o.gen)
	case pdfArray:
		b.WriteByte('[')
		for i, e := range o {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeObject(b, e)
		}
		b.WriteByte(']')
	case *pdfDict:
		b.WriteString("<<")
		for _, e := range o.entries {
			b.WriteString("\n/")
			b.WriteString(string(e.key))
			b.WriteByte(' ')
			writeObject(b, e.val)
		}
		b.WriteString("\n>>")
	case *pdfStream:
		d := o.dict.clone()
		d.set("Length", pdfRaw(strconv.Itoa(len(o.data))))
		writeObject(b, d)
		b.WriteString("\nstream\n")
		b.Write(o.data)
		b.WriteString("\nendstream")
	default:
		b.WriteString("null")
	}
}
