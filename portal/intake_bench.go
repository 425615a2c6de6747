package portal

import (
	"net/http"
	"net/url"
	"strings"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

type intakeData struct {
	Unmatched []*sc.Parcel
	Recent    []*sc.Parcel
	// Unknown is a code that matched nothing.
	Unknown string
}

// intakePage is the bench: scan or type a code, or pick an unmatched parcel to match.
func (h *Handler) intakePage(w http.ResponseWriter, r *http.Request) {
	h.renderIntake(w, r, http.StatusOK, &page{})
}

func (h *Handler) renderIntake(w http.ResponseWriter, r *http.Request, status int, p *page) {
	ctx := r.Context()
	ten := 10
	unmatched, err := h.services.Intake.ListParcels(ctx, true, sc.PageArgs{First: ptr(sc.MaxPageSize)})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	recent, err := h.services.Intake.ListParcels(ctx, false, sc.PageArgs{First: &ten})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d, _ := p.Data.(intakeData)
	d.Unmatched, d.Recent = unmatched.Items, recent.Items
	p.Title, p.Nav, p.Data = "Intake", "intake", d
	h.render(w, r, status, "intake", p)
}

// receiveData is the receiving form: the authorisation found, if any, and its rows.
type receiveData struct {
	RMA      *sc.ReturnAuthorization
	Lines    []*sc.RMAItem
	Rows     []int
	Tracking string
	// Shared says the tracking number is on several open authorisations: the parcel is
	// logged unmatched, and staff match it from its page.
	Shared bool
}

// extraRows are the blank rows for items on no line of the authorisation.
const extraRows = 2

// intakeReceivePage finds what a scanned code names and shows the form to log the parcel.
func (h *Handler) intakeReceivePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("code"))
	values := url.Values{}
	var d receiveData
	switch {
	case q.Get("unmatched") != "":
		// A parcel whose code matches nothing is logged without one; what was on it goes
		// into its notes, for whoever matches it later.
		if code != "" {
			values.Set("notes", "Arrived labelled "+code)
		}
	case code == "":
		h.renderIntake(w, r, http.StatusUnprocessableEntity, &page{Values: q,
			Errors: map[string]string{"code": "type or scan the RMA code or the tracking number on the parcel"}})
		return
	default:
		five := 5
		found, err := h.services.Returns.ListRMAs(ctx, sc.RMAFilter{Search: &code}, sc.PageArgs{First: &five})
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		var open []*sc.ReturnAuthorization
		for _, rma := range found.Items {
			if st := rma.Status(); st == sc.RMAAuthorized || st == sc.RMAInTransit {
				open = append(open, rma)
			}
		}
		switch {
		case len(found.Items) == 0:
			h.renderIntake(w, r, http.StatusNotFound, &page{Values: q, Data: intakeData{Unknown: code},
				Errors: map[string]string{"code": "No return authorisation of this store has this code or tracking number."}})
			return
		case len(open) == 0:
			h.renderIntake(w, r, http.StatusConflict, &page{Values: q, Errors: map[string]string{
				"code": "Return authorisation " + found.Items[0].Code + " is " + strings.ToLower(string(found.Items[0].Status())) + ": it takes no parcel."}})
			return
		case len(open) > 1:
			d.Tracking, d.Shared = code, true
		default:
			d.RMA = open[0]
			lines, err := h.services.Returns.RMAItems(ctx, []int64{d.RMA.ID})
			if err != nil {
				h.serviceError(w, r, err)
				return
			}
			d.Lines = lines[0]
			values.Set("rmaCode", d.RMA.Code)
		}
	}
	if d.Tracking != "" {
		values.Set("trackingNumber", d.Tracking)
	}
	for i, l := range d.Lines {
		p := "items." + itoa(i) + "."
		values.Set(p+"rmaLine", itoa(l.Line))
		values.Set(p+"present", "on")
		values.Set(p+"description", l.Description)
		values.Set(p+"grade", string(sc.GradeGood))
	}
	h.renderReceive(w, r, http.StatusOK, &page{Values: values}, d)
}

func (h *Handler) renderReceive(w http.ResponseWriter, r *http.Request, status int, p *page, d receiveData) {
	n := len(d.Lines) + extraRows
	if v := atoiOr(p.Values.Get("rows"), 0); v > n {
		n = min(v, form.MaxParcelRows) // what the parser reads, whatever was posted
	}
	d.Rows = make([]int, n)
	for i := range d.Rows {
		d.Rows[i] = i
	}
	p.Values.Set("rows", itoa(n))
	p.Title, p.Nav, p.Data = "Receive a parcel", "intake", d
	h.render(w, r, status, "intake_receive", p)
}
