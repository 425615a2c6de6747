package portal_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// login opens an account invited by email through its link and logs it in, in this tab.
func (b *tab) acceptAndLogin(link, email string) {
	b.t.Helper()
	b.open(link)
	b.waitFor(`document.getElementById('f-password') !== null`)
	b.fill("f-password", "correct horse battery staple")
	b.fill("f-confirm", "correct horse battery staple")
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitTitle("Log in")
	b.fill("f-email", email)
	b.fill("f-password", "correct horse battery staple")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")
}

// receiveParcel receives rma's parcel through the intake pages, the lines in missing absent,
// and returns the IDs of the items received.
func (b *tab) receiveParcel(code string, missing ...int) []int64 {
	b.t.Helper()
	b.open("/portal/intake")
	b.waitTitle("Intake")
	b.do(chromedp.SendKeys(byID("f-code"), code+kb.Enter))
	b.waitTitle("Receive a parcel")
	for _, i := range missing {
		b.do(chromedp.Click(byID(fmt.Sprintf("f-items.%d.present", i))))
	}
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Parcel ')`)
	hrefs := eval[[]string](b, `[...document.querySelectorAll('main table a[href^="/portal/items/"]')].map(a => a.getAttribute('href'))`)
	var ids []int64
	for _, h := range hrefs {
		id, err := strconv.ParseInt(strings.TrimPrefix(h, "/portal/items/"), 10, 64)
		require.NoError(b.t, err)
		ids = append(ids, id)
	}
	return ids
}

// route sends an item to a route from its page.
func (b *tab) route(item int64, route string) {
	b.t.Helper()
	b.open(fmt.Sprintf("/portal/items/%d", item))
	b.waitFor(`document.getElementById('f-route') !== null`)
	b.do(chromedp.SetValue(byID("f-route"), route))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/route"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'LISTED'`)
}

// waitAfterLoad is waitFor across a full page load that the page itself starts (a form the
// clerking screen posts without htmx): the poll's page may go away under it, and is run again
// in the new one.
func (b *tab) waitAfterLoad(js string) {
	b.t.Helper()
	for {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingMutation()))
		if err == nil {
			return
		}
		if msg := err.Error(); !strings.Contains(msg, "context with specified id") && !strings.Contains(msg, "context was destroyed") && !strings.Contains(msg, "navigated or closed") {
			require.NoError(b.t, err, "waiting for %s", js)
		}
	}
}

var auctionPathRE = regexp.MustCompile(`/portal/auctions/(\d+)$`)

// TestBrowserLiveAuction is the portal's whole path in real headless Chromium, every step
// through the pages: a staff member invited by email sets a password and logs in, receives a
// parcel with a missing item, grades and routes the items, sells one directly, puts another in
// a LIVE auction with its bidders, and clerks it while a second clerk, in a browser context of
// its own, logs floor and phone bids that arrive on the first one's screen as they happen; the
// lot is hammered, paid, its receipt downloaded, the items settled and the certificate
// downloaded. It logs how long a bid takes from one clerk's Enter to the other's screen.
func TestBrowserLiveAuction(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	first, second := tb.returnTo(t), tb.returnTo(t)
	a := tb.tab(t)
	a.acceptAndLogin(tb.invite(t, "SCS", "ann@example.org", sc.StaffMember), "ann@example.org")

	// A parcel that lacks its scarf: the lamp is sold over the counter.
	lamp := a.receiveParcel(first.Code, 1)
	require.Len(t, lamp, 1)
	require.Contains(t, a.text(`.discrepancies li[data-kind="MISSING_ITEM"]`), "nothing answers to line 2")
	a.route(lamp[0], "SALE")
	a.fill("f-price.amount", "12.50")
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/sale"] button`)))
	a.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'SOLD'`)
	// A full parcel: its lamp goes to auction.
	items := a.receiveParcel(second.Code)
	require.Len(t, items, 2)
	a.route(items[0], "AUCTION")

	// A LIVE auction with the lamp as lot 1, and two bidders with paddles.
	a.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/auctions"]`)))
	a.waitTitle("Auctions")
	a.check("auctions")
	a.fill("f-title", "Spring floor sale")
	a.do(chromedp.SetValue(byID("f-kind"), "LIVE"))
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/auctions"] button`)))
	a.waitFor(`document.querySelector('#f-startsAt-error') !== null`)
	a.check("auctions-error")
	a.do(chromedp.SetValue(byID("f-startsAt"), time.Now().UTC().Format("2006-01-02 15:04")))
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/auctions"] button`)))
	a.waitTitle("Spring floor sale")
	auctionID := auctionPathRE.FindStringSubmatch(eval[string](a, `location.pathname`))[1]
	a.do(chromedp.Click(byID(fmt.Sprintf("f-item-%d", items[0]))))
	a.fill(fmt.Sprintf("f-estimate.%d", items[0]), "30.00")
	a.fill("f-title", "Desk lamp")
	a.fill("f-startingBid.amount", "5.00")
	a.fill("f-reserve.amount", "2.00")
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/lots"] button`)))
	a.waitFor(`document.querySelector('[id="f-reserve.amount-error"]') !== null`)
	require.Equal(t, "30.00", eval[string](a, fmt.Sprintf(`document.getElementById('f-estimate.%d').value`, items[0])), "what was typed is kept")
	a.check("auction-lot-error")
	a.fill("f-reserve.amount", "10.00")
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/lots"] button`)))
	a.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Lot 1 added')`)
	for _, name := range []string{"Bea Bidder", "Cal Bidder"} {
		a.open("/portal/bidders")
		a.waitTitle("Bidders")
		email := strings.ToLower(strings.Fields(name)[0]) + "@example.com"
		a.fill("f-name", name)
		a.fill("f-email", email)
		a.fill("f-address.line1", "1 Main Street")
		a.fill("f-address.city", "Springfield")
		a.fill("f-address.postalCode", "12345")
		a.do(chromedp.Click(chromedp.CSS(`form[action$="/bidders"] button`)))
		a.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Registered')`)
	}
	a.check("bidders")
	a.open("/portal/auctions/" + auctionID)
	a.waitTitle("Spring floor sale")
	for _, email := range []string{"bea@example.com", "cal@example.com"} {
		a.do(chromedp.Click(chromedp.CSS(`form[action$="/paddles"] button`)))
		a.waitFor(fmt.Sprintf(`document.querySelector('[data-paddle-of="%s"]')?.textContent !== 'none'`, email))
	}
	require.Equal(t, "100", a.text(`[data-paddle-of="bea@example.com"]`))
	require.Equal(t, "101", a.text(`[data-paddle-of="cal@example.com"]`))
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)))
	a.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'OPEN'`)
	a.check("auction")

	// The first clerk opens the lot with F2 and watches; the second logs the bids.
	a.open(eval[string](a, `document.querySelector('a[href$="/clerk"]').getAttribute('href')`))
	a.waitTitle("Clerking: Spring floor sale")
	a.waitFor(`!document.getElementById('open-form').hidden`)
	a.do(chromedp.KeyEvent(kb.F2))
	a.waitAfterLoad(`document.getElementById('lot-status')?.dataset.status === 'OPEN' && document.getElementById('clerk')?.dataset.live === 'yes'`)
	a.check("clerk")
	b := tb.tab(t)
	b.acceptAndLogin(tb.invite(t, "SCS", "bob@example.org", sc.StaffMember), "bob@example.org")
	b.open("/portal/auctions/" + auctionID + "/clerk")
	b.waitFor(`document.getElementById('clerk')?.dataset.live === 'yes'`)
	rows := func(tb *tab, n int) {
		tb.t.Helper()
		tb.waitFor(fmt.Sprintf(`document.querySelectorAll('#bid-rows tr').length === %d`, n))
	}
	bid := func(paddle int, amount string) {
		b.do(chromedp.SetValue(byID("f-paddle"), strconv.Itoa(paddle)), chromedp.SetValue(byID("f-amount.amount"), amount),
			chromedp.SendKeys(byID("f-amount.amount"), kb.Enter))
	}
	// A floor bid at the ask, typed without an amount: the script fills in the ask.
	b.do(chromedp.SendKeys(byID("f-paddle"), "100"+kb.Enter))
	rows(a, 1)
	require.Equal(t, "paddle 100 at 5.00 USD", a.text("#leader"))
	require.Equal(t, "not met", a.text("#reserve"))
	require.Equal(t, "5.50 USD", a.text("#ask"))
	// A phone bid (F3), which the first clerk's screen shows as it happens.
	b.do(chromedp.KeyEvent(kb.F3))
	b.waitFor(`document.getElementById('f-kind').checked`)
	bid(101, "6.00")
	rows(a, 2)
	require.Equal(t, "phone", a.text(`#bid-rows tr:first-child td:nth-child(3)`))
	b.do(chromedp.KeyEvent(kb.F3))
	// A bid below the ask is refused beside its field, and logs nothing.
	bid(100, "5.00")
	b.waitFor(`document.querySelector('#bid-errors .error') !== null`)
	require.Equal(t, "true", eval[string](b, `document.getElementById('f-amount.amount').getAttribute('aria-invalid')`))
	// The same bid sent twice at once with one key (a double Enter) is one bid.
	statuses := eval[[]int](b, `(() => { const f = document.getElementById('bid-form'); const d = new FormData(f);
		d.set('paddle', '100'); d.set('amount.amount', '6.50'); d.set('key', 'double-enter'); d.delete('kind');
		const send = () => fetch(f.action, {method: 'POST', body: new URLSearchParams(d), headers: {Accept: 'application/json'}}).then(r => r.status);
		return Promise.all([send(), send()]); })()`)
	require.Equal(t, []int{200, 200}, statuses)
	rows(a, 3)
	rows(b, 3)
	// Undo (F9) retracts the last bid on both screens.
	b.do(chromedp.KeyEvent(kb.F9))
	b.waitAfterLoad(`document.getElementById('clerk')?.dataset.live === 'yes' && document.querySelector('#bid-rows tr[data-retracted]') !== null`)
	a.waitFor(`document.querySelector('#bid-rows tr[data-retracted]') !== null`)
	require.Equal(t, "paddle 101 at 6.00 USD", a.text("#leader"))
	b.check("clerk-second")

	// Fifty bids, alternating paddles, each from the second clerk's Enter to the first's screen.
	eval[bool](b, `(() => { window.__sent = {}; document.addEventListener('keydown', e => {
		if (e.key === 'Enter') window.__sent[document.getElementById('f-amount.amount').value] = performance.timeOrigin + performance.now(); }, true); return true; })()`)
	eval[bool](a, `(() => { window.__shown = {}; new MutationObserver(ms => { const t = performance.timeOrigin + performance.now();
		for (const m of ms) for (const n of m.addedNodes) if (n.dataset?.bid) window.__shown[n.children[3].textContent.split(' ')[0]] = t; })
		.observe(document.getElementById('bid-rows'), {childList: true}); return true; })()`)
	const measured = 50
	n := eval[int](a, `document.querySelectorAll('#bid-rows tr').length`)
	for i := range measured {
		ask := strings.Fields(b.text("#ask"))[0]
		bid(100+i%2, ask)
		n++
		rows(a, n)
		rows(b, n)
	}
	sent := eval[map[string]float64](b, `window.__sent`)
	shown := eval[map[string]float64](a, `window.__shown`)
	var lat []float64
	for amount, at := range sent {
		if s, ok := shown[amount]; ok {
			lat = append(lat, s-at)
		}
	}
	require.Len(t, lat, measured, "every bid's Enter and arrival were seen")
	slices.Sort(lat)
	t.Logf("clerk to clerk, Enter to the other screen, %d bids: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
		len(lat), lat[len(lat)/2], lat[(len(lat)*99-1)/100], lat[len(lat)-1])
	require.Equal(t, "met", a.text("#reserve"))

	// The first clerk hammers (F4): sold on both screens; payment and the receipt.
	a.do(chromedp.KeyEvent(kb.F4))
	a.waitAfterLoad(`document.getElementById('lot-status')?.dataset.status === 'SOLD'`)
	b.waitFor(`document.getElementById('lot-status')?.dataset.status === 'SOLD' && !document.getElementById('open-form')`)
	a.check("clerk-sold")
	a.open(eval[string](a, `document.querySelector('a[href^="/portal/lots/"]').getAttribute('href')`))
	a.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Lot 1: Desk lamp')`)
	a.check("lot-sold")
	a.do(chromedp.SetValue(byID("f-method"), "CARD"))
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/payment"] button`)))
	a.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'PAID'`)
	a.check("lot-paid")
	requirePDF(t, eval[string](a, `document.querySelector('a.download').href`), "the receipt")

	// Settle both sales and download the certificate.
	a.open("/portal/items?status=SOLD")
	a.waitTitle("Items")
	require.Equal(t, 2, eval[int](a, `document.querySelectorAll('input[name=item]').length`))
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/items/settle"] button`)))
	a.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Settled 2 item(s)')`)
	a.open("/portal/certificates")
	a.waitTitle("Certificates")
	a.do(chromedp.Click(chromedp.CSS(`form[action$="/certificates/issue"] button`)))
	a.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Issued ')`)
	a.do(chromedp.Click(chromedp.CSS(`main table a[href^="/portal/certificates/"]`)))
	a.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Certificate ')`)
	requirePDF(t, eval[string](a, `document.querySelector('a.download').href`), "the certificate")
	a.open("/portal/auctions/" + auctionID)
	a.waitTitle("Spring floor sale")
	require.Equal(t, "1", a.text(`[data-result="sold"]`))
	a.check("auction-results")

	// Another store's staff find neither the auction nor its lot, nor their events.
	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC1")})
	other := tb.account(t, "KC1", "kc@example.org", sc.StaffMember)
	lotPath := eval[string](a, `document.querySelector('main table a[href^="/portal/lots/"]').getAttribute('href')`)
	for _, path := range []string{"/portal/auctions/" + auctionID, "/portal/auctions/" + auctionID + "/clerk", lotPath, lotPath + "/events"} {
		res := other.get(t, path)
		require.Equal(t, http.StatusNotFound, res.status, path)
		require.NotContains(t, res.body, "Desk lamp", path)
	}
	b.open(lotPath + "9")
	b.waitTitle("Page not found")
	b.check("lot-not-found")
}

func requirePDF(t *testing.T, url, what string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	head := make([]byte, 5)
	_, err = io.ReadFull(res.Body, head)
	require.NoError(t, err)
	require.Equal(t, "%PDF-", string(head), "%s downloads", what)
}
