package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type bidderListData struct {
	Bidders []*sc.Bidder
	Next    string
	Total   int
}

// bidderList lists the store's bidders with the form that registers one.
func (h *Handler) bidderList(w http.ResponseWriter, r *http.Request) {
	h.renderBidderList(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderBidderList(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	args := sc.PageArgs{First: ptr(auctionPageSize)}
	if after := r.URL.Query().Get("after"); after != "" {
		args.After = &after
	}
	list, err := h.services.Auctions.Bidders(ctx, args)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	total, err := list.Count(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d := bidderListData{Bidders: list.Items, Total: total}
	if list.HasNextPage {
		d.Next = Prefix + "/bidders?" + url.Values{"after": {*list.EndCursor()}}.Encode()
	}
	p.Title, p.Nav, p.Data = "Bidders", "auctions", d
	h.render(w, r, status, "bidders", p)
}

// bidderRegister registers a bidder with the store; from an auction's page it also gives the
// bidder a paddle there.
func (h *Handler) bidderRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := h.services.Auctions.RegisterBidder(ctx, form.Bidder(r))
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.BidderFields, func(p *page) { h.renderBidderList(w, r, statusOfErr(err), p) })
		return
	}
	h.flash(ctx, "Registered "+b.Name+".")
	h.done(w, r, Prefix+"/bidders")
}

// bidderBlock blocks a bidder, with a reason, or unblocks one.
func (h *Handler) bidderBlock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	blocked, reason := form.Block(r)
	b, err := h.services.Auctions.SetBidderBlocked(ctx, pathID(r), blocked, reason)
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, []string{"reason"}, func(p *page) { h.renderBidderList(w, r, statusOfErr(err), p) })
		return
	}
	if b.Blocked() {
		h.flash(ctx, b.Name+" is blocked.")
	} else {
		h.flash(ctx, b.Name+" may bid again.")
	}
	h.done(w, r, Prefix+"/bidders")
}

// auctionPaddle gives a bidder the auction's next paddle number.
func (h *Handler) auctionPaddle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	bidder, err := form.ID(r, "bidder")
	var p *sc.Paddle
	if err == nil {
		p, err = h.services.Auctions.AssignPaddle(ctx, pathID(r), bidder)
	}
	if err != nil {
		h.auctionFormError(w, r, err, "bidder")
		return
	}
	h.flash(ctx, "Paddle "+itoa(p.Number)+" assigned.")
	h.done(w, r, Prefix+"/auctions/"+itoa(pathID(r))+"#bidders-h")
}
