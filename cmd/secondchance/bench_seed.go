package main

import (
	"context"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// benchSubjects are the actors a read benchmark reads as: the largest seller and a small one,
// the universal store (which every return goes to) and a small store of unmatched parcels.
type benchSubjects struct {
	Large, Small           benchSeller
	LargeStore, SmallStore benchStore
}

type benchSeller struct {
	ID     int64
	Number string
	Orders int
	Token  string
}

type benchStore struct {
	ID    int64
	Code  string
	Token string
}

// benchSmallStore is the store the benchmark creates for the small store's reads.
const benchSmallStore = "BENCHSMALL"

// benchSmallReturns is the share of returns the small seller gets: a few, where the largest
// seller's fill a page of returned items and of certificates.
const benchSmallReturns = 7

// pickBenchSubjects finds the largest seller and the small one: the seller whose order count is
// nearest smallOrders, or the one with the fewest orders when smallOrders is 0.
func pickBenchSubjects(ctx context.Context, d *db.DB, smallOrders int) (benchSubjects, error) {
	var s benchSubjects
	type row struct {
		ID     int64  `db:"id"`
		Number string `db:"number"`
		Orders int    `db:"orders"`
	}
	var counts []row
	if err := d.SelectContext(ctx, &counts, `SELECT s.id, s.number, c.orders FROM (SELECT seller_id, count(*) AS orders FROM orders GROUP BY seller_id) c
		JOIN sellers s ON s.id = c.seller_id ORDER BY c.orders DESC, s.id`); err != nil {
		return s, err
	}
	if len(counts) < 2 {
		return s, fmt.Errorf("the benchmark needs at least two sellers with orders; seed more")
	}
	large, small := counts[0], counts[len(counts)-1]
	if smallOrders > 0 {
		best := -1
		for _, c := range counts[1:] {
			if d := abs(c.Orders - smallOrders); best < 0 || d < best {
				best, small = d, c
			}
		}
	}
	s.Large = benchSeller{ID: large.ID, Number: large.Number, Orders: large.Orders}
	s.Small = benchSeller{ID: small.ID, Number: small.Number, Orders: small.Orders}
	if err := d.GetContext(ctx, &s.LargeStore.ID, `SELECT id FROM stores WHERE code = 'SCS'`); err != nil {
		return s, fmt.Errorf("the universal store SCS: %w", err)
	}
	s.LargeStore.Code = "SCS"
	s.SmallStore.Code = benchSmallStore
	return s, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// seedBenchReturns walks returns of both sellers through the store with the services the API
// calls (authorise, receive, route, sell, settle, certify): returns of the largest seller's,
// a seventh of them of the small one's; and logs unmatched parcels at a small store of its
// own. An earlier run's are kept. Data of the marketplace seed is not touched.
func seedBenchReturns(ctx context.Context, d *db.DB, s *benchSubjects, returns int) error {
	admin := sc.NewSystemContext(ctx)
	err := d.GetContext(ctx, &s.SmallStore.ID, `SELECT id FROM stores WHERE code = $1`, benchSmallStore)
	if err == nil {
		return nil // seeded by an earlier run
	}
	ben, err := d.CreateBeneficiary(admin, sc.BeneficiaryInput{Name: "Bench Food Pantry", EIN: "98-7654321",
		AddressLine1: "1 Main Street", City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"})
	if err != nil {
		return fmt.Errorf("beneficiary: %w", err)
	}
	ein := "00-0000000"
	if err := d.SetStoreDonations(admin, "SCS", sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, CommissionBasisPoints: 1000}, ben.ID, &ein); err != nil {
		return fmt.Errorf("store fees: %w", err)
	}
	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: s.LargeStore.ID})
	for _, seller := range []struct {
		benchSeller
		returns int
	}{{s.Large, returns}, {s.Small, max(1, returns/benchSmallReturns)}} {
		if err := seedSellerReturns(ctx, d, staff, seller.benchSeller, seller.returns); err != nil {
			return fmt.Errorf("returns of seller %s: %w", seller.Number, err)
		}
	}
	if _, err := d.IssueCertificates(admin, sc.IssueRequest{Kind: sc.CertificateSettlement}, nil); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	str := func(v string) *string { return &v }
	small, err := d.CreateStore(admin, sc.StoreInput{Code: str(benchSmallStore), Name: str("Bench Small Store"), Recipient: str("Bench"),
		AddressLine1: str("2 Main Street"), City: str("Independence"), Region: str("MO"), PostalCode: str("64050"), Country: str("US")})
	if err != nil {
		return fmt.Errorf("small store: %w", err)
	}
	s.SmallStore.ID = small.ID
	smallStaff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: small.ID})
	for i := range max(1, returns*2/5) {
		if _, err := d.ReceiveParcel(smallStaff, sc.ParcelInput{Items: []sc.ReceivedItemInput{
			{Description: fmt.Sprintf("Unlabelled parcel %d, lamp", i), Grade: sc.GradeGood},
			{Description: fmt.Sprintf("Unlabelled parcel %d, shade", i), Grade: sc.GradeFair}}}); err != nil {
			return fmt.Errorf("unmatched parcel: %w", err)
		}
	}
	_, err = d.ExecContext(ctx, `ANALYZE return_authorizations, return_authorization_items, parcels, returned_items, sales, item_proceeds, certificates`)
	return err
}

// seedSellerReturns authorises n returns of the seller's newest orders, two items each, and
// has the store receive, sell and settle them, one settlement per return.
func seedSellerReturns(ctx context.Context, d *db.DB, staff context.Context, seller benchSeller, n int) error {
	sellerCtx := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleSeller, SellerID: seller.ID})
	if err := d.SetDonorDetails(sellerCtx, sc.DonorDetails{LegalName: "Bench Seller " + seller.Number, AddressLine1: "3 Main Street",
		City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"}); err != nil {
		return err
	}
	var orders []string
	if err := d.SelectContext(ctx, &orders, `SELECT number FROM orders WHERE seller_id = $1 ORDER BY placed_at DESC, id DESC LIMIT $2`, seller.ID, n); err != nil {
		return err
	}
	usd := func(a string) sc.MoneyInput { return sc.MoneyInput{Amount: a, Currency: "USD"} }
	for _, number := range orders {
		rma, err := d.CreateRMA(sellerCtx, sc.RMAInput{OrderNumber: number, Items: []sc.RMAItemInput{
			{Description: "Bluetooth speaker", Quantity: 1, Category: "Electronics", DeclaredValue: usd("49.90")},
			{Description: "USB cable", Quantity: 1, Category: "Electronics", DeclaredValue: usd("6.50")}}})
		if err != nil {
			return err
		}
		one, two := 1, 2
		parcel, err := d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: []sc.ReceivedItemInput{
			{RMALine: &one, Description: "Bluetooth speaker", Grade: sc.GradeGood},
			{RMALine: &two, Description: "USB cable", Grade: sc.GradeLikeNew}}})
		if err != nil {
			return err
		}
		items, err := d.ParcelItems(staff, []int64{parcel.ID})
		if err != nil {
			return err
		}
		var ids []int64
		for i, it := range items[0] {
			route := sc.RouteSale
			if _, err := d.RouteItem(staff, it.ID, &route); err != nil {
				return err
			}
			soldAt := time.Now().Add(-time.Minute)
			if _, err := d.RecordSale(staff, sc.SaleInput{Item: it.ID, Price: usd([]string{"35.50", "4.00"}[i]), Channel: "store", SoldAt: &soldAt}); err != nil {
				return err
			}
			ids = append(ids, it.ID)
		}
		if _, _, err := d.SettleItems(staff, ids); err != nil {
			return err
		}
	}
	return nil
}
