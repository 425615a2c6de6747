package secondchance

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"
)

// Error codes of the weekly batch, appeals and overrides.
const (
	// EREPORTDECIDED: a reviewer cannot override a report a batch has already taken.
	EREPORTDECIDED = "REPORT_ALREADY_DECIDED"
	// EVERDICTREVERSED: the verdict was already reversed on appeal.
	EVERDICTREVERSED = "VERDICT_ALREADY_REVERSED"
)

// Week is an ISO week in UTC, written 2026-W48. One batch runs per week.
type Week struct {
	Year int
	Num  int
}

var weekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeek reads "2026-W48". A malformed or nonexistent week is INVALID on field "week".
func ParseWeek(s string) (Week, error) {
	m := weekPattern.FindStringSubmatch(s)
	if m == nil {
		return Week{}, FieldErrorf("week", EINVALID, "%q is not an ISO week such as 2026-W48", s)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	w := Week{Year: y, Num: n}
	if n < 1 || w.Start().AddDate(0, 0, 3).Year() != y { // ISO weeks are named after their Thursday's year
		return Week{}, FieldErrorf("week", EINVALID, "%d has no week %d", y, n)
	}
	return w, nil
}

// WeekOf returns the ISO week that t (in UTC) falls in.
func WeekOf(t time.Time) Week {
	y, n := t.UTC().ISOWeek()
	return Week{Year: y, Num: n}
}

func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Start is the Monday 00:00 UTC that opens the week.
func (w Week) Start() time.Time {
	jan4 := time.Date(w.Year, 1, 4, 0, 0, 0, 0, time.UTC) // always in ISO week 1
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End is the Monday 00:00 UTC that closes the week.
func (w Week) End() time.Time { return w.Start().AddDate(0, 0, 7) }

// Previous is the week before.
func (w Week) Previous() Week { return WeekOf(w.Start().Add(-time.Hour)) }

// Cutoff is the moment up to which a batch of week w run at now takes reports: the end of the
// week, or now when the week is still running. A week that has not begun is INVALID.
func (w Week) Cutoff(now time.Time) (time.Time, error) {
	if w.Start().After(now) {
		return time.Time{}, FieldErrorf("week", EINVALID, "week %s has not begun yet", w)
	}
	if w.End().After(now) {
		return now, nil
	}
	return w.End(), nil
}

// VerdictKind is what a batch decides for one buyer.
type VerdictKind string

// Verdicts, from mild to final.
const (
	VerdictNoAction      VerdictKind = "NO_ACTION"
	VerdictWarning       VerdictKind = "WARNING"
	VerdictSuspension    VerdictKind = "SUSPENSION"
	VerdictAccountClosed VerdictKind = "ACCOUNT_CLOSED"
)

// Valid reports whether v is a known verdict.
func (v VerdictKind) Valid() bool {
	switch v {
	case VerdictNoAction, VerdictWarning, VerdictSuspension, VerdictAccountClosed:
		return true
	}
	return false
}

// MarshalGQL writes the verdict as a GraphQL enum value.
func (v VerdictKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(v))) }

// UnmarshalGQL reads a GraphQL enum value into v.
func (v *VerdictKind) UnmarshalGQL(x any) error { return unmarshalEnum(x, v, VerdictKind.Valid) }

// BuyerStatus is the account status a verdict puts the buyer in.
func (v VerdictKind) BuyerStatus() BuyerStatus {
	switch v {
	case VerdictWarning:
		return BuyerWarned
	case VerdictSuspension:
		return BuyerSuspended
	case VerdictAccountClosed:
		return BuyerClosed
	}
	return BuyerActive
}

// Policy is the rule set that turns a buyer's reports into a verdict. It is stored with a
// version; every verdict records the version and the facts it used.
type Policy struct {
	Version int `json:"-"`
	// Distinct reporting sellers (this batch) that reach each verdict.
	WarningSellers    int `json:"warningSellers"`
	SuspensionSellers int `json:"suspensionSellers"`
	ClosureSellers    int `json:"closureSellers"`
	// Escalations from earlier sanctions within LookbackDays, and from extortion proven by evidence.
	SuspendAfterWarning         bool `json:"suspendAfterWarning"`
	CloseAfterSuspension        bool `json:"closeAfterSuspension"`
	SuspendOnEvidencedExtortion bool `json:"suspendOnEvidencedExtortion"`
	SuspensionDays              int  `json:"suspensionDays"`
	LookbackDays                int  `json:"lookbackDays"`
}

// DefaultPolicy is version 1: one seller and no earlier sanction warns; two sellers, a seller
// after a warning, or extortion with evidence suspends for 30 days; three sellers or any
// report after a suspension closes the account. Earlier sanctions count for 365 days.
var DefaultPolicy = Policy{Version: 1, WarningSellers: 1, SuspensionSellers: 2, ClosureSellers: 3,
	SuspendAfterWarning: true, CloseAfterSuspension: true, SuspendOnEvidencedExtortion: true,
	SuspensionDays: 30, LookbackDays: 365}

// maxPolicySellers bounds the seller counts of a policy: a threshold above it could never be met.
const maxPolicySellers = 100_000

// Validate checks that the thresholds make sense together.
func (p Policy) Validate() error {
	var f fieldErrors
	if p.WarningSellers < 1 {
		f.add("warningSellers", "must be at least 1")
	}
	if p.SuspensionSellers < p.WarningSellers {
		f.add("suspensionSellers", "must be at least warningSellers (%d)", p.WarningSellers)
	}
	if p.ClosureSellers < p.SuspensionSellers {
		f.add("closureSellers", "must be at least suspensionSellers (%d)", p.SuspensionSellers)
	}
	if p.ClosureSellers > maxPolicySellers {
		f.add("closureSellers", "must be at most %d", maxPolicySellers)
	}
	if p.SuspensionDays < 1 || p.SuspensionDays > 3650 {
		f.add("suspensionDays", "must be between 1 and 3650")
	}
	if p.LookbackDays < 0 || p.LookbackDays > 3650 {
		f.add("lookbackDays", "must be between 0 and 3650")
	}
	return f.Err()
}

// BuyerFacts is what the policy knows of one buyer in one batch.
type BuyerFacts struct {
	BuyerID int64 `json:"-"`
	// Counted over the batch's reports that no reviewer dismissed.
	Reports               int  `json:"reports"`
	DistinctSellers       int  `json:"distinctSellers"`
	EvidencedExtortion    bool `json:"evidencedExtortion"`
	WarnedWithinLookback  bool `json:"warnedWithinLookback"`
	SuspendedWithinLookbk bool `json:"suspendedWithinLookback"`
	// Pinned is a reviewer's verdict for this buyer, which the batch takes as it is.
	Pinned *VerdictKind `json:"pinned,omitempty"`
}

// Decide applies the policy to one buyer's facts. It is pure: the batch streams every buyer's
// facts through it.
func (p Policy) Decide(f BuyerFacts) VerdictKind {
	switch {
	case f.Pinned != nil:
		return *f.Pinned
	case f.Reports == 0 || f.DistinctSellers < p.WarningSellers:
		return VerdictNoAction
	case f.DistinctSellers >= p.ClosureSellers, p.CloseAfterSuspension && f.SuspendedWithinLookbk:
		return VerdictAccountClosed
	case f.DistinctSellers >= p.SuspensionSellers, p.SuspendAfterWarning && f.WarnedWithinLookback,
		p.SuspendOnEvidencedExtortion && f.EvidencedExtortion:
		return VerdictSuspension
	}
	return VerdictWarning
}

// JSONFacts is BuyerFacts stored as JSON on its verdict.
type JSONFacts BuyerFacts

// Value implements driver.Valuer.
func (f JSONFacts) Value() (driver.Value, error) {
	b, err := json.Marshal(f)
	return string(b), err
}

// Scan implements sql.Scanner.
func (f *JSONFacts) Scan(src any) error { return scanJSON(src, f) }

// Value implements driver.Valuer.
func (s BatchStats) Value() (driver.Value, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// Scan implements sql.Scanner.
func (s *BatchStats) Scan(src any) error { return scanJSON(src, s) }

func scanJSON(src, dst any) error {
	switch v := src.(type) {
	case []byte:
		return json.Unmarshal(v, dst)
	case string:
		return json.Unmarshal([]byte(v), dst)
	case nil:
		return nil
	}
	return fmt.Errorf("cannot scan %T as JSON", src)
}

// SuspensionEnds is when a suspension decided at t lifts.
func (p Policy) SuspensionEnds(t time.Time) time.Time { return t.AddDate(0, 0, p.SuspensionDays) }

// Batch is one week's run: the reports it took, the verdicts it reached and what they did.
type Batch struct {
	ID            int64      `db:"id"`
	Week          string     `db:"week"`
	Cutoff        time.Time  `db:"cutoff"`
	PolicyVersion int        `db:"policy_version"`
	StartedAt     time.Time  `db:"started_at"`
	CompletedAt   time.Time  `db:"completed_at"`
	Stats         BatchStats `db:"stats"`
}

// GlobalID is the batch's Relay ID.
func (b *Batch) GlobalID() string { return GlobalID(KindBatch, b.ID) }

// BatchStats counts what a batch did, and how long each step took.
type BatchStats struct {
	Reports            int          `json:"reports"`
	Upheld             int          `json:"upheld"`
	Dismissed          int          `json:"dismissed"`
	Buyers             int          `json:"buyers"`
	NoAction           int          `json:"noAction"`
	Warnings           int          `json:"warnings"`
	Suspensions        int          `json:"suspensions"`
	Closures           int          `json:"closures"`
	PurgedFeedback     int          `json:"purgedFeedback"`
	PurgedDisputes     int          `json:"purgedDisputes"`
	PurgedReturnClaims int          `json:"purgedReturnClaims"`
	ExcludedOrders     int          `json:"excludedOrders"`
	Digests            int          `json:"digests"`
	Steps              []StepTiming `json:"steps"`
}

// StepTiming is how long one step of a batch took.
type StepTiming struct {
	Step   string  `json:"step"`
	Millis float64 `json:"millis"`
}

// Verdict is a batch's decision for one buyer.
type Verdict struct {
	ID             int64       `db:"id"`
	BatchID        int64       `db:"batch_id"`
	BuyerID        int64       `db:"buyer_id"`
	Kind           VerdictKind `db:"verdict"`
	SuspendedUntil *time.Time  `db:"suspended_until"`
	PolicyVersion  int         `db:"policy_version"`
	Facts          JSONFacts   `db:"facts"`
	// PinnedByToken and PinReason are set when a reviewer pinned the verdict.
	PinnedByToken  *int64     `db:"pinned_by_token_id"`
	PinReason      string     `db:"pin_reason"`
	DecidedAt      time.Time  `db:"decided_at"`
	ReversedAt     *time.Time `db:"reversed_at"`
	ReversalReason string     `db:"reversal_reason"`
	ReversedBy     *int64     `db:"reversed_by_token_id"`
}

// GlobalID is the verdict's Relay ID.
func (v *Verdict) GlobalID() string { return GlobalID(KindVerdict, v.ID) }

// RedactForSeller drops what a seller with a report in the verdict may not read: the facts
// (other sellers' reports), the reviewers' reasons and who acted. The outcome stays.
func (v *Verdict) RedactForSeller() {
	v.Facts = JSONFacts{}
	v.PinnedByToken, v.PinReason = nil, ""
	v.ReversalReason, v.ReversedBy = "", nil
}

// Sanction is a status a verdict put a buyer in, from StartsAt until EndsAt (nil: for good)
// or until an appeal revoked it.
type Sanction struct {
	ID             int64       `db:"id"`
	BuyerID        int64       `db:"buyer_id"`
	VerdictID      int64       `db:"verdict_id"`
	Kind           VerdictKind `db:"kind"`
	StartsAt       time.Time   `db:"starts_at"`
	EndsAt         *time.Time  `db:"ends_at"`
	PreviousStatus BuyerStatus `db:"previous_status"`
	RevokedAt      *time.Time  `db:"revoked_at"`
}

// RunOptions tunes one run of the weekly batch.
type RunOptions struct {
	// DryRun computes everything and writes nothing.
	DryRun bool
	// Progress, when set, hears each step as it starts.
	Progress Progress
}

// BatchRun is what running a week returned.
type BatchRun struct {
	Batch *Batch
	// Existing is true when the week had already run: the batch is the one it made then.
	Existing bool
	DryRun   bool
	// Verdicts of a dry run (the first MaxDryRunVerdicts, by buyer): it writes nothing to page through.
	Verdicts []*Verdict
}

// MaxDryRunVerdicts bounds the verdicts a dry run lists; its stats count them all.
const MaxDryRunVerdicts = 1000

// Progress receives the progress of a long operation, one stage at a time.
type Progress interface {
	Begin(stage string, total int64)
	Add(n int64)
	End()
}

// VerdictFilter narrows the verdicts list.
type VerdictFilter struct {
	Batch   *int64 // a batch's ID
	Buyer   *int64 // a buyer's ID
	Verdict *VerdictKind
}

// PinInput pins a buyer's verdict for its next batch.
type PinInput struct {
	Buyer   int64 // the buyer's ID
	Verdict VerdictKind
	Reason  string
}

// BatchService runs the weekly batch and the reviews around it (admins; the scheduler and the
// command line act as the platform).
type BatchService interface {
	// RunBatch runs week, or the week that last ended by the service's clock when week is the
	// zero Week, so every caller (schedule, API, command line) defaults alike. A dry run's
	// batch has ID 0: it draws no batch number.
	RunBatch(ctx context.Context, week Week, opts RunOptions) (*BatchRun, error)
	ListBatches(ctx context.Context, page PageArgs) (*Page[*Batch], error)
	BatchesByID(ctx context.Context, ids []int64) ([]*Batch, error)
	ListVerdicts(ctx context.Context, f VerdictFilter, page PageArgs) (*Page[*Verdict], error)
	VerdictsByID(ctx context.Context, ids []int64) ([]*Verdict, error)
	SanctionsByBuyer(ctx context.Context, buyerIDs []int64) ([][]*Sanction, error)
	// DismissReport dismisses a PENDING report before the batch takes it.
	DismissReport(ctx context.Context, reportID int64, reason string) (*Report, error)
	// PinVerdict fixes a buyer's verdict for its next batch.
	PinVerdict(ctx context.Context, in PinInput) error
	// ReverseVerdict reverses a verdict on appeal and restores what it removed.
	ReverseVerdict(ctx context.Context, verdictID int64, reason string) (*Verdict, error)
	// CurrentPolicy returns the policy the next batch applies; SetPolicy stores a new version.
	CurrentPolicy(ctx context.Context) (*Policy, error)
	SetPolicy(ctx context.Context, p Policy) (*Policy, error)
	// ExcludeClosedBuyers makes sure every order of every CLOSED buyer is excluded from seller
	// indicators, and lifts suspensions that have ended. Idempotent; returns orders excluded.
	ExcludeClosedBuyers(ctx context.Context) (int, error)
}

// statusRank orders statuses from good to gone.
var statusRank = map[BuyerStatus]int{BuyerActive: 0, BuyerWarned: 1, BuyerSuspended: 2, BuyerClosed: 3}

// Worse returns the more severe of two statuses: a verdict never softens a status the buyer
// is already in.
func Worse(a, b BuyerStatus) BuyerStatus {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// StatusAfterReversal is a buyer's status once one of its sanctions is revoked on appeal: the
// status it had before that sanction, made worse by every other sanction still in force at now
// (a suspension only until it ends).
func StatusAfterReversal(before BuyerStatus, others []*Sanction, now time.Time) BuyerStatus {
	s := before
	for _, o := range others {
		if o.RevokedAt != nil || (o.EndsAt != nil && !o.EndsAt.After(now)) {
			continue
		}
		s = Worse(s, o.Kind.BuyerStatus())
	}
	return s
}

// Next is the week after.
func (w Week) Next() Week { return WeekOf(w.End().Add(time.Hour)) }
