package resolvers

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// FuzzLeavesWriteAsGqlgen: a plan's leaves write strings, times and ints byte for byte as the
// marshalers gqlgen.yml binds (graph.MarshalString, graph.MarshalTime, graph.MarshalInt).
func FuzzLeavesWriteAsGqlgen(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" and \\ backslash", "tab\tcr\rnl\n", "\x00\x01\x1f\x7f", "é ü \u2028", "\xff\xfe invalid", "<&>"} {
		f.Add(s, int64(1767225600), int64(123456789), 60)
	}
	f.Add("", int64(-62135596800), int64(0), 0)
	f.Add("", int64(253402300799), int64(999999999), -720)
	f.Fuzz(func(t *testing.T, s string, sec, nsec int64, offsetMinutes int) {
		var want, got bytes.Buffer
		graph.MarshalString(s).MarshalGQL(&want)
		quote(&got, s)
		require.Equal(t, want.String(), got.String())

		at := time.Unix(sec, nsec%1_000_000_000).In(time.FixedZone("", (offsetMinutes%1440)*60))
		want.Reset()
		got.Reset()
		graph.MarshalTime(at).MarshalGQL(&want)
		writeTime(&got, at)
		require.Equal(t, want.String(), got.String())

		want.Reset()
		got.Reset()
		graph.MarshalInt(int(sec)).MarshalGQL(&want)
		writeInt(&got, int(sec))
		require.Equal(t, want.String(), got.String())
	})
}

// TestPlanWritePanicFallsBack: a getter that panics while a plan writes leaves the answer to
// gqlgen, which recovers it as an error at the field's path; the HTTP handler's own recover
// would answer a 500 without one.
func TestPlanWritePanicFallsBack(t *testing.T) {
	t.Parallel()
	run := &rootRun{results: map[string]rootResult{"order": {v: 1}}}
	roots := []graphql.CollectedField{{Field: &ast.Field{Name: "order", Alias: "order"}}}
	_, ok := run.write(roots, []writer[any]{func(*bytes.Buffer, any) bool { panic("a getter") }})
	require.False(t, ok)
}

// TestPlanSatisfiesAsGqlgen: an object's selection is collected as gqlgen's executor collects
// it, with the fragments on each interface and each union the type belongs to, and where gqlgen
// writes a key twice (__typename on the object and in a union's fragment: gqlgen merges a field
// only across an object and its interfaces) the plan declines. No union of today's schema holds
// a type plans write; this schema has one.
func TestPlanSatisfiesAsGqlgen(t *testing.T) {
	t.Parallel()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		interface Node { id: ID! }
		type Order implements Node { id: ID! number: String! }
		union Found = Order
		type Query { order: Order }`})
	order := &sc.Order{ID: 7, Number: "S1-7"}
	for _, tc := range []struct {
		name, query, want string
	}{
		{"OK a union's fragment", `{ order { number ... on Found { ... on Order { id } t: __typename } } }`, `{"number":"S1-7","id":"T3JkZXI6Nw","t":"Order"}`},
		{"OK an interface's fragment", `{ order { ... on Node { id } id } }`, `{"id":"T3JkZXI6Nw"}`},
		{"ErrKeyTwice", `{ order { __typename ... on Found { __typename } } }`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := gqlparser.MustLoadQuery(schema, tc.query)
			oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
			sel := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})[0].Selections
			write, ok := orderObject.compile(&compiler{oc: oc, schema: schema}, sel)
			if tc.want == "" {
				require.Len(t, graphql.CollectFields(oc, sel, []string{"Order", "Node", "Found"}), 2, "gqlgen writes __typename twice")
				require.False(t, ok)
				return
			}
			require.True(t, ok)
			var b bytes.Buffer
			require.True(t, write(&b, order))
			require.Equal(t, tc.want, b.String())
		})
	}
}

// names is the object's type and the fields a plan writes of it.
// TestPlanFieldsOfResolvers: the fields plans write whose gqlgen binding is a resolver, which a
// plan does not call: each resolver answers first what the plan writes (the edge its list
// joined or loaded, or the value converted), and says so. A field that gains a resolver, an
// authorisation rule in one say, fails here until its plan is checked against it.
func TestPlanFieldsOfResolvers(t *testing.T) {
	t.Parallel()
	want := []string{"Report.order", "Report.seller", "Report.buyer", "ReturnAuthorization.order", "Certificate.store", "ReturnedItem.photoUrls",
		"Order.feedback", "Order.disputes", "Order.returnClaims"}
	root := reflect.TypeFor[graph.ResolverRoot]()
	var got []string
	for _, o := range objects {
		typ, fields := o.names()
		m, ok := root.MethodByName(typ)
		if !ok {
			continue
		}
		for i := range m.Type.Out(0).NumMethod() {
			for _, f := range fields {
				if strings.EqualFold(m.Type.Out(0).Method(i).Name, f) {
					got = append(got, typ+"."+f)
				}
			}
		}
	}
	require.ElementsMatch(t, want, got)
	for _, name := range []string{"Order", "Seller", "Buyer", "ReturnedItem", "Report", "Certificate", "ReturnAuthorization"} {
		for _, typ := range []string{name + "Connection", name + "Edge"} {
			_, ok := root.MethodByName(typ)
			require.False(t, ok, "%s has resolvers, which connection() does not call", typ)
		}
	}
}
