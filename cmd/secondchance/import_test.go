package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db/dbtest"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

var goodImport = map[string]string{
	"sellers.csv": "number,name,email,country\nS1,Acme Goods,acme@example.com,US\nS2,\"Bolt, Outlet\",,\n",
	"buyers.ndjson": `{"number": "B1", "handle": "alice"}
{"number": "B2", "handle": "bob", "status": "CLOSED", "country": "CA"}

`,
	"orders.csv": "number,sellerNumber,buyerNumber,placedAt,shippedAt,total.amount,total.currency,feedback.rating,feedback.leftAt\n" +
		"O1,S1,B1,2026-10-01T10:00:00Z,2026-10-02T10:00:00Z,19.99,USD,5,2026-10-05T10:00:00Z\n" +
		"O2,S2,B2,2026-10-03T10:00:00Z,,5,USD,,\n",
	"disputes.ndjson":   `{"orderNumber": "O1", "number": "D1", "reason": "ITEM_NOT_RECEIVED", "openedAt": "2026-10-06T10:00:00Z"}` + "\n",
	"return_claims.csv": "orderNumber,number,reason,requestedAt\nO2,R1,Changed my mind,2026-10-07T10:00:00Z\n",
}

func TestImport(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	dir := writeFiles(t, goodImport)
	files := []string{"import"}
	for _, f := range []string{"sellers.csv", "buyers.ndjson", "orders.csv", "disputes.ndjson", "return_claims.csv"} {
		files = append(files, filepath.Join(dir, f))
	}
	code, out, errOut := run(t, u, files...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "orders.csv: 0 sellers, 0 buyers, 2 orders created")
	count := func(q string) int {
		var n int
		require.NoError(t, d.Get(&n, q))
		return n
	}
	require.Equal(t, 2, count(`SELECT count(*) FROM orders`))
	require.Equal(t, 1, count(`SELECT count(*) FROM feedback WHERE rating = 5`))
	require.Equal(t, 1, count(`SELECT count(*) FROM buyers WHERE status = 'CLOSED' AND country = 'CA'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM sellers WHERE name = 'Bolt, Outlet'`))
	require.Equal(t, 500, count(`SELECT total_cents FROM orders WHERE number = 'O2'`))

	// Importing again updates and never duplicates.
	code, out, errOut = run(t, u, files...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "orders.csv: 0 sellers, 0 buyers, 0 orders created; 0 sellers, 0 buyers, 2 orders updated")
	require.Equal(t, 2, count(`SELECT count(*) FROM orders`))
	require.Equal(t, 1, count(`SELECT count(*) FROM disputes`))
	require.Equal(t, 1, count(`SELECT count(*) FROM return_claims`))

	for _, tc := range []struct {
		name, file, body, want string
	}{
		{"ErrBadAmount", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD\nO10,S1,B1,2026-10-01T10:00:00Z,1.001,USD\n", "orders.csv:3: total.amount:"},
		{"ErrUnknownSeller", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD\nO10,S404,B1,2026-10-01T10:00:00Z,1.00,USD\n", "orders.csv:3: sellerNumber: no seller with number S404"},
		{"ErrOrderChangesSeller", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD\nO1,S2,B1,2026-10-01T10:00:00Z,1.00,USD\n", "orders.csv:3: sellerNumber: order O1 already belongs to another seller"},
		{"ErrDuplicateNumber", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD\nO9,S1,B1,2026-10-01T10:00:00Z,2.00,USD\n", "orders.csv:3: number: order number O9 appears more than once (first at "},
		{"ErrUnknownColumn", "orders.csv", "number,seller\nO9,S1\n", "orders.csv:1:8: seller: unknown column"},
		{"ErrRatingNotNumber", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency,feedback.rating\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD,five\n", "orders.csv:2: feedback.rating"},
		{"ErrBadJSON", "buyers.ndjson", "{\"number\": \"B9\", \"handle\": \"x\"}\n{\"number\": \"B10\", \"handle\": \n", "buyers.ndjson:2:"},
		{"ErrUnknownKey", "buyers.ndjson", "{\"number\": \"B9\", \"handel\": \"x\"}\n", "buyers.ndjson:1: handel: unknown field"},
		{"ErrBadStatus", "buyers.ndjson", "{\"number\": \"B9\", \"handle\": \"x\", \"status\": \"BANNED\"}\n", "buyers.ndjson:1: status: unknown buyer status"},
		{"ErrNestedEvents", "orders.ndjson", `{"number": "O9", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-10-01T10:00:00Z", "total": {"amount": "1.00", "currency": "USD"}, "disputes": [{"number": "D9", "reason": "OTHER", "openedAt": "2026-10-02T10:00:00Z"}]}` + "\n", "files of their own"},
		{"ErrDisputeUnknownOrder", "disputes.ndjson", `{"orderNumber": "O404", "number": "D9", "reason": "OTHER", "openedAt": "2026-10-02T10:00:00Z"}` + "\n", "disputes.ndjson:1: orderNumber: no order with number O404"},
		{"ErrDisputeOfAnotherOrder", "disputes.ndjson", `{"orderNumber": "O2", "number": "D1", "reason": "OTHER", "openedAt": "2026-10-04T10:00:00Z"}` + "\n", "disputes.ndjson:1: number: dispute number D1 already belongs to order O1"},
		{"ErrUnquotedCSV", "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\nO9,\"S1\n", "orders.csv:2:4: sellerNumber: the quoted field opened here has no closing quote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tc.file: tc.body})
			before := count(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM buyers) + (SELECT count(*) FROM disputes)`)
			code, _, errOut := run(t, u, "import", filepath.Join(dir, tc.file))
			require.Equal(t, exitError, code)
			require.Contains(t, errOut, tc.want)
			require.Equal(t, before, count(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM buyers) + (SELECT count(*) FROM disputes)`), "nothing of a bad file is written")
		})
	}
	code, _, errOut = run(t, u, "import", "--kind", "x", filepath.Join(dir, "sellers.csv"))
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, `unknown kind "x"`)
	code, _, errOut = run(t, u, "import", filepath.Join(writeFiles(t, map[string]string{"misc.csv": "number\n"}), "misc.csv"))
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "pass --kind")
}

// TestImportMalformed runs the import on the malformed files users have met: each fails with
// FILE:LINE[:COL]: [FIELD: ]REASON and a non-zero exit, and nothing of the run is written, not
// even the good files named before the bad one.
func TestImportMalformed(t *testing.T) {
	t.Parallel()
	d, u := dbtest.NewWithURL(t)
	counts := func() map[string]int {
		m := map[string]int{}
		for _, table := range []string{"sellers", "buyers", "orders", "feedback", "disputes", "return_claims"} {
			var n int
			require.NoError(t, d.Get(&n, `SELECT count(*) FROM `+table))
			m[table] = n
		}
		return m
	}
	const header = "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"
	dir := writeFiles(t, map[string]string{
		"sellers.csv":        "number,name\nS1,Acme\n",
		"buyers.ndjson":      `{"number": "B1", "handle": "alice"}`,
		"orders.csv":         header + "O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n",
		"quote/orders.csv":   header + "O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n\"O2,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n",
		"date/orders.csv":    header + "O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\nO2,S1,B1,2026-13-01T10:00:00Z,1.00,USD\n",
		"empty/orders.csv":   "",
		"utf8/sellers.csv":   "number,name\nS2,Caf\xe9\n",
		"nul/sellers.ndjson": `{"number": "S2", "name": "a\u0000"}`,
		"cut/buyers.ndjson":  `{"number": "B2", "handle": "bob"}` + "\n" + `{"number": "B3", "handle": `,
		"type/buyers.ndjson": `{"number": "B2", "handle": ["bob"]}`,
		"orders.txt":         header,
	})
	f := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name string
		args []string
		exit int
		want string
	}{
		// encoding/csv's reader panicked on this one (FieldPos after a quote error in a row's first field).
		{"ErrUnterminatedQuote", []string{f("sellers.csv"), f("quote/orders.csv")}, exitError, "quote/orders.csv:3:1: number: the quoted field opened here has no closing quote (INVALID)"},
		{"ErrBadDate", []string{f("date/orders.csv")}, exitError, `date/orders.csv:3: placedAt: "2026-13-01T10:00:00Z" is not an RFC 3339 time such as 2026-10-01T10:00:00Z: month out of range (INVALID)`},
		{"ErrMissingFile", []string{f("sellers.csv"), f("buyers.ndjson"), f("missing/orders.csv")}, exitError, "missing/orders.csv: no such file (NOT_FOUND)"},
		{"ErrMissingFileOfUnknownKind", []string{f("misc.csv")}, exitError, "misc.csv: no such file (NOT_FOUND)"},
		{"ErrDirectory", []string{f("empty")}, exitError, "empty: a directory, not a file"},
		{"ErrUnknownExtension", []string{"--kind", "orders", f("orders.csv"), f("orders.txt")}, exitError, `orders.txt: unknown format ".txt"`},
		{"ErrEmptyFile", []string{f("empty/orders.csv")}, exitError, "empty/orders.csv:1: the file is empty"},
		{"ErrInvalidUTF8", []string{f("utf8/sellers.csv")}, exitError, "utf8/sellers.csv:2:7: name: invalid UTF-8 (byte 0xE9)"},
		{"ErrNUL", []string{f("nul/sellers.ndjson")}, exitError, "nul/sellers.ndjson:1: name: the string holds a NUL character"},
		{"ErrTruncatedNDJSON", []string{f("cut/buyers.ndjson")}, exitError, "cut/buyers.ndjson:2:28: the line ends inside its JSON value"},
		{"ErrWrongJSONType", []string{f("type/buyers.ndjson")}, exitError, "type/buyers.ndjson:1: handle: a single value is expected, not an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := counts()
			code, out, errOut := run(t, u, append([]string{"import"}, tc.args...)...)
			require.Equal(t, tc.exit, code, errOut)
			require.Contains(t, errOut, tc.want)
			require.NotContains(t, errOut, "panic")
			require.Empty(t, out, "no file is reported imported")
			require.Equal(t, before, counts(), "nothing of the run is written")
		})
	}
	// The good files import once the bad ones are gone.
	code, _, errOut := run(t, u, "import", f("sellers.csv"), f("buyers.ndjson"), f("orders.csv"))
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, 1, counts()["orders"])
}
