package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// certificateIssue issues the certificates of the store's settled items that have none yet,
// as the minute job does, for staff who would rather not wait for it.
func (h *Handler) certificateIssue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	res, err := h.services.Certificates.IssueCertificates(ctx, sc.IssueRequest{Kind: sc.CertificateSettlement}, nil)
	if err != nil {
		h.formErrorWith(w, r, &page{}, err, nil, func(p *page) { h.renderCertificateList(w, r, statusOfErr(err), p) })
		return
	}
	h.flash(ctx, fmt.Sprintf("Issued %d certificate(s) for %d item(s).", len(res.Serials), res.Items))
	h.done(w, r, Prefix+"/certificates")
}
