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
	code, _, errOut = run(t, u, "import", filepath.Join(t.TempDir(), "misc.csv"))
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "pass --kind")
}
