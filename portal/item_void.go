package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// itemVoid voids a mistaken sale of the item, with its reason; the item is listed again.
func (h *Handler) itemVoid(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sale, reason, err := form.Void(r)
	if err == nil {
		if _, err = h.services.Sales.VoidSale(ctx, sale, reason); err == nil {
			h.flash(ctx, "The sale is void; the item is listed again.")
			h.done(w, r, Prefix+"/items/"+itoa(pathID(r)))
			return
		}
	}
	h.itemFormError(w, r, err, "reason")
}
