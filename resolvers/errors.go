package resolvers

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// presentError puts the code of a domain error into extensions.code. Anything that is not a
// domain error is logged and shown as "internal error": driver messages never reach a client.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if es := sc.AsErrors(err); len(es) > 0 {
		gqlErr.Message = es[0].Message
		gqlErr.Extensions = map[string]any{"code": es[0].Code}
		if es[0].Field != "" {
			gqlErr.Extensions["field"] = es[0].Field
		}
		return gqlErr
	}
	if gqlErr.Extensions["code"] != nil {
		// gqlgen's own errors (parse, validation, complexity) already carry a code.
		return gqlErr
	}
	slog.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
	gqlErr.Message = "internal error"
	gqlErr.Extensions = map[string]any{"code": sc.EINTERNAL}
	return gqlErr
}

// recoverPanic turns a panic in a resolver into an internal error, logged with its value.
func recoverPanic(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "panic in resolver", "panic", p, "stack", string(debug.Stack()))
	return errors.New("panic") // presented as "internal error"
}

// topLevelCodes are the codes that are never about a mutation's input, so never a userError;
// every other code of the domain is a value of the UserErrorCode enum.
var topLevelCodes = []string{sc.EUNAUTHENTICATED, sc.EINTERNAL, sc.ETIMEOUT}

// userErrors turns the input errors of a mutation into its payload's userErrors. Any other
// error (internal failures, an expired token) is returned for the top-level errors list.
func userErrors(err error) ([]*graph.UserError, error) {
	if err == nil {
		return []*graph.UserError{}, nil
	}
	es := sc.AsErrors(err)
	if es == nil {
		return nil, err
	}
	out := make([]*graph.UserError, 0, len(es))
	for _, e := range es {
		if slices.Contains(topLevelCodes, e.Code) {
			return nil, err // not about the input: a top-level error
		}
		ue := &graph.UserError{Code: graph.UserErrorCode(e.Code), Message: e.Message}
		if e.Field != "" {
			ue.Field = append([]string{"input"}, strings.Split(e.Field, ".")...)
		}
		out = append(out, ue)
	}
	return out, nil
}

// hasRole implements the @hasRole directive.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, roles []sc.Role) (any, error) {
	if _, err := sc.RequireRole(ctx, roles...); err != nil {
		return nil, err
	}
	return next(ctx)
}
