package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db/dbtest"
)

// syncBuffer is a buffer safe for concurrent writes. Main.Run installs a logger writing to its
// Stderr as the process's default, so while one test runs Main, servers of parallel tests may
// log into that test's buffer too.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// run runs the binary's Main against dbURL and returns exit code, stdout and stderr.
func run(t *testing.T, dbURL string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "LOG_LEVEL": "error"}[k]
	}}
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	code, out, errOut := run(t, tb.DBURL, "token", "create", "--role", "SELLER", "--seller", "S1", "--label", "frontend")
	require.Equal(t, exitOK, code, errOut)
	secret := strings.TrimSpace(out)
	require.Regexp(t, `^sc_[a-z2-7]{32}$`, secret, "stdout holds the token alone")
	res := tb.Query(t, secret, `{ me { role seller { number } } }`, nil)
	require.Equal(t, "S1", get(res.Data, "me", "seller", "number"))

	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"ErrUnknownSeller", []string{"token", "create", "--role", "SELLER", "--seller", "S404"}, exitError, "S404"},
		{"ErrSellerWithoutNumber", []string{"token", "create", "--role", "SELLER"}, exitError, "seller"},
		{"ErrStoreOnAdmin", []string{"token", "create", "--role", "ADMIN", "--store", "SCS"}, exitError, "store"},
		{"ErrUnknownRole", []string{"token", "create", "--role", "ROOT"}, exitError, "role"},
		{"ErrUnknownStore", []string{"token", "create", "--role", "STAFF", "--store", "NOPE"}, exitError, "NOPE"},
		{"ErrRevokeWhat", []string{"token", "revoke"}, exitUsage, "one token ID"},
		{"ErrRevokeUnknown", []string{"token", "revoke", "99999"}, exitError, "NOT_FOUND"},
		{"ErrUnknownSubcommand", []string{"token", "mint"}, exitUsage, "mint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tb.DBURL, tc.args...)
			require.Equal(t, tc.code, code)
			require.Empty(t, out)
			require.Contains(t, errOut, tc.msg)
		})
	}

	code, out, _ = run(t, tb.DBURL, "token", "list")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "frontend")
	id := strings.Fields(strings.Split(out, "\n")[1])[0] // newest first
	code, out, errOut = run(t, tb.DBURL, "token", "revoke", id)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "revoked token "+id)
	res = tb.Query(t, secret, `{ me { role } }`, nil)
	require.Equal(t, []string{"UNAUTHENTICATED"}, res.Codes())
}

func TestHelpAndUnknownCommand(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "postgres://x@localhost/x", "help")
	require.Equal(t, exitOK, code)
	for _, s := range []string{"serve", "migrate", "seed", "import", "token create", "DATABASE_URL", "LISTEN_ADDR"} {
		require.Contains(t, out, s)
	}
	code, _, errOut := run(t, "postgres://x@localhost/x", "fly")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, `unknown command "fly"`)
}

// checksum digests every marketplace row, so two data sets can be compared exactly.
const checksum = `SELECT md5(
	(SELECT string_agg(concat_ws('|', id, number, name, legal_name, email, country, created_at), ',' ORDER BY id) FROM sellers) ||
	(SELECT string_agg(concat_ws('|', id, number, handle, status, created_at), ',' ORDER BY id) FROM buyers) ||
	(SELECT string_agg(concat_ws('|', id, number, seller_id, buyer_id, placed_at, shipped_at, delivered_at, cancelled_at, cancellation_reason, total_cents), ',' ORDER BY id) FROM orders) ||
	(SELECT coalesce(string_agg(concat_ws('|', order_id, rating, left_at), ',' ORDER BY order_id), '') FROM feedback) ||
	(SELECT coalesce(string_agg(concat_ws('|', id, number, order_id, reason, opened_at, closed_at), ',' ORDER BY id), '') FROM disputes) ||
	(SELECT coalesce(string_agg(concat_ws('|', id, number, order_id, reason, requested_at), ',' ORDER BY id), '') FROM return_claims) ||
	(SELECT coalesce(string_agg(concat_ws('|', id, seller_id, order_id, buyer_id, reason, evidence, created_at), ',' ORDER BY id), '') FROM reports))`

func TestSeedIsDeterministicAndResumes(t *testing.T) {
	t.Parallel()
	args := []string{"seed", "--sellers", "50", "--buyers", "400", "--orders", "5000", "--reports", "300", "--seed", "7", "--until", "2026-11-01"}
	d1, u1 := dbtest.NewWithURL(t)
	d2, u2 := dbtest.NewWithURL(t)
	code, out, errOut := run(t, u1, args...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "seeded 50 sellers, 400 buyers, 5000 orders")
	require.Regexp(t, `\n(2[5-9]\d|3[0-4]\d) reports are pending`, out)
	require.Contains(t, errOut, "orders", "progress is shown")

	// An interrupted run: every table up to disputes committed, the last one missing.
	code, _, errOut = run(t, u2, args...)
	require.Equal(t, exitOK, code, errOut)
	_, err := d2.Exec(`DELETE FROM return_claims`)
	require.NoError(t, err)
	code, _, errOut = run(t, u2, args...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, errOut, "already loaded")

	var sum1, sum2 string
	require.NoError(t, d1.Get(&sum1, checksum))
	require.NoError(t, d2.Get(&sum2, checksum))
	require.Equal(t, sum1, sum2)
	var n int
	require.NoError(t, d1.Get(&n, `SELECT count(*) FROM return_claims`))
	require.Positive(t, n)

	// Another seed is another data set; the IDs continue after seeded rows.
	d3, u3 := dbtest.NewWithURL(t)
	args[len(args)-3] = "8"
	code, _, errOut = run(t, u3, args...)
	require.Equal(t, exitOK, code, errOut)
	var sum3 string
	require.NoError(t, d3.Get(&sum3, checksum))
	require.NotEqual(t, sum1, sum3)
	_, err = d3.Exec(`INSERT INTO sellers (number, name) VALUES ('NEW', 'New')`)
	require.NoError(t, err)

	code, _, errOut = run(t, u1, "seed", "--sellers", "0")
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "sellers must be between")
}

func TestSeedDemoPrintsTokensOnce(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	for i := 0; i < 2; i++ { // the second run keeps the data and prints the same tokens
		code, out, errOut := run(t, u, "seed", "--demo")
		require.Equal(t, exitOK, code, errOut)
		for _, tok := range demoTokens {
			require.Contains(t, out, tok.Secret)
		}
		if i == 0 {
			require.Contains(t, out, fmt.Sprintf("with certificate SCS-%d-000001", time.Now().UTC().Year()))
		}
	}
	var n int
	require.NoError(t, d.Get(&n, `SELECT count(*) FROM certificates`))
	require.Equal(t, 1, n, "the demo store's certificate, once")
}

// TestCertificateCommands runs the certificate job from the command line: for a period with
// nothing settled, for today, again (nothing more), and the annual summaries.
func TestCertificateCommands(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	code, _, errOut := run(t, u, "seed", "--demo")
	require.Equal(t, exitOK, code, errOut)
	year := time.Now().UTC().Year()

	code, _, errOut = run(t, u, "certificates", "issue", "--from", "2020-01-01", "--to", "2020-02-01")
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "NOTHING_SETTLED")
	code, _, errOut = run(t, u, "certificates", "issue", "--from", "yesterday")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "--from")
	code, out, errOut := run(t, u, "certificates", "issue")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "every settled item already has its certificate", "seed --demo issued it")

	// A settlement the job has not seen yet.
	_, err := d.Exec(`UPDATE item_proceeds SET certificate_id = NULL`) // as if issued by nobody
	require.NoError(t, err)
	code, out, errOut = run(t, u, "certificates", "issue", "--store", "SCS")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "issued 1 certificates for 2 items in")
	require.Contains(t, out, fmt.Sprintf("SCS-%d-000002", year))
	require.Contains(t, errOut, "certificates: 1/1 stored")

	code, out, errOut = run(t, u, "certificates", "annual", "--year", fmt.Sprint(year))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "issued 1 certificates for 2 items")
	code, out, errOut = run(t, u, "certificates", "annual", "--year", fmt.Sprint(year))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, fmt.Sprintf("every seller has its annual summary of %d; nothing issued", year))
	code, _, errOut = run(t, u, "certificates", "annual", "--year", "1999")
	require.Equal(t, exitError, code, errOut)
	require.Contains(t, errOut, "taxYear")
}
