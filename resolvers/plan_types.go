package resolvers

import (
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// The objects plans can write, field by field, each written as gqlgen.yml binds it. A field
// left out (a resolver, one with arguments or a directive) sends its query through gqlgen.

var moneyObject = newObject("Money", map[string]field[sc.Money]{
	"amount":   text(sc.Money.Amount),
	"currency": text(func(m sc.Money) string { return m.Currency }),
})

var pageInfoObject = newObject("PageInfo", map[string]field[*graph.PageInfo]{
	"hasNextPage":     boolean(func(p *graph.PageInfo) bool { return p.HasNextPage }),
	"hasPreviousPage": boolean(func(p *graph.PageInfo) bool { return p.HasPreviousPage }),
	"startCursor":     optText(func(p *graph.PageInfo) *string { return p.StartCursor }),
	"endCursor":       optText(func(p *graph.PageInfo) *string { return p.EndCursor }),
})

var sellerObject = newObject("Seller", map[string]field[*sc.Seller]{
	"id":        text((*sc.Seller).GlobalID),
	"number":    text(func(s *sc.Seller) string { return s.Number }),
	"name":      text(func(s *sc.Seller) string { return s.Name }),
	"legalName": text(func(s *sc.Seller) string { return s.LegalName }),
	"email":     text(func(s *sc.Seller) string { return s.Email }),
	"country":   text(func(s *sc.Seller) string { return s.Country }),
	"createdAt": timestamp(func(s *sc.Seller) time.Time { return s.CreatedAt }),
})

// Buyer's number, country and status are the admin's (@hasRole): gqlgen writes them.
var buyerObject = newObject("Buyer", map[string]field[*sc.Buyer]{
	"id":     text((*sc.Buyer).GlobalID),
	"handle": text(func(b *sc.Buyer) string { return b.Handle }),
})

// orderFields are an order's own fields and parties, which every statement that reads orders
// joins.
var orderFields = map[string]field[*sc.Order]{
	"id":                 text((*sc.Order).GlobalID),
	"number":             text(func(o *sc.Order) string { return o.Number }),
	"placedAt":           timestamp(func(o *sc.Order) time.Time { return o.PlacedAt }),
	"shipBy":             optTimestamp(func(o *sc.Order) *time.Time { return o.ShipBy }),
	"shippedAt":          optTimestamp(func(o *sc.Order) *time.Time { return o.ShippedAt }),
	"deliveredAt":        optTimestamp(func(o *sc.Order) *time.Time { return o.DeliveredAt }),
	"cancelledAt":        optTimestamp(func(o *sc.Order) *time.Time { return o.CancelledAt }),
	"cancellationReason": optEnum(func(o *sc.Order) *sc.CancellationReason { return o.CancellationReason }),
	"total":              value(moneyObject, (*sc.Order).Total),
	"seller":             one(sellerObject, (*sc.Order).SellerOrNotFound),
	"buyer":              one(buyerObject, (*sc.Order).BuyerOrNotFound),
}

// orderObject is an order in another object (a report's, an authorisation's): its events are
// gqlgen's, whose resolvers load them.
var orderObject = newObject("Order", orderFields)

// orderWithEventsObject is an order of the orders page or of order(number:), whose resolvers
// load the selected events with the orders (prefetchOrderEdges).
var orderWithEventsObject = newObject("Order", withFields(orderFields, map[string]field[*sc.Order]{
	"feedback": loaded(feedbackObject, func(o *sc.Order) (*sc.Feedback, bool) {
		if o.Events == nil {
			return nil, false
		}
		return o.Events.Feedback, true
	}),
	"disputes": loadedList(disputeObject, func(o *sc.Order) ([]*sc.Dispute, bool) {
		if o.Events == nil {
			return nil, false
		}
		return o.Events.Disputes, true
	}),
	"returnClaims": loadedList(returnClaimObject, func(o *sc.Order) ([]*sc.ReturnClaim, bool) {
		if o.Events == nil {
			return nil, false
		}
		return o.Events.ReturnClaims, true
	}),
}))

var feedbackObject = newObject("Feedback", map[string]field[*sc.Feedback]{
	"rating":  integer(func(f *sc.Feedback) int { return f.Rating }),
	"comment": text(func(f *sc.Feedback) string { return f.Comment }),
	"leftAt":  timestamp(func(f *sc.Feedback) time.Time { return f.LeftAt }),
})

var disputeObject = newObject("Dispute", map[string]field[*sc.Dispute]{
	"number":   text(func(d *sc.Dispute) string { return d.Number }),
	"reason":   enum(func(d *sc.Dispute) sc.DisputeReason { return d.Reason }),
	"openedAt": timestamp(func(d *sc.Dispute) time.Time { return d.OpenedAt }),
	"closedAt": optTimestamp(func(d *sc.Dispute) *time.Time { return d.ClosedAt }),
})

var returnClaimObject = newObject("ReturnClaim", map[string]field[*sc.ReturnClaim]{
	"number":      text(func(r *sc.ReturnClaim) string { return r.Number }),
	"reason":      text(func(r *sc.ReturnClaim) string { return r.Reason }),
	"requestedAt": timestamp(func(r *sc.ReturnClaim) time.Time { return r.RequestedAt }),
})

func withFields[T any](a, b map[string]field[T]) map[string]field[T] {
	out := make(map[string]field[T], len(a)+len(b))
	for k, f := range a {
		out[k] = f
	}
	for k, f := range b {
		out[k] = f
	}
	return out
}

var returnedItemObject = newObject("ReturnedItem", map[string]field[*sc.ReturnedItem]{
	"id":          text((*sc.ReturnedItem).GlobalID),
	"status":      enum(func(i *sc.ReturnedItem) sc.ItemStatus { return i.Status }),
	"route":       optEnum(func(i *sc.ReturnedItem) *sc.Route { return i.Route }),
	"line":        integer(func(i *sc.ReturnedItem) int { return i.Line }),
	"rmaLine":     optInteger(func(i *sc.ReturnedItem) *int { return i.RMALine }),
	"description": text(func(i *sc.ReturnedItem) string { return i.Description }),
	"grade":       enum(func(i *sc.ReturnedItem) sc.Grade { return i.Grade }),
	"notes":       text(func(i *sc.ReturnedItem) string { return i.Notes }),
	"photoUrls":   texts(func(i *sc.ReturnedItem) []string { return i.PhotoURLs }),
})

// A report's order and parties are what the list's statement joined; a report read without
// them is gqlgen's (its resolvers load them).
var reportObject = newObject("Report", map[string]field[*sc.Report]{
	"id":          text((*sc.Report).GlobalID),
	"reason":      enum(func(r *sc.Report) sc.ReportReason { return r.Reason }),
	"description": text(func(r *sc.Report) string { return r.Description }),
	"status":      enum(func(r *sc.Report) sc.ReportStatus { return r.Status }),
	"outcome":     optEnum((*sc.Report).Outcome),
	"createdAt":   timestamp(func(r *sc.Report) time.Time { return r.CreatedAt }),
	"updatedAt":   timestamp(func(r *sc.Report) time.Time { return r.UpdatedAt }),
	"decidedAt":   optTimestamp(func(r *sc.Report) *time.Time { return r.DecidedAt }),
	"order":       joined(orderObject, func(r *sc.Report) *sc.Order { return r.Order }),
	"seller":      joined(sellerObject, func(r *sc.Report) *sc.Seller { return r.Seller }),
	"buyer":       joined(buyerObject, func(r *sc.Report) *sc.Buyer { return r.Buyer }),
})

var storeObject = newObject("Store", map[string]field[*sc.Store]{
	"id":   text((*sc.Store).GlobalID),
	"code": text(func(st *sc.Store) string { return st.Code }),
	"name": text(func(st *sc.Store) string { return st.Name }),
	"ein":  text(func(st *sc.Store) string { return st.EIN }),
})

// A certificate's store is what its list's statement joined; its seller, links and the
// certificates it replaces are resolvers, gqlgen's.
var certificateObject = newObject("Certificate", map[string]field[*sc.Certificate]{
	"id":               text((*sc.Certificate).GlobalID),
	"serial":           text(func(c *sc.Certificate) string { return c.Serial }),
	"kind":             enum(func(c *sc.Certificate) sc.CertificateKind { return c.Kind }),
	"status":           enum((*sc.Certificate).Status),
	"taxYear":          integer(func(c *sc.Certificate) int { return c.TaxYear }),
	"issuedAt":         timestamp(func(c *sc.Certificate) time.Time { return c.IssuedAt }),
	"donorName":        text(func(c *sc.Certificate) string { return c.DonorName }),
	"store":            joined(storeObject, func(c *sc.Certificate) *sc.Store { return c.Store }),
	"itemCount":        integer(func(c *sc.Certificate) int { return c.Items }),
	"gross":            value(moneyObject, (*sc.Certificate).Gross),
	"costs":            value(moneyObject, (*sc.Certificate).Costs),
	"net":              value(moneyObject, (*sc.Certificate).Net),
	"verificationCode": text(func(c *sc.Certificate) string { return c.VerificationCode }),
	"pdfBytes":         integer(func(c *sc.Certificate) int { return c.PDFBytes }),
	"voidReason":       optText(func(c *sc.Certificate) *string { return c.VoidReason }),
	"voidedAt":         optTimestamp(func(c *sc.Certificate) *time.Time { return c.VoidedAt }),
	"emailedAt":        optTimestamp(func(c *sc.Certificate) *time.Time { return c.EmailedAt }),
})

// An authorisation's order is what its list loaded with it; its store, items, report and
// texts are resolvers, gqlgen's.
var rmaObject = newObject("ReturnAuthorization", map[string]field[*sc.ReturnAuthorization]{
	"id":             text((*sc.ReturnAuthorization).GlobalID),
	"code":           text(func(r *sc.ReturnAuthorization) string { return r.Code }),
	"status":         enum((*sc.ReturnAuthorization).Status),
	"order":          joined(orderObject, func(r *sc.ReturnAuthorization) *sc.Order { return r.Order }),
	"trackingNumber": optText(func(r *sc.ReturnAuthorization) *string { return r.TrackingNumber }),
	"createdAt":      timestamp(func(r *sc.ReturnAuthorization) time.Time { return r.CreatedAt }),
	"expiresAt":      timestamp(func(r *sc.ReturnAuthorization) time.Time { return r.ExpiresAt }),
})

// connection is a Relay connection of node; totalCount costs a statement and is gqlgen's.
func connection[E comparable](name string, node *object[E]) *object[*graph.Connection[E]] {
	edge := newObject(name+"Edge", map[string]field[*graph.Edge[E]]{
		"cursor": text(func(e *graph.Edge[E]) string { return e.Cursor }),
		"node":   one(node, func(e *graph.Edge[E]) (E, error) { return e.Node, nil }),
	})
	return newObject(name+"Connection", map[string]field[*graph.Connection[E]]{
		"nodes":    list(node, (*graph.Connection[E]).Nodes),
		"edges":    list(edge, (*graph.Connection[E]).Edges),
		"pageInfo": one(pageInfoObject, func(c *graph.Connection[E]) (*graph.PageInfo, error) { return c.PageInfo(), nil }),
	})
}

// planRoots are the root fields of Query whose results plans write.
var planRoots = map[string]rootField{
	"orders":        root(connection("Order", orderWithEventsObject)),
	"order":         root(orderWithEventsObject),
	"seller":        root(sellerObject),
	"sellers":       root(connection("Seller", sellerObject)),
	"buyers":        root(connection("Buyer", buyerObject)),
	"returnedItems": root(connection("ReturnedItem", returnedItemObject)),
	"reports":       root(connection("Report", reportObject)),
	"certificates":  root(connection("Certificate", certificateObject)),

	"returnAuthorizations": root(connection("ReturnAuthorization", rmaObject)),
}
