package portal

import (
	"net/http"

	"github.com/secondchance/secondchance/portal/form"
)

// settingsRoutingPage lists the store's routing rules, with a form to set one.
func (h *Handler) settingsRoutingPage(w http.ResponseWriter, r *http.Request) {
	h.renderSettingsRouting(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderSettingsRouting(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	acc := account(ctx)
	rules, err := h.services.Sales.RoutingRules(ctx, acc.StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p.Title, p.Nav = "Routing rules", "settings"
	p.Data = settingsData{Tab: "routing", Manager: acc.Manager(), Rules: rules}
	h.render(w, r, status, "settings_routing", p)
}

// settingsRoutingSet sets one routing rule of the store, or removes it when no route is sent.
func (h *Handler) settingsRoutingSet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := form.RoutingRule(r)
	if _, err := h.services.Sales.SetRoutingRule(ctx, in); err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.RoutingRuleFields, func(p *page) {
			h.renderSettingsRouting(w, r, statusOfErr(err), p)
		})
		return
	}
	if in.Route == nil {
		h.flash(ctx, "The rule is removed: those items take the default route of their grade.")
	} else {
		h.flash(ctx, "The rule is saved: items routed without a choice follow it.")
	}
	h.done(w, r, Prefix+"/settings/routing")
}
