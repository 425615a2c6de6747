package form

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// Route reads the routing form: a route, or "" for the store's default.
func Route(r *http.Request) *sc.Route {
	v := sc.Route(r.PostForm.Get("route"))
	if v == "" {
		return nil
	}
	return &v
}

// Sale reads the sale form: the price and the channel; the store sells in its currency.
func Sale(r *http.Request, item int64) sc.SaleInput {
	return sc.SaleInput{Item: item, Channel: r.PostForm.Get("channel"),
		Price: sc.MoneyInput{Amount: strings.TrimSpace(r.PostForm.Get("price.amount")), Currency: sc.DefaultCurrency}}
}

// SaleFields are its inputs.
var SaleFields = []string{"price.amount", "channel"}

// Void reads the form that voids a sale: which sale, and why.
func Void(r *http.Request) (sale int64, reason string, err error) {
	sale, perr := strconv.ParseInt(r.PostForm.Get("sale"), 10, 64)
	if perr != nil {
		return 0, "", sc.FieldErrorf("sale", sc.EINVALID, "the form names no sale; reload the page")
	}
	return sale, r.PostForm.Get("reason"), nil
}

// PriceTag reads the price to print on a tag, if one was typed (a GET form: q is the query).
func PriceTag(q url.Values) *sc.MoneyInput {
	amount := strings.TrimSpace(q.Get("tagPrice"))
	if amount == "" {
		return nil
	}
	return &sc.MoneyInput{Amount: amount, Currency: sc.DefaultCurrency}
}

// ItemStatus reads the status filter of the items list: nil for all.
func ItemStatus(q url.Values) (*sc.ItemStatus, error) {
	v := q.Get("status")
	if v == "" {
		return nil, nil
	}
	for _, s := range sc.ItemStatuses {
		if string(s) == v {
			return &s, nil
		}
	}
	return nil, sc.FieldErrorf("status", sc.EINVALID, "%q is not an item status", v)
}
