package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// donationDisburse records that the store paid a charity everything pending for it, as
// GraphQL's disburseBeneficiary does. With nothing pending (paid from another tab or by
// another person meanwhile) nothing is recorded, and the page says so.
func (h *Handler) donationDisburse(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	amount, err := h.services.Donations.DisburseBeneficiary(ctx, id)
	if err != nil {
		h.formErrorWith(w, r, &page{}, err, nil, func(p *page) {
			if sc.ErrorCode(err) == sc.ENOTFOUND {
				h.notFound(w, r)
				return
			}
			h.renderDonations(w, r, statusOfErr(err), p)
		})
		return
	}
	name := "the charity"
	if bs, err := h.services.Donations.BeneficiariesByID(ctx, []int64{id}); err == nil && len(bs) == 1 && bs[0] != nil {
		name = bs[0].Name
	}
	if amount.Cents == 0 {
		h.flash(ctx, fmt.Sprintf("Nothing was pending for %s, so no disbursement was recorded.", name))
	} else {
		h.flash(ctx, fmt.Sprintf("Recorded a disbursement of %s %s to %s.", amount.Amount(), amount.Currency, name))
	}
	h.done(w, r, Prefix+"/donations")
}
