package db

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

const (
	ordersHeader = "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency\n"
	orderRowCSV  = "O9,S1,B1,2026-10-01T10:00:00Z,1.00,USD\n"
	buyerJSON    = `{"number": "B9", "handle": "x"}` + "\n"
)

// TestParseImport reads malformed files of every sort without a database. Each must fail with
// its location, which is the interface here: FILE:LINE[:COL]: [FIELD: ] (see import_parse.go).
func TestParseImport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		kind       ImportKind
		file, body string
		want       string // the start of the (first) error's message
	}{
		{"ErrUnterminatedQuoteFirstField", ImportSellers, "sellers.csv", "number,name\n\"S1,Acme\nS2,Bolt\n", "sellers.csv:2:1: number: "},
		{"ErrUnterminatedQuote", ImportOrders, "orders.csv", ordersHeader + "O9,\"S1\n", "orders.csv:2:4: sellerNumber: "},
		{"ErrUnterminatedQuoteInHeader", ImportSellers, "sellers.csv", "\"number,name\nS1,Acme\n", "sellers.csv:1:1: "},
		{"ErrQuoteLeftOpenPastTheLimit", ImportSellers, "sellers.csv", "number,name\nS1,\"" + strings.Repeat("x\n", maxImportRecord), "sellers.csv:2:4: name: "},
		{"ErrTextAfterClosingQuote", ImportSellers, "sellers.csv", "number,name\n\"S1\"x,Acme\n", "sellers.csv:2:5: number: "},
		{"ErrBareQuote", ImportSellers, "sellers.csv", "number,name\nS1,Ac\"me\n", "sellers.csv:2:6: name: "},
		{"ErrTooFewFields", ImportOrders, "orders.csv", ordersHeader + orderRowCSV + "O10,S1,B1\n", "orders.csv:3:10: placedAt: "},
		{"ErrTooManyFields", ImportSellers, "sellers.csv", "number,name\nS1,Acme,x\n", "sellers.csv:2:9: "},
		{"ErrUnknownColumn", ImportOrders, "orders.csv", "number,seller\nO9,S1\n", "orders.csv:1:8: seller: "},
		{"ErrColumnInAnotherCase", ImportSellers, "sellers.csv", "number,Name\nS1,Acme\n", "sellers.csv:1:8: Name: "},
		{"ErrOddColumnName", ImportSellers, "sellers.csv", "number,name,\"a: b\"\nS1,Acme,x\n", `sellers.csv:1:13: "a: b": `},
		{"ErrColumnTwice", ImportSellers, "sellers.csv", "number,name,number\nS1,Acme,S1\n", "sellers.csv:1:13: number: "},
		{"ErrEmptyColumnName", ImportSellers, "sellers.csv", "number,name,\nS1,Acme,\n", "sellers.csv:1:13: "},
		{"ErrMissingColumn", ImportOrders, "orders.csv", "number,sellerNumber,buyerNumber,total.amount,total.currency\n", "orders.csv:1: placedAt: "},
		{"ErrBadDateCSV", ImportOrders, "orders.csv", ordersHeader + "O9,S1,B1,2026-13-01T10:00:00Z,1.00,USD\n", "orders.csv:2: placedAt: "},
		{"ErrDateWithoutTime", ImportDisputes, "disputes.csv", "orderNumber,number,reason,openedAt\nO1,D1,OTHER,2026-10-06\n", "disputes.csv:2: openedAt: "},
		{"ErrBadDateNDJSON", ImportReturnClaims, "return_claims.ndjson", `{"orderNumber": "O1", "number": "R1", "reason": "x", "requestedAt": "2026-02-30T10:00:00Z"}`, "return_claims.ndjson:1: requestedAt: "},
		{"ErrBadAmount", ImportOrders, "orders.csv", ordersHeader + orderRowCSV + "O10,S1,B1,2026-10-01T10:00:00Z,1.001,USD\n", "orders.csv:3: total.amount: "},
		{"ErrBadCurrency", ImportOrders, "orders.csv", ordersHeader + "O9,S1,B1,2026-10-01T10:00:00Z,1.00,usd\n", "orders.csv:2: total.currency: "},
		{"ErrRatingNotNumber", ImportOrders, "orders.csv", "number,sellerNumber,buyerNumber,placedAt,total.amount,total.currency,feedback.rating\nO9,S1,B1,2026-10-01T10:00:00Z,1.00,USD,five\n", "orders.csv:2: feedback.rating: "},
		{"ErrRatingNotWhole", ImportOrders, "orders.ndjson", `{"number": "O9", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-10-01T10:00:00Z", "total": {"amount": "1", "currency": "USD"}, "feedback": {"rating": 4.5, "leftAt": "2026-10-02T10:00:00Z"}}`, "orders.ndjson:1: feedback.rating: "},
		{"ErrBadBuyerStatus", ImportBuyers, "buyers.csv", "number,handle,status\nB9,x,BANNED\n", "buyers.csv:2: status: "},
		{"ErrBadCancellationReason", ImportOrders, "orders.ndjson", `{"number": "O9", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-10-01T10:00:00Z", "cancelledAt": "2026-10-01T11:00:00Z", "cancellationReason": "BORED", "total": {"amount": "1", "currency": "USD"}}`, "orders.ndjson:1: cancellationReason: "},
		{"ErrBadDisputeReason", ImportDisputes, "disputes.csv", "orderNumber,number,reason,openedAt\nO1,D1,ANGRY,2026-10-06T10:00:00Z\n", "disputes.csv:2: reason: "},
		{"ErrInvalidUTF8CSV", ImportSellers, "sellers.csv", "number,name\nS1,Caf\xe9\n", "sellers.csv:2:7: name: "},
		{"ErrInvalidUTF8InQuotedLines", ImportSellers, "sellers.csv", "number,name\nS1,\"a\nCaf\xe9\"\n", "sellers.csv:3:4: name: "},
		{"ErrInvalidUTF8NDJSON", ImportSellers, "sellers.ndjson", "{\"number\": \"S1\", \"name\": \"Caf\xe9\"}\n", "sellers.ndjson:1:30: "},
		{"ErrUTF16", ImportBuyers, "buyers.ndjson", "\xff\xfe{\x00}\x00", "buyers.ndjson:1:1: "},
		{"ErrNULByteCSV", ImportSellers, "sellers.csv", "number,name\nS1,a\x00b\n", "sellers.csv:2:5: name: "},
		{"ErrNULByteNDJSON", ImportSellers, "sellers.ndjson", "{\"number\": \"S1\", \"name\": \"a\x00\"}\n", "sellers.ndjson:1:28: "},
		{"ErrNULEscape", ImportSellers, "sellers.ndjson", `{"number": "S1", "name": "a\u0000"}`, "sellers.ndjson:1: name: "},
		{"ErrEmptyCSV", ImportOrders, "orders.csv", "", "orders.csv:1: "},
		{"ErrBlankCSV", ImportOrders, "orders.csv", "\n\r\n", "orders.csv:1: "},
		{"ErrEmptyNDJSON", ImportBuyers, "buyers.ndjson", " \n\n", "buyers.ndjson:1: "},
		{"ErrTruncatedNDJSON", ImportBuyers, "buyers.ndjson", buyerJSON + `{"number": "B10", "handle": `, "buyers.ndjson:2:29: "},
		{"ErrTextAfterObject", ImportBuyers, "buyers.ndjson", buyerJSON + buyerJSON[:len(buyerJSON)-1] + " {}\n", "buyers.ndjson:2:33: "},
		{"ErrSyntax", ImportBuyers, "buyers.ndjson", `{"number" "B9"}`, "buyers.ndjson:1:11: "},
		{"ErrNotAnObject", ImportBuyers, "buyers.ndjson", "\t[" + strings.TrimSpace(buyerJSON) + "]", "buyers.ndjson:1:2: "},
		{"ErrStringExpected", ImportBuyers, "buyers.ndjson", `{"number": 9, "handle": "x"}`, "buyers.ndjson:1: number: "},
		{"ErrValueExpected", ImportBuyers, "buyers.ndjson", `{"number": ["B9"], "handle": "x"}`, "buyers.ndjson:1: number: "},
		{"ErrObjectExpected", ImportOrders, "orders.ndjson", `{"number": "O9", "total": "1.00 USD"}`, "orders.ndjson:1: total: "},
		{"ErrRatingAsString", ImportOrders, "orders.ndjson", `{"number": "O9", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-10-01T10:00:00Z", "total": {"amount": "1", "currency": "USD"}, "feedback": {"rating": "5", "leftAt": "2026-10-02T10:00:00Z"}}`, "orders.ndjson:1: feedback.rating: "},
		{"ErrTimeAsNumber", ImportDisputes, "disputes.ndjson", `{"orderNumber": "O1", "number": "D1", "reason": "OTHER", "openedAt": 1760000000}`, "disputes.ndjson:1: openedAt: "},
		{"ErrUnknownKey", ImportBuyers, "buyers.ndjson", `{"number": "B9", "handel": "x"}`, "buyers.ndjson:1: handel: "},
		{"ErrDottedKey", ImportOrders, "orders.ndjson", `{"total.amount": "1.00"}`, "orders.ndjson:1: total.amount: "},
		{"ErrKeyTwice", ImportBuyers, "buyers.ndjson", `{"number": "B9", "handle": "x", "Number": "B10"}`, "buyers.ndjson:1: number: "},
		{"ErrNestedDisputes", ImportOrders, "orders.ndjson", `{"number": "O9", "disputes": [{"number": "D9"}]}`, "orders.ndjson:1: disputes: "},
		{"ErrHugeLine", ImportBuyers, "buyers.ndjson", buyerJSON + `{"number": "B9", "handle": "` + strings.Repeat("x", maxImportRecord) + "\"}\n", "buyers.ndjson:2: "},
		{"ErrHugeRecord", ImportSellers, "sellers.csv", "number,name\nS1," + strings.Repeat("x", maxImportRecord) + "\n", "sellers.csv:2:4: name: "},
		{"ErrUnknownKind", "refunds", "refunds.csv", "number\n", "kind: "},
		{"ErrUnknownExtension", ImportOrders, "orders.xlsx", "", "orders.xlsx: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := 0
			err := parseImport(tc.kind, tc.file, strings.NewReader(tc.body), fuzzNow, func([]any) error { n++; return nil })
			require.Error(t, err)
			require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
			es := sc.AsErrors(err)
			require.True(t, strings.HasPrefix(es[0].Error(), tc.want), "%v", err)
			if _, known := importColumns[tc.kind]; known && importFormat(tc.file) != "" {
				checkParse(t, tc.kind, tc.file, []byte(tc.body))
			}
		})
	}
}

// TestParseImportBothFormats reads the same records from CSV and NDJSON: both give the same
// rows, which is what lets one set of staging tables and one merge serve them.
func TestParseImportBothFormats(t *testing.T) {
	t.Parallel()
	parse := func(kind ImportKind, file, body string) [][]any {
		rows, err := checkParse(t, kind, file, []byte(body))
		require.NoError(t, err)
		for _, r := range rows {
			r[1] = "" // the refs name different files
		}
		return rows
	}
	for _, tc := range []struct {
		name        string
		kind        ImportKind
		csv, ndjson string
	}{
		{"Sellers", ImportSellers,
			"\xEF\xBB\xBFnumber,name,email,country\r\nS1,\"Bolt, \"\"the\"\" Outlet\",a@example.com,US\r\n\r\nS2,two,,\r\n",
			"\xEF\xBB\xBF" + `{"number": "S1", "name": "Bolt, \"the\" Outlet", "email": "a@example.com", "country": "US"}` + "\r\n\r\n" + `{"Number": "S2", "name": "two", "email": null}`},
		{"Buyers", ImportBuyers,
			"number,handle,status\nB1,alice,\nB2,bob,CLOSED\n",
			`{"number": "B1", "handle": "alice"}` + "\n" + `{"number": "B2", "handle": "bob", "status": "CLOSED"}`},
		{"Orders", ImportOrders,
			"number,sellerNumber,buyerNumber,placedAt,shippedAt,total.amount,total.currency,feedback.rating,feedback.comment,feedback.leftAt\n" +
				"O1,S1,B1,2026-10-01T10:00:00+02:00,2026-10-02T10:00:00Z,19.99,USD,5,\"été\nencore\",2026-10-05T10:00:00Z\nO2,S2,B2,2026-10-03T10:00:00Z,,5,USD,,,\n",
			`{"number": "O1", "sellerNumber": "S1", "buyerNumber": "B1", "placedAt": "2026-10-01T10:00:00+02:00", "shippedAt": "2026-10-02T10:00:00Z", "total": {"amount": "19.99", "currency": "USD"}, "feedback": {"rating": 5, "comment": "\u00e9t\u00e9\nencore", "leftAt": "2026-10-05T10:00:00Z"}, "disputes": []}` + "\n" +
				`{"number": "O2", "sellerNumber": "S2", "buyerNumber": "B2", "placedAt": "2026-10-03T10:00:00Z", "total": {"amount": "5", "currency": "USD"}, "feedback": null, "returnClaims": null}`},
		{"Disputes", ImportDisputes,
			"orderNumber,number,reason,openedAt,closedAt\nO1,D1,ITEM_NOT_RECEIVED,2026-10-06T10:00:00Z,2026-10-07T10:00:00Z\n",
			`{"orderNumber": "O1", "number": "D1", "reason": "ITEM_NOT_RECEIVED", "openedAt": "2026-10-06T10:00:00Z", "closedAt": "2026-10-07T10:00:00Z"}`},
		{"ReturnClaims", ImportReturnClaims,
			"orderNumber,number,reason,requestedAt\nO2,R1,Changed my mind,2026-10-07T10:00:00Z",
			`{"orderNumber": "O2", "number": "R1", "reason": "Changed my mind", "requestedAt": "2026-10-07T10:00:00Z"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fromCSV := parse(tc.kind, string(tc.kind)+".csv", tc.csv)
			require.NotEmpty(t, fromCSV)
			// The lines differ where the CSV has a blank line or two-line fields.
			fromJSON := parse(tc.kind, string(tc.kind)+".ndjson", tc.ndjson)
			require.Len(t, fromJSON, len(fromCSV))
			for i := range fromCSV {
				require.Equal(t, fromCSV[i][2:], fromJSON[i][2:])
			}
		})
	}
	// An empty CSV cell is an absent value, and a header without rows imports nothing.
	rows := parse(ImportOrders, "orders.csv", ordersHeader)
	require.Empty(t, rows)
}

// BenchmarkParseImport measures reading orders without the COPY, for PERFORMANCE.md.
func BenchmarkParseImport(b *testing.B) {
	var csv, ndjson bytes.Buffer
	csv.WriteString("number,sellerNumber,buyerNumber,placedAt,shippedAt,total.amount,total.currency,feedback.rating,feedback.leftAt\n")
	for i := range 10000 {
		fmt.Fprintf(&csv, "O%d,S%d,B%d,2026-10-01T10:00:00Z,2026-10-02T10:00:00Z,19.99,USD,5,2026-10-05T10:00:00Z\n", i, i%100, i%1000)
		fmt.Fprintf(&ndjson, `{"number": "O%d", "sellerNumber": "S%d", "buyerNumber": "B%d", "placedAt": "2026-10-01T10:00:00Z", "shippedAt": "2026-10-02T10:00:00Z", "total": {"amount": "19.99", "currency": "USD"}, "feedback": {"rating": 5, "leftAt": "2026-10-05T10:00:00Z"}}`+"\n", i, i%100, i%1000)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		name string
		data []byte
	}{{"orders.csv", csv.Bytes()}, {"orders.ndjson", ndjson.Bytes()}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(f.data)))
			for b.Loop() {
				if err := parseImport(ImportOrders, f.name, bytes.NewReader(f.data), now, func([]any) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
