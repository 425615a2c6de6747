package portal

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

func (h *Handler) passwordResetRequestPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "password_reset_request", &page{Title: "Reset your password"})
}

// requestPasswordReset answers the same whether or not the address has an account.
func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := form.PasswordResetRequest(r)
	if err := h.services.Staff.RequestPasswordReset(ctx, email); err != nil {
		h.formError(w, r, "password_reset_request", &page{Title: "Reset your password"}, err, "email")
		return
	}
	h.flash(ctx, "If "+sc.NormalizeEmail(email)+" has an account, a link to choose a new password is on its way; it works for 2 hours.")
	h.done(w, r, Prefix+"/login")
}

func (h *Handler) resetForm(r *http.Request, acc *sc.StaffAccount) *page {
	return &page{Title: "Choose a new password", Data: setPassword{
		Intro:  "Choose a new password for your account at " + acc.StoreName + ". You will be logged out everywhere else.",
		Action: Prefix + "/password-reset/" + r.PathValue("token"), Button: "Set the new password", Email: acc.Email}}
}

func (h *Handler) passwordResetPage(w http.ResponseWriter, r *http.Request) {
	acc, err := h.services.Staff.PasswordReset(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkError(w, r, err, "reset")
		return
	}
	h.render(w, r, http.StatusOK, "set_password", h.resetForm(r, acc))
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	acc, err := h.services.Staff.PasswordReset(ctx, token)
	if err != nil {
		h.linkError(w, r, err, "reset")
		return
	}
	if _, err := h.services.Staff.ResetPassword(ctx, form.SetPassword(r, token)); err != nil {
		if sc.ErrorCode(err) == sc.EINVITATION {
			h.linkError(w, r, err, "reset")
			return
		}
		h.formError(w, r, "set_password", h.resetForm(r, acc), err, form.SetPasswordFields...)
		return
	}
	h.flash(ctx, "Your password is changed. Log in with it.")
	h.done(w, r, Prefix+"/login")
}
