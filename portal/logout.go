package portal

import "net/http"

// logout ends the session: its row is deleted, so its cookie opens nothing any more.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := h.sessions.Destroy(ctx); err != nil {
		h.internalError(w, r, err)
		return
	}
	h.flash(ctx, "You are logged out.")
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}
