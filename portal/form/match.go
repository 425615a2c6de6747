package form

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// Match reads the form that matches an unmatched parcel: the authorisation's code and, per
// item of the parcel (by its line, lines.N.item), the authorisation line it answers to
// (lines.N.rmaLine, blank for none).
func Match(r *http.Request, parcel int64) (sc.MatchInput, []int, error) {
	f := r.PostForm
	in := sc.MatchInput{Parcel: parcel, RMACode: strings.ToUpper(strings.TrimSpace(f.Get("rmaCode")))}
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, 0), MaxParcelRows)
	var errs sc.Errors
	var rows []int
	if in.RMACode == "" {
		errs = append(errs, sc.FieldErrorf("rmaCode", sc.EINVALID, "type or scan the RMA code"))
	}
	for row := range n {
		p := fmt.Sprintf("lines.%d.", row)
		v := strings.TrimSpace(f.Get(p + "rmaLine"))
		if v == "" {
			continue
		}
		item, _ := strconv.Atoi(f.Get(p + "item"))
		l, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, sc.FieldErrorf(p+"rmaLine", sc.EINVALID, "%q is not a line number", v))
			continue
		}
		in.Lines = append(in.Lines, sc.LineMatch{Item: item, RMALine: l})
		rows = append(rows, row)
	}
	return in, rows, errs.Err()
}
