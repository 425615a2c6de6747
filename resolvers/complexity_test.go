package resolvers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/secondchance/secondchance/graph"
)

func testSchema(t *testing.T) *ast.Schema {
	t.Helper()
	return graph.NewExecutableSchema(graph.Config{}).Schema()
}

// cost validates query against the schema and prices it as the handler does.
func cost(t *testing.T, schema *ast.Schema, query string, vars map[string]any) int {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	require.Empty(t, errs, "query: %s", query)
	require.Len(t, doc.Operations, 1)
	return operationCost(schema, doc.Operations[0], vars)
}

func TestComplexityRule(t *testing.T) {
	t.Parallel()
	schema := testSchema(t)
	const ordersPage = `orders(first: 100) { nodes { number seller { number name } buyer { handle } } }`
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		want        int
	}{
		// orders: 1 + 100 × nodes (1 + number 1 + seller 3 + buyer 2)
		{"OK page of 100 orders with seller and buyer", `{ ` + ordersPage + ` }`, nil, 701},
		{"OK first from a variable", `query($n: Int) { orders(first: $n) { nodes { number } } }`, map[string]any{"n": int64(7)}, 1 + 7*2},
		{"OK absent first is the default page", `{ orders { nodes { number } } }`, nil, 1 + 20*2},
		{"OK absent variable is the default page", `query($n: Int) { orders(first: $n) { nodes { number } } }`, nil, 1 + 20*2},
		{"OK first over the cap is priced at the cap", `{ orders(first: 1000000) { nodes { number } } }`, nil, 1 + 100*2},
		{"OK first 0 still prices its selection once", `{ orders(first: 0) { totalCount } }`, nil, 1 + 1},
		{"OK edges are the page, not another list", `{ orders(first: 10) { edges { cursor node { number } } } }`, nil, 1 + 10*(1+1+2)},
		{"OK nested connections multiply", `{ sellers(first: 10) { nodes { orders(first: 10) { nodes { number } } } } }`, nil, 1 + 10*(1+(1+10*2))},
		{"OK plain list of objects", `{ node(id: "x") { ... on Buyer { sanctions { kind } } } }`, nil, 1 + (1 + ListFactor*1)},
		{"OK list of scalars is one value", `{ node(id: "x") { ... on ReturnedItem { photoUrls } } }`, nil, 1 + 1},
		{"OK aliases count", `{ a: ` + ordersPage + ` b: ` + ordersPage + ` }`, nil, 2 * 701},
		{"OK a fragment costs at every spread",
			`query { a: orders(first: 100) { ...o } b: orders(first: 100) { ...o } } fragment o on OrderConnection { nodes { number seller { number name } buyer { handle } } }`, nil, 2 * 701},
		{"OK the same spread twice costs twice", `query { orders(first: 100) { ...o ...o } } fragment o on OrderConnection { nodes { number } }`, nil, 1 + 100*(2*2)},
		{"OK nested fragments multiply", `query { orders(first: 100) { ...two } } fragment two on OrderConnection { ...one ...one } fragment one on OrderConnection { nodes { number } }`, nil, 1 + 100*(2*2)},
		{"OK introspection is free", `{ __schema { types { name fields { name args { name } } } } }`, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, cost(t, schema, tc.query, tc.vars))
		})
	}
}

// TestEveryListIsPriced walks every type reachable from Query and Mutation and prices each
// connection and each list of objects on its own, so a list added later that the rule does
// not see fails here.
func TestEveryListIsPriced(t *testing.T) {
	t.Parallel()
	schema := testSchema(t)
	connections, lists := 0, 0
	reached := map[string]bool{}
	for _, r := range reachableTypes(schema) {
		for _, f := range r.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			target := schema.Types[f.Type.Name()]
			isConnection := target.Kind == ast.Object && strings.HasSuffix(target.Name, "Connection")
			hasFirst := f.Arguments.ForName("first") != nil
			require.Equal(t, isConnection, hasFirst, "%s.%s: a connection takes `first`, and only a connection does", r.def.Name, f.Name)
			isList := f.Type.Elem != nil && target.Kind != ast.Scalar && target.Kind != ast.Enum
			inPage := strings.HasSuffix(r.def.Name, "Connection") && (f.Name == "nodes" || f.Name == "edges")
			if !isConnection && (!isList || inPage) {
				continue
			}
			args := requiredArgs(schema, f.Arguments, "first")
			var sel string
			if isConnection {
				require.NotNil(t, target.Fields.ForName("nodes"), "%s has nodes", target.Name)
				args = append(args, "first: 100")
				sel = "{ nodes { " + leafField(schema, schema.Types[target.Fields.ForName("nodes").Type.Name()]) + " } }"
			} else {
				sel = "{ " + leafField(schema, target) + " }"
			}
			call := f.Name
			if len(args) > 0 {
				call += "(" + strings.Join(args, ", ") + ")"
			}
			query := r.wrap(call + " " + sel)
			doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
			require.Empty(t, errs, "query: %s", query)
			field := findField(doc.Operations[0].SelectionSet, r.def.Name, f.Name)
			require.NotNil(t, field, "query: %s", query)
			p := pricer{schema: schema, fragments: map[string]int{}}
			got := p.fieldCost(field)
			name := r.def.Name + "." + f.Name
			if isConnection {
				connections++
				reached[name] = true
				require.GreaterOrEqual(t, got, 100*2, "%s(first: 100) costs only %d: %s", name, got, query)
			} else {
				lists++
				require.GreaterOrEqual(t, got, ListFactor, "%s, a list, costs only %d: %s", name, got, query)
			}
		}
	}
	// Every connection the schema declares was reached and priced.
	for _, def := range schema.Types {
		for _, f := range def.Fields {
			if d := schema.Types[f.Type.Name()]; d.Kind == ast.Object && strings.HasSuffix(d.Name, "Connection") {
				require.True(t, reached[def.Name+"."+f.Name], "%s.%s was not reached from Query", def.Name, f.Name)
			}
		}
	}
	require.GreaterOrEqual(t, connections, 14)
	require.Greater(t, lists, 10)
}

// reachable is an object type and how a query reaches it: wrap puts a selection on it inside
// the fields that lead there from the root.
type reachable struct {
	def  *ast.Definition
	wrap func(inner string) string
}

// reachableTypes lists every object type reachable from the root types, each by the first
// path found breadth-first, required arguments filled with placeholder values.
func reachableTypes(schema *ast.Schema) []reachable {
	var out []reachable
	seen := map[string]bool{}
	var queue []reachable
	push := func(r reachable) {
		if !seen[r.def.Name] {
			seen[r.def.Name] = true
			queue = append(queue, r)
		}
	}
	push(reachable{schema.Query, func(s string) string { return "query { " + s + " }" }})
	push(reachable{schema.Mutation, func(s string) string { return "mutation { " + s + " }" }})
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		out = append(out, r)
		for _, f := range r.def.Fields {
			target := schema.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || target.Kind == ast.Scalar || target.Kind == ast.Enum {
				continue
			}
			call := f.Name
			args := requiredArgs(schema, f.Arguments, "")
			if len(args) > 0 {
				call += "(" + strings.Join(args, ", ") + ")"
			}
			wrap := r.wrap
			for _, impl := range schema.GetPossibleTypes(target) {
				if impl.Name == target.Name {
					push(reachable{impl, func(s string) string { return wrap(call + " { " + s + " }") }})
				} else {
					push(reachable{impl, func(s string) string { return wrap(call + " { ... on " + impl.Name + " { " + s + " } }") }})
				}
			}
		}
	}
	return out
}

// requiredArgs gives each non-null argument without a default a placeholder literal.
func requiredArgs(schema *ast.Schema, defs ast.ArgumentDefinitionList, except string) []string {
	var out []string
	for _, a := range defs {
		if a.Name != except && a.Type.NonNull && a.DefaultValue == nil {
			out = append(out, a.Name+": "+placeholder(schema, a.Type))
		}
	}
	return out
}

func placeholder(schema *ast.Schema, t *ast.Type) string {
	if t.Elem != nil {
		return "[" + placeholder(schema, t.Elem) + "]"
	}
	def := schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+placeholder(schema, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch def.Name {
	case "Int":
		return "1"
	case "Float":
		return "1.5"
	case "Boolean":
		return "true"
	case "Time":
		return `"2026-01-01T00:00:00Z"`
	}
	return `"x"`
}

// leafField is a field of def that selects nothing and needs no argument.
func leafField(schema *ast.Schema, def *ast.Definition) string {
	if def.Kind == ast.Object || def.Kind == ast.Interface {
		for _, f := range def.Fields {
			k := schema.Types[f.Type.Name()].Kind
			if (k == ast.Scalar || k == ast.Enum) && len(requiredArgs(schema, f.Arguments, "")) == 0 {
				return f.Name
			}
		}
	}
	return "__typename"
}

// findField finds the deepest field named name on type on.
func findField(set ast.SelectionSet, on, name string) *ast.Field {
	var found *ast.Field
	for _, sel := range set {
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name && s.ObjectDefinition != nil && s.ObjectDefinition.Name == on {
				found = s
			}
			sub = s.SelectionSet
		case *ast.InlineFragment:
			sub = s.SelectionSet
		}
		if f := findField(sub, on, name); f != nil {
			found = f
		}
	}
	return found
}
