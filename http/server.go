package http

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"strings"
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
	// MetricsAddr is where /metrics is served, apart from the API; empty serves it nowhere.
	// MetricsToken, when set, is the bearer token a scraper must send there.
	MetricsAddr  string
	MetricsToken string
	// MetricsPprof serves Go's profiles under /debug/pprof/ on MetricsAddr too, behind the
	// same token: for profiling the real server, never on the API's listener.
	MetricsPprof bool
	// CORSOrigins are the exact origins (https://shop.example) whose browser pages may call
	// /graphql; none by default.
	CORSOrigins []string
	// NoPlans sends every query through gqlgen's executor (resolvers.HandlerOptions.NoPlans).
	NoPlans bool
}

// Server is the HTTP server: GraphQL at /graphql, a playground at /, the verification page,
// signed files, health and readiness; and Prometheus metrics on a listener of their own.
type Server struct {
	cfg      Config
	services sc.Services
	signer   *sc.LinkSigner
	handler  http.Handler
	metrics  *metrics
	// metricsHandler serves /metrics on MetricsAddr: the metrics name routes, pool sizes and
	// statement counts, nothing an anonymous client of the API should read.
	metricsHandler http.Handler
	// portal serves the charity staff's pages under /portal/, when a portal is wired.
	portal http.Handler
	// live is the context of websocket connections: shutting down cancels it, which closes
	// them (http.Server.Shutdown does not wait for hijacked connections).
	live     context.Context
	stopLive context.CancelFunc
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

// WithPortal mounts the staff portal's pages under /portal/ (the portal package's handler),
// behind the same request IDs, access log, metrics and security headers as the API.
func WithPortal(h http.Handler) Option {
	return func(s *Server, _ *prometheus.Registry) { s.portal = h }
}

// NewServer builds the handler tree over the services. services.Links should be NewLinks of
// the same configuration, so the links handed out are the ones the file routes accept.
func NewServer(cfg Config, services sc.Services, opts ...Option) *Server {
	s := &Server{cfg: cfg, services: services, signer: newSigner(cfg)}
	s.live, s.stopLive = context.WithCancel(context.Background())
	reg := prometheus.NewRegistry()
	s.metrics = newMetrics(reg)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range opts {
		o(s, reg)
	}

	gql := resolvers.NewHandler(services, resolvers.HandlerOptions{Origins: originHosts(cfg.CORSOrigins), NoPlans: cfg.NoPlans,
		Executed: func(outcome string) { s.metrics.executions.WithLabelValues(outcome).Inc() }})
	mux := http.NewServeMux()
	mux.Handle("/graphql", s.route("graphql", s.cors(upgrades(s.websocket(s.authenticate(gql)),
		s.timeout(s.limitBody(s.authenticate(s.gateAnonymous(gql))))))))
	mux.Handle("GET /{$}", s.route("playground", PlaygroundHandler("Second Chance", "/graphql")))
	mux.Handle("GET "+PlaygroundAssetsPath, s.route("assets", PlaygroundAssets()))
	mux.Handle("GET /healthz", s.route("healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})))
	mux.Handle("GET /readyz", s.route("readyz", http.HandlerFunc(s.ready)))
	mux.Handle("GET /verify/{serial}", s.route("verify", http.HandlerFunc(s.verify)))
	mux.Handle("GET /verify", s.route("verify", http.HandlerFunc(s.verify)))
	mux.Handle("GET /files/certificates/{file}", s.route("certificate_pdf", http.HandlerFunc(s.certificatePDF)))
	mux.Handle("GET /files/labels/{file}", s.route("label_pdf", http.HandlerFunc(s.returnLabelPDF)))
	mux.Handle("GET /files/receipts/{file}", s.route("receipt_pdf", http.HandlerFunc(s.lotReceiptPDF)))
	if s.portal != nil {
		mux.Handle("/portal/", s.route("portal", s.portal))
	}
	s.handler = securityHeaders(requestID(withClient(mux)))
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", s.metricsAuth(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	if cfg.MetricsPprof {
		metricsMux.Handle("GET /debug/pprof/", s.metricsAuth(http.HandlerFunc(pprof.Index)))
		for name, h := range map[string]http.HandlerFunc{"cmdline": pprof.Cmdline, "profile": pprof.Profile, "symbol": pprof.Symbol, "trace": pprof.Trace} {
			metricsMux.Handle("GET /debug/pprof/"+name, s.metricsAuth(h))
		}
	}
	s.metricsHandler = securityHeaders(metricsMux)
	return s
}

// MetricsHandler serves /metrics as the metrics listener does (behind MetricsToken when set).
func (s *Server) MetricsHandler() http.Handler { return s.metricsHandler }

// metricsAuth requires the bearer MetricsToken, when one is set.
func (s *Server) metricsAuth(next http.Handler) http.Handler {
	if s.cfg.MetricsToken == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "send Authorization: Bearer <METRICS_TOKEN>\n", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Addrs are the addresses a server listens on, once it does; Metrics is empty when metrics
// are not served.
type Addrs struct{ API, Metrics string }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// ListenAndServe serves the API on ListenAddr, and metrics on MetricsAddr when set, until ctx
// ends, then shuts down gracefully, waiting up to ShutdownTimeout for requests in flight. ready,
// if not nil, receives the bound addresses once the listeners are open.
func (s *Server) ListenAndServe(ctx context.Context, ready func(Addrs)) error {
	ln, err := net.Listen("tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", s.cfg.ListenAddr, err)
	}
	servers := []*http.Server{s.httpServer(ctx, s)}
	listeners := []net.Listener{ln}
	addrs := Addrs{API: ln.Addr().String()}
	if s.cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", s.cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("METRICS_ADDR %s: %w", s.cfg.MetricsAddr, err)
		}
		servers = append(servers, s.httpServer(ctx, s.metricsHandler))
		listeners = append(listeners, mln)
		addrs.Metrics = mln.Addr().String()
	}
	slog.Info("serving", "addr", addrs.API, "graphql", "/graphql", "metrics", addrs.Metrics)
	if ready != nil {
		ready(addrs)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() {
			if err := srv.Serve(listeners[i]); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	slog.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.Close()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil && serveErr == nil {
			serveErr = fmt.Errorf("graceful shutdown: %w", err)
		}
	}
	return serveErr
}

// httpServer is an http.Server for h whose timeouts hold every request, from its first byte
// to its last, near the request timeout.
func (s *Server) httpServer(ctx context.Context, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout + 10*time.Second,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// Close ends the live connections: every subscription completes and its websocket closes, and
// the portal's event streams end.
func (s *Server) Close() {
	s.stopLive()
	if c, ok := s.portal.(io.Closer); ok {
		c.Close() // the portal's event streams
	}
	if c, ok := s.services.Watcher.(io.Closer); ok {
		c.Close()
	}
}

// upgrades sends websocket upgrade requests to ws and the others to next.
func upgrades(ws, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			ws.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// websocket lets a connection outlive the request timeouts: it clears the deadlines the
// http.Server set on the connection (they stay after a hijack) and runs in the server's live
// context instead of the request's. Keepalive pings find dead peers.
func (s *Server) websocket(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Time{})
		rc.SetWriteDeadline(time.Time{})
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.live, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// originHosts are the hosts of the CORS origins, as the websocket origin check takes them.
func originHosts(origins []string) []string {
	var out []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
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
