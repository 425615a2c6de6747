package portal

import (
	"net/http"
	"net/url"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if h.sessions.GetInt64(r.Context(), keyStaff) != 0 {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", &page{Title: "Log in", Values: url.Values{"next": {r.URL.Query().Get("next")}}})
}

// login starts a session. The session gets a new token (what an attacker may have planted
// before is worthless) and a new form token.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := form.Login(r)
	in.Client = sc.ClientFromContext(ctx)
	acc, err := h.services.Staff.LogIn(ctx, in)
	if err != nil {
		values := url.Values{"email": {r.PostForm.Get("email")}, "next": {r.PostForm.Get("next")}}
		h.formError(w, r, "login", &page{Title: "Log in", Values: values}, err, form.LoginFields...)
		return
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		h.internalError(w, r, err)
		return
	}
	h.sessions.Put(ctx, keyStaff, acc.ID)
	h.sessions.Put(ctx, keyEpoch, acc.SessionEpoch)
	h.sessions.Put(ctx, keyCSRF, randomToken())
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}
