package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// itemTag downloads the item's price tag as a PDF for a 2.25 × 1.25 inch thermal label.
func (h *Handler) itemTag(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	b, err := h.services.PriceTags.PriceTagPDF(r.Context(), id, form.PriceTag(r.URL.Query()))
	if err != nil {
		if sc.ErrorCode(err) == sc.EINVALID {
			h.formErrorWith(w, r, &page{Values: r.URL.Query()}, renameFields(err, func(string) string { return "tagPrice" }),
				[]string{"tagPrice"}, func(p *page) { h.renderItem(w, r, http.StatusUnprocessableEntity, p) })
			return
		}
		h.serviceError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="tag-`+sc.ItemCode(id)+`.pdf"`)
	w.Write(b)
}
