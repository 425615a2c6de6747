package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// parcelMatch matches an unmatched parcel to the authorisation staff found for it.
func (h *Handler) parcelMatch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	in, rows, err := form.Match(r, id)
	if err == nil {
		if _, err = h.services.Matcher.MatchParcel(ctx, in); err == nil {
			h.flash(ctx, "The parcel is matched to "+in.RMACode+".")
			h.done(w, r, fmt.Sprintf("%s/parcels/%d", Prefix, id))
			return
		}
		err = renameFields(err, func(f string) string { return form.RowField("lines", f, rows) })
	}
	if sc.ErrorCode(err) == sc.ENOTFOUND && sc.AsErrors(err)[0].Field == "parcel" {
		h.notFound(w, r)
		return
	}
	known := []string{"rmaCode"}
	for i := range min(max(atoiOr(r.PostForm.Get("rows"), 0), 0), form.MaxParcelRows) {
		known = append(known, fmt.Sprintf("lines.%d.rmaLine", i), fmt.Sprintf("lines.%d.item", i))
	}
	h.formErrorWith(w, r, &page{Values: r.PostForm}, err, known, func(p *page) {
		h.renderParcel(w, r, statusOf(sc.ErrorCode(err)), p)
	})
}
