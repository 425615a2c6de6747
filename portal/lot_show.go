package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

type lotData struct {
	Lot     *sc.Lot
	Auction *sc.Auction
	Items   []*sc.ReturnedItem
	Bids    []*sc.Bid
	Events  []*sc.LotEvent
	Offers  []offerRow
	// Bidders names the lot's bidders by ID; OfferTo are those who bid and did not win.
	Bidders    map[int64]*sc.Bidder
	OfferTo    []*sc.Bidder
	ReceiptURL string
	// Auctions a relisted lot may go to: the store's DRAFT and SCHEDULED ones.
	Auctions []*sc.Auction
	// What can be done with the lot now.
	CanPay, CanMarkUnpaid, CanOffer, CanRelist bool
}

type offerRow struct {
	Offer  *sc.SecondChanceOffer
	Bidder *sc.Bidder
}

// lotEventsShown bounds the events a lot page lists; the clerking screen streams them all.
const lotEventsShown = 500

// lot loads a lot of the staff's store; nil (after a 404 page) when there is none.
func (h *Handler) lot(w http.ResponseWriter, r *http.Request, id int64) *sc.Lot {
	ls, err := h.services.Auctions.LotsByID(r.Context(), []int64{id})
	if err != nil {
		h.serviceError(w, r, err)
		return nil
	}
	if len(ls) == 0 || ls[0] == nil {
		h.notFound(w, r)
		return nil
	}
	return ls[0]
}

// lotPage shows a lot with its items, bids and events, and what can be done with it after
// the sale: payment and receipt, unpaid, second-chance offers, relisting.
func (h *Handler) lotPage(w http.ResponseWriter, r *http.Request) {
	h.renderLot(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderLot(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	l := h.lot(w, r, pathID(r))
	if l == nil {
		return
	}
	au := h.auction(w, r, l.AuctionID)
	if au == nil {
		return
	}
	d := lotData{Lot: l, Auction: au, Bidders: map[int64]*sc.Bidder{}}
	fail := func(err error) bool {
		if err != nil {
			h.serviceError(w, r, err)
		}
		return err != nil
	}
	items, err := h.services.Auctions.LotItems(ctx, []int64{l.ID})
	if fail(err) {
		return
	}
	bids, err := h.services.Auctions.Bids(ctx, []int64{l.ID})
	if fail(err) {
		return
	}
	d.Items, d.Bids = items[0], bids[0]
	if d.Events, err = h.services.Auctions.LotEvents(ctx, l.ID, 0, lotEventsShown); fail(err) {
		return
	}
	offers, err := h.services.Auctions.Offers(ctx, []int64{l.ID})
	if fail(err) {
		return
	}
	var ids []int64
	for _, b := range d.Bids {
		ids = append(ids, b.BidderID)
	}
	for _, o := range offers[0] {
		ids = append(ids, o.BidderID)
	}
	bidders, err := h.services.Auctions.BiddersByID(ctx, ids)
	if fail(err) {
		return
	}
	for _, b := range bidders {
		if b != nil {
			d.Bidders[b.ID] = b
		}
	}
	for _, o := range offers[0] {
		d.Offers = append(d.Offers, offerRow{Offer: o, Bidder: d.Bidders[o.BidderID]})
	}
	seen := map[int64]bool{}
	for _, b := range d.Bids {
		if b.RetractedAt == nil && !seen[b.BidderID] && (l.WinnerBidderID == nil || *l.WinnerBidderID != b.BidderID) && d.Bidders[b.BidderID] != nil {
			seen[b.BidderID] = true
			d.OfferTo = append(d.OfferTo, d.Bidders[b.BidderID])
		}
	}
	d.CanPay, d.CanMarkUnpaid = l.Payable(), l.Payable()
	d.CanOffer = l.Offerable() && len(d.OfferTo) > 0
	d.CanRelist = l.Relistable()
	if l.Status == sc.LotPaid {
		d.ReceiptURL = h.services.Links.LotReceiptPDF(l.ID)
	}
	if d.CanRelist {
		for _, st := range []sc.AuctionStatus{sc.AuctionDraft, sc.AuctionScheduled} {
			list, err := h.services.Auctions.Auctions(ctx, &st, sc.PageArgs{First: ptr(auctionListMax)})
			if fail(err) {
				return
			}
			d.Auctions = append(d.Auctions, list.Items...)
		}
	}
	p.Title, p.Nav, p.Data = "Lot "+itoa(l.Number)+": "+l.Title, "auctions", d
	h.render(w, r, status, "lot", p)
}

// lotFormError re-renders the lot page with a form's errors.
func (h *Handler) lotFormError(w http.ResponseWriter, r *http.Request, err error, known ...string) {
	h.formErrorWith(w, r, &page{Values: r.PostForm}, err, known, func(p *page) { h.renderLot(w, r, statusOfErr(err), p) })
}
