package form

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// feeInputs are the fee form's amounts: each input is named by the service's field, and typed
// in dollars (the fees) or in percent (the commissions); both have at most two decimals, so
// 12.5 % is 1,250 basis points just as 12.50 dollars are 1,250 cents.
var feeInputs = []struct {
	name, example string
	dst           func(*sc.FeeSchedule) *int64
}{
	{"fees.intakeCents", "an amount in dollars such as 1.50", func(f *sc.FeeSchedule) *int64 { return &f.IntakeCents }},
	{"fees.storageCents", "an amount in dollars such as 1.00", func(f *sc.FeeSchedule) *int64 { return &f.StorageCents }},
	{"fees.shippingCents", "an amount in dollars such as 0.50", func(f *sc.FeeSchedule) *int64 { return &f.ShippingCents }},
	{"fees.commissionBasisPoints", "a percentage such as 10 or 12.5", func(f *sc.FeeSchedule) *int64 { return &f.CommissionBasisPoints }},
	{"fees.auctionCommissionBasisPoints", "a percentage such as 15", func(f *sc.FeeSchedule) *int64 { return &f.AuctionCommissionBasisPoints }},
}

// Fees reads the store's fee form: the fee schedule, the default beneficiary (0 when none is
// chosen, which the service refuses), and the EIN, nil when left empty (it stays as it is).
// An empty amount is 0.
func Fees(r *http.Request) (fees sc.FeeSchedule, beneficiary int64, ein *string, err error) {
	f := r.PostForm
	var errs sc.Errors
	for _, in := range feeInputs {
		v := strings.TrimSpace(f.Get(in.name))
		n, ok := hundredths(v)
		if !ok {
			errs = append(errs, sc.FieldErrorf(in.name, sc.EINVALID, "%q is not %s", truncate(v), in.example))
			continue
		}
		*in.dst(&fees) = n
	}
	if v := strings.TrimSpace(f.Get("beneficiary")); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || id <= 0 {
			errs = append(errs, sc.FieldErrorf("beneficiary", sc.EINVALID, "choose one of the beneficiaries listed"))
		}
		beneficiary = id
	}
	if v := strings.TrimSpace(f.Get("ein")); v != "" {
		ein = &v
	}
	return fees, beneficiary, ein, errs.Err()
}

// FeesFields are its inputs; "store" is the manager's own store, shown above the form.
var FeesFields = []string{"fees.intakeCents", "fees.storageCents", "fees.shippingCents", "fees.commissionBasisPoints",
	"fees.auctionCommissionBasisPoints", "beneficiary", "ein"}

// FeeValues are the inputs of the fee form as they show fees: the inverse of Fees.
func FeeValues(fees sc.FeeSchedule) map[string]string {
	out := map[string]string{}
	for _, in := range feeInputs {
		out[in.name] = sc.USD(*in.dst(&fees)).Amount()
	}
	return out
}

// hundredths reads a decimal with at most two decimals as a whole number of hundredths; a
// leading $ and a trailing % are allowed, as people type them. Empty is 0.
func hundredths(v string) (int64, bool) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, "$"), "%"))
	if v == "" {
		return 0, true
	}
	m, err := sc.ParseMoney(v, sc.DefaultCurrency)
	if err != nil {
		return 0, false
	}
	return m.Cents, true
}

func truncate(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// RoutingRule reads the form that sets one routing rule of the store, or removes it when the
// route is empty (the remove buttons of the list send no route).
func RoutingRule(r *http.Request) sc.RoutingRuleInput {
	f := r.PostForm
	in := sc.RoutingRuleInput{Category: f.Get("category"), Grade: sc.Grade(f.Get("grade"))}
	if v := f.Get("route"); v != "" {
		route := sc.Route(v)
		in.Route = &route
	}
	return in
}

// RoutingRuleFields are its inputs.
var RoutingRuleFields = []string{"category", "grade", "route"}

// MaxIncrementRows is how many rows the increment table form may post: a table's limit.
const MaxIncrementRows = sc.MaxIncrementSteps

// IncrementTable reads the increment table form: "rows" rows of "steps.<row>.fromCents" and
// "steps.<row>.incrementCents", in dollars; a row with both empty is skipped. rows[i] is the
// form row of step i, so that the service's errors on steps.i are shown on their row
// (RowField).
func IncrementTable(r *http.Request) (t sc.IncrementTable, rows []int, err error) {
	f := r.PostForm
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, 0), MaxIncrementRows)
	var errs sc.Errors
	t = sc.IncrementTable{}
	for row := range n {
		p := fmt.Sprintf("steps.%d.", row)
		from, inc := strings.TrimSpace(f.Get(p+"fromCents")), strings.TrimSpace(f.Get(p+"incrementCents"))
		if from == "" && inc == "" {
			continue
		}
		var s sc.IncrementStep
		var ok bool
		if s.FromCents, ok = hundredths(from); !ok {
			errs = append(errs, sc.FieldErrorf(p+"fromCents", sc.EINVALID, "%q is not an amount in dollars such as 25.00", truncate(from)))
		}
		if s.IncrementCents, ok = hundredths(inc); !ok || inc == "" {
			errs = append(errs, sc.FieldErrorf(p+"incrementCents", sc.EINVALID, "%q is not an amount in dollars such as 1.00", truncate(inc)))
		}
		t = append(t, s)
		rows = append(rows, row)
	}
	return t, rows, errs.Err()
}

// IncrementFields are the inputs of an increment table form of n rows.
func IncrementFields(n int) []string {
	n = min(max(n, 0), MaxIncrementRows)
	fs := []string{"steps"}
	for row := range n {
		fs = append(fs, fmt.Sprintf("steps.%d.fromCents", row), fmt.Sprintf("steps.%d.incrementCents", row))
	}
	return fs
}
