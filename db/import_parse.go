package db

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	sc "github.com/secondchance/secondchance"
)

// The reading half of `secondchance import`: the bytes of a file in, staging rows or one located
// error out, and no database, so that it can be fuzzed on its own (import_fuzz_test.go). Import
// copies what it emits.
//
// Every problem is reported on one line, as
//
//	FILE:LINE[:COL]: [FIELD: ]REASON
//
// LINE is 1-based: the line of COL when there is one, else where the record starts. COL is a
// 1-based byte column, given when the problem lies in the text itself: quoting, a field count, a
// header cell, invalid UTF-8, a NUL byte, JSON syntax. FIELD is the CSV column or NDJSON field ("total.amount" for nested
// ones) whenever the problem is in one. The merge's checks use the same form without COL
// (fileLine), and the README quotes it.

// maxImportRecord is the longest NDJSON line or CSV record accepted, in bytes: a longer one is a
// missing quote or newline far more often than data, and it bounds the memory of one record.
const maxImportRecord = 1 << 20

// The formats of import files, from their extensions.
const (
	formatCSV    = "csv"
	formatNDJSON = "ndjson"
)

func importFormat(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return formatNDJSON
	case ".csv":
		return formatCSV
	}
	return ""
}

// CheckImport refuses, before anything is read, a kind or a file name Import cannot handle, so
// that the command line can check every file of a run before it imports the first.
func CheckImport(kind ImportKind, name string) error {
	if _, ok := importColumns[kind]; !ok {
		return sc.FieldErrorf("kind", sc.EINVALID, "unknown kind %q; use one of %v", kind, ImportKinds)
	}
	if importFormat(name) == "" {
		what := "no extension to tell its format"
		if ext := filepath.Ext(name); ext != "" {
			what = "unknown format " + quoteValue(ext)
		}
		return sc.Errorf(sc.EINVALID, "%s: %s; name the file .ndjson, .jsonl or .csv", name, what)
	}
	return nil
}

// importRequired are the columns without which no row of a kind can be valid; a CSV header must
// name them.
var importRequired = map[ImportKind][]string{
	ImportSellers:      {"number", "name"},
	ImportBuyers:       {"number", "handle"},
	ImportOrders:       {"number", "sellerNumber", "buyerNumber", "placedAt", "total.amount", "total.currency"},
	ImportDisputes:     {"orderNumber", "number", "reason", "openedAt"},
	ImportReturnClaims: {"orderNumber", "number", "reason", "requestedAt"},
}

// importIndex gives each kind's columns their position in importColumns.
var importIndex = func() map[ImportKind]map[string]int {
	idx := map[ImportKind]map[string]int{}
	for k, cols := range importColumns {
		idx[k] = map[string]int{}
		for i, c := range cols {
			idx[k][c] = i
		}
	}
	return idx
}()

// importError locates one problem in the form described above; col 0 leaves the column out and
// an empty field the field.
func importError(name string, line, col int, field, format string, args ...any) *sc.Error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", name, line)
	if col > 0 {
		fmt.Fprintf(&b, ":%d", col)
	}
	b.WriteString(": ")
	if field != "" {
		b.WriteString(field)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, format, args...)
	return &sc.Error{Code: sc.EINVALID, Message: b.String()}
}

// fieldName shows a column or key as the file spelled it, quoted when it is not a plain name, so
// that no key can break the one-line form of an error.
func fieldName(s string) string {
	plain := s != "" && len(s) <= 64 && strings.IndexFunc(s, func(r rune) bool {
		return r == ':' || r == '"' || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) < 0
	if plain {
		return s
	}
	return quoteValue(s)
}

// quoteValue quotes a value for a message, cut short: a 1 MiB cell does not belong in one.
func quoteValue(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:max])) + "…"
}

// importValue is one column of a record: a CSV cell or a JSON value.
type importValue struct {
	kind valueKind
	text string // the cell, the JSON string, or the JSON number or boolean as written
	// named is set when an NDJSON record names the column, null included, to catch a key given
	// twice (encoding/json would keep the last silently).
	named bool
}

type valueKind uint8

// The kinds of value; absent is an empty CSV cell, a JSON null or a column the record leaves out.
const (
	absent valueKind = iota
	csvText
	jsonString
	jsonNumber
	jsonBool
)

func (k valueKind) String() string {
	switch k {
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "true or false"
	}
	return "text"
}

// importRecord is one record being read, its values by column in importColumns order.
type importRecord struct {
	line int
	vals []importValue
	// objects are the nested objects an NDJSON record gave ("feedback": {} among them) and named
	// the ones it named, null included.
	objects, named []string
}

// importParser reads one file of one kind into staging rows.
type importParser struct {
	kind  ImportKind
	name  string
	now   time.Time
	cols  []string
	index map[string]int
	rec   importRecord
}

// parseImport reads a whole file, passes each valid record to emit as its staging row (ord, ref
// and the columns of stagingTable(kind)), and stops at the first bad record with the problems it
// has, located. A file without a record, not even a CSV header, is an error too: an export that
// wrote nothing is not an import of nothing.
func parseImport(kind ImportKind, name string, r io.Reader, now time.Time, emit func(row []any) error) error {
	if err := CheckImport(kind, name); err != nil {
		return err
	}
	p := &importParser{kind: kind, name: name, now: now, cols: importColumns[kind], index: importIndex[kind]}
	p.rec.vals = make([]importValue, len(p.cols))
	if importFormat(name) == formatCSV {
		return p.csv(r, emit)
	}
	return p.ndjson(r, emit)
}

func (p *importParser) reset(line int) {
	p.rec.line = line
	clear(p.rec.vals)
	p.rec.objects, p.rec.named = p.rec.objects[:0], p.rec.named[:0]
}

// fieldError is a problem with one field of the current record.
func (p *importParser) fieldError(field, format string, args ...any) *sc.Error {
	return importError(p.name, p.rec.line, 0, field, format, args...)
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// notUTF8 explains invalid UTF-8 at the start of a file, where it usually means another encoding.
func notUTF8(line, col int, b byte) string {
	msg := fmt.Sprintf("invalid UTF-8 (byte 0x%02X); the file must be UTF-8", b)
	if line == 1 && col == 1 && (b == 0xFF || b == 0xFE) {
		msg += " (this one looks like UTF-16)"
	}
	return msg
}

const nulReason = "a NUL byte, which PostgreSQL cannot store in text"

// --- CSV -------------------------------------------------------------------------------------

func (p *importParser) csv(r io.Reader, emit func([]any) error) error {
	cr := newCSVReader(r, maxImportRecord)
	header, err := cr.read()
	if err == io.EOF {
		return importError(p.name, 1, 0, "", "the file is empty; a CSV file starts with a header row naming its columns")
	}
	if err != nil {
		return p.csvError(err, nil)
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = h.value
	}
	colOf, err := p.csvHeader(header)
	if err != nil {
		return err
	}
	for {
		fields, err := cr.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.csvError(err, names)
		}
		line := fields[0].line
		switch {
		case len(fields) < len(names):
			return importError(p.name, cr.end.line, cr.end.col, fieldName(names[len(fields)]),
				"missing: the row ends after %s and the header names %d columns", plural(len(fields), "field"), len(names))
		case len(fields) > len(names):
			extra := fields[len(names)]
			return importError(p.name, extra.line, extra.col, "",
				"the row has %d fields and the header names %s", len(fields), plural(len(names), "column"))
		}
		p.reset(line)
		for i, f := range fields {
			if f.value != "" {
				p.rec.vals[colOf[i]] = importValue{kind: csvText, text: f.value}
			}
		}
		row, err := p.row()
		if err != nil {
			return err
		}
		if err := emit(row); err != nil {
			return err
		}
	}
}

// csvHeader maps the header's cells to columns, and refuses unknown, repeated, empty and missing
// ones, all of them at once.
func (p *importParser) csvHeader(header []csvField) ([]int, error) {
	var errs sc.Errors
	colOf := make([]int, len(header))
	seen := map[int]int{}
	for i, h := range header {
		c, ok := p.index[h.value]
		switch {
		case h.value == "":
			errs = append(errs, importError(p.name, h.line, h.col, "", "an empty column name in the header"))
		case !ok:
			hint := ""
			for _, col := range p.cols {
				if strings.EqualFold(col, h.value) {
					hint = "; did you mean " + col + "?"
				}
			}
			errs = append(errs, importError(p.name, h.line, h.col, fieldName(h.value),
				"unknown column%s; the columns are %s", hint, strings.Join(p.cols, ",")))
		case seen[c] > 0:
			errs = append(errs, importError(p.name, h.line, h.col, h.value, "the header names this column twice (also as column %d)", seen[c]))
		default:
			seen[c] = i + 1
		}
		colOf[i] = c
	}
	if len(errs) == 0 {
		for _, col := range importRequired[p.kind] {
			if seen[p.index[col]] == 0 {
				errs = append(errs, importError(p.name, header[0].line, 0, col, "the header lacks this column, which every row needs"))
			}
		}
	}
	return colOf, oneOrAll(errs)
}

// oneOrAll returns a single error as itself, so that it prints without "and 0 more".
func oneOrAll(errs sc.Errors) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errs.Err()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func (p *importParser) csvError(err error, header []string) error {
	var ce *csvError
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", p.name, err) // a failure to read, not a malformed file
	}
	field := ""
	if ce.field < len(header) {
		field = fieldName(header[ce.field])
	}
	return importError(p.name, ce.line, ce.col, field, "%s", ce.msg)
}

// csvReader reads CSV as encoding/csv does with its defaults (commas, "" for a quote inside a
// quoted field, LF or CRLF line ends, blank lines skipped, no lazy quotes; the differential fuzz
// test holds it to that) and also knows where each field starts, so every problem is reported
// at its line and column, which encoding/csv cannot do for a quote left open. It also refuses
// what PostgreSQL cannot store (invalid UTF-8, NUL bytes) and records over max bytes, and skips
// a UTF-8 byte order mark.
type csvReader struct {
	br   *bufio.Reader
	max  int
	next csvPos // where the next rune starts
	at   csvPos // where the last rune read starts
	end  csvPos // where the last record read ended: its newline, or the end of the file
	n    int    // bytes of the record so far

	buf    []byte
	ends   []int
	starts []csvPos
	fields []csvField
}

type csvPos struct{ line, col int }

// csvField is one field of a record and where it starts (at its opening quote if quoted).
type csvField struct {
	csvPos
	value string
}

// csvError is a malformed record: what is wrong, where, and in which field (by index).
type csvError struct {
	csvPos
	field int
	msg   string
}

func (e *csvError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

var errCSVTooLong = errors.New("record too long")

func newCSVReader(r io.Reader, max int) *csvReader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return &csvReader{br: br, max: max, next: csvPos{1, 1}}
}

// rune reads one rune, "\r\n" as '\n', and drops a '\r' that ends the file, as encoding/csv does.
func (r *csvReader) rune() (rune, error) {
	c, size, err := r.br.ReadRune()
	if err != nil {
		return 0, err
	}
	r.at = r.next
	r.n += size
	switch {
	case c == utf8.RuneError && size == 1:
		r.br.UnreadRune()
		b, _ := r.br.ReadByte()
		return 0, &csvError{csvPos: r.at, msg: notUTF8(r.at.line, r.at.col, b)}
	case c == 0:
		return 0, &csvError{csvPos: r.at, msg: nulReason}
	case c == '\r':
		b, err := r.br.Peek(1)
		if err == io.EOF {
			return 0, io.EOF
		}
		if err != nil {
			return 0, err
		}
		if b[0] == '\n' {
			r.br.ReadByte()
			r.n++
			c = '\n'
		}
	}
	if c == '\n' {
		r.next = csvPos{r.next.line + 1, 1}
	} else {
		r.next.col += size
	}
	if r.n > r.max {
		return 0, errCSVTooLong
	}
	return c, nil
}

// read returns the next record, io.EOF after the last, or a *csvError. The fields are valid
// until the next call.
func (r *csvReader) read() ([]csvField, error) {
	r.buf, r.ends, r.starts = r.buf[:0], r.ends[:0], r.starts[:0]
	r.n = 0
	fail := func(err error, quoted bool, start csvPos) error {
		if err == errCSVTooLong {
			if quoted {
				return &csvError{csvPos: start, field: len(r.ends), msg: fmt.Sprintf("the quoted field opened here runs past %d bytes; is its closing quote missing?", r.max)}
			}
			return &csvError{csvPos: start, field: len(r.ends), msg: fmt.Sprintf("the record runs past %d bytes in this field", r.max)}
		}
		var ce *csvError
		if errors.As(err, &ce) {
			ce.field = len(r.ends)
		}
		return err
	}
	endField := func() { r.ends = append(r.ends, len(r.buf)) }
	for {
		start := r.next
		c, err := r.rune()
		if err == io.EOF {
			if len(r.ends) == 0 {
				return nil, io.EOF
			}
			// A comma ended the file: its last field is empty.
			r.starts = append(r.starts, start)
			endField()
			r.end = r.next
			return r.record(), nil
		}
		if err != nil {
			return nil, fail(err, false, start)
		}
		switch c {
		case '\n':
			if len(r.ends) == 0 { // a blank line
				r.n = 0
				continue
			}
			r.starts = append(r.starts, start)
			endField()
			r.end = r.at
			return r.record(), nil
		case ',':
			r.starts = append(r.starts, start)
			endField()
			continue
		case '"':
			r.starts = append(r.starts, start)
			for {
				c, err := r.rune()
				if err == io.EOF {
					return nil, &csvError{csvPos: start, field: len(r.ends), msg: "the quoted field opened here has no closing quote"}
				}
				if err != nil {
					return nil, fail(err, true, start)
				}
				if c != '"' {
					r.buf = utf8.AppendRune(r.buf, c)
					continue
				}
				c, err = r.rune()
				if err == io.EOF {
					endField()
					r.end = r.next
					return r.record(), nil
				}
				if err != nil {
					return nil, fail(err, true, start)
				}
				if c == '"' {
					r.buf = append(r.buf, '"')
					continue
				}
				if c == ',' {
					endField()
					break
				}
				if c == '\n' {
					endField()
					r.end = r.at
					return r.record(), nil
				}
				return nil, &csvError{csvPos: r.at, field: len(r.ends), msg: `text after the closing quote of a quoted field; a quote inside one is written ""`}
			}
		default:
			r.starts = append(r.starts, start)
			for {
				if c == '"' {
					return nil, &csvError{csvPos: r.at, field: len(r.ends), msg: `a quote inside an unquoted field; quote the whole field and double the quote ("a ""b"" c")`}
				}
				r.buf = utf8.AppendRune(r.buf, c)
				c, err = r.rune()
				if err == io.EOF {
					endField()
					r.end = r.next
					return r.record(), nil
				}
				if err != nil {
					return nil, fail(err, false, start)
				}
				if c == ',' {
					endField()
					break
				}
				if c == '\n' {
					endField()
					r.end = r.at
					return r.record(), nil
				}
			}
		}
	}
}

// record cuts the fields out of one string, one allocation per record.
func (r *csvReader) record() []csvField {
	s := string(r.buf)
	r.fields = r.fields[:0]
	prev := 0
	for i, end := range r.ends {
		r.fields = append(r.fields, csvField{csvPos: r.starts[i], value: s[prev:end]})
		prev = end
	}
	return r.fields
}

// --- NDJSON ----------------------------------------------------------------------------------

func (p *importParser) ndjson(r io.Reader, emit func([]any) error) error {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxImportRecord)
	line, records := 0, 0
	for s.Scan() {
		line++
		b := s.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if len(bytes.TrimLeft(b, " \t\r\n")) == 0 {
			continue
		}
		records++
		p.reset(line)
		if err := p.jsonLine(b); err != nil {
			return err
		}
		row, err := p.row()
		if err != nil {
			return err
		}
		if err := emit(row); err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return importError(p.name, line+1, 0, "", "the line is longer than %d bytes; each line holds one JSON object", maxImportRecord)
		}
		return fmt.Errorf("%s:%d: %w", p.name, line+1, err)
	}
	if records == 0 {
		return importError(p.name, 1, 0, "", "the file is empty; each line holds one JSON object")
	}
	return nil
}

// jsonLine reads one line's object into p.rec.
func (p *importParser) jsonLine(b []byte) error {
	line := p.rec.line
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			c, size := utf8.DecodeRune(b[i:])
			if c == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return importError(p.name, line, i+1, "", "%s", notUTF8(line, i+1, b[i]))
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return importError(p.name, line, i+1, "", nulReason)
	}
	if !json.Valid(b) {
		// Unmarshal checks the whole value before decoding it, so its offset is exact: the
		// offending byte's 1-based column, or the length at an early end.
		var se *json.SyntaxError
		if err := json.Unmarshal(b, new(json.RawMessage)); errors.As(err, &se) {
			if se.Offset >= int64(len(b)) && strings.HasPrefix(se.Error(), "unexpected end") {
				return importError(p.name, line, len(b)+1, "", "the line ends inside its JSON value; is it cut short?")
			}
			msg := se.Error()
			if strings.Contains(msg, "after top-level value") {
				msg = "text after the JSON object; each line holds one object"
			}
			return importError(p.name, line, int(se.Offset), "", "JSON: %s", msg)
		}
		return importError(p.name, line, 0, "", "not valid JSON")
	}
	scan := jsonScanner{b: b}
	if c := scan.peek(); c != '{' {
		return importError(p.name, line, scan.i+1, "", "each line holds one JSON object {…}, not %s", jsonKind(c))
	}
	return p.jsonObject(&scan, "")
}

// jsonScanner walks one line that json.Valid accepted, so it never meets a syntax error or the
// end of the line inside a value. It is about 2.5 times faster than json.Decoder's tokens and,
// unlike decoding into a map or struct, sees a key given twice.
type jsonScanner struct {
	b []byte
	i int
}

// peek skips white space and returns the byte that starts the next token.
func (s *jsonScanner) peek() byte {
	for s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n' {
		s.i++
	}
	return s.b[s.i]
}

// next returns the next token's first byte and moves past it.
func (s *jsonScanner) next() byte {
	c := s.peek()
	s.i++
	return c
}

// str reads the string that starts at the next token.
func (s *jsonScanner) str() string {
	start := s.i
	s.i++ // the opening quote
	escaped := false
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			escaped = true
			s.i++
		}
		s.i++
	}
	s.i++
	if !escaped {
		return string(s.b[start+1 : s.i-1])
	}
	var v string
	json.Unmarshal(s.b[start:s.i], &v) // valid already: escapes as encoding/json reads them
	return v
}

// literal reads a number, true, false or null as written.
func (s *jsonScanner) literal() string {
	start := s.i
	for s.i < len(s.b) && strings.IndexByte(",}] \t\r\n", s.b[s.i]) < 0 {
		s.i++
	}
	return string(s.b[start:s.i])
}

// jsonKind names the kind of value a byte starts.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonObject reads the members of the object at the next token, nested at prefix ("total.").
func (p *importParser) jsonObject(s *jsonScanner, prefix string) error {
	s.next() // '{'
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		s.peek()
		key := s.str()
		s.next() // ':'
		c := s.peek()
		col, ok := p.column(prefix, key)
		switch {
		case ok:
			if err := p.jsonValue(s, col, c); err != nil {
				return err
			}
		case prefix == "" && p.isGroup(key) != "":
			if err := p.jsonGroup(s, p.isGroup(key), c); err != nil {
				return err
			}
		case prefix == "" && p.kind == ImportOrders && (strings.EqualFold(key, "disputes") || strings.EqualFold(key, "returnClaims")):
			// Accepted empty, as encoding/json did; the events have files of their own.
			switch c {
			case 'n':
				s.literal()
			case '[':
				s.i++
				if s.peek() != ']' {
					return p.fieldError(fieldName(key), "disputes and return claims are imported from files of their own (--kind disputes, --kind return_claims)")
				}
				s.i++
			default:
				return p.fieldError(fieldName(key), "disputes and return claims are imported from files of their own (--kind disputes, --kind return_claims)")
			}
		default:
			return p.fieldError(fieldName(prefix+key), "unknown field; the fields are %s", strings.Join(p.cols, ","))
		}
		if s.next() == '}' {
			return nil
		} // else ','
	}
}

// jsonValue reads the value of a column's key, which starts with c.
func (p *importParser) jsonValue(s *jsonScanner, col int, c byte) error {
	name := p.cols[col]
	val := &p.rec.vals[col]
	if val.named {
		return p.fieldError(name, "the object names this field twice")
	}
	val.named = true
	switch c {
	case '"':
		v := s.str()
		if strings.IndexByte(v, 0) >= 0 {
			return p.fieldError(name, "the string holds a NUL character (\\u0000), which PostgreSQL cannot store in text")
		}
		val.kind, val.text = jsonString, v
	case '{', '[':
		return p.fieldError(name, "a single value is expected, not %s", jsonKind(c))
	case 'n':
		s.literal()
	case 't', 'f':
		val.kind, val.text = jsonBool, s.literal()
	default:
		val.kind, val.text = jsonNumber, s.literal()
	}
	return nil
}

// jsonGroup reads the value of a nested object's key ("total", "feedback"): an object or null.
func (p *importParser) jsonGroup(s *jsonScanner, group string, c byte) error {
	for _, n := range p.rec.named {
		if n == group {
			return p.fieldError(group, "the object names this field twice")
		}
	}
	p.rec.named = append(p.rec.named, group)
	switch c {
	case 'n':
		s.literal()
		return nil
	case '{':
		p.rec.objects = append(p.rec.objects, group)
		return p.jsonObject(s, group+".")
	}
	var fields []string
	for _, c := range p.cols {
		if g, f, ok := strings.Cut(c, "."); ok && g == group {
			fields = append(fields, `"`+f+`": …`)
		}
	}
	return p.fieldError(group, "an object {%s} is expected, not %s", strings.Join(fields, ", "), jsonKind(c))
}

// column finds a field's column; like encoding/json before it, it accepts any case of a key
// ("SellerNumber"). Keys never hold dots: nesting is spelled with objects.
func (p *importParser) column(prefix, key string) (int, bool) {
	if strings.Contains(key, ".") {
		return 0, false
	}
	if i, ok := p.index[prefix+key]; ok {
		return i, true
	}
	for i, c := range p.cols {
		if strings.EqualFold(c, prefix+key) {
			return i, true
		}
	}
	return 0, false
}

// isGroup returns the nested object a top-level key names, in any case, or "".
func (p *importParser) isGroup(key string) string {
	for _, c := range p.cols {
		if g, _, ok := strings.Cut(c, "."); ok && strings.EqualFold(g, key) {
			return g
		}
	}
	return ""
}

// --- records into rows -----------------------------------------------------------------------

// fields converts the current record's values into an input's fields, collecting one error per
// field whose value has the wrong type or form.
type fields struct {
	p    *importParser
	errs sc.Errors
}

func (f *fields) value(col string) importValue {
	i, ok := f.p.index[col]
	if !ok {
		panic("db: import reads an undeclared column " + col) // a bug here, not bad input
	}
	return f.p.rec.vals[i]
}

func (f *fields) fail(col, format string, args ...any) {
	f.errs = append(f.errs, sc.FieldErrorf(col, sc.EINVALID, format, args...))
}

func (f *fields) str(col string) string {
	v := f.value(col)
	switch v.kind {
	case absent:
		return ""
	case csvText, jsonString:
		return v.text
	}
	f.fail(col, "a string is expected, not %s", v.kind)
	return ""
}

func (f *fields) optStr(col string) *string {
	if f.value(col).kind == absent {
		return nil
	}
	s := f.str(col)
	return &s
}

func (f *fields) time(col string) time.Time {
	v := f.value(col)
	if v.kind == absent {
		return time.Time{}
	}
	if v.kind != csvText && v.kind != jsonString {
		f.fail(col, "a time string such as \"2026-10-01T10:00:00Z\" is expected, not %s", v.kind)
		return time.Time{}
	}
	// UnmarshalText is what encoding/json used for these fields: RFC 3339, strictly.
	var t time.Time
	if err := t.UnmarshalText([]byte(v.text)); err != nil {
		detail := ""
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			detail = ": " + strings.TrimPrefix(pe.Message, ": ")
		}
		f.fail(col, "%s is not an RFC 3339 time such as 2026-10-01T10:00:00Z%s", quoteValue(v.text), detail)
		return time.Time{}
	}
	return t
}

func (f *fields) optTime(col string) *time.Time {
	if f.value(col).kind == absent {
		return nil
	}
	t := f.time(col)
	return &t
}

func (f *fields) int(col string) int {
	v := f.value(col)
	switch v.kind {
	case absent:
		return 0
	case jsonString, jsonBool:
		f.fail(col, "a whole number is expected, not %s", v.kind)
		return 0
	}
	n, err := strconv.Atoi(v.text)
	if err != nil {
		f.fail(col, "%s is not a whole number", quoteValue(v.text))
	}
	return n
}

// given tells whether the record holds anything of a nested object ("feedback").
func (f *fields) given(group string) bool {
	for _, g := range f.p.rec.objects {
		if g == group {
			return true
		}
	}
	for i, c := range f.p.cols {
		if len(c) > len(group) && c[len(group)] == '.' && strings.HasPrefix(c, group) && f.p.rec.vals[i].kind != absent {
			return true
		}
	}
	return false
}

// check returns the conversion's errors and then the validation's, located at the record; a
// field that could not be read is not reported again as missing.
func (f *fields) check(validation error) error {
	errs := f.errs
	for _, e := range sc.AsErrors(validation) {
		dup := false
		for _, c := range f.errs {
			dup = dup || c.Field == e.Field
		}
		if !dup {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 && validation != nil {
		return validation // not a field error: a bug, shown as such
	}
	var located sc.Errors
	for _, e := range errs {
		located = append(located, f.p.fieldError(e.Field, "%s", e.Message))
	}
	return oneOrAll(located)
}

// row turns the current record into its staging row.
func (p *importParser) row() ([]any, error) {
	f := &fields{p: p}
	line := int64(p.rec.line)
	ref := p.name + ":" + strconv.Itoa(p.rec.line)
	switch p.kind {
	case ImportSellers:
		s := sc.SellerInput{Number: f.str("number"), Name: f.str("name"), LegalName: f.optStr("legalName"), Email: f.optStr("email"), Country: f.optStr("country")}
		if err := f.check(s.Validate()); err != nil {
			return nil, err
		}
		return sellerRow(line, ref, &s), nil
	case ImportBuyers:
		b := sc.BuyerInput{Number: f.str("number"), Handle: f.str("handle"), Country: f.optStr("country")}
		if s := f.optStr("status"); s != nil {
			b.Status = (*sc.BuyerStatus)(s)
		}
		if err := f.check(b.Validate()); err != nil {
			return nil, err
		}
		return buyerRow(line, ref, &b), nil
	case ImportOrders:
		o := sc.OrderInput{
			Number: f.str("number"), SellerNumber: f.str("sellerNumber"), BuyerNumber: f.str("buyerNumber"),
			PlacedAt: f.time("placedAt"), ShipBy: f.optTime("shipBy"), ShippedAt: f.optTime("shippedAt"),
			DeliveredAt: f.optTime("deliveredAt"), CancelledAt: f.optTime("cancelledAt"),
			Total: sc.MoneyInput{Amount: f.str("total.amount"), Currency: f.str("total.currency")},
		}
		if r := f.optStr("cancellationReason"); r != nil {
			o.CancellationReason = (*sc.CancellationReason)(r)
		}
		if f.given("feedback") {
			o.Feedback = &sc.FeedbackInput{Rating: f.int("feedback.rating"), Comment: f.optStr("feedback.comment"), LeftAt: f.time("feedback.leftAt")}
		}
		if err := f.check(o.Validate(p.now)); err != nil {
			return nil, err
		}
		return orderRow(line, ref, &o), nil
	case ImportDisputes:
		order := f.str("orderNumber")
		d := sc.DisputeInput{Number: f.str("number"), Reason: sc.DisputeReason(f.str("reason")), OpenedAt: f.time("openedAt"), ClosedAt: f.optTime("closedAt")}
		errs := sc.AsErrors(d.Validate(time.Time{}, p.now))
		checkImportNumber(&errs, "orderNumber", order)
		if err := f.check(errs.Err()); err != nil {
			return nil, err
		}
		return disputeRow(line, ref, order, &d), nil
	}
	order := f.str("orderNumber")
	rc := sc.ReturnClaimInput{Number: f.str("number"), Reason: f.str("reason"), RequestedAt: f.time("requestedAt")}
	errs := sc.AsErrors(rc.Validate(time.Time{}, p.now))
	checkImportNumber(&errs, "orderNumber", order)
	if err := f.check(errs.Err()); err != nil {
		return nil, err
	}
	return returnClaimRow(line, ref, order, &rc), nil
}

func checkImportNumber(errs *sc.Errors, field, v string) {
	if v == "" {
		*errs = append(*errs, sc.FieldErrorf(field, sc.EINVALID, "%s is required", field))
	}
}
