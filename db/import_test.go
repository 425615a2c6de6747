package db_test

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// importCounts counts the rows of every table an import writes, to show that a failed one wrote
// nothing.
func importCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{"sellers", "buyers", "orders", "feedback", "disputes", "return_claims"} {
		var n int
		require.NoError(t, d.Get(&n, `SELECT count(*) FROM `+table))
		counts[table] = n
	}
	return counts
}

func TestImport(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	d.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	ctx := admin()
	load := func(kind db.ImportKind, name, body string) (*sc.IngestResult, error) {
		return d.Import(ctx, kind, name, strings.NewReader(body), nil)
	}
	res, err := load(db.ImportSellers, "sellers.csv", "number,name\nS1,Acme\n")
	require.NoError(t, err)
	require.Equal(t, 1, res.SellersCreated)
	_, err = load(db.ImportBuyers, "buyers.ndjson", `{"number": "B1", "handle": "alice"}`)
	require.NoError(t, err)

	const header = "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"
	good := strings.Repeat("O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n", 1) + "O2,S1,B1,2026-10-01T10:00:00Z,2.00,USD\n"
	for _, tc := range []struct {
		name, file, body string
		kind             db.ImportKind
		code             string
	}{
		{"ErrUnterminatedQuote", "orders.csv", header + good + "\"O3,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n", db.ImportOrders, sc.EINVALID},
		{"ErrBadDate", "orders.csv", header + good + "O3,S1,B1,2026-10-01 10:00,1.00,USD\n", db.ImportOrders, sc.EINVALID},
		{"ErrTooFewFields", "orders.csv", header + good + "O3,S1\n", db.ImportOrders, sc.EINVALID},
		{"ErrInvalidUTF8", "sellers.csv", "number,name\nS2,Caf\xe9\n", db.ImportSellers, sc.EINVALID},
		{"ErrNULEscape", "sellers.ndjson", `{"number": "S2", "name": "Acme"}` + "\n" + `{"number": "S3", "name": "a\u0000"}`, db.ImportSellers, sc.EINVALID},
		{"ErrTruncated", "buyers.ndjson", `{"number": "B2", "handle": "bob"}` + "\n" + `{"number": "B3", "handle": "c`, db.ImportBuyers, sc.EINVALID},
		{"ErrWrongType", "buyers.ndjson", `{"number": 2, "handle": "bob"}`, db.ImportBuyers, sc.EINVALID},
		{"ErrEmpty", "orders.csv", "", db.ImportOrders, sc.EINVALID},
		{"ErrUnknownSeller", "orders.csv", header + good + "O3,S404,B1,2026-10-01T10:00:00Z,1.00,USD\n", db.ImportOrders, sc.ENOTFOUND},
		{"ErrUnknownExtension", "orders.txt", header + good, db.ImportOrders, sc.EINVALID},
		{"ErrUnknownKind", "orders.csv", header + good, "refunds", sc.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := importCounts(t, d)
			_, err := load(tc.kind, tc.file, tc.body)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			require.Equal(t, before, importCounts(t, d), "nothing of a bad file is written")
		})
	}

	res, err = load(db.ImportOrders, "orders.csv", header+good)
	require.NoError(t, err)
	require.Equal(t, 2, res.OrdersCreated)
}

// TestImportFiles runs several files as one: a later file names what an earlier one created,
// and a failure in any file writes nothing of the run.
func TestImportFiles(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := admin()
	file := func(kind db.ImportKind, name, body string) db.ImportFile {
		return db.ImportFile{Kind: kind, Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }}
	}
	sellers := file(db.ImportSellers, "sellers.csv", "number,name\nS1,Acme\n")
	buyers := file(db.ImportBuyers, "buyers.ndjson", `{"number": "B1", "handle": "alice"}`)
	const header = "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"
	for _, tc := range []struct {
		name  string
		files []db.ImportFile
		code  string
	}{
		{"ErrMalformedLastFile", []db.ImportFile{sellers, buyers, file(db.ImportOrders, "orders.csv", header+"O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n\"O2\n")}, sc.EINVALID},
		{"ErrUnknownReferenceInLastFile", []db.ImportFile{sellers, buyers, file(db.ImportOrders, "orders.csv", header+"O1,S2,B1,2026-10-01T10:00:00Z,1.00,USD\n")}, sc.ENOTFOUND},
		{"ErrUnknownFormatOfLastFile", []db.ImportFile{sellers, file(db.ImportOrders, "orders.xls", "")}, sc.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := d.ImportFiles(ctx, tc.files, nil)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			require.Equal(t, map[string]int{"sellers": 0, "buyers": 0, "orders": 0, "feedback": 0, "disputes": 0, "return_claims": 0}, importCounts(t, d))
		})
	}
	var results []sc.IngestResult
	err := d.ImportFiles(ctx, []db.ImportFile{sellers, buyers, file(db.ImportOrders, "orders.csv", header+"O1,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n")},
		func(i int, res *sc.IngestResult) {
			require.Len(t, results, i)
			results = append(results, *res)
		})
	require.NoError(t, err)
	require.Equal(t, []sc.IngestResult{{SellersCreated: 1}, {BuyersCreated: 1}, {OrdersCreated: 1}}, results)
}

// corpusEntry is one input of a fuzz target's seed corpus.
type corpusEntry struct {
	name string
	kind db.ImportKind
	file string
	data []byte
}

// readCorpus reads testdata/fuzz/<target>, files of the form
//
//	go test fuzz v1
//	uint8(2)
//	[]byte("…")
func readCorpus(t *testing.T, target, ext string) []corpusEntry {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var entries []corpusEntry
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 3)
		require.Len(t, lines, 3, p)
		k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(lines[1], "uint8("), ")"))
		require.NoError(t, err, p)
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")"))
		require.NoError(t, err, p)
		kind := db.ImportKinds[k%len(db.ImportKinds)]
		entries = append(entries, corpusEntry{filepath.Base(p), kind, string(kind) + ext, []byte(data)})
	}
	return entries
}

// TestImportCorpus imports every input of the parsers' seed corpora, the fuzzers' finds among
// them, into a real database: what the parser accepts PostgreSQL must store, and what fails
// fails as bad input or a bad reference (never INTERNAL) and writes nothing. The inputs named ok-* are valid and
// go first, sellers before buyers before orders, so the rest have something to refer to.
func TestImportCorpus(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	d.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	ctx := admin()
	entries := append(readCorpus(t, "FuzzImportCSV", ".csv"), readCorpus(t, "FuzzImportNDJSON", ".ndjson")...)
	order := map[db.ImportKind]int{}
	for i, k := range db.ImportKinds {
		order[k] = i
	}
	ok := func(e corpusEntry) bool { return strings.HasPrefix(e.name, "ok-") }
	sort.SliceStable(entries, func(i, j int) bool {
		if ok(entries[i]) != ok(entries[j]) {
			return ok(entries[i])
		}
		return order[entries[i].kind] < order[entries[j].kind]
	})
	for _, e := range entries {
		before := importCounts(t, d)
		_, err := d.Import(ctx, e.kind, e.file, strings.NewReader(string(e.data)), nil)
		if ok(e) {
			require.NoError(t, err, "%s (%s)", e.name, e.file)
			continue
		}
		if err != nil {
			// The merge's checks say NOT_FOUND and CONFLICT for references; the parser, INVALID.
			require.Contains(t, []string{sc.EINVALID, sc.ENOTFOUND, sc.ECONFLICT}, sc.ErrorCode(err), "%s (%s): %v", e.name, e.file, err)
			require.Equal(t, before, importCounts(t, d), "%s (%s) failed and wrote nothing", e.name, e.file)
		}
	}
}

// TestIngestFarZoneOffset sends times with offsets RFC 3339 allows and PostgreSQL does not
// (beyond ±15:59) through both ways in: the import and the mutation share the staging rows,
// which hold UTC.
func TestIngestFarZoneOffset(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := admin()
	b := batch(1)
	far := time.FixedZone("", 23*3600+59*60)
	b.Orders[0].PlacedAt = b.Orders[0].PlacedAt.In(far)
	b.Orders[0].ShipBy = ptr(b.Orders[0].PlacedAt.Add(time.Hour))
	_, err := d.Ingest(ctx, b)
	require.NoError(t, err)
	_, err = d.Import(ctx, db.ImportOrders, "orders.csv", strings.NewReader("number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"+
		"O9,S1,B1,2026-10-01T10:00:00+23:59,1.00,USD\n"), nil)
	require.NoError(t, err)
	var placed time.Time
	require.NoError(t, d.Get(&placed, `SELECT placed_at FROM orders WHERE number = 'O9'`))
	require.True(t, placed.Equal(time.Date(2026, 9, 30, 10, 1, 0, 0, time.UTC)), "%v", placed)
}
