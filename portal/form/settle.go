package form

import (
	"fmt"
	"net/http"
	"strconv"

	sc "github.com/secondchance/secondchance"
)

// Settle reads the items ticked on the list of sold items.
func Settle(r *http.Request) ([]int64, error) {
	var ids []int64
	var errs sc.Errors
	for i, v := range r.PostForm["item"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, sc.FieldErrorf(fmt.Sprintf("items.%d", i), sc.EINVALID, "%q is not an item", v))
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 && len(errs) == 0 {
		errs = append(errs, sc.FieldErrorf("items", sc.EINVALID, "tick the items to settle"))
	}
	return ids, errs.Err()
}

// VoidCertificate reads the reason a certificate is void.
func VoidCertificate(r *http.Request) string { return r.PostForm.Get("reason") }
