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

// Import loads one NDJSON (.ndjson, .jsonl) or CSV (.csv) file of one kind through COPY, as an
// ImportFiles run of one file. name is the file's name, used for its format and in errors; p
// counts bytes read.
func (db *DB) Import(ctx context.Context, kind ImportKind, name string, r io.Reader, p Progress) (*sc.IngestResult, error) {
	var res *sc.IngestResult
	err := db.ImportFiles(ctx, []ImportFile{{Kind: kind, Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }, Progress: p}},
		func(_ int, r *sc.IngestResult) { res = r })
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ImportFile is one file of an import run.
type ImportFile struct {
	Kind ImportKind
	// Name is the file's name, for its format and in errors.
	Name string
	// Open returns the file's contents when its turn comes; ImportFiles closes them.
	Open func() (io.ReadCloser, error)
	// Progress counts the bytes read; nil for none.
	Progress Progress
}

// ImportFiles loads files in order, each through COPY into the staging tables and the same merge
// as the ingestMarketplaceData mutation, all in one transaction: a later file may name what an
// earlier one created, and a malformed record or a row that refers to something unknown, in any
// file, stops the run with the file, line and reason (see import_parse.go for the form) and
// writes nothing of it. done, when set, is called with each file's result once it is merged,
// before the run commits.
func (db *DB) ImportFiles(ctx context.Context, files []ImportFile, done func(i int, res *sc.IngestResult)) error {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return err
	}
	for _, f := range files {
		if err := CheckImport(f.Kind, f.Name); err != nil {
			return err
		}
	}
	now := db.Now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for i, f := range files {
			m := merger{locate: fileLine, analyze: true}
			err := stageAndMergeIn(ctx, tx, &m, func(tx *sqlx.Tx) error {
				r, err := f.Open()
				if err != nil {
					return err
				}
				defer r.Close()
				var p Progress = noProgress{}
				if f.Progress != nil {
					p = f.Progress
				}
				table, columns := stagingTable(f.Kind)
				return copyRows(ctx, tx, table, columns, func(emit func(...any) error) error {
					return parseImport(f.Kind, f.Name, progressReader{r, p}, now, func(row []any) error { return emit(row...) })
				})
			})
			if err != nil {
				return err
			}
			// The next file stages into tables of its own.
			if _, err := tx.ExecContext(ctx, `DROP TABLE stage_sellers, stage_buyers, stage_orders, stage_disputes, stage_return_claims`); err != nil {
				return err
			}
			if done != nil {
				done(i, &m.res)
			}
		}
		return nil
	})
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
