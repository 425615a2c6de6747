package http

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/resolvers"
)

// Config is what the HTTP edge needs of the program's configuration.
type Config struct {
	ListenAddr      string
	RequestTimeout  time.Duration
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	// PublicURL, LinkSecret and LinkTTL make and check the signed download links.
	PublicURL  string
	LinkSecret []byte
	LinkTTL    time.Duration
}

// Server is the HTTP server: GraphQL at /graphql, a playground at /, the verification page,
// signed files, health, readiness and Prometheus metrics.
type Server struct {
	cfg      Config
	services sc.Services
	signer   *sc.LinkSigner
	handler  http.Handler
	metrics  *metrics
}

// Option adds an optional part to a server.
type Option func(*Server, *prometheus.Registry)

// WithSQLStats exports the connection pool's statistics and the count of statements sent.
func WithSQLStats(db *sql.DB, statements func() int64) Option {
	return func(_ *Server, reg *prometheus.Registry) {
		reg.MustRegister(collectors.NewDBStatsCollector(db, "secondchance"),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "secondchance_sql_statements_total", Help: "SQL statements sent to PostgreSQL.",
			}, func() float64 { return float64(statements()) }))
	}
}

// NewServer builds the handler tree over the services. services.Links should be NewLinks of
// the same configuration, so the links handed out are the ones the file routes accept.
func NewServer(cfg Config, services sc.Services, opts ...Option) *Server {
	s := &Server{cfg: cfg, services: services, signer: newSigner(cfg)}
	reg := prometheus.NewRegistry()
	s.metrics = newMetrics(reg)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range opts {
		o(s, reg)
	}

	gql := resolvers.NewHandler(services)
	mux := http.NewServeMux()
	mux.Handle("/graphql", s.route("graphql", s.limitBody(s.timeout(s.authenticate(gql)))))
	mux.Handle("GET /{$}", s.route("playground", PlaygroundHandler("Second Chance", "/graphql")))
	mux.Handle("GET "+PlaygroundAssetsPath, s.route("assets", PlaygroundAssets()))
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

// ListenAndServe serves on the configured address until ctx ends, then shuts down gracefully,
// waiting up to ShutdownTimeout for requests in flight. ready, if not nil, receives the bound
// address once the listener is open.
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
	if err := s.services.Health.PingContext(ctx); err != nil {
		slog.WarnContext(r.Context(), "not ready", "err", err)
		http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}
