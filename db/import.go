package db

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

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

// intColumns hold numbers in JSON; every other CSV column is a string.
var intColumns = map[string]bool{"feedback.rating": true}

// ImportColumns returns the columns of a kind, for help texts.
func ImportColumns(k ImportKind) []string { return importColumns[k] }

// maxImportLine is the longest NDJSON line accepted.
const maxImportLine = 1 << 20

type disputeRecord struct {
	OrderNumber string
	sc.DisputeInput
}

type returnClaimRecord struct {
	OrderNumber string
	sc.ReturnClaimInput
}

// Import loads one NDJSON (.ndjson, .jsonl) or CSV (.csv) file of one kind through COPY. The
// file is one transaction: a malformed line, or a row that refers to something unknown, stops
// the import with the file, line and reason, and nothing of the file is written. name is the
// file's name, used for its format and in errors; p counts bytes read.
func (db *DB) Import(ctx context.Context, kind ImportKind, name string, r io.Reader, p Progress) (*sc.IngestResult, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	cols, ok := importColumns[kind]
	if !ok {
		return nil, sc.FieldErrorf("kind", sc.EINVALID, "unknown kind %q; use one of %v", kind, ImportKinds)
	}
	if p == nil {
		p = noProgress{}
	}
	r = progressReader{r, p}
	var next func() (line int, rec map[string]any, raw []byte, err error)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		next = ndjsonRecords(r)
	case ".csv":
		next = csvRecords(r, cols)
	default:
		return nil, sc.FieldErrorf("file", sc.EINVALID, "%s: unknown format; name the file .ndjson, .jsonl or .csv", name)
	}
	m := merger{locate: fileLine, analyze: true}
	now := db.Now()
	err := db.stageAndMerge(ctx, &m, func(tx *sqlx.Tx) error {
		table, columns := stagingTable(kind)
		return copyRows(ctx, tx, table, columns, func(emit func(...any) error) error {
			for {
				line, rec, raw, err := next()
				if err == io.EOF {
					return nil
				}
				ref := fmt.Sprintf("%s:%d", name, line)
				if err != nil {
					return sc.Errorf(sc.EINVALID, "%s: %v", ref, err)
				}
				row, err := importRow(kind, rec, raw, int64(line), ref, now)
				if err != nil {
					return err
				}
				if err := emit(row...); err != nil {
					return err
				}
			}
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

// importRow decodes and validates one record into its staging row. A record is decoded from
// its JSON form (CSV rows are turned into it first), so both formats obey the same names.
func importRow(kind ImportKind, rec map[string]any, raw []byte, line int64, ref string, now time.Time) ([]any, error) {
	if rec != nil {
		var err error
		if raw, err = json.Marshal(rec); err != nil {
			return nil, err
		}
	}
	invalid := func(err error) error {
		var parts []string
		for _, e := range sc.AsErrors(err) {
			parts = append(parts, e.Field+": "+e.Message)
		}
		if len(parts) == 0 {
			parts = append(parts, err.Error())
		}
		return sc.Errorf(sc.EINVALID, "%s: %s", ref, strings.Join(parts, "; "))
	}
	decode := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return invalid(fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: ")))
		}
		return nil
	}
	switch kind {
	case ImportSellers:
		var s sc.SellerInput
		if err := decode(&s); err != nil {
			return nil, err
		}
		if err := s.Validate(); err != nil {
			return nil, invalid(err)
		}
		return sellerRow(line, ref, &s), nil
	case ImportBuyers:
		var b sc.BuyerInput
		if err := decode(&b); err != nil {
			return nil, err
		}
		if err := b.Validate(); err != nil {
			return nil, invalid(err)
		}
		return buyerRow(line, ref, &b), nil
	case ImportOrders:
		var o sc.OrderInput
		if err := decode(&o); err != nil {
			return nil, err
		}
		if len(o.Disputes)+len(o.ReturnClaims) > 0 {
			return nil, invalid(errors.New("disputes and return claims are imported from files of their own (--kind disputes, --kind return_claims)"))
		}
		if err := o.Validate(now); err != nil {
			return nil, invalid(err)
		}
		return orderRow(line, ref, &o), nil
	case ImportDisputes:
		var d disputeRecord
		if err := decode(&d); err != nil {
			return nil, err
		}
		errs := sc.AsErrors(d.DisputeInput.Validate(time.Time{}, now))
		checkImportNumber(&errs, "orderNumber", d.OrderNumber)
		if len(errs) > 0 {
			return nil, invalid(errs)
		}
		return disputeRow(line, ref, d.OrderNumber, &d.DisputeInput), nil
	}
	var rc returnClaimRecord
	if err := decode(&rc); err != nil {
		return nil, err
	}
	errs := sc.AsErrors(rc.ReturnClaimInput.Validate(time.Time{}, now))
	checkImportNumber(&errs, "orderNumber", rc.OrderNumber)
	if len(errs) > 0 {
		return nil, invalid(errs)
	}
	return returnClaimRow(line, ref, rc.OrderNumber, &rc.ReturnClaimInput), nil
}

func checkImportNumber(errs *sc.Errors, field, v string) {
	if v == "" {
		*errs = append(*errs, sc.FieldErrorf(field, sc.EINVALID, "%s is required", field))
	}
}

// ndjsonRecords reads one JSON object per line; blank lines are skipped.
func ndjsonRecords(r io.Reader) func() (int, map[string]any, []byte, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxImportLine)
	line := 0
	return func() (int, map[string]any, []byte, error) {
		for s.Scan() {
			line++
			b := bytes.TrimSpace(s.Bytes())
			if len(b) == 0 {
				continue
			}
			return line, nil, b, nil
		}
		if err := s.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return line + 1, nil, nil, fmt.Errorf("line longer than %d bytes", maxImportLine)
			}
			return line + 1, nil, nil, err
		}
		return line, nil, nil, io.EOF
	}
}

// csvRecords reads a CSV file with a header row naming some of cols; empty cells are absent
// values.
func csvRecords(r io.Reader, cols []string) func() (int, map[string]any, []byte, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	var header []string
	var headerErr error
	return func() (int, map[string]any, []byte, error) {
		if header == nil && headerErr == nil {
			h, err := cr.Read()
			if err == io.EOF {
				return 1, nil, nil, io.EOF
			}
			if err != nil {
				headerErr = err
			} else {
				header = slices.Clone(h)
				for _, c := range header {
					if !slices.Contains(cols, c) {
						headerErr = fmt.Errorf("unknown column %q; the columns are %s", c, strings.Join(cols, ","))
					}
				}
			}
		}
		if headerErr != nil {
			return 1, nil, nil, headerErr
		}
		row, err := cr.Read()
		line, _ := cr.FieldPos(0)
		if err != nil {
			if err == io.EOF {
				return line, nil, nil, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return pe.Line, nil, nil, pe.Err
			}
			return line, nil, nil, err
		}
		rec := map[string]any{}
		for i, v := range row {
			if v == "" {
				continue
			}
			var val any = v
			if intColumns[header[i]] {
				n, err := strconv.Atoi(v)
				if err != nil {
					return line, nil, nil, fmt.Errorf("%s: %q is not a whole number", header[i], v)
				}
				val = n
			}
			outer, inner, nested := strings.Cut(header[i], ".")
			if !nested {
				rec[outer] = val
				continue
			}
			sub, _ := rec[outer].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
				rec[outer] = sub
			}
			sub[inner] = val
		}
		return line, rec, nil, nil
	}
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
