package secondchance

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Error codes of reporting, each a rule a seller frontend explains differently.
const (
	// EORDERNOTOWNED: the order belongs to another seller.
	EORDERNOTOWNED = "ORDER_NOT_OWNED"
	// EREPORTINGWINDOWCLOSED: the order is older than the reporting window.
	EREPORTINGWINDOWCLOSED = "REPORTING_WINDOW_CLOSED"
	// EBUYERCLOSED: the buyer's account is already closed; there is nothing left to sanction.
	EBUYERCLOSED = "BUYER_CLOSED"
	// EREPORTNOTPENDING: the report has left PENDING, so it can no longer be withdrawn.
	EREPORTNOTPENDING = "REPORT_NOT_PENDING"
)

// Limits of a report.
const (
	MaxDescription       = 5000
	MaxEvidenceItems     = 20
	MaxEvidenceValue     = 2000
	DefaultReportingDays = 180
)

// ReportReason is why a seller reports a buyer.
type ReportReason string

// Report reasons.
const (
	ReasonFalseNotReceivedClaim   ReportReason = "FALSE_NOT_RECEIVED_CLAIM"
	ReasonEmptyBoxOrSwappedReturn ReportReason = "EMPTY_BOX_OR_SWAPPED_RETURN"
	ReasonItemDamagedByBuyer      ReportReason = "ITEM_DAMAGED_BY_BUYER"
	ReasonFeedbackExtortion       ReportReason = "FEEDBACK_EXTORTION"
	ReasonChargebackAbuse         ReportReason = "CHARGEBACK_ABUSE"
	ReasonSerialReturns           ReportReason = "SERIAL_RETURNS"
	ReasonOther                   ReportReason = "OTHER"
)

// ReportReasons lists every reason.
var ReportReasons = []ReportReason{ReasonFalseNotReceivedClaim, ReasonEmptyBoxOrSwappedReturn, ReasonItemDamagedByBuyer,
	ReasonFeedbackExtortion, ReasonChargebackAbuse, ReasonSerialReturns, ReasonOther}

// Valid reports whether r is a known reason.
func (r ReportReason) Valid() bool {
	for _, k := range ReportReasons {
		if r == k {
			return true
		}
	}
	return false
}

// MarshalGQL writes the reason as a GraphQL enum value.
func (r ReportReason) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *ReportReason) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, ReportReason.Valid) }

// ReportStatus is where a report is in its life: PENDING → IN_BATCH → UPHELD | DISMISSED, or
// WITHDRAWN by the seller while pending.
type ReportStatus string

// Report statuses.
const (
	ReportPending   ReportStatus = "PENDING"
	ReportInBatch   ReportStatus = "IN_BATCH"
	ReportUpheld    ReportStatus = "UPHELD"
	ReportDismissed ReportStatus = "DISMISSED"
	ReportWithdrawn ReportStatus = "WITHDRAWN"
)

// Valid reports whether s is a known status.
func (s ReportStatus) Valid() bool {
	switch s {
	case ReportPending, ReportInBatch, ReportUpheld, ReportDismissed, ReportWithdrawn:
		return true
	}
	return false
}

// Live reports whether a report in this status still counts as the seller's one report for its
// order and reason: reporting the same again returns it instead of making another.
func (s ReportStatus) Live() bool { return s == ReportPending || s == ReportInBatch }

// MarshalGQL writes the status as a GraphQL enum value.
func (s ReportStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *ReportStatus) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, ReportStatus.Valid) }

// EvidenceKind is what one piece of evidence is.
type EvidenceKind string

// Evidence kinds.
const (
	EvidencePhotoURL       EvidenceKind = "PHOTO_URL"
	EvidenceTrackingNumber EvidenceKind = "TRACKING_NUMBER"
	EvidenceMessageExcerpt EvidenceKind = "MESSAGE_EXCERPT"
	EvidenceDocumentURL    EvidenceKind = "DOCUMENT_URL"
)

// Valid reports whether k is a known kind.
func (k EvidenceKind) Valid() bool {
	switch k {
	case EvidencePhotoURL, EvidenceTrackingNumber, EvidenceMessageExcerpt, EvidenceDocumentURL:
		return true
	}
	return false
}

// MarshalGQL writes the kind as a GraphQL enum value.
func (k EvidenceKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *EvidenceKind) UnmarshalGQL(v any) error { return unmarshalEnum(v, k, EvidenceKind.Valid) }

// Evidence is one item a seller attaches to a report.
type Evidence struct {
	Kind  EvidenceKind `json:"kind"`
	Value string       `json:"value"`
}

// EvidenceList is a report's evidence, stored as a JSON array.
type EvidenceList []Evidence

// Value implements driver.Valuer.
func (l EvidenceList) Value() (driver.Value, error) {
	if l == nil {
		l = EvidenceList{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *EvidenceList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*l = EvidenceList{}
		return nil
	default:
		return errors.New("evidence: unexpected column type")
	}
	return json.Unmarshal(b, l)
}

// trackingNumber matches the carriers' formats once spaces are removed: UPS (1Z + 16), USPS
// (20–22 digits, or 2 letters + 9 digits + US), FedEx (12–15 digits), DHL (10 digits) and other
// letters-and-digits numbers of 8 to 40 characters.
var trackingNumber = regexp.MustCompile(`^[A-Z0-9]{8,40}$`)

// NormalizeTrackingNumber returns a carrier's tracking number without spaces, in upper case, or
// INVALID when it cannot be one.
func NormalizeTrackingNumber(s string) (string, error) {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !trackingNumber.MatchString(v) {
		return "", Errorf(EINVALID, "%q is not a tracking number: 8 to 40 letters and digits", s)
	}
	return v, nil
}

// normalize returns the evidence as stored (tracking numbers without spaces, upper case) or an
// INVALID error on field "value".
func (e Evidence) normalize() (Evidence, error) {
	bad := func(format string, args ...any) (Evidence, error) {
		return e, FieldErrorf("value", EINVALID, format, args...)
	}
	if !e.Kind.Valid() {
		return e, FieldErrorf("kind", EINVALID, "unknown evidence kind %q", e.Kind)
	}
	v := strings.TrimSpace(e.Value)
	if v == "" {
		return bad("evidence value is required")
	}
	if utf8.RuneCountInString(v) > MaxEvidenceValue {
		return bad("evidence value is longer than %d characters", MaxEvidenceValue)
	}
	switch e.Kind {
	case EvidencePhotoURL, EvidenceDocumentURL:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " \t\n") {
			return bad("%q is not an http(s) URL such as https://example.com/photo.jpg", v)
		}
	case EvidenceTrackingNumber:
		n, err := NormalizeTrackingNumber(v)
		if err != nil {
			return bad("%s", ErrorMessage(err))
		}
		v = n
	}
	return Evidence{Kind: e.Kind, Value: v}, nil
}

// Report is a seller's report of the buyer of one of its orders.
type Report struct {
	ID          int64        `db:"id"`
	SellerID    int64        `db:"seller_id"`
	OrderID     int64        `db:"order_id"`
	BuyerID     int64        `db:"buyer_id"`
	Reason      ReportReason `db:"reason"`
	Description string       `db:"description"`
	Evidence    EvidenceList `db:"evidence"`
	Status      ReportStatus `db:"status"`
	CreatedAt   time.Time    `db:"created_at"`
	UpdatedAt   time.Time    `db:"updated_at"`
	DecidedAt   *time.Time   `db:"decided_at"`
	BatchID     *int64       `db:"batch_id"`
	VerdictID   *int64       `db:"verdict_id"`
	// Order is the reported order, and Seller and Buyer its parties, when the query that read
	// the report joined them.
	Order  *Order  `db:"order"`
	Seller *Seller `db:"seller"`
	Buyer  *Buyer  `db:"buyer"`
}

// GlobalID is the report's Relay ID.
func (r *Report) GlobalID() string { return GlobalID(KindReport, r.ID) }

// ReportOutcome is the weekly batch's decision on a report.
type ReportOutcome string

// Report outcomes.
const (
	OutcomeUpheld    ReportOutcome = "UPHELD"
	OutcomeDismissed ReportOutcome = "DISMISSED"
)

// Valid reports whether o is a known outcome.
func (o ReportOutcome) Valid() bool { return o == OutcomeUpheld || o == OutcomeDismissed }

// MarshalGQL writes the outcome as a GraphQL enum value.
func (o ReportOutcome) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL reads a GraphQL enum value into o.
func (o *ReportOutcome) UnmarshalGQL(v any) error { return unmarshalEnum(v, o, ReportOutcome.Valid) }

// Outcome is the batch's decision on the report, nil until decided.
func (r *Report) Outcome() *ReportOutcome {
	if r.Status == ReportUpheld || r.Status == ReportDismissed {
		o := ReportOutcome(r.Status)
		return &o
	}
	return nil
}

// ReportEvent is one step of a report's timeline.
type ReportEvent struct {
	ReportID int64        `db:"report_id"`
	Status   ReportStatus `db:"status"`
	At       time.Time    `db:"at"`
	Note     string       `db:"note"`
}

// ReportInput is a seller's report as its frontend sends it.
type ReportInput struct {
	OrderNumber string
	Reason      ReportReason
	Description string
	Evidence    []Evidence
}

// Validate checks the input and normalises its evidence.
func (in *ReportInput) Validate() error {
	var f fieldErrors
	checkNumber(f.add, "orderNumber", in.OrderNumber)
	if !in.Reason.Valid() {
		f.add("reason", "unknown reason %q", in.Reason)
	}
	checkLongText(f.add, "description", in.Description, 1, MaxDescription)
	if len(in.Evidence) > MaxEvidenceItems {
		f.add("evidence", "at most %d evidence items, got %d", MaxEvidenceItems, len(in.Evidence))
	} else {
		for i, e := range in.Evidence {
			n, err := e.normalize()
			f.Errors = append(f.Errors, prefixed("evidence."+strconv.Itoa(i)+".", err)...)
			in.Evidence[i] = n
		}
	}
	return f.Err()
}

// ReportableUntil is the last moment an order can be reported: the reporting window after it
// was placed.
func ReportableUntil(o *Order, window time.Duration) time.Time { return o.PlacedAt.Add(window) }

// ReportFilter narrows the reports list.
type ReportFilter struct {
	Status        *ReportStatus
	Reason        *ReportReason
	Buyer         *int64  // a buyer's ID
	SellerNumber  *string // admins
	BuyerNumber   *string // admins
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}

// BuyerReportStats counts the reports against one buyer (admins).
type BuyerReportStats struct {
	BuyerID         int64 `db:"buyer_id"`
	Reports         int   `db:"reports"`
	LiveReports     int   `db:"live_reports"`
	DistinctSellers int   `db:"distinct_sellers"`
}

// ReportService files and reads reports. A seller files reports on its own orders and reads
// its own reports; admins read all.
type ReportService interface {
	// ReportBuyer files a report, or returns the live report of the same seller, order and
	// reason (created is false then).
	ReportBuyer(ctx context.Context, in ReportInput) (r *Report, created bool, err error)
	// WithdrawReport withdraws a PENDING report of the actor's.
	WithdrawReport(ctx context.Context, id int64) (*Report, error)
	// ListReports pages through visible reports, newest first.
	ListReports(ctx context.Context, f ReportFilter, page PageArgs) (*Page[*Report], error)
	// ReportsByID returns visible reports in the order of ids, nil where not visible.
	ReportsByID(ctx context.Context, ids []int64) ([]*Report, error)
	// ReportEventsByReport returns the timelines of visible reports, oldest step first.
	ReportEventsByReport(ctx context.Context, ids []int64) ([][]*ReportEvent, error)
	// BuyerReportStats counts the reports against buyers (admins).
	BuyerReportStats(ctx context.Context, buyerIDs []int64) ([]*BuyerReportStats, error)
}

// EvidenceItems is the evidence as pointers, the shape GraphQL lists take.
func (r *Report) EvidenceItems() []*Evidence {
	out := make([]*Evidence, len(r.Evidence))
	for i := range r.Evidence {
		out[i] = &r.Evidence[i]
	}
	return out
}

// StringList is a list of strings read as a JSON array (the storage layer selects text[]
// columns with to_json).
type StringList []string

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error { return scanJSON(src, l) }
