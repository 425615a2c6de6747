// Package apitest boots the real HTTP server on a database of its own for tests, with a token
// per role, and sends it GraphQL requests. Tests of the http package and of the command use it.
package apitest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/pdf"
)

// Bundle is one running server on its own database, with a token per role.
type Bundle struct {
	DB     *db.DB
	DBURL  string
	Server *httptest.Server
	// API is the server's handler, for tests of its shutdown.
	API *schttp.Server
	// Tokens: seller A (S1), seller B (S2), staff of SCS, admin.
	SellerA, SellerB, Staff, Admin string
	offset                         *atomic.Int64
}

// Advance moves the server's clock on by d.
func (b *Bundle) Advance(d time.Duration) { b.offset.Add(int64(d)) }

// Config is the server configuration tests use.
func Config() schttp.Config {
	return schttp.Config{ListenAddr: "127.0.0.1:0", RequestTimeout: 10 * time.Second, MaxBodyBytes: 1 << 20,
		ShutdownTimeout: 5 * time.Second, PublicURL: "https://secondchance.test",
		LinkSecret: []byte("test-link-secret-0123456789"), LinkTTL: time.Hour}
}

// Fonts are the certificate fonts, read once per test process.
var Fonts = sync.OnceValues(func() (*pdf.Fonts, error) { return pdf.LoadFonts(pdf.DebianFonts) })

// Prepare gives a test database what serving needs: the document renderer.
func Prepare(t testing.TB, d *db.DB) {
	t.Helper()
	fonts, err := Fonts()
	require.NoError(t, err)
	d.CertificateSetup = db.CertificateSetup{Renderer: pdf.NewRenderer(fonts), PublicURL: Config().PublicURL}
}

// NewServer is the real server over d with configuration cfg.
func NewServer(cfg schttp.Config, d *db.DB) *schttp.Server {
	return schttp.NewServer(cfg, d.Services(schttp.NewLinks(cfg)), schttp.WithSQLStats(d.DB.DB, d.Statements))
}

// New starts a server on a new database holding FixtureBatch(3, 2) and a token per role.
func New(t testing.TB) *Bundle {
	t.Helper()
	d, u := dbtest.NewWithURL(t)
	Prepare(t, d)
	b := &Bundle{DB: d, DBURL: u, offset: new(atomic.Int64)}
	// The server's clock runs with real time, and a test may move it on (Advance) to reach a
	// deadline without waiting for it.
	d.Now = func() time.Time { return time.Now().Add(time.Duration(b.offset.Load())) }
	s := NewServer(Config(), d)
	b.API = s
	b.Server = httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close() // websockets and the lot events listener, before the database goes
		b.Server.Close()
	})
	ctx := sc.NewSystemContext(context.Background())
	_, err := d.Ingest(ctx, FixtureBatch(3, 2))
	require.NoError(t, err)
	mk := func(in sc.TokenInput) string {
		_, secret, err := d.CreateToken(ctx, in)
		require.NoError(t, err)
		return secret
	}
	b.SellerA = mk(sc.TokenInput{Role: sc.RoleSeller, SellerNumber: "S1"})
	b.SellerB = mk(sc.TokenInput{Role: sc.RoleSeller, SellerNumber: "S2"})
	b.Staff = mk(sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	b.Admin = mk(sc.TokenInput{Role: sc.RoleAdmin})
	return b
}

// FixtureBatch: seller S1 sells nA orders to buyer B1; seller S2 sells nB orders to B1 and B2.
// So B2 is a buyer seller A has never seen.
func FixtureBatch(nA, nB int) sc.MarketplaceBatch {
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

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a decoded GraphQL response with its HTTP status.
type Response struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []Error        `json:"errors"`
}

// Codes lists the extensions.code of every error, in order.
func (r Response) Codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// Post sends a raw GraphQL request body with token (none when empty).
func (b *Bundle) Post(t testing.TB, token string, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.Server.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return Do(t, req)
}

// Do sends a request made by hand (another method, content type or body) and decodes its
// GraphQL-shaped answer.
func Do(t testing.TB, req *http.Request) Response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out Response
	require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	out.Status = res.StatusCode
	return out
}

// Query sends a query with its variables.
func (b *Bundle) Query(t testing.TB, token, query string, vars map[string]any) Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	return b.Post(t, token, body)
}

// Get walks a decoded JSON value by keys and indexes, e.g. Get(data, "orders", "edges", 0).
func Get(v any, path ...any) any {
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

// WaitFor polls cond until it holds, failing the test only when the test's own deadline is
// near: a busy machine makes events late, never absent, so no wait has a short fixed bound.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			deadline = dl.Add(-30 * time.Second)
		}
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s: the test's deadline is near", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForJob waits until the River job id has finished (completed, discarded or cancelled), so
// that a test can then check what it did, or that it did nothing.
func WaitForJob(t testing.TB, d *db.DB, id int64) {
	t.Helper()
	WaitFor(t, fmt.Sprintf("job %d to finish", id), func() bool {
		var state string
		err := d.Get(&state, `SELECT state FROM river_job WHERE id = $1`, id)
		return err == nil && (state == "completed" || state == "discarded" || state == "cancelled")
	})
}

// PDFText is a PDF's text as pdftotext -layout reads it (make test installs poppler-utils).
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	require.NoError(t, err, "pdftotext (make test installs poppler-utils)")
	return string(out)
}

// DecodeBase64Lines decodes a base64 MIME body, wrapped in lines.
func DecodeBase64Lines(raw []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
}
