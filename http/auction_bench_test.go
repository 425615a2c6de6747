package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// benchBid asks for what a clerk's screen needs after a bid: its sequence, the lot's new
// minimum, and any refusal.
const benchBid = `mutation($in: PlaceBidInput!) { placeBid(input: $in) { bid { sequence } lot { minimumBid { amount } } userErrors { code message } } }`

// bidLadder is a lot's sequence of ever higher maximums from the 5.00 starting bid, each two
// increments and a cent above the one before, up to the largest amount a bid may be. Two neighbours that
// reach the lot's lock out of order are then both accepted: the later-numbered one leads, and
// the price stays one increment above the earlier-numbered one's predecessor.
func bidLadder() []int64 {
	inc := sc.DefaultIncrementTable()
	var out []int64
	for c := int64(500); c <= sc.MaxAmountCents; c += 2*inc.Increment(c) + 1 {
		out = append(out, c)
	}
	return out
}

func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// BenchmarkPlaceBids: 32 staff clients at once place ABSENTEE bids over HTTP, each its own
// committed transaction under its lot's row lock, on one hot lot and spread over 1,000 lots.
// Each client is a paddle of its own; each bid takes the next maximum of its lot's ladder, so a
// bid is refused (BID_TOO_LOW) only when two later ones of the same lot overtook it on the way
// to the lock: the client then takes the next maximum. Only accepted bids count. One op is
// 1,500 accepted bids on a newly opened auction.
func BenchmarkPlaceBids(b *testing.B) {
	for _, lots := range []int{1, 1000} {
		b.Run(fmt.Sprintf("lots=%d", lots), func(b *testing.B) { benchmarkPlaceBids(b, lots) })
	}
}

func benchmarkPlaceBids(b *testing.B, lots int) {
	const clients, perOp = 32, 1500
	tb := setup(b)
	ladder := bidLadder()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var rates, p50s, p99s, refusals []float64
	for b.Loop() {
		b.StopTimer()
		a := dbtest.TimedAuction(b, tb.DB, dbtest.AuctionOpts{Lots: lots, Bidders: clients})
		if _, err := tb.DB.OpenAuction(a.Staff, a.ID); err != nil {
			b.Fatal(err)
		}
		lotIDs := make([]string, lots)
		for i, id := range a.Lots {
			lotIDs[i] = sc.GlobalID(sc.KindLot, id)
		}
		steps := make([]atomic.Int64, lots)
		var issued, accepted, refused atomic.Int64
		lat := make(chan time.Duration, perOp+clients)
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for accepted.Load() < perOp {
					k := issued.Add(1) - 1
					lot := int(k % int64(lots))
					step := steps[lot].Add(1) - 1
					if step >= int64(len(ladder)) {
						return // the lot reached the largest amount: the op ends with what was accepted
					}
					body, _ := json.Marshal(map[string]any{"query": benchBid, "variables": map[string]any{"in": map[string]any{
						"lot": lotIDs[lot], "paddle": a.Paddles[c], "kind": "ABSENTEE", "amount": money(cents(ladder[step])),
						"idempotencyKey": fmt.Sprintf("c%d-%d", c, k)}}})
					t0 := time.Now()
					raw, err := postRaw(client, tb.Server.URL, a.StaffToken, body)
					d := time.Since(t0)
					if err != nil {
						b.Error(err)
						return
					}
					switch {
					case bytes.Contains(raw, []byte(`"userErrors":[]`)):
						accepted.Add(1)
						lat <- d
					case bytes.Contains(raw, []byte(`"BID_TOO_LOW"`)):
						refused.Add(1)
					default:
						b.Errorf("unexpected answer: %s", raw)
						return
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		close(lat)
		var ds []time.Duration
		for d := range lat {
			ds = append(ds, d)
		}
		slices.Sort(ds)
		var bids int
		if err := tb.DB.Get(&bids, `SELECT count(*) FROM bids b JOIN lots l ON l.id = b.lot_id WHERE l.auction_id = $1`, a.ID); err != nil {
			b.Fatal(err)
		}
		if bids != len(ds) {
			b.Fatalf("%d bids in the table, %d accepted", bids, len(ds))
		}
		rates = append(rates, float64(len(ds))/elapsed.Seconds())
		p50s = append(p50s, ms(ds[len(ds)/2]))
		p99s = append(p99s, ms(ds[len(ds)*99/100]))
		refusals = append(refusals, float64(refused.Load())/float64(len(ds)+int(refused.Load()))*100)
		b.StartTimer()
	}
	b.ReportMetric(median(rates), "bids/s")
	b.ReportMetric(median(p50s), "p50-ms")
	b.ReportMetric(median(p99s), "p99-ms")
	b.ReportMetric(median(refusals), "%refused")
	b.ReportMetric(0, "ns/op")
}

func postRaw(client *http.Client, url, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// median of the ops' figures: b.Loop runs the op more than once when it is quick.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkLotEventFanOut: 1,000 websocket connections (graphql-transport-ws) each watch one
// lot; one op is a FLOOR bid placed over HTTP, timed from sending it until the last of the
// 1,000 subscribers has read its event. Reports the median and 99th percentile over the ops
// (run it with -benchtime 50x or more), and the median of a single delivery.
func BenchmarkLotEventFanOut(b *testing.B) {
	const subs = 1000
	tb := setup(b)
	a := dbtest.TimedAuction(b, tb.DB, dbtest.AuctionOpts{Bidders: 2})
	if _, err := tb.DB.OpenAuction(a.Staff, a.ID); err != nil {
		b.Fatal(err)
	}
	lot := sc.GlobalID(sc.KindLot, a.Lots[0])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type arrival struct {
		seq int
		at  time.Time
	}
	arrivals := make(chan arrival, subs*4)
	var ready sync.WaitGroup
	for range subs {
		ready.Add(1)
		go func() {
			if err := watchLot(ctx, tb.Server.URL, a.StaffToken, lot, func() { ready.Done() }, func(seq int) {
				arrivals <- arrival{seq, time.Now()}
			}); err != nil && ctx.Err() == nil {
				b.Error(err)
			}
		}()
	}
	ready.Wait()
	// Each subscriber first replays the OPENED event: wait until all have it, so every
	// subscription is live before the first bid.
	for range subs {
		if (<-arrivals).seq != 1 {
			b.Fatal("a subscriber's first event is not OPENED")
		}
	}
	client := &http.Client{}
	ladder := bidLadder()
	var worst, each []time.Duration
	seq := 1
	for b.Loop() {
		seq++
		body, _ := json.Marshal(map[string]any{"query": benchBid, "variables": map[string]any{"in": map[string]any{
			"lot": lot, "paddle": a.Paddles[seq%2], "kind": "FLOOR", "amount": money(cents(ladder[seq])), "idempotencyKey": fmt.Sprint(seq)}}})
		t0 := time.Now()
		raw, err := postRaw(client, tb.Server.URL, a.StaffToken, body)
		if err != nil || !bytes.Contains(raw, []byte(`"userErrors":[]`)) {
			b.Fatal(err, string(raw))
		}
		var last time.Duration
		for range subs {
			x := <-arrivals
			if x.seq != seq {
				b.Fatalf("event %d arrived while waiting for %d", x.seq, seq)
			}
			d := x.at.Sub(t0)
			each = append(each, d)
			last = max(last, d)
		}
		worst = append(worst, last)
	}
	slices.Sort(worst)
	slices.Sort(each)
	b.ReportMetric(ms(worst[len(worst)/2]), "all-p50-ms")
	b.ReportMetric(ms(worst[len(worst)*99/100]), "all-p99-ms")
	b.ReportMetric(ms(each[len(each)/2]), "one-p50-ms")
	b.ReportMetric(0, "ns/op")
}

// watchLot subscribes to a lot's events over its own websocket and calls got with the sequence
// of each event, answering the server's keepalive pings, until ctx ends. subscribed is called
// once the subscription is sent.
func watchLot(ctx context.Context, url, token, lot string, subscribed func(), got func(seq int)) error {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		subscribed()
		return err
	}
	defer conn.CloseNow()
	var m struct {
		Type    string `json:"type"`
		Payload struct {
			Data struct {
				LotEvents struct {
					Sequence int `json:"sequence"`
				} `json:"lotEvents"`
			} `json:"data"`
			Errors []any `json:"errors"`
		} `json:"payload"`
	}
	steps := []map[string]any{
		{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}},
		{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query":     `subscription($lot: ID!) { lotEvents(lot: $lot, afterSequence: 0) { sequence kind at endsAt paddle price { amount } leader reserveMet } }`,
			"variables": map[string]any{"lot": lot}}},
	}
	if err := wsjson.Write(ctx, conn, steps[0]); err != nil {
		subscribed()
		return err
	}
	if err := wsjson.Read(ctx, conn, &m); err != nil || m.Type != "connection_ack" {
		subscribed()
		return fmt.Errorf("no connection_ack (%s): %v", m.Type, err)
	}
	err = wsjson.Write(ctx, conn, steps[1])
	subscribed()
	if err != nil {
		return err
	}
	for {
		m.Type, m.Payload.Errors = "", nil
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return err
		}
		switch {
		case m.Type == "ping":
			if err := wsjson.Write(ctx, conn, map[string]any{"type": "pong"}); err != nil {
				return err
			}
		case m.Type == "next" && m.Payload.Errors == nil:
			got(m.Payload.Data.LotEvents.Sequence)
		case m.Type == "pong":
		default:
			return fmt.Errorf("unexpected message %s: %v", m.Type, m.Payload.Errors)
		}
	}
}
