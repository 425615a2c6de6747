package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
)

type donationsData struct {
	Balances []*sc.BeneficiaryBalance
	// Pending and Disbursed are the sums of the balances: the store's allocated ledger.
	Pending, Disbursed sc.Money
	Disbursements      []*sc.Disbursement
	Next               string
	First              bool
}

// disbursementPageSize is how many past disbursements a page of the history shows.
const disbursementPageSize = 25

// donationList shows what the store owes each charity it allocated donations to, with the
// form that records paying it, and the disbursements recorded so far, newest first.
func (h *Handler) donationList(w http.ResponseWriter, r *http.Request) {
	h.renderDonations(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderDonations(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	all, err := h.services.Donations.BeneficiaryBalances(ctx, account(ctx).StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	// The page lists the charities the store has given to; the others are on the settings page.
	var balances []*sc.BeneficiaryBalance
	for _, b := range all {
		if b.Pending.Cents != 0 || b.Disbursed.Cents != 0 {
			balances = append(balances, b)
		}
	}
	d := donationsData{Balances: balances, Pending: sc.USD(0), Disbursed: sc.USD(0)}
	for _, b := range balances {
		d.Pending.Cents += b.Pending.Cents
		d.Disbursed.Cents += b.Disbursed.Cents
	}
	args := sc.PageArgs{First: ptr(disbursementPageSize)}
	if after := r.URL.Query().Get("after"); after != "" {
		args.After = &after
	}
	d.First = args.After == nil
	history, err := h.services.Donations.ListDisbursements(ctx, args)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d.Disbursements = history.Items
	if history.HasNextPage {
		d.Next = Prefix + "/donations?" + url.Values{"after": {*history.EndCursor()}}.Encode() + "#history-h"
	}
	p.Title, p.Nav, p.Data = "Donations", "donations", d
	h.render(w, r, status, "donations", p)
}
