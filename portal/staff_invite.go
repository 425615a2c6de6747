package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// staffInvite invites a person to the manager's store; the service emails the link.
func (h *Handler) staffInvite(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inv, err := h.services.Staff.InviteStaff(ctx, form.Invite(r))
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.InviteFields, func(p *page) {
			h.renderStaff(w, r, statusOfErr(err), p)
		})
		return
	}
	h.flash(ctx, "Invitation emailed to "+inv.Email+"; its link works for 72 hours.")
	h.done(w, r, Prefix+"/staff")
}
