package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	sc "github.com/secondchance/secondchance"
)

type metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	executions *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "secondchance_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "secondchance_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "secondchance_graphql_queries_total",
			Help: "GraphQL queries by how they were executed: plan (written by a compiled plan), gqlgen (no plan for the selection), fallback (a plan's run met what only gqlgen writes).",
		}, []string{"by"}),
	}
	reg.MustRegister(m.requests, m.duration, m.executions)
	return m
}

// route records metrics and an access log line for one route.
func (s *Server) route(name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(name, strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(name).Observe(d.Seconds())
		slog.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration_ms", float64(d.Microseconds())/1000, "bytes", rec.bytes)
	})
}

// limitBody refuses bodies over MaxBodyBytes with a GraphQL error, before any parsing. The
// body must arrive by the request's deadline (set by timeout, which runs first): a client that
// sends it slowly holds the handler no longer than REQUEST_TIMEOUT.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method == http.MethodPost {
			rc := http.NewResponseController(w)
			if deadline, ok := r.Context().Deadline(); ok {
				rc.SetReadDeadline(deadline) // not supported by every writer (tests' recorders): then the server's ReadTimeout bounds it
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// The connection is closed after the answer: the rest of the body would
				// otherwise be waited for, to read the next request.
				w.Header().Set("Connection", "close")
				writeGraphQLError(w, http.StatusRequestTimeout, sc.ETIMEOUT, "the request body did not arrive within the request timeout")
				return
			}
			// Nothing more is read from this request; the next one on the connection gets the
			// server's own deadline again.
			rc.SetReadDeadline(time.Time{})
			if err != nil {
				writeGraphQLError(w, http.StatusBadRequest, "BAD_REQUEST", "could not read the request body")
				return
			}
			if int64(len(body)) > s.cfg.MaxBodyBytes {
				writeGraphQLError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE",
					fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// timeout bounds every GraphQL request from its start, the reading of its body included;
// statements still running at the deadline are cancelled by PostgreSQL and reported with code
// TIMEOUT. Parsing and validation do not watch the deadline, which is why the GraphQL handler
// bounds the size of what it parses first.
func (s *Server) timeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush lets streamed responses flush through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (websockets, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type requestIDKey struct{}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID tags each request with an ID (the client's X-Request-Id when sane), echoes it in the
// response and puts it on every log line of the request.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// LogHandler adds the request ID of the context to every record; the program wraps its log
// handler with it so that every line a request causes carries the request's ID.
type LogHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h LogHandler) WithGroup(n string) slog.Handler { return LogHandler{h.Handler.WithGroup(n)} }

// withClient puts the client's address into the context, for rate limits. It is the peer's
// address: behind a proxy, every client shares the proxy's (X-Forwarded-For is not trusted).
func withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(sc.NewContextWithClient(r.Context(), host)))
	})
}

// htmlCSP is the Content-Security-Policy of every HTML page that sets none of its own (the
// playground sets a stricter one for its scripts): no script at all, styles inline only, forms
// that post to this server, and no framing.
const htmlCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets X-Content-Type-Options on every response and, on every HTML page that did
// not set its own, a Content-Security-Policy, X-Frame-Options and Referrer-Policy: pages added
// later get them without remembering to.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(&htmlHeaders{ResponseWriter: w}, r)
	})
}

// htmlHeaders adds the HTML pages' headers once the handler has said what it writes.
type htmlHeaders struct {
	http.ResponseWriter
	done bool
}

func (h *htmlHeaders) set() {
	if h.done {
		return
	}
	h.done = true
	hd := h.ResponseWriter.Header()
	if !strings.HasPrefix(strings.ToLower(hd.Get("Content-Type")), "text/html") {
		return
	}
	for _, kv := range [][2]string{
		{"Content-Security-Policy", htmlCSP},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
	} {
		if hd.Get(kv[0]) == "" {
			hd.Set(kv[0], kv[1])
		}
	}
}

func (h *htmlHeaders) WriteHeader(code int) {
	h.set()
	h.ResponseWriter.WriteHeader(code)
}

func (h *htmlHeaders) Write(b []byte) (int, error) {
	if !h.done && h.ResponseWriter.Header().Get("Content-Type") == "" {
		// What net/http would sniff, so that a page that does not name its type is covered too.
		h.ResponseWriter.Header().Set("Content-Type", http.DetectContentType(b))
	}
	h.set()
	return h.ResponseWriter.Write(b)
}

// Flush lets streamed responses flush through.
func (h *htmlHeaders) Flush() {
	h.set()
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (h *htmlHeaders) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// anonymousSlots is how many anonymous GraphQL requests run at once: half the processors, so
// clients without a token, who can send the costliest documents the limits let through as
// fast as they like, never take every core from the sellers and staff who have one.
func anonymousSlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// gateAnonymous runs anonymous GraphQL requests through anonymousSlots slots (authenticate has
// run before it). A request waits for a slot until its deadline, then is told to come back.
func (s *Server) gateAnonymous(next http.Handler) http.Handler {
	slots := make(chan struct{}, anonymousSlots())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sc.ActorFromContext(r.Context()) != nil {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
			w.Header().Set("Retry-After", "1")
			writeGraphQLError(w, StatusOf(sc.ERATELIMITED), sc.ERATELIMITED, "the server is busy with requests without a token; try again, or send one")
		}
	})
}
