package db

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

// list names a paginated list. Its cursors carry the name, so that a cursor of one list (an
// order's placed-at time and ID) is refused by another (reports, ordered by their own time and
// ID) instead of quietly paginating from the wrong place.
type list string

// The lists that make cursors, named as the API's fields are.
const (
	listBatches              list = "batches"
	listBuyers               list = "buyers"
	listCertificates         list = "certificates"
	listDisbursements        list = "disbursements"
	listIndicatorAdjustments list = "indicatorAdjustments"
	listOrders               list = "orders"
	listParcels              list = "parcels"
	listReports              list = "reports"
	listReturnAuthorizations list = "returnAuthorizations"
	listReturnedItems        list = "returnedItems"
	listSellers              list = "sellers"
	listStores               list = "stores"
	listTokens               list = "tokens"
	listVerdicts             list = "verdicts"
)

// Cursors are the list's name and the keyset of the row they point at, joined with the unit
// separator and base64url encoded (no padding). Clients treat them as opaque; a cursor that does
// not decode, or is another list's, is INVALID on field "after".
func encodeCursor(l list, parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(append([]string{string(l)}, parts...), "\x1f")))
}

// decodeCursor returns the n keyset parts of a cursor of list l, or nil without a cursor.
func decodeCursor(l list, after *string, n int) ([]string, error) {
	if after == nil {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*after)
	parts := strings.Split(string(raw), "\x1f")
	if err != nil || len(parts) != n+1 || parts[0] != string(l) {
		return nil, notACursor(l, *after)
	}
	return parts[1:], nil
}

func notACursor(l list, after string) error {
	return sc.FieldErrorf("after", sc.EINVALID, "%q is not a cursor of %s; use a cursor returned by it", after, l)
}

// idPage validates a request for a page of a list ordered by ID and returns its size and the
// ID it continues after (nil for the first page).
func idPage(l list, page sc.PageArgs) (limit int, afterID *int64, err error) {
	if limit, err = page.Limit(); err != nil {
		return 0, nil, err
	}
	cur, err := decodeCursor(l, page.After, 1)
	if err != nil || cur == nil {
		return limit, nil, err
	}
	id, perr := strconv.ParseInt(cur[0], 10, 64)
	if perr != nil {
		return 0, nil, notACursor(l, *page.After)
	}
	return limit, &id, nil
}

// timePage validates a request for a page of a list ordered newest first by a time and then by
// ID, and returns its size and the time and ID it continues after (nil for the first page).
func timePage(l list, page sc.PageArgs) (limit int, afterTime *time.Time, afterID int64, err error) {
	if limit, err = page.Limit(); err != nil {
		return 0, nil, 0, err
	}
	cur, err := decodeCursor(l, page.After, 2)
	if err != nil || cur == nil {
		return limit, nil, 0, err
	}
	t, terr := time.Parse(time.RFC3339Nano, cur[0])
	id, ierr := strconv.ParseInt(cur[1], 10, 64)
	if terr != nil || ierr != nil {
		return 0, nil, 0, notACursor(l, *page.After)
	}
	return limit, &t, id, nil
}

// timeCursor is the cursor of a row in a list ordered by a time and then by ID.
func timeCursor(l list, t time.Time, id int64) string {
	return encodeCursor(l, t.UTC().Format(time.RFC3339Nano), strconv.FormatInt(id, 10))
}

// idCursor is the cursor of a row in a list ordered by ID.
func idCursor(l list, id int64) string { return encodeCursor(l, strconv.FormatInt(id, 10)) }

// newPage trims the one extra row that list queries fetch to learn whether another page
// follows; cursor makes a row's cursor when one is asked for.
func newPage[T any](rows []T, limit int, after *string, cursor func(T) string, count func(context.Context) (int, error)) *sc.Page[T] {
	p := &sc.Page[T]{HasPrevious: after != nil, Count: count, Cursor: cursor}
	if len(rows) > limit {
		rows = rows[:limit]
		p.HasNextPage = true
	}
	p.Items = rows
	return p
}

// countFunc returns a Count that runs query only when a client asks for totalCount.
func (db *DB) countFunc(query string, args ...any) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		var n int
		err := db.GetContext(ctx, &n, query, args...)
		return n, mapError(err)
	}
}

// byID puts rows in the order of ids, with nil where a row is missing, as dataloaders need.
func byID[T any](ids []int64, rows []T, id func(T) int64) []T {
	at := make(map[int64]T, len(rows))
	for _, r := range rows {
		at[id(r)] = r
	}
	out := make([]T, len(ids))
	for i, k := range ids {
		out[i] = at[k]
	}
	return out
}

// scope says which rows an actor may read: all (admins) or those of one seller. Staff read the
// orders returned to their store, and no other seller data.
type scope struct {
	all      bool
	sellerID int64
	// storeID is a staff actor's store, whose returns' orders it reads.
	storeID int64
}

// seller is the scope's seller as a statement parameter: NULL unless the actor is a seller, and
// store likewise. A scope's condition is a disjunction, `($1 OR o.seller_id = $2 OR …)`; every
// statement of this package is planned with its parameters' values (lib/pq's unnamed
// statements), and the planner folds `col = NULL` to NULL and drops it from the OR, so each
// actor's statement is planned as if written for its role alone and reaches the index of the
// column that remains. An ID of 0 matches nothing too, but stays in the plan: a seller's
// `o.seller_id = 5 OR ra.store_id = 0` is a bitmap OR of both indexes, or a scan of the table.
func (s scope) seller() *int64 { return nullID(s.sellerID) }

func (s scope) store() *int64 { return nullID(s.storeID) }

// nullID is id as a statement parameter, NULL for 0 (no such row: identities start at 1).
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func sellerScope(ctx context.Context) (scope, error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return scope{}, err
	}
	switch a.Role {
	case sc.RoleAdmin:
		return scope{all: true}, nil
	case sc.RoleSeller:
		return scope{sellerID: a.SellerID}, nil
	}
	return scope{storeID: a.StoreID}, nil
}

// prefixPattern turns a search text into a case-insensitive LIKE prefix pattern, with LIKE's
// wildcards in the text matched literally.
func prefixPattern(search *string) *string {
	if search == nil || *search == "" {
		return nil
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	p := strings.ToLower(r.Replace(*search)) + "%"
	return &p
}

// elementField names a field of one element of an input list, e.g. items.3.rmaLine.
func elementField(list string, i int, field string) string {
	return list + "." + strconv.Itoa(i) + "." + field
}

// where builds a statement's conditions from those that apply, numbering their parameters from
// $1 in the order added, so that each actor's and filter's statement holds only its own
// conditions. Such statements are planned with their values (lib/pq's unnamed statements) and
// never prepared: a generic plan is made for an average seller, and a list ordered by time and
// cut at a page sorts every row of the largest seller when the average one has fewer rows
// than a page.
type where struct {
	conds []string
	args  []any
}

// add adds cond, in which each "$?" is the next parameter, taking args in order.
func (w *where) add(cond string, args ...any) {
	if strings.Count(cond, "$?") != len(args) {
		panic("where.add: the condition's placeholders and arguments differ: " + cond)
	}
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "$?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// sql returns the conditions joined by AND, or TRUE when there are none.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// next is the next parameter's placeholder, e.g. for a LIMIT after the conditions.
func (w *where) next(arg any) string {
	w.args = append(w.args, arg)
	return "$" + strconv.Itoa(len(w.args))
}
