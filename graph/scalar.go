package graph

import (
	"io"
	"math"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	sc "github.com/secondchance/secondchance"
)

// The built-in scalars are bound (gqlgen.yml) to the functions below rather than to gqlgen's,
// so that one rule holds for every input of their type and no field can forget it: a value
// the store cannot hold is INVALID before any resolver runs, never INTERNAL after.

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String input, refusing NUL and invalid UTF-8 (sc.CheckString).
func UnmarshalString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", sc.Errorf(sc.EINVALID, "a String must be a string, got %T", v)
	}
	if err := sc.CheckString("", s); err != nil {
		return "", err
	}
	return s, nil
}

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int input: a 32-bit signed integer, as the GraphQL specification has
// it. gqlgen's own accepts any 64-bit value.
func UnmarshalInt(v any) (int, error) {
	i, err := unmarshalInt32(v)
	return int(i), err
}

// MarshalIntAsInt64 writes an Int held in an int64.
func MarshalIntAsInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalIntAsInt64 reads an Int input into an int64, within 32 bits like UnmarshalInt.
func UnmarshalIntAsInt64(v any) (int64, error) {
	i, err := unmarshalInt32(v)
	return int64(i), err
}

func unmarshalInt32(v any) (int32, error) {
	i, err := graphql.UnmarshalInt32(v)
	if err != nil {
		return 0, sc.Errorf(sc.EINVALID, "an Int is a whole number from -2147483648 to 2147483647")
	}
	return i, nil
}

// MarshalTime writes a Time in RFC 3339 with the fraction it has. Unlike gqlgen's, it writes
// Go's zero time (0001-01-01T00:00:00Z) as what it is, not as null: a stored time, however it
// got there, always reads back, and a non-null field never fails after its write committed.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads a Time input: an RFC 3339 string within sc.CheckTime's range.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, sc.Errorf(sc.EINVALID, "a Time is an RFC 3339 string such as 2026-03-01T12:00:00Z")
	}
	return sc.ParseTime("", s)
}

// MarshalID writes an ID.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID reads an ID input (a string, or an integer as the specification allows) under
// the same rule as a String.
func UnmarshalID(v any) (string, error) {
	s, err := graphql.UnmarshalID(v)
	if err != nil {
		return "", sc.Errorf(sc.EINVALID, "an ID must be a string")
	}
	if err := sc.CheckString("", s); err != nil {
		return "", err
	}
	return s, nil
}

// MarshalFloat writes a Float.
func MarshalFloat(f float64) graphql.Marshaler { return graphql.MarshalFloat(f) }

// UnmarshalFloat reads a Float input: a finite number.
func UnmarshalFloat(v any) (float64, error) {
	f, err := graphql.UnmarshalFloat(v)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, sc.Errorf(sc.EINVALID, "a Float must be a finite number")
	}
	return f, nil
}
