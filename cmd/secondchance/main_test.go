package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/http/apitest"
)

// The server and its GraphQL client come from apitest, shared with the http package's tests.
type testBundle = apitest.Bundle

var (
	get     = apitest.Get
	pdfText = apitest.PDFText

	decodeBase64Lines = apitest.DecodeBase64Lines
)

func setup(t testing.TB) *testBundle { return apitest.New(t) }

// TestMain keeps the access log out of test output; failures are shown by assertions.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "mysql://x", "LISTEN_ADDR": "8080", "REQUEST_TIMEOUT": "soon", "LOG_LEVEL": "loud", "AUTO_MIGRATE": "maybe"}
	_, err := LoadConfig(func(k string) string { return env[k] })
	require.Error(t, err)
	for _, name := range []string{"DATABASE_URL", "LISTEN_ADDR", "REQUEST_TIMEOUT", "LOG_LEVEL", "AUTO_MIGRATE"} {
		require.Contains(t, err.Error(), name+": ")
	}
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	require.Equal(t, exitUsage, m.Run(context.Background(), []string{"serve"}))
	require.Contains(t, stderr.String(), "DATABASE_URL")

	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://u:p@localhost/db"}[k]
	})
	require.NoError(t, err)
	require.Equal(t, ":8080", cfg.ListenAddr)
	require.Empty(t, cfg.MetricsAddr, "metrics are served only where an operator says")
	require.Empty(t, cfg.CORSOrigins)
}

func TestConfigMetricsAndCORS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		bad  string // the variable named in the error; empty: valid
	}{
		{"OK metrics with token", map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_TOKEN": "0123456789abcdef"}, ""},
		{"OK origins", map[string]string{"CORS_ORIGINS": "https://Shop.example, http://localhost:3000/"}, ""},
		{"ErrMetricsAddrNotHostPort", map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR"},
		{"ErrMetricsAddrIsListenAddr", map[string]string{"METRICS_ADDR": ":8080"}, "METRICS_ADDR"},
		{"ErrTokenWithoutAddr", map[string]string{"METRICS_TOKEN": "0123456789abcdef"}, "METRICS_TOKEN"},
		{"ErrShortToken", map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_TOKEN": "short"}, "METRICS_TOKEN"},
		{"OK profiles on the metrics listener", map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_PPROF": "true"}, ""},
		{"ErrProfilesWithoutMetricsAddr", map[string]string{"METRICS_PPROF": "true"}, "METRICS_PPROF"},
		{"ErrProfilesNotABool", map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_PPROF": "sometimes"}, "METRICS_PPROF"},
		{"OK without plans", map[string]string{"GRAPHQL_PLANS": "false"}, ""},
		{"ErrPlansNotABool", map[string]string{"GRAPHQL_PLANS": "maybe"}, "GRAPHQL_PLANS"},
		{"ErrWildcardOrigin", map[string]string{"CORS_ORIGINS": "*"}, "CORS_ORIGINS"},
		{"ErrOriginWithPath", map[string]string{"CORS_ORIGINS": "https://shop.example/app"}, "CORS_ORIGINS"},
		{"ErrOriginWithoutScheme", map[string]string{"CORS_ORIGINS": "shop.example"}, "CORS_ORIGINS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["DATABASE_URL"] = "postgres://u:p@localhost/db"
			cfg, err := LoadConfig(func(k string) string { return tc.env[k] })
			if tc.bad != "" {
				require.ErrorContains(t, err, tc.bad+": ")
				return
			}
			require.NoError(t, err)
			if tc.env["CORS_ORIGINS"] != "" {
				require.Equal(t, []string{"https://shop.example", "http://localhost:3000"}, cfg.CORSOrigins)
			}
		})
	}
}

func TestServeRefusesOutdatedSchemaThenServesAndShutsDown(t *testing.T) {
	t.Parallel()
	admin, err := db.Open(context.Background(), dbtest.URL(t))
	require.NoError(t, err)
	name := fmt.Sprintf("sctest_empty_%d", time.Now().UnixNano())
	_, err = admin.Exec(`CREATE DATABASE ` + name)
	require.NoError(t, err)
	// The drop needs the admin connection, so it is closed only after it (a deferred Close
	// would run before the cleanup and leave the database behind).
	// Best effort, as dbtest drops its databases: an autovacuum worker on the new database
	// cannot be terminated by a role that is not a superuser.
	t.Cleanup(func() {
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	env := map[string]string{"DATABASE_URL": dbtest.WithDatabase(dbtest.URL(t), name), "LISTEN_ADDR": "127.0.0.1:0"}

	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	require.Equal(t, exitError, m.Run(context.Background(), []string{"serve"}))
	require.Contains(t, stderr.String(), "secondchance migrate")

	env["AUTO_MIGRATE"] = "true"
	env["METRICS_ADDR"] = "127.0.0.1:0"
	env["METRICS_TOKEN"] = "scrape-0123456789abcdef"
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan schttp.Addrs, 1)
	m = &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }, Ready: func(a schttp.Addrs) { addrs <- a }}
	done := make(chan int)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	listening := <-addrs
	base := "http://" + listening.API
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.NotEmpty(t, res.Header.Get("X-Request-Id"))
	}
	// Metrics are not on the API's address, only on their own, behind their token.
	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	require.NotEmpty(t, listening.Metrics)
	res, err = http.Get("http://" + listening.Metrics + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	req, err := http.NewRequest(http.MethodGet, "http://"+listening.Metrics+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+env["METRICS_TOKEN"])
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(body), "secondchance_sql_statements_total")
	require.Contains(t, string(body), `secondchance_http_requests_total{code="200",route="healthz"} 1`)
	cancel() // as SIGTERM does
	require.Equal(t, exitOK, <-done, "serve shuts down (a hang fails at the test's deadline)")
}
