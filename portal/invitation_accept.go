package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// setPassword is the data of the page that sets a password from an emailed link.
type setPassword struct {
	Intro, Action, Button, Email string
}

func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, err := h.services.Staff.Invitation(r.Context(), token)
	if err != nil {
		h.linkError(w, r, err, "invitation")
		return
	}
	h.render(w, r, http.StatusOK, "set_password", h.invitationForm(r, inv))
}

func (h *Handler) invitationForm(r *http.Request, inv *sc.StaffInvitation) *page {
	return &page{Title: "Welcome, " + inv.Name, Data: setPassword{
		Intro:  "You are invited to the staff of " + inv.StoreName + ". Choose a password to open your account.",
		Action: Prefix + "/invitation/" + r.PathValue("token"), Button: "Open my account", Email: inv.Email}}
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	inv, err := h.services.Staff.Invitation(ctx, token)
	if err != nil {
		h.linkError(w, r, err, "invitation")
		return
	}
	acc, err := h.services.Staff.AcceptInvitation(ctx, form.SetPassword(r, token))
	if err != nil {
		if sc.ErrorCode(err) == sc.EINVITATION {
			h.linkError(w, r, err, "invitation")
			return
		}
		h.formError(w, r, "set_password", h.invitationForm(r, inv), err, form.SetPasswordFields...)
		return
	}
	h.flash(ctx, "Your account is open. Log in with "+acc.Email+" and your new password.")
	h.done(w, r, Prefix+"/login")
}

// linkError is the page of an emailed link that does not work (any more).
func (h *Handler) linkError(w http.ResponseWriter, r *http.Request, err error, what string) {
	if sc.ErrorCode(err) != sc.EINVITATION {
		h.internalError(w, r, err)
		return
	}
	text := "This invitation link is unknown, was used already or has expired. Ask your store manager to invite you again."
	link, linkText := Prefix+"/login", "Log in"
	if what == "reset" {
		text = "This password reset link is unknown, was used already or has expired. Ask for a new one."
		link, linkText = Prefix+"/password-reset", "Ask for a new link"
	}
	h.render(w, r, http.StatusGone, "message", &page{Title: "This link does not work",
		Data: message{Text: text, Code: sc.EINVITATION, Link: link, LinkText: linkText}})
}
