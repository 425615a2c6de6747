package portal

import (
	"context"
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// auctionStatus is the handler of a button that moves an auction on: schedule, open, cancel.
func (h *Handler) auctionStatus(change func(context.Context, int64) (*sc.Auction, error), done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		au, err := change(r.Context(), pathID(r))
		if err != nil {
			h.auctionFormError(w, r, err)
			return
		}
		h.flash(r.Context(), done)
		h.done(w, r, Prefix+"/auctions/"+itoa(au.ID))
	}
}
