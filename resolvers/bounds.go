package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	sc "github.com/secondchance/secondchance"
)

// Limits on the text of a query, checked before gqlparser validates it. Validation is
// quadratic in the fields that share a response name within one selection set and in the
// fragments of a document, and neither parsing nor validation watches the request's deadline,
// so these bound what they may cost: measured here, 12,000 repeated `__typename` validated in
// 11.8 s, while the worst document within the limits is parsed and validated in milliseconds.
// GraphiQL's introspection query, the largest legitimate document we know, has about 250
// tokens, 390 selections once its fragments are expanded, 3 fragments and no repeated name; the
// README's largest query has under 100 tokens.
const (
	// MaxTokens bounds the lexical tokens of a query (a name, a punctuator, a value).
	MaxTokens = 5000
	// MaxSelections bounds the fields, inline fragments and spreads of a query, each
	// fragment counted at every spread as it is executed.
	MaxSelections = 1000
	// MaxFragments bounds the fragment definitions of a query.
	MaxFragments = 32
	// MaxRepeats bounds how often one response name is selected in one selection set,
	// counting what its fragments bring in.
	MaxRepeats = 10
)

// CodeQueryTooLarge is the extensions.code of a query refused by one of the limits above.
// It is a protocol error like a parse failure, answered with the same HTTP status.
const CodeQueryTooLarge = "QUERY_TOO_LARGE"

func init() { errcode.RegisterErrorType(CodeQueryTooLarge, errcode.KindProtocol) }

// queryBounds refuses, with code QUERY_TOO_LARGE, a query over the limits above. A query in
// the parsed-query cache passed them already and is not looked at again.
type queryBounds struct {
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = queryBounds{}

func (queryBounds) ExtensionName() string                   { return "QueryBounds" }
func (queryBounds) Validate(graphql.ExecutableSchema) error { return nil }

func (b queryBounds) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if _, ok := b.cache.Get(ctx, p.Query); ok {
		return nil
	}
	if err := checkQueryBounds(p.Query); err != nil {
		return err
	}
	// Parsing and validation cannot be interrupted; a request whose time is up by now stops
	// here rather than spending more.
	if ctx.Err() != nil {
		return &gqlerror.Error{Message: "the request ran out of time", Extensions: map[string]any{"code": sc.ETIMEOUT}}
	}
	return nil
}

func tooLarge(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, CodeQueryTooLarge)
	return err
}

// checkQueryBounds counts the tokens of query with the lexer alone, then parses it (linear in
// the tokens) and counts what validation would walk. A query that does not lex or parse is let
// through: gqlgen reports it as GRAPHQL_PARSE_FAILED.
func checkQueryBounds(query string) *gqlerror.Error {
	lx := lexer.New(&ast.Source{Input: query})
	for n := 0; ; n++ {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if n >= MaxTokens {
			return tooLarge("the query has more than %d tokens", MaxTokens)
		}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	if len(doc.Fragments) > MaxFragments {
		return tooLarge("the query defines %d fragments; the limit is %d", len(doc.Fragments), MaxFragments)
	}
	c := selectionCounter{doc: doc, sizes: map[string]int{}, names: map[string]map[string]int{}}
	total := 0
	for _, op := range doc.Operations {
		total = addCost(total, c.size(op.SelectionSet))
	}
	for _, f := range doc.Fragments {
		// Validated once on its own, whether spread or not.
		total = addCost(total, c.fragmentSize(f.Name))
	}
	if total > MaxSelections {
		return tooLarge("the query selects more than %d fields (a fragment counts at every spread); the limit is %d", min(total, 100*MaxSelections), MaxSelections)
	}
	for _, op := range doc.Operations {
		if err := c.repeats(op.SelectionSet, true); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := c.repeats(f.SelectionSet, true); err != nil {
			return err
		}
	}
	return nil
}

// selectionCounter walks a parsed, unvalidated document. Each fragment is walked once and its
// result kept, so fragments that spread each other many times over cost no more to count
// than to read; a fragment spread inside itself counts as empty (validation refuses it).
type selectionCounter struct {
	doc   *ast.QueryDocument
	sizes map[string]int
	// names holds, for each fragment, how often each response name occurs at its top level,
	// counting the fragments it spreads there.
	names map[string]map[string]int
}

func (c *selectionCounter) size(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		n = addCost(n, 1)
		switch s := sel.(type) {
		case *ast.Field:
			n = addCost(n, c.size(s.SelectionSet))
		case *ast.InlineFragment:
			n = addCost(n, c.size(s.SelectionSet))
		case *ast.FragmentSpread:
			n = addCost(n, c.fragmentSize(s.Name))
		}
	}
	return n
}

func (c *selectionCounter) fragmentSize(name string) int {
	if n, ok := c.sizes[name]; ok {
		return n
	}
	c.sizes[name] = 0
	f := c.doc.Fragments.ForName(name)
	if f == nil {
		return 0
	}
	n := c.size(f.SelectionSet)
	c.sizes[name] = n
	return n
}

// repeats checks every selection set under set, each once as written. An inline fragment's
// names are counted with those of the set it is in (top is false for it), so nested inline
// fragments are not counted over and over.
func (c *selectionCounter) repeats(set ast.SelectionSet, top bool) *gqlerror.Error {
	if top {
		for name, n := range c.topNames(set) {
			if n > MaxRepeats {
				return tooLarge("the query selects %q %d times in one selection set; the limit is %d", name, n, MaxRepeats)
			}
		}
	}
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			err = c.repeats(s.SelectionSet, true)
		case *ast.InlineFragment:
			err = c.repeats(s.SelectionSet, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// topNames counts the response names that set selects at its own level.
func (c *selectionCounter) topNames(set ast.SelectionSet) map[string]int {
	out := map[string]int{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			out[name] = addCost(out[name], 1)
		case *ast.InlineFragment:
			for k, v := range c.topNames(s.SelectionSet) {
				out[k] = addCost(out[k], v)
			}
		case *ast.FragmentSpread:
			for k, v := range c.fragmentNames(s.Name) {
				out[k] = addCost(out[k], v)
			}
		}
	}
	return out
}

func (c *selectionCounter) fragmentNames(name string) map[string]int {
	if m, ok := c.names[name]; ok {
		return m
	}
	c.names[name] = nil
	f := c.doc.Fragments.ForName(name)
	if f == nil {
		return nil
	}
	m := c.topNames(f.SelectionSet)
	c.names[name] = m
	return m
}
