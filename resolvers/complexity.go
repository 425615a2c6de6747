package resolvers

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	sc "github.com/secondchance/secondchance"
)

// ListFactor is what a plain list of objects (a report's timeline, an order's disputes)
// multiplies its selection by: nothing in the request bounds such a list, so it is priced as
// if it held this many elements.
const ListFactor = 10

// complexityLimit refuses operations whose cost is over max, with code
// COMPLEXITY_LIMIT_EXCEEDED, before anything is resolved. The cost is one rule read off the
// schema rather than a hand-kept list of fields, so a connection added later is priced the
// day it is added:
//   - a field costs 1 plus what it selects;
//   - a field whose type is a connection (an object type named …Connection) costs 1 plus its
//     selection times its page size: `first`, else the argument's default, else
//     sc.DefaultPageSize, and at most sc.MaxPageSize; the connection's own edges and nodes
//     are that page and are not multiplied again;
//   - any other list of objects costs 1 plus its selection times ListFactor (a list of
//     scalars selects nothing, so it costs 1);
//   - introspection (__schema, __type) costs nothing: it reads no data.
//
// Aliases are fields of their own and a fragment costs what it selects at every spread, so
// repeating either repeats the cost.
type complexityLimit struct {
	max    int
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &complexityLimit{}

func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.schema = es.Schema()
	return nil
}

func (c *complexityLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if cost := operationCost(c.schema, oc.Operation, oc.Variables); cost > c.max {
		err := gqlerror.Errorf("the query costs %d; the limit is %d (a connection costs `first` times what it selects)", cost, c.max)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// operationCost prices a validated operation (its fields carry their definitions).
func operationCost(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	p := pricer{schema: schema, vars: vars, fragments: map[string]int{}}
	return p.selectionCost(op.SelectionSet)
}

type pricer struct {
	schema *ast.Schema
	vars   map[string]any
	// fragments holds each fragment's cost once computed: a fragment spread many times over
	// costs that many times, but is walked once, so nested spreads cannot make pricing itself
	// exponential.
	fragments map[string]int
}

func (p *pricer) selectionCost(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = addCost(total, p.fieldCost(s))
		case *ast.InlineFragment:
			total = addCost(total, p.selectionCost(s.SelectionSet))
		case *ast.FragmentSpread:
			total = addCost(total, p.fragmentCost(s))
		}
	}
	return total
}

func (p *pricer) fragmentCost(s *ast.FragmentSpread) int {
	if s.Definition == nil {
		return 0
	}
	if c, ok := p.fragments[s.Name]; ok {
		return c
	}
	p.fragments[s.Name] = 0 // validation refuses cycles; this stops one anyway
	c := p.selectionCost(s.Definition.SelectionSet)
	p.fragments[s.Name] = c
	return c
}

func (p *pricer) fieldCost(f *ast.Field) int {
	if f.Name == "__schema" || f.Name == "__type" {
		return 0
	}
	child := p.selectionCost(f.SelectionSet)
	if f.Definition == nil {
		return addCost(1, child)
	}
	return addCost(1, mulCost(child, p.factor(f)))
}

// factor is how many times a field's selection is paid for.
func (p *pricer) factor(f *ast.Field) int {
	n := 1
	t := f.Definition.Type
	for ; t.Elem != nil; t = t.Elem {
		// The edges and nodes of a connection are its page, already multiplied by its size.
		if !p.isConnection(f.ObjectDefinition) {
			n = mulCost(n, ListFactor)
		}
	}
	if p.isConnection(p.schema.Types[t.NamedType]) {
		n = mulCost(n, pageSize(f, p.vars))
	}
	return n
}

func (p *pricer) isConnection(def *ast.Definition) bool {
	return def != nil && def.Kind == ast.Object && strings.HasSuffix(def.Name, "Connection")
}

// pageSize is the page a connection field asks for, as the data layer will read it; a size it
// will refuse (over the maximum, negative) is priced at the nearest it accepts, and an empty
// page at one row so that what it selects still counts.
func pageSize(f *ast.Field, vars map[string]any) int {
	n := sc.DefaultPageSize
	if def := f.Definition.Arguments.ForName("first"); def != nil && def.DefaultValue != nil {
		if v, ok := intArgument(def.DefaultValue, vars); ok {
			n = v
		}
	}
	if a := f.Arguments.ForName("first"); a != nil {
		if v, ok := intArgument(a.Value, vars); ok {
			n = v
		}
	}
	return min(max(n, 1), sc.MaxPageSize)
}

// intArgument reads an Int argument, a literal or a variable as gqlgen decoded it.
func intArgument(v *ast.Value, vars map[string]any) (int, bool) {
	val, err := v.Value(vars)
	if err != nil {
		return 0, false
	}
	switch x := val.(type) {
	case int:
		return x, true
	case int32:
		return int(x), true
	case int64:
		return int(min(max(x, math.MinInt32), math.MaxInt32)), true
	case float64:
		return int(min(max(x, math.MinInt32), math.MaxInt32)), true
	case json.Number:
		i, err := x.Int64()
		return int(min(max(i, math.MinInt32), math.MaxInt32)), err == nil
	}
	return 0, false
}

// addCost and mulCost saturate instead of overflowing, so no query wraps round to cheap.
func addCost(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mulCost(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
