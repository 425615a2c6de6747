package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// itemRoute sends an item to sale, auction or recycling, or to the store's default.
func (h *Handler) itemRoute(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	it, err := h.services.Sales.RouteItem(ctx, pathID(r), form.Route(r))
	if err != nil {
		h.itemFormError(w, r, err, "route")
		return
	}
	h.flash(ctx, "Routed to "+string(*it.Route)+".")
	h.done(w, r, Prefix+"/items/"+itoa(it.ID))
}

// itemFormError re-renders the item page with a form's errors; another store's item is not
// found. known are the form's inputs; the item's state errors (field "item") show at the top.
func (h *Handler) itemFormError(w http.ResponseWriter, r *http.Request, err error, known ...string) {
	h.formErrorWith(w, r, &page{Values: r.PostForm}, err, known, func(p *page) { h.renderItem(w, r, statusOfErr(err), p) })
}
