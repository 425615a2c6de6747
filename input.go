package secondchance

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The rules below hold for every value a client sends, whatever the field: the GraphQL scalars
// apply them before any resolver runs, and the domain validations apply them again for the
// paths that do not go through GraphQL (the command line, the verification page).

// CheckString refuses what no text field may hold: invalid UTF-8, which PostgreSQL cannot
// store, and NUL, which it refuses in text. field may be empty.
func CheckString(field, s string) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, EINVALID, "the text is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return FieldErrorf(field, EINVALID, "the text contains a NUL character")
	}
	return nil
}

// MinTime and MaxTime bound every timestamp a client sends: nothing in this service happened
// before the Unix epoch, and the bound after stays far below what PostgreSQL, Go's RFC 3339
// formatting and date arithmetic (expiries, windows) can hold, so a time that is accepted can
// always be stored, read back and printed.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime refuses a time outside [MinTime, MaxTime). field may be empty.
func CheckTime(field string, t time.Time) error {
	if t.Before(MinTime) || !t.Before(MaxTime) {
		return FieldErrorf(field, EINVALID, "%s is out of range: times are from %d to %d", t.UTC().Format(time.RFC3339), MinTime.Year(), MaxTime.Year()-1)
	}
	return nil
}

// ParseTime reads an RFC 3339 timestamp such as 2026-03-01T12:00:00Z within CheckTime's range.
func ParseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, FieldErrorf(field, EINVALID, "%q is not an RFC 3339 time such as 2026-03-01T12:00:00Z", truncate(s, 40))
	}
	if err := CheckTime(field, t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// printable reports whether text that is printed on certificates, labels and pages is free of
// what could disguise it: control characters (ANSI escapes start with one) and the invisible
// formatting characters that reorder or hide text (U+202E and the other bidirectional
// controls, zero-width characters). multiline allows line breaks and tabs.
func printable(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return false
		}
	}
	return true
}
