package resolvers

import (
	"context"
	"fmt"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// Limits that every query is held to.
const (
	// MaxComplexity bounds the work of one query, priced by complexityLimit: each field costs 1,
	// a connection costs what it selects times `first`, and any other list of objects what it
	// selects times ListFactor. A page of 100 orders with their seller and buyer costs about 1,000.
	MaxComplexity = 10000
	// MaxDepth bounds how deeply selections nest (introspection excepted).
	MaxDepth = 12
)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// Origins are the hosts of other origins whose pages may open a websocket (CORS_ORIGINS).
	Origins []string
	// Executed, when set, hears how each query was executed: PlanWritten, PlanDeclined (no
	// plan for its selection: gqlgen) or PlanFellBack (its plan met what only gqlgen writes).
	Executed func(outcome string)
	// NoPlans leaves every query to gqlgen's executor: plans write the same bytes faster, and
	// an operator who suspects them can rule them out (GRAPHQL_PLANS=false).
	NoPlans bool
}

// How a query was executed, as HandlerOptions.Executed hears it.
const (
	PlanWritten  = "plan"
	PlanDeclined = "gqlgen"
	PlanFellBack = "fallback"
)

// NewHandler returns the GraphQL HTTP handler (POST and GET, and websocket for subscriptions). Every request it refuses is answered with an extensions.code and a 4xx status.
func NewHandler(s sc.Services, opts HandlerOptions) *handler.Server {
	cfg := graph.Config{Resolvers: &Resolver{Services: s}}
	cfg.Directives.HasRole = hasRole

	schema := graph.NewExecutableSchema(cfg)
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	// Subscriptions (lotEvents) over graphql-transport-ws. coder/websocket accepts only
	// same-origin browsers unless the server's allowed origins say otherwise.
	srv.AddTransport(transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: opts.Origins}},
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           10 * time.Second,
		InitFunc:              wsInit(s),
	})
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	srv.AddTransport(otherMethod{})
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	// First: what a hostile document costs to parse and validate is bounded before anything
	// else looks at it, and the persisted-query cache never holds one.
	srv.Use(queryBounds{cache: cache})
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(&complexityLimit{max: MaxComplexity})
	srv.Use(depthLimit{max: MaxDepth})
	srv.Use(skipIncludeArgs{})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLoaders(s)))
	})
	// Inside the loaders: a query that falls back from its plan to gqlgen reuses what the
	// plan's run loaded (its root resolvers primed them, and do not run again).
	if !opts.NoPlans {
		srv.Use(&planner{schema: schema.Schema(), roots: planRoots, executed: opts.Executed})
	}
	return srv
}

// depthLimit refuses queries nested deeper than max, with code DEPTH_LIMIT_EXCEEDED.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := (depthCounter{}).selectionDepth(oc.Operation.SelectionSet); depth > d.max {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("the query is nested %d levels deep; the limit is %d", depth, d.max),
			Extensions: map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"},
		}
	}
	return nil
}

// depthCounter keeps each fragment's depth once computed: fragments that spread each other
// twice over would otherwise be walked 2ⁿ times.
type depthCounter map[string]int

func (c depthCounter) selectionDepth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.Name) > 2 && s.Name[:2] == "__" {
				continue // introspection nests deeply by design and costs no database work
			}
			d = 1 + c.selectionDepth(s.SelectionSet)
		case *ast.InlineFragment:
			d = c.selectionDepth(s.SelectionSet)
		case *ast.FragmentSpread:
			d = c.fragmentDepth(s)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func (c depthCounter) fragmentDepth(s *ast.FragmentSpread) int {
	if s.Definition == nil {
		return 0
	}
	if d, ok := c[s.Name]; ok {
		return d
	}
	c[s.Name] = 0 // validation refuses cycles; this stops one anyway
	d := c.selectionDepth(s.Definition.SelectionSet)
	c[s.Name] = d
	return d
}
