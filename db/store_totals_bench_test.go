package db_test

import (
	"context"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// BenchmarkStoreTotals reads a store's totals over a year holding 1,000,000 items (issue 6:
// ≤ 200 ms). The items, sales and settlements are inserted through the triggers that keep
// store_item_totals, and the totals are checked against a recomputation from the items first.
func BenchmarkStoreTotals(b *testing.B) {
	d := dbtest.New(b)
	ctx := context.Background()
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO parcels (store_id, received_at) SELECT 1, date_trunc('day', now()) - (g % 365) * interval '1 day' FROM generate_series(1, 500000) g`,
		`INSERT INTO returned_items (parcel_id, store_id, line, description, grade, status)
			SELECT p.id, p.store_id, l, 'item', 'GOOD', CASE WHEN (p.id + l) % 5 = 0 THEN 'RECYCLED' WHEN (p.id + l) % 5 IN (1, 2) THEN 'SOLD' ELSE 'RECEIVED' END
			FROM parcels p, generate_series(1, 2) l`,
		`INSERT INTO sales (item_id, price_cents, currency, channel, sold_at) SELECT id, 100 + id % 5000, 'USD', 'store', now() FROM returned_items WHERE status = 'SOLD'`,
		`INSERT INTO item_proceeds (item_id, sale_id, gross_cents, intake_cents, storage_cents, shipping_cents, commission_cents, net_cents, currency, settled_at)
			SELECT s.item_id, s.id, s.price_cents, 50, 25, 0, s.price_cents / 10, s.price_cents - 75 - s.price_cents / 10, 'USD', now()
			FROM sales s WHERE s.item_id % 2 = 0 AND s.price_cents >= 75 + s.price_cents / 10`,
		`UPDATE returned_items i SET status = 'SETTLED' FROM item_proceeds p WHERE p.item_id = i.id`,
		`ANALYZE`,
	} {
		if _, err := d.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("1,000,000 items, sales and settlements inserted through the triggers in %s", time.Since(start).Round(time.Second))

	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: 1})
	to := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.AddDate(-1, 0, -1)
	got, err := d.StoreTotals(staff, 1, from, to)
	if err != nil {
		b.Fatal(err)
	}
	var want struct {
		Items, Sold, Recycled int
		Gross, Costs, Pending int64
	}
	if err := d.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE i.status IN ('SOLD', 'SETTLED')), count(*) FILTER (WHERE i.status = 'RECYCLED'),
			coalesce(sum(coalesce(ip.gross_cents, s.price_cents)), 0), coalesce(sum(ip.gross_cents - ip.net_cents), 0),
			coalesce(sum(coalesce(ip.net_cents, s.price_cents)), 0)
		FROM returned_items i LEFT JOIN sales s ON s.item_id = i.id AND s.voided_at IS NULL LEFT JOIN item_proceeds ip ON ip.item_id = i.id`).
		Scan(&want.Items, &want.Sold, &want.Recycled, &want.Gross, &want.Costs, &want.Pending); err != nil {
		b.Fatal(err)
	}
	if got.Items != 1_000_000 || got.Items != want.Items || got.Sold != want.Sold || got.Recycled != want.Recycled ||
		got.Gross.Cents != want.Gross || got.Costs.Cents != want.Costs || got.Pending.Cents != want.Pending || got.Donated.Cents != 0 {
		b.Fatalf("totals %+v, recomputed %+v", got, want)
	}
	for b.Loop() {
		if _, err := d.StoreTotals(staff, 1, from, to); err != nil {
			b.Fatal(err)
		}
	}
}
