package db

import (
	"context"
	"io"

	"github.com/jmoiron/sqlx"

	sc "github.com/secondchance/secondchance"
)

// ImportKind is what one import file holds.
type ImportKind string

// The kinds of record `secondchance import` loads. Feedback travels on its order (one per
// order); disputes and return claims have files of their own and name their order.
const (
	ImportSellers      ImportKind = "sellers"
	ImportBuyers       ImportKind = "buyers"
	ImportOrders       ImportKind = "orders"
	ImportDisputes     ImportKind = "disputes"
	ImportReturnClaims ImportKind = "return_claims"
)

// ImportKinds lists every kind, in the order files should be imported.
var ImportKinds = []ImportKind{ImportSellers, ImportBuyers, ImportOrders, ImportDisputes, ImportReturnClaims}

// importColumns are the CSV columns of each kind; NDJSON uses the same names as JSON keys,
// nested for the dotted ones ({"total": {"amount": "9.99", "currency": "USD"}}). They are the
// field names of the ingestMarketplaceData mutation.
var importColumns = map[ImportKind][]string{
	ImportSellers:      {"number", "name", "legalName", "email", "country"},
	ImportBuyers:       {"number", "handle", "country", "status"},
	ImportOrders:       {"number", "sellerNumber", "buyerNumber", "placedAt", "shipBy", "shippedAt", "deliveredAt", "cancelledAt", "cancellationReason", "total.amount", "total.currency", "feedback.rating", "feedback.comment", "feedback.leftAt"},
	ImportDisputes:     {"orderNumber", "number", "reason", "openedAt", "closedAt"},
	ImportReturnClaims: {"orderNumber", "number", "reason", "requestedAt"},
}

// ImportColumns returns the columns of a kind, for help texts.
func ImportColumns(k ImportKind) []string { return importColumns[k] }

// Import loads one NDJSON (.ndjson, .jsonl) or CSV (.csv) file of one kind through COPY. The
// file is one transaction: a malformed record, or a row that refers to something unknown, stops
// the import with the file, line and reason (see import_parse.go for the form), and nothing of
// the file is written. name is the file's name, used for its format and in errors; p counts
// bytes read.
func (db *DB) Import(ctx context.Context, kind ImportKind, name string, r io.Reader, p Progress) (*sc.IngestResult, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := CheckImport(kind, name); err != nil {
		return nil, err
	}
	if p == nil {
		p = noProgress{}
	}
	m := merger{locate: fileLine, analyze: true}
	now := db.Now()
	err := db.stageAndMerge(ctx, &m, func(tx *sqlx.Tx) error {
		table, columns := stagingTable(kind)
		return copyRows(ctx, tx, table, columns, func(emit func(...any) error) error {
			return parseImport(kind, name, progressReader{r, p}, now, func(row []any) error { return emit(row...) })
		})
	})
	if err != nil {
		return nil, err
	}
	return &m.res, nil
}

func stagingTable(k ImportKind) (table, columns string) {
	switch k {
	case ImportSellers:
		return "stage_sellers", stageSellerCols
	case ImportBuyers:
		return "stage_buyers", stageBuyerCols
	case ImportOrders:
		return "stage_orders", stageOrderCols
	case ImportDisputes:
		return "stage_disputes", stageDisputeCols
	}
	return "stage_return_claims", stageReturnCols
}

// progressReader reports the bytes read through it.
type progressReader struct {
	r io.Reader
	p Progress
}

func (pr progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.Add(int64(n))
	return n, err
}
