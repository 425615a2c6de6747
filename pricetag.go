package secondchance

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PriceTag is what the thermal price tag of an item prints (2.25 × 1.25 inch labels): the
// item's code as a Code 128 barcode and in words, what it is, its grade and, when staff give
// one, its asking price.
type PriceTag struct {
	Code        string
	Description string
	Grade       Grade
	Price       *Money
	StoreName   string
	PrintedAt   time.Time
}

// ItemCode is the code an item's tag carries and the items page takes: I and its ID.
func ItemCode(id int64) string { return fmt.Sprintf("I%06d", id) }

// ParseItemCode reads an item code as ItemCode writes it, or a bare ID, as typed or scanned;
// anything else is INVALID on field.
func ParseItemCode(field, s string) (int64, error) {
	s = strings.TrimSpace(s)
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "I"), "i")
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return 0, FieldErrorf(field, EINVALID, "%q is not an item code such as %s", truncate(s, 40), ItemCode(42))
	}
	return id, nil
}

// PriceTagService renders items' price tags.
type PriceTagService interface {
	// PriceTagPDF renders the tag of an item of the staff's store, with price when not nil.
	PriceTagPDF(ctx context.Context, item int64, price *MoneyInput) ([]byte, error)
}
