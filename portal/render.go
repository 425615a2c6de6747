package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

// page is what every template gets: the layout's parts and the page's own Data.
type page struct {
	Title   string
	Nav     string // the menu entry to mark as current
	Account *sc.StaffAccount
	CSRF    string
	Flash   string
	Data    any
	// Scripts are the page's own scripts in static/, beside htmx.
	Scripts []string
	// Values are what was typed into the form, shown again with its Errors; Errors maps an
	// input's name (the service's field path, e.g. items.0.grade) to its message, and General
	// holds the messages of no input on the form.
	Values  url.Values
	Errors  map[string]string
	General []string
}

// message is the data of the message page: a refused form, a missing page, an error.
type message struct {
	Text     string
	Code     string
	Link     string
	LinkText string
}

// pages are the parsed templates, one per page, each with the layout and the partials.
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"field":    field,
	"once":     func() string { return randomToken() },
	"itemCode": sc.ItemCode,
	"money": func(m sc.Money) string {
		return m.Amount() + " " + m.Currency
	},
	"moneyPtr": func(m *sc.Money) string {
		if m == nil {
			return ""
		}
		return m.Amount() + " " + m.Currency
	},
	"cents":    func(c int64) string { return sc.USD(c).Amount() + " " + sc.DefaultCurrency },
	"date":     func(t any) string { return formatTime(t, "2 Jan 2006") },
	"datetime": func(t any) string { return formatTime(t, "2 Jan 2006 15:04 UTC") },
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"routeName": func(r *sc.Route) string {
		if r == nil {
			return "not routed"
		}
		return strings.ToLower(string(*r))
	},
	// label takes pointers too: a template's {{with}} of an optional field hands over the
	// pointer, which fmt would print as an address.
	"label": func(s any) string {
		if v := reflect.ValueOf(s); v.Kind() == reflect.Pointer && !v.IsNil() {
			s = v.Elem().Interface()
		}
		return strings.ReplaceAll(strings.ToLower(fmt.Sprint(s)), "_", " ")
	},
	"add": func(a, b int) int { return a + b },
	"grades": func() []sc.Grade {
		return []sc.Grade{sc.GradeNew, sc.GradeLikeNew, sc.GradeGood, sc.GradeFair, sc.GradePoor, sc.GradeUnsellable}
	},
	"routes":     func() []sc.Route { return []sc.Route{sc.RouteSale, sc.RouteAuction, sc.RouteRecycle} },
	"staffRoles": func() []sc.StaffRole { return sc.StaffRoles },
	"prefix":     func() string { return Prefix },
	"moneyAmount": func(m *sc.Money) string {
		if m == nil {
			return ""
		}
		return m.Amount()
	},
	"time": func(t any) string { return formatTime(t, "15:04:05") },
	"reverseBids": func(bs []*sc.Bid) []*sc.Bid {
		out := make([]*sc.Bid, len(bs))
		for i, b := range bs {
			out[len(bs)-1-i] = b
		}
		return out
	},
	"kb": func(n int64) string {
		if n < 1<<20 {
			return fmt.Sprintf("%d kB", (n+1023)/1024)
		}
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	},
	"maxPhotoMB": func() int { return sc.MaxPhotoBytes >> 20 },
	"percent":    func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"offerDays":  func() []int { return sc.OfferDays },
	"paymentMethods": func() []sc.PaymentMethod {
		return []sc.PaymentMethod{sc.PaymentCash, sc.PaymentCard, sc.PaymentCheck, sc.PaymentTransfer}
	},
}

func parsePages() pages {
	ps := pages{}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html"))
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		ps[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
	}
	return ps
}

// input is one form control as the "input" partial draws it: its label, what was typed, and
// its error, tied to it for screen readers.
type input struct {
	Name, Label, Type, Value, Error string
	Autocomplete, Inputmode, Hint   string
	Required, Autofocus             bool
}

// field describes the input name of p's form. opts are "required", "autofocus", "type:X",
// "autocomplete:X", "inputmode:X", "hint:X" and "value:X" (the value when nothing was typed).
func field(p *page, name, label string, opts ...string) input {
	in := input{Name: name, Label: label, Type: "text", Value: p.Values.Get(name), Error: p.Errors[name]}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, ":")
		switch k {
		case "required":
			in.Required = true
		case "autofocus":
			in.Autofocus = true
		case "type":
			in.Type = v
		case "autocomplete":
			in.Autocomplete = v
		case "inputmode":
			in.Inputmode = v
		case "hint":
			in.Hint = v
		case "value":
			if _, typed := p.Values[name]; !typed {
				in.Value = v
			}
		}
	}
	if in.Type == "password" {
		in.Value = "" // never sent back
	}
	return in
}

// render writes the page tmpl with status. It fills the layout's parts from the request.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, tmpl string, p *page) {
	ctx := r.Context()
	p.Account = account(ctx)
	p.CSRF = h.csrfToken(ctx)
	if p.Flash == "" {
		p.Flash = h.sessions.PopString(ctx, keyFlash)
	}
	if p.Values == nil {
		p.Values = url.Values{}
	}
	t, ok := h.pages[tmpl]
	if !ok {
		h.internalError(w, r, fmt.Errorf("no template %q", tmpl))
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		slog.ErrorContext(ctx, "rendering a portal page", "template", tmpl, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// formError re-renders a form whose service call failed: each field error beside its input
// (names are the service's field paths), the rest at the top, what was typed kept. A failure
// that is not the person's to fix is an internal error page. known lists the inputs of the form.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, tmpl string, p *page, err error, known ...string) {
	h.formErrorWith(w, r, p, err, known, func(p *page) { h.render(w, r, statusOf(sc.ErrorCode(err)), tmpl, p) })
}

// formErrorWith is formError for a page drawn by show.
func (h *Handler) formErrorWith(w http.ResponseWriter, r *http.Request, p *page, err error, known []string, show func(*page)) {
	es := sc.AsErrors(err)
	if len(es) == 0 || sc.ErrorCode(err) == sc.EINTERNAL {
		h.internalError(w, r, err)
		return
	}
	// The refused form changed nothing: the same form sent again is checked again.
	if key, ok := r.Context().Value(onceKey{}).(string); ok {
		if err := h.services.Staff.ReleaseForm(r.Context(), key); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	p.Errors = map[string]string{}
	has := map[string]bool{}
	for _, k := range known {
		has[k] = true
	}
	for _, e := range es {
		if e.Field != "" && has[e.Field] {
			if p.Errors[e.Field] == "" {
				p.Errors[e.Field] = e.Message
			}
			continue
		}
		p.General = append(p.General, e.Message)
	}
	if p.Values == nil {
		p.Values = r.PostForm
	}
	show(p)
}

// statusOf is the HTTP status of a form refused with code.
func statusOf(code string) int {
	switch code {
	case sc.ENOTFOUND:
		return http.StatusNotFound
	case sc.EFORBIDDEN:
		return http.StatusForbidden
	case sc.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case sc.ERATELIMITED:
		return http.StatusTooManyRequests
	case sc.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// notFound is the portal's 404 page: also what another store's item or parcel is.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, "message", &page{Title: "Page not found",
		Data: message{Text: "There is no such page, or it belongs to another store.", Code: "NOT_FOUND", Link: Prefix + "/", LinkText: "Go to the dashboard"}})
}

// internalError logs err and shows a page that says nothing of it.
func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "portal", "path", r.URL.Path, "err", err)
	if sc.ErrorCode(err) == sc.ENOTFOUND {
		h.notFound(w, r)
		return
	}
	h.render(w, r, http.StatusInternalServerError, "message", &page{Title: "Something went wrong",
		Data: message{Text: "The page could not be shown because of an internal error. Try again in a moment.", Code: "INTERNAL"}})
}

// serviceError shows a page for a failed read: not found (another store's record too), or
// internal.
func (h *Handler) serviceError(w http.ResponseWriter, r *http.Request, err error) {
	switch sc.ErrorCode(err) {
	case sc.ENOTFOUND, sc.EINVALID:
		h.notFound(w, r)
	case sc.EFORBIDDEN:
		h.render(w, r, http.StatusForbidden, "message", &page{Title: "Not allowed",
			Data: message{Text: sc.ErrorMessage(err), Code: sc.EFORBIDDEN, Link: Prefix + "/", LinkText: "Go to the dashboard"}})
	default:
		h.internalError(w, r, err)
	}
}

// renameFields renames the fields of err's field errors, as a form that posts a list in rows
// of its own numbers them.
func renameFields(err error, rename func(string) string) error {
	es := sc.AsErrors(err)
	if es == nil {
		return err
	}
	out := make(sc.Errors, len(es))
	for i, e := range es {
		c := *e
		c.Field = rename(c.Field)
		out[i] = &c
	}
	return out
}

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// atoiOr is s as a number, or def.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func ptr[T any](v T) *T { return &v }

// pathID is the ID in the page's path, or 0 when it is not one (which no record has).
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// statusOfErr is statusOf the error's code.
func statusOfErr(err error) int { return statusOf(sc.ErrorCode(err)) }

// formatTime writes a time or a time pointer in UTC; nil is empty.
func formatTime(t any, layout string) string {
	switch v := t.(type) {
	case time.Time:
		return v.UTC().Format(layout)
	case *time.Time:
		if v != nil {
			return v.UTC().Format(layout)
		}
	}
	return ""
}
