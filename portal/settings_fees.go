package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type settingsData struct {
	// Tab is the settings page shown: fees, routing or increments.
	Tab string
	// Manager is whether the forms are shown: a staff member sees the settings only, and the
	// services refuse their changes.
	Manager bool
	// Defaults are the values of the inputs when nothing was typed: the settings in force.
	Defaults map[string]string

	Donations     *sc.StoreDonationSettings
	Beneficiaries []*sc.BeneficiaryBalance
	Rules         []*sc.RoutingRule
	Version       int
	Steps         sc.IncrementTable
	// Rows are the form rows of the increment table.
	Rows []int
}

// settingsFeesPage shows the store's fee schedule, default beneficiary and EIN, and each
// beneficiary's money from the store.
func (h *Handler) settingsFeesPage(w http.ResponseWriter, r *http.Request) {
	h.renderSettingsFees(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderSettingsFees(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	acc := account(ctx)
	d, err := h.services.Donations.StoreDonations(ctx, acc.StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	bs, err := h.services.Donations.BeneficiaryBalances(ctx, acc.StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	defaults := form.FeeValues(d.Fees)
	defaults["ein"] = d.EIN
	if d.DefaultBeneficiary != nil {
		defaults["beneficiary"] = itoa(*d.DefaultBeneficiary)
	}
	p.Title, p.Nav = "Fees and beneficiaries", "settings"
	p.Data = settingsData{Tab: "fees", Manager: acc.Manager(), Defaults: defaults, Donations: d, Beneficiaries: bs}
	h.render(w, r, status, "settings_fees", p)
}

// settingsFees saves the store's fee schedule, default beneficiary and EIN, which the next
// settlements use.
func (h *Handler) settingsFees(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fees, beneficiary, ein, err := form.Fees(r)
	if err == nil {
		err = h.services.Donations.SetStoreDonations(ctx, account(ctx).StoreCode, fees, beneficiary, ein)
	}
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.FeesFields, func(p *page) {
			h.renderSettingsFees(w, r, statusOfErr(err), p)
		})
		return
	}
	h.flash(ctx, "Saved: items settled from now on are charged these fees, and their net goes to the chosen beneficiary unless the seller chose others.")
	h.done(w, r, Prefix+"/settings")
}
