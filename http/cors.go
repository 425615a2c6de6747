package http

import (
	"net/http"
	"strconv"
	"strings"
)

// corsMaxAge is how long a browser may keep a preflight's answer, in seconds (Chromium caps it
// at 7,200).
const corsMaxAge = 7200

// cors lets browser frontends on the configured origins call the API. The API authenticates by
// bearer token, never by cookie, so credentials are not allowed and an allowed origin gains
// nothing a page could not do with a token it already holds. Any other origin gets no CORS
// header, so the browser keeps its response from the page.
func (s *Server) cors(next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(s.cfg.CORSOrigins))
	for _, o := range s.cfg.CORSOrigins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		ok := origin != "" && allowed[origin]
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if ok {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
				h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		}
		next.ServeHTTP(w, r)
	})
}

// NormalizeOrigin returns origin as browsers send it in the Origin header (lower-case scheme
// and host, no default port, no trailing slash), or ok false if it is not an http(s) origin.
func NormalizeOrigin(origin string) (string, bool) {
	scheme, rest, found := strings.Cut(strings.TrimSuffix(origin, "/"), "://")
	scheme = strings.ToLower(scheme)
	if !found || (scheme != "http" && scheme != "https") || rest == "" || strings.ContainsAny(rest, "/?#@* ") {
		return "", false
	}
	host := strings.ToLower(rest)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host, true
}
