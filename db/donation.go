package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.DonationService = (*DB)(nil)

const beneficiaryColumns = `b.id, b.name, b.ein, b.address_line1, b.city, b.region, b.postal_code, b.country, b.created_at`

// CreateBeneficiary implements secondchance.DonationService (admins).
func (db *DB) CreateBeneficiary(ctx context.Context, in sc.BeneficiaryInput) (*sc.Beneficiary, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var b sc.Beneficiary
	err := db.GetContext(ctx, &b, `INSERT INTO beneficiaries AS b (name, ein, address_line1, city, region, postal_code, country)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+beneficiaryColumns, in.Name, in.EIN, in.AddressLine1, in.City, in.Region, in.PostalCode, in.Country)
	if err != nil {
		return nil, mapError(err)
	}
	return &b, nil
}

// BeneficiariesByID implements secondchance.DonationService: charities are public.
func (db *DB) BeneficiariesByID(ctx context.Context, ids []int64) ([]*sc.Beneficiary, error) {
	if _, err := sc.RequireActor(ctx); err != nil {
		return nil, err
	}
	var rows []*sc.Beneficiary
	if err := db.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+` FROM beneficiaries b WHERE b.id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(b *sc.Beneficiary) int64 { return b.ID }), nil
}

func beneficiaryID(ctx context.Context, q queryer, id int64, field string) (int64, error) {
	var ok bool
	if err := q.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM beneficiaries WHERE id = $1)`, id); err != nil {
		return 0, err
	}
	if !ok {
		return 0, sc.FieldErrorf(field, sc.ENOTFOUND, "no beneficiary with this ID")
	}
	return id, nil
}

// SetStoreDonations implements secondchance.DonationService: admins change any store, a store
// manager their own (the GraphQL mutation stays admins' only: tokens are never managers).
func (db *DB) SetStoreDonations(ctx context.Context, storeCode string, fees sc.FeeSchedule, beneficiary int64, ein *string) error {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin, sc.RoleStaff)
	if err != nil {
		return err
	}
	if a.Role == sc.RoleStaff && !a.Manager {
		return sc.Errorf(sc.EFORBIDDEN, "only a store manager or an admin changes the store's fees and beneficiary")
	}
	var errs sc.Errors
	if ein != nil && !sc.ValidEIN(*ein) {
		errs = append(errs, sc.FieldErrorf("ein", sc.EINVALID, "%q is not an EIN such as 12-3456789", *ein))
	}
	for _, e := range sc.AsErrors(fees.Validate()) {
		e.Field = "fees." + e.Field
		errs = append(errs, e)
	}
	if beneficiary <= 0 {
		errs = append(errs, sc.FieldErrorf("beneficiary", sc.EINVALID, "choose the store's default beneficiary"))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var store int64
		if err := tx.GetContext(ctx, &store, `SELECT id FROM stores WHERE code = $1 FOR UPDATE`, storeCode); err != nil {
			return notFound(err, "store", "no store with code %q", storeCode)
		}
		if a.Role == sc.RoleStaff && store != a.StoreID {
			return sc.FieldErrorf("store", sc.EFORBIDDEN, "a store manager changes their own store's settings only")
		}
		bid, err := beneficiaryID(ctx, tx, beneficiary, "beneficiary")
		if err != nil {
			return err
		}
		js, _ := json.Marshal(fees)
		_, err = tx.ExecContext(ctx, `UPDATE stores SET fee_schedule = $2, default_beneficiary_id = $3, ein = coalesce($4, ein) WHERE id = $1`,
			store, string(js), bid, ein)
		return err
	})
}

// StoreDonations implements secondchance.DonationService.
func (db *DB) StoreDonations(ctx context.Context, storeID int64) (*sc.StoreDonationSettings, error) {
	if err := ownStore(ctx, storeID); err != nil {
		return nil, err
	}
	var row struct {
		Code    string `db:"code"`
		Fees    []byte `db:"fee_schedule"`
		Default *int64 `db:"default_beneficiary_id"`
		EIN     string `db:"ein"`
	}
	if err := db.GetContext(ctx, &row, `SELECT code, fee_schedule, default_beneficiary_id, ein FROM stores WHERE id = $1`, storeID); err != nil {
		return nil, notFound(err, "store", "no store with this ID")
	}
	out := &sc.StoreDonationSettings{StoreID: storeID, StoreCode: row.Code, DefaultBeneficiary: row.Default, EIN: row.EIN}
	if err := json.Unmarshal(row.Fees, &out.Fees); err != nil {
		return nil, err
	}
	return out, nil
}

// BeneficiaryBalances implements secondchance.DonationService: every beneficiary, with the
// store's allocations for it summed in one statement.
func (db *DB) BeneficiaryBalances(ctx context.Context, storeID int64) ([]*sc.BeneficiaryBalance, error) {
	if err := ownStore(ctx, storeID); err != nil {
		return nil, err
	}
	var rows []struct {
		sc.Beneficiary
		Pending      int64 `db:"pending"`
		Disbursed    int64 `db:"disbursed"`
		PendingItems int   `db:"pending_items"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+`,
			coalesce(sum(a.cents) FILTER (WHERE a.disbursed_at IS NULL), 0) AS pending,
			coalesce(sum(a.cents) FILTER (WHERE a.disbursed_at IS NOT NULL), 0) AS disbursed,
			count(DISTINCT a.item_id) FILTER (WHERE a.disbursed_at IS NULL) AS pending_items
		FROM beneficiaries b
		LEFT JOIN (donation_allocations a JOIN returned_items i ON i.id = a.item_id AND i.store_id = $1) ON a.beneficiary_id = b.id
		GROUP BY b.id
		-- Every beneficiary the store allocated to, however many: the donations page sums them.
		HAVING count(a.item_id) > 0 OR b.id IN (SELECT id FROM beneficiaries ORDER BY name, id LIMIT $2)
		ORDER BY b.name, b.id`, storeID, sc.MaxBeneficiaryBalances); err != nil {
		return nil, mapError(err)
	}
	out := make([]*sc.BeneficiaryBalance, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = &sc.BeneficiaryBalance{Beneficiary: &r.Beneficiary, Pending: sc.USD(r.Pending), Disbursed: sc.USD(r.Disbursed), PendingItems: r.PendingItems}
	}
	return out, nil
}

// ownStore lets a store's staff, or admins, read the store's settings.
func ownStore(ctx context.Context, storeID int64) error {
	a, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin)
	if err != nil {
		return err
	}
	if a.Role == sc.RoleStaff && a.StoreID != storeID {
		return sc.Errorf(sc.EFORBIDDEN, "staff see their own store's settings only")
	}
	return nil
}

// SetDonationSplits implements secondchance.DonationService (sellers).
func (db *DB) SetDonationSplits(ctx context.Context, splits []sc.DonationSplit) error {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return err
	}
	pct := make([]int64, len(splits))
	for i, s := range splits {
		pct[i] = s.Percent
	}
	if len(splits) > 0 {
		if _, err := sc.AllocatePercent(100, pct); err != nil {
			return err
		}
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		ids := make([]int64, len(splits))
		seen := map[int64]bool{}
		for i, s := range splits {
			id, err := beneficiaryID(ctx, tx, s.Beneficiary, elementField("splits", i, "beneficiary"))
			if err != nil {
				return err
			}
			if seen[id] {
				return sc.FieldErrorf(elementField("splits", i, "beneficiary"), sc.EINVALID, "a beneficiary appears twice")
			}
			seen[id], ids[i] = true, id
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM seller_donation_splits WHERE seller_id = $1`, a.SellerID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO seller_donation_splits (seller_id, beneficiary_id, percent)
			SELECT $1, x.b, x.p FROM unnest($2::bigint[], $3::int[]) AS x(b, p)`, a.SellerID, pq.Array(ids), pq.Array(pct))
		return err
	})
}

// SettleItem implements secondchance.DonationService: a settlement of one item.
func (db *DB) SettleItem(ctx context.Context, item int64) (*sc.ItemLedger, error) {
	ls, _, err := db.settle(ctx, []int64{item}, func(int) string { return "item" })
	if err != nil {
		return nil, err
	}
	return ls[0], nil
}

// SettleItems implements secondchance.DonationService: one settlement of several sold items,
// all or none. Its sellers each get one certificate of their items in it.
func (db *DB) SettleItems(ctx context.Context, items []int64) ([]*sc.ItemLedger, int64, error) {
	if len(items) == 0 || len(items) > sc.MaxPageSize {
		return nil, 0, sc.FieldErrorf("items", sc.EINVALID, "settle 1 to %d items at once", sc.MaxPageSize)
	}
	return db.settle(ctx, items, func(i int) string { return fmt.Sprintf("items.%d", i) })
}

// settle settles items in one transaction as one settlement: for each, the store's fees are
// deducted from the sale price and the net divided among the seller's chosen beneficiaries, or
// given to the store's default one, to the cent. field names an item in errors.
func (db *DB) settle(ctx context.Context, items []int64, field func(int) string) ([]*sc.ItemLedger, int64, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, 0, err
	}
	var ledgers []*sc.ItemLedger
	var settlement int64
	now := db.Now()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &settlement, `INSERT INTO settlements (store_id, settled_at) VALUES ($1, $2) RETURNING id`, a.StoreID, now); err != nil {
			return err
		}
		ids := make([]int64, len(items))
		seen := map[int64]bool{}
		for i, item := range items {
			if seen[item] {
				return sc.FieldErrorf(field(i), sc.EINVALID, "the item is listed twice")
			}
			seen[item] = true
			it, err := staffItem(ctx, tx, a, item)
			if err == nil {
				err = db.settleOne(ctx, tx, it, settlement, now)
			}
			if e, ok := err.(*sc.Error); ok && e.Field == "item" {
				e.Field = field(i)
			}
			if err != nil {
				return err
			}
			ids[i] = it.ID
		}
		ls, err := itemLedgers(ctx, tx, ids)
		if err != nil {
			return err
		}
		ledgers = ls
		if db.AfterSettle != nil {
			return db.AfterSettle(ctx, tx.Tx)
		}
		return nil
	})
	return ledgers, settlement, err
}

func (db *DB) settleOne(ctx context.Context, tx *sqlx.Tx, it *sc.ReturnedItem, settlement int64, now time.Time) error {
	if err := sc.ItemSettle.Step("item", it.Status, sc.ItemSettled); err != nil {
		return err
	}
	var row struct {
		SaleID   int64  `db:"sale_id"`
		Price    int64  `db:"price_cents"`
		Currency string `db:"currency"`
		Fees     []byte `db:"fee_schedule"`
		Default  *int64 `db:"default_beneficiary_id"`
		SellerID *int64 `db:"seller_id"`
		Auction  bool   `db:"at_auction"`
	}
	if err := tx.GetContext(ctx, &row, `SELECT s.id AS sale_id, s.price_cents, s.currency, s.lot_id IS NOT NULL AS at_auction, st.fee_schedule, st.default_beneficiary_id, r.seller_id
		FROM sales s JOIN returned_items i ON i.id = s.item_id JOIN parcels p ON p.id = i.parcel_id JOIN stores st ON st.id = p.store_id
		LEFT JOIN return_authorizations r ON r.id = p.rma_id
		WHERE s.item_id = $1 AND s.voided_at IS NULL`, it.ID); err != nil {
		return err
	}
	var fees sc.FeeSchedule
	if err := json.Unmarshal(row.Fees, &fees); err != nil {
		return err
	}
	var who []int64
	var pct []int64
	if row.SellerID != nil {
		var splits []struct {
			B int64 `db:"beneficiary_id"`
			P int64 `db:"percent"`
		}
		if err := tx.SelectContext(ctx, &splits, `SELECT beneficiary_id, percent FROM seller_donation_splits WHERE seller_id = $1 ORDER BY beneficiary_id`, *row.SellerID); err != nil {
			return err
		}
		for _, s := range splits {
			who, pct = append(who, s.B), append(pct, s.P)
		}
	}
	if len(who) == 0 {
		if row.Default == nil {
			return sc.FieldErrorf("item", sc.EITEMSTATE, "the store has no default beneficiary and the seller chose none; an admin sets one")
		}
		who, pct = []int64{*row.Default}, []int64{100}
	}
	if row.Auction {
		fees = fees.AtAuction()
	}
	p := fees.Proceeds(sc.Money{Cents: row.Price, Currency: row.Currency})
	shares, err := sc.AllocatePercent(p.Net.Cents, pct)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_proceeds (item_id, sale_id, gross_cents, intake_cents, storage_cents, shipping_cents,
			commission_cents, net_cents, currency, settled_at, settlement_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		it.ID, row.SaleID, p.Gross.Cents, p.Costs.Intake, p.Costs.Storage, p.Costs.Shipping, p.Costs.Commission, p.Net.Cents, p.Net.Currency, now, settlement); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO donation_allocations (item_id, beneficiary_id, cents, currency)
		SELECT $1, x.b, x.c, $4 FROM unnest($2::bigint[], $3::bigint[]) AS x(b, c)`, it.ID, pq.Array(who), pq.Array(shares), p.Net.Currency); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE returned_items SET status = $2 WHERE id = $1`, it.ID, sc.ItemSettled); err != nil {
		return err
	}
	return nil
}

// DisburseBeneficiary implements secondchance.DonationService: everything pending for the
// beneficiary from the staff's store is now donated.
func (db *DB) DisburseBeneficiary(ctx context.Context, beneficiary int64) (sc.Money, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return sc.Money{}, err
	}
	var total int64
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		bid, err := beneficiaryID(ctx, tx, beneficiary, "beneficiary")
		if err != nil {
			return err
		}
		// The pending allocations are locked first: a second request at the same time waits,
		// then finds none pending and records nothing.
		return tx.GetContext(ctx, &total, `WITH p AS (
				SELECT a.id, a.item_id, a.cents, a.currency FROM donation_allocations a JOIN returned_items i ON i.id = a.item_id
				WHERE i.store_id = $2 AND a.beneficiary_id = $1 AND a.disbursed_at IS NULL FOR UPDATE OF a),
			d AS (
				INSERT INTO disbursements (store_id, beneficiary_id, cents, currency, items, disbursed_at, recorded_by_token, recorded_by_staff)
				SELECT $2, $1, sum(cents), min(currency), count(DISTINCT item_id), $3, $4, $5 FROM p HAVING count(*) > 0
				RETURNING id, cents),
			u AS (
				UPDATE donation_allocations a SET disbursed_at = $3, disbursement_id = d.id FROM d, p WHERE a.id = p.id)
			SELECT coalesce((SELECT cents FROM d), 0)`, bid, a.StoreID, db.Now(), tokenRef(a), staffRef(a))
	})
	return sc.USD(total), err
}

// ListDisbursements implements secondchance.DonationService: the store's disbursements, newest
// first, with who recorded each.
func (db *DB) ListDisbursements(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.Disbursement], error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	limit, afterTime, afterID, err := timePage(listDisbursements, page)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID              int64     `db:"id"`
		BeneficiaryID   int64     `db:"beneficiary_id"`
		BeneficiaryName string    `db:"name"`
		DisbursedAt     time.Time `db:"disbursed_at"`
		Cents           int64     `db:"cents"`
		Currency        string    `db:"currency"`
		Items           int       `db:"items"`
		RecordedBy      string    `db:"recorded_by"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT d.id, d.beneficiary_id, b.name, d.disbursed_at, d.cents, d.currency, d.items,
			`+recorder("d.recorded_by_token", "d.recorded_by_staff")+` AS recorded_by
		FROM disbursements d JOIN beneficiaries b ON b.id = d.beneficiary_id
		WHERE d.store_id = $1 AND ($2::timestamptz IS NULL OR (d.disbursed_at, d.id) < ($2, $3))
		ORDER BY d.disbursed_at DESC, d.id DESC LIMIT $4`, a.StoreID, afterTime, afterID, limit+1); err != nil {
		return nil, mapError(err)
	}
	out := make([]*sc.Disbursement, len(rows))
	for i, r := range rows {
		out[i] = &sc.Disbursement{ID: r.ID, BeneficiaryID: r.BeneficiaryID, BeneficiaryName: r.BeneficiaryName, DisbursedAt: r.DisbursedAt,
			Amount: sc.Money{Cents: r.Cents, Currency: r.Currency}, Items: r.Items, RecordedBy: r.RecordedBy}
	}
	return newPage(out, limit, page.After, func(d *sc.Disbursement) string { return timeCursor(listDisbursements, d.DisbursedAt, d.ID) },
		db.countFunc(`SELECT count(*) FROM disbursements WHERE store_id = $1`, a.StoreID)), nil
}

// itemLedgers reads the ledger of items: settled ones from their proceeds and allocations; a
// sold, unsettled one has its whole price pending.
func itemLedgers(ctx context.Context, q queryer, itemIDs []int64) ([]*sc.ItemLedger, error) {
	var rows []struct {
		ItemID     int64  `db:"item_id"`
		Gross      int64  `db:"gross"`
		Intake     int64  `db:"intake"`
		Storage    int64  `db:"storage"`
		Shipping   int64  `db:"shipping"`
		Commission int64  `db:"commission"`
		Donated    int64  `db:"donated"`
		Pending    int64  `db:"pending"`
		Currency   string `db:"currency"`
	}
	err := q.SelectContext(ctx, &rows, `SELECT item_id, gross, intake, storage, shipping, commission, donated, pending, currency
		FROM item_ledgers WHERE item_id = ANY($1)`,
		pq.Array(itemIDs))
	if err != nil {
		return nil, err
	}
	at := map[int64]*sc.ItemLedger{}
	for _, r := range rows {
		at[r.ItemID] = &sc.ItemLedger{ItemID: r.ItemID, Gross: sc.Money{Cents: r.Gross, Currency: r.Currency},
			Costs:   sc.Costs{Intake: r.Intake, Storage: r.Storage, Shipping: r.Shipping, Commission: r.Commission, Currency: r.Currency},
			Donated: sc.Money{Cents: r.Donated, Currency: r.Currency}, Pending: sc.Money{Cents: r.Pending, Currency: r.Currency}}
	}
	out := make([]*sc.ItemLedger, len(itemIDs))
	for i, id := range itemIDs {
		out[i] = at[id]
		if l := out[i]; l != nil && l.Gross.Cents != l.Costs.Total()+l.Donated.Cents+l.Pending.Cents {
			return nil, fmt.Errorf("item %d's ledger does not balance: %d ≠ %d + %d + %d", id, l.Gross.Cents, l.Costs.Total(), l.Donated.Cents, l.Pending.Cents)
		}
	}
	return out, nil
}

// ItemLedgers implements secondchance.DonationService.
func (db *DB) ItemLedgers(ctx context.Context, itemIDs []int64) ([]*sc.ItemLedger, error) {
	visible, err := db.ItemsByID(ctx, itemIDs)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, it := range visible {
		if it != nil {
			ids = append(ids, it.ID)
		}
	}
	ls, err := itemLedgers(ctx, db, ids)
	if err != nil {
		return nil, mapError(err)
	}
	return byID(itemIDs, compact(ls), func(l *sc.ItemLedger) int64 { return l.ItemID }), nil
}

func compact[T any](xs []*T) []*T {
	out := xs[:0:0]
	for _, x := range xs {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// AllocationsByItem implements secondchance.DonationService.
func (db *DB) AllocationsByItem(ctx context.Context, itemIDs []int64) ([][]*sc.Allocation, error) {
	sp, err := parcelScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Allocation
	if err := db.SelectContext(ctx, &rows, `SELECT a.id, a.item_id, a.beneficiary_id, a.cents, a.currency, a.disbursed_at
		FROM donation_allocations a JOIN returned_items i ON i.id = a.item_id JOIN parcels p ON p.id = i.parcel_id
		WHERE a.item_id = ANY($1) AND `+parcelVisible+` ORDER BY a.item_id, a.id`, append([]any{pq.Array(itemIDs)}, sp.args()...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(itemIDs, rows, func(a *sc.Allocation) int64 { return a.ItemID }), nil
}

// ReturnTotals implements secondchance.DonationService with the same per-item definitions as
// itemLedgers, summed in one statement: a seller's items are few, unlike a store's.
func (db *DB) ReturnTotals(ctx context.Context, sellerID int64, from, to time.Time) (*sc.ReturnTotals, error) {
	sp, err := sellerScope(ctx)
	if err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, sc.FieldErrorf("to", sc.EINVALID, "to must be after from")
	}
	if !sp.all && sellerID != sp.sellerID {
		return nil, sc.Errorf(sc.ENOTFOUND, "seller not found")
	}
	var r totalsRow
	err = db.GetContext(ctx, &r, `WITH it AS (
			SELECT i.id, i.status FROM return_authorizations ra JOIN parcels p ON p.rma_id = ra.id JOIN returned_items i ON i.parcel_id = p.id
			WHERE ra.seller_id = $1 AND p.received_at >= $2 AND p.received_at < $3),
		l AS (SELECT l.gross, l.intake + l.storage + l.shipping + l.commission AS costs, l.donated, l.pending
			FROM it JOIN item_ledgers l ON l.item_id = it.id)
		SELECT (SELECT count(*) FROM it) AS items,
			(SELECT count(*) FROM it WHERE status = ANY($4)) AS sold,
			(SELECT count(*) FROM it WHERE status = $5) AS recycled,
			coalesce(sum(gross), 0) AS gross, coalesce(sum(costs), 0) AS costs,
			coalesce(sum(donated), 0) AS donated, coalesce(sum(pending), 0) AS pending
		FROM l`, sellerID, from, to, pq.Array(soldStatuses()), sc.ItemRecycled)
	if err != nil {
		return nil, mapError(err)
	}
	return r.totals(fmt.Sprintf("seller %d", sellerID), from, to)
}

// StoreTotals implements secondchance.DonationService from store_item_totals, which triggers keep
// per store and day of receipt, so the cost is the number of days, not of items.
func (db *DB) StoreTotals(ctx context.Context, storeID int64, from, to time.Time) (*sc.ReturnTotals, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if a.Role == sc.RoleStaff && a.StoreID != storeID {
		return nil, sc.Errorf(sc.EFORBIDDEN, "staff see their own store's totals only")
	}
	for _, b := range []struct {
		field string
		t     time.Time
	}{{"from", from}, {"to", to}} {
		if !b.t.Equal(b.t.UTC().Truncate(24 * time.Hour)) {
			return nil, sc.FieldErrorf(b.field, sc.EINVALID, "%s must be a whole UTC day, e.g. %s", b.field, b.t.UTC().Truncate(24*time.Hour).Format(time.RFC3339))
		}
	}
	if !to.After(from) {
		return nil, sc.FieldErrorf("to", sc.EINVALID, "to must be after from")
	}
	var r totalsRow
	err = db.GetContext(ctx, &r, `SELECT coalesce(sum(items), 0) AS items, coalesce(sum(sold), 0) AS sold, coalesce(sum(recycled), 0) AS recycled,
			coalesce(sum(gross), 0) AS gross, coalesce(sum(costs), 0) AS costs, coalesce(sum(donated), 0) AS donated, coalesce(sum(pending), 0) AS pending
		FROM store_item_totals WHERE store_id = $1 AND day >= $2::date AND day < $3::date`, storeID, from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly))
	if err != nil {
		return nil, mapError(err)
	}
	return r.totals(fmt.Sprintf("store %d", storeID), from, to)
}

// StoreTotalsByWeek implements secondchance.DonationService in one statement for all the weeks.
func (db *DB) StoreTotalsByWeek(ctx context.Context, storeID int64, from, to time.Time) ([]*sc.ReturnTotals, error) {
	if _, err := db.StoreTotals(ctx, storeID, from, to); err != nil { // the same rights and checks
		return nil, err
	}
	const week = 7 * 24 * time.Hour
	if to.Sub(from)%week != 0 || to.Sub(from) > 520*week {
		return nil, sc.FieldErrorf("to", sc.EINVALID, "from and to must be a whole number of weeks apart, at most 520")
	}
	var rows []struct {
		From time.Time `db:"week"`
		totalsRow
	}
	err := db.SelectContext(ctx, &rows, `SELECT w.week, coalesce(sum(t.items), 0) AS items, coalesce(sum(t.sold), 0) AS sold,
			coalesce(sum(t.recycled), 0) AS recycled, coalesce(sum(t.gross), 0) AS gross, coalesce(sum(t.costs), 0) AS costs,
			coalesce(sum(t.donated), 0) AS donated, coalesce(sum(t.pending), 0) AS pending
		FROM (SELECT $2::date + 7 * n AS week FROM generate_series(0, $3 - 1) AS n) w
		LEFT JOIN store_item_totals t ON t.store_id = $1 AND t.day >= w.week AND t.day < w.week + 7
		GROUP BY w.week ORDER BY w.week`, storeID, from.UTC().Format(time.DateOnly), int(to.Sub(from)/week))
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]*sc.ReturnTotals, len(rows))
	for i, r := range rows {
		start := time.Date(r.From.Year(), r.From.Month(), r.From.Day(), 0, 0, 0, 0, time.UTC)
		if out[i], err = r.totals(fmt.Sprintf("store %d", storeID), start, start.Add(week)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// totalsRow is the sums a seller's or a store's totals query returns.
type totalsRow struct {
	Items    int   `db:"items"`
	Sold     int   `db:"sold"`
	Recycled int   `db:"recycled"`
	Gross    int64 `db:"gross"`
	Costs    int64 `db:"costs"`
	Donated  int64 `db:"donated"`
	Pending  int64 `db:"pending"`
}

// totals checks that the sums balance, as every item's ledger does, and gives them their
// currency: the store takes one (sales and RMAs are validated to it).
func (r totalsRow) totals(whose string, from, to time.Time) (*sc.ReturnTotals, error) {
	if r.Gross != r.Costs+r.Donated+r.Pending {
		return nil, fmt.Errorf("%s's totals do not balance: %d ≠ %d + %d + %d", whose, r.Gross, r.Costs, r.Donated, r.Pending)
	}
	m := func(c int64) sc.Money { return sc.Money{Cents: c, Currency: sc.DefaultCurrency} }
	return &sc.ReturnTotals{From: from, To: to, Items: r.Items, Sold: r.Sold, Recycled: r.Recycled,
		Gross: m(r.Gross), Costs: m(r.Costs), Donated: m(r.Donated), Pending: m(r.Pending)}, nil
}

// soldStatuses are the item statuses that count as sold (sc.ItemStatus.Sold).
func soldStatuses() []string {
	var out []string
	for _, s := range sc.ItemStatuses {
		if s.Sold() {
			out = append(out, string(s))
		}
	}
	return out
}
