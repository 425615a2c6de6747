package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/pdf"
)

// testBundle is one running server on its own database, with a token per role.
type testBundle struct {
	db     *db.DB
	dbURL  string
	server *httptest.Server
	// tokens: seller A (S1), seller B (S2), staff, admin
	sellerA, sellerB, staff, admin string
}

func testConfig(dbURL string) Config {
	return Config{DatabaseURL: dbURL, ListenAddr: "127.0.0.1:0", RequestTimeout: 10 * time.Second,
		MaxBodyBytes: 1 << 20, ShutdownTimeout: 5 * time.Second, ReportingWindow: 180 * 24 * time.Hour, RMAExpiry: 30 * 24 * time.Hour,
		MailURL: "file://tmp/mail", MailFrom: "Second Chance <no-reply@secondchance.example>",
		PublicURL: "https://secondchance.test", LinkSecret: []byte("test-link-secret-0123456789"), LinkTTL: time.Hour}
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	d, u := dbtest.NewWithURL(t)
	fonts, err := loadFonts()
	require.NoError(t, err)
	d.CertificateSetup = db.CertificateSetup{Renderer: pdf.NewRenderer(fonts), PublicURL: testConfig(u).PublicURL}
	tb := &testBundle{db: d, dbURL: u}
	tb.server = httptest.NewServer(NewServer(testConfig(u), d))
	t.Cleanup(tb.server.Close)
	ctx := sc.NewSystemContext(context.Background())
	_, err = d.Ingest(ctx, fixtureBatch(3, 2))
	require.NoError(t, err)
	mk := func(in sc.TokenInput) string {
		_, secret, err := d.CreateToken(ctx, in)
		require.NoError(t, err)
		return secret
	}
	tb.sellerA = mk(sc.TokenInput{Role: sc.RoleSeller, SellerNumber: "S1"})
	tb.sellerB = mk(sc.TokenInput{Role: sc.RoleSeller, SellerNumber: "S2"})
	tb.staff = mk(sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	tb.admin = mk(sc.TokenInput{Role: sc.RoleAdmin})
	return tb
}

// fixtureBatch: seller S1 sells nA orders to buyer B1; seller S2 sells nB orders to B1 and B2.
// So B2 is a buyer seller A has never seen.
func fixtureBatch(nA, nB int) sc.MarketplaceBatch {
	// Recent, so that every fixture order is within the reporting window whatever the date.
	placed := time.Now().UTC().Truncate(24 * time.Hour).Add(-60 * 24 * time.Hour)
	b := sc.MarketplaceBatch{
		Sellers: []sc.SellerInput{{Number: "S1", Name: "Acme Goods"}, {Number: "S2", Name: "Bolt Outlet"}},
		Buyers:  []sc.BuyerInput{{Number: "B1", Handle: "alice"}, {Number: "B2", Handle: "bob"}},
	}
	add := func(seller, buyer string, i int) {
		o := sc.OrderInput{Number: fmt.Sprintf("%s-%d", seller, i), SellerNumber: seller, BuyerNumber: buyer,
			PlacedAt: placed.Add(time.Duration(len(b.Orders)) * time.Minute), Total: sc.MoneyInput{Amount: "10.50", Currency: "USD"}}
		o.Feedback = &sc.FeedbackInput{Rating: 1 + i%5, LeftAt: o.PlacedAt.Add(time.Hour)}
		o.Disputes = []sc.DisputeInput{{Number: "D" + o.Number, Reason: sc.DisputeNotReceived, OpenedAt: o.PlacedAt.Add(time.Hour)}}
		b.Orders = append(b.Orders, o)
	}
	for i := 0; i < nA; i++ {
		add("S1", "B1", i)
	}
	for i := 0; i < nB; i++ {
		add("S2", []string{"B1", "B2"}[i%2], i)
	}
	return b
}

// TestMain keeps the access log out of test output; failures are shown by assertions.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
}

// codes lists the extensions.code of every error, in order.
func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

func (tb *testBundle) post(t testing.TB, token string, body []byte) gqlResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tb.server.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out gqlResponse
	require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	out.Status = res.StatusCode
	return out
}

func (tb *testBundle) query(t testing.TB, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	return tb.post(t, token, body)
}

// get walks a decoded JSON value by keys and indexes, e.g. get(data, "orders", "edges", 0).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
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
	defer admin.Close()
	name := fmt.Sprintf("sctest_empty_%d", time.Now().UnixNano())
	_, err = admin.Exec(`CREATE DATABASE ` + name)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
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
	select {
	case code := <-done:
		require.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
