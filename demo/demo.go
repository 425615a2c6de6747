package demo

import (
	"context"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// The demo data set of `make run`, and its tokens. The secrets are fixed so the README's
// examples work on every machine; they are demo data, never to be used on real data.
var (
	Size   = db.SeedOptions{Sellers: 5, Buyers: 60, Orders: 600, Reports: 40, Seed: 2017}
	Tokens = []sc.TokenInput{
		{Role: sc.RoleSeller, SellerNumber: "S000001", Label: "demo seller", Secret: "sc_demo_seller_s000001"},
		{Role: sc.RoleStaff, StoreCode: "SCS", Label: "demo staff", Secret: "sc_demo_staff_scs"},
		{Role: sc.RoleAdmin, Label: "demo admin", Secret: "sc_demo_admin"},
	}
	// Staff is the portal login of the demo data set: a manager of the demo store.
	Staff = sc.InviteInput{StoreCode: "SCS", Email: "manager@scs.example", Name: "Margo Gibson", Role: sc.StaffManager}
)

// StaffPassword is Staff's password, printed by `make run` and in the README.
const StaffPassword = "second-chance-demo"

// The demo data set's codes, in the order Load makes them: the README shows them, so they are
// the same on every machine. Nothing else gets fixed codes.
var (
	RMACodes          = []string{"RMA-PVEZWN8H", "RMA-FKF2QRW5"}
	VerificationCodes = []string{"SV2A2P3DN9QA"}
)

// codes hands out fixed codes in order. Past the end of a list (a demo data set grown
// without adding codes here) they are random again, which the README's test then reports.
type codes struct{ rma, verification []string }

// RMACode implements secondchance.Codes.
func (c *codes) RMACode() string { return nextCode(&c.rma, sc.NewRMACode) }

// VerificationCode implements secondchance.Codes.
func (c *codes) VerificationCode() string {
	return nextCode(&c.verification, sc.NewVerificationCode)
}

func nextCode(list *[]string, random func() string) string {
	if len(*list) == 0 {
		return random()
	}
	code := (*list)[0]
	*list = (*list)[1:]
	return code
}

// Loaded is what Load made: the certificate of the sold return and the code of the
// authorisation whose parcel the store has yet to receive.
type Loaded struct{ Serial, Authorized string }

// StoreEIN is the demo store's EIN: the seed document gives none, and certificates need one.
var StoreEIN = "00-0000000"

// Load fills an empty database with the demo data set, marked as the demo's so that a later
// `seed --demo` knows it may create the demo tokens: the marketplace generated up to until
// (zero: today), the sellers' indicators, and one return walked through the store (Store).
func Load(ctx context.Context, d *db.DB, until time.Time) (Loaded, error) {
	if err := d.MarkDemoData(ctx); err != nil {
		return Loaded{}, err
	}
	opts := Size
	opts.Until = until
	if err := d.Seed(ctx, opts, nil); err != nil {
		return Loaded{}, err
	}
	if _, err := d.RefreshIndicators(sc.NewSystemContext(ctx)); err != nil {
		return Loaded{}, err
	}
	l, err := Store(ctx, d.WithCodes(&codes{rma: RMACodes, verification: VerificationCodes}))
	if err != nil {
		return Loaded{}, fmt.Errorf("the demo store: %w", err)
	}
	return l, nil
}

// Store walks one return of the demo seller through the store, through the same services the
// API calls: a charity, the store's fees, the seller's donor details, an RMA of two items,
// their intake, sale and settlement, and the certificate the job would issue. So `make run`
// starts with a certificate to download and verify. A second RMA, on the seller's first
// order, waits for its parcel, which the README's store staff then receive. d makes the
// demo's fixed codes.
func Store(ctx context.Context, d *db.DB) (Loaded, error) {
	admin := sc.NewSystemContext(ctx)
	var sellerID, storeID int64
	var order string
	if err := d.GetContext(ctx, &sellerID, `SELECT id FROM sellers WHERE number = $1`, Tokens[0].SellerNumber); err != nil {
		return Loaded{}, err
	}
	if err := d.GetContext(ctx, &storeID, `SELECT id FROM stores WHERE code = $1`, Tokens[1].StoreCode); err != nil {
		return Loaded{}, err
	}
	if err := d.GetContext(ctx, &order, `SELECT number FROM orders WHERE seller_id = $1 ORDER BY placed_at DESC, id LIMIT 1`, sellerID); err != nil {
		return Loaded{}, err
	}
	seller := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID})
	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: storeID})

	ben, err := d.CreateBeneficiary(admin, sc.BeneficiaryInput{Name: "Independence Food Pantry · Société d'entraide", EIN: "43-1234567",
		AddressLine1: "210 W. Truman Road", City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"})
	if err != nil {
		return Loaded{}, err
	}
	if err := d.SetStoreDonations(admin, Tokens[1].StoreCode, sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, CommissionBasisPoints: 1000}, ben.ID, &StoreEIN); err != nil {
		return Loaded{}, err
	}
	if err := d.SetDonorDetails(seller, sc.DonorDetails{LegalName: "Zoë Müller Handels GmbH", AddressLine1: "Straße des 17. Juni 135",
		City: "Berlin", PostalCode: "10623", Country: "DE"}); err != nil {
		return Loaded{}, err
	}
	rma, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order, Items: []sc.RMAItemInput{
		{Description: "Matrjoschka · Матрёшка", Quantity: 1, Category: "Toys", DeclaredValue: usd("40")},
		{Description: "Tea bowl · 日本製の茶碗", Quantity: 1, Category: "Kitchen", DeclaredValue: usd("25")},
	}})
	if err != nil {
		return Loaded{}, err
	}
	line1, line2 := 1, 2
	parcel, err := d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: []sc.ReceivedItemInput{
		{RMALine: &line1, Description: "Matrjoschka · Матрёшка", Grade: sc.GradeLikeNew},
		{RMALine: &line2, Description: "Tea bowl · 日本製の茶碗", Grade: sc.GradeGood},
	}})
	if err != nil {
		return Loaded{}, err
	}
	items, err := d.ParcelItems(staff, []int64{parcel.ID})
	if err != nil {
		return Loaded{}, err
	}
	var ids []int64
	for i, it := range items[0] {
		route := sc.RouteSale
		if _, err := d.RouteItem(staff, it.ID, &route); err != nil {
			return Loaded{}, err
		}
		if _, err := d.RecordSale(staff, sc.SaleInput{Item: it.ID, Price: usd([]string{"35.50", "18.00"}[i]), Channel: "store"}); err != nil {
			return Loaded{}, err
		}
		ids = append(ids, it.ID)
	}
	if _, _, err := d.SettleItems(staff, ids); err != nil {
		return Loaded{}, err
	}
	res, err := d.IssueCertificates(admin, sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	if err != nil {
		return Loaded{}, err
	}
	if err := d.GetContext(ctx, &order, `SELECT number FROM orders WHERE seller_id = $1 ORDER BY id LIMIT 1`, sellerID); err != nil {
		return Loaded{}, err
	}
	authorized, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order, Items: []sc.RMAItemInput{
		{Description: "Bluetooth speaker, black", Quantity: 1, Category: "Electronics", DeclaredValue: usd("49.90")},
		{Description: "USB cable, 1 m", Quantity: 1, Category: "Electronics", DeclaredValue: usd("6.50")},
	}})
	if err != nil {
		return Loaded{}, err
	}
	return Loaded{Serial: res.Serials[0], Authorized: authorized.Code}, nil
}

func usd(s string) sc.MoneyInput { return sc.MoneyInput{Amount: s, Currency: "USD"} }
