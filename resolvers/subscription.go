package resolvers

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	sc "github.com/secondchance/secondchance"
)

// MaxSubscriptions is how many subscriptions one websocket connection may hold at once.
const MaxSubscriptions = 20

type subscriptionsKey struct{}

// wsInit authenticates a websocket connection: browsers cannot set headers on one, so the
// token may come in connection_init's payload as {"Authorization": "Bearer <token>"}; a token
// in the upgrade request's header was checked already. It also starts the connection's count
// of subscriptions.
func wsInit(s sc.Services) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		h := p.Authorization()
		if h == "" {
			if v, ok := p["Authorization"].(string); ok {
				h = v
			}
		}
		if h != "" {
			scheme, secret, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				return ctx, nil, sc.Errorf(sc.EUNAUTHENTICATED, "the Authorization must be `Bearer <token>`")
			}
			a, err := s.Tokens.Authenticate(ctx, strings.TrimSpace(secret))
			if err != nil {
				return ctx, nil, err
			}
			ctx = sc.NewContextWithActor(ctx, a)
		}
		return context.WithValue(ctx, subscriptionsKey{}, new(atomic.Int32)), nil, nil
	}
}

// holdSubscription counts a subscription against its connection's bound until ctx ends.
func holdSubscription(ctx context.Context) error {
	n, _ := ctx.Value(subscriptionsKey{}).(*atomic.Int32)
	if n == nil {
		return nil // not over a websocket (tests calling the resolver directly)
	}
	if n.Add(1) > MaxSubscriptions {
		n.Add(-1)
		return sc.Errorf(sc.ERATELIMITED, "a connection holds at most %d subscriptions; close one first", MaxSubscriptions)
	}
	context.AfterFunc(ctx, func() { n.Add(-1) })
	return nil
}
