package secondchance

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. Resolvers turn them into userErrors or extensions.code,
// the CLI into exit messages; nothing else is shown to a client for an unexpected failure.
const (
	EINVALID         = "INVALID"
	ENOTFOUND        = "NOT_FOUND"
	ECONFLICT        = "CONFLICT"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	EINTERNAL        = "INTERNAL"
	// ETIMEOUT is a request cancelled because it ran past its deadline.
	ETIMEOUT = "TIMEOUT"
)

// Error is a failure the caller can act on: a code from the list above, a message meant for
// the person who sent the request, and, for bad input, the input field it concerns.
type Error struct {
	Code    string
	Message string
	// Field is the path of the offending input field, e.g. "orders.3.sellerNumber"; empty
	// when the error is not about one field.
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(field, code, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error or Errors (the first one's),
// and EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if es := AsErrors(err); len(es) > 0 {
		return es[0].Code
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of an *Error, and "internal error" for anything else
// so that driver messages and stack details never reach a client.
func ErrorMessage(err error) string {
	if es := AsErrors(err); len(es) > 0 {
		return es[0].Message
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Errors is a list of field errors found together, so that a client fixes its input in one
// round trip instead of one error at a time.
type Errors []*Error

func (es Errors) Error() string {
	if len(es) == 0 {
		return "no errors"
	}
	return fmt.Sprintf("%s and %d more", es[0].Error(), len(es)-1)
}

// Err returns nil for an empty list, so callers can write `return errs.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// AsErrors flattens err into field errors: an Errors list, a single *Error, or nil when err is
// something else (an internal failure).
func AsErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}
	}
	return nil
}
