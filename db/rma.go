package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.ReturnService = (*DB)(nil)

const rmaColumns = `r.id, r.code, r.seller_id, r.order_id, r.store_id, r.report_id, r.status, r.tracking_number,
	r.created_at, r.updated_at, r.expires_at`

// universalStore is the store whose address every seller gives its buyers.
const universalStore = `SCS`

// CreateRMA implements secondchance.ReturnService.
func (db *DB) CreateRMA(ctx context.Context, in sc.RMAInput) (*sc.ReturnAuthorization, error) {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	reportID := in.Report
	var rma sc.ReturnAuthorization
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var o sc.Order
		if err := tx.GetContext(ctx, &o, `SELECT `+orderColumns+` FROM orders o WHERE o.number = $1`, in.OrderNumber); err != nil {
			return notFound(err, "orderNumber", "no order with number %q", in.OrderNumber)
		}
		if o.SellerID != a.SellerID {
			return sc.FieldErrorf("orderNumber", sc.EORDERNOTOWNED, "order %s is not one of your orders", in.OrderNumber)
		}
		if reportID != nil {
			var ok bool
			if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM reports WHERE id = $1 AND seller_id = $2 AND order_id = $3)`,
				*reportID, a.SellerID, o.ID); err != nil {
				return err
			}
			if !ok {
				return sc.FieldErrorf("report", sc.EINVALID, "the report is not one of yours on order %s", in.OrderNumber)
			}
		}
		var open string
		err := tx.GetContext(ctx, &open, `SELECT code FROM return_authorizations WHERE order_id = $1 AND status IN ('AUTHORIZED', 'IN_TRANSIT')
			AND NOT (status = 'AUTHORIZED' AND expires_at < $2)`, o.ID, db.Now())
		if err == nil {
			return sc.FieldErrorf("orderNumber", sc.ECONFLICT, "order %s already has an open return authorisation, %s", in.OrderNumber, open)
		}
		if sc.ErrorCode(mapError(err)) != sc.ENOTFOUND {
			return err
		}
		// An expired one still holds the order's live slot until it is closed here.
		if _, err := tx.ExecContext(ctx, `UPDATE return_authorizations SET status = 'EXPIRED', updated_at = $2
			WHERE order_id = $1 AND status = 'AUTHORIZED' AND expires_at < $2`, o.ID, db.Now()); err != nil {
			return err
		}
		n := len(in.Items)
		desc, cat := make([]string, n), make([]string, n)
		qty := make([]int64, n)
		cents := make([]int64, n)
		for i, it := range in.Items {
			m, _ := sc.ParseMoney(it.DeclaredValue.Amount, it.DeclaredValue.Currency) // validated
			desc[i], cat[i], qty[i], cents[i] = it.Description, it.Category, int64(it.Quantity), m.Cents
		}
		return tx.GetContext(ctx, &rma, `WITH r AS (
				INSERT INTO return_authorizations (code, seller_id, order_id, store_id, report_id, expires_at)
				SELECT $1, $2, $3, s.id, $4, $5 FROM stores s WHERE s.code = $6
				RETURNING *),
			items AS (INSERT INTO return_authorization_items (rma_id, line, description, quantity, category, declared_cents, currency)
				SELECT r.id, x.line, x.description, x.quantity, x.category, x.cents, $11
				FROM r, unnest($7::text[], $8::bigint[], $9::text[], $10::bigint[]) WITH ORDINALITY AS x(description, quantity, category, cents, line))
			SELECT `+rmaColumns+` FROM r`,
			db.Codes.RMACode(), a.SellerID, o.ID, reportID, db.Now().Add(db.RMAExpiry), universalStore,
			pq.Array(desc), pq.Array(qty), pq.Array(cat), pq.Array(cents), sc.DefaultCurrency)
	})
	if err != nil {
		return nil, err
	}
	return &rma, nil
}

// changeRMA applies a seller's change to one of its authorisations while it is open to it.
func (db *DB) changeRMA(ctx context.Context, id int64, allowed []sc.RMAStatus, query string, args ...any) (*sc.ReturnAuthorization, error) {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return nil, err
	}
	var rma sc.ReturnAuthorization
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &rma, `SELECT `+rmaColumns+` FROM return_authorizations r WHERE r.id = $1 AND r.seller_id = $2 FOR UPDATE`, id, a.SellerID); err != nil {
			return notFound(err, "id", "no return authorisation with this ID")
		}
		st := rma.StatusAt(db.Now())
		ok := false
		for _, s := range allowed {
			ok = ok || st == s
		}
		if !ok {
			return sc.FieldErrorf("id", sc.ERMANOTOPEN, "the return authorisation is %s", st)
		}
		return tx.GetContext(ctx, &rma, query, append([]any{id, db.Now()}, args...)...)
	})
	if err != nil {
		return nil, err
	}
	return &rma, nil
}

// CancelRMA implements secondchance.ReturnService: only before the parcel is on its way.
func (db *DB) CancelRMA(ctx context.Context, id int64) (*sc.ReturnAuthorization, error) {
	return db.changeRMA(ctx, id, []sc.RMAStatus{sc.RMAAuthorized},
		`UPDATE return_authorizations r SET status = 'CANCELLED', updated_at = $2 WHERE r.id = $1 RETURNING `+rmaColumns)
}

// AddRMATracking implements secondchance.ReturnService. A number another open return already
// carries, of this seller or another, is accepted like any other and the answer says nothing of
// it: refusing it (CONFLICT) or flagging it to the seller would let a seller test other sellers'
// tracking numbers. Intake never matches such a number to either return (parcelRMA); staff do.
func (db *DB) AddRMATracking(ctx context.Context, id int64, tracking string) (*sc.ReturnAuthorization, error) {
	n, err := sc.NormalizeTrackingNumber(tracking)
	if err != nil {
		return nil, sc.FieldErrorf("trackingNumber", sc.EINVALID, "%s", sc.ErrorMessage(err))
	}
	return db.changeRMA(ctx, id, []sc.RMAStatus{sc.RMAAuthorized, sc.RMAInTransit},
		`UPDATE return_authorizations r SET status = 'IN_TRANSIT', tracking_number = $3, updated_at = $2 WHERE r.id = $1 RETURNING `+rmaColumns, n)
}

// rmaScope is who may read an authorisation: a seller its own, staff their store's, admins
// all. rmaScoped is its condition on return_authorizations r, with parameters $n to $n+2.
type rmaScope struct {
	all      bool
	sellerID int64
	storeID  int64
}

func rmaScopeOf(ctx context.Context) (rmaScope, error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return rmaScope{}, err
	}
	switch a.Role {
	case sc.RoleAdmin:
		return rmaScope{all: true}, nil
	case sc.RoleSeller:
		return rmaScope{sellerID: a.SellerID}, nil
	}
	return rmaScope{storeID: a.StoreID}, nil
}

func (s rmaScope) where(n int) string {
	return fmt.Sprintf(`($%d OR r.seller_id = $%d OR r.store_id = $%d)`, n, n+1, n+2)
}

// args are the scope's parameters, NULL for the IDs the actor has none of (see scope.seller).
func (s rmaScope) args() []any { return []any{s.all, nullID(s.sellerID), nullID(s.storeID)} }

// ListRMAs implements secondchance.ReturnService, newest first.
func (db *DB) ListRMAs(ctx context.Context, f sc.RMAFilter, page sc.PageArgs) (*sc.Page[*sc.ReturnAuthorization], error) {
	sp, err := rmaScopeOf(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterTime, afterID, err := timePage(listReturnAuthorizations, page)
	if err != nil {
		return nil, err
	}
	// The stored status is filtered as clients see it: EXPIRED is AUTHORIZED past its date.
	cond := sp.where(3) + ` AND ($1::text IS NULL
		OR ($1 = 'EXPIRED' AND (r.status = 'EXPIRED' OR (r.status = 'AUTHORIZED' AND r.expires_at < $2)))
		OR ($1 = 'AUTHORIZED' AND r.status = 'AUTHORIZED' AND r.expires_at >= $2)
		OR ($1 NOT IN ('EXPIRED', 'AUTHORIZED') AND r.status = $1))
		AND ($6::text IS NULL OR r.code = $6 OR r.tracking_number = $7)`
	var code, tracking *string
	if f.Search != nil {
		c := strings.ToUpper(strings.TrimSpace(*f.Search))
		code, tracking = &c, &c
		if n, err := sc.NormalizeTrackingNumber(*f.Search); err == nil {
			tracking = &n
		}
	}
	args := append(append([]any{f.Status, db.Now()}, sp.args()...), code, tracking)
	var rows []*sc.ReturnAuthorization
	err = db.SelectContext(ctx, &rows, `SELECT `+rmaColumns+` FROM return_authorizations r WHERE `+cond+`
		AND ($8::timestamptz IS NULL OR (r.created_at, r.id) < ($8, $9)) ORDER BY r.created_at DESC, r.id DESC LIMIT $10`,
		append(args, afterTime, afterID, limit+1)...)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(r *sc.ReturnAuthorization) string { return timeCursor(listReturnAuthorizations, r.CreatedAt, r.ID) },
		db.countFunc(`SELECT count(*) FROM return_authorizations r WHERE `+cond, args...)), nil
}

// RMAsByID implements secondchance.ReturnService.
func (db *DB) RMAsByID(ctx context.Context, ids []int64) ([]*sc.ReturnAuthorization, error) {
	sp, err := rmaScopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ReturnAuthorization
	if err := db.SelectContext(ctx, &rows, `SELECT `+rmaColumns+` FROM return_authorizations r WHERE r.id = ANY($1) AND `+sp.where(2),
		append([]any{pq.Array(ids)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(r *sc.ReturnAuthorization) int64 { return r.ID }), nil
}

// RMAItems implements secondchance.ReturnService.
func (db *DB) RMAItems(ctx context.Context, ids []int64) ([][]*sc.RMAItem, error) {
	sp, err := rmaScopeOf(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.RMAItem
	if err := db.SelectContext(ctx, &rows, `SELECT i.rma_id, i.line, i.description, i.quantity, i.category, i.declared_cents, i.currency
		FROM return_authorization_items i JOIN return_authorizations r ON r.id = i.rma_id
		WHERE i.rma_id = ANY($1) AND `+sp.where(2)+` ORDER BY i.rma_id, i.line`, append([]any{pq.Array(ids)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(ids, rows, func(i *sc.RMAItem) int64 { return i.RMAID }), nil
}

// UniversalReturnAddress implements secondchance.ReturnService.
func (db *DB) UniversalReturnAddress(ctx context.Context) (*sc.Store, error) {
	if _, err := sc.RequireActor(ctx); err != nil {
		return nil, err
	}
	var s sc.Store
	err := db.GetContext(ctx, &s, `SELECT `+storeColumns+` FROM stores WHERE code = $1`, universalStore)
	return &s, mapError(err)
}

// ReturnLabel reads what an RMA's label and packing slip print, by its code. It checks no
// actor: the caller holds a signed link to it.
func (db *DB) ReturnLabel(ctx context.Context, code string) (*sc.ReturnLabel, error) {
	var row struct {
		sc.ReturnAuthorization
		OrderNumber string `db:"order_number"`
		SellerName  string `db:"seller_name"`
	}
	if err := db.GetContext(ctx, &row, `SELECT `+rmaColumns+`, o.number AS order_number, s.name AS seller_name
		FROM return_authorizations r JOIN orders o ON o.id = r.order_id JOIN sellers s ON s.id = r.seller_id WHERE r.code = $1`, code); err != nil {
		return nil, notFound(err, "code", "no return authorisation %s", code)
	}
	store, err := db.storeByID(ctx, row.StoreID)
	if err != nil {
		return nil, err
	}
	var items []sc.RMAItem
	if err := db.SelectContext(ctx, &items, `SELECT rma_id, line, description, quantity, category, declared_cents, currency
		FROM return_authorization_items WHERE rma_id = $1 ORDER BY line`, row.ID); err != nil {
		return nil, mapError(err)
	}
	rma := &row.ReturnAuthorization
	return &sc.ReturnLabel{Code: rma.Code, OrderNumber: row.OrderNumber, SellerName: row.SellerName, Address: store.ReturnAddress(),
		ExpiresAt: rma.ExpiresAt, CreatedAt: rma.CreatedAt, Items: items, Instructions: rma.Instructions(store)}, nil
}

// ReturnLabelPDF implements secondchance.FileService: the RMA's label and packing slip.
func (db *DB) ReturnLabelPDF(ctx context.Context, code string) ([]byte, error) {
	l, err := db.ReturnLabel(ctx, code)
	if err != nil {
		return nil, err
	}
	return db.CertificateSetup.Renderer.ReturnLabel(l)
}
