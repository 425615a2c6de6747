package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

func admin() context.Context {
	return sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleAdmin})
}

func ptr[T any](v T) *T { return &v }

// batch builds a valid batch of two sellers, three buyers and n orders per seller.
func batch(n int) sc.MarketplaceBatch {
	placed := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	b := sc.MarketplaceBatch{
		Sellers: []sc.SellerInput{{Number: "S1", Name: "Acme"}, {Number: "S2", Name: "Bolt", Country: ptr("US")}},
		Buyers:  []sc.BuyerInput{{Number: "B1", Handle: "alice"}, {Number: "B2", Handle: "bob"}, {Number: "B3", Handle: "carol"}},
	}
	for _, s := range []string{"S1", "S2"} {
		for i := 0; i < n; i++ {
			o := sc.OrderInput{
				Number: fmt.Sprintf("%s-O%d", s, i), SellerNumber: s, BuyerNumber: fmt.Sprintf("B%d", i%3+1),
				PlacedAt: placed.Add(time.Duration(i) * time.Hour), Total: sc.MoneyInput{Amount: "19.99", Currency: "USD"},
			}
			if i%2 == 0 {
				o.Feedback = &sc.FeedbackInput{Rating: 1 + i%5, LeftAt: o.PlacedAt.Add(48 * time.Hour)}
				o.Disputes = []sc.DisputeInput{{Number: "D-" + o.Number, Reason: sc.DisputeNotReceived, OpenedAt: o.PlacedAt.Add(72 * time.Hour)}}
			}
			b.Orders = append(b.Orders, o)
		}
	}
	return b
}

func TestIngest(t *testing.T) {
	t.Parallel()
	t.Run("OK and idempotent", func(t *testing.T) {
		t.Parallel()
		d := dbtest.New(t)
		res, err := d.Ingest(admin(), batch(5))
		require.NoError(t, err)
		require.Equal(t, sc.IngestResult{SellersCreated: 2, BuyersCreated: 3, OrdersCreated: 10, EventsUpserted: 12}, *res)
		res, err = d.Ingest(admin(), batch(5))
		require.NoError(t, err)
		require.Equal(t, sc.IngestResult{SellersUpdated: 2, BuyersUpdated: 3, OrdersUpdated: 10, EventsUpserted: 12}, *res)
		var n int
		require.NoError(t, d.Get(&n, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM feedback) + (SELECT count(*) FROM disputes)`))
		require.Equal(t, 22, n)
	})
	t.Run("ErrUnknownSeller writes nothing", func(t *testing.T) {
		t.Parallel()
		d := dbtest.New(t)
		b := batch(2)
		b.Orders[3].SellerNumber = "NOPE"
		_, err := d.Ingest(admin(), b)
		es := sc.AsErrors(err)
		require.Len(t, es, 1)
		require.Equal(t, sc.ENOTFOUND, es[0].Code)
		require.Equal(t, "orders.3.sellerNumber", es[0].Field)
		var n int
		require.NoError(t, d.Get(&n, `SELECT count(*) FROM sellers`))
		require.Zero(t, n)
	})
	t.Run("ErrOrderChangesSeller", func(t *testing.T) {
		t.Parallel()
		d := dbtest.New(t)
		_, err := d.Ingest(admin(), batch(2))
		require.NoError(t, err)
		b := batch(2)
		b.Orders[0].SellerNumber = "S2"
		_, err = d.Ingest(admin(), b)
		require.Equal(t, sc.ECONFLICT, sc.ErrorCode(err), "%v", err)
		require.Equal(t, "orders.0.sellerNumber", sc.AsErrors(err)[0].Field)
	})
	t.Run("ErrForbiddenForSeller", func(t *testing.T) {
		t.Parallel()
		d := dbtest.New(t)
		ctx := sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: 1})
		_, err := d.Ingest(ctx, batch(1))
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	})
	t.Run("KeepsSanctionOnResend", func(t *testing.T) {
		t.Parallel()
		d := dbtest.New(t)
		_, err := d.Ingest(admin(), batch(1))
		require.NoError(t, err)
		_, err = d.Exec(`UPDATE buyers SET status = 'SUSPENDED' WHERE number = 'B1'`)
		require.NoError(t, err)
		_, err = d.Ingest(admin(), batch(1))
		require.NoError(t, err)
		var st string
		require.NoError(t, d.Get(&st, `SELECT status FROM buyers WHERE number = 'B1'`))
		require.Equal(t, "SUSPENDED", st)
		b := batch(1)
		b.Buyers[0].Status = ptr(sc.BuyerClosed)
		_, err = d.Ingest(admin(), b)
		require.NoError(t, err)
		require.NoError(t, d.Get(&st, `SELECT status FROM buyers WHERE number = 'B1'`))
		require.Equal(t, "CLOSED", st)
	})
}

func TestOrdersAreScopedToTheSeller(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	_, err := d.Ingest(admin(), batch(3))
	require.NoError(t, err)
	var s1 int64
	require.NoError(t, d.Get(&s1, `SELECT id FROM sellers WHERE number = 'S1'`))
	ctx := sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: s1})
	page, err := d.ListOrders(ctx, sc.OrderFilter{}, sc.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	for _, o := range page.Items {
		require.Equal(t, s1, o.SellerID)
	}
	// Asking for the other seller's orders by filter yields nothing, not an error.
	page, err = d.ListOrders(ctx, sc.OrderFilter{SellerNumber: ptr("S2")}, sc.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
	var all []int64
	require.NoError(t, d.Select(&all, `SELECT id FROM orders ORDER BY id`))
	got, err := d.OrdersByID(ctx, all)
	require.NoError(t, err)
	visible := 0
	for _, o := range got {
		if o != nil {
			visible++
			require.Equal(t, s1, o.SellerID)
		}
	}
	require.Equal(t, 3, visible)
	_, err = d.OrderByNumber(ctx, "S2-O0")
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
}

// TestEventsByOrder: the one statement of an order's events reads what the three per-kind
// reads do, in their order, and nothing of an order the actor may not see.
func TestEventsByOrder(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	b := batch(4)
	b.Orders[0].Disputes = append(b.Orders[0].Disputes, sc.DisputeInput{Number: "D-early", Reason: sc.DisputeChargeback,
		OpenedAt: b.Orders[0].PlacedAt.Add(time.Hour), ClosedAt: ptr(b.Orders[0].PlacedAt.Add(2 * time.Hour))})
	b.Orders[1].ReturnClaims = []sc.ReturnClaimInput{{Number: "R2", Reason: "late", RequestedAt: b.Orders[1].PlacedAt.Add(5 * time.Hour)},
		{Number: "R1", Reason: "damaged", RequestedAt: b.Orders[1].PlacedAt.Add(3 * time.Hour)}}
	_, err := d.Ingest(admin(), b)
	require.NoError(t, err)
	var ids []int64
	require.NoError(t, d.Select(&ids, `SELECT id FROM orders ORDER BY number`))
	var s1 int64
	require.NoError(t, d.Get(&s1, `SELECT id FROM sellers WHERE number = 'S1'`))
	for name, ctx := range map[string]context.Context{
		"admin":     admin(),
		"seller S1": sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: s1}),
	} {
		t.Run(name, func(t *testing.T) {
			evs, err := d.EventsByOrder(ctx, ids)
			require.NoError(t, err)
			feedback, err := d.FeedbackByOrder(ctx, ids)
			require.NoError(t, err)
			disputes, err := d.DisputesByOrder(ctx, ids)
			require.NoError(t, err)
			claims, err := d.ReturnClaimsByOrder(ctx, ids)
			require.NoError(t, err)
			require.Len(t, evs, len(ids))
			seen := 0
			for i := range ids {
				require.Equal(t, feedback[i], evs[i].Feedback, "order %d", ids[i])
				require.Equal(t, disputes[i], evs[i].Disputes, "order %d", ids[i])
				require.Equal(t, claims[i], evs[i].ReturnClaims, "order %d", ids[i])
				seen += len(evs[i].Disputes) + len(evs[i].ReturnClaims)
			}
			require.NotZero(t, seen)
		})
	}
	// Seller S1 gets nothing of S2's orders (the batch's last four by number).
	ctx := sc.NewContextWithActor(context.Background(), &sc.Actor{Role: sc.RoleSeller, SellerID: s1})
	evs, err := d.EventsByOrder(ctx, ids[4:])
	require.NoError(t, err)
	for _, ev := range evs {
		require.Equal(t, &sc.OrderEvents{}, ev)
	}
}

func TestListOrdersPages(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	_, err := d.Ingest(admin(), batch(25))
	require.NoError(t, err)
	var seen []string
	var after *string
	for {
		p, err := d.ListOrders(admin(), sc.OrderFilter{}, sc.PageArgs{First: ptr(7), After: after})
		require.NoError(t, err)
		for _, o := range p.Items {
			seen = append(seen, o.Number)
		}
		if !p.HasNextPage {
			break
		}
		after = p.EndCursor()
	}
	require.Len(t, seen, 50)
	uniq := map[string]bool{}
	for _, s := range seen {
		uniq[s] = true
	}
	require.Len(t, uniq, 50)
	_, err = d.ListOrders(admin(), sc.OrderFilter{}, sc.PageArgs{First: ptr(101)})
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	_, err = d.ListOrders(admin(), sc.OrderFilter{}, sc.PageArgs{After: ptr("garbage")})
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
}

func TestListSellersAndBuyersSearch(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	b := batch(1)
	b.Sellers = append(b.Sellers, sc.SellerInput{Number: "S_3", Name: "100% Cotton"})
	_, err := d.Ingest(admin(), b)
	require.NoError(t, err)
	for search, want := range map[string][]string{"acm": {"S1"}, "s": {"S1", "S2", "S_3"}, "s_": {"S_3"}, "100%": {"S_3"}, "%": nil} {
		p, err := d.ListSellers(admin(), sc.SellerFilter{Search: ptr(search)}, sc.PageArgs{})
		require.NoError(t, err)
		var got []string
		for _, s := range p.Items {
			got = append(got, s.Number)
		}
		require.Equal(t, want, got, search)
		n, err := p.Count(admin())
		require.NoError(t, err)
		require.Equal(t, len(want), n)
	}
	p, err := d.ListBuyers(admin(), sc.BuyerFilter{Search: ptr("B"), Status: ptr(sc.BuyerActive)}, sc.PageArgs{First: ptr(2)})
	require.NoError(t, err)
	require.Len(t, p.Items, 2)
	require.True(t, p.HasNextPage)
	p, err = d.ListBuyers(admin(), sc.BuyerFilter{}, sc.PageArgs{After: p.EndCursor()})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	require.Equal(t, "B3", p.Items[0].Number)
}
