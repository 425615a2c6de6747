package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

type auctionData struct {
	Auction *sc.Auction
	Lots    []*sc.Lot
	// Items are what a new lot can take; Bidders the store's, each with its paddle here.
	Items      []*sc.ReturnedItem
	Bidders    []bidderRow
	Results    *sc.AuctionResults
	NextNumber int
	// What can be done with the auction now.
	CanAddLots, CanSchedule, CanOpen, CanCancel, Live bool
}

type bidderRow struct {
	Bidder *sc.Bidder
	Paddle *sc.Paddle
}

// auctionListMax bounds the lots, items and bidders one auction page shows; a charity's
// auction stays far below it.
const auctionListMax = 100

// auction loads an auction of the staff's store by the path's ID; nil (after a 404 page)
// when there is none, another store's included.
func (h *Handler) auction(w http.ResponseWriter, r *http.Request, id int64) *sc.Auction {
	as, err := h.services.Auctions.AuctionsByID(r.Context(), []int64{id})
	if err != nil {
		h.serviceError(w, r, err)
		return nil
	}
	if len(as) == 0 || as[0] == nil {
		h.notFound(w, r)
		return nil
	}
	return as[0]
}

// auctionPage shows an auction: its lots, the form that adds one, its bidders and paddles,
// and its results.
func (h *Handler) auctionPage(w http.ResponseWriter, r *http.Request) {
	h.renderAuction(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderAuction(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	au := h.auction(w, r, pathID(r))
	if au == nil {
		return
	}
	d := auctionData{Auction: au, Live: au.Kind == sc.AuctionLive}
	lots, err := h.services.Auctions.Lots(ctx, au.ID, sc.PageArgs{First: ptr(auctionListMax)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d.Lots = lots.Items
	d.NextNumber = 1
	for _, l := range d.Lots {
		d.NextNumber = max(d.NextNumber, l.Number+1)
	}
	d.CanAddLots, d.CanSchedule, d.CanOpen, d.CanCancel = au.TakesLots(), au.Schedulable(), au.Openable(), au.Cancellable()
	if d.CanAddLots {
		items, err := h.services.Auctions.AuctionableItems(ctx, sc.PageArgs{First: ptr(auctionListMax)})
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		d.Items = items.Items
	}
	bidders, err := h.services.Auctions.Bidders(ctx, sc.PageArgs{First: ptr(auctionListMax)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	ids := make([]int64, len(bidders.Items))
	for i, b := range bidders.Items {
		ids[i] = b.ID
	}
	paddles, err := h.services.Auctions.PaddlesOf(ctx, au.ID, ids)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	for i, b := range bidders.Items {
		d.Bidders = append(d.Bidders, bidderRow{Bidder: b, Paddle: paddles[i]})
	}
	if d.Results, err = h.services.Auctions.Results(ctx, au.ID); err != nil {
		h.serviceError(w, r, err)
		return
	}
	p.Title, p.Nav, p.Data = au.Title, "auctions", d
	h.render(w, r, status, "auction", p)
}

// auctionFormError re-renders the auction page with a form's errors.
func (h *Handler) auctionFormError(w http.ResponseWriter, r *http.Request, err error, known ...string) {
	h.formErrorWith(w, r, &page{Values: r.PostForm}, err, known, func(p *page) { h.renderAuction(w, r, statusOfErr(err), p) })
}
