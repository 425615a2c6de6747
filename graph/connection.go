package graph

import (
	"context"

	sc "github.com/secondchance/secondchance"
)

// Node is any object with a global ID, which node(id:) refetches.
type Node interface {
	GlobalID() string
}

// PageInfo is the Relay page info of a connection.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Connection is a Relay connection over one page of T.
type Connection[T any] struct {
	Page *sc.Page[T]
}

// Edge is one item of a connection with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// NewConnection wraps a page.
func NewConnection[T any](p *sc.Page[T]) *Connection[T] { return &Connection[T]{Page: p} }

// Edges returns the items with their cursors.
func (c *Connection[T]) Edges() []*Edge[T] {
	out := make([]*Edge[T], len(c.Page.Items))
	for i, it := range c.Page.Items {
		out[i] = &Edge[T]{Cursor: c.Page.CursorAt(i), Node: it}
	}
	return out
}

// Nodes returns the items.
func (c *Connection[T]) Nodes() []T { return c.Page.Items }

// PageInfo returns where the page stands.
func (c *Connection[T]) PageInfo() *PageInfo {
	return &PageInfo{HasNextPage: c.Page.HasNextPage, HasPreviousPage: c.Page.HasPrevious,
		StartCursor: c.Page.StartCursor(), EndCursor: c.Page.EndCursor()}
}

// TotalCount counts the whole list; it costs one statement, only when asked for.
func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) { return c.Page.Count(ctx) }

// Concrete connection types, one per GraphQL connection.
type (
	SellerConnection  = Connection[*sc.Seller]
	SellerEdge        = Edge[*sc.Seller]
	BuyerConnection   = Connection[*sc.Buyer]
	BuyerEdge         = Edge[*sc.Buyer]
	OrderConnection   = Connection[*sc.Order]
	OrderEdge         = Edge[*sc.Order]
	TokenConnection   = Connection[*sc.Token]
	TokenEdge         = Edge[*sc.Token]
	ReportConnection  = Connection[*sc.Report]
	ReportEdge        = Edge[*sc.Report]
	BatchConnection   = Connection[*sc.Batch]
	BatchEdge         = Edge[*sc.Batch]
	VerdictConnection = Connection[*sc.Verdict]
	VerdictEdge       = Edge[*sc.Verdict]

	IndicatorAdjustmentConnection = Connection[*sc.IndicatorAdjustment]
	IndicatorAdjustmentEdge       = Edge[*sc.IndicatorAdjustment]

	ReturnAuthorizationConnection = Connection[*sc.ReturnAuthorization]
	ReturnAuthorizationEdge       = Edge[*sc.ReturnAuthorization]
	ParcelConnection              = Connection[*sc.Parcel]
	ParcelEdge                    = Edge[*sc.Parcel]
	ReturnedItemConnection        = Connection[*sc.ReturnedItem]
	ReturnedItemEdge              = Edge[*sc.ReturnedItem]
	CertificateConnection         = Connection[*sc.Certificate]
	CertificateEdge               = Edge[*sc.Certificate]
	StoreConnection               = Connection[*sc.Store]
	StoreEdge                     = Edge[*sc.Store]
)
