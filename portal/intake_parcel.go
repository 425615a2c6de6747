package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
)

type parcelData struct {
	Parcel *sc.Parcel
	RMA    *sc.ReturnAuthorization
	Items  []*sc.ReturnedItem
	// Photos are each item's photos, in the order of Items.
	Photos        [][]*sc.ItemPhoto
	Discrepancies []*sc.Discrepancy
	Candidates    []*sc.ReturnAuthorization
}

// parcelPage shows a parcel of the store: its items, its discrepancies and, while unmatched,
// the form that matches it. Another store's parcel is not found.
func (h *Handler) parcelPage(w http.ResponseWriter, r *http.Request) {
	h.renderParcel(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderParcel(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	id := pathID(r)
	ps, err := h.services.Intake.ParcelsByID(ctx, []int64{id})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if len(ps) == 0 || ps[0] == nil {
		h.notFound(w, r)
		return
	}
	d := parcelData{Parcel: ps[0]}
	items, err := h.services.Intake.ParcelItems(ctx, []int64{id})
	if err == nil {
		d.Items = items[0]
		var ds [][]*sc.Discrepancy
		if ds, err = h.services.Intake.ParcelDiscrepancies(ctx, []int64{id}); err == nil {
			d.Discrepancies = ds[0]
		}
	}
	if err == nil && len(d.Items) > 0 {
		ids := make([]int64, len(d.Items))
		for i, it := range d.Items {
			ids[i] = it.ID
		}
		d.Photos, err = h.services.Photos.ItemPhotos(ctx, ids)
	}
	if err == nil && d.Parcel.RMAID != nil {
		var rmas []*sc.ReturnAuthorization
		if rmas, err = h.services.Returns.RMAsByID(ctx, []int64{*d.Parcel.RMAID}); err == nil && len(rmas) == 1 {
			d.RMA = rmas[0]
		}
	}
	if err == nil && d.Parcel.RMAID == nil {
		var cs [][]*sc.ReturnAuthorization
		if cs, err = h.services.Intake.ParcelCandidates(ctx, []int64{id}); err == nil {
			d.Candidates = cs[0]
		}
	}
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if p.Values == nil {
		p.Values = url.Values{}
		if len(d.Candidates) == 1 {
			p.Values.Set("rmaCode", d.Candidates[0].Code)
		}
	}
	p.Title, p.Nav, p.Data = "Parcel "+itoa(id), "intake", d
	h.render(w, r, status, "parcel", p)
}
