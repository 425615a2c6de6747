package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

type certificateData struct {
	Certificate *sc.Certificate
	// PDF is the signed download link of the certificate, VerifyURL its public verification.
	PDF, VerifyURL string
}

// certificateShow shows a certificate of the store, its download and, while valid, the form
// that voids it. Another store's certificate is not found.
func (h *Handler) certificateShow(w http.ResponseWriter, r *http.Request) {
	h.renderCertificate(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderCertificate(w http.ResponseWriter, r *http.Request, status int, p *page) {
	cs, err := h.services.Certificates.CertificatesByID(r.Context(), []int64{pathID(r)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if len(cs) == 0 || cs[0] == nil || cs[0].StoreID != account(r.Context()).StoreID {
		h.notFound(w, r)
		return
	}
	c := cs[0]
	d := certificateData{Certificate: c, PDF: h.services.Links.CertificatePDF(c.Serial), VerifyURL: h.services.Links.Verify(c.Serial, c.VerificationCode)}
	p.Title, p.Nav, p.Data = "Certificate "+c.Serial, "certificates", d
	h.render(w, r, status, "certificate", p)
}
