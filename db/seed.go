package db

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	sc "github.com/secondchance/secondchance"
)

// SeedOptions sizes a generated data set. The same options always produce the same rows.
type SeedOptions struct {
	Sellers int
	Buyers  int
	Orders  int
	// Reports is about how many PENDING reports to file, from the last 6 days, on recent orders
	// of 2 buyers in 5 (so a million reports fall on about 200,000 buyers of a 500,000 set).
	Reports int
	// Seed picks the data set; Until is the newest timestamp in it (orders span 400 days
	// before); zero is today's midnight (UTC) by the store's clock.
	Seed  uint64
	Until time.Time
}

// Validate checks the sizes.
func (o SeedOptions) Validate() error {
	var errs sc.Errors
	if o.Sellers < 1 || o.Sellers > 10_000_000 {
		errs = append(errs, sc.FieldErrorf("sellers", sc.EINVALID, "sellers must be between 1 and 10,000,000"))
	}
	if o.Buyers < 1 || o.Buyers > 100_000_000 {
		errs = append(errs, sc.FieldErrorf("buyers", sc.EINVALID, "buyers must be between 1 and 100,000,000"))
	}
	if o.Orders < 0 || o.Orders > 1_000_000_000 {
		errs = append(errs, sc.FieldErrorf("orders", sc.EINVALID, "orders must be between 0 and 1,000,000,000"))
	}
	if o.Reports < 0 || o.Reports > o.Orders {
		errs = append(errs, sc.FieldErrorf("reports", sc.EINVALID, "reports must be between 0 and the number of orders"))
	}
	return errs.Err()
}

// Progress is the domain's progress interface, which the seed, the import and the batch report to.
type Progress = sc.Progress

type noProgress struct{}

func (noProgress) Begin(string, int64) {}
func (noProgress) Add(int64)           {}
func (noProgress) End()                {}

// seedStage is one table of the data set, loaded by one COPY in its own transaction.
type seedStage struct {
	table   string
	columns string
	total   int64
	// rows generates the stage's rows into emit and calls tick once per source item (an order,
	// for the event tables), which is what progress counts.
	rows func(emit func(args ...any) error, tick func()) error
}

// Seed fills an empty marketplace with a generated data set through COPY, streaming: memory
// stays flat whatever the size. Each table commits on its own, so a run that was interrupted
// resumes at the first table still empty.
func (db *DB) Seed(ctx context.Context, o SeedOptions, p Progress) error {
	if o.Until.IsZero() {
		o.Until = db.Now().UTC().Truncate(24 * time.Hour)
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if p == nil {
		p = noProgress{}
	}
	g := generator{SeedOptions: o, from: o.Until.Add(-400 * 24 * time.Hour)}
	stages := []seedStage{
		{"sellers", "id, number, name, legal_name, email, country, created_at, updated_at", int64(o.Sellers), g.sellers},
		{"buyers", "id, number, handle, country, status, status_changed_at, created_at, updated_at", int64(o.Buyers), g.buyers},
		{"orders", "id, number, seller_id, buyer_id, placed_at, ship_by, shipped_at, delivered_at, cancelled_at, cancellation_reason, total_cents, currency, created_at, updated_at", int64(o.Orders), g.orders},
		{"feedback", "order_id, rating, comment, left_at", int64(o.Orders), g.feedback},
		{"disputes", "id, number, order_id, reason, opened_at, closed_at", int64(o.Orders), g.disputes},
		{"return_claims", "id, number, order_id, reason, requested_at", int64(o.Orders), g.returnClaims},
		{"reports", "id, seller_id, order_id, buyer_id, reason, description, evidence, created_at, updated_at", int64(o.Orders), g.reports},
		{"report_events", "report_id, status, at, note", int64(o.Orders), g.reportEvents},
	}
	for _, st := range stages {
		var exists bool
		if err := db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM `+st.table+`)`); err != nil {
			return mapError(err)
		}
		if exists {
			p.Begin(st.table+" (already loaded)", 0)
			p.End()
			continue
		}
		if err := db.copyStage(ctx, st, p); err != nil {
			return fmt.Errorf("seeding %s: %w", st.table, err)
		}
	}
	// The rows carry their own IDs, so the identities must move past them.
	for _, t := range []string{"sellers", "buyers", "orders", "disputes", "return_claims", "reports", "report_events"} {
		if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+t); err != nil {
			return mapError(err)
		}
	}
	if _, err := db.ExecContext(ctx, `ANALYZE sellers, buyers, orders, feedback, disputes, return_claims, reports, report_events`); err != nil {
		return mapError(err)
	}
	// The rollups are rebuilt by the next refresh (the job, or `secondchance indicators refresh`).
	return db.RequestIndicatorRebuild(ctx)
}

func (db *DB) copyStage(ctx context.Context, st seedStage, p Progress) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	restore, err := dropForBulkLoad(ctx, tx, st.table)
	if err != nil {
		return err
	}
	p.Begin(st.table, st.total)
	var n int64
	err = copyRows(ctx, tx, st.table, st.columns, func(emit func(...any) error) error {
		return st.rows(emit, func() {
			if n++; n%10000 == 0 {
				p.Add(10000)
			}
		})
	})
	p.Add(n % 10000)
	p.End()
	if err != nil {
		return err
	}
	if len(restore) > 0 {
		p.Begin(st.table+" (indexes)", int64(len(restore)))
		for _, ddl := range restore {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("restoring %q: %w", ddl, err)
			}
			p.Add(1)
		}
		p.End()
	}
	return tx.Commit()
}

// dropForBulkLoad drops the secondary indexes and foreign keys of an empty table and returns
// the statements that put them back exactly as they were. Maintaining random-order indexes and
// checking foreign keys row by row is what makes a bulk COPY slow; building the indexes once
// and validating each foreign key with one join afterwards is several times faster. It runs in
// the loading transaction, so a failed load leaves the schema untouched. Primary keys and
// unique constraints stay: the rows arrive in key order, and they guard the data.
func dropForBulkLoad(ctx context.Context, tx *sqlx.Tx, table string) ([]string, error) {
	var restore, drop []string
	rows, err := tx.QueryContext(ctx, `
		SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = $1::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		UNION ALL
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.conrelid = $1::regclass AND c.contype = 'f'`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, r string
		if err := rows.Scan(&d, &r); err != nil {
			return nil, err
		}
		drop, restore = append(drop, d), append(restore, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range drop {
		if _, err := tx.ExecContext(ctx, d); err != nil {
			return nil, err
		}
	}
	return restore, nil
}

// generator makes the rows. Each order draws from its own random stream (seeded by the data
// set's seed and the order's index), so the events of an order are generated again, exactly,
// in later passes without keeping anything in memory.
type generator struct {
	SeedOptions
	from time.Time
}

var (
	adjectives = []string{"Blue", "Golden", "Quiet", "Rapid", "Northern", "Honest", "Bright", "Little", "Urban", "Prairie", "Coastal", "Maple", "Silver", "Happy", "Rustic", "Modern"}
	nouns      = []string{"Harbor", "Oak", "Fox", "River", "Anchor", "Lantern", "Meadow", "Summit", "Cedar", "Pine", "Falcon", "Bridge", "Garden", "Forge", "Compass", "Otter"}
	kinds      = []string{"Goods", "Supply", "Outlet", "Traders", "Store", "Market", "Depot", "Emporium"}
	cancels    = []sc.CancellationReason{sc.CancelledByBuyer, sc.CancelledOutOfStock, sc.CancelledByBuyer, sc.CancelledUnpaid, sc.CancelledBySeller, sc.CancelledAddressIssue}
	disputeWhy = []sc.DisputeReason{sc.DisputeNotReceived, sc.DisputeNotReceived, sc.DisputeNotAsDescribed, sc.DisputeChargeback, sc.DisputeOther}
	returnWhy  = []string{"Changed my mind", "Does not fit", "Arrived damaged", "Not as described", "Wrong item sent", "Found it cheaper"}
	comments   = []string{"Great seller, fast shipping!", "As described.", "Good value.", "Took a while to arrive.", "Item was not as pictured.", "Terrible, do not buy."}
)

// abusive marks about 1 in 100 buyers as abusive: their orders draw far more disputes, returns
// and negative feedback, which is what sellers report.
func (g *generator) abusive(buyer int64) bool { return mix(g.Seed^0xab05e, uint64(buyer))%100 == 0 }

func mix(a, b uint64) uint64 {
	x := a*0x9E3779B97F4A7C15 ^ b
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	return x
}

func (g *generator) sellers(emit func(...any) error, tick func()) error {
	r := rand.New(rand.NewPCG(g.Seed, 1))
	for i := 1; i <= g.Sellers; i++ {
		tick()
		name := adjectives[r.IntN(len(adjectives))] + " " + nouns[r.IntN(len(nouns))] + " " + kinds[r.IntN(len(kinds))]
		created := g.from.Add(-time.Duration(r.IntN(1000)) * 24 * time.Hour)
		if err := emit(int64(i), sellerNumber(i), name, name+" LLC", "seller"+strconv.Itoa(i)+"@example.com", "US", created, created); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) buyers(emit func(...any) error, tick func()) error {
	r := rand.New(rand.NewPCG(g.Seed, 2))
	for i := 1; i <= g.Buyers; i++ {
		tick()
		handle := lower(adjectives[r.IntN(len(adjectives))]) + lower(nouns[r.IntN(len(nouns))]) + strconv.Itoa(r.IntN(10000))
		created := g.from.Add(-time.Duration(r.IntN(2000)) * 24 * time.Hour)
		status := sc.BuyerActive
		if r.IntN(500) == 0 { // the platform closes some accounts itself
			status = sc.BuyerClosed
		}
		if err := emit(int64(i), buyerNumber(i), handle, "US", string(status), created, created, created); err != nil {
			return err
		}
	}
	return nil
}

// order is one generated order with the random stream its events continue to draw from.
type order struct {
	id, seller, buyer  int64
	placed, shipBy     time.Time
	shipped, delivered *time.Time
	cancelled          *time.Time
	cancelReason       sc.CancellationReason
	total              int64
	abusive            bool
	r                  *rand.Rand
}

func (g *generator) order(i int) order {
	r := rand.New(rand.NewPCG(g.Seed, 1_000_000+uint64(i)))
	o := order{id: int64(i), r: r}
	// Sales are skewed: a few sellers have most orders, as on any marketplace.
	u := r.Float64()
	o.seller = 1 + int64(float64(g.Sellers)*u*u)
	o.buyer = 1 + r.Int64N(int64(g.Buyers))
	o.abusive = g.abusive(o.buyer)
	o.placed = g.from.Add(time.Duration(r.Int64N(int64(g.Until.Sub(g.from))))).Truncate(time.Second)
	o.shipBy = o.placed.Add(72 * time.Hour)
	o.total = 300 + int64(math.Exp(r.NormFloat64()*0.9+7.5))
	if r.IntN(100) < 2 {
		t := o.placed.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		o.cancelled, o.cancelReason = capped(t, g.Until), cancels[r.IntN(len(cancels))]
		if o.cancelled == nil {
			o.cancelled = &o.placed
		}
		return o
	}
	delay := time.Duration(2+r.IntN(46)) * time.Hour
	if r.IntN(100) < 6 {
		delay = time.Duration(60+r.IntN(96)) * time.Hour // about 4 in 100 ship late
	}
	o.shipped = capped(o.placed.Add(delay), g.Until)
	if o.shipped != nil {
		o.delivered = capped(o.shipped.Add(time.Duration(24+r.IntN(120))*time.Hour), g.Until)
	}
	return o
}

func capped(t, until time.Time) *time.Time {
	if t.After(until) {
		return nil
	}
	return &t
}

func (g *generator) orders(emit func(...any) error, tick func()) error {
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		var reason any
		if o.cancelled != nil {
			reason = string(o.cancelReason)
		}
		if err := emit(o.id, orderNumber(i), o.seller, o.buyer, o.placed, o.shipBy, o.shipped, o.delivered,
			o.cancelled, reason, o.total, sc.DefaultCurrency, o.placed, o.placed); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) feedback(emit func(...any) error, tick func()) error {
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		if o.delivered == nil || o.r.IntN(100) >= 55 {
			continue
		}
		rating := 5
		switch x := o.r.IntN(1000); {
		case o.abusive && x < 500, x < 35:
			rating = 1
		case x < 60:
			rating = 2
		case x < 100:
			rating = 3
		case x < 200:
			rating = 4
		}
		left := capped(o.delivered.Add(time.Duration(1+o.r.IntN(240))*time.Hour), g.Until)
		if left == nil {
			continue
		}
		if err := emit(o.id, int64(rating), comments[(5-rating)%len(comments)], *left); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) disputes(emit func(...any) error, tick func()) error {
	var id int64
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		o.r.IntN(100) // the feedback draw, so the two kinds stay independent
		rate := 15
		if o.abusive {
			rate = 350
		}
		if o.cancelled != nil || o.r.IntN(1000) >= rate {
			continue
		}
		opened := capped(o.placed.Add(time.Duration(72+o.r.IntN(480))*time.Hour), g.Until)
		if opened == nil {
			continue
		}
		var closed any
		if c := capped(opened.Add(time.Duration(24+o.r.IntN(300))*time.Hour), g.Until); c != nil && o.r.IntN(10) < 8 {
			closed = *c
		}
		id++
		if err := emit(id, "D"+strconv.Itoa(i), o.id, string(disputeWhy[o.r.IntN(len(disputeWhy))]), *opened, closed); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) returnClaims(emit func(...any) error, tick func()) error {
	var id int64
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		o.r.IntN(100)
		o.r.IntN(1000)
		rate := 40
		if o.abusive {
			rate = 300
		}
		if o.delivered == nil || o.r.Uint64()%1000 >= uint64(rate) {
			continue
		}
		req := capped(o.delivered.Add(time.Duration(24+o.r.IntN(330))*time.Hour), g.Until)
		if req == nil {
			continue
		}
		id++
		if err := emit(id, "R"+strconv.Itoa(i), o.id, returnWhy[o.r.IntN(len(returnWhy))], *req); err != nil {
			return err
		}
	}
	return nil
}

// reported says how many reports order o gets (0 to 7, each for another reason) and when they
// were filed: recent orders (within the default reporting window) of buyers whose number is 0
// or 1 modulo 5, enough of them to come to about Reports in all.
func (g *generator) reported(i int, o *order) (int, time.Time) {
	if g.Reports == 0 || o.buyer%5 >= 2 || o.placed.Before(g.Until.Add(-sc.DefaultReportingDays*24*time.Hour)) {
		return 0, time.Time{}
	}
	perOrder := float64(g.Reports) / (float64(g.Orders) * 0.4 * float64(sc.DefaultReportingDays) / 400)
	n := int(perOrder)
	if float64(mix(g.Seed^0x4e9047, uint64(i))%1_000_000) < (perOrder-float64(n))*1_000_000 {
		n++
	}
	n = min(n, len(sc.ReportReasons))
	at := g.Until.Add(-time.Duration(mix(g.Seed, uint64(i))%uint64(6*24*time.Hour)) - time.Minute)
	if at.Before(o.placed) {
		at = o.placed.Add(time.Minute)
	}
	return n, at
}

func (g *generator) reports(emit func(...any) error, tick func()) error {
	var id int64
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		n, at := g.reported(i, &o)
		for j := 0; j < n; j++ {
			id++
			reason := sc.ReportReasons[(mix(g.Seed^0x7e, uint64(i))+uint64(j))%uint64(len(sc.ReportReasons))]
			evidence := "[]"
			if (i+j)%3 == 0 {
				evidence = `[{"kind": "TRACKING_NUMBER", "value": "1Z999AA1` + fmt.Sprintf("%010d", i) + `"}]`
			}
			if err := emit(id, o.seller, o.id, o.buyer, string(reason), "Seeded report of order "+orderNumber(i), evidence, at, at); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) reportEvents(emit func(...any) error, tick func()) error {
	var id int64
	for i := 1; i <= g.Orders; i++ {
		tick()
		o := g.order(i)
		n, at := g.reported(i, &o)
		for j := 0; j < n; j++ {
			id++
			if err := emit(id, string(sc.ReportPending), at, "reported by the seller"); err != nil {
				return err
			}
		}
	}
	return nil
}

func sellerNumber(i int) string { return fmt.Sprintf("S%06d", i) }
func buyerNumber(i int) string  { return fmt.Sprintf("B%07d", i) }
func orderNumber(i int) string  { return fmt.Sprintf("O%09d", i) }

func lower(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// MarketplaceEmpty reports whether no seller, buyer or order exists yet.
func (db *DB) MarketplaceEmpty(ctx context.Context) (bool, error) {
	var empty bool
	err := db.GetContext(ctx, &empty, `SELECT NOT EXISTS (SELECT 1 FROM sellers) AND NOT EXISTS (SELECT 1 FROM buyers)`)
	return empty, mapError(err)
}

// MarkDemoData records that the demo data set is being loaded into this (empty) database.
func (db *DB) MarkDemoData(ctx context.Context) error {
	_, err := db.ExecContext(ctx, `INSERT INTO demo_data (loaded_at) VALUES ($1) ON CONFLICT DO NOTHING`, db.Now())
	return mapError(err)
}

// IsDemoData says whether the demo seed filled this database (MarkDemoData).
func (db *DB) IsDemoData(ctx context.Context) (bool, error) {
	var demo bool
	err := db.GetContext(ctx, &demo, `SELECT EXISTS (SELECT 1 FROM demo_data)`)
	return demo, mapError(err)
}
