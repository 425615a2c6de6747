package http

import (
	"log/slog"
	"net/http"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// authenticate resolves the bearer token into the request's actor. A request without a token
// goes on as anonymous (fields then answer UNAUTHENTICATED); a wrong token is refused at once.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			writeGraphQLError(w, http.StatusUnauthorized, sc.EUNAUTHENTICATED, "the Authorization header must be `Bearer <token>`")
			return
		}
		actor, err := s.services.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			code := sc.ErrorCode(err)
			if code == sc.EINTERNAL {
				slog.ErrorContext(r.Context(), "authenticating", "err", err)
			}
			writeGraphQLError(w, StatusOf(code), code, sc.ErrorMessage(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(sc.NewContextWithActor(r.Context(), actor)))
	})
}
