package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type clerkData struct {
	Auction *sc.Auction
	// Lot is the lot on the block: the open one, else the last one ended; nil before the first.
	Lot *sc.Lot
	// Next is the next PENDING lot, which "open the next lot" opens.
	Next    *sc.Lot
	Bids    []*sc.Bid
	LastBid int64 // the latest bid not retracted: what "undo" retracts
	Lots    int
	Done    int
}

// auctionClerk is the clerking screen of a LIVE auction: the lot on the block, the ask, the
// leader and the reserve, a paddle and an amount to log bids with, and the lot's controls.
// Its script keeps it live from the lot's events; without it, every action reloads it.
func (h *Handler) auctionClerk(w http.ResponseWriter, r *http.Request) {
	h.renderClerk(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderClerk(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	au := h.auction(w, r, pathID(r))
	if au == nil {
		return
	}
	if au.Kind != sc.AuctionLive {
		h.notFound(w, r)
		return
	}
	lots, err := h.services.Auctions.Lots(ctx, au.ID, sc.PageArgs{First: ptr(auctionListMax)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d := clerkData{Auction: au, Lots: len(lots.Items)}
	var last *sc.Lot
	for _, l := range lots.Items {
		switch {
		case l.Status == sc.LotOpen:
			d.Lot = l
		case l.Status == sc.LotPending:
			if d.Next == nil {
				d.Next = l
			}
		default:
			d.Done++
			if last == nil || l.ClosedAt != nil && last.ClosedAt != nil && l.ClosedAt.After(*last.ClosedAt) {
				last = l
			}
		}
	}
	if d.Lot == nil {
		d.Lot = last
	}
	if d.Lot != nil {
		bids, err := h.services.Auctions.Bids(ctx, []int64{d.Lot.ID})
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		d.Bids = bids[0]
		for _, b := range d.Bids {
			if b.RetractedAt == nil {
				d.LastBid = b.ID
			}
		}
	}
	p.Title, p.Nav, p.Data, p.Scripts = "Clerking: "+au.Title, "auctions", d, []string{"clerk.js"}
	h.render(w, r, status, "clerk", p)
}

// clerkURL is the clerking screen of the auction a lot is in.
func clerkURL(l *sc.Lot) string { return Prefix + "/auctions/" + itoa(l.AuctionID) + "/clerk" }

// wantsJSON tells the clerking script's requests from a browser's plain form posts.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// bidAnswer is the script's answer to a bid: the bid, or the errors beside the fields.
type bidAnswer struct {
	OK       bool        `json:"ok"`
	Replayed bool        `json:"replayed,omitempty"`
	Seq      int64       `json:"seq,omitempty"`
	Errors   []*sc.Error `json:"errors,omitempty"`
}

// lotBid logs a clerk's bid. It is not behind the one-time form key: the bid's idempotency
// key (the script's per bid, or the form's one-time key without it) makes a repeat the same
// bid, as the API does.
func (h *Handler) lotBid(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lot := pathID(r)
	in, err := form.Bid(r, lot)
	var res *sc.BidResult
	if err == nil {
		res, err = h.services.Auctions.PlaceBid(ctx, in)
	}
	// A bid below the minimum is the amount's, whose input is amount.amount.
	err = renameFields(err, func(f string) string {
		if f == "amount" {
			return "amount.amount"
		}
		return f
	})
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		a := bidAnswer{OK: err == nil}
		status := http.StatusOK
		if err != nil {
			if a.Errors = sc.AsErrors(err); len(a.Errors) == 0 || sc.ErrorCode(err) == sc.EINTERNAL {
				h.internalError(w, r, err)
				return
			}
			status = statusOfErr(err)
		} else {
			a.Replayed, a.Seq = res.Replayed, res.Bid.Seq
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(a)
		return
	}
	if err != nil {
		h.clerkFormError(w, r, lot, err, form.BidFields...)
		return
	}
	http.Redirect(w, r, clerkURL(res.Lot), http.StatusSeeOther)
}

// clerkFormError re-renders the clerking screen of a lot's auction with a form's errors.
func (h *Handler) clerkFormError(w http.ResponseWriter, r *http.Request, lot int64, err error, known ...string) {
	ls, lerr := h.services.Auctions.LotsByID(r.Context(), []int64{lot})
	if lerr != nil || len(ls) == 0 || ls[0] == nil {
		h.notFound(w, r)
		return
	}
	r.SetPathValue("id", itoa(ls[0].AuctionID))
	h.formErrorWith(w, r, &page{Values: r.PostForm}, err, known, func(p *page) { h.renderClerk(w, r, statusOfErr(err), p) })
}

// lotAction is a clerk's button on a lot of a LIVE auction: open it, hammer it, pass it.
func (h *Handler) lotAction(act func(context.Context, int64) (*sc.Lot, error), done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, err := act(r.Context(), pathID(r))
		if err != nil {
			h.clerkFormError(w, r, pathID(r), err)
			return
		}
		h.flash(r.Context(), strings.ReplaceAll(done, "%n", itoa(l.Number)))
		h.done(w, r, clerkURL(l))
	}
}

// lotUndo retracts the lot's latest bid, the one the screen shows last (the form names it, so
// a bid that arrived meanwhile from another clerk is never the one undone unseen).
func (h *Handler) lotUndo(w http.ResponseWriter, r *http.Request) {
	bid, err := form.ID(r, "bid")
	var l *sc.Lot
	if err == nil {
		l, err = h.services.Auctions.RetractBid(r.Context(), bid, "undone by the clerk")
	}
	if err != nil {
		h.clerkFormError(w, r, pathID(r), err)
		return
	}
	h.flash(r.Context(), "The last bid was undone.")
	h.done(w, r, clerkURL(l))
}
