package dbtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

// Factories create the rows a test needs through the same service methods the API calls, so
// that fixtures obey every rule and trigger. A nil option, or a nil field of one, means "use the
// default"; numbers and codes are unique within the test process.

var serial atomic.Int64

func next() int64 { return serial.Add(1) }

func system() context.Context { return sc.NewSystemContext(context.Background()) }

// StoreOpts are a new store's fields; nil ones get defaults.
type StoreOpts struct {
	Code, Name *string
}

// Store creates a charity store.
func Store(t testing.TB, d *db.DB, o *StoreOpts) *sc.Store {
	t.Helper()
	if o == nil {
		o = &StoreOpts{}
	}
	n := next()
	in := sc.StoreInput{Code: o.Code, Name: o.Name, Recipient: ptr("Receiving"), AddressLine1: ptr(fmt.Sprintf("%d Market Street", n)),
		City: ptr("Kansas City"), Region: ptr("MO"), PostalCode: ptr("64105"), Country: ptr("US")}
	if in.Code == nil {
		in.Code = ptr(fmt.Sprintf("ST%d", n))
	}
	if in.Name == nil {
		in.Name = ptr(fmt.Sprintf("Test Store %d", n))
	}
	s, err := d.CreateStore(system(), in)
	must(t, err)
	return s
}

// SellerOpts are a new seller's fields; nil ones get defaults.
type SellerOpts struct {
	Number, Name, Email *string
}

// Seller creates a seller, through ingestion.
func Seller(t testing.TB, d *db.DB, o *SellerOpts) *sc.Seller {
	t.Helper()
	if o == nil {
		o = &SellerOpts{}
	}
	n := next()
	in := sc.SellerInput{Number: fmt.Sprintf("FS%d", n), Name: fmt.Sprintf("Factory Seller %d", n), Email: o.Email}
	if o.Number != nil {
		in.Number = *o.Number
	}
	if o.Name != nil {
		in.Name = *o.Name
	}
	_, err := d.Ingest(system(), sc.MarketplaceBatch{Sellers: []sc.SellerInput{in}})
	must(t, err)
	s, err := d.SellerByNumber(system(), in.Number)
	must(t, err)
	return s
}

// OrderOpts are a new order's fields; nil ones get defaults (a new seller and buyer, placed a
// day ago, 25.00 USD).
type OrderOpts struct {
	Seller   *sc.Seller
	PlacedAt *time.Time
}

// Order creates an order of a new buyer, through ingestion.
func Order(t testing.TB, d *db.DB, o *OrderOpts) *sc.Order {
	t.Helper()
	if o == nil {
		o = &OrderOpts{}
	}
	seller := o.Seller
	if seller == nil {
		seller = Seller(t, d, nil)
	}
	placed := d.Now().Add(-24 * time.Hour)
	if o.PlacedAt != nil {
		placed = *o.PlacedAt
	}
	n := next()
	buyer := sc.BuyerInput{Number: fmt.Sprintf("FB%d", n), Handle: fmt.Sprintf("buyer%d", n)}
	order := sc.OrderInput{Number: fmt.Sprintf("FO%d", n), SellerNumber: seller.Number, BuyerNumber: buyer.Number,
		PlacedAt: placed, Total: sc.MoneyInput{Amount: "25.00", Currency: "USD"}}
	_, err := d.Ingest(system(), sc.MarketplaceBatch{Buyers: []sc.BuyerInput{buyer}, Orders: []sc.OrderInput{order}})
	must(t, err)
	got, err := d.OrderByNumber(system(), order.Number)
	must(t, err)
	return got
}

// As returns a context acting with a new token of in's role and scope, and the token's secret.
func As(t testing.TB, d *db.DB, in sc.TokenInput) (context.Context, string) {
	t.Helper()
	_, secret, err := d.CreateToken(system(), in)
	must(t, err)
	a, err := d.Authenticate(context.Background(), secret)
	must(t, err)
	return sc.NewContextWithActor(context.Background(), a), secret
}

// ItemOpts say what returned item to make; nil fields get defaults: a new seller's return to
// the universal store (SCS), graded GOOD, RECEIVED; a sale is 20.00 USD.
type ItemOpts struct {
	Store  *sc.Store
	Seller *sc.Seller
	Grade  *sc.Grade
	// Status walks the item to RECEIVED, LISTED (for sale), RECYCLED, SOLD or SETTLED.
	Status *sc.ItemStatus
	Price  *string
	// Route is where a LISTED item goes (default SALE).
	Route *sc.Route
}

// Item makes a returned item the way it happens: the seller authorises the return, the store's
// staff receive the parcel and route, sell and settle the item as far as Status asks. Settling
// gives the store a new default beneficiary and no fees.
func Item(t testing.TB, d *db.DB, o *ItemOpts) *sc.ReturnedItem {
	t.Helper()
	if o == nil {
		o = &ItemOpts{}
	}
	code := "SCS"
	if o.Store != nil && o.Store.Code != code {
		t.Fatalf("dbtest.Item: returns go to the universal store SCS; items of store %s are not supported yet", o.Store.Code)
	}
	order := Order(t, d, &OrderOpts{Seller: o.Seller})
	seller, _ := As(t, d, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: sellerNumber(t, d, order)})
	staff, _ := As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: code})
	rma, err := d.CreateRMA(seller, sc.RMAInput{OrderNumber: order.Number, Items: []sc.RMAItemInput{{
		Description: "Factory item", Quantity: 1, Category: "Household", DeclaredValue: sc.MoneyInput{Amount: "20.00", Currency: "USD"}}}})
	must(t, err)
	grade := sc.GradeGood
	if o.Grade != nil {
		grade = *o.Grade
	}
	line := 1
	p, err := d.ReceiveParcel(staff, sc.ParcelInput{RMACode: &rma.Code, Items: []sc.ReceivedItemInput{{RMALine: &line, Description: "Factory item", Grade: grade}}})
	must(t, err)
	items, err := d.ParcelItems(staff, []int64{p.ID})
	must(t, err)
	it := items[0][0]
	status := sc.ItemReceived
	if o.Status != nil {
		status = *o.Status
	}
	if status == sc.ItemReceived {
		return it
	}
	route := sc.RouteSale
	if status == sc.ItemRecycled {
		route = sc.RouteRecycle
	} else if o.Route != nil {
		route = *o.Route
	}
	it, err = d.RouteItem(staff, it.ID, &route)
	must(t, err)
	if status == sc.ItemListed || status == sc.ItemRecycled {
		return it
	}
	price := "20.00"
	if o.Price != nil {
		price = *o.Price
	}
	_, err = d.RecordSale(staff, sc.SaleInput{Item: it.ID, Price: sc.MoneyInput{Amount: price, Currency: "USD"}, Channel: "STORE"})
	must(t, err)
	if status == sc.ItemSettled {
		ensureBeneficiary(t, d, code)
		_, err = d.SettleItem(staff, it.ID)
		must(t, err)
	}
	items, err = d.ParcelItems(staff, []int64{p.ID})
	must(t, err)
	if got := items[0][0].Status; got != status {
		t.Fatalf("dbtest.Item: the item is %s, not %s", got, status)
	}
	return items[0][0]
}

func sellerNumber(t testing.TB, d *db.DB, o *sc.Order) string {
	t.Helper()
	ss, err := d.SellersByID(system(), []int64{o.SellerID})
	must(t, err)
	return ss[0].Number
}

// ensureBeneficiary gives a store without a default beneficiary one, so its items settle.
func ensureBeneficiary(t testing.TB, d *db.DB, store string) {
	t.Helper()
	Donations(t, d, store, sc.FeeSchedule{})
}

// Donations gives a store a new default beneficiary and the fee schedule.
func Donations(t testing.TB, d *db.DB, store string, fees sc.FeeSchedule) {
	t.Helper()
	n := next()
	b, err := d.CreateBeneficiary(system(), sc.BeneficiaryInput{Name: fmt.Sprintf("Factory Charity %d", n),
		EIN: fmt.Sprintf("%02d-%07d", 10+n%89, n%10000000), AddressLine1: "1 Main Street", City: "Independence",
		Region: "MO", PostalCode: "64050", Country: "US"})
	must(t, err)
	must(t, d.SetStoreDonations(system(), store, fees, b.ID, nil))
}

func ptr[T any](v T) *T { return &v }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("dbtest factory: %v", err)
	}
}
