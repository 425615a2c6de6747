package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// auctionLotAdd adds a lot of the items ticked in the picker, each with its estimate.
func (h *Handler) auctionLotAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in, err := form.Lot(r)
	if err == nil {
		_, err = h.services.Auctions.AddLot(ctx, pathID(r), in)
	}
	if err != nil {
		known := []string{"number", "title", "description", "items", "startingBid.amount", "reserve.amount", "estimate.amount"}
		for _, id := range in.Items {
			known = append(known, "estimate."+itoa(id), "item."+itoa(id))
		}
		err = renameFields(err, func(f string) string { return form.LotFieldName(in, f) })
		h.auctionFormError(w, r, err, known...)
		return
	}
	h.flash(ctx, "Lot "+itoa(in.Number)+" added.")
	h.done(w, r, Prefix+"/auctions/"+itoa(pathID(r)))
}
