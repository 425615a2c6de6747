package portal_test

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/demo"
)

// mainPage is one of the portal's main pages, by the path of a store's records.
type mainPage struct{ name, path string }

// demoPages are the main pages on the demo data set with its showcase.
func demoPages(tb *testBundle, shown demo.Shown, c *client, t testing.TB) []mainPage {
	t.Helper()
	c.get(t, "/portal/certificates")
	cert := regexp.MustCompile(`href="(/portal/certificates/\d+)"`).FindStringSubmatch(c.last.body)
	require.NotNil(t, cert, "the demo data set has a certificate")
	return []mainPage{
		{"dashboard", "/portal/"},
		{"intake", "/portal/intake"},
		{"parcel", fmt.Sprintf("/portal/parcels/%d", shown.Parcel)},
		{"items", "/portal/items"},
		{"item", fmt.Sprintf("/portal/items/%d", shown.Item)},
		{"auctions", "/portal/auctions"},
		{"auction", fmt.Sprintf("/portal/auctions/%d", shown.LiveAuction)},
		{"lot", fmt.Sprintf("/portal/lots/%d", shown.PaidLot)},
		{"clerk", fmt.Sprintf("/portal/auctions/%d/clerk", shown.LiveAuction)},
		{"certificates", "/portal/certificates"},
		{"certificate", cert[1]},
		{"staff", "/portal/staff"},
		{"bidders", "/portal/bidders"},
		{"donations", "/portal/donations"},
		{"settings", "/portal/settings"},
		{"increments", "/portal/settings/increments"},
	}
}

// BenchmarkPages requests the main pages over HTTP with the demo manager's session, on the
// demo data set of `make run` with the showcase on top (demo.Showcase): each page's p50 and
// p99 over the run, and the SQL statements one request sends. The figures of
// docs/PERFORMANCE.md come from
//
//	go test ./portal -run '^$' -bench Pages -benchtime 2s
func BenchmarkPages(b *testing.B) {
	tb, shown := setupDemo(b)
	c := tb.client(b)
	res := c.login(b, demo.Staff.Email, demo.StaffPassword)
	require.Contains(b, res.body, "<h1>Dashboard</h1>")
	for _, p := range demoPages(tb, shown, c, b) {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			stmts := tb.d.Statements()
			for b.Loop() {
				start := time.Now()
				if res := c.get(b, p.path); res.status != http.StatusOK {
					require.Equal(b, http.StatusOK, res.status, res.body)
				}
				took = append(took, time.Since(start))
			}
			stmts = tb.d.Statements() - stmts
			slices.Sort(took)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[(len(took)*99-1)/100]), "p99-ms")
			b.ReportMetric(float64(stmts)/float64(len(took)), "stmts/op")
		})
	}
}

// rowsOf fills SCS with n of everything a main page lists, through the services: n
// unmatched parcels of one item, one parcel of n items, n draft auctions, a LIVE auction of n
// lots with n bidders whose first lot has n bids, n staff invited, and n certificates (of n
// sellers' returns sold and settled). It returns the pages that show them.
func rowsOf(t *testing.T, tb *testBundle, n int) []mainPage {
	t.Helper()
	tb.beneficiary(t)
	staff, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	usd := func(a string) sc.MoneyInput { return sc.MoneyInput{Amount: a, Currency: "USD"} }
	for i := range n {
		_, err := tb.d.ReceiveParcel(staff, sc.ParcelInput{Items: []sc.ReceivedItemInput{{Description: fmt.Sprintf("Box %d", i), Grade: sc.GradeGood}}})
		require.NoError(t, err)
	}
	var many []sc.ReceivedItemInput
	for i := range n {
		many = append(many, sc.ReceivedItemInput{Description: fmt.Sprintf("Lamp %d", i), Grade: sc.GradeGood})
	}
	parcel, err := tb.d.ReceiveParcel(staff, sc.ParcelInput{Items: many})
	require.NoError(t, err)
	items, err := tb.d.ParcelItems(staff, []int64{parcel.ID})
	require.NoError(t, err)
	for i := range n - 1 {
		_, err := tb.d.CreateAuction(staff, sc.AuctionInput{Title: fmt.Sprintf("Draft %d", i), Kind: sc.AuctionLive, StartsAt: time.Now().Add(24 * time.Hour)})
		require.NoError(t, err)
	}
	au, err := tb.d.CreateAuction(staff, sc.AuctionInput{Title: "Floor", Kind: sc.AuctionLive, StartsAt: time.Now()})
	require.NoError(t, err)
	var lots []int64
	for i, it := range items[0] {
		route := sc.RouteAuction
		_, err := tb.d.RouteItem(staff, it.ID, &route)
		require.NoError(t, err)
		l, err := tb.d.AddLot(staff, au.ID, sc.LotInput{Number: i + 1, Items: []int64{it.ID}, Title: it.Description, Estimate: usd("30.00"), StartingBid: usd("5.00")})
		require.NoError(t, err)
		lots = append(lots, l.ID)
	}
	var paddles []int
	for i := range n {
		b, err := tb.d.RegisterBidder(staff, sc.BidderInput{Name: fmt.Sprintf("Bidder %d", i), Email: fmt.Sprintf("bidder%d@example.com", i),
			Address: sc.PostalAddress{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
		require.NoError(t, err)
		p, err := tb.d.AssignPaddle(staff, au.ID, b.ID)
		require.NoError(t, err)
		paddles = append(paddles, p.Number)
	}
	_, err = tb.d.OpenAuction(staff, au.ID)
	require.NoError(t, err)
	_, err = tb.d.OpenLot(staff, lots[0])
	require.NoError(t, err)
	for i, p := range paddles {
		_, err := tb.d.PlaceBid(staff, sc.BidInput{Lot: lots[0], Paddle: p, Kind: sc.BidFloor, Amount: usd(fmt.Sprintf("%d.00", 10+5*i)), IdempotencyKey: fmt.Sprintf("k%d", i)})
		require.NoError(t, err)
	}
	for i := range n {
		_, err := tb.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: fmt.Sprintf("staff%d@example.org", i), Name: fmt.Sprintf("Staff %d", i), Role: sc.StaffMember})
		require.NoError(t, err)
	}
	var sold []int64
	for range n {
		rma := tb.returnTo(t)
		line := 1
		p, err := tb.d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: []sc.ReceivedItemInput{{RMALine: &line, Description: "Desk lamp", Grade: sc.GradeGood}}})
		require.NoError(t, err)
		its, err := tb.d.ParcelItems(staff, []int64{p.ID})
		require.NoError(t, err)
		route := sc.RouteSale
		_, err = tb.d.RouteItem(staff, its[0][0].ID, &route)
		require.NoError(t, err)
		_, err = tb.d.RecordSale(staff, sc.SaleInput{Item: its[0][0].ID, Price: usd("12.00"), Channel: "store"})
		require.NoError(t, err)
		sold = append(sold, its[0][0].ID)
	}
	_, _, err = tb.d.SettleItems(staff, sold)
	require.NoError(t, err)
	res, err := tb.d.IssueCertificates(admin(), sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	require.NoError(t, err)
	require.Len(t, res.Serials, n)

	return []mainPage{
		{"dashboard", "/portal/"},
		{"intake", "/portal/intake"},
		{"parcel", fmt.Sprintf("/portal/parcels/%d", parcel.ID)},
		{"items", "/portal/items"},
		{"item", fmt.Sprintf("/portal/items/%d", items[0][0].ID)},
		{"auctions", "/portal/auctions"},
		{"auction", fmt.Sprintf("/portal/auctions/%d", au.ID)},
		{"lot", fmt.Sprintf("/portal/lots/%d", lots[0])},
		{"clerk", fmt.Sprintf("/portal/auctions/%d/clerk", au.ID)},
		{"certificates", "/portal/certificates"},
		{"staff", "/portal/staff"},
		{"bidders", "/portal/bidders"},
	}
}

// rowMarkers is what each row of a page's list holds once, for the pages whose lists grow.
var rowMarkers = map[string]string{
	"intake":       `href="/portal/parcels/`,
	"parcel":       `href="/portal/items/`,
	"items":        `href="/portal/items/`,
	"auctions":     `href="/portal/auctions/`,
	"auction":      `href="/portal/lots/`,
	"lot":          "<td>Bidder ",
	"clerk":        "data-bid=",
	"certificates": `href="/portal/certificates/`,
	"staff":        "@example.org",
	"bidders":      "@example.com",
}

// TestPagesStatementsDoNotGrowWithRows: each main page sends as many SQL statements with 20
// rows as with 2 (no N+1), counted by the pool the server runs on.
func TestPagesStatementsDoNotGrowWithRows(t *testing.T) {
	t.Parallel()
	count := func(n int) map[string]int64 {
		tb := setup(t)
		pages := rowsOf(t, tb, n)
		c := tb.account(t, "SCS", "counter@example.org", sc.StaffManager)
		out := map[string]int64{}
		for _, p := range pages {
			c.get(t, p.path) // a first request may warm what is cached per process
			before := tb.d.Statements()
			res := c.get(t, p.path)
			out[p.name] = tb.d.Statements() - before
			require.Equal(t, http.StatusOK, res.status, p.path)
			if marker, ok := rowMarkers[p.name]; ok {
				require.GreaterOrEqual(t, strings.Count(res.body, marker), n, "%s with %d rows shows them", p.name, n)
			}
		}
		return out
	}
	two, twenty := count(2), count(20)
	names := slices.Sorted(maps.Keys(two))
	for _, name := range names {
		want := two[name]
		require.Equal(t, want, twenty[name], "statements of %s with 20 rows, against %d with 2", name, want)
		t.Logf("%-12s %d statements", name, want)
	}
}
