package db

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.IntakeService = (*DB)(nil)

const parcelColumns = `p.id, p.store_id, p.rma_id, p.tracking_number, p.notes, p.received_at`

// ReceiveParcel implements secondchance.IntakeService. A parcel is matched to an open return
// authorisation of the staff's own store by its RMA code or tracking number, its items are
// logged, the discrepancies with the authorisation recorded, and the authorisation marked
// RECEIVED; without a code or tracking number it is logged UNMATCHED.
func (db *DB) ReceiveParcel(ctx context.Context, in sc.ParcelInput) (*sc.Parcel, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var p sc.Parcel
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		rma, rmaLines, err := db.parcelRMA(ctx, tx, a.StoreID, in)
		if err != nil {
			return err
		}
		if rma == nil && in.RMACode == nil && in.TrackingNumber != nil {
			// The tracking number is shared by several open authorisations: the parcel stays
			// unmatched and its items answer to no line until staff match it (matchParcel).
			items := make([]sc.ReceivedItemInput, len(in.Items))
			for i, it := range in.Items {
				it.RMALine = nil
				items[i] = it
			}
			in.Items = items
		}
		known := map[int]bool{}
		for _, l := range rmaLines {
			known[l] = true
		}
		var errs sc.Errors
		for i, it := range in.Items {
			if it.RMALine != nil && !known[*it.RMALine] {
				errs = append(errs, sc.FieldErrorf(elementField("items", i, "rmaLine"), sc.EINVALID, "the authorisation has no line %d", *it.RMALine))
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		var rmaID *int64
		tracking := in.TrackingNumber
		if rma != nil {
			rmaID = &rma.ID
			if tracking == nil {
				tracking = rma.TrackingNumber
			}
		}
		if err := tx.GetContext(ctx, &p, `INSERT INTO parcels AS p (store_id, rma_id, tracking_number, notes, received_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+parcelColumns, a.StoreID, rmaID, tracking, deref(in.Notes), tokenRef(a)); err != nil {
			return err
		}
		n := len(in.Items)
		desc, grade, notes, photos := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		lines := make([]*int64, n)
		for i, it := range in.Items {
			desc[i], grade[i], notes[i] = it.Description, string(it.Grade), deref(it.Notes)
			js, _ := pq.Array(it.PhotoURLs).Value()
			if js == nil {
				js = "{}"
			}
			photos[i] = js.(string)
			if it.RMALine != nil {
				l := int64(*it.RMALine)
				lines[i] = &l
			}
		}
		if rma != nil {
			ds := sc.Discrepancies(rmaLines, in.Items)
			for _, d := range ds {
				if _, err := tx.ExecContext(ctx, `INSERT INTO parcel_discrepancies (parcel_id, seq, kind, rma_line, note) VALUES ($1, $2, $3, $4, $5)`,
					p.ID, d.Seq, d.Kind, d.RMALine, d.Note); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE return_authorizations SET status = 'RECEIVED', updated_at = $2 WHERE id = $1`, rma.ID, db.Now()); err != nil {
				return err
			}
		}
		// The items go last: their insert updates the store's row of the day's totals, which
		// every intake of the store that day needs, so it is held from here to the commit only.
		p.Logged = []*sc.ReturnedItem{}
		if n > 0 {
			if err := tx.SelectContext(ctx, &p.Logged, `WITH i AS (INSERT INTO returned_items (parcel_id, store_id, line, rma_line, description, grade, notes, photo_urls)
				SELECT $1, $7, x.line, x.rma_line, x.description, x.grade, x.notes, x.photos::text[]
				FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(rma_line, description, grade, notes, photos, line)
				RETURNING *)
				SELECT `+itemColumns+` FROM i ORDER BY i.line`,
				p.ID, pq.Array(lines), pq.Array(desc), pq.Array(grade), pq.Array(notes), pq.Array(photos), p.StoreID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// parcelRMA finds the authorisation a parcel received at store answers to, locked, with its
// lines: by RMA code, which is unique, or by tracking number, which is not. A seller may put any
// tracking number on its return, another seller's too, so a number that more than one open
// authorisation of the store carries matches none of them (nil, no error): the parcel is logged
// unmatched and its candidates are listed to staff, who choose. Picking one would hand a seller
// who copied the number the other seller's goods.
func (db *DB) parcelRMA(ctx context.Context, tx *sqlx.Tx, store int64, in sc.ParcelInput) (*sc.ReturnAuthorization, []int, error) {
	if in.RMACode == nil && in.TrackingNumber == nil {
		return nil, nil, nil
	}
	field, by, value := "rmaCode", "code", ""
	if in.RMACode != nil {
		value = *in.RMACode
	} else {
		field, by, value = "trackingNumber", "tracking_number", *in.TrackingNumber
	}
	var rs []struct {
		sc.ReturnAuthorization
		Lines pq.Int64Array `db:"lines"`
	}
	// Another store's authorisations do not exist for this store's staff.
	if err := tx.SelectContext(ctx, &rs, `SELECT `+rmaColumns+`,
			ARRAY(SELECT l.line FROM return_authorization_items l WHERE l.rma_id = r.id ORDER BY l.line) AS lines
		FROM return_authorizations r WHERE r.`+by+` = $1 AND r.store_id = $2 ORDER BY r.id FOR UPDATE OF r`, value, store); err != nil {
		return nil, nil, err
	}
	if len(rs) == 0 {
		return nil, nil, sc.FieldErrorf(field, sc.ENOTFOUND, "no return authorisation of this store with %s %q", by, value)
	}
	open := rs[:0:0]
	for _, r := range rs {
		if st := r.StatusAt(db.Now()); st == sc.RMAAuthorized || st == sc.RMAInTransit {
			open = append(open, r)
		}
	}
	switch len(open) {
	case 0:
		return nil, nil, sc.FieldErrorf(field, sc.ERMANOTOPEN, "return authorisation %s is %s", rs[0].Code, rs[0].StatusAt(db.Now()))
	case 1:
		lines := make([]int, len(open[0].Lines))
		for i, l := range open[0].Lines {
			lines[i] = int(l)
		}
		return &open[0].ReturnAuthorization, lines, nil
	}
	return nil, nil, nil
}

// ParcelCandidates implements secondchance.IntakeService (staff and admins): for each unmatched
// parcel, the open authorisations of its store that carry its tracking number, oldest first.
func (db *DB) ParcelCandidates(ctx context.Context, parcelIDs []int64) ([][]*sc.ReturnAuthorization, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin); err != nil {
		return nil, err
	}
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ParcelID int64 `db:"parcel_id"`
		sc.ReturnAuthorization
	}
	if err := db.SelectContext(ctx, &rows, `SELECT p.id AS parcel_id, `+rmaColumns+`
		FROM parcels p JOIN return_authorizations r ON r.store_id = p.store_id AND r.tracking_number = p.tracking_number
		WHERE p.id = ANY($1) AND p.rma_id IS NULL AND r.status IN ('AUTHORIZED', 'IN_TRANSIT') AND `+parcelVisible+`
		ORDER BY p.id, r.id`, append([]any{pq.Array(parcelIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	at := make(map[int64]int, len(parcelIDs))
	for i, id := range parcelIDs {
		at[id] = i
	}
	out := make([][]*sc.ReturnAuthorization, len(parcelIDs))
	for i := range out {
		out[i] = []*sc.ReturnAuthorization{}
	}
	now := db.Now()
	for _, row := range rows {
		r := row.ReturnAuthorization
		if st := r.StatusAt(now); st != sc.RMAAuthorized && st != sc.RMAInTransit {
			continue
		}
		if i, ok := at[row.ParcelID]; ok {
			out[i] = append(out[i], &r)
		}
	}
	return out, nil
}

// parcelScope: staff read their store's parcels, admins all, a seller the parcels of its own
// authorisations.
func parcelScope(ctx context.Context) (rmaScope, error) { return rmaScopeOf(ctx) }

const parcelVisible = `($2 OR p.store_id = $4 OR EXISTS (SELECT 1 FROM return_authorizations r WHERE r.id = p.rma_id AND r.seller_id = $3))`

// ParcelsByRMA implements secondchance.IntakeService.
func (db *DB) ParcelsByRMA(ctx context.Context, rmaIDs []int64) ([]*sc.Parcel, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Parcel
	if err := db.SelectContext(ctx, &rows, `SELECT `+parcelColumns+` FROM parcels p WHERE p.rma_id = ANY($1) AND `+parcelVisible,
		append([]any{pq.Array(rmaIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return byID(rmaIDs, rows, func(p *sc.Parcel) int64 { return *p.RMAID }), nil
}

// ParcelItems implements secondchance.IntakeService.
func (db *DB) ParcelItems(ctx context.Context, parcelIDs []int64) ([][]*sc.ReturnedItem, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ReturnedItem
	if err := db.SelectContext(ctx, &rows, `SELECT i.id, i.parcel_id, i.line, i.rma_line, i.description, i.grade, i.notes, i.route, i.status,
			to_json(i.photo_urls) AS photo_urls
		FROM returned_items i JOIN parcels p ON p.id = i.parcel_id WHERE i.parcel_id = ANY($1) AND `+parcelVisible+` ORDER BY i.parcel_id, i.line`,
		append([]any{pq.Array(parcelIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(parcelIDs, rows, func(i *sc.ReturnedItem) int64 { return i.ParcelID }), nil
}

// ParcelDiscrepancies implements secondchance.IntakeService.
func (db *DB) ParcelDiscrepancies(ctx context.Context, parcelIDs []int64) ([][]*sc.Discrepancy, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Discrepancy
	if err := db.SelectContext(ctx, &rows, `SELECT d.parcel_id, d.seq, d.kind, d.rma_line, d.note
		FROM parcel_discrepancies d JOIN parcels p ON p.id = d.parcel_id WHERE d.parcel_id = ANY($1) AND `+parcelVisible+` ORDER BY d.parcel_id, d.seq`,
		append([]any{pq.Array(parcelIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(parcelIDs, rows, func(d *sc.Discrepancy) int64 { return d.ParcelID }), nil
}

// ListParcels implements secondchance.IntakeService: a store's receiving queue, newest first.
func (db *DB) ListParcels(ctx context.Context, unmatchedOnly bool, page sc.PageArgs) (*sc.Page[*sc.Parcel], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin); err != nil {
		return nil, err
	}
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterTime, afterID, err := timePage(listParcels, page)
	if err != nil {
		return nil, err
	}
	cond := `($1 = false OR p.rma_id IS NULL) AND ` + parcelVisible
	args := append([]any{unmatchedOnly}, sp.args()...)
	var rows []*sc.Parcel
	err = db.SelectContext(ctx, &rows, `SELECT `+parcelColumns+` FROM parcels p WHERE `+cond+`
		AND ($5::timestamptz IS NULL OR (p.received_at, p.id) < ($5, $6)) ORDER BY p.received_at DESC, p.id DESC LIMIT $7`,
		append(args, afterTime, afterID, limit+1)...)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(p *sc.Parcel) string { return timeCursor(listParcels, p.ReceivedAt, p.ID) },
		db.countFunc(`SELECT count(*) FROM parcels p WHERE `+cond, args...)), nil
}

// ParcelsByID returns visible parcels in the order of ids, for node(id:).
func (db *DB) ParcelsByID(ctx context.Context, ids []int64) ([]*sc.Parcel, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Parcel
	if err := db.SelectContext(ctx, &rows, `SELECT `+parcelColumns+` FROM parcels p WHERE p.id = ANY($1) AND `+parcelVisible,
		append([]any{pq.Array(ids)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(p *sc.Parcel) int64 { return p.ID }), nil
}

var _ sc.ParcelMatcher = (*DB)(nil)

// MatchParcel implements secondchance.ParcelMatcher: the parcel takes the authorisation, its
// items their lines, the discrepancies are recorded and the authorisation is RECEIVED, as if
// the parcel had come with its code.
func (db *DB) MatchParcel(ctx context.Context, in sc.MatchInput) (*sc.Parcel, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	parcelID := in.Parcel
	var p sc.Parcel
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &p, `SELECT `+parcelColumns+` FROM parcels p WHERE p.id = $1 AND p.store_id = $2 FOR UPDATE`, parcelID, a.StoreID); err != nil {
			return notFound(err, "parcel", "no parcel of this store with this ID")
		}
		if p.Matched() {
			return sc.FieldErrorf("parcel", sc.ECONFLICT, "the parcel is already matched")
		}
		var r sc.ReturnAuthorization
		if err := tx.GetContext(ctx, &r, `SELECT `+rmaColumns+` FROM return_authorizations r WHERE r.code = $1 AND r.store_id = $2 FOR UPDATE`,
			in.RMACode, a.StoreID); err != nil {
			return notFound(err, "rmaCode", "no return authorisation of this store with code %q", in.RMACode)
		}
		if st := r.StatusAt(db.Now()); st != sc.RMAAuthorized && st != sc.RMAInTransit {
			return sc.FieldErrorf("rmaCode", sc.ERMANOTOPEN, "return authorisation %s is %s", r.Code, st)
		}
		var rmaLines []int
		if err := tx.SelectContext(ctx, &rmaLines, `SELECT line FROM return_authorization_items WHERE rma_id = $1 ORDER BY line`, r.ID); err != nil {
			return err
		}
		var items []*sc.ReturnedItem
		if err := tx.SelectContext(ctx, &items, `SELECT id, parcel_id, line, rma_line, description, grade, notes, route, status, to_json(photo_urls) AS photo_urls
			FROM returned_items WHERE parcel_id = $1 ORDER BY line`, p.ID); err != nil {
			return err
		}
		known := map[int]bool{}
		for _, l := range rmaLines {
			known[l] = true
		}
		byLine := map[int]int{}
		var errs sc.Errors
		for i, m := range in.Lines {
			if m.Item < 1 || m.Item > len(items) {
				errs = append(errs, sc.FieldErrorf(elementField("lines", i, "item"), sc.EINVALID, "the parcel has no item %d", m.Item))
			}
			if !known[m.RMALine] {
				errs = append(errs, sc.FieldErrorf(elementField("lines", i, "rmaLine"), sc.EINVALID, "the authorisation has no line %d", m.RMALine))
			}
			if _, dup := byLine[m.Item]; dup {
				errs = append(errs, sc.FieldErrorf(elementField("lines", i, "item"), sc.EINVALID, "item %d is matched twice", m.Item))
			}
			byLine[m.Item] = m.RMALine
		}
		if err := errs.Err(); err != nil {
			return err
		}
		received := make([]sc.ReceivedItemInput, len(items))
		for i, it := range items {
			received[i] = sc.ReceivedItemInput{Description: it.Description, Grade: it.Grade}
			if l, ok := byLine[it.Line]; ok {
				received[i].RMALine = &l
				if _, err := tx.ExecContext(ctx, `UPDATE returned_items SET rma_line = $2 WHERE id = $1`, it.ID, l); err != nil {
					return err
				}
			}
		}
		for _, d := range sc.Discrepancies(rmaLines, received) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcel_discrepancies (parcel_id, seq, kind, rma_line, note) VALUES ($1, $2, $3, $4, $5)`,
				p.ID, d.Seq, d.Kind, d.RMALine, d.Note); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE return_authorizations SET status = 'RECEIVED', updated_at = $2 WHERE id = $1`, r.ID, db.Now()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &p, `UPDATE parcels p SET rma_id = $2, tracking_number = coalesce(p.tracking_number, $3)
			WHERE p.id = $1 RETURNING `+parcelColumns, p.ID, r.ID, r.TrackingNumber)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}
