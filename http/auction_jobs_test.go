package http_test

import (
	"context"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/http/apitest"
	"github.com/secondchance/secondchance/jobs"
)

// TestTimedLotsCloseOnTheirOwnAndWinnersAreEmailedOnce runs the real job workers: the lots of a
// TIMED auction close at their ends (the one a late bid extended, at its new end), and the
// winner gets one email over SMTP, however often the job runs.
func TestTimedLotsCloseOnTheirOwnAndWinnersAreEmailedOnce(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	server := startSMTP(t)
	client := startWorkers(t, tb, server.URL(), time.Second)
	items := auctionItems(t, tb, 2)
	end := time.Now().Add(3 * time.Second)
	res := tb.Query(t, tb.Staff, `mutation($in: CreateAuctionInput!) { createAuction(input: $in) { auction { id } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"title": "Flash sale", "kind": "TIMED", "startsAt": time.Now().Add(-time.Minute).Format(time.RFC3339Nano),
			"endsAt": end.Format(time.RFC3339Nano), "softCloseSeconds": 5, "staggerSeconds": 1}})
	auction := get(res.Data, "createAuction", "auction", "id").(string)
	var lots []string
	for i, it := range items {
		res := tb.Query(t, tb.Staff, `mutation($in: AddLotInput!) { addLot(input: $in) { lot { id } userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"auction": auction, "number": i + 1, "title": "Lot", "startingBid": money("2.00"),
				"items": []any{map[string]any{"item": it, "estimate": money("5.00")}}}})
		lots = append(lots, get(res.Data, "addLot", "lot", "id").(string))
	}
	res = tb.Query(t, tb.Staff, `mutation($in: RegisterBidderInput!) { registerBidder(input: $in) { bidder { id } } }`,
		map[string]any{"in": map[string]any{"name": "Winner", "email": "winner@example.com",
			"address": map[string]any{"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}}})
	bidder := get(res.Data, "registerBidder", "bidder", "id")
	tb.Query(t, tb.Staff, `mutation($a: ID!, $b: ID!) { assignPaddle(input: {auction: $a, bidder: $b}) { paddle { number } } }`,
		map[string]any{"a": auction, "b": bidder})
	res = tb.Query(t, tb.Staff, `mutation($id: ID!) { openAuction(id: $id) { auction { status } userErrors { code } } }`, map[string]any{"id": auction})
	require.Equal(t, "OPEN", get(res.Data, "openAuction", "auction", "status"))
	// A bid within the 5 s window of lot 1's end moves it 5 s on.
	res = tb.Query(t, tb.Staff, placeBid, bid(lots[0], 100, "FLOOR", "2.00", "j1"))
	require.Empty(t, userError(t, get(res.Data, "placeBid")))
	extended, err := time.Parse(time.RFC3339, get(res.Data, "placeBid", "lot", "endsAt").(string))
	require.NoError(t, err)
	require.True(t, extended.After(end), "extended from %s to %s", end, extended)

	status := func(lot string) string {
		res := tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Lot { status } } }`, map[string]any{"id": lot})
		s, _ := get(res.Data, "node", "status").(string)
		return s
	}
	waitFor(t, "lot 2 closed UNSOLD at its end", func() bool { return status(lots[1]) == "UNSOLD" })
	waitFor(t, "lot 1 closed SOLD at its extended end", func() bool { return status(lots[0]) == "SOLD" })
	var closedAt time.Time
	require.NoError(t, tb.DB.Get(&closedAt, `SELECT closed_at FROM lots WHERE number = 1`))
	require.WithinDuration(t, extended, closedAt, time.Second, "it ended at its end, not when the job ran")
	waitFor(t, "the winner's email", func() bool { return len(server.Received()) == 1 })
	m, err := netmail.ReadMessage(strings.NewReader(server.Received()[0].Data))
	require.NoError(t, err)
	require.Equal(t, "You won lot 1: Lot", m.Header.Get("Subject"))
	require.Equal(t, []string{"winner@example.com"}, server.Received()[0].To)

	again, err := client.Insert(context.Background(), jobs.SendLotResultsArgs{}, nil)
	require.NoError(t, err)
	apitest.WaitForJob(t, tb.DB, again.Job.ID)
	require.Len(t, server.Received(), 1, "once")
	res = tb.Query(t, tb.Staff, `query($id: ID!) { node(id: $id) { ... on Auction { status } } }`, map[string]any{"id": auction})
	require.Equal(t, "CLOSED", get(res.Data, "node", "status"))
}
