package portal

import (
	"fmt"
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// blankIncrementRows are the empty rows the increment form adds below the table in force, for
// new steps.
const blankIncrementRows = 3

// settingsIncrementsPage shows the store's increment table in force, as a form whose saving
// adds the next version.
func (h *Handler) settingsIncrementsPage(w http.ResponseWriter, r *http.Request) {
	h.renderSettingsIncrements(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderSettingsIncrements(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	acc := account(ctx)
	steps, version, err := h.services.Auctions.IncrementTable(ctx, acc.StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	n := min(len(steps)+blankIncrementRows, form.MaxIncrementRows)
	if _, typed := p.Values["rows"]; typed {
		n = min(max(atoiOr(p.Values.Get("rows"), n), 0), form.MaxIncrementRows)
	}
	defaults := map[string]string{}
	for i, s := range steps {
		defaults[fmt.Sprintf("steps.%d.fromCents", i)] = sc.USD(s.FromCents).Amount()
		defaults[fmt.Sprintf("steps.%d.incrementCents", i)] = sc.USD(s.IncrementCents).Amount()
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	p.Title, p.Nav = "Bid increments", "settings"
	p.Data = settingsData{Tab: "increments", Manager: acc.Manager(), Defaults: defaults, Version: version, Steps: steps, Rows: rows}
	h.render(w, r, status, "settings_increments", p)
}

// settingsIncrementsSet adds a version of the store's increment table. Lots open already keep
// the version they opened with.
func (h *Handler) settingsIncrementsSet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, rows, err := form.IncrementTable(r)
	var version int
	if err == nil {
		version, err = h.services.Auctions.SetIncrementTable(ctx, t)
		err = renameFields(err, func(f string) string { return form.RowField("steps", f, rows) })
	}
	if err != nil {
		h.formErrorWith(w, r, &page{Values: r.PostForm}, err, form.IncrementFields(atoiOr(r.PostForm.Get("rows"), 0)), func(p *page) {
			h.renderSettingsIncrements(w, r, statusOfErr(err), p)
		})
		return
	}
	h.flash(ctx, fmt.Sprintf("Version %d of the increment table is in force for lots opened from now on; open lots keep theirs.", version))
	h.done(w, r, Prefix+"/settings/increments")
}
