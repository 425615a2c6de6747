package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// lotPayment records the winner's payment; the lot's page then links its receipt.
func (h *Handler) lotPayment(w http.ResponseWriter, r *http.Request) {
	l, err := h.services.Auctions.RecordLotPayment(r.Context(), form.Payment(r, pathID(r)))
	if err != nil {
		h.lotFormError(w, r, err, form.PaymentFields...)
		return
	}
	h.flash(r.Context(), "Payment recorded; the buyer's receipt is ready.")
	h.done(w, r, Prefix+"/lots/"+itoa(l.ID))
}

// lotUnpaid marks a won lot unpaid after the store's payment window.
func (h *Handler) lotUnpaid(w http.ResponseWriter, r *http.Request) {
	l, err := h.services.Auctions.MarkLotUnpaid(r.Context(), pathID(r))
	if err != nil {
		h.lotFormError(w, r, err)
		return
	}
	h.flash(r.Context(), "Marked unpaid: the winner has a strike. Make a second-chance offer or relist the lot.")
	h.done(w, r, Prefix+"/lots/"+itoa(l.ID))
}

// lotOffer makes a second-chance offer to a bidder of an unpaid lot.
func (h *Handler) lotOffer(w http.ResponseWriter, r *http.Request) {
	in, err := form.Offer(r, pathID(r))
	var o *sc.SecondChanceOffer
	if err == nil {
		o, err = h.services.Auctions.MakeSecondChanceOffer(r.Context(), in)
	}
	if err != nil {
		h.lotFormError(w, r, err, "bidder", "days")
		return
	}
	h.flash(r.Context(), "Offer made at "+o.Price().Amount()+" "+o.Currency+".")
	h.done(w, r, Prefix+"/lots/"+itoa(o.LotID))
}

// offerDecide records a bidder's answer to a second-chance offer.
func (h *Handler) offerDecide(w http.ResponseWriter, r *http.Request) {
	accept := r.PostForm.Get("accept") == "true"
	o, err := h.services.Auctions.DecideSecondChanceOffer(r.Context(), pathID(r), accept)
	if err != nil {
		// The offer's lot is where the form was; without it there is no page to go back to.
		lot, _ := form.ID(r, "lot")
		r.SetPathValue("id", itoa(lot))
		h.lotFormError(w, r, err)
		return
	}
	if accept {
		h.flash(r.Context(), "Offer accepted: record the payment.")
	} else {
		h.flash(r.Context(), "Offer declined.")
	}
	h.done(w, r, Prefix+"/lots/"+itoa(o.LotID))
}

// lotRelist puts an unsold or unpaid lot's items into another auction as a new lot.
func (h *Handler) lotRelist(w http.ResponseWriter, r *http.Request) {
	auction, number, err := form.Relist(r)
	var l *sc.Lot
	if err == nil {
		l, err = h.services.Auctions.RelistLot(r.Context(), pathID(r), auction, number)
	}
	if err != nil {
		h.lotFormError(w, r, err, "auction", "number")
		return
	}
	h.flash(r.Context(), "Relisted as lot "+itoa(l.Number)+".")
	h.done(w, r, Prefix+"/lots/"+itoa(l.ID))
}
