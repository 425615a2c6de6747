package http_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// TestNodeFollowsEachTypesOwnField: node(id:) answers every kind exactly as the kind's own
// field does, for every token: the anonymous caller, seller A (who owns the objects), seller B,
// store staff and an admin. A list field stands for a kind read by ID nowhere else: an object
// missing from the caller's list is NOT_FOUND through node.
func TestNodeFollowsEachTypesOwnField(t *testing.T) {
	t.Parallel()
	tb := batchFixture(t)
	week := sc.WeekOf(time.Now()).String()
	res := tb.Query(t, tb.Admin, runBatchMutation, map[string]any{"input": map[string]any{"week": week}})
	require.Empty(t, res.Errors)
	batchID := get(res.Data, "runWeeklyBatch", "batch", "id")
	certificateStore(t, tb)
	items := sellItems(t, tb, tb.SellerA, "S1-1", []string{"Speaker"}, []string{"10.00"})
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))
	_, err := tb.DB.IssueCertificates(sc.NewSystemContext(context.Background()), sc.IssueRequest{Kind: sc.CertificateSettlement,
		From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}, nil)
	require.NoError(t, err)

	adminID := func(q string, path ...any) any {
		res := tb.Query(t, tb.Admin, q, nil)
		require.Empty(t, res.Errors, q)
		return get(res.Data, path...)
	}
	kinds := []struct {
		name   string
		id     any
		direct string // a query of the object's own field, with $id when it takes one
		path   []any  // to the object's id, or to the list of nodes
		list   bool
	}{
		{"Seller", adminID(`{ seller(number: "S1") { id } }`, "seller", "id"), `{ seller(number: "S1") { id } }`, []any{"seller", "id"}, false},
		{"Order", adminID(`{ order(number: "S1-0") { id } }`, "order", "id"), `{ order(number: "S1-0") { id } }`, []any{"order", "id"}, false},
		{"Report", adminID(`{ reports(filter: {sellerNumber: "S1"}) { nodes { id } } }`, "reports", "nodes", 0, "id"), `query($id: ID!) { report(id: $id) { id } }`, []any{"report", "id"}, false},
		{"Batch", batchID, `query($id: ID!) { batch(id: $id) { id } }`, []any{"batch", "id"}, false},
		{"Store", adminID(`{ returnAddress { id } }`, "returnAddress", "id"), `{ returnAddress { id } }`, []any{"returnAddress", "id"}, false},
		{"Certificate", adminID(`{ certificates { nodes { id } } }`, "certificates", "nodes", 0, "id"), `{ certificates(first: 100) { nodes { id } } }`, []any{"certificates", "nodes"}, true},
		{"ReturnAuthorization", adminID(`{ returnAuthorizations { nodes { id } } }`, "returnAuthorizations", "nodes", 0, "id"),
			`{ returnAuthorizations(first: 100) { nodes { id } } }`, []any{"returnAuthorizations", "nodes"}, true},
	}
	tokens := []struct{ name, token string }{{"Anonymous", ""}, {"SellerA", tb.SellerA}, {"SellerB", tb.SellerB}, {"Staff", tb.Staff}, {"Admin", tb.Admin}}
	outcome := func(res gqlResponse, found func() bool) string {
		if len(res.Errors) > 0 {
			return res.Codes()[0]
		}
		if found() {
			return "OK"
		}
		return "NOT_FOUND"
	}
	got := map[string]string{}
	for _, k := range kinds {
		for _, tok := range tokens {
			t.Run(k.name+"/"+tok.name, func(t *testing.T) {
				vars := map[string]any{"id": k.id}
				d := tb.Query(t, tok.token, k.direct, vars)
				direct := outcome(d, func() bool {
					if !k.list {
						return get(d.Data, k.path...) == k.id
					}
					for _, n := range get(d.Data, k.path...).([]any) {
						if get(n, "id") == k.id {
							return true
						}
					}
					return false
				})
				n := tb.Query(t, tok.token, `query($id: ID!) { node(id: $id) { id } }`, vars)
				node := outcome(n, func() bool {
					require.NotNil(t, n.Data["node"], "node is null without an error")
					return get(n.Data, "node", "id") == k.id
				})
				require.Equal(t, direct, node, "node(id:) of a %s answers %s like its own field", k.name, tok.name)
				got[k.name+"/"+tok.name] = node
			})
		}
	}
	// The cases the issue found, pinned: the anonymous Store, the staff's Batch, the owner's Certificate.
	for key, want := range map[string]string{"Store/Anonymous": "UNAUTHENTICATED", "Store/SellerB": "OK", "Batch/Staff": "FORBIDDEN",
		"Batch/SellerA": "OK", "Certificate/SellerA": "OK", "Certificate/Staff": "OK", "Certificate/Admin": "OK", "Certificate/SellerB": "NOT_FOUND"} {
		require.Equal(t, want, got[key], key)
	}
}
