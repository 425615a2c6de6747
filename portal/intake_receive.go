package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// intakeReceive logs the parcel: the discrepancies with its authorisation are the service's
// to find, and the parcel's page shows them.
func (h *Handler) intakeReceive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in, rows, err := form.Parcel(r)
	if err == nil {
		var p *sc.Parcel
		if p, err = h.services.Intake.ReceiveParcel(ctx, in); err == nil {
			h.flash(ctx, fmt.Sprintf("Parcel received with %d item(s).", len(p.Logged)))
			h.done(w, r, fmt.Sprintf("%s/parcels/%d", Prefix, p.ID))
			return
		}
		err = renameFields(err, func(f string) string { return form.RowField("items", f, rows) })
	}
	// The form is shown again as it was posted; the lines' labels come with it.
	d := receiveData{Tracking: r.PostForm.Get("trackingNumber")}
	if code := r.PostForm.Get("rmaCode"); code != "" {
		d.RMA = &sc.ReturnAuthorization{Code: code}
	}
	p := &page{Values: r.PostForm}
	h.formErrorWith(w, r, p, err, form.ParcelFields(atoiOr(r.PostForm.Get("rows"), 0)), func(p *page) {
		h.renderReceive(w, r, statusOf(sc.ErrorCode(err)), p, d)
	})
}
