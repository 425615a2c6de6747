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
	"github.com/secondchance/secondchance/http/apitest"
)

// The server and its GraphQL client come from apitest, shared with the http package's tests.
type (
	testBundle  = apitest.Bundle
	gqlResponse = apitest.Response
)

var (
	get          = apitest.Get
	fixtureBatch = apitest.FixtureBatch
	pdfText      = apitest.PDFText

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
	t.Cleanup(func() {
		defer admin.Close()
		_, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		require.NoError(t, err)
	})
	env := map[string]string{"DATABASE_URL": dbtest.WithDatabase(dbtest.URL(t), name), "LISTEN_ADDR": "127.0.0.1:0"}

	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	require.Equal(t, exitError, m.Run(context.Background(), []string{"serve"}))
	require.Contains(t, stderr.String(), "secondchance migrate")

	env["AUTO_MIGRATE"] = "true"
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	m = &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }, Ready: func(a string) { addr <- a }}
	done := make(chan int)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	base := "http://" + <-addr
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/"} {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.NotEmpty(t, res.Header.Get("X-Request-Id"))
		if path == "/metrics" {
			require.Contains(t, string(body), "secondchance_sql_statements_total")
			require.Contains(t, string(body), `secondchance_http_requests_total{code="200",route="healthz"} 1`)
		}
	}
	cancel() // as SIGTERM does
	require.Equal(t, exitOK, <-done, "serve shuts down (a hang fails at the test's deadline)")
}
