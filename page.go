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

// Page is one page of a stably ordered list: the items, the cursor of each, whether more
// follow, and a count of the whole list that runs only when a client asks for it.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
	HasPrevious bool
	Count       func(ctx context.Context) (int, error)
}

// EndCursor is the cursor of the last item, or nil for an empty page.
func (p *Page[T]) EndCursor() *string {
	if len(p.Cursors) == 0 {
		return nil
	}
	return &p.Cursors[len(p.Cursors)-1]
}

// StartCursor is the cursor of the first item, or nil for an empty page.
func (p *Page[T]) StartCursor() *string {
	if len(p.Cursors) == 0 {
		return nil
	}
	return &p.Cursors[0]
}
