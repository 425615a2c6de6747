package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type itemListData struct {
	Status   string
	Statuses []sc.ItemStatus
	Items    []*sc.ReturnedItem
	Next     string
	Total    int
}

// itemPageSize is how many items a page of the list shows.
const itemPageSize = 25

// itemList lists the store's items, of one status or all, oldest first, a page at a time.
func (h *Handler) itemList(w http.ResponseWriter, r *http.Request) {
	h.renderItemList(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderItemList(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	q := r.URL.Query()
	filter, err := form.ItemStatus(q)
	if err != nil {
		h.notFound(w, r)
		return
	}
	args := sc.PageArgs{First: ptr(itemPageSize)}
	if after := q.Get("after"); after != "" {
		args.After = &after
	}
	items, err := h.services.Sales.ListItems(ctx, filter, args)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	total, err := items.Count(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d := itemListData{Statuses: sc.ItemStatuses, Items: items.Items, Total: total}
	if filter != nil {
		d.Status = string(*filter)
	}
	if items.HasNextPage {
		next := url.Values{"after": {*items.EndCursor()}}
		if d.Status != "" {
			next.Set("status", d.Status)
		}
		d.Next = Prefix + "/items?" + next.Encode()
	}
	p.Title, p.Nav, p.Data, p.Values = "Items", "items", d, q
	h.render(w, r, status, "items", p)
}

// itemFind opens the item of a scanned or typed item code.
func (h *Handler) itemFind(w http.ResponseWriter, r *http.Request) {
	id, err := sc.ParseItemCode("code", r.URL.Query().Get("code"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	http.Redirect(w, r, Prefix+"/items/"+itoa(id), http.StatusSeeOther)
}
