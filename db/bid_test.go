package db_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/http/apitest"
)

// TestConcurrentBidsEndAsASerialReplay sends random streams of bids from many clients at once
// (absentee maximums, equal maximums, floor and phone bids, leaders raising their own maximum,
// retried idempotency keys, retractions, all late enough to extend the lots) and checks that
// every lot ends in exactly the state a serial replay of its accepted bids computes, with
// gapless event numbers and no accepted bid lost.
func TestConcurrentBidsEndAsASerialReplay(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	now := time.Now()
	end := now.Add(90 * time.Second) // inside the soft-close window from the first bid on
	au, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Property", Kind: sc.AuctionTimed, StartsAt: now.Add(-time.Minute), EndsAt: &end})
	require.NoError(t, err)
	const lots, bidders = 3, 6
	lotIDs := make([]int64, lots)
	for i := range lots {
		it := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
		in := sc.LotInput{Number: i + 1, Items: []int64{it.ID}, Title: fmt.Sprintf("Lot %d", i+1),
			Estimate: sc.MoneyInput{Amount: "10.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "1.00", Currency: "USD"}}
		if i == 1 {
			in.Reserve = &sc.MoneyInput{Amount: "40.00", Currency: "USD"}
		}
		l, err := d.AddLot(staff, au.ID, in)
		require.NoError(t, err)
		lotIDs[i] = l.ID
	}
	for i := range bidders {
		b, err := d.RegisterBidder(staff, sc.BidderInput{Name: fmt.Sprintf("B%d", i), Email: fmt.Sprintf("b%d@example.com", i),
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
		require.NoError(t, err)
		_, err = d.AssignPaddle(staff, au.ID, b.ID)
		require.NoError(t, err)
	}
	_, err = d.OpenAuction(staff, au.ID)
	require.NoError(t, err)

	var mu sync.Mutex
	accepted := map[int64]bool{} // bid IDs the service said it logged
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range 25 {
				lot := lotIDs[r.IntN(lots)]
				if r.IntN(10) == 0 {
					bids, err := d.Bids(staff, []int64{lot})
					require.NoError(t, err)
					if len(bids[0]) > 0 {
						b := bids[0][r.IntN(len(bids[0]))]
						_, err := d.RetractBid(staff, b.ID, "property test")
						require.True(t, err == nil || sc.ErrorCode(err) == sc.ECONFLICT, "%v", err)
					}
					continue
				}
				kind := []sc.BidKind{sc.BidFloor, sc.BidPhone, sc.BidAbsentee}[r.IntN(3)]
				cents := int64(100 + 25*r.IntN(400)) // on a quarter grid, so equal maximums happen
				key := fmt.Sprintf("w%d-%d", w, i)
				if r.IntN(8) == 0 {
					key = fmt.Sprintf("shared-%d", r.IntN(3)) // a retry from another client
				}
				res, err := d.PlaceBid(staff, sc.BidInput{Lot: lot, Paddle: 100 + r.IntN(bidders), Kind: kind,
					Amount: sc.MoneyInput{Amount: sc.USD(cents).Amount(), Currency: "USD"}, IdempotencyKey: key})
				switch sc.ErrorCode(err) {
				case "":
					if !res.Replayed {
						mu.Lock()
						accepted[res.Bid.ID] = true
						mu.Unlock()
					}
				case sc.EBIDTOOLOW, sc.ECONFLICT, sc.ELOTSTATE:
				default:
					t.Errorf("bid: %v", err)
				}
			}
		})
	}
	wg.Wait()

	var logged []int64
	require.NoError(t, d.Select(&logged, `SELECT id FROM bids`))
	require.Len(t, logged, len(accepted), "every accepted bid is logged, and nothing else")
	for _, id := range logged {
		require.True(t, accepted[id])
	}
	for _, id := range lotIDs {
		l, err := d.LotsByID(staff, []int64{id})
		require.NoError(t, err)
		lot := l[0]
		bids, err := d.Bids(staff, []int64{id})
		require.NoError(t, err)
		var lines []sc.BidLine
		var lastPlaced time.Time
		for _, b := range bids[0] {
			if b.PlacedAt.After(lastPlaced) {
				lastPlaced = b.PlacedAt
			}
			if b.RetractedAt == nil {
				lines = append(lines, b.Line())
			}
		}
		require.Equal(t, lot.Terms().Replay(lines), lot.State(), "lot %d", lot.Number)
		var seqs []int64
		require.NoError(t, d.Select(&seqs, `SELECT seq FROM lot_events WHERE lot_id = $1 ORDER BY seq`, id))
		for i, s := range seqs {
			require.Equal(t, int64(i+1), s, "gapless")
		}
		require.Equal(t, lot.Seq, int64(len(seqs)))
		if len(bids[0]) > 0 {
			want := lastPlaced.Add(2 * time.Minute)
			if want.After(*lot.CapAt) {
				want = *lot.CapAt
			}
			require.WithinDuration(t, want, *lot.EndsAt, time.Millisecond, "the last accepted bid extended the lot")
		}
	}
}

// TestASlowWatcherIsDroppedNotBuffered: a subscriber that reads nothing holds at most its
// buffer; past it, its stream closes (it reconnects with afterSequence and misses nothing).
func TestASlowWatcherIsDroppedNotBuffered(t *testing.T) {
	t.Parallel()
	d, dsn := dbtest.NewWithURL(t)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	au, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Slow", Kind: sc.AuctionLive, StartsAt: time.Now()})
	require.NoError(t, err)
	it := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	lot, err := d.AddLot(staff, au.ID, sc.LotInput{Number: 1, Items: []int64{it.ID}, Title: "Lot",
		Estimate: sc.MoneyInput{Amount: "1.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "1.00", Currency: "USD"}})
	require.NoError(t, err)
	b, err := d.RegisterBidder(staff, sc.BidderInput{Name: "B", Email: "b@example.com",
		Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
	require.NoError(t, err)
	_, err = d.AssignPaddle(staff, au.ID, b.ID)
	require.NoError(t, err)
	_, err = d.OpenAuction(staff, au.ID)
	require.NoError(t, err)

	w := db.NewLotWatcher(d, dsn, 3)
	t.Cleanup(func() { w.Close() })
	w.Patience = time.Millisecond // a client that takes nothing
	events, err := w.Watch(staff, lot.ID, 0)
	require.NoError(t, err)
	_, err = d.OpenLot(staff, lot.ID)
	require.NoError(t, err)
	for i := range 10 {
		_, err := d.PlaceBid(staff, sc.BidInput{Lot: lot.ID, Paddle: 100, Kind: sc.BidAbsentee,
			Amount: sc.MoneyInput{Amount: fmt.Sprintf("%d.00", 10+i), Currency: "USD"}, IdempotencyKey: fmt.Sprint(i)})
		require.NoError(t, err)
	}
	apitest.WaitFor(t, "the slow subscriber dropped", func() bool { return w.Subscribers() == 0 })
	var got []int64
	for e := range events { // closed once its buffer of 3 stayed full
		got = append(got, e.Seq)
	}
	require.Equal(t, []int64{1, 2, 3}, got, "the first events, in order; then dropped")
	require.Zero(t, w.Subscribers())

	// Reconnecting after the last sequence seen gives exactly the rest, to a client that reads.
	w.Patience = 10 * time.Second
	again, err := w.Watch(staff, lot.ID, got[len(got)-1])
	require.NoError(t, err)
	for want := int64(4); want <= 11; want++ {
		e := <-again
		require.Equal(t, want, e.Seq)
	}
}

// TestAWatcherCatchesUpWithoutAWakeUp: an event whose wake-up never came (a crash between the
// commit and the notification) still reaches the watchers, by the watcher's own sweep.
func TestAWatcherCatchesUpWithoutAWakeUp(t *testing.T) {
	t.Parallel()
	d, dsn := dbtest.NewWithURL(t)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	au, err := d.CreateAuction(staff, sc.AuctionInput{Title: "Quiet", Kind: sc.AuctionLive, StartsAt: time.Now()})
	require.NoError(t, err)
	it := dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(sc.ItemListed), Route: ptr(sc.RouteAuction)})
	lot, err := d.AddLot(staff, au.ID, sc.LotInput{Number: 1, Items: []int64{it.ID}, Title: "Lot",
		Estimate: sc.MoneyInput{Amount: "1.00", Currency: "USD"}, StartingBid: sc.MoneyInput{Amount: "1.00", Currency: "USD"}})
	require.NoError(t, err)
	w := db.NewLotWatcher(d, dsn, 0)
	t.Cleanup(func() { w.Close() })
	events, err := w.Watch(staff, lot.ID, 0)
	require.NoError(t, err)
	// An event written as a crashed transaction would leave it: committed, never notified.
	_, err = d.Exec(`WITH u AS (UPDATE lots SET seq = seq + 1 WHERE id = $1 RETURNING id, seq)
		INSERT INTO lot_events (lot_id, seq, kind, at, price_cents) SELECT id, seq, 'OPENED', now(), 0 FROM u`, lot.ID)
	require.NoError(t, err)
	e := <-events
	require.Equal(t, int64(1), e.Seq)
}
