package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// itemSale records a direct sale of a listed item.
func (h *Handler) itemSale(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s, err := h.services.Sales.RecordSale(ctx, form.Sale(r, pathID(r)))
	if err != nil {
		h.itemFormError(w, r, err, form.SaleFields...)
		return
	}
	h.flash(ctx, "Sold for "+s.Price().Amount()+" "+s.Currency+".")
	h.done(w, r, Prefix+"/items/"+itoa(s.ItemID))
}
