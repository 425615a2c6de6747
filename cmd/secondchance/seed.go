package main

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
	demoSize   = db.SeedOptions{Sellers: 5, Buyers: 60, Orders: 600, Reports: 40, Seed: 2017}
	demoTokens = []sc.TokenInput{
		{Role: sc.RoleSeller, SellerNumber: "S000001", Label: "demo seller", Secret: "sc_demo_seller_s000001"},
		{Role: sc.RoleStaff, StoreCode: "SCS", Label: "demo staff", Secret: "sc_demo_staff_scs"},
		{Role: sc.RoleAdmin, Label: "demo admin", Secret: "sc_demo_admin"},
	}
	// demoStaff is the portal login of the demo data set: a manager of the demo store.
	demoStaff = sc.InviteInput{StoreCode: "SCS", Email: "manager@scs.example", Name: "Margo Gibson", Role: sc.StaffManager}
)

// demoStaffPassword is demoStaff's password, printed by `make run` and in the README.
const demoStaffPassword = "second-chance-demo"

func (m *Main) seed(ctx context.Context, args []string) error {
	fs := newFlags("seed", m.Stderr)
	sellers := fs.Int("sellers", 20000, "the `number` of sellers")
	buyers := fs.Int("buyers", 500000, "the `number` of buyers")
	orders := fs.Int("orders", 5000000, "the `number` of orders")
	reports := fs.Int("reports", 0, "file about this `number` of PENDING reports on recent orders, for the weekly batch")
	seed := fs.Uint64("seed", 2017, "picks the data set: the same `seed` gives the same data")
	until := fs.String("until", "", "the `date` of the newest data, e.g. 2026-11-26; orders span the 400 days before (default: today)")
	demo := fs.Bool("demo", false, "load the small demo data set if the database is empty, and print the demo tokens")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	var end time.Time // db.Seed's default: today, by its clock
	if *until != "" {
		var err error
		if end, err = time.Parse(time.DateOnly, *until); err != nil {
			return usageError{fmt.Sprintf("--until %q is not a date like 2026-11-26", *until)}
		}
	}
	d, err := m.openMigrated(ctx, *demo)
	if err != nil {
		return err
	}
	opts := db.SeedOptions{Sellers: *sellers, Buyers: *buyers, Orders: *orders, Reports: *reports, Seed: *seed, Until: end}
	if *demo {
		// The demo data ends at the start of the current UTC day (--until's default): every
		// timestamp in it is relative to that midnight, so counts over whole days and the
		// current week's batch come out the same on every day and at every hour; only the
		// dates move (TestDemoBatchIsTheSameOnEveryDay, TestREADME).
		opts = demoSize
		opts.Until = end
	}
	empty, err := d.MarketplaceEmpty(ctx)
	if err != nil {
		return err
	}
	switch {
	case *demo && !empty:
		isDemo, err := d.IsDemoData(ctx)
		if err != nil {
			return err
		}
		if !isDemo {
			// Real data: the demo's tokens are published in the README, so they are never made here.
			fmt.Fprintln(m.Stderr, "the database already holds marketplace data that the demo did not load; keeping it, and creating no demo tokens (use `secondchance token create`)")
			return nil
		}
		fmt.Fprintln(m.Stderr, "the database already holds the demo data set; keeping it")
	case *demo:
		if err := d.MarkDemoData(ctx); err != nil {
			return err
		}
		if err := d.Seed(ctx, opts, nil); err != nil {
			return err
		}
		if _, err := d.RefreshIndicators(sc.NewSystemContext(ctx)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "loaded the demo data set: %d sellers, %d buyers, %d orders with their events, about %d pending reports\n", opts.Sellers, opts.Buyers, opts.Orders, opts.Reports)
		store, err := seedDemoStore(ctx, d.WithCodes(&demoCodes{rma: demoRMACodes, verification: demoVerificationCodes}))
		if err != nil {
			return fmt.Errorf("the demo store: %w", err)
		}
		fmt.Fprintf(m.Stdout, "and a return of seller %s sold and donated, with certificate %s, and another authorised, %s\n",
			demoTokens[0].SellerNumber, store.Serial, store.Authorized)
	default:
		start := time.Now() // for the elapsed time printed
		if err := d.Seed(ctx, opts, newProgress(m.Stderr)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "seeded %d sellers, %d buyers, %d orders in %s\n", opts.Sellers, opts.Buyers, opts.Orders, time.Since(start).Round(time.Millisecond))
		if opts.Reports > 0 {
			var n int
			if err := d.Get(&n, `SELECT count(*) FROM reports`); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%d reports are pending\n", n)
		}
	}
	if *demo {
		return m.printDemoTokens(ctx, d)
	}
	return nil
}

func (m *Main) printDemoTokens(ctx context.Context, d *db.DB) error {
	ctx = sc.NewSystemContext(ctx)
	fmt.Fprintln(m.Stdout, "Demo tokens (send as Authorization: Bearer <token>):")
	for _, in := range demoTokens {
		t, _, err := d.CreateToken(ctx, in)
		if err != nil {
			if sc.ErrorCode(err) == sc.ENOTFOUND {
				fmt.Fprintf(m.Stdout, "  %-6s (skipped: %s)\n", in.Role, sc.ErrorMessage(err))
				continue
			}
			return err
		}
		if t.RevokedAt != nil {
			fmt.Fprintf(m.Stdout, "  %-6s (revoked on %s; it stays revoked)\n", in.Role, t.RevokedAt.UTC().Format(time.DateOnly))
			continue
		}
		scope := ""
		if in.SellerNumber != "" {
			scope = " seller " + in.SellerNumber
		} else if in.StoreCode != "" {
			scope = " store " + in.StoreCode
		}
		fmt.Fprintf(m.Stdout, "  %-6s %s%s\n", in.Role, in.Secret, scope)
	}
	acc, err := d.CreateStaffAccount(ctx, demoStaff, demoStaffPassword)
	if err != nil {
		return err
	}
	if acc.DisabledAt != nil {
		fmt.Fprintf(m.Stdout, "Demo portal login %s: disabled; it stays disabled\n", acc.Email)
		return nil
	}
	fmt.Fprintf(m.Stdout, "Demo portal login (%s/portal/): %s, password %s (%s of %s)\n", m.cfg.PublicURL, acc.Email, demoStaffPassword, acc.Role, acc.StoreCode)
	return nil
}

// The demo data set's codes, in the order seedDemoStore makes them: the README shows them, so
// they are the same on every machine. Nothing else gets fixed codes.
var (
	demoRMACodes          = []string{"RMA-PVEZWN8H", "RMA-FKF2QRW5"}
	demoVerificationCodes = []string{"SV2A2P3DN9QA"}
)

// demoCodes hands out fixed codes in order. Past the end of a list (a demo data set grown
// without adding codes here) they are random again, which the README's test then reports.
type demoCodes struct{ rma, verification []string }

// RMACode implements secondchance.Codes.
func (c *demoCodes) RMACode() string { return nextCode(&c.rma, sc.NewRMACode) }

// VerificationCode implements secondchance.Codes.
func (c *demoCodes) VerificationCode() string {
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

// demoStore is what seedDemoStore made: the certificate of the sold return and the code of the
// authorisation whose parcel the store has yet to receive.
type demoStore struct{ Serial, Authorized string }

// demoStoreEIN is the demo store's EIN: the seed document gives none, and certificates need one.
var demoStoreEIN = "00-0000000"

// seedDemoStore walks one return of the demo seller through the store, through the same
// services the API calls: a charity, the store's fees, the seller's donor details, an RMA of
// two items, their intake, sale and settlement, and the certificate the job would issue. So
// `make run` starts with a certificate to download and verify. A second RMA, on the seller's
// first order, waits for its parcel, which the README's store staff then receive. d makes the
// demo's fixed codes.
func seedDemoStore(ctx context.Context, d *db.DB) (demoStore, error) {
	admin := sc.NewSystemContext(ctx)
	var sellerID, storeID int64
	var order string
	if err := d.GetContext(ctx, &sellerID, `SELECT id FROM sellers WHERE number = $1`, demoTokens[0].SellerNumber); err != nil {
		return demoStore{}, err
	}
	if err := d.GetContext(ctx, &storeID, `SELECT id FROM stores WHERE code = $1`, demoTokens[1].StoreCode); err != nil {
		return demoStore{}, err
	}
	if err := d.GetContext(ctx, &order, `SELECT number FROM orders WHERE seller_id = $1 ORDER BY placed_at DESC, id LIMIT 1`, sellerID); err != nil {
		return demoStore{}, err
	}
	seller := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleSeller, SellerID: sellerID})
	staff := sc.NewContextWithActor(ctx, &sc.Actor{Role: sc.RoleStaff, StoreID: storeID})

	ben, err := d.CreateBeneficiary(admin, sc.BeneficiaryInput{Name: "Independence Food Pantry · Société d'entraide", EIN: "43-1234567",
		AddressLine1: "210 W. Truman Road", City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"})
	if err != nil {
		return demoStore{}, err
	}
	if err := d.SetStoreDonations(admin, demoTokens[1].StoreCode, sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, CommissionBasisPoints: 1000}, ben.ID, &demoStoreEIN); err != nil {
		return demoStore{}, err
	}
	if err := d.SetDonorDetails(seller, sc.DonorDetails{LegalName: "Zoë Müller Handels GmbH", AddressLine1: "Straße des 17. Juni 135",
		City: "Berlin", PostalCode: "10623", Country: "DE"}); err != nil {
		return demoStore{}, err
	}
	one := func(s string) sc.MoneyInput { return sc.MoneyInput{Amount: s, Currency: "USD"} }
	rma, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order, Items: []sc.RMAItemInput{
		{Description: "Matrjoschka · Матрёшка", Quantity: 1, Category: "Toys", DeclaredValue: one("40")},
		{Description: "Tea bowl · 日本製の茶碗", Quantity: 1, Category: "Kitchen", DeclaredValue: one("25")},
	}})
	if err != nil {
		return demoStore{}, err
	}
	line1, line2 := 1, 2
	parcel, err := d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: []sc.ReceivedItemInput{
		{RMALine: &line1, Description: "Matrjoschka · Матрёшка", Grade: sc.GradeLikeNew},
		{RMALine: &line2, Description: "Tea bowl · 日本製の茶碗", Grade: sc.GradeGood},
	}})
	if err != nil {
		return demoStore{}, err
	}
	items, err := d.ParcelItems(staff, []int64{parcel.ID})
	if err != nil {
		return demoStore{}, err
	}
	var ids []int64
	for i, it := range items[0] {
		route := sc.RouteSale
		if _, err := d.RouteItem(staff, it.ID, &route); err != nil {
			return demoStore{}, err
		}
		if _, err := d.RecordSale(staff, sc.SaleInput{Item: it.ID, Price: one([]string{"35.50", "18.00"}[i]), Channel: "store"}); err != nil {
			return demoStore{}, err
		}
		ids = append(ids, it.ID)
	}
	if _, _, err := d.SettleItems(staff, ids); err != nil {
		return demoStore{}, err
	}
	res, err := d.IssueCertificates(admin, sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	if err != nil {
		return demoStore{}, err
	}
	if err := d.GetContext(ctx, &order, `SELECT number FROM orders WHERE seller_id = $1 ORDER BY id LIMIT 1`, sellerID); err != nil {
		return demoStore{}, err
	}
	authorized, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order, Items: []sc.RMAItemInput{
		{Description: "Bluetooth speaker, black", Quantity: 1, Category: "Electronics", DeclaredValue: one("49.90")},
		{Description: "USB cable, 1 m", Quantity: 1, Category: "Electronics", DeclaredValue: one("6.50")},
	}})
	if err != nil {
		return demoStore{}, err
	}
	return demoStore{Serial: res.Serials[0], Authorized: authorized.Code}, nil
}
