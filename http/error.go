package http

import (
	"encoding/json"
	"log/slog"
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// statuses is the one table from Error codes to HTTP statuses. Codes that only describe input
// (the userError codes of mutations) are not here: they are answered inside a 200 GraphQL
// response. Anything unknown is a server error.
var statuses = map[string]int{
	sc.EINVALID:         http.StatusBadRequest,
	sc.ENOTFOUND:        http.StatusNotFound,
	sc.ECONFLICT:        http.StatusConflict,
	sc.EUNAUTHENTICATED: http.StatusUnauthorized,
	sc.EFORBIDDEN:       http.StatusForbidden,
	sc.ETIMEOUT:         http.StatusGatewayTimeout,
	sc.ERATELIMITED:     http.StatusTooManyRequests,
	sc.ELINKEXPIRED:     http.StatusGone,
	sc.ELINKINVALID:     http.StatusForbidden,
	sc.EINTERNAL:        http.StatusInternalServerError,
	// State conflicts, for the routes that answer them outside GraphQL (the portal's forms).
	sc.EITEMSTATE:     http.StatusConflict,
	sc.ELOTSTATE:      http.StatusConflict,
	sc.EBIDTOOLOW:     http.StatusUnprocessableEntity,
	sc.EBIDDERBLOCKED: http.StatusForbidden,
}

// StatusOf returns the HTTP status for an Error code.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error answers a plain (non-GraphQL) route with err's status and message. Internal errors are
// logged with what was being done and shown as "internal error" only.
func Error(w http.ResponseWriter, r *http.Request, doing string, err error) {
	code := sc.ErrorCode(err)
	if code == sc.EINTERNAL {
		slog.ErrorContext(r.Context(), doing, "err", err)
	}
	http.Error(w, sc.ErrorMessage(err)+"\n", StatusOf(code))
}

// writeGraphQLError answers with a GraphQL-shaped error body, so that API clients parse every
// failure alike, also those that happen before GraphQL runs.
func writeGraphQLError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
	})
}
