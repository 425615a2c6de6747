package http_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateAndUpdateStore(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	create := `mutation CreateStore($input: CreateStoreInput!) { createStore(input: $input) {
		store { code name returnAddress { recipient line1 line2 city region postalCode country } } userErrors { field code message } } }`
	in := map[string]any{"code": "KC1", "name": "Kansas City Thrift", "recipient": "Dock 4", "addressLine1": "100 Grand Blvd",
		"city": "Kansas City", "region": "MO", "postalCode": "64106", "country": "US"}

	res := tb.Query(t, tb.Staff, create, map[string]any{"input": in})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())

	res = tb.Query(t, tb.Admin, create, map[string]any{"input": in})
	require.Empty(t, res.Errors)
	require.Empty(t, get(res.Data, "createStore", "userErrors"))
	require.Equal(t, "Dock 4", get(res.Data, "createStore", "store", "returnAddress", "recipient"))

	res = tb.Query(t, tb.Admin, create, map[string]any{"input": in})
	require.Nil(t, get(res.Data, "createStore", "store"))
	require.Equal(t, "CONFLICT", get(res.Data, "createStore", "userErrors", 0, "code"))
	require.Equal(t, []any{"input", "code"}, get(res.Data, "createStore", "userErrors", 0, "field"))

	update := `mutation UpdateStore($input: UpdateStoreInput!) { updateStore(input: $input) { store { code name } userErrors { field code } } }`
	res = tb.Query(t, tb.Admin, update, map[string]any{"input": map[string]any{"store": "KC1", "name": "KC Thrift"}})
	require.Equal(t, "KC Thrift", get(res.Data, "updateStore", "store", "name"))
	res = tb.Query(t, tb.Admin, update, map[string]any{"input": map[string]any{"store": "KC1", "country": "Kansas"}})
	require.Equal(t, []any{"input", "country"}, get(res.Data, "updateStore", "userErrors", 0, "field"))

	res = tb.Query(t, tb.Admin, `query Stores { stores { totalCount nodes { code name } } }`, nil)
	require.Empty(t, res.Errors)
	require.EqualValues(t, 2, get(res.Data, "stores", "totalCount"))
	require.Equal(t, "KC Thrift", get(res.Data, "stores", "nodes", 0, "name"))
	res = tb.Query(t, tb.SellerA, `query Stores { stores { totalCount } }`, nil)
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
}
