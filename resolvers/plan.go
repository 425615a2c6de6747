package resolvers

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Plans. gqlgen's executor marshals every object of a list in a goroutine of its own, collects
// the object's fields again, and gives every field a context, a path and a deferral group: on a
// page of 100 orders that is 60 % of the server's CPU (docs/PERFORMANCE.md), far more than the
// page's statement. A query whose every field below its root fields is a plain value of the Go
// object (no argument, no directive, no resolver but the few that answer first what their list
// joined, TestPlanFieldsOfResolvers) is written instead by a plan compiled from its selection
// once per request, which walks the objects and writes their JSON directly.
//
// gqlgen still resolves the root fields, on the same operation with the root fields' selections
// emptied: their arguments, @hasRole, the resolver, and every error are gqlgen's. The plan then
// writes what the resolvers returned. Whatever a plan does not know (a field without a plan, an
// argument below the root, @defer, a null where the schema says non-null, an error of any kind)
// runs the operation through gqlgen whole, its root fields answered by what their resolvers
// returned, so a plan changes how fast a response comes, never what it says nor what it costs
// in statements: TestPlansWriteWhatGqlgenWrites and TestPlansUnderReview compare the two.

// planner is the operation interceptor that runs plans.
type planner struct {
	schema   *ast.Schema
	roots    map[string]rootField
	executed func(outcome string)
}

func (p *planner) report(outcome string) {
	if p.executed != nil {
		p.executed(outcome)
	}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = (*planner)(nil)

func (*planner) ExtensionName() string                   { return "Plans" }
func (*planner) Validate(graphql.ExecutableSchema) error { return nil }

type withoutPlansKey struct{}

// WithoutPlans marks a request to be executed by gqlgen alone, without plans: for the tests
// that compare the two.
func WithoutPlans(ctx context.Context) context.Context {
	return context.WithValue(ctx, withoutPlansKey{}, true)
}

func (p *planner) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || ctx.Value(withoutPlansKey{}) != nil {
		return next(ctx)
	}
	roots, writers, selected, pruned, ok := p.compile(oc)
	if !ok {
		p.report(PlanDeclined)
		return next(ctx)
	}

	run := &rootRun{selected: selected, results: make(map[string]rootResult, len(roots))}
	op := *oc.Operation
	op.SelectionSet = pruned
	respond := next(graphql.WithOperationContext(ctx, withOperation(oc, &op, run.capture(oc.ResolverMiddleware))))
	// Falling back, gqlgen runs the operation the client sent (the context the transport hands
	// the response handler carries the pruned one), its root fields answered by what their
	// resolvers returned in the plan's run.
	fallBack := func() graphql.ResponseHandler {
		foc := withOperation(oc, oc.Operation, run.replay(oc.ResolverMiddleware))
		respond := next(graphql.WithOperationContext(ctx, foc))
		return func(ctx context.Context) *graphql.Response { return respond(graphql.WithOperationContext(ctx, foc)) }
	}
	// A transport asks for responses until it gets none (the websocket's does, for @defer's
	// and subscriptions'): a plan answers once, and a fallback as often as gqlgen's handler does.
	var fellBack graphql.ResponseHandler
	written := false
	return func(ctx context.Context) *graphql.Response {
		switch {
		case fellBack != nil:
			return fellBack(ctx)
		case written:
			return nil
		}
		res := respond(ctx)
		var data []byte
		ok := res != nil && len(res.Errors) == 0
		if ok {
			data, ok = run.write(roots, writers)
		}
		if !ok {
			// An error, or a value only gqlgen writes: gqlgen answers, whole, as it would have.
			p.report(PlanFellBack)
			fellBack = fallBack()
			return fellBack(ctx)
		}
		p.report(PlanWritten)
		written = true
		res.Data = data
		return res
	}
}

// compile compiles the root fields of oc's operation into writers, and the selection gqlgen
// resolves them with (their own selections emptied); not ok where a plan cannot write them.
// gqlgen's CollectFields panics on a null @skip/@include(if:), which skipIncludeArgs refuses
// before execution (directive_args.go); should anything else make it panic, the plan declines
// and gqlgen meets the panic where it would have.
func (p *planner) compile(oc *graphql.OperationContext) (roots []graphql.CollectedField, writers []writer[any],
	selected map[string]graphql.CollectedField, pruned ast.SelectionSet, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	c := &compiler{oc: oc, schema: p.schema}
	roots = graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	writers = make([]writer[any], len(roots))
	selected = make(map[string]graphql.CollectedField, len(roots))
	pruned = make(ast.SelectionSet, 0, len(roots))
	for i, f := range roots {
		if len(f.Deferrables) > 0 {
			return nil, nil, nil, nil, false
		}
		if f.Name == "__typename" {
			writers[i] = typename[any]("Query")
			pruned = append(pruned, f.Field)
			continue
		}
		root, ok := p.roots[f.Name]
		if !ok {
			return nil, nil, nil, nil, false
		}
		if writers[i], ok = root(c, f); !ok {
			return nil, nil, nil, nil, false
		}
		selected[f.Alias] = f
		empty := *f.Field
		empty.SelectionSet = nil
		pruned = append(pruned, &empty)
	}
	return roots, writers, selected, pruned, true
}

// withOperation is oc running op with the field middleware mw. (An OperationContext holds
// gqlgen's cache of collected fields: it is built anew, never copied.)
func withOperation(oc *graphql.OperationContext, op *ast.OperationDefinition, mw graphql.FieldMiddleware) *graphql.OperationContext {
	return &graphql.OperationContext{
		RawQuery: oc.RawQuery, Variables: oc.Variables, OperationName: oc.OperationName, Doc: oc.Doc,
		Extensions: oc.Extensions, Headers: oc.Headers, Operation: op,
		DisableIntrospection: oc.DisableIntrospection, RecoverFunc: oc.RecoverFunc,
		ResolverMiddleware: mw, RootResolverMiddleware: oc.RootResolverMiddleware,
		Stats: oc.Stats,
	}
}

// rootRun holds what the root fields' resolvers returned, keyed by alias. Root fields of a
// query resolve concurrently.
type rootRun struct {
	selected map[string]graphql.CollectedField
	mu       sync.Mutex
	results  map[string]rootResult
}

type rootResult struct {
	v   any
	err error
}

// capture wraps the field middleware of the pruned operation: a root resolver sees the
// selection the client sent (lists prime their loaders from it and skip cursors nobody asked
// for), and what it returns is kept for the plan, and for the fallback.
func (r *rootRun) capture(next graphql.FieldMiddleware) graphql.FieldMiddleware {
	return func(ctx context.Context, resolve graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		f, ok := r.selected[fc.Field.Alias]
		if !ok {
			return next(ctx, resolve)
		}
		fc.Field = f
		v, err := next(ctx, resolve)
		r.mu.Lock()
		r.results[f.Alias] = rootResult{v, err}
		r.mu.Unlock()
		return v, err
	}
}

// replay wraps the field middleware of a fallback's run: a root field the plan's run resolved
// is answered with what its resolver returned then (its value, or its error), so that a
// fallback costs the statements gqlgen alone would run, not its root fields' twice (one alias
// that fails, NOT_FOUND, would otherwise double the cost of every other root). The loaders the
// root resolvers primed are the fallback's too (handler.go). A resolver that panicked left no
// result, and runs again.
func (r *rootRun) replay(next graphql.FieldMiddleware) graphql.FieldMiddleware {
	return func(ctx context.Context, resolve graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc.Parent == nil || fc.Parent.Parent != nil { // below the root
			return next(ctx, resolve)
		}
		r.mu.Lock()
		res, ok := r.results[fc.Field.Alias]
		r.mu.Unlock()
		if !ok {
			return next(ctx, resolve)
		}
		return res.v, res.err
	}
}

func (r *rootRun) write(roots []graphql.CollectedField, writers []writer[any]) (_ []byte, ok bool) {
	// A getter that panics is gqlgen's to recover, as an error at its field's path.
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	var w bytes.Buffer
	w.Grow(8 << 10)
	w.WriteByte('{')
	for i, f := range roots {
		if i > 0 {
			w.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&w)
		w.WriteByte(':')
		var res rootResult
		if f.Name != "__typename" {
			var ok bool
			if res, ok = r.results[f.Alias]; !ok || res.err != nil {
				return nil, false
			}
		}
		if !writers[i](&w, res.v) {
			return nil, false
		}
	}
	w.WriteByte('}')
	return w.Bytes(), true
}

// writer writes v as JSON; false where it cannot write what gqlgen would (a null where the
// schema says non-null, an error), and then gqlgen answers.
type writer[T any] func(w *bytes.Buffer, v T) bool

// compiler compiles selections of one operation into writers.
type compiler struct {
	oc     *graphql.OperationContext
	schema *ast.Schema
}

// object is a GraphQL object type over Go type T: the fields a plan can write.
type object[T any] struct {
	name   string
	fields map[string]field[T]
}

// objects are every object of the plans, for the tests that hold them to the schema and to
// gqlgen's bindings.
var objects []interface{ names() (string, []string) }

func newObject[T any](name string, fields map[string]field[T]) *object[T] {
	o := &object[T]{name: name, fields: fields}
	objects = append(objects, o)
	return o
}

func (o *object[T]) names() (string, []string) {
	out := make([]string, 0, len(o.fields))
	for f := range o.fields {
		out = append(out, f)
	}
	return o.name, out
}

// field compiles one selected field of an object; t is its type in the schema.
type field[T any] func(c *compiler, f graphql.CollectedField, t *ast.Type) (writer[T], bool)

// rootField compiles a root field of Query into a writer of what its resolver returns.
type rootField func(c *compiler, f graphql.CollectedField) (writer[any], bool)

func root[T comparable](o *object[T]) rootField {
	return func(c *compiler, f graphql.CollectedField) (writer[any], bool) {
		write, ok := o.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		return func(w *bytes.Buffer, v any) bool {
			t, ok := v.(T)
			var zero T
			return ok && t != zero && write(w, t)
		}, true
	}
}

func (o *object[T]) compile(c *compiler, sel ast.SelectionSet) (writer[T], bool) {
	def := c.schema.Types[o.name]
	if def == nil {
		return nil, false
	}
	// As gqlgen's executor collects an object's fields: with the fragments on the interfaces
	// and the unions the type belongs to (the schema's Implements, gqlgen's implementors).
	satisfies := []string{o.name}
	for _, d := range c.schema.GetImplements(def) {
		satisfies = append(satisfies, d.Name)
	}
	fields := graphql.CollectFields(c.oc, sel, satisfies)
	keys := make([][]byte, 0, len(fields))
	writers := make([]writer[T], 0, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if len(f.Deferrables) > 0 {
			return nil, false
		}
		if seen[f.Alias] {
			// gqlgen writes the key twice: it merges a field of the object with the same
			// field of an interface's fragment, not of a union's.
			return nil, false
		}
		seen[f.Alias] = true
		var key bytes.Buffer
		if len(keys) > 0 {
			key.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&key)
		key.WriteByte(':')
		keys = append(keys, key.Bytes())
		if f.Name == "__typename" {
			writers = append(writers, typename[T](o.name))
			continue
		}
		fd := def.Fields.ForName(f.Name)
		compile, ok := o.fields[f.Name]
		if fd == nil || len(fd.Arguments) > 0 || len(fd.Directives) > 0 || !ok {
			return nil, false
		}
		write, ok := compile(c, f, fd.Type)
		if !ok {
			return nil, false
		}
		writers = append(writers, write)
	}
	return func(w *bytes.Buffer, v T) bool {
		w.WriteByte('{')
		for i, write := range writers {
			w.Write(keys[i])
			if !write(w, v) {
				return false
			}
		}
		w.WriteByte('}')
		return true
	}, true
}

func typename[T any](name string) writer[T] {
	var b bytes.Buffer
	graphql.MarshalString(name).MarshalGQL(&b)
	quoted := b.Bytes()
	return func(w *bytes.Buffer, _ T) bool {
		w.Write(quoted)
		return true
	}
}

// leaf is a scalar or enum field: write writes v's value, or reports a null (false).
func leaf[T any](write func(w *bytes.Buffer, v T) (written bool)) field[T] {
	return func(_ *compiler, _ graphql.CollectedField, t *ast.Type) (writer[T], bool) {
		nonNull := t.NonNull
		return func(w *bytes.Buffer, v T) bool {
			if write(w, v) {
				return true
			}
			if nonNull {
				return false
			}
			w.WriteString("null")
			return true
		}, true
	}
}

// The leaves, each written as gqlgen.yml's binding writes it (graph.MarshalString,
// graph.MarshalTime, …), without a marshaler per value: FuzzLeavesWriteAsGqlgen compares them.

// scalar is a leaf that is never null: get's value, written by write.
func scalar[T, V any](write func(*bytes.Buffer, V), get func(T) V) field[T] {
	return leaf(func(w *bytes.Buffer, v T) bool { write(w, get(v)); return true })
}

// optional is a nullable leaf: get's nil is a null.
func optional[T, V any](write func(*bytes.Buffer, V), get func(T) *V) field[T] {
	return leaf(func(w *bytes.Buffer, v T) bool {
		p := get(v)
		if p != nil {
			write(w, *p)
		}
		return p != nil
	})
}

func text[T any](get func(T) string) field[T]                     { return scalar(quote, get) }
func optText[T any](get func(T) *string) field[T]                 { return optional(quote, get) }
func timestamp[T any](get func(T) time.Time) field[T]             { return scalar(writeTime, get) }
func optTimestamp[T any](get func(T) *time.Time) field[T]         { return optional(writeTime, get) }
func integer[T any](get func(T) int) field[T]                     { return scalar(writeInt, get) }
func optInteger[T any](get func(T) *int) field[T]                 { return optional(writeInt, get) }
func boolean[T any](get func(T) bool) field[T]                    { return scalar(writeBool, get) }
func enum[T any, E graphql.Marshaler](get func(T) E) field[T]     { return scalar(writeEnum[E], get) }
func optEnum[T any, E graphql.Marshaler](get func(T) *E) field[T] { return optional(writeEnum[E], get) }

// writeEnum writes an enum of the root package, which writes itself.
func writeEnum[E graphql.Marshaler](w *bytes.Buffer, e E) { e.MarshalGQL(w) }

func writeBool(w *bytes.Buffer, b bool) { w.WriteString(strconv.FormatBool(b)) }

// texts is a list of strings, never null.
func texts[T any](get func(T) []string) field[T] {
	return func(_ *compiler, _ graphql.CollectedField, t *ast.Type) (writer[T], bool) {
		if t.Elem == nil || !t.Elem.NonNull {
			return nil, false
		}
		nonNull := t.NonNull
		return func(w *bytes.Buffer, v T) bool {
			list := get(v)
			if list == nil && !nonNull {
				w.WriteString("null")
				return true
			}
			w.WriteByte('[')
			for i, s := range list {
				if i > 0 {
					w.WriteByte(',')
				}
				quote(w, s)
			}
			w.WriteByte(']')
			return true
		}, true
	}
}

// quote writes s as gqlgen's graphql.MarshalString does.
func quote(w *bytes.Buffer, s string) {
	const hex = "0123456789ABCDEF"
	w.WriteByte('"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		w.WriteString(s[start:i])
		switch c {
		case '\t':
			w.WriteString(`\t`)
		case '\r':
			w.WriteString(`\r`)
		case '\n':
			w.WriteString(`\n`)
		case '\\':
			w.WriteString(`\\`)
		case '"':
			w.WriteString(`\"`)
		default:
			w.WriteString(`\u00`)
			w.WriteByte(hex[c>>4])
			w.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

// writeTime writes t as graph.MarshalTime does: RFC 3339 with its fraction, quoted (the
// layout's output needs no escaping).
func writeTime(w *bytes.Buffer, t time.Time) {
	var b [40]byte
	w.WriteByte('"')
	w.Write(t.AppendFormat(b[:0], time.RFC3339Nano))
	w.WriteByte('"')
}

func writeInt(w *bytes.Buffer, i int) {
	var b [20]byte
	w.Write(strconv.AppendInt(b[:0], int64(i), 10))
}

// one is an object-valued field; get's zero value (a nil pointer) is a null, and an error
// leaves the request to gqlgen.
func one[T any, C comparable](child *object[C], get func(T) (C, error)) field[T] {
	return func(c *compiler, f graphql.CollectedField, t *ast.Type) (writer[T], bool) {
		write, ok := child.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		nonNull := t.NonNull
		return func(w *bytes.Buffer, v T) bool {
			o, err := get(v)
			var zero C
			switch {
			case err != nil:
				return false
			case o == zero && nonNull:
				return false
			case o == zero:
				graphql.Null.MarshalGQL(w)
				return true
			}
			return write(w, o)
		}, true
	}
}

// joined is an edge a statement may have joined: nil when it did not, and gqlgen (the edge's
// resolver) answers.
func joined[T any, C comparable](child *object[C], get func(T) C) field[T] {
	return loaded(child, func(v T) (C, bool) {
		c := get(v)
		var zero C
		return c, c != zero
	})
}

var errNotJoined = errors.New("not joined")

// loaded is a nullable edge its root's resolver may have loaded with the object: not loaded,
// and gqlgen (the edge's resolver) answers.
func loaded[T any, C comparable](child *object[C], get func(T) (C, bool)) field[T] {
	return one(child, func(v T) (C, error) {
		c, ok := get(v)
		if !ok {
			return c, errNotJoined
		}
		return c, nil
	})
}

// loadedList is loaded for a list of objects.
func loadedList[T any, E comparable](elem *object[E], get func(T) ([]E, bool)) field[T] {
	inner := list(elem, func(v T) []E { items, _ := get(v); return items })
	return func(c *compiler, f graphql.CollectedField, t *ast.Type) (writer[T], bool) {
		write, ok := inner(c, f, t)
		if !ok {
			return nil, false
		}
		return func(w *bytes.Buffer, v T) bool {
			if _, ok := get(v); !ok {
				return false
			}
			return write(w, v)
		}, true
	}
}

// value is an object-valued field held by value, never null.
func value[T, C any](child *object[C], get func(T) C) field[T] {
	return func(c *compiler, f graphql.CollectedField, _ *ast.Type) (writer[T], bool) {
		write, ok := child.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		return func(w *bytes.Buffer, v T) bool { return write(w, get(v)) }, true
	}
}

// list is a list of objects.
func list[T any, E comparable](elem *object[E], get func(T) []E) field[T] {
	return func(c *compiler, f graphql.CollectedField, t *ast.Type) (writer[T], bool) {
		if t.Elem == nil {
			return nil, false
		}
		write, ok := elem.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		nonNull, elemNonNull := t.NonNull, t.Elem.NonNull
		return func(w *bytes.Buffer, v T) bool {
			items := get(v)
			if items == nil && !nonNull {
				graphql.Null.MarshalGQL(w)
				return true
			}
			w.WriteByte('[')
			var zero E
			for i, e := range items {
				if i > 0 {
					w.WriteByte(',')
				}
				if e == zero {
					if elemNonNull {
						return false
					}
					graphql.Null.MarshalGQL(w)
					continue
				}
				if !write(w, e) {
					return false
				}
			}
			w.WriteByte(']')
			return true
		}, true
	}
}
