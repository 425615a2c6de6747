package demo

import (
	"context"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// Shown is what Showcase made, for the pages that show it.
type Shown struct {
	Parcel       int64 // a parcel with a missing item
	Item         int64 // an item of it, routed to sale
	LiveAuction  int64 // OPEN, lot 1 paid, lot 2 open with bids, lot 3 pending
	PaidLot      int64
	OpenLot      int64
	TimedAuction int64 // OPEN, its lots open with online bids
	Authorized   string
}

// Showcase adds to the demo data set (Load) what the portal's pages need to show something,
// through the same services the pages call: returns of the demo seller received with a
// missing and a swapped item, items routed to sale and to auction, an unmatched parcel,
// bidders, a LIVE auction whose first lot was hammered and paid and whose second is open with
// floor, phone and absentee bids, and a TIMED auction open with bids. `make run` does not
// load it, because the README's examples number their auction, lots and items from 1 on the
// demo data set alone; the portal's screenshots and page benchmark load both.
func Showcase(ctx context.Context, d *db.DB) (Shown, error) {
	var out Shown
	var sellerID, storeID int64
	if err := d.GetContext(ctx, &sellerID, `SELECT id FROM sellers WHERE number = $1`, Tokens[0].SellerNumber); err != nil {
		return out, err
	}
	if err := d.GetContext(ctx, &storeID, `SELECT id FROM stores WHERE code = $1`, Tokens[1].StoreCode); err != nil {
		return out, err
	}
	// The seller's recent orders that have no return yet (Load's use the newest and the first).
	var orders []string
	if err := d.SelectContext(ctx, &orders, `SELECT o.number FROM orders o WHERE o.seller_id = $1
		AND NOT EXISTS (SELECT 1 FROM return_authorizations r WHERE r.order_id = o.id)
		ORDER BY o.placed_at DESC, o.id LIMIT 4`, sellerID); err != nil {
		return out, err
	}
	if len(orders) < 4 {
		return out, fmt.Errorf("the demo seller has %d orders without a return; the showcase needs 4", len(orders))
	}
	seller := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID})
	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: storeID})

	// receive authorises a return of the items and receives its parcel with the lines in
	// present only; a line of swapped arrives as something else.
	receive := func(order string, items []sc.RMAItemInput, present []int, swapped int, grades []sc.Grade) ([]*sc.ReturnedItem, int64, error) {
		rma, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order, Items: items})
		if err != nil {
			return nil, 0, err
		}
		var got []sc.ReceivedItemInput
		for i, line := range present {
			in := sc.ReceivedItemInput{RMALine: &line, Description: items[line-1].Description, Grade: grades[i]}
			if line == swapped {
				yes := true
				note := "a different model than the one authorised"
				in.DiffersFromRMA, in.Notes = &yes, &note
			}
			got = append(got, in)
		}
		p, err := d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: got})
		if err != nil {
			return nil, 0, err
		}
		items2, err := d.ParcelItems(staff, []int64{p.ID})
		if err != nil {
			return nil, 0, err
		}
		return items2[0], p.ID, nil
	}
	item := func(desc, category, value string) sc.RMAItemInput {
		return sc.RMAItemInput{Description: desc, Quantity: 1, Category: category, DeclaredValue: usd(value)}
	}
	route := func(id int64, r sc.Route) error { _, err := d.RouteItem(staff, id, &r); return err }

	// A parcel without its third item, and with its second not what was authorised.
	kitchen, parcel, err := receive(orders[0], []sc.RMAItemInput{
		item("Cast-iron skillet, 26 cm", "Kitchen", "34.00"),
		item("Espresso machine, single boiler", "Kitchen", "120.00"),
		item("Set of 6 linen napkins", "Home", "18.00"),
	}, []int{1, 2}, 2, []sc.Grade{sc.GradeGood, sc.GradeFair})
	if err != nil {
		return out, fmt.Errorf("the parcel with a discrepancy: %w", err)
	}
	out.Parcel, out.Item = parcel, kitchen[0].ID
	if err := route(kitchen[0].ID, sc.RouteSale); err != nil {
		return out, err
	}
	// Five things for the auctions, all received.
	lots, _, err := receive(orders[1], []sc.RMAItemInput{
		item("Brass desk lamp, 1950s", "Home", "60.00"),
		item("Vintage film camera with 50 mm lens", "Electronics", "150.00"),
		item("Hand-knotted wool rug, 120 × 180 cm", "Home", "220.00"),
		item("Mechanical wristwatch, steel", "Accessories", "180.00"),
		item("Oak bookshelf speaker pair", "Electronics", "90.00"),
	}, []int{1, 2, 3, 4, 5}, 0, []sc.Grade{sc.GradeGood, sc.GradeLikeNew, sc.GradeGood, sc.GradeLikeNew, sc.GradeGood})
	if err != nil {
		return out, fmt.Errorf("the auction's parcel: %w", err)
	}
	for _, it := range lots {
		if err := route(it.ID, sc.RouteAuction); err != nil {
			return out, err
		}
	}
	// One still to route, and a parcel that came without a label.
	if _, _, err := receive(orders[2], []sc.RMAItemInput{item("Children's rain boots, size 30", "Clothing", "22.00")},
		[]int{1}, 0, []sc.Grade{sc.GradeNew}); err != nil {
		return out, err
	}
	notes := "no label, left at the door"
	if _, err := d.ReceiveParcel(staff, sc.ParcelInput{Notes: &notes, Items: []sc.ReceivedItemInput{
		{Description: "Box of paperback novels", Grade: sc.GradeFair}}}); err != nil {
		return out, err
	}
	authorized, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: orders[3], Items: []sc.RMAItemInput{
		item("Wireless headphones", "Electronics", "79.00")}})
	if err != nil {
		return out, err
	}
	out.Authorized = authorized.Code

	var paddles []int
	var bidders []int64
	for _, b := range []sc.BidderInput{
		{Name: "Ada Byron", Email: "ada@example.com", Address: sc.PostalAddress{Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4LB", Country: "GB"}},
		{Name: "Grace Hopper", Email: "grace@example.com", Address: sc.PostalAddress{Line1: "1 Navy Way", City: "Arlington", Region: "VA", PostalCode: "22202", Country: "US"}},
		{Name: "Alan Turing", Email: "alan@example.com", Phone: "+44 161 555 0100", Address: sc.PostalAddress{Line1: "Oxford Road", City: "Manchester", PostalCode: "M13 9PL", Country: "GB"}},
	} {
		bidder, err := d.RegisterBidder(staff, b)
		if err != nil {
			return out, err
		}
		bidders = append(bidders, bidder.ID)
	}

	now := d.Now()
	live, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Winter floor sale", Kind: sc.AuctionLive, StartsAt: now.Add(-time.Hour)})
	if err != nil {
		return out, err
	}
	out.LiveAuction = live.ID
	liveLots := []struct {
		title, estimate, start, reserve string
	}{
		{"Brass desk lamp", "40.00", "10.00", "25.00"},
		{"Vintage film camera", "120.00", "40.00", "90.00"},
		{"Hand-knotted wool rug", "180.00", "60.00", ""},
	}
	var liveIDs []int64
	for i, l := range liveLots {
		in := sc.LotInput{Number: i + 1, Items: []int64{lots[i].ID}, Title: l.title, Estimate: usd(l.estimate), StartingBid: usd(l.start)}
		if l.reserve != "" {
			r := usd(l.reserve)
			in.Reserve = &r
		}
		lot, err := d.AddLot(staff, live.ID, in)
		if err != nil {
			return out, err
		}
		liveIDs = append(liveIDs, lot.ID)
	}
	for _, b := range bidders {
		p, err := d.AssignPaddle(staff, live.ID, b)
		if err != nil {
			return out, err
		}
		paddles = append(paddles, p.Number)
	}
	if _, err := d.OpenAuction(staff, live.ID); err != nil {
		return out, err
	}
	key := 0
	bid := func(lot int64, paddle int, kind sc.BidKind, amount string) error {
		key++
		_, err := d.PlaceBid(staff, sc.BidInput{Lot: lot, Paddle: paddle, Kind: kind, Amount: usd(amount), IdempotencyKey: fmt.Sprintf("showcase-%d", key)})
		return err
	}
	// Lot 1: an absentee maximum, floor bids against it, hammered and paid by card.
	if _, err := d.OpenLot(staff, liveIDs[0]); err != nil {
		return out, err
	}
	for _, b := range []struct {
		paddle int
		kind   sc.BidKind
		amount string
	}{{paddles[0], sc.BidAbsentee, "80.00"}, {paddles[1], sc.BidFloor, "40.00"}, {paddles[1], sc.BidFloor, "60.00"}, {paddles[2], sc.BidPhone, "85.00"}} {
		if err := bid(liveIDs[0], b.paddle, b.kind, b.amount); err != nil {
			return out, fmt.Errorf("lot 1's bid of %s: %w", b.amount, err)
		}
	}
	sold, err := d.HammerLot(staff, liveIDs[0])
	if err != nil {
		return out, err
	}
	if _, err := d.RecordLotPayment(staff, sc.PaymentInput{Lot: sold.ID, Amount: usd(sold.Hammer().Amount()), Method: sc.PaymentCard}); err != nil {
		return out, err
	}
	out.PaidLot = sold.ID
	// Lot 2: open, bid on from the floor and the phone; the clerking screen shows it.
	if _, err := d.OpenLot(staff, liveIDs[1]); err != nil {
		return out, err
	}
	for _, b := range []struct {
		paddle int
		kind   sc.BidKind
		amount string
	}{{paddles[1], sc.BidFloor, "40.00"}, {paddles[2], sc.BidPhone, "50.00"}, {paddles[1], sc.BidFloor, "60.00"}, {paddles[0], sc.BidFloor, "75.00"}, {paddles[2], sc.BidPhone, "95.00"}} {
		if err := bid(liveIDs[1], b.paddle, b.kind, b.amount); err != nil {
			return out, fmt.Errorf("lot 2's bid of %s: %w", b.amount, err)
		}
	}
	out.OpenLot = liveIDs[1]

	// A TIMED auction, open for a week, its two lots bid on.
	ends := now.Add(7 * 24 * time.Hour)
	stagger := time.Minute
	timed, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Online spring sale", Kind: sc.AuctionTimed, StartsAt: now.Add(-time.Hour), EndsAt: &ends, Stagger: &stagger})
	if err != nil {
		return out, err
	}
	out.TimedAuction = timed.ID
	var timedIDs []int64
	for i, it := range lots[3:] {
		lot, err := d.AddLot(staff, timed.ID, sc.LotInput{Number: i + 1, Items: []int64{it.ID}, Title: []string{"Mechanical wristwatch", "Bookshelf speakers"}[i],
			Estimate: usd([]string{"150.00", "80.00"}[i]), StartingBid: usd([]string{"50.00", "20.00"}[i])})
		if err != nil {
			return out, err
		}
		timedIDs = append(timedIDs, lot.ID)
	}
	var timedPaddles []int
	for _, b := range bidders {
		p, err := d.AssignPaddle(staff, timed.ID, b)
		if err != nil {
			return out, err
		}
		timedPaddles = append(timedPaddles, p.Number)
	}
	if _, err := d.OpenAuction(staff, timed.ID); err != nil {
		return out, err
	}
	if err := bid(timedIDs[0], timedPaddles[0], sc.BidAbsentee, "120.00"); err != nil {
		return out, err
	}
	if err := bid(timedIDs[0], timedPaddles[1], sc.BidFloor, "70.00"); err != nil {
		return out, err
	}
	if err := bid(timedIDs[1], timedPaddles[2], sc.BidFloor, "20.00"); err != nil {
		return out, err
	}
	return out, nil
}
