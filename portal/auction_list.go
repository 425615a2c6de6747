package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type auctionListData struct {
	Auctions []*sc.Auction
	Next     string
	Total    int
	Kinds    []sc.AuctionKind
}

// auctionPageSize is how many auctions a page of the list shows.
const auctionPageSize = 25

// auctionList lists the store's auctions, newest first, with the form that creates one.
func (h *Handler) auctionList(w http.ResponseWriter, r *http.Request) {
	h.renderAuctionList(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderAuctionList(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	q := r.URL.Query()
	args := sc.PageArgs{First: ptr(auctionPageSize)}
	if after := q.Get("after"); after != "" {
		args.After = &after
	}
	list, err := h.services.Auctions.Auctions(ctx, nil, args)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	total, err := list.Count(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d := auctionListData{Auctions: list.Items, Total: total, Kinds: []sc.AuctionKind{sc.AuctionLive, sc.AuctionTimed}}
	if list.HasNextPage {
		d.Next = Prefix + "/auctions?" + url.Values{"after": {*list.EndCursor()}}.Encode()
	}
	if p.Values == nil {
		p.Values = q
	}
	p.Title, p.Nav, p.Data = "Auctions", "auctions", d
	h.render(w, r, status, "auctions", p)
}

// auctionCreate creates a DRAFT auction and opens its page, where lots are added.
func (h *Handler) auctionCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in, err := form.Auction(r)
	var au *sc.Auction
	if err == nil {
		au, err = h.services.Auctions.CreateAuction(ctx, in)
	}
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.AuctionFields, func(p *page) {
			h.renderAuctionList(w, r, statusOfErr(err), p)
		})
		return
	}
	h.flash(ctx, "Auction created. Add its lots, then schedule or open it.")
	h.done(w, r, Prefix+"/auctions/"+itoa(au.ID))
}
