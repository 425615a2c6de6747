package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// TestQueryComplexity: every connection is priced by its page size, aliases and fragments
// count, and a query over the limit is refused before any SQL of its own runs.
func TestQueryComplexity(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	_, err := tb.DB.Ingest(sc.NewSystemContext(context.Background()), fixtureBatch(0, 150))
	require.NoError(t, err)

	// statementsOf runs query and returns the response and how many SQL statements it took.
	statementsOf := func(t *testing.T, token, query string) (gqlResponse, int64) {
		before := tb.DB.Statements()
		res := tb.Query(t, token, query, nil)
		return res, tb.DB.Statements() - before
	}
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, field)
		}
		b.WriteString("}")
		return b.String()
	}

	t.Run("ErrManyAliasesOfADeepConnection", func(t *testing.T) {
		// 11 fields each, which is all they cost when only fields counted (the attack sent 830
		// of them; that many are now refused by size first, TestQueryBounds); with its page of
		// 100 each costs 1,901, so 6 are over the limit.
		const deep = `returnAuthorizations(first: 100) { nodes { code items { line } order { number buyer { handle } seller { number } } } }`
		_, authOnly := statementsOf(t, tb.SellerA, `{ __typename }`)
		res, used := statementsOf(t, tb.SellerA, aliases(6, deep))
		require.Equal(t, []string{"COMPLEXITY_LIMIT_EXCEEDED"}, res.Codes(), "%+v", res.Errors)
		require.Nil(t, res.Data)
		require.Equal(t, authOnly, used, "only the token is looked up")

		res = tb.Query(t, tb.SellerA, aliases(1, deep), nil)
		require.Empty(t, res.Errors, "one of them runs")
	})
	t.Run("OK page of 100 orders with seller and buyer", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, `{ orders(first: 100) { totalCount edges { cursor node { number placedAt total { amount currency } seller { number name } buyer { handle number } } } pageInfo { hasNextPage endCursor } } }`, nil)
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "orders", "edges").([]any), 100)
	})
	t.Run("AliasesOfAFragmentCountEach", func(t *testing.T) {
		// Each use of the fragment on a page of 100 costs 701: 14 fit in 10,000, 15 do not.
		const fragment = ` fragment page on OrderConnection { nodes { number seller { number name } buyer { handle } } }`
		res := tb.Query(t, tb.Admin, aliases(14, `orders(first: 100) { ...page }`)+fragment, nil)
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "a13", "nodes").([]any), 100)

		res, used := statementsOf(t, tb.Admin, aliases(15, `orders(first: 100) { ...page }`)+fragment)
		require.Equal(t, []string{"COMPLEXITY_LIMIT_EXCEEDED"}, res.Codes(), "%+v", res.Errors)
		require.LessOrEqual(t, used, int64(1), "at most the token lookup")
	})
	t.Run("PageSizeFromAVariable", func(t *testing.T) {
		const q = `query($n: Int) { sellers(first: $n) { nodes { orders(first: $n) { nodes { number } } } } }`
		res := tb.Query(t, tb.Admin, q, map[string]any{"n": 100}) // 1 + 100 × (2 + 100 × 2)
		require.Equal(t, []string{"COMPLEXITY_LIMIT_EXCEEDED"}, res.Codes(), "%+v", res.Errors)
		res = tb.Query(t, tb.Admin, q, map[string]any{"n": 10})
		require.Empty(t, res.Errors)
	})
	t.Run("ErrNestedConnectionsWithoutAllowlist", func(t *testing.T) {
		// Connections and lists that the hand-kept list left at one point per field.
		for _, q := range []string{
			`{ sellers(first: 100) { nodes { reports(first: 100) { nodes { id } } } } }`,
			`{ certificates(first: 100) { nodes { id } } parcels(first: 100) { nodes { items { id timeline { at } } } } }`,
		} {
			res := tb.Query(t, tb.Admin, q, nil)
			require.Equal(t, []string{"COMPLEXITY_LIMIT_EXCEEDED"}, res.Codes(), "%s: %+v", q, res.Errors)
		}
	})
}
