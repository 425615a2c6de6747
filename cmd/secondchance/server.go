package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/resolvers"
)

// Server is the HTTP server: GraphQL at /graphql, a playground at /, health, readiness and
// Prometheus metrics.
type Server struct {
	cfg     Config
	db      *db.DB
	links   *links
	handler http.Handler

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewServer builds the handler tree for db.
func NewServer(cfg Config, store *db.DB) *Server {
	s := &Server{cfg: cfg, db: store, links: newLinks(cfg)}
	reg := prometheus.NewRegistry()
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "secondchance_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "secondchance_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	reg.MustRegister(s.requests, s.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(store.DB.DB, "secondchance"),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "secondchance_sql_statements_total", Help: "SQL statements sent to PostgreSQL.",
		}, func() float64 { return float64(store.Statements()) }))

	gql := resolvers.NewHandler(resolvers.Services{
		Sellers: store, Buyers: store, Orders: store, Marketplace: store, Tokens: store, Stores: store, Reports: store, Batches: store, Indicators: store, Snapshots: store, Adjustments: store, Returns: store, Intake: store, Matcher: store, Sales: store, Donations: store,
		Certificates: store, Links: s.links,
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", s.route("graphql", s.limitBody(s.timeout(s.authenticate(gql)))))
	mux.Handle("GET /{$}", s.route("playground", playground.Handler("Second Chance", "/graphql")))
	mux.Handle("GET /healthz", s.route("healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})))
	mux.Handle("GET /readyz", s.route("readyz", http.HandlerFunc(s.ready)))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /verify/{serial}", s.route("verify", http.HandlerFunc(s.verify)))
	mux.Handle("GET /verify", s.route("verify", http.HandlerFunc(s.verify)))
	mux.Handle("GET /files/certificates/{file}", s.route("certificate_pdf", http.HandlerFunc(s.certificatePDF)))
	mux.Handle("GET /files/labels/{file}", s.route("label_pdf", http.HandlerFunc(s.returnLabelPDF)))
	s.handler = requestID(withClient(mux))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// ListenAndServe serves on cfg.ListenAddr until ctx ends, then shuts down gracefully. ready, if
// not nil, receives the bound address once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", s.cfg.ListenAddr, err)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout + 10*time.Second,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	slog.Info("serving", "addr", ln.Addr().String(), "graphql", "/graphql")
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		slog.WarnContext(r.Context(), "not ready", "err", err)
		http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// route records metrics and an access log line for one route.
func (s *Server) route(name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		s.requests.WithLabelValues(name, strconv.Itoa(rec.status)).Inc()
		s.duration.WithLabelValues(name).Observe(d.Seconds())
		slog.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration_ms", float64(d.Microseconds())/1000, "bytes", rec.bytes)
	})
}

// limitBody refuses bodies over MAX_BODY_BYTES with a GraphQL error, before any parsing.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method == http.MethodPost {
			body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
			if err != nil {
				writeError(w, http.StatusBadRequest, "BAD_REQUEST", "could not read the request body")
				return
			}
			if int64(len(body)) > s.cfg.MaxBodyBytes {
				writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE",
					fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// timeout bounds every GraphQL request; statements still running at the deadline are
// cancelled by PostgreSQL and reported with code TIMEOUT.
func (s *Server) timeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

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
			writeError(w, http.StatusUnauthorized, sc.EUNAUTHENTICATED, "the Authorization header must be `Bearer <token>`")
			return
		}
		actor, err := s.db.Authenticate(r.Context(), strings.TrimSpace(secret))
		switch code := sc.ErrorCode(err); code {
		case "":
		case sc.EUNAUTHENTICATED:
			writeError(w, http.StatusUnauthorized, code, sc.ErrorMessage(err))
			return
		case sc.ETIMEOUT:
			writeError(w, http.StatusGatewayTimeout, code, sc.ErrorMessage(err))
			return
		default:
			slog.ErrorContext(r.Context(), "authenticating", "err", err)
			writeError(w, http.StatusInternalServerError, sc.EINTERNAL, "internal error")
			return
		}
		next.ServeHTTP(w, r.WithContext(sc.NewContextWithActor(r.Context(), actor)))
	})
}

// writeError answers with a GraphQL-shaped error body, so clients parse every failure alike.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
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

// Flush lets the playground and streamed responses flush through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

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

// logHandler adds the request ID of the context to every record.
type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(n string) slog.Handler { return logHandler{h.Handler.WithGroup(n)} }
