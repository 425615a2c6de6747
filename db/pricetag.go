package db

import (
	"context"
	"fmt"

	sc "github.com/secondchance/secondchance"
)

var _ sc.PriceTagService = (*DB)(nil)

// PriceTagPDF implements secondchance.PriceTagService: staff print their own store's items only.
func (db *DB) PriceTagPDF(ctx context.Context, item int64, price *sc.MoneyInput) ([]byte, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	tag := sc.PriceTag{Code: sc.ItemCode(item), PrintedAt: db.Now()}
	if price != nil {
		m, err := sc.ParseMoney(price.Amount, price.Currency)
		switch {
		case err != nil:
			return nil, sc.FieldErrorf("price", sc.EINVALID, "%s", sc.ErrorMessage(err))
		case m.Cents < 0:
			return nil, sc.FieldErrorf("price", sc.EINVALID, "a price cannot be negative")
		}
		tag.Price = &m
	}
	err = db.QueryRowxContext(ctx, `SELECT i.description, i.grade, st.name FROM returned_items i
		JOIN parcels p ON p.id = i.parcel_id JOIN stores st ON st.id = p.store_id
		WHERE i.id = $1 AND p.store_id = $2`, item, a.StoreID).Scan(&tag.Description, &tag.Grade, &tag.StoreName)
	if err != nil {
		return nil, notFound(err, "item", "no item of this store with this ID")
	}
	if db.CertificateSetup.Renderer == nil {
		return nil, fmt.Errorf("no document renderer is configured")
	}
	return db.CertificateSetup.Renderer.PriceTag(&tag)
}
