package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// wsClient is a graphql-transport-ws client of the test server.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialEvents(t *testing.T, tb *testBundle, token string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(tb.Server.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	c := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { conn.CloseNow() })
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	require.Equal(t, "connection_ack", c.next()["type"])
	return c
}

func (c *wsClient) send(m map[string]any) {
	c.t.Helper()
	require.NoError(c.t, wsjson.Write(c.t.Context(), c.conn, m))
}

// next reads the next message that is not a keepalive ping.
func (c *wsClient) next() map[string]any {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
		var m map[string]any
		err := wsjson.Read(ctx, c.conn, &m)
		cancel()
		require.NoError(c.t, err)
		if m["type"] == "ping" {
			c.send(map[string]any{"type": "pong"})
			continue
		}
		return m
	}
}

func (c *wsClient) subscribe(id, lot string, after int) {
	c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($lot: ID!, $after: Int) { lotEvents(lot: $lot, afterSequence: $after) { sequence kind at endsAt paddle price { amount } leader reserveMet } }`,
		"variables": map[string]any{"lot": lot, "after": after}}})
}

// events reads n events of subscription id, checking they come in order from first.
func (c *wsClient) events(id string, first, n int) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for len(out) < n {
		m := c.next()
		require.Equal(c.t, "next", m["type"], "%v", m)
		require.Equal(c.t, id, m["id"])
		e := get(m, "payload", "data", "lotEvents").(map[string]any)
		require.Equal(c.t, float64(first+len(out)), e["sequence"], "in order, each once")
		require.NotEmpty(c.t, e["at"], "the server's time")
		out = append(out, e)
	}
	return out
}

func TestLotEventsReplayThenStreamAndResumeAfterADrop(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } } }`, map[string]any{"id": a.auction})
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "5.00", "w1"))

	// A watcher gets what happened (OPENED, the bid), then each new event as it happens, also
	// those another clerk logs.
	c := dialEvents(t, tb, tb.Staff)
	c.subscribe("1", a.lot, 0)
	evs := c.events("1", 1, 2)
	require.Equal(t, []any{"OPENED", "BID"}, []any{evs[0]["kind"], evs[1]["kind"]})
	require.NotEmpty(t, evs[0]["endsAt"], "every event carries the lot's end")
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "PHONE", "7.00", "w2"))
	ev := c.events("1", 3, 1)[0]
	require.Equal(t, map[string]any{"amount": "7.00"}, ev["price"])
	require.Equal(t, float64(101), ev["leader"])

	// The connection drops; bids go on; the watcher reconnects with the last sequence it saw
	// and receives exactly what it missed, then the stream again.
	c.conn.CloseNow()
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 100, "FLOOR", "8.00", "w3"))
	tb.Query(t, tb.Staff, placeBid, bid(a.lot, 101, "FLOOR", "9.00", "w4"))
	c = dialEvents(t, tb, tb.Staff)
	c.subscribe("2", a.lot, 3)
	missed := c.events("2", 4, 2)
	require.Equal(t, []any{float64(100), float64(101)}, []any{missed[0]["paddle"], missed[1]["paddle"]})
	id, _ := sc.ParseGlobalIDOf(a.bidders[1], sc.KindBidder, "bidder")
	var bidID int64
	require.NoError(t, tb.DB.Get(&bidID, `SELECT id FROM bids WHERE bidder_id = $1 ORDER BY seq DESC LIMIT 1`, id))
	tb.Query(t, tb.Staff, `mutation($id: ID!) { retractBid(input: {bid: $id, reason: "wrong paddle"}) { userErrors { code } } }`,
		map[string]any{"id": sc.GlobalID(sc.KindBid, bidID)})
	ev = c.events("2", 6, 1)[0]
	require.Equal(t, "RETRACTED", ev["kind"], "watchers see a retraction")
	require.Equal(t, float64(100), ev["leader"])
}

func TestLotEventsRefusesOtherStoresAndBoundsSubscriptions(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	dbtest.Store(t, tb.DB, &dbtest.StoreOpts{Code: ptr("OTW")})
	_, other, err := tb.DB.CreateToken(sc.NewSystemContext(context.Background()), sc.TokenInput{Role: sc.RoleStaff, StoreCode: "OTW"})
	require.NoError(t, err)

	c := dialEvents(t, tb, other)
	c.subscribe("1", a.lot, 0)
	require.Equal(t, "FORBIDDEN", subscriptionError(t, c.next()))

	// A seller's token may not watch either; no token at all is UNAUTHENTICATED.
	c = dialEvents(t, tb, tb.SellerA)
	c.subscribe("1", a.lot, 0)
	require.Equal(t, "FORBIDDEN", subscriptionError(t, c.next()))

	// One connection holds at most 20 subscriptions at once. The server starts them
	// concurrently, so whichever comes 21st is refused; the other 20 stay open.
	c = dialEvents(t, tb, tb.Staff)
	for i := range 21 {
		c.subscribe(string(rune('a'+i)), a.lot, 0)
	}
	m := c.next()
	require.Equal(t, "RATE_LIMITED", subscriptionError(t, m))
	require.Equal(t, "complete", c.next()["type"])
	waitFor(t, "20 subscribers", func() bool { return tb.DB.Watcher().Subscribers() == 20 })

	// A page of another origin may not open a websocket.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(tb.Server.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// subscriptionError is the code of the error a subscription was refused with.
func subscriptionError(t *testing.T, m map[string]any) string {
	t.Helper()
	require.Equal(t, "next", m["type"], "%v", m)
	require.Nil(t, get(m, "payload", "data"))
	return get(m, "payload", "errors", 0, "extensions", "code").(string)
}

func TestShuttingDownEndsTheSubscriptions(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	a := newAuction(t, tb, "TIMED", auctionItems(t, tb, 1), nil)
	c := dialEvents(t, tb, tb.Staff)
	c.subscribe("1", a.lot, 0)
	waitFor(t, "the subscriber", func() bool { return tb.DB.Watcher().Subscribers() == 1 })
	tb.API.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		var m map[string]any
		err := wsjson.Read(ctx, c.conn, &m)
		if err != nil {
			require.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "closed cleanly: %v", err)
			break
		}
	}
	waitFor(t, "no subscriber left", func() bool { return tb.DB.Watcher().Subscribers() == 0 })
}
