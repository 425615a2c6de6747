package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// certificateVoid voids a certificate with its reason; the service issues its replacement
// when its items are still settled.
func (h *Handler) certificateVoid(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	voided, replacement, err := h.services.Certificates.VoidCertificate(ctx, pathID(r), form.VoidCertificate(r))
	if err != nil {
		if sc.ErrorCode(err) == sc.ENOTFOUND {
			h.notFound(w, r)
			return
		}
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, []string{"reason"}, func(p *page) { h.renderCertificate(w, r, statusOfErr(err), p) })
		return
	}
	msg := voided.Serial + " is void."
	if replacement != nil {
		msg += " It is replaced by " + replacement.Serial + "."
	}
	h.flash(ctx, msg)
	h.done(w, r, Prefix+"/certificates/"+itoa(voided.ID))
}
