package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

type staffData struct {
	Accounts    []*sc.StaffAccount
	Invitations []*sc.StaffInvitation
}

// staffList is the store manager's page of the store's staff and pending invitations.
func (h *Handler) staffList(w http.ResponseWriter, r *http.Request) {
	h.renderStaff(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderStaff(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	accounts, err := h.services.Staff.ListStaff(ctx, sc.PageArgs{First: ptr(sc.MaxPageSize)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	invitations, err := h.services.Staff.PendingInvitations(ctx)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p.Title, p.Nav, p.Data = "Staff", "staff", staffData{Accounts: accounts.Items, Invitations: invitations}
	h.render(w, r, status, "staff", p)
}
