package portal_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// liveLot makes an open LIVE auction of SCS with one open lot and paddles 100 and 101, through
// the service, and returns the auction's and the lot's IDs.
func (tb *testBundle) liveLot(t *testing.T) (auction, lot int64) {
	t.Helper()
	staff, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	it := dbtest.Item(t, tb.d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	au, err := tb.d.CreateAuction(staff, sc.AuctionInput{Title: "Floor", Kind: sc.AuctionLive, StartsAt: time.Now()})
	require.NoError(t, err)
	l, err := tb.d.AddLot(staff, au.ID, sc.LotInput{Number: 1, Items: []int64{it.ID}, Title: "Lamp",
		Estimate: sc.MoneyInput{Amount: "30.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "5.00", Currency: "USD"}})
	require.NoError(t, err)
	for _, name := range []string{"Bea", "Cal"} {
		b, err := tb.d.RegisterBidder(staff, sc.BidderInput{Name: name, Email: strings.ToLower(name) + "@example.com",
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
		require.NoError(t, err)
		_, err = tb.d.AssignPaddle(staff, au.ID, b.ID)
		require.NoError(t, err)
	}
	_, err = tb.d.OpenAuction(staff, au.ID)
	require.NoError(t, err)
	_, err = tb.d.OpenLot(staff, l.ID)
	require.NoError(t, err)
	return au.ID, l.ID
}

// TestClerkWithoutJavaScript: the clerking screen's bid form posts and reloads; the same form
// sent twice is one bid (its one-time key is the bid's idempotency key); a bid below the ask
// is refused beside its amount, with what was typed kept.
func TestClerkWithoutJavaScript(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	auction, lot := tb.liveLot(t)
	c := tb.account(t, "SCS", "cleo@example.org", sc.StaffMember)
	screen := "/portal/auctions/" + strconv.FormatInt(auction, 10) + "/clerk"
	res := c.get(t, screen)
	require.Equal(t, http.StatusOK, res.status, res.body)
	action, form := c.form(t, "/bids")
	form.Set("paddle", "100")
	form.Set("amount.amount", "5.00")
	for range 2 {
		res = c.post(t, action, form)
		require.Equal(t, http.StatusOK, res.status, res.body)
		require.True(t, strings.HasSuffix(res.url, screen), res.url)
	}
	var bids int
	require.NoError(t, tb.d.Get(&bids, `SELECT count(*) FROM bids WHERE lot_id = $1`, lot))
	require.Equal(t, 1, bids, "the form sent twice is one bid")
	require.Contains(t, res.body, "paddle 100 at 5.00 USD")

	_, form = c.form(t, "/bids")
	form.Set("paddle", "101")
	form.Set("amount.amount", "5.25")
	res = c.post(t, action, form)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-amount.amount-error"`)
	require.Contains(t, res.body, `value="5.25"`)
	require.NoError(t, tb.d.Get(&bids, `SELECT count(*) FROM bids WHERE lot_id = $1`, lot))
	require.Equal(t, 1, bids)
}

// TestLotEventsResume: the event stream sends the events after the browser's Last-Event-ID,
// each with its sequence as its ID, then new ones as they happen; another store's staff get
// a 404.
func TestLotEventsResume(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	auction, lot := tb.liveLot(t)
	c := tb.account(t, "SCS", "cleo@example.org", sc.StaffMember)
	c.get(t, "/portal/auctions/"+strconv.FormatInt(auction, 10)+"/clerk")
	action, form := c.form(t, "/bids")
	bid := func(paddle, amount, key string) {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("paddle", paddle)
		f.Set("amount.amount", amount)
		f.Set("key", key)
		req, err := http.NewRequest(http.MethodPost, tb.url+action, strings.NewReader(f.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res := c.do(t, req)
		require.Equal(t, http.StatusOK, res.status, res.body)
		require.Contains(t, res.body, `"ok":true`)
	}
	bid("100", "5.00", "k1")
	bid("101", "6.00", "k2") // events: 1 OPENED, 2 and 3 BID

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := tb.url + "/portal/lots/" + strconv.FormatInt(lot, 10) + "/events"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, events+"?after=0", nil)
	require.NoError(t, err)
	req.Header.Set("Last-Event-ID", "2") // a reconnect: it has seen up to 2
	stream := &http.Client{Jar: c.http.Jar}
	res, err := stream.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	lines := bufio.NewScanner(res.Body)
	next := func() (id, data string) {
		t.Helper()
		for lines.Scan() {
			l := lines.Text()
			switch {
			case strings.HasPrefix(l, "id: "):
				id = strings.TrimPrefix(l, "id: ")
			case strings.HasPrefix(l, "data: "):
				data = strings.TrimPrefix(l, "data: ")
			case l == "" && id != "":
				return id, data
			}
		}
		t.Fatalf("the stream ended: %v", lines.Err())
		return "", ""
	}
	id, data := next()
	require.Equal(t, "3", id, "resumed after Last-Event-ID")
	require.Contains(t, data, `"kind":"BID"`)
	require.Contains(t, data, `"paddle":101`)
	require.Contains(t, data, `"ask":"6.50"`)
	bid("100", "6.50", "k3")
	id, data = next()
	require.Equal(t, "4", id, "a new bid arrives as it happens")
	require.Contains(t, data, `"leader":100`)

	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC1")})
	other := tb.account(t, "KC1", "kc@example.org", sc.StaffMember)
	require.Equal(t, http.StatusNotFound, other.get(t, events).status)
}
