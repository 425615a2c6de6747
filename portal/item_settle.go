package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// itemSettle settles the sold items ticked on the list as one settlement: their proceeds less
// the store's fees are allocated to the beneficiaries, and their certificate is due.
func (h *Handler) itemSettle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ids, err := form.Settle(r)
	if err == nil {
		var ledgers []*sc.ItemLedger
		if ledgers, _, err = h.services.Donations.SettleItems(ctx, ids); err == nil {
			var net int64
			for _, l := range ledgers {
				net += l.Donated.Cents + l.Pending.Cents
			}
			h.flash(ctx, fmt.Sprintf("Settled %d item(s): %s %s for charity.", len(ledgers), sc.USD(net).Amount(), sc.DefaultCurrency))
			h.done(w, r, Prefix+"/items?status="+string(sc.ItemSettled))
			return
		}
	}
	// Which item failed is said at the top: the list shows items, not inputs.
	h.formErrorWith(w, r, &page{}, err, nil, func(p *page) {
		r.URL.RawQuery = "status=" + string(sc.ItemSold)
		h.renderItemList(w, r, statusOfErr(err), p)
	})
}
