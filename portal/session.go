package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// Session keys.
const (
	keyStaff = "staff_id"
	keyEpoch = "epoch"
	keyCSRF  = "csrf"
	keyFlash = "flash"
)

// maxFormBytes bounds a form's body: the largest, a parcel of 100 items with notes, stays far
// below it.
const maxFormBytes = 1 << 20

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the session's form token, made on first use.
func (h *Handler) csrfToken(ctx context.Context) string {
	t := h.sessions.GetString(ctx, keyCSRF)
	if t == "" {
		t = randomToken()
		h.sessions.Put(ctx, keyCSRF, t)
	}
	return t
}

// checkCSRF refuses every POST whose form does not carry the session's token: a form rendered
// for an older session (logged out, expired) or by another site. It also bounds the body.
func (h *Handler) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if err := parseForm(w, r, h.sessions.GetInt64(r.Context(), keyStaff) != 0); err != nil {
			h.render(w, r, http.StatusBadRequest, "message", &page{Title: "The form could not be read",
				Data: message{Text: fmt.Sprintf("The form was too large or malformed (photos: at most %d per item, %d MB each). Go back, reload the page and try again.",
					sc.MaxItemPhotos, sc.MaxPhotoBytes>>20)}})
			return
		}
		want := h.sessions.GetString(r.Context(), keyCSRF)
		got := r.PostForm.Get("csrf")
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			h.staleForm(w, r, "This form is out of date: it was loaded before you logged in or out, or your session ended.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// maxUploadBytes bounds a form with files: an item's photos at their largest, and the rest.
const maxUploadBytes = sc.MaxItemPhotos*sc.MaxPhotoBytes + maxFormBytes

// maxUploadMemory is how much of an upload is held in memory; the rest of its files wait in
// temporary files, which the server removes once the request is answered.
const maxUploadMemory = 8 << 20

// parseForm reads a POST's form, bounded by maxFormBytes. Only the photo upload of a
// logged-in session may be larger, up to maxUploadBytes: nobody else makes the server hold
// (or spool to disk) files before the form's token is even checked.
func parseForm(w http.ResponseWriter, r *http.Request, loggedIn bool) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		limit := int64(maxFormBytes)
		if loggedIn && strings.HasSuffix(r.URL.Path, "/photos") {
			limit = maxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		return r.ParseMultipartForm(maxUploadMemory)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// staleForm answers a form whose token is not the session's.
func (h *Handler) staleForm(w http.ResponseWriter, r *http.Request, why string) {
	h.refuseForm(w, r, "STALE_FORM", why)
}

// refuseForm answers a refused form: nothing was done, and reloading the page gives a fresh one.
func (h *Handler) refuseForm(w http.ResponseWriter, r *http.Request, code, why string) {
	h.render(w, r, http.StatusForbidden, "message", &page{Title: "Nothing was saved",
		Data: message{Text: why + " Nothing was saved. Reload the page and send the form again.", Code: code,
			Link: r.URL.Path, LinkText: "Reload the page"}})
}

type onceKey struct{}

// once makes a form posted twice take effect once. Every form carries a one-time key (a fresh
// one each time it is rendered); the first submission claims it, and a repeat, such as the
// second request of a double click, is sent where the first one led instead of running again.
// A form re-rendered with errors gets a new key, so correcting it is a new submission.
func (h *Handler) once(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PostForm.Get("once")
		if key == "" || len(key) > 64 {
			h.staleForm(w, r, "This form has no one-time key.")
			return
		}
		key = h.sessions.Token(r.Context()) + ":" + key
		first, nextURL, err := h.services.Staff.ClaimForm(r.Context(), key)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if !first {
			if nextURL != "" {
				http.Redirect(w, r, nextURL, http.StatusSeeOther)
				return
			}
			h.render(w, r, http.StatusConflict, "message", &page{Title: "Already sent",
				Data: message{Text: "This form was already sent and is being handled; it was not done twice.", Code: "ALREADY_SENT",
					Link: r.URL.Path, LinkText: "Back"}})
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), onceKey{}, key)))
	})
}

// done ends a successful form: its repeats are sent to the same place, and so is the browser.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, to string) {
	if key, ok := r.Context().Value(onceKey{}).(string); ok {
		if err := h.services.Staff.FinishForm(r.Context(), key, to); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flash shows msg on the next page the session sees.
func (h *Handler) flash(ctx context.Context, msg string) { h.sessions.Put(ctx, keyFlash, msg) }

type accountKey struct{}

// account is the logged-in account of a page behind staffOnly.
func account(ctx context.Context) *sc.StaffAccount {
	a, _ := ctx.Value(accountKey{}).(*sc.StaffAccount)
	return a
}

// staffOnly serves the pages of logged-in staff, acting as the account's store staff; others
// are sent to log in and come back. A disabled account, or one whose password was reset since
// this session logged in, is logged out.
func (h *Handler) staffOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := h.sessions.GetInt64(ctx, keyStaff)
		if id == 0 {
			h.toLogin(w, r)
			return
		}
		acc, err := h.services.Staff.StaffAccount(ctx, id)
		if sc.ErrorCode(err) == sc.EUNAUTHENTICATED || err == nil && acc.SessionEpoch != h.sessions.GetInt(ctx, keyEpoch) {
			if err := h.sessions.Destroy(ctx); err != nil {
				h.internalError(w, r, err)
				return
			}
			h.flash(ctx, "You were logged out: your account was disabled or its password changed.")
			h.toLogin(w, r)
			return
		}
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		ctx = sc.NewContextWithActor(ctx, acc.Actor())
		ctx = context.WithValue(ctx, accountKey{}, acc)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	to := Prefix + "/login"
	if r.Method == http.MethodGet && r.URL.Path != Prefix+"/" {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// safeNext is where to go after logging in: a page of the portal, never another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix + "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return Prefix + "/"
	}
	return next
}
