package secondchance

import "context"

// Page sizes: every list is paginated, and no page is larger than MaxPageSize.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageArgs asks for the page after a cursor. Cursors are opaque to clients; the storage layer
// makes and reads them.
type PageArgs struct {
	First *int
	After *string
}

// Limit returns the page size, or INVALID on field "first" when it is out of range.
func (p PageArgs) Limit() (int, error) {
	if p.First == nil {
		return DefaultPageSize, nil
	}
	if *p.First < 0 || *p.First > MaxPageSize {
		return 0, FieldErrorf("first", EINVALID, "first must be between 0 and %d, got %d", MaxPageSize, *p.First)
	}
	return *p.First, nil
}

// Page is one page of a stably ordered list: the items, how to make each one's cursor,
// whether more follow, and a count of the whole list that runs only when a client asks for it.
// Cursors are made only when asked for too: a page of nodes needs none, or one (endCursor).
type Page[T any] struct {
	Items       []T
	Cursor      func(T) string
	HasNextPage bool
	HasPrevious bool
	Count       func(ctx context.Context) (int, error)
}

// CursorAt is the cursor of item i.
func (p *Page[T]) CursorAt(i int) string { return p.Cursor(p.Items[i]) }

// EndCursor is the cursor of the last item, or nil for an empty page.
func (p *Page[T]) EndCursor() *string {
	if len(p.Items) == 0 {
		return nil
	}
	c := p.CursorAt(len(p.Items) - 1)
	return &c
}

// StartCursor is the cursor of the first item, or nil for an empty page.
func (p *Page[T]) StartCursor() *string {
	if len(p.Items) == 0 {
		return nil
	}
	c := p.CursorAt(0)
	return &c
}
