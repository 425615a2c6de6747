package secondchance

import (
	"context"
	"time"
)

// Beneficiary is a charity that receives donations.
type Beneficiary struct {
	ID           int64     `db:"id"`
	Name         string    `db:"name"`
	EIN          string    `db:"ein"`
	AddressLine1 string    `db:"address_line1"`
	City         string    `db:"city"`
	Region       string    `db:"region"`
	PostalCode   string    `db:"postal_code"`
	Country      string    `db:"country"`
	CreatedAt    time.Time `db:"created_at"`
}

// GlobalID is the beneficiary's Relay ID.
func (b *Beneficiary) GlobalID() string { return GlobalID(KindBeneficiary, b.ID) }

// Address is where the charity is.
func (b *Beneficiary) Address() PostalAddress {
	return PostalAddress{Recipient: b.Name, Line1: b.AddressLine1, City: b.City, Region: b.Region, PostalCode: b.PostalCode, Country: b.Country}
}

// BeneficiaryInput registers a charity.
type BeneficiaryInput struct {
	Name, EIN, AddressLine1, City, Region, PostalCode, Country string
}

// Validate checks the charity: a US EIN is nine digits, written 12-3456789.
func (in *BeneficiaryInput) Validate() error {
	var f fieldErrors
	checkText(f.add, "name", in.Name, 1, 200)
	if !einPattern.MatchString(in.EIN) {
		f.add("ein", "%q is not an EIN such as 12-3456789", in.EIN)
	}
	checkText(f.add, "addressLine1", in.AddressLine1, 1, 200)
	checkText(f.add, "city", in.City, 1, 100)
	checkText(f.add, "region", in.Region, 1, 100)
	checkText(f.add, "postalCode", in.PostalCode, 1, 20)
	checkCountry(f.add, "country", &in.Country)
	if in.Country == "" {
		f.add("country", "country is required")
	}
	return f.Err()
}

// DonationSplit is a share of a seller's donations for one beneficiary.
type DonationSplit struct {
	Beneficiary int64 // the beneficiary's ID
	Percent     int64
}

// Allocation is one beneficiary's share of an item's net proceeds: pending until disbursed.
type Allocation struct {
	ID            int64      `db:"id"`
	ItemID        int64      `db:"item_id"`
	BeneficiaryID int64      `db:"beneficiary_id"`
	Cents         int64      `db:"cents"`
	Currency      string     `db:"currency"`
	DisbursedAt   *time.Time `db:"disbursed_at"`
}

// Amount is the share.
func (a *Allocation) Amount() Money { return Money{Cents: a.Cents, Currency: a.Currency} }

// ItemLedger is one item's money: gross = costs + donated + pending, always.
type ItemLedger struct {
	ItemID  int64
	Gross   Money
	Costs   Costs
	Donated Money
	Pending Money
}

// ReturnTotals sums a seller's returned items received in [From, To) and their ledgers:
// Gross = Costs + Donated + Pending, as for every item.
type ReturnTotals struct {
	From, To time.Time
	Items    int
	Sold     int
	Recycled int
	Gross    Money
	Costs    Money
	Donated  Money
	Pending  Money
}

// BeneficiaryBalance is what one store owes and has paid one beneficiary: the sums of the
// store's allocations to it, pending and disbursed. Over a store's beneficiaries, Pending and
// Disbursed add up to its settled items' pending and donated ledger entries.
type BeneficiaryBalance struct {
	Beneficiary *Beneficiary
	Pending     Money
	Disbursed   Money
	// PendingItems is how many items the pending amount comes from.
	PendingItems int
}

// Disbursement is one payment a store recorded to a beneficiary: the allocations that
// DisburseBeneficiary marked paid together, and who recorded it.
type Disbursement struct {
	ID              int64
	BeneficiaryID   int64
	BeneficiaryName string
	DisbursedAt     time.Time
	Amount          Money
	Items           int
	// RecordedBy is the staff member's name, or the token's label (or "a token"), that recorded
	// it; empty for payments recorded before that was kept.
	RecordedBy string
}

// DonationService settles sold items into the donation ledger.
type DonationService interface {
	CreateBeneficiary(ctx context.Context, in BeneficiaryInput) (*Beneficiary, error)
	BeneficiariesByID(ctx context.Context, ids []int64) ([]*Beneficiary, error)
	// SetStoreDonations sets a store's fee schedule and default beneficiary, and its EIN when
	// ein is not nil: admins for any store, a store manager for their own store only.
	SetStoreDonations(ctx context.Context, storeCode string, fees FeeSchedule, beneficiary int64, ein *string) error
	// SetDonationSplits sets how the seller's donations are divided (whole percentages adding
	// up to 100); none: the store's default beneficiary.
	SetDonationSplits(ctx context.Context, splits []DonationSplit) error
	// ReturnTotals sums a seller's items received in [from, to) (the seller itself, or admins).
	ReturnTotals(ctx context.Context, sellerID int64, from, to time.Time) (*ReturnTotals, error)
	// StoreTotals sums a store's items received on the UTC days in [from, to) (its staff, or admins).
	StoreTotals(ctx context.Context, storeID int64, from, to time.Time) (*ReturnTotals, error)
	// StoreTotalsByWeek is StoreTotals of each of the weeks (seven UTC days) of [from, to), in
	// one go: the series the portal's dashboard charts. to - from is a whole number of weeks.
	StoreTotalsByWeek(ctx context.Context, storeID int64, from, to time.Time) ([]*ReturnTotals, error)
	// SettleItem computes a SOLD item's proceeds with its store's fees and allocates the net.
	SettleItem(ctx context.Context, item int64) (*ItemLedger, error)
	// SettleItems settles several items as one settlement and returns their ledgers and the
	// settlement's ID.
	SettleItems(ctx context.Context, items []int64) ([]*ItemLedger, int64, error)
	// DisburseBeneficiary records that a store paid a beneficiary everything pending for it.
	DisburseBeneficiary(ctx context.Context, beneficiary int64) (Money, error)
	// ListDisbursements is the staff's store's past disbursements, newest first.
	ListDisbursements(ctx context.Context, page PageArgs) (*Page[*Disbursement], error)
	ItemLedgers(ctx context.Context, itemIDs []int64) ([]*ItemLedger, error)
	AllocationsByItem(ctx context.Context, itemIDs []int64) ([][]*Allocation, error)
	// StoreDonations reads a store's fee schedule, default beneficiary and EIN (its staff, or
	// admins).
	StoreDonations(ctx context.Context, storeID int64) (*StoreDonationSettings, error)
	// BeneficiaryBalances lists by name every beneficiary the store allocated to, and the others
	// among the first MaxBeneficiaryBalances by name (with zeros), with what the store owes and
	// has paid each (its staff, or admins).
	BeneficiaryBalances(ctx context.Context, storeID int64) ([]*BeneficiaryBalance, error)
}

// StoreDonationSettings are what a store deducts from each sale and where the rest goes when
// the seller chose no beneficiary: its fee schedule, its default beneficiary (nil until one is
// set; its items cannot be settled before), and the EIN its certificates print.
type StoreDonationSettings struct {
	StoreID            int64
	StoreCode          string
	Fees               FeeSchedule
	DefaultBeneficiary *int64
	EIN                string
}

// MaxBeneficiaryBalances bounds BeneficiaryBalances. Beneficiaries are the charities the
// platform's operators registered, shared by every store: a short list, which a store's
// manager chooses its default from as a whole.
const MaxBeneficiaryBalances = 500
