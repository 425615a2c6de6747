package form

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// MaxParcelRows is how many item rows the receiving form may post.
const MaxParcelRows = 2 * sc.MaxRMAItems

// Parcel reads the receiving form. Its rows are the authorisation's lines (each with a box
// ticked when the item is in the parcel) and blank rows for items on no line, used when a
// description is typed. rows[i] is the form row of the input's item i, so that the service's
// errors on items.i are shown on their row.
func Parcel(r *http.Request) (in sc.ParcelInput, rows []int, err error) {
	f := r.PostForm
	if code := strings.TrimSpace(f.Get("rmaCode")); code != "" {
		in.RMACode = &code
	}
	if tn := strings.TrimSpace(f.Get("trackingNumber")); tn != "" {
		in.TrackingNumber = &tn
	}
	if notes := f.Get("notes"); notes != "" {
		in.Notes = &notes
	}
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, 0), MaxParcelRows)
	var errs sc.Errors
	for row := range n {
		p := fmt.Sprintf("items.%d.", row)
		line := strings.TrimSpace(f.Get(p + "rmaLine"))
		desc := strings.TrimSpace(f.Get(p + "description"))
		if line != "" && f.Get(p+"present") == "" || line == "" && desc == "" {
			continue // a line whose item is missing, or a blank row
		}
		it := sc.ReceivedItemInput{Description: desc, Grade: sc.Grade(f.Get(p + "grade"))}
		if line != "" {
			l, err := strconv.Atoi(line)
			if err != nil {
				errs = append(errs, sc.FieldErrorf(p+"description", sc.EINVALID, "the line number %q is not a number", line))
				continue
			}
			it.RMALine = &l
		}
		if notes := f.Get(p + "notes"); notes != "" {
			it.Notes = &notes
		}
		if f.Get(p+"differsFromRma") != "" {
			yes := true
			it.DiffersFromRMA = &yes
		}
		in.Items = append(in.Items, it)
		rows = append(rows, row)
	}
	return in, rows, errs.Err()
}

// RowField turns the service's field of a list element ("items.2.grade") into the name of its
// input on the form ("items.5.grade"), by rows as Parcel or Match returned them.
func RowField(list, field string, rows []int) string {
	rest, ok := strings.CutPrefix(field, list+".")
	if !ok {
		return field
	}
	i, tail, ok := strings.Cut(rest, ".")
	k, err := strconv.Atoi(i)
	if !ok || err != nil || k < 0 || k >= len(rows) {
		return field
	}
	return fmt.Sprintf("%s.%d.%s", list, rows[k], tail)
}

// ParcelFields are the inputs of a form of n rows.
func ParcelFields(n int) []string {
	n = min(max(n, 0), MaxParcelRows)
	fs := []string{"rmaCode", "trackingNumber", "notes"}
	for row := range n {
		for _, f := range []string{"description", "grade", "notes"} {
			fs = append(fs, fmt.Sprintf("items.%d.%s", row, f))
		}
	}
	return fs
}
