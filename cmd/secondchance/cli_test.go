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

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/demo"
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
	return runMain(t, &Main{}, dbURL, args...)
}

// runAt runs Main with its services' clock at now.
func runAt(t *testing.T, now time.Time, dbURL string, args ...string) (int, string, string) {
	t.Helper()
	return runMain(t, &Main{Now: func() time.Time { return now }}, dbURL, args...)
}

// runMain runs m against dbURL (none when empty), with buffers for stdout and stderr unless m
// has its own stderr.
func runMain(t *testing.T, m *Main, dbURL string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	m.Stdout = &out
	if m.Stderr == nil {
		m.Stderr = &errOut
	}
	m.Getenv = func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "LOG_LEVEL": "error"}[k]
	}
	code := m.Run(context.Background(), args)
	if sb, ok := m.Stderr.(interface{ String() string }); ok {
		return code, out.String(), sb.String()
	}
	return code, out.String(), ""
}

// terminal is a stderr that says it is a terminal, as an *os.File on a tty would.
type terminal struct{ syncBuffer }

func (*terminal) IsTerminal() bool { return true }

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

	// The list names whom each token acts for as operators know them, and the ID revoke takes.
	code, out, errOut = run(t, tb.DBURL, "token", "list")
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 6, "a header and the five tokens")
	requireColumns(t, lines)
	require.Equal(t, []string{"ID", "ROLE", "FOR", "LABEL", "CREATED", "LAST", "USED", "REVOKED"}, strings.Fields(lines[0]))
	newest := strings.Fields(lines[1])
	id := newest[0]
	require.Equal(t, []string{"SELLER", "seller", "S1", "frontend"}, newest[1:5])
	require.NotEqual(t, "-", newest[6], "used once, by the query above")
	require.Equal(t, "-", newest[7], "not revoked")
	_, err := sc.ParseGlobalIDOf(id, sc.KindToken, "id")
	require.NoError(t, err, "the global ID")
	require.Equal(t, []string{"ADMIN", "-", "-"}, strings.Fields(lines[2])[1:4], "setup's admin token: no scope, no label")
	require.Equal(t, []string{"STAFF", "store", "SCS"}, strings.Fields(lines[3])[1:4])
	require.Equal(t, []string{"SELLER", "seller", "S2"}, strings.Fields(lines[4])[1:4])

	code, out, errOut = run(t, tb.DBURL, "token", "revoke", id)
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, "revoked token "+id+" (SELLER, seller S1)\n", out)
	res = tb.Query(t, secret, `{ me { role } }`, nil)
	require.Equal(t, []string{"UNAUTHENTICATED"}, res.Codes())
	code, out, _ = run(t, tb.DBURL, "token", "list")
	require.Equal(t, exitOK, code)
	require.NotEqual(t, "-", strings.Fields(strings.Split(out, "\n")[1])[7], "revoked, and when")
}

// requireColumns checks that lines form aligned columns: every column of the header starts
// where the rows' start.
func requireColumns(t *testing.T, lines []string) {
	t.Helper()
	var starts []int
	for i, r := range lines[0] {
		if r != ' ' && (i == 0 || lines[0][i-1] == ' ' && lines[0][i-2] == ' ') {
			starts = append(starts, i)
		}
	}
	require.Len(t, starts, 7)
	for _, l := range lines[1:] {
		for _, c := range starts[1:] {
			require.Greater(t, len(l), c, l)
			require.Equal(t, "  ", l[c-2:c], "column at %d of %q", c, l)
			require.NotEqual(t, ' ', l[c], "column at %d of %q", c, l)
		}
	}
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

// block returns the lines of out after the line title, up to the next empty line.
func block(t *testing.T, out, title string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "\n"+title+"\n")
	require.True(t, ok, "no %q in\n%s", title, out)
	rest, _, _ = strings.Cut(rest, "\n\n")
	return strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
}

// TestHelpIsAligned: in the help's tables every description starts at one column, the
// commands' on the command's own line, and no command is missing.
func TestHelpIsAligned(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "--help")
	require.Equal(t, exitOK, code)
	lines := block(t, out, "Commands:")
	require.Len(t, lines, len(commands))
	col := strings.Index(lines[0], commands[0].summary)
	require.Greater(t, col, len("  serve"))
	for i, c := range commands {
		require.True(t, strings.HasPrefix(lines[i], "  "+c.name), lines[i])
		require.Equal(t, col, strings.Index(lines[i], c.summary), "%q: its description starts at column %d", lines[i], col)
		require.Equal(t, "  ", lines[i][col-2:col])
	}

	lines = block(t, out, "Configuration (environment variables):")
	col = strings.Index(lines[0], configVars[0].doc[:10])
	seen := 0
	for _, l := range lines {
		require.Equal(t, "  ", l[col-2:col], "%q: descriptions start at column %d", l, col)
		require.NotEqual(t, ' ', l[col], l)
		if strings.TrimSpace(l[:col]) != "" {
			require.Equal(t, "  "+configVars[seen].name, strings.TrimRight(l[:col], " "))
			seen++
		}
	}
	require.Equal(t, len(configVars), seen)
}

// TestCommandHelp: every command and subcommand answers -h, --help and help with its usage on
// stdout and exit 0, before and without any configuration; a wrong flag or argument is exit
// 2 with the usage on stderr.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		usage string   // how the usage starts
		shows []string // flags and more it lists
	}{
		{"Token", []string{"token", "-h"}, "Usage: secondchance token COMMAND", []string{"create", "list", "revoke"}},
		{"TokenHelpWord", []string{"token", "help"}, "Usage: secondchance token COMMAND", []string{"create"}},
		{"TokenCreate", []string{"token", "create", "--help"}, "Usage: secondchance token create [flags]", []string{"--role role", "--seller number", "--store code", "--label note"}},
		{"TokenCreateHelpWord", []string{"token", "create", "help"}, "Usage: secondchance token create", []string{"--role"}},
		{"TokenList", []string{"token", "list", "-h"}, "Usage: secondchance token list\n", []string{"DATABASE_URL"}},
		{"TokenRevoke", []string{"token", "revoke", "-h"}, "Usage: secondchance token revoke ID", nil},
		{"Batch", []string{"batch", "--help"}, "Usage: secondchance batch COMMAND", []string{"run", "clean-up"}},
		{"BatchRun", []string{"batch", "run", "-h"}, "Usage: secondchance batch run [flags]", []string{"--week week", "--dry-run", "the week that last ended"}},
		{"BatchCleanUp", []string{"batch", "clean-up", "help"}, "Usage: secondchance batch clean-up", nil},
		{"Certificates", []string{"certificates", "-h"}, "Usage: secondchance certificates COMMAND", []string{"issue", "annual"}},
		{"CertificatesIssue", []string{"certificates", "issue", "-h"}, "Usage: secondchance certificates issue [flags]", []string{"--from day", "--to day", "--settlement id", "--store code", "PUBLIC_URL"}},
		{"CertificatesAnnual", []string{"certificates", "annual", "-h"}, "Usage: secondchance certificates annual [flags]", []string{"--year year", "(default: last year)"}},
		{"Indicators", []string{"indicators", "-h"}, "Usage: secondchance indicators COMMAND", []string{"refresh", "snapshot"}},
		{"IndicatorsRefresh", []string{"indicators", "refresh", "-h"}, "Usage: secondchance indicators refresh [flags]", []string{"--rebuild"}},
		{"IndicatorsSnapshot", []string{"indicators", "snapshot", "--help"}, "Usage: secondchance indicators snapshot", nil},
		{"Seed", []string{"seed", "-h"}, "Usage: secondchance seed [flags]", []string{"--sellers number", "(default: 20000)", "--demo", "--until date", "(default: today)"}},
		{"Migrate", []string{"migrate", "-h"}, "Usage: secondchance migrate", nil},
		{"HelpCommand", []string{"help", "batch", "run"}, "Usage: secondchance batch run [flags]", []string{"--week"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", tc.args...) // no DATABASE_URL: help needs none
			require.Equal(t, exitOK, code, errOut)
			require.Empty(t, errOut)
			require.True(t, strings.HasPrefix(out, tc.usage), out)
			for _, s := range tc.shows {
				require.Contains(t, out, s)
			}
		})
	}

	t.Run("Serve", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := run(t, "", "serve", "-h")
		require.Equal(t, exitOK, code, errOut)
		require.True(t, strings.HasPrefix(out, "Usage: secondchance serve\n\nServe the GraphQL API"), out)
		for _, v := range configVars {
			require.Contains(t, out, "\n  "+v.name+" ", "serve reads every variable")
		}
	})

	for _, tc := range []struct {
		name  string
		args  []string
		usage string
	}{
		{"ErrTokenCreateFlag", []string{"token", "create", "--bogus"}, "Usage: secondchance token create"},
		{"ErrTokenListArgument", []string{"token", "list", "all"}, "Usage: secondchance token list"},
		{"ErrBatchRunFlag", []string{"batch", "run", "--weak", "2026-W01"}, "Usage: secondchance batch run"},
		{"ErrBatchCommand", []string{"batch", "go"}, "Usage: secondchance batch COMMAND"},
		{"ErrNoBatchCommand", []string{"batch"}, "Usage: secondchance batch COMMAND"},
		{"ErrCertificatesAnnualFlag", []string{"certificates", "annual", "--month", "3"}, "Usage: secondchance certificates annual"},
		{"ErrIndicatorsSnapshotArgument", []string{"indicators", "snapshot", "now"}, "Usage: secondchance indicators snapshot"},
		{"ErrServeFlag", []string{"serve", "--port", "80"}, "Usage: secondchance serve"},
		{"ErrSeedFlag", []string{"seed", "--colour"}, "Usage: secondchance seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", tc.args...)
			require.Equal(t, exitUsage, code, errOut)
			require.Empty(t, out)
			require.Contains(t, errOut, "\n"+tc.usage)
		})
	}
}

// TestProgressRewritesLinesOnlyOnATerminal: progress on a terminal is redrawn in place; in a
// log or a pipe it is whole lines.
func TestProgressRewritesLinesOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	args := []string{"seed", "--sellers", "5", "--buyers", "20", "--orders", "300", "--reports", "30", "--until", "2026-11-01"}
	_, u1 := dbtest.NewWithURL(t)
	code, _, errOut := run(t, u1, args...)
	require.Equal(t, exitOK, code, errOut)
	require.NotContains(t, errOut, "\r")
	require.Contains(t, errOut, "\norders: 300 to do\norders: done in ")

	_, u2 := dbtest.NewWithURL(t)
	tty := &terminal{}
	code, _, errOut = runMain(t, &Main{Stderr: tty}, u2, args...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, errOut, "\rorders")
	require.Contains(t, errOut, "(300/300")

	// The batch's steps, whose sizes are unknown.
	code, _, errOut = run(t, u1, "batch", "run", "--dry-run", "--week", "2026-W44")
	require.Equal(t, exitOK, code, errOut)
	require.NotContains(t, errOut, "\r")
	require.Contains(t, errOut, "decide verdicts …\ndecide verdicts: done in ")
	code, _, errOut = runMain(t, &Main{Stderr: &terminal{}}, u2, "batch", "run", "--dry-run", "--week", "2026-W44")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, errOut, "collect reports …\r\x1b[Kcollect reports: done in ")
	require.Regexp(t, `decide verdicts …(\rdecide verdicts … \d+)+\r\x1b\[Kdecide verdicts: done in `, errOut)
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
	require.NotContains(t, errOut, "\r", "in whole lines: stderr is no terminal")

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
		for _, tok := range demo.Tokens {
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
	require.Contains(t, errOut, "certificates: 1 to do\ncertificates: done in ")

	// Not before the year is over: the summary would miss the rest of the year's items.
	code, out, errOut = runAt(t, time.Date(year, 12, 31, 23, 0, 0, 0, time.UTC), u, "certificates", "annual", "--year", fmt.Sprint(year))
	require.Equal(t, exitError, code, errOut)
	require.Empty(t, out)
	require.Contains(t, errOut, fmt.Sprintf("taxYear: tax year %d is not over yet", year))
	require.Contains(t, errOut, "(INVALID)")
	var annuals int
	require.NoError(t, d.Get(&annuals, `SELECT count(*) FROM certificates WHERE kind = 'ANNUAL'`))
	require.Zero(t, annuals)
	code, _, errOut = runAt(t, time.Date(year, 12, 31, 23, 0, 0, 0, time.UTC), u, "certificates", "annual")
	require.Equal(t, exitError, code, errOut)
	require.Contains(t, errOut, fmt.Sprintf("no item of a seller was settled in tax year %d", year-1), "the default is last year")

	// From 1 January, the default year is the one that just ended.
	newYear := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	code, out, errOut = runAt(t, newYear, u, "certificates", "annual")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "issued 1 certificates for 2 items in ")
	require.Contains(t, out, fmt.Sprintf(", the annual summaries of %d (", year))
	code, out, errOut = runAt(t, newYear, u, "certificates", "annual", "--year", fmt.Sprint(year))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, fmt.Sprintf("every seller has its annual summary of %d; nothing issued", year))
	code, _, errOut = run(t, u, "certificates", "annual", "--year", "1999")
	require.Equal(t, exitError, code, errOut)
	require.Contains(t, errOut, "taxYear")
}
