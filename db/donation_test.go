package db_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// The donations page's figures: per beneficiary what is pending and what was paid, adding up
// to the store's ledger to the cent, and the disbursements, newest first, a page at a time.
func TestBeneficiaryBalancesAndDisbursements(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	settled, sold := sc.ItemSettled, sc.ItemSold
	// Each settled item gets a beneficiary of its own: the factory makes a new default each time.
	var items []*sc.ReturnedItem
	for _, price := range []string{"10.01", "20.02", "30.03"} {
		items = append(items, dbtest.Item(t, d, &dbtest.ItemOpts{Status: &settled, Price: ptr(price)}))
	}
	dbtest.Item(t, d, &dbtest.ItemOpts{Status: &sold, Price: ptr("7.25")}) // sold, not allocated yet
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	allocs, err := d.AllocationsByItem(staff, []int64{items[0].ID, items[1].ID, items[2].ID})
	require.NoError(t, err)
	ben := make([]int64, 3)
	for i, a := range allocs {
		require.Len(t, a, 1)
		ben[i] = a[0].BeneficiaryID
	}

	balances, err := givenTo(t, d, staff)
	require.NoError(t, err)
	require.Len(t, balances, 3)
	byBen := map[int64]*sc.BeneficiaryBalance{}
	for _, b := range balances {
		byBen[b.Beneficiary.ID] = b
		require.Zero(t, b.Disbursed.Cents)
		require.Equal(t, 1, b.PendingItems)
	}
	require.Equal(t, int64(1001), byBen[ben[0]].Pending.Cents)

	amount, err := d.DisburseBeneficiary(staff, ben[0])
	require.NoError(t, err)
	require.Equal(t, sc.USD(1001), amount)
	amount, err = d.DisburseBeneficiary(staff, ben[1])
	require.NoError(t, err)
	require.Equal(t, sc.USD(2002), amount)
	again, err := d.DisburseBeneficiary(staff, ben[0])
	require.NoError(t, err)
	require.Zero(t, again.Cents, "nothing was left to pay")

	// The balances add up to the ledger of the store's items: what was disbursed is donated,
	// what is pending is the rest of the settled items' net (the sold item is not allocated).
	balances, err = givenTo(t, d, staff)
	require.NoError(t, err)
	var pending, disbursed int64
	for _, b := range balances {
		pending += b.Pending.Cents
		disbursed += b.Disbursed.Cents
	}
	var store int64
	require.NoError(t, d.Get(&store, `SELECT id FROM stores WHERE code = 'SCS'`))
	totals, err := d.StoreTotals(staff, store, sc.MinTime, d.Now().UTC().Truncate(24*time.Hour).Add(48*time.Hour))
	require.NoError(t, err)
	require.Equal(t, totals.Donated.Cents, disbursed)
	require.Equal(t, totals.Pending.Cents-725, pending)
	require.Equal(t, int64(1001+2002), disbursed)
	require.Equal(t, int64(3003), pending)

	page, err := d.ListDisbursements(staff, sc.PageArgs{First: ptr(1)})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.True(t, page.HasNextPage)
	require.Equal(t, ben[1], page.Items[0].BeneficiaryID, "newest first")
	require.Equal(t, sc.USD(2002), page.Items[0].Amount)
	require.Equal(t, 1, page.Items[0].Items)
	next, err := d.ListDisbursements(staff, sc.PageArgs{First: ptr(1), After: page.EndCursor()})
	require.NoError(t, err)
	require.Len(t, next.Items, 1)
	require.False(t, next.HasNextPage)
	require.Equal(t, ben[0], next.Items[0].BeneficiaryID)
	n, err := page.Count(staff)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the empty second disbursement of ben[0] is none")

	// More charities than the list's bound, all sorting first: the store's own are still listed.
	t.Run("OwnBeneficiariesPastTheBound", func(t *testing.T) {
		_, err := d.Exec(`INSERT INTO beneficiaries (name, ein, address_line1, city, region, postal_code, country)
			SELECT '  First ' || g, '99-' || lpad(g::text, 7, '0'), '1 Main St', 'Springfield', 'IL', '62701', 'US'
			FROM generate_series(1, $1::int) g`, sc.MaxBeneficiaryBalances)
		require.NoError(t, err)
		var store int64
		require.NoError(t, d.Get(&store, `SELECT id FROM stores WHERE code = 'SCS'`))
		all, err := d.BeneficiaryBalances(staff, store)
		require.NoError(t, err)
		require.Len(t, all, sc.MaxBeneficiaryBalances+3, "the first ones by name, and the store's three")
		var pending int64
		for _, b := range all {
			pending += b.Pending.Cents
		}
		require.Equal(t, int64(3003), pending)
	})
	t.Run("ErrNotACursor", func(t *testing.T) {
		_, err := d.ListDisbursements(staff, sc.PageArgs{After: ptr("garbage")})
		require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	})
	t.Run("ErrSellerForbidden", func(t *testing.T) {
		seller := dbtest.Seller(t, d, nil)
		ctx, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: seller.Number})
		_, err := d.BeneficiaryBalances(ctx, 1)
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
		_, err = d.ListDisbursements(ctx, sc.PageArgs{})
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	})
	// Another store's staff see none of it, and paying the same charity pays nothing of SCS's.
	t.Run("OtherStoreSeesNothing", func(t *testing.T) {
		other := dbtest.Store(t, d, nil)
		ctx, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: other.Code})
		bs, err := givenTo(t, d, ctx)
		require.NoError(t, err)
		require.Empty(t, bs)
		ds, err := d.ListDisbursements(ctx, sc.PageArgs{})
		require.NoError(t, err)
		require.Empty(t, ds.Items)
		n, err := ds.Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		paid, err := d.DisburseBeneficiary(ctx, ben[2])
		require.NoError(t, err)
		require.Zero(t, paid.Cents)
		bs, err = givenTo(t, d, staff)
		require.NoError(t, err)
		i := slices.IndexFunc(bs, func(b *sc.BeneficiaryBalance) bool { return b.Beneficiary.ID == ben[2] })
		require.GreaterOrEqual(t, i, 0)
		require.Equal(t, int64(3003), bs[i].Pending.Cents, "still pending for SCS")
	})
}

// givenTo is the balances of the beneficiaries the actor's store allocated to.
func givenTo(t *testing.T, d *db.DB, ctx context.Context) ([]*sc.BeneficiaryBalance, error) {
	t.Helper()
	all, err := d.BeneficiaryBalances(ctx, sc.ActorFromContext(ctx).StoreID)
	var out []*sc.BeneficiaryBalance
	for _, b := range all {
		if b.Pending.Cents != 0 || b.Disbursed.Cents != 0 {
			out = append(out, b)
		}
	}
	return out, err
}

// The same disbursement recorded 20 times at once pays the charity once: one disbursement of
// everything pending, recorded by the staff member who sent it, the others nothing.
func TestDisburseTwentyAtOnce(t *testing.T) {
	t.Parallel()
	b := newSettingsBundle(t)
	dbtest.Item(t, b.d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)}) // to a new default charity
	charity := defaultBeneficiary(t, b)
	var wg sync.WaitGroup
	paid := make([]int64, 20)
	for i := range paid {
		wg.Go(func() {
			m, err := b.d.DisburseBeneficiary(b.memberA, charity)
			assert.NoError(t, err)
			paid[i] = m.Cents
		})
	}
	wg.Wait()
	slices.Sort(paid)
	require.Equal(t, int64(2000), paid[19], "one of them paid the item's net")
	require.Zero(t, paid[18], "the others found nothing pending")

	page, err := b.d.ListDisbursements(b.memberA, sc.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	d := page.Items[0]
	require.Equal(t, sc.USD(2000), d.Amount)
	require.Equal(t, 1, d.Items)
	require.Equal(t, charity, d.BeneficiaryID)
	require.Equal(t, "Pat mo@scs.example", d.RecordedBy, "the staff member who recorded it")
	bs, err := givenTo(t, b.d, b.memberA)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.Equal(t, sc.USD(2000), bs[0].Disbursed)
	require.Zero(t, bs[0].Pending.Cents)

	// A token records one too; the history names it by its label, or as a token without one.
	dbtest.Item(t, b.d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)})
	again := defaultBeneficiary(t, b)
	_, err = b.d.DisburseBeneficiary(b.token, again)
	require.NoError(t, err)
	page, err = b.d.ListDisbursements(b.token, sc.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	require.Equal(t, again, page.Items[0].BeneficiaryID, "newest first")
	require.Equal(t, "a token", page.Items[0].RecordedBy, "a token without a label")
}
