package resolvers

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// The objects plans can write, field by field, with the marshalers gqlgen.yml binds. A field
// left out (a resolver, one with arguments or a directive) sends its query through gqlgen.

func str(s string) graphql.Marshaler { return graph.MarshalString(s) }

func optStr(s *string) graphql.Marshaler {
	if s == nil {
		return graphql.Null
	}
	return graph.MarshalString(*s)
}

func optTime(t *time.Time) graphql.Marshaler {
	if t == nil {
		return graphql.Null
	}
	return graph.MarshalTime(*t)
}

func optInt(i *int) graphql.Marshaler {
	if i == nil {
		return graphql.Null
	}
	return graph.MarshalInt(*i)
}

// optEnum is a nullable enum: the generated code returns the pointer, which marshals as its
// value.
func optEnum[E graphql.Marshaler](e *E) graphql.Marshaler {
	if e == nil {
		return graphql.Null
	}
	return *e
}

var moneyObject = &object[sc.Money]{name: "Money", fields: map[string]field[sc.Money]{
	"amount":   scalar(func(m sc.Money) graphql.Marshaler { return str(m.Amount()) }),
	"currency": scalar(func(m sc.Money) graphql.Marshaler { return str(m.Currency) }),
}}

var pageInfoObject = &object[*graph.PageInfo]{name: "PageInfo", fields: map[string]field[*graph.PageInfo]{
	"hasNextPage":     scalar(func(p *graph.PageInfo) graphql.Marshaler { return graphql.MarshalBoolean(p.HasNextPage) }),
	"hasPreviousPage": scalar(func(p *graph.PageInfo) graphql.Marshaler { return graphql.MarshalBoolean(p.HasPreviousPage) }),
	"startCursor":     scalar(func(p *graph.PageInfo) graphql.Marshaler { return optStr(p.StartCursor) }),
	"endCursor":       scalar(func(p *graph.PageInfo) graphql.Marshaler { return optStr(p.EndCursor) }),
}}

var sellerObject = &object[*sc.Seller]{name: "Seller", fields: map[string]field[*sc.Seller]{
	"id":        scalar(func(s *sc.Seller) graphql.Marshaler { return graph.MarshalID(s.GlobalID()) }),
	"number":    scalar(func(s *sc.Seller) graphql.Marshaler { return str(s.Number) }),
	"name":      scalar(func(s *sc.Seller) graphql.Marshaler { return str(s.Name) }),
	"legalName": scalar(func(s *sc.Seller) graphql.Marshaler { return str(s.LegalName) }),
	"email":     scalar(func(s *sc.Seller) graphql.Marshaler { return str(s.Email) }),
	"country":   scalar(func(s *sc.Seller) graphql.Marshaler { return str(s.Country) }),
	"createdAt": scalar(func(s *sc.Seller) graphql.Marshaler { return graph.MarshalTime(s.CreatedAt) }),
}}

// Buyer's number, country and status are the admin's (@hasRole): gqlgen writes them.
var buyerObject = &object[*sc.Buyer]{name: "Buyer", fields: map[string]field[*sc.Buyer]{
	"id":     scalar(func(b *sc.Buyer) graphql.Marshaler { return graph.MarshalID(b.GlobalID()) }),
	"handle": scalar(func(b *sc.Buyer) graphql.Marshaler { return str(b.Handle) }),
}}

var orderObject = &object[*sc.Order]{name: "Order", fields: map[string]field[*sc.Order]{
	"id":                 scalar(func(o *sc.Order) graphql.Marshaler { return graph.MarshalID(o.GlobalID()) }),
	"number":             scalar(func(o *sc.Order) graphql.Marshaler { return str(o.Number) }),
	"placedAt":           scalar(func(o *sc.Order) graphql.Marshaler { return graph.MarshalTime(o.PlacedAt) }),
	"shipBy":             scalar(func(o *sc.Order) graphql.Marshaler { return optTime(o.ShipBy) }),
	"shippedAt":          scalar(func(o *sc.Order) graphql.Marshaler { return optTime(o.ShippedAt) }),
	"deliveredAt":        scalar(func(o *sc.Order) graphql.Marshaler { return optTime(o.DeliveredAt) }),
	"cancelledAt":        scalar(func(o *sc.Order) graphql.Marshaler { return optTime(o.CancelledAt) }),
	"cancellationReason": scalar(func(o *sc.Order) graphql.Marshaler { return optEnum(o.CancellationReason) }),
	"total":              value(moneyObject, (*sc.Order).Total),
	"seller":             one(sellerObject, (*sc.Order).SellerOrNotFound),
	"buyer":              one(buyerObject, (*sc.Order).BuyerOrNotFound),
}}

var returnedItemObject = &object[*sc.ReturnedItem]{name: "ReturnedItem", fields: map[string]field[*sc.ReturnedItem]{
	"id":          scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return graph.MarshalID(i.GlobalID()) }),
	"status":      scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return i.Status }),
	"route":       scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return optEnum(i.Route) }),
	"line":        scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return graph.MarshalInt(i.Line) }),
	"rmaLine":     scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return optInt(i.RMALine) }),
	"description": scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return str(i.Description) }),
	"grade":       scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return i.Grade }),
	"notes":       scalar(func(i *sc.ReturnedItem) graphql.Marshaler { return str(i.Notes) }),
	"photoUrls":   scalars(func(i *sc.ReturnedItem) []string { return i.PhotoURLs }, str),
}}

// connection is a Relay connection of node; totalCount costs a statement and is gqlgen's.
func connection[E comparable](name string, node *object[E]) *object[*graph.Connection[E]] {
	edge := &object[*graph.Edge[E]]{name: name + "Edge", fields: map[string]field[*graph.Edge[E]]{
		"cursor": scalar(func(e *graph.Edge[E]) graphql.Marshaler { return str(e.Cursor) }),
		"node":   one(node, func(e *graph.Edge[E]) (E, error) { return e.Node, nil }),
	}}
	return &object[*graph.Connection[E]]{name: name + "Connection", fields: map[string]field[*graph.Connection[E]]{
		"nodes":    list(node, (*graph.Connection[E]).Nodes),
		"edges":    list(edge, (*graph.Connection[E]).Edges),
		"pageInfo": one(pageInfoObject, func(c *graph.Connection[E]) (*graph.PageInfo, error) { return c.PageInfo(), nil }),
	}}
}

// planRoots are the root fields of Query whose results plans write.
var planRoots = map[string]rootField{
	"orders":        root(connection("Order", orderObject)),
	"order":         root(orderObject),
	"seller":        root(sellerObject),
	"sellers":       root(connection("Seller", sellerObject)),
	"buyers":        root(connection("Buyer", buyerObject)),
	"returnedItems": root(connection("ReturnedItem", returnedItemObject)),
}
