package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// skipIncludeArgs refuses, with code GRAPHQL_VALIDATION_FAILED, an @skip or @include whose
// `if` is a nullable variable sent as null. Validation lets it through (a variable of type
// Boolean with a default may stand for Boolean!), and gqlgen's field collection then panics: a
// client's mistake answered as an internal error (a 500 at the root), with a stack in the log.
// It looks at every directive of the document's operation, also under a field another
// directive skips, which gqlgen would not have collected: such a query is refused too.
type skipIncludeArgs struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = skipIncludeArgs{}

func (skipIncludeArgs) ExtensionName() string                   { return "SkipIncludeArgs" }
func (skipIncludeArgs) Validate(graphql.ExecutableSchema) error { return nil }

func (skipIncludeArgs) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	seen := map[string]bool{}
	var check func(ast.SelectionSet) *gqlerror.Error
	directives := func(ds ast.DirectiveList) *gqlerror.Error {
		for _, d := range ds {
			if d.Name != "skip" && d.Name != "include" {
				continue
			}
			arg := d.Arguments.ForName("if")
			if arg == nil || arg.Value == nil || arg.Value.Kind != ast.Variable {
				continue
			}
			if _, ok := oc.Variables[arg.Value.Raw].(bool); !ok {
				err := gqlerror.ErrorPosf(arg.Position, "the if: of @%s must be true or false; $%s is null", d.Name, arg.Value.Raw)
				errcode.Set(err, errcode.ValidationFailed)
				return err
			}
		}
		return nil
	}
	check = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			var err *gqlerror.Error
			switch s := sel.(type) {
			case *ast.Field:
				if err = directives(s.Directives); err == nil {
					err = check(s.SelectionSet)
				}
			case *ast.InlineFragment:
				if err = directives(s.Directives); err == nil {
					err = check(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if err = directives(s.Directives); err == nil && s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					err = check(s.Definition.SelectionSet)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return check(oc.Operation.SelectionSet)
}
