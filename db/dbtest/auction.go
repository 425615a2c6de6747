package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// AuctionOpts say what TimedAuction makes; zero fields get defaults.
type AuctionOpts struct {
	Lots    int           // default 1
	Bidders int           // bidders with a paddle each, default 3
	EndsAt  time.Time     // the first lot's end, default an hour from now
	Stagger time.Duration // between consecutive lots' ends
}

// Auction is a DRAFT TIMED auction of the SCS store, ready to open.
type Auction struct {
	ID      int64
	Lots    []int64 // in lot number order
	Paddles []int
	// Staff acts for the SCS store's staff; StaffToken is its bearer token.
	Staff      context.Context
	StaffToken string
}

// TimedAuction makes a TIMED auction of the SCS store with o.Lots lots of one item each
// (estimate 20.00, starting bid 5.00, no reserve) and o.Bidders paddles. The auction, bidders
// and paddles go through the services; the items and lots are copies of one item and one lot
// written by SQL in two statements, because thousands of them through the services (a parcel,
// a route and a lot each) take minutes where a benchmark needs seconds. The copies are the rows
// the services write: LISTED items routed AUCTION, PENDING lots, each item in one live lot.
func TimedAuction(t testing.TB, d *db.DB, o AuctionOpts) *Auction {
	t.Helper()
	if o.Lots <= 0 {
		o.Lots = 1
	}
	if o.Bidders <= 0 {
		o.Bidders = 3
	}
	if o.EndsAt.IsZero() {
		o.EndsAt = d.Now().Add(time.Hour)
	}
	staff, token := As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	out := &Auction{Staff: staff, StaffToken: token}
	stagger := o.Stagger
	au, err := d.CreateAuction(staff, sc.AuctionInput{Title: fmt.Sprintf("Auction %d", next()), Kind: sc.AuctionTimed,
		StartsAt: d.Now().Add(-time.Minute), EndsAt: &o.EndsAt, Stagger: &stagger})
	must(t, err)
	out.ID = au.ID

	first := Item(t, d, &ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	items := []int64{first.ID}
	if o.Lots > 1 {
		var more []int64
		must(t, d.Select(&more, `INSERT INTO returned_items (parcel_id, line, description, grade, notes, photo_urls, route, status)
			SELECT i.parcel_id, i.line + g, i.description, i.grade, i.notes, i.photo_urls, i.route, i.status
			FROM returned_items i, generate_series(1, $2::int) g WHERE i.id = $1 ORDER BY g RETURNING id`, first.ID, o.Lots-1))
		items = append(items, more...)
	}
	must(t, d.Select(&out.Lots, `WITH l AS (
			INSERT INTO lots (auction_id, number, title, description, currency, estimate_cents, starting_cents, created_at)
			SELECT $1, x.n, 'Lot ' || x.n, '', $3, 2000, 500, $4 FROM unnest($2::bigint[]) WITH ORDINALITY AS x(item, n)
			RETURNING id, number),
		i AS (INSERT INTO lot_items (lot_id, item_id, position, estimate_cents)
			SELECT l.id, x.item, 1, 2000 FROM l JOIN unnest($2::bigint[]) WITH ORDINALITY AS x(item, n) ON x.n = l.number)
		SELECT id FROM l ORDER BY number`, au.ID, pq.Array(items), sc.DefaultCurrency, d.Now()))

	for i := range o.Bidders {
		b, err := d.RegisterBidder(staff, sc.BidderInput{Name: fmt.Sprintf("Bidder %d", i), Email: fmt.Sprintf("bidder%d@example.com", i),
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
		must(t, err)
		p, err := d.AssignPaddle(staff, au.ID, b.ID)
		must(t, err)
		out.Paddles = append(out.Paddles, p.Number)
	}
	return out
}
