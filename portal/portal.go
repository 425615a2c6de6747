package portal

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	sc "github.com/secondchance/secondchance"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Prefix is where the server mounts the portal.
const Prefix = "/portal"

// Handler serves the portal's pages. It holds the services and the session manager and
// nothing else: every page calls the same services as the GraphQL API.
type Handler struct {
	services sc.Services
	sessions *scs.SessionManager
	pages    pages
	handler  http.Handler
	now      func() time.Time
	// live is the context of the event streams: Close cancels it, which ends them.
	live     context.Context
	stopLive context.CancelFunc
}

// Close ends the portal's event streams; the server calls it as it shuts down, since
// http.Server.Shutdown would otherwise wait for them.
func (h *Handler) Close() error {
	h.stopLive()
	return nil
}

// Option configures a portal.
type Option func(*Handler)

// WithSessionStore keeps sessions in store (scs's postgresstore in production) instead of in
// the process's memory, so they survive a restart and are shared by replicas.
func WithSessionStore(store scs.Store) Option {
	return func(h *Handler) { h.sessions.Store = store }
}

// WithSecureCookies marks the session cookie Secure: set it when the portal is served over
// HTTPS (PUBLIC_URL starts with https://), so the cookie never travels in clear.
func WithSecureCookies(secure bool) Option {
	return func(h *Handler) { h.sessions.Cookie.Secure = secure }
}

// WithClock replaces the clock pages show dates by (the dashboard's weeks); tests use it.
func WithClock(now func() time.Time) Option {
	return func(h *Handler) { h.now = now }
}

// New returns the portal's handler over services; mount it at Prefix + "/".
func New(services sc.Services, opts ...Option) *Handler {
	sm := scs.New()
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = "sc_portal"
	sm.Cookie.Path = Prefix
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = false
	h := &Handler{services: services, sessions: sm, pages: parsePages(), now: time.Now}
	h.live, h.stopLive = context.WithCancel(context.Background())
	for _, o := range opts {
		o(h)
	}
	// A session that cannot be loaded or saved has no page to render into: plain text.
	h.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		slog.ErrorContext(r.Context(), "portal session", "err", err)
		http.Error(w, "internal error: the session could not be read or saved; try again", http.StatusInternalServerError)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"/login", h.loginPage)
	mux.HandleFunc("POST "+Prefix+"/login", h.login)
	mux.HandleFunc("POST "+Prefix+"/logout", h.logout)
	mux.HandleFunc("GET "+Prefix+"/invitation/{token}", h.invitationPage)
	mux.Handle("POST "+Prefix+"/invitation/{token}", h.once(h.acceptInvitation))
	mux.HandleFunc("GET "+Prefix+"/password-reset", h.passwordResetRequestPage)
	mux.Handle("POST "+Prefix+"/password-reset", h.once(h.requestPasswordReset))
	mux.HandleFunc("GET "+Prefix+"/password-reset/{token}", h.passwordResetPage)
	mux.Handle("POST "+Prefix+"/password-reset/{token}", h.once(h.resetPassword))

	staff := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, h.staffOnly(f)) }
	form := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, h.staffOnly(h.once(f))) }
	staff("GET "+Prefix+"/{$}", h.dashboard)
	staff("GET "+Prefix+"/intake", h.intakePage)
	staff("GET "+Prefix+"/intake/receive", h.intakeReceivePage)
	form("POST "+Prefix+"/intake/receive", h.intakeReceive)
	staff("GET "+Prefix+"/parcels/{id}", h.parcelPage)
	form("POST "+Prefix+"/parcels/{id}/match", h.parcelMatch)
	staff("GET "+Prefix+"/items", h.itemList)
	staff("GET "+Prefix+"/items/find", h.itemFind)
	staff("GET "+Prefix+"/items/{id}", h.itemPage)
	form("POST "+Prefix+"/items/{id}/route", h.itemRoute)
	form("POST "+Prefix+"/items/{id}/sale", h.itemSale)
	form("POST "+Prefix+"/items/{id}/void", h.itemVoid)
	staff("GET "+Prefix+"/items/{id}/tag", h.itemTag)
	form("POST "+Prefix+"/items/{id}/photos", h.itemPhotoAdd)
	staff("GET "+Prefix+"/photos/{id}", h.photoShow)
	form("POST "+Prefix+"/photos/{id}/delete", h.photoDelete)
	staff("GET "+Prefix+"/donations", h.donationList)
	form("POST "+Prefix+"/donations/{id}/disburse", h.donationDisburse)
	form("POST "+Prefix+"/items/settle", h.itemSettle)
	staff("GET "+Prefix+"/certificates", h.certificateList)
	form("POST "+Prefix+"/certificates/issue", h.certificateIssue)
	staff("GET "+Prefix+"/certificates/{id}", h.certificateShow)
	form("POST "+Prefix+"/certificates/{id}/void", h.certificateVoid)
	staff("GET "+Prefix+"/auctions", h.auctionList)
	form("POST "+Prefix+"/auctions", h.auctionCreate)
	staff("GET "+Prefix+"/auctions/{id}", h.auctionPage)
	form("POST "+Prefix+"/auctions/{id}/schedule", h.auctionStatus(services.Auctions.ScheduleAuction, "Scheduled: the auction opens at its start."))
	form("POST "+Prefix+"/auctions/{id}/open", h.auctionStatus(services.Auctions.OpenAuction, "The auction is open."))
	form("POST "+Prefix+"/auctions/{id}/cancel", h.auctionStatus(services.Auctions.CancelAuction, "The auction is cancelled; its items are free for other lots."))
	form("POST "+Prefix+"/auctions/{id}/lots", h.auctionLotAdd)
	form("POST "+Prefix+"/auctions/{id}/paddles", h.auctionPaddle)
	staff("GET "+Prefix+"/auctions/{id}/clerk", h.auctionClerk)
	staff("GET "+Prefix+"/bidders", h.bidderList)
	form("POST "+Prefix+"/bidders", h.bidderRegister)
	form("POST "+Prefix+"/bidders/{id}/block", h.bidderBlock)
	staff("GET "+Prefix+"/lots/{id}", h.lotPage)
	staff("GET "+Prefix+"/lots/{id}/events", h.lotEvents)
	staff("POST "+Prefix+"/lots/{id}/bids", h.lotBid)
	form("POST "+Prefix+"/lots/{id}/open", h.lotAction(services.Auctions.OpenLot, "Lot %n is open."))
	form("POST "+Prefix+"/lots/{id}/hammer", h.lotAction(services.Auctions.HammerLot, "Lot %n is hammered."))
	form("POST "+Prefix+"/lots/{id}/pass", h.lotAction(services.Auctions.PassLot, "Lot %n is passed."))
	form("POST "+Prefix+"/lots/{id}/undo", h.lotUndo)
	form("POST "+Prefix+"/lots/{id}/payment", h.lotPayment)
	form("POST "+Prefix+"/lots/{id}/unpaid", h.lotUnpaid)
	form("POST "+Prefix+"/lots/{id}/offers", h.lotOffer)
	form("POST "+Prefix+"/lots/{id}/relist", h.lotRelist)
	form("POST "+Prefix+"/offers/{id}/decide", h.offerDecide)
	staff("GET "+Prefix+"/staff", h.staffList)
	form("POST "+Prefix+"/staff/invite", h.staffInvite)
	form("POST "+Prefix+"/staff/{id}/disable", h.staffDisable)
	staff("GET "+Prefix+"/settings", h.settingsFeesPage)
	form("POST "+Prefix+"/settings/fees", h.settingsFees)
	staff("GET "+Prefix+"/settings/routing", h.settingsRoutingPage)
	form("POST "+Prefix+"/settings/routing", h.settingsRoutingSet)
	staff("GET "+Prefix+"/settings/increments", h.settingsIncrementsPage)
	form("POST "+Prefix+"/settings/increments", h.settingsIncrementsSet)
	mux.HandleFunc(Prefix+"/", h.notFound)

	// Cross-origin state changes are refused before anything else runs; the per-session token
	// that every form carries (checkCSRF) covers the browsers that send neither Sec-Fetch-Site
	// nor Origin.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.refuseForm(w, r, "CROSS_ORIGIN", "The form was sent from another site, so it was refused.")
	}))
	// The assets need no session: they are served before one is loaded.
	top := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	top.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", staticHandler(static)))
	top.Handle("/", h.sessions.LoadAndSave(h.headers(cop.Handler(h.checkCSRF(mux)))))
	h.handler = top
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }

// csp lets pages run the portal's own scripts and styles and nothing else: no inline script,
// no other origin, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// headers sets the portal's Content-Security-Policy and keeps its pages out of caches: they
// show one store's data to one logged-in person.
func (h *Handler) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// staticHandler serves the embedded assets; their names change with their content only by
// a refresh script, so they are cached for a day.
func staticHandler(files fs.FS) http.Handler {
	fsrv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
