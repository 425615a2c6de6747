package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

type itemData struct {
	Item     *sc.ReturnedItem
	Sale     *sc.Sale
	Timeline []*sc.ItemEvent
	Photos   []*sc.ItemPhoto
	// MaxPhotos is how many photos an item may have.
	MaxPhotos int
	// What can be done with the item now, by the lifecycle's table.
	CanRoute, CanSell, CanVoid bool
}

// itemPage shows an item of the store with what can be done with it; another store's item is
// not found.
func (h *Handler) itemPage(w http.ResponseWriter, r *http.Request) {
	h.renderItem(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderItem(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	id := pathID(r)
	items, err := h.services.Sales.ItemsByID(ctx, []int64{id})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if len(items) == 0 || items[0] == nil {
		h.notFound(w, r)
		return
	}
	d := itemData{Item: items[0], MaxPhotos: sc.MaxItemPhotos}
	sales, err := h.services.Sales.SalesByItem(ctx, []int64{id})
	if err == nil {
		d.Sale = sales[0]
		var tl [][]*sc.ItemEvent
		if tl, err = h.services.Sales.ItemTimelines(ctx, []int64{id}); err == nil {
			d.Timeline = tl[0]
		}
	}
	if err == nil {
		var ps [][]*sc.ItemPhoto
		if ps, err = h.services.Photos.ItemPhotos(ctx, []int64{id}); err == nil {
			d.Photos = ps[0]
		}
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	can := func(a sc.ItemAction) bool {
		for _, s := range a.From() {
			if s == d.Item.Status {
				return true
			}
		}
		return false
	}
	d.CanRoute = can(sc.ItemRoute)
	d.CanSell = can(sc.ItemSell) && d.Item.Route != nil && *d.Item.Route == sc.RouteSale
	d.CanVoid = can(sc.ItemVoidSale) && d.Sale != nil
	p.Title, p.Nav, p.Data = d.Item.Description, "items", d
	h.render(w, r, status, "item", p)
}
