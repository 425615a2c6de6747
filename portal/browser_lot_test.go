package portal_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// lotsAfterTheSale makes, through the services, a LIVE auction of SCS whose lot 1 three
// bidders bid on (paddle 102 wins at 30.00) and whose lot 2 was passed without a bid, and a
// DRAFT auction to relist into. It returns the lots, the draft, and the bidders by name.
func (tb *testBundle) lotsAfterTheSale(t *testing.T) (sold, passed, draft int64, bidders map[string]int64) {
	t.Helper()
	staff, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	usd := func(a string) sc.MoneyInput { return sc.MoneyInput{Amount: a, Currency: "USD"} }
	au, err := tb.d.CreateAuction(staff, sc.AuctionInput{Title: "Winter floor sale", Kind: sc.AuctionLive, StartsAt: time.Now()})
	require.NoError(t, err)
	var lots []int64
	for i, title := range []string{"Desk lamp", "Wool scarf"} {
		it := dbtest.Item(t, tb.d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
		l, err := tb.d.AddLot(staff, au.ID, sc.LotInput{Number: i + 1, Items: []int64{it.ID}, Title: title, Estimate: usd("20.00"), StartingBid: usd("10.00")})
		require.NoError(t, err)
		lots = append(lots, l.ID)
	}
	bidders = map[string]int64{}
	var paddles []int
	for _, name := range []string{"Bea", "Cal", "Dee"} {
		b, err := tb.d.RegisterBidder(staff, sc.BidderInput{Name: name + " Bidder", Email: strings.ToLower(name) + "@example.com",
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
		require.NoError(t, err)
		bidders[name] = b.ID
		p, err := tb.d.AssignPaddle(staff, au.ID, b.ID)
		require.NoError(t, err)
		paddles = append(paddles, p.Number)
	}
	_, err = tb.d.OpenAuction(staff, au.ID)
	require.NoError(t, err)
	_, err = tb.d.OpenLot(staff, lots[0])
	require.NoError(t, err)
	for i, p := range paddles {
		_, err := tb.d.PlaceBid(staff, sc.BidInput{Lot: lots[0], Paddle: p, Kind: sc.BidFloor, Amount: usd(fmt.Sprintf("%d.00", 10*(i+1))), IdempotencyKey: fmt.Sprintf("k%d", i)})
		require.NoError(t, err)
	}
	_, err = tb.d.HammerLot(staff, lots[0])
	require.NoError(t, err)
	_, err = tb.d.OpenLot(staff, lots[1])
	require.NoError(t, err)
	_, err = tb.d.PassLot(staff, lots[1])
	require.NoError(t, err)
	next, err := tb.d.CreateAuction(staff, sc.AuctionInput{Title: "Spring floor sale", Kind: sc.AuctionLive, StartsAt: time.Now().Add(30 * 24 * time.Hour)})
	require.NoError(t, err)
	return lots[0], lots[1], next.ID, bidders
}

// lotStatus waits for the lot page to show status.
func (b *tab) lotStatus(status string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`document.querySelector('main [data-status]')?.dataset.status === %q`, status))
}

// TestBrowserLotAfterTheSale: what staff do on a lot's page once it is hammered, through the
// pages in headless Chromium: a payment refused beside its amount, a lot marked unpaid only
// after the payment window, a second-chance offer declined and another accepted and paid, and
// a passed lot relisted into another auction. Every page passes axe and the keyboard check.
func TestBrowserLotAfterTheSale(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	sold, passed, draft, bidders := tb.lotsAfterTheSale(t)
	b := tb.tab(t)
	b.acceptAndLogin(tb.invite(t, "SCS", "ann@example.org", sc.StaffMember), "ann@example.org")

	b.open(fmt.Sprintf("/portal/lots/%d", sold))
	b.waitTitle("Lot 1: Desk lamp")
	b.lotStatus("SOLD")
	require.Equal(t, "30.00", eval[string](b, `document.getElementById('f-amount.amount').value`), "the hammer price is the amount to pay")
	b.check("lot-sold")
	b.fill("f-amount.amount", "thirty")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/payment"] button`)))
	b.waitFor(`document.getElementById('f-amount.amount-error') !== null`)
	require.Equal(t, "thirty", eval[string](b, `document.getElementById('f-amount.amount').value`), "what was typed is kept")
	b.lotStatus("SOLD")
	b.check("lot-payment-error")

	// Within the payment window the lot cannot be marked unpaid; after it, it can.
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/unpaid"] button`)))
	b.waitFor(`document.querySelector('main .errors') !== null`)
	b.lotStatus("SOLD")
	b.check("lot-unpaid-refused")
	tb.advance(5 * 24 * time.Hour)
	b.open(fmt.Sprintf("/portal/lots/%d", sold))
	b.waitTitle("Lot 1: Desk lamp")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/unpaid"] button`)))
	b.lotStatus("UNPAID")
	require.Contains(t, b.text(".flash"), "Marked unpaid")
	require.False(t, eval[bool](b, `document.querySelector('form[action$="/payment"]') !== null`), "an unpaid lot takes no payment")
	b.check("lot-unpaid")

	// Cal declines the offer at his highest bid; Bea accepts hers and pays it.
	b.do(chromedp.SetValue(byID("f-bidder"), fmt.Sprint(bidders["Cal"])))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/offers"] button`)))
	b.waitFor(`document.querySelector('[data-offer-status="OPEN"]') !== null`)
	require.Contains(t, b.text(".flash"), "Offer made at 20.00 USD")
	b.check("lot-offer")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/decide"] button[value="false"]`)))
	b.waitFor(`document.querySelector('[data-offer-status="DECLINED"]') !== null`)
	b.lotStatus("UNPAID")
	b.check("lot-offer-declined")
	b.do(chromedp.SetValue(byID("f-bidder"), fmt.Sprint(bidders["Bea"])))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/offers"] button`)))
	b.waitFor(`document.querySelector('[data-offer-status="OPEN"]') !== null`)
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/decide"] button[value="true"]`)))
	b.lotStatus("SOLD")
	require.Contains(t, b.text(".flash"), "Offer accepted")
	require.Equal(t, "10.00", eval[string](b, `document.getElementById('f-amount.amount').value`), "Bea pays her own highest bid")
	b.check("lot-offer-accepted")
	b.do(chromedp.SetValue(byID("f-method"), "CASH"))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/payment"] button`)))
	b.lotStatus("PAID")
	require.Contains(t, b.text("[data-paid]"), "10.00 USD by cash")
	requirePDF(t, eval[string](b, `document.querySelector('a.download').href`), "the receipt")
	b.check("lot-offer-paid")

	// The passed lot goes into the spring sale; a bad lot number is refused beside its field.
	b.open(fmt.Sprintf("/portal/lots/%d", passed))
	b.waitTitle("Lot 2: Wool scarf")
	b.lotStatus("UNSOLD")
	b.check("lot-unsold")
	b.do(chromedp.SetValue(byID("f-auction"), fmt.Sprint(draft)))
	b.fill("f-number", "none")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/relist"] button`)))
	b.waitFor(`document.getElementById('f-number-error') !== null`)
	b.check("lot-relist-error")
	b.fill("f-number", "7")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/relist"] button`)))
	b.waitTitle("Lot 7: Wool scarf")
	b.lotStatus("PENDING")
	require.Contains(t, b.text(".flash"), "Relisted as lot 7")
	require.Equal(t, "Spring floor sale", b.text(`main .facts a[href^="/portal/auctions/"]`))
	b.check("lot-relisted")
}

// TestBrowserTimedAuction: a TIMED auction through its pages: created (its end required),
// a lot added, a paddle given and opened; its lot shows its end and the online bids; it has
// no clerking screen; once it ends it is paid like a floor lot.
func TestBrowserTimedAuction(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	staff, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	it := dbtest.Item(t, tb.d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	_, err := tb.d.RegisterBidder(staff, sc.BidderInput{Name: "Bea Bidder", Email: "bea@example.com",
		Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
	require.NoError(t, err)
	b := tb.tab(t)
	b.acceptAndLogin(tb.invite(t, "SCS", "ann@example.org", sc.StaffMember), "ann@example.org")

	b.open("/portal/auctions")
	b.waitTitle("Auctions")
	b.fill("f-title", "Online spring sale")
	b.do(chromedp.SetValue(byID("f-kind"), "TIMED"))
	b.fill("f-startsAt", time.Now().UTC().Format("2006-01-02 15:04"))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/auctions"] button`)))
	b.waitFor(`document.getElementById('f-endsAt-error') !== null`)
	require.Equal(t, "TIMED", eval[string](b, `document.getElementById('f-kind').value`), "what was chosen is kept")
	b.check("auctions-timed-error")
	ends := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	b.fill("f-endsAt", ends.Format("2006-01-02 15:04"))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/auctions"] button`)))
	b.waitTitle("Online spring sale")
	b.do(chromedp.Click(byID(fmt.Sprintf("f-item-%d", it.ID))))
	b.fill(fmt.Sprintf("f-estimate.%d", it.ID), "20.00")
	b.fill("f-title", "Desk lamp")
	b.fill("f-startingBid.amount", "5.00")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/lots"] button`)))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Lot 1 added')`)
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/paddles"] button`)))
	b.waitFor(`document.querySelector('[data-paddle-of="bea@example.com"]')?.textContent === '100'`)
	b.check("auction-timed-draft")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	b.waitFor(`document.querySelector('main [data-status]')?.dataset.status === 'OPEN'`)
	require.False(t, eval[bool](b, `document.querySelector('a[href$="/clerk"]') !== null`), "a TIMED auction has no clerking screen")
	b.check("auction-timed-open")

	lotPath := eval[string](b, `document.querySelector('main table a[href^="/portal/lots/"]').getAttribute('href')`)
	var lot int64
	_, err = fmt.Sscanf(lotPath, "/portal/lots/%d", &lot)
	require.NoError(t, err)
	_, err = tb.d.PlaceBid(staff, sc.BidInput{Lot: lot, Paddle: 100, Kind: sc.BidAbsentee, Amount: sc.MoneyInput{Amount: "12.00", Currency: "USD"}, IdempotencyKey: "online-1"})
	require.NoError(t, err)
	b.open(lotPath)
	b.waitTitle("Lot 1: Desk lamp")
	b.lotStatus("OPEN")
	require.Equal(t, ends.Format("2 Jan 2006 15:04 UTC"), b.text("[data-ends]"))
	require.Equal(t, 1, eval[int](b, `document.querySelectorAll('section[aria-labelledby="bids-h"] tbody tr').length`))
	b.check("lot-timed-open")
	b.open(strings.TrimSuffix(eval[string](b, `document.querySelector('main .facts a').getAttribute('href')`), "/") + "/clerk")
	b.waitTitle("Page not found")

	// The lot ends (the closing job's work), sold at the starting bid to the one bidder.
	tb.advance(73 * time.Hour)
	closed, err := tb.d.CloseLot(admin(), lot)
	require.NoError(t, err)
	require.True(t, closed.Closed)
	b.open(lotPath)
	b.waitTitle("Lot 1: Desk lamp")
	b.lotStatus("SOLD")
	require.Equal(t, "5.00", eval[string](b, `document.getElementById('f-amount.amount').value`))
	b.check("lot-timed-sold")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/payment"] button`)))
	b.lotStatus("PAID")
	b.check("lot-timed-paid")
}
