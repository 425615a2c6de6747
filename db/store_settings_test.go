package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// settingsBundle is two stores, SCS and another, with a manager of each, a staff member of
// SCS and a staff token of SCS, all acting on the same database.
type settingsBundle struct {
	*staffBundle
	other                    *sc.Store
	managerA, memberA, token context.Context
	managerB                 context.Context
	scsID                    int64
	charity                  *sc.Beneficiary
}

// as opens an account of role at store through its invitation and acts as it, as a portal
// session does.
func (b *staffBundle) as(t *testing.T, store, email string, role sc.StaffRole) context.Context {
	t.Helper()
	_, err := b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: store, Email: email, Name: "Pat " + email, Role: role})
	require.NoError(t, err)
	acc, err := b.d.AcceptInvitation(context.Background(), sc.SetPasswordInput{Token: b.last(t).Token, Password: "a long password 1", Confirm: "a long password 1"})
	require.NoError(t, err)
	return sc.NewContextWithActor(context.Background(), acc.Actor())
}

func newSettingsBundle(t *testing.T) *settingsBundle {
	t.Helper()
	b := &settingsBundle{staffBundle: newStaffBundle(t)}
	b.other = dbtest.Store(t, b.d, nil)
	b.managerA = b.as(t, "SCS", "boss@scs.example", sc.StaffManager)
	b.memberA = b.as(t, "SCS", "mo@scs.example", sc.StaffMember)
	b.managerB = b.as(t, b.other.Code, "boss@other.example", sc.StaffManager)
	b.token, _ = dbtest.As(t, b.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	require.NoError(t, b.d.Get(&b.scsID, `SELECT id FROM stores WHERE code = 'SCS'`))
	var err error
	b.charity, err = b.d.CreateBeneficiary(admin(), sc.BeneficiaryInput{Name: "Food Pantry", EIN: "43-7654321", AddressLine1: "1 Main Street",
		City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"})
	require.NoError(t, err)
	return b
}

func TestManagerSetsStoreDonations(t *testing.T) {
	t.Parallel()
	b := newSettingsBundle(t)
	fees := sc.FeeSchedule{IntakeCents: 150, StorageCents: 100, ShippingCents: 50, CommissionBasisPoints: 1000, AuctionCommissionBasisPoints: 1500}
	ein := "12-3456789"
	require.NoError(t, b.d.SetStoreDonations(b.managerA, "SCS", fees, b.charity.ID, &ein))
	got, err := b.d.StoreDonations(b.memberA, b.scsID)
	require.NoError(t, err, "staff read their store's settings")
	require.Equal(t, &sc.StoreDonationSettings{StoreID: b.scsID, StoreCode: "SCS", Fees: fees, DefaultBeneficiary: &b.charity.ID, EIN: ein}, got)
	before, err := b.d.StoreDonations(admin(), b.other.ID)
	require.NoError(t, err)

	bad := sc.FeeSchedule{IntakeCents: -1, CommissionBasisPoints: 10001, AuctionCommissionBasisPoints: -5}
	badEIN := "123456789"
	for _, tc := range []struct {
		name        string
		ctx         context.Context
		store       string
		fees        sc.FeeSchedule
		beneficiary int64
		ein         *string
		code        string
		fields      []string
	}{
		{"ErrOtherStore", b.managerA, b.other.Code, fees, b.charity.ID, nil, sc.EFORBIDDEN, []string{"store"}},
		{"ErrOtherManager", b.managerB, "SCS", sc.FeeSchedule{}, b.charity.ID, nil, sc.EFORBIDDEN, []string{"store"}},
		{"ErrStaffMember", b.memberA, "SCS", sc.FeeSchedule{}, b.charity.ID, nil, sc.EFORBIDDEN, []string{""}},
		{"ErrStaffToken", b.token, "SCS", sc.FeeSchedule{}, b.charity.ID, nil, sc.EFORBIDDEN, []string{""}},
		{"ErrBadInput", b.managerA, "SCS", bad, 0, &badEIN, sc.EINVALID,
			[]string{"ein", "fees.intakeCents", "fees.commissionBasisPoints", "fees.auctionCommissionBasisPoints", "beneficiary"}},
		{"ErrNoSuchBeneficiary", b.managerA, "SCS", sc.FeeSchedule{}, b.charity.ID + 1000, nil, sc.ENOTFOUND, []string{"beneficiary"}},
		{"ErrNoSuchStore", b.managerA, "NOPE", sc.FeeSchedule{}, b.charity.ID, nil, sc.ENOTFOUND, []string{"store"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.d.SetStoreDonations(tc.ctx, tc.store, tc.fees, tc.beneficiary, tc.ein)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}
	after, err := b.d.StoreDonations(admin(), b.scsID)
	require.NoError(t, err)
	require.Equal(t, got, after, "no refused change changed SCS")
	afterOther, err := b.d.StoreDonations(admin(), b.other.ID)
	require.NoError(t, err)
	require.Equal(t, before, afterOther, "nor the other store")

	t.Run("ErrReadOtherStore", func(t *testing.T) {
		_, err := b.d.StoreDonations(b.managerA, b.other.ID)
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
		_, err = b.d.BeneficiaryBalances(b.managerA, b.other.ID)
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
	})
}

func TestManagerSetsRoutingRules(t *testing.T) {
	t.Parallel()
	b := newSettingsBundle(t)
	auction := sc.RouteAuction
	rules, err := b.d.SetRoutingRule(b.managerA, sc.RoutingRuleInput{Category: " Lamps ", Grade: sc.GradeGood, Route: &auction})
	require.NoError(t, err)
	want := []*sc.RoutingRule{{Category: "lamps", Grade: sc.GradeGood, Route: sc.RouteAuction}}
	require.Equal(t, want, rules)

	bogus := sc.Route("SOMEWHERE")
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		in     sc.RoutingRuleInput
		code   string
		fields []string
	}{
		{"ErrStaffMember", b.memberA, sc.RoutingRuleInput{Category: "lamps", Grade: sc.GradeGood}, sc.EFORBIDDEN, []string{""}},
		{"ErrBadInput", b.managerA, sc.RoutingRuleInput{Category: "", Grade: "SHINY", Route: &bogus}, sc.EINVALID, []string{"category", "grade", "route"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.d.SetRoutingRule(tc.ctx, tc.in)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}

	// The other store's manager changes the other store: SCS keeps its rule.
	_, err = b.d.SetRoutingRule(b.managerB, sc.RoutingRuleInput{Category: "lamps", Grade: sc.GradeGood})
	require.NoError(t, err)
	got, err := b.d.RoutingRules(b.memberA, b.scsID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = b.d.RoutingRules(b.managerA, b.other.ID)
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))

	// A staff token changes its store's rules, as it did before staff accounts existed.
	rules, err = b.d.SetRoutingRule(b.token, sc.RoutingRuleInput{Category: "lamps", Grade: sc.GradeGood})
	require.NoError(t, err)
	require.Empty(t, rules)
}

func TestManagerSetsIncrementTable(t *testing.T) {
	t.Parallel()
	b := newSettingsBundle(t)
	table := sc.IncrementTable{{FromCents: 0, IncrementCents: 10}, {FromCents: 1000, IncrementCents: 100}}
	v, err := b.d.SetIncrementTable(b.managerA, table)
	require.NoError(t, err)
	require.Equal(t, 1, v)

	for _, tc := range []struct {
		name   string
		ctx    context.Context
		in     sc.IncrementTable
		code   string
		fields []string
	}{
		{"ErrStaffMember", b.memberA, table, sc.EFORBIDDEN, []string{""}},
		{"ErrBadInput", b.managerA, sc.IncrementTable{{FromCents: 5, IncrementCents: 0}, {FromCents: 5, IncrementCents: 10}}, sc.EINVALID,
			[]string{"steps.0.fromCents", "steps.0.incrementCents", "steps.1.fromCents"}},
		{"ErrEmpty", b.managerA, sc.IncrementTable{}, sc.EINVALID, []string{"steps"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.d.SetIncrementTable(tc.ctx, tc.in)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}

	// The other store's manager adds the other store's first version; SCS keeps version 1.
	v, err = b.d.SetIncrementTable(b.managerB, sc.IncrementTable{{FromCents: 0, IncrementCents: 1}})
	require.NoError(t, err)
	require.Equal(t, 1, v)
	got, gotV, err := b.d.IncrementTable(b.memberA, b.scsID)
	require.NoError(t, err)
	require.Equal(t, 1, gotV)
	require.Equal(t, table, got)
	_, _, err = b.d.IncrementTable(b.managerA, b.other.ID)
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))

	// A staff token still adds versions, as before.
	v, err = b.d.SetIncrementTable(b.token, sc.DefaultIncrementTable())
	require.NoError(t, err)
	require.Equal(t, 2, v)
}

// A manager sees each beneficiary's money from the store: pending until disbursed.
func TestManagerSeesBeneficiaryBalances(t *testing.T) {
	t.Parallel()
	b := newSettingsBundle(t)
	paid := dbtest.Item(t, b.d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)}) // to a new default charity
	paidTo := defaultBeneficiary(t, b)
	_, err := b.d.DisburseBeneficiary(b.token, paidTo)
	require.NoError(t, err)
	dbtest.Item(t, b.d, &dbtest.ItemOpts{Status: ptr(sc.ItemSettled)}) // to another new default
	owedTo := defaultBeneficiary(t, b)
	require.NotZero(t, paid.ID)

	bs, err := b.d.BeneficiaryBalances(b.managerA, b.scsID)
	require.NoError(t, err)
	byID := map[int64]*sc.BeneficiaryBalance{}
	for _, x := range bs {
		byID[x.Beneficiary.ID] = x
	}
	require.Len(t, byID, 3, "every beneficiary, also one the store never gave to")
	require.Equal(t, sc.USD(2000), byID[paidTo].Disbursed)
	require.Equal(t, sc.USD(0), byID[paidTo].Pending)
	require.Equal(t, sc.USD(2000), byID[owedTo].Pending)
	require.Equal(t, sc.USD(0), byID[owedTo].Disbursed)
	require.Equal(t, sc.USD(0), byID[b.charity.ID].Pending)

	// The other store owes none of it.
	other, err := b.d.BeneficiaryBalances(b.managerB, b.other.ID)
	require.NoError(t, err)
	for _, x := range other {
		require.Zero(t, x.Pending.Cents+x.Disbursed.Cents, x.Beneficiary.Name)
	}
}

func defaultBeneficiary(t *testing.T, b *settingsBundle) int64 {
	t.Helper()
	s, err := b.d.StoreDonations(admin(), b.scsID)
	require.NoError(t, err)
	require.NotNil(t, s.DefaultBeneficiary)
	return *s.DefaultBeneficiary
}
