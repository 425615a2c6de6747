package db_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

func TestStores(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := admin()
	full := func() sc.StoreInput {
		return sc.StoreInput{Code: ptr("KC1"), Name: ptr("Kansas City Thrift"), Recipient: ptr("Dock 4"), AddressLine1: ptr("100 Grand Blvd"),
			City: ptr("Kansas City"), Region: ptr("MO"), PostalCode: ptr("64106"), Country: ptr("US")}
	}
	s, err := d.CreateStore(ctx, full())
	require.NoError(t, err)
	require.Equal(t, "KC1", s.Code)
	require.Equal(t, "", s.AddressLine2)

	for _, tc := range []struct {
		name   string
		in     func() sc.StoreInput
		code   string
		fields []string
	}{
		{"ErrCodeTaken", full, sc.ECONFLICT, []string{"code"}},
		{"ErrBadCodeAndCountry", func() sc.StoreInput {
			in := full()
			in.Code, in.Country = ptr("kc 2"), ptr("usa")
			return in
		}, sc.EINVALID, []string{"code", "country"}},
		{"ErrMissingFields", func() sc.StoreInput { return sc.StoreInput{Code: ptr("KC3")} }, sc.EINVALID,
			[]string{"name", "recipient", "addressLine1", "city", "region", "postalCode", "country"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.CreateStore(ctx, tc.in())
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}

	up, err := d.UpdateStore(ctx, "KC1", sc.StoreInput{Name: ptr("KC Thrift"), AddressLine2: ptr("Back door")})
	require.NoError(t, err)
	require.Equal(t, "KC Thrift", up.Name)
	require.Equal(t, "Back door", up.AddressLine2)
	require.Equal(t, "100 Grand Blvd", up.AddressLine1, "fields not given stay")
	_, err = d.UpdateStore(ctx, "NOPE", sc.StoreInput{Name: ptr("x")})
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
	_, err = d.UpdateStore(ctx, "KC1", sc.StoreInput{Code: ptr("SCS")})
	require.Equal(t, sc.ECONFLICT, sc.ErrorCode(err))
	_, err = d.UpdateStore(ctx, "KC1", sc.StoreInput{Name: ptr("")})
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))

	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "KC1"})
	_, err = d.UpdateStore(staff, "KC1", sc.StoreInput{Name: ptr("mine")})
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err), "staff do not edit stores, not even their own")
	_, err = d.ListStores(staff, sc.PageArgs{})
	require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))

	p, err := d.ListStores(ctx, sc.PageArgs{First: ptr(1)})
	require.NoError(t, err)
	require.Equal(t, "KC1", p.Items[0].Code)
	require.True(t, p.HasNextPage)
	p, err = d.ListStores(ctx, sc.PageArgs{First: ptr(1), After: p.EndCursor()})
	require.NoError(t, err)
	require.Equal(t, "SCS", p.Items[0].Code)
	require.False(t, p.HasNextPage)
}

// The store's totals triggers count as sold exactly the statuses the lifecycle says are sold.
func TestStoreTotalsCountTheLifecyclesSoldStatuses(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	want := sc.ReturnTotals{}
	for _, s := range sc.ItemStatuses {
		dbtest.Item(t, d, &dbtest.ItemOpts{Status: ptr(s)})
		want.Items++
		if s.Sold() {
			want.Sold++
		}
		if s == sc.ItemRecycled {
			want.Recycled++
		}
	}
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	scs, err := d.UniversalReturnAddress(staff)
	require.NoError(t, err)
	day := d.Now().UTC().Truncate(24 * time.Hour)
	got, err := d.StoreTotals(staff, scs.ID, day.Add(-24*time.Hour), day.Add(48*time.Hour))
	require.NoError(t, err)
	require.Equal(t, []int{want.Items, want.Sold, want.Recycled}, []int{got.Items, got.Sold, got.Recycled})
}
