package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/http/apitest"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, tc := range []struct {
		name, token, query string
		status             int
		code               string
	}{
		{"ErrNoToken", "", `{ me { role } }`, 200, "UNAUTHENTICATED"},
		{"ErrNoTokenOnList", "", `{ orders { totalCount } }`, 200, "UNAUTHENTICATED"},
		{"ErrUnknownToken", "sc_nope", `{ me { role } }`, 401, "UNAUTHENTICATED"},
		{"ErrNotAToken", "hello", `{ me { role } }`, 401, "UNAUTHENTICATED"},
		{"ErrStaffListsOrders", tb.Staff, `{ orders { totalCount } }`, 200, "FORBIDDEN"},
		{"ErrSellerListsSellers", tb.SellerA, `{ sellers { totalCount } }`, 200, "FORBIDDEN"},
		{"ErrSellerListsBuyers", tb.SellerA, `{ buyers { totalCount } }`, 200, "FORBIDDEN"},
		{"ErrSellerListsTokens", tb.SellerA, `{ tokens { totalCount } }`, 200, "FORBIDDEN"},
		{"ErrSellerIngests", tb.SellerA, `mutation { ingestMarketplaceData(input: {sellers: [{number: "S9", name: "x"}]}) { sellersCreated } }`, 200, "FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tc.token, tc.query, nil)
			require.Equal(t, tc.status, res.Status)
			require.Equal(t, []string{tc.code}, res.Codes(), "%+v", res.Errors)
		})
	}
	t.Run("OK me per role", func(t *testing.T) {
		res := tb.Query(t, tb.SellerA, `{ me { role seller { number } store { code } token { role } } }`, nil)
		require.Empty(t, res.Errors)
		require.Equal(t, "SELLER", get(res.Data, "me", "role"))
		require.Equal(t, "S1", get(res.Data, "me", "seller", "number"))
		require.Nil(t, get(res.Data, "me", "store"))
		res = tb.Query(t, tb.Staff, `{ me { role seller { number } store { code name returnAddress { recipient line1 city region postalCode } } } }`, nil)
		require.Empty(t, res.Errors)
		require.Equal(t, "SCS", get(res.Data, "me", "store", "code"))
		require.Equal(t, "Margo Gibson", get(res.Data, "me", "store", "returnAddress", "recipient"))
		require.Equal(t, "64052", get(res.Data, "me", "store", "returnAddress", "postalCode"))
	})
}

// TestSellerIsolation: seller A's token gets nothing of seller B's, through any field.
func TestSellerIsolation(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	// Global IDs of B's rows, read with the admin token.
	res := tb.Query(t, tb.Admin, `{ seller(number: "S2") { id orders(first: 100) { nodes { id number buyer { id number } } } } }`, nil)
	require.Empty(t, res.Errors)
	sellerB := get(res.Data, "seller", "id").(string)
	orderB := get(res.Data, "seller", "orders", "nodes", 0, "id").(string)
	var buyerOnlyB string
	for _, n := range get(res.Data, "seller", "orders", "nodes").([]any) {
		if get(n, "buyer", "number") == "B2" {
			buyerOnlyB = get(n, "buyer", "id").(string)
		}
	}
	require.NotEmpty(t, buyerOnlyB)

	for _, tc := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"ErrOrderByNumber", `query { order(number: "S2-0") { id } }`, nil},
		{"ErrSellerByNumber", `query { seller(number: "S2") { id } }`, nil},
		{"ErrNodeOrder", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": orderB}},
		{"ErrNodeSeller", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sellerB}},
		{"ErrNodeBuyerOfOtherSeller", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": buyerOnlyB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.SellerA, tc.query, tc.vars)
			require.Equal(t, []string{"NOT_FOUND"}, res.Codes(), "%+v", res.Errors)
			require.NotContains(t, fmt.Sprint(res.Data), "S2")
		})
	}
	t.Run("OK lists hold only own rows", func(t *testing.T) {
		res := tb.Query(t, tb.SellerA, `{
			orders(first: 100) { totalCount nodes { number seller { number } buyer { handle } } }
			filtered: orders(filter: {sellerNumber: "S2"}) { totalCount nodes { number } }
			me { seller { orders(first: 100) { totalCount } } }
		}`, nil)
		require.Empty(t, res.Errors)
		require.EqualValues(t, 3, get(res.Data, "orders", "totalCount"))
		for _, n := range get(res.Data, "orders", "nodes").([]any) {
			require.Equal(t, "S1", get(n, "seller", "number"))
			require.True(t, strings.HasPrefix(get(n, "number").(string), "S1-"))
		}
		require.EqualValues(t, 0, get(res.Data, "filtered", "totalCount"))
		require.EqualValues(t, 3, get(res.Data, "me", "seller", "orders", "totalCount"))
	})
	t.Run("ErrBuyerPrivateFields", func(t *testing.T) {
		res := tb.Query(t, tb.SellerA, `{ orders(first: 1) { nodes { buyer { handle number status } } } }`, nil)
		require.Contains(t, res.Codes(), "FORBIDDEN")
		require.NotContains(t, fmt.Sprint(res.Data), "B1")
	})
	t.Run("OK own node", func(t *testing.T) {
		res := tb.Query(t, tb.SellerA, `{ orders(first: 1) { nodes { id } } }`, nil)
		id := get(res.Data, "orders", "nodes", 0, "id")
		res = tb.Query(t, tb.SellerA, `query($id: ID!) { node(id: $id) { id ... on Order { number seller { number } } } }`, map[string]any{"id": id})
		require.Empty(t, res.Errors)
		require.Equal(t, "S1", get(res.Data, "node", "seller", "number"))
	})
}

// TestOrdersPageStatementCount: a page of orders with seller and buyer costs the same number of
// SQL statements whatever its size: one to authenticate, one for the page with its sellers and
// buyers, and one per other edge.
func TestOrdersPageStatementCount(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	_, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), fixtureBatch(0, 150))
	require.NoError(t, err)
	const q = `query($n: Int) { orders(first: $n) { edges { cursor node { number total { amount } seller { number name } buyer { handle } } } pageInfo { hasNextPage } } }`
	for _, n := range []int{1, 10, 100} {
		before := tb.DB.Statements()
		res := tb.Query(t, tb.Admin, q, map[string]any{"n": n})
		used := tb.DB.Statements() - before
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "orders", "edges").([]any), n)
		require.Equal(t, int64(1+1), used, "page of %d took %d statements", n, used)
	}
	// The events of a page are one statement, whichever of them are selected.
	for _, events := range []string{"feedback { rating } disputes { reason } returnClaims { reason }", "disputes { reason }"} {
		before := tb.DB.Statements()
		res := tb.Query(t, tb.Admin, `{ orders(first: 100) { nodes { `+events+` } } }`, nil)
		require.Empty(t, res.Errors)
		require.Equal(t, int64(1+1+1), tb.DB.Statements()-before, events)
	}
	before := tb.DB.Statements()
	res := tb.Query(t, tb.SellerA, `{ order(number: "S1-0") { number feedback { rating } disputes { number } returnClaims { number } } }`, nil)
	require.Empty(t, res.Errors)
	require.Equal(t, int64(1+1+1), tb.DB.Statements()-before, "token, the order, its events")
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"ErrMalformedQuery", `{ orders { `, nil, "GRAPHQL_PARSE_FAILED"},
		{"ErrUnknownField", `{ orders { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrMalformedID", `{ node(id: "!!!") { id } }`, nil, "INVALID"},
		{"ErrUnknownID", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sc.GlobalID(sc.KindOrder, 999999)}, "NOT_FOUND"},
		{"ErrUnknownKind", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sc.GlobalID("Spaceship", 1)}, "NOT_FOUND"},
		{"ErrPageTooLarge", `{ orders(first: 101) { totalCount } }`, nil, "INVALID"},
		{"ErrNegativePage", `{ orders(first: -1) { totalCount } }`, nil, "INVALID"},
		{"ErrBadCursor", `{ orders(after: "xyz") { totalCount } }`, nil, "INVALID"},
		{"ErrTooComplex", `{ sellers(first: 100) { nodes { orders(first: 100) { nodes { number buyer { handle } } } } } }`, nil, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"ErrTooDeep", "{ me { seller " + strings.Repeat("{ orders(first: 1) { nodes { seller ", 4) + "{ number }" + strings.Repeat(" } } }", 4) + " } }", nil, "DEPTH_LIMIT_EXCEEDED"},
		{"ErrUnknownOrderNumber", `{ order(number: "nope") { id } }`, nil, "NOT_FOUND"},
		{"ErrNullInclude", `query($v: Boolean = true) { orders(first: 2) { nodes @include(if: $v) { number } } }`, map[string]any{"v": nil}, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrNullSkipAtTheRoot", `query($v: Boolean = false) { orders(first: 2) @skip(if: $v) { nodes { number } } }`, map[string]any{"v": nil}, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrNullSkipInAFragment", `query($v: Boolean = false) { orders(first: 2) { ...o } } fragment o on OrderConnection { nodes { ... @skip(if: $v) { number } } }`, map[string]any{"v": nil}, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrNullIncludeOnASpread", `query($v: Boolean = true) { orders(first: 2) { ...o @include(if: $v) } } fragment o on OrderConnection { nodes { number } }`, map[string]any{"v": nil}, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tb.Query(t, tb.Admin, tc.query, tc.vars)
			require.Equal(t, []string{tc.code}, res.Codes(), "%+v", res.Errors)
		})
	}
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		big := `{"query":"{ me { role } }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
		res := tb.Post(t, tb.Admin, []byte(big))
		require.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
		require.Equal(t, []string{"REQUEST_TOO_LARGE"}, res.Codes())
	})
	t.Run("ErrNotJSON", func(t *testing.T) {
		res := tb.Post(t, tb.Admin, []byte(`{"query": `))
		require.NotEmpty(t, res.Errors)
		require.GreaterOrEqual(t, res.Status, 400)
	})
	t.Run("OK introspection is not depth-limited", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } } } }`, nil)
		require.Empty(t, res.Errors)
	})
}

// TestResponseMediaTypes: application/json answers a query that does not parse with 422, as
// gqlgen's transport does; a client that asks for application/graphql-response+json gets that
// type and 400, and the same data otherwise.
func TestResponseMediaTypes(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, tc := range []struct {
		name, accept, query string
		status              int
		contentType         string
	}{
		{"OK json", "", `{ me { role } }`, http.StatusOK, "application/json"},
		{"OK json by Accept", "application/json", `{ me { role } }`, http.StatusOK, "application/json"},
		{"ErrParse json", "", `{ me { `, http.StatusUnprocessableEntity, "application/json"},
		{"OK graphql-response", "application/graphql-response+json", `{ me { role } }`, http.StatusOK, "application/graphql-response+json"},
		{"ErrParse graphql-response", "application/graphql-response+json", `{ me { `, http.StatusBadRequest, "application/graphql-response+json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"query": tc.query})
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodPost, tb.Server.URL+"/graphql", bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tb.Admin)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var out gqlResponse
			require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
			require.Equal(t, tc.status, res.StatusCode)
			require.Equal(t, tc.contentType, res.Header.Get("Content-Type"))
			if tc.status == http.StatusOK {
				require.Empty(t, out.Errors)
				require.Equal(t, "ADMIN", get(out.Data, "me", "role"))
			} else {
				require.Equal(t, []string{"GRAPHQL_PARSE_FAILED"}, out.Codes())
			}
		})
	}
}

func TestEveryTypeAndFieldHasADescription(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res := tb.Query(t, tb.Admin, `{ __schema {
		types { name description
			fields(includeDeprecated: true) { name description args { name description } }
			inputFields { name description }
			enumValues(includeDeprecated: true) { name description } }
		directives { name description args { name description } } } }`, nil)
	require.Empty(t, res.Errors)
	// described fails on a missing description, and on one that does not start with a capital
	// letter (or a digit, quote or backtick that starts a sentence about a value).
	described := func(v any, format string, args ...any) {
		t.Helper()
		what := fmt.Sprintf(format, args...)
		d, _ := get(v, "description").(string)
		require.NotEmpty(t, d, what)
		r, _ := utf8.DecodeRuneInString(d)
		require.False(t, unicode.IsLower(r), "%s: %q starts with a lowercase letter", what, d)
	}
	for _, ty := range get(res.Data, "__schema", "types").([]any) {
		name := get(ty, "name").(string)
		if strings.HasPrefix(name, "__") || map[string]bool{"String": true, "Int": true, "Boolean": true, "ID": true, "Float": true}[name] {
			continue
		}
		described(ty, "type %s", name)
		for _, list := range []string{"fields", "inputFields", "enumValues"} {
			fs, _ := get(ty, list).([]any)
			for _, f := range fs {
				described(f, "%s.%s", name, get(f, "name"))
				args, _ := get(f, "args").([]any)
				for _, a := range args {
					described(a, "%s.%s(%s:)", name, get(f, "name"), get(a, "name"))
				}
			}
		}
	}
	for _, d := range get(res.Data, "__schema", "directives").([]any) {
		name := get(d, "name").(string)
		if map[string]bool{"skip": true, "include": true, "deprecated": true, "specifiedBy": true, "oneOf": true, "defer": true}[name] {
			continue // the GraphQL spec's own
		}
		described(d, "directive @%s", name)
		for _, a := range get(d, "args").([]any) {
			described(a, "@%s(%s:)", name, get(a, "name"))
		}
	}
}

func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	cfg := apitest.Config()
	cfg.RequestTimeout = time.Nanosecond // every statement of the request is past its deadline
	tb.Server.Config.Handler = apitest.NewServer(cfg, tb.DB)
	res := tb.Query(t, tb.Admin, `{ orders { totalCount } }`, nil)
	require.Equal(t, http.StatusGatewayTimeout, res.Status)
	require.Equal(t, []string{"TIMEOUT"}, res.Codes())
}

// TestPortalMount: the portal, when wired, is served under /portal/ behind the server's own
// middleware; without one, /portal/ does not exist.
func TestPortalMount(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	portal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>portal</title>"+r.URL.Path)
	})
	srv := httptest.NewServer(schttp.NewServer(apitest.Config(), tb.DB.Services(schttp.NewLinks(apitest.Config())), schttp.WithPortal(portal)))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/portal/items")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(body), "/portal/items")
	require.NotEmpty(t, res.Header.Get("X-Request-Id"), "behind the server's middleware")
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))

	res, err = http.Get(tb.Server.URL + "/portal/items")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode, "no portal wired")
}
