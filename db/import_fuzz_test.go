package db

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// The fuzz targets run their corpus (testdata/fuzz/<Name>) in every `go test`; docs/FUZZING.md
// says how to run them for longer.

// fuzzNow is the clock of the fuzz targets: the seeds' dates lie before it.
var fuzzNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// stagingWidth is the number of values of each kind's staging row.
var stagingWidth = func() map[ImportKind]int {
	w := map[ImportKind]int{}
	for _, k := range ImportKinds {
		_, cols := stagingTable(k)
		w[k] = strings.Count(cols, ",") + 1
	}
	return w
}()

// errorForm is the one-line form of every import error: FILE:LINE[:COL]: REASON.
var errorForm = regexp.MustCompile(`^(.+?):([1-9][0-9]*)(?::([1-9][0-9]*))?: (\S[^\n]*)$`)

// checkParse parses data as a file of kind named name and holds the outcome to the contract:
// rows that COPY can store, or errors that each say file, line (one the file has), column where
// given (within that line) and reason, on one line. It returns the rows.
func checkParse(t *testing.T, kind ImportKind, name string, data []byte) ([][]any, error) {
	t.Helper()
	var rows [][]any
	err := parseImport(kind, name, bytes.NewReader(data), fuzzNow, func(row []any) error {
		rows = append(rows, row)
		return nil
	})
	if err == nil {
		for _, row := range rows {
			require.Len(t, row, stagingWidth[kind])
			line, ok := row[0].(int64)
			require.True(t, ok && line >= 1, "ord is the line: %v", row[0])
			require.Equal(t, name+":"+strconv.FormatInt(line, 10), row[1])
			for i, v := range row {
				switch v := v.(type) {
				case string:
					require.True(t, utf8.ValidString(v), "value %d of %v is not UTF-8", i, row)
					require.NotContains(t, v, "\x00", "value %d of %v holds a NUL", i, row)
				case time.Time:
					require.False(t, v.IsZero(), "value %d of %v is a zero time", i, row)
				}
			}
		}
		return rows, nil
	}
	errs := sc.AsErrors(err)
	require.NotEmpty(t, errs, "not a located error: %v", err)
	lines := bytes.Split(data, []byte("\n"))
	for _, e := range errs {
		require.Equal(t, sc.EINVALID, e.Code, e.Message)
		require.Empty(t, e.Field, "the location is in the message: %v", e)
		m := errorForm.FindStringSubmatch(e.Message)
		require.NotNil(t, m, "not FILE:LINE[:COL]: REASON: %q", e.Message)
		require.Equal(t, name, m[1], e.Message)
		line, _ := strconv.Atoi(m[2])
		require.LessOrEqual(t, line, len(lines), "no such line: %q", e.Message)
		if m[3] != "" {
			col, _ := strconv.Atoi(m[3])
			require.LessOrEqual(t, line, len(lines), "no such line: %q", e.Message)
			require.LessOrEqual(t, col, len(lines[line-1])+1, "no such column: %q", e.Message)
		}
	}
	return nil, err
}

// fuzzKind picks a kind from a fuzzed byte.
func fuzzKind(k uint8) ImportKind { return ImportKinds[int(k)%len(ImportKinds)] }

func FuzzImportCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		k := fuzzKind(kind)
		checkParse(t, k, string(k)+".csv", data)
	})
}

func FuzzImportNDJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		k := fuzzKind(kind)
		rows, err := checkParse(t, k, string(k)+".ndjson", data)
		if err == nil {
			// Each row comes from a line of its own, and no line holding an object is skipped.
			require.Len(t, rows, ndjsonObjects(data))
		}
	})
}

// ndjsonObjects counts the lines that are not blank.
func ndjsonObjects(data []byte) int {
	n := 0
	for i, l := range bytes.Split(data, []byte("\n")) {
		if i == 0 {
			l = bytes.TrimPrefix(l, utf8BOM)
		}
		if len(bytes.TrimLeft(l, " \t\r")) > 0 {
			n++
		}
	}
	return n
}

// FuzzCSVReader holds csvReader to encoding/csv: on text both can read (UTF-8 without NUL bytes
// or a byte order mark) they find the same records, and fail on the same record.
func FuzzCSVReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		mine := newCSVReader(bytes.NewReader(data), 1<<30)
		var got [][]string
		var gotErr error
		for {
			fields, err := mine.read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var ce *csvError
				require.True(t, errors.As(err, &ce), "%v", err)
				require.GreaterOrEqual(t, ce.line, 1)
				require.GreaterOrEqual(t, ce.col, 1)
				gotErr = err
				break
			}
			rec := make([]string, len(fields))
			for i, f := range fields {
				rec[i] = f.value
				require.GreaterOrEqual(t, f.line, 1)
				require.GreaterOrEqual(t, f.col, 1)
			}
			got = append(got, rec)
		}
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || bytes.HasPrefix(data, utf8BOM) {
			return
		}
		theirs := csv.NewReader(bytes.NewReader(data))
		theirs.FieldsPerRecord = -1
		var want [][]string
		var wantErr error
		for {
			rec, err := theirs.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				wantErr = err
				break
			}
			want = append(want, rec)
		}
		require.Equal(t, want, got)
		require.Equal(t, wantErr != nil, gotErr != nil, "encoding/csv: %v; csvReader: %v", wantErr, gotErr)
	})
}

// FuzzJSONScanner holds jsonScanner to encoding/json: on any valid UTF-8 JSON value it reads
// the same strings, numbers and structure, and stops at the value's end.
func FuzzJSONScanner(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) || !utf8.Valid(data) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		require.NoError(t, dec.Decode(&want))
		s := jsonScanner{b: data}
		require.Equal(t, want, scanAny(&s))
		require.Empty(t, bytes.TrimLeft(data[s.i:], " \t\r\n"), "the value ends at %d", s.i)
	})
}

// scanAny reads any value with jsonScanner's steps, into what encoding/json decodes with
// UseNumber.
func scanAny(s *jsonScanner) any {
	switch s.peek() {
	case '{':
		s.i++
		m := map[string]any{}
		if s.peek() == '}' {
			s.i++
			return m
		}
		for {
			s.peek()
			k := s.str()
			s.next() // ':'
			m[k] = scanAny(s)
			if s.next() == '}' {
				return m
			}
		}
	case '[':
		s.i++
		a := []any{}
		if s.peek() == ']' {
			s.i++
			return a
		}
		for {
			a = append(a, scanAny(s))
			if s.next() == ']' {
				return a
			}
		}
	case '"':
		return s.str()
	case 'n':
		s.literal()
		return nil
	case 't', 'f':
		return s.literal() == "true"
	}
	return json.Number(s.literal())
}
