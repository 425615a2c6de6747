package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
)

type certificateListData struct {
	Certificates []*sc.Certificate
	Next         string
}

// certificateList lists the store's donation certificates, newest first.
func (h *Handler) certificateList(w http.ResponseWriter, r *http.Request) {
	h.renderCertificateList(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderCertificateList(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	args := sc.PageArgs{First: ptr(itemPageSize)}
	if after := r.URL.Query().Get("after"); after != "" {
		args.After = &after
	}
	cs, err := h.services.Certificates.Certificates(ctx, sc.CertificateFilter{}, args)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d := certificateListData{Certificates: cs.Items}
	if cs.HasNextPage {
		d.Next = Prefix + "/certificates?" + url.Values{"after": {*cs.EndCursor()}}.Encode()
	}
	p.Title, p.Nav, p.Data = "Certificates", "certificates", d
	h.render(w, r, status, "certificates", p)
}
