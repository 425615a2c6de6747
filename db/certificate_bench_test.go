package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/pdf"
)

// BenchmarkIssueCertificates issues one certificate for each of 1,000 sellers whose three
// items each were settled together (issue 7: ≥ 200 certificates/s, render and store, each PDF
// ≤ 80 KB). The names mix Latin, Greek and Cyrillic; in "cjk-1-in-10" one seller in ten also
// has a Japanese item, which embeds a cut of the 4 MB CJK fallback font, and in
// "cjk-every-seller" every one has. Run it with
// -benchtime 1x: each run needs fresh items.
func BenchmarkIssueCertificates(b *testing.B) {
	fonts, err := pdf.LoadFonts(pdf.DebianFonts)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("european", func(b *testing.B) { benchmarkIssue(b, fonts, 0) })
	b.Run("cjk-1-in-10", func(b *testing.B) { benchmarkIssue(b, fonts, 10) })
	b.Run("cjk-every-seller", func(b *testing.B) { benchmarkIssue(b, fonts, 1) })
}

func benchmarkIssue(b *testing.B, fonts *pdf.Fonts, cjkEvery int) {
	for b.Loop() {
		b.StopTimer()
		d := dbtest.New(b)
		d.CertificateSetup = db.CertificateSetup{Renderer: pdf.NewRenderer(fonts), PublicURL: "https://secondchance.example"}
		ctx := context.Background()
		settledSellers(b, d, 1000, cjkEvery)
		b.StartTimer()
		start := time.Now()
		res, err := d.IssueCertificates(sc.NewSystemContext(ctx), sc.IssueRequest{Kind: sc.CertificateSettlement, From: time.Unix(0, 0), To: time.Now().Add(time.Hour)}, nil)
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if len(res.Serials) != 1000 || res.Items != 3000 {
			b.Fatalf("issued %d certificates of %d items, want 1000 of 3000", len(res.Serials), res.Items)
		}
		var biggest, average float64
		if err := d.QueryRowContext(ctx, `SELECT max(octet_length(pdf)), avg(octet_length(pdf)) FROM certificates`).Scan(&biggest, &average); err != nil {
			b.Fatal(err)
		}
		if biggest > 80<<10 {
			b.Errorf("a certificate is %.0f bytes, over 80 KB", biggest)
		}
		b.ReportMetric(float64(len(res.Serials))/elapsed.Seconds(), "certificates/s")
		b.ReportMetric(biggest, "max-bytes")
		b.ReportMetric(average, "avg-bytes")
		b.StartTimer()
	}
}

// settledSellers inserts n sellers, each with one order returned and its three items sold and
// settled together in one settlement, split 70/30 between two charities; every cjkEvery-th
// seller (none when 0) has a Japanese item.
func settledSellers(tb testing.TB, d *db.DB, n, cjkEvery int) {
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO beneficiaries (name, ein, address_line1, city, region, postal_code, country) VALUES
			('Фонд «Надежда»', '43-1111111', '1 Charity Way', 'Kansas City', 'MO', '64105', 'US'),
			('Société d''Entraide', '43-2222222', '2 Charity Way', 'Kansas City', 'MO', '64105', 'US')`,
		`INSERT INTO buyers (number, handle) VALUES ('B1', 'alice')`,
		`UPDATE stores SET ein = '43-0000001'`,
		`INSERT INTO sellers (number, name, legal_name, address_line1, city, postal_code, country)
			SELECT 'S' || g, 'Seller ' || g, 'Zoë Müller-Øberg Ελλάς ' || g, 'Straße des 17. Juni ' || g, 'Berlin', '10623', 'DE' FROM generate_series(1, ` + fmt.Sprint(n) + `) g`,
		`INSERT INTO orders (number, seller_id, buyer_id, placed_at, total_cents, currency) SELECT 'O-' || id, id, 1, now(), 5000, 'USD' FROM sellers`,
		`INSERT INTO return_authorizations (code, seller_id, order_id, store_id, status, expires_at)
			SELECT 'RMA-' || o.id, o.seller_id, o.id, 1, 'RECEIVED', now() FROM orders o`,
		`INSERT INTO parcels (store_id, rma_id) SELECT 1, id FROM return_authorizations`,
		`INSERT INTO returned_items (parcel_id, store_id, line, rma_line, description, grade, status)
			SELECT p.id, p.store_id, l, l, CASE WHEN l = 3 AND $1 > 0 AND p.id % $1 = 0 THEN '日本製の茶碗' ELSE 'Ελληνικό κεραμικό βάζο, Матрёшка ' || l END, 'GOOD', 'SETTLED'
			FROM parcels p, generate_series(1, 3) l`,
		`INSERT INTO sales (item_id, price_cents, currency, channel, sold_at) SELECT id, 1000 + id % 5000, 'USD', 'store', now() FROM returned_items`,
		`INSERT INTO settlements (store_id, settled_at) VALUES (1, now())`,
		`INSERT INTO item_proceeds (item_id, sale_id, gross_cents, intake_cents, storage_cents, shipping_cents, commission_cents, net_cents, currency, settled_at, settlement_id)
			SELECT s.item_id, s.id, s.price_cents, 150, 100, 0, s.price_cents / 10, s.price_cents - 250 - s.price_cents / 10, 'USD', now(), 1 FROM sales s`,
		`INSERT INTO donation_allocations (item_id, beneficiary_id, cents, currency)
			SELECT item_id, b, CASE b WHEN 1 THEN net_cents * 7 / 10 ELSE net_cents - net_cents * 7 / 10 END, 'USD' FROM item_proceeds, generate_series(1, 2) b`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, cjkEvery)
		}
		if _, err := d.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
}
