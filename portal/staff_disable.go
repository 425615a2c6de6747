package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// staffDisable disables an account of the store: it is logged out and cannot log in again.
func (h *Handler) staffDisable(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acc, err := h.services.Staff.DisableStaff(ctx, pathID(r))
	if err != nil {
		if sc.ErrorCode(err) == sc.ENOTFOUND {
			h.notFound(w, r)
			return
		}
		h.formErrorWith(w, r, &page{}, err, nil, func(p *page) { h.renderStaff(w, r, statusOfErr(err), p) })
		return
	}
	h.flash(ctx, acc.Name+" is disabled.")
	h.done(w, r, Prefix+"/staff")
}
