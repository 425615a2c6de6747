package secondchance

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Grade is the condition staff find a returned item in.
type Grade string

// Grades, from best to worst.
const (
	GradeNew        Grade = "NEW"
	GradeLikeNew    Grade = "LIKE_NEW"
	GradeGood       Grade = "GOOD"
	GradeFair       Grade = "FAIR"
	GradePoor       Grade = "POOR"
	GradeUnsellable Grade = "UNSELLABLE"
)

// Valid reports whether g is a known grade.
func (g Grade) Valid() bool {
	switch g {
	case GradeNew, GradeLikeNew, GradeGood, GradeFair, GradePoor, GradeUnsellable:
		return true
	}
	return false
}

// MarshalGQL writes the grade as a GraphQL enum value.
func (g Grade) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(g))) }

// UnmarshalGQL reads a GraphQL enum value into g.
func (g *Grade) UnmarshalGQL(v any) error { return unmarshalEnum(v, g, Grade.Valid) }

// DiscrepancyKind is how a parcel differs from its return authorisation.
type DiscrepancyKind string

// Discrepancy kinds.
const (
	DiscrepancyMissingItem   DiscrepancyKind = "MISSING_ITEM"
	DiscrepancyDifferentItem DiscrepancyKind = "DIFFERENT_ITEM"
	DiscrepancyEmptyBox      DiscrepancyKind = "EMPTY_BOX"
)

// MarshalGQL writes the kind as a GraphQL enum value.
func (k DiscrepancyKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *DiscrepancyKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, func(k DiscrepancyKind) bool {
		return k == DiscrepancyMissingItem || k == DiscrepancyDifferentItem || k == DiscrepancyEmptyBox
	})
}

// Parcel is what a store received: matched to a return authorisation, or not.
type Parcel struct {
	ID             int64     `db:"id"`
	StoreID        int64     `db:"store_id"`
	RMAID          *int64    `db:"rma_id"`
	TrackingNumber *string   `db:"tracking_number"`
	Notes          string    `db:"notes"`
	ReceivedAt     time.Time `db:"received_at"`
	// Logged are the items ReceiveParcel just logged, so the API answers with them without
	// reading them back; nil on parcels read from the database.
	Logged []*ReturnedItem `db:"-"`
}

// GlobalID is the parcel's Relay ID.
func (p *Parcel) GlobalID() string { return GlobalID(KindParcel, p.ID) }

// Matched reports whether the parcel came with a known return authorisation.
func (p *Parcel) Matched() bool { return p.RMAID != nil }

// ReturnedItem is one item found in a parcel.
type ReturnedItem struct {
	ID          int64      `db:"id"`
	ParcelID    int64      `db:"parcel_id"`
	Line        int        `db:"line"`
	RMALine     *int       `db:"rma_line"`
	Description string     `db:"description"`
	Grade       Grade      `db:"grade"`
	Notes       string     `db:"notes"`
	PhotoURLs   StringList `db:"photo_urls"`
	Route       *Route     `db:"route"`
	Status      ItemStatus `db:"status"`
}

// GlobalID is the item\'s Relay ID.
func (i *ReturnedItem) GlobalID() string { return GlobalID(KindItem, i.ID) }

// Discrepancy is a way the parcel differs from its authorisation.
type Discrepancy struct {
	ParcelID int64           `db:"parcel_id"`
	Seq      int             `db:"seq"`
	Kind     DiscrepancyKind `db:"kind"`
	RMALine  *int            `db:"rma_line"`
	Note     string          `db:"note"`
}

// ReceivedItemInput is one item as staff log it.
type ReceivedItemInput struct {
	// RMALine is the authorisation's line the item answers to; nil for an item not on it.
	RMALine     *int
	Description string
	Grade       Grade
	Notes       *string
	PhotoURLs   []string
	// DiffersFromRMA flags an item that is not what its line describes (a swap).
	DiffersFromRMA *bool
}

// ParcelInput is a parcel as staff receive it: by RMA code or tracking number, or neither for
// a parcel that came without one (logged UNMATCHED).
type ParcelInput struct {
	RMACode        *string
	TrackingNumber *string
	Items          []ReceivedItemInput
	Notes          *string
}

// Validate checks what staff logged; the authorisation's lines are checked by the store.
func (in *ParcelInput) Validate() error {
	var f fieldErrors
	if len(in.Items) > MaxRMAItems*2 {
		f.add("items", "at most %d items per parcel", MaxRMAItems*2)
	}
	if in.Notes != nil {
		checkLongText(f.add, "notes", *in.Notes, 0, 2000)
	}
	if in.TrackingNumber != nil {
		n, err := NormalizeTrackingNumber(*in.TrackingNumber)
		if err != nil {
			f.add("trackingNumber", "%s", ErrorMessage(err))
		} else {
			in.TrackingNumber = &n
		}
	}
	for i, it := range in.Items {
		p := fmt.Sprintf("items.%d.", i)
		checkText(f.add, p+"description", it.Description, 1, 500)
		if !it.Grade.Valid() {
			f.add(p+"grade", "unknown grade %q", it.Grade)
		}
		if it.Notes != nil {
			checkLongText(f.add, p+"notes", *it.Notes, 0, 2000)
		}
		if len(it.PhotoURLs) > 20 {
			f.add(p+"photoUrls", "at most 20 photos")
		}
		for j, u := range it.PhotoURLs {
			if _, err := (Evidence{Kind: EvidencePhotoURL, Value: u}).normalize(); err != nil {
				f.add(fmt.Sprintf("%sphotoUrls.%d", p, j), "%s", ErrorMessage(err))
			}
		}
	}
	return f.Err()
}

// Discrepancies compares what a parcel holds with its authorisation's lines: a line nothing
// answers to is missing, an item on no line or flagged as different is a different item, and
// a parcel with nothing in it is an empty box. Pure, so the rule is tested on its own.
func Discrepancies(rmaLines []int, items []ReceivedItemInput) []Discrepancy {
	if len(items) == 0 {
		return []Discrepancy{{Kind: DiscrepancyEmptyBox, Note: "the parcel held nothing"}}
	}
	var out []Discrepancy
	seen := map[int]bool{}
	for i, it := range items {
		switch {
		case it.RMALine == nil:
			out = append(out, Discrepancy{Kind: DiscrepancyDifferentItem, Note: fmt.Sprintf("item %d (%s) is not on the authorisation", i+1, it.Description)})
		case it.DiffersFromRMA != nil && *it.DiffersFromRMA:
			l := *it.RMALine
			out = append(out, Discrepancy{Kind: DiscrepancyDifferentItem, RMALine: &l, Note: fmt.Sprintf("item %d (%s) is not what line %d describes", i+1, it.Description, l)})
			seen[l] = true
		default:
			seen[*it.RMALine] = true
		}
	}
	for _, l := range rmaLines {
		if !seen[l] {
			l := l
			out = append(out, Discrepancy{Kind: DiscrepancyMissingItem, RMALine: &l, Note: fmt.Sprintf("nothing answers to line %d", l)})
		}
	}
	for i := range out {
		out[i].Seq = i + 1
	}
	return out
}

// IntakeService is the store's receiving: staff of a store receive parcels returned to it.
type IntakeService interface {
	ReceiveParcel(ctx context.Context, in ParcelInput) (*Parcel, error)
	ParcelsByID(ctx context.Context, ids []int64) ([]*Parcel, error)
	ParcelsByRMA(ctx context.Context, rmaIDs []int64) ([]*Parcel, error)
	ParcelItems(ctx context.Context, parcelIDs []int64) ([][]*ReturnedItem, error)
	ParcelDiscrepancies(ctx context.Context, parcelIDs []int64) ([][]*Discrepancy, error)
	// ParcelCandidates lists, per unmatched parcel, the open authorisations of its store that
	// carry its tracking number (staff and admins): more than one, and intake matched none.
	ParcelCandidates(ctx context.Context, parcelIDs []int64) ([][]*ReturnAuthorization, error)
	ListParcels(ctx context.Context, unmatchedOnly bool, page PageArgs) (*Page[*Parcel], error)
}

// MatchInput matches an unmatched parcel to its return authorisation once staff find it, and
// says which authorisation line each item of the parcel answers to.
type MatchInput struct {
	Parcel  int64 // the parcel's ID
	RMACode string
	Lines   []LineMatch
}

// LineMatch pairs an item of the parcel (its line) with a line of the authorisation.
type LineMatch struct {
	Item    int
	RMALine int
}

// ParcelMatcher matches parcels logged without a return authorisation.
type ParcelMatcher interface {
	MatchParcel(ctx context.Context, in MatchInput) (*Parcel, error)
}
