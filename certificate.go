package secondchance

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CertificateKind says what a donation certificate covers: the items of one seller settled
// together (SETTLEMENT), or everything settled for a seller in a tax year (ANNUAL).
type CertificateKind string

// Certificate kinds.
const (
	CertificateSettlement CertificateKind = "SETTLEMENT"
	CertificateAnnual     CertificateKind = "ANNUAL"
)

// Valid reports whether k is a known kind.
func (k CertificateKind) Valid() bool { return k == CertificateSettlement || k == CertificateAnnual }

// MarshalGQL writes the kind as a GraphQL enum value.
func (k CertificateKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *CertificateKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, CertificateKind.Valid)
}

// CertificateStatus is what a verification says: VALID, VOID (replaced or withdrawn), or
// NOT_FOUND, which is also the answer to a wrong verification code.
type CertificateStatus string

// Certificate statuses.
const (
	CertificateValid    CertificateStatus = "VALID"
	CertificateVoid     CertificateStatus = "VOID"
	CertificateNotFound CertificateStatus = "NOT_FOUND"
)

// Valid reports whether s is a known status.
func (s CertificateStatus) Valid() bool {
	return s == CertificateValid || s == CertificateVoid || s == CertificateNotFound
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s CertificateStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value into s.
func (s *CertificateStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, CertificateStatus.Valid)
}

// Error codes of certificates.
const (
	// ENOTHINGSETTLED: no settled item is waiting for a certificate in the period asked for.
	ENOTHINGSETTLED = "NOTHING_SETTLED"
	// EALREADYVOID: the certificate was voided before.
	EALREADYVOID = "ALREADY_VOID"
	// ERATELIMITED: too many failed verifications from one client; try later.
	ERATELIMITED = "RATE_LIMITED"
)

// Certificate is an issued donation certificate. Its PDF is stored when issued and never
// changes; a wrong one is voided and replaced by a new one under a new serial.
type Certificate struct {
	ID               int64           `db:"id"`
	Serial           string          `db:"serial"`
	Kind             CertificateKind `db:"kind"`
	StoreID          int64           `db:"store_id"`
	SellerID         int64           `db:"seller_id"`
	SettlementID     *int64          `db:"settlement_id"`
	TaxYear          int             `db:"tax_year"`
	Currency         string          `db:"currency"`
	GrossCents       int64           `db:"gross_cents"`
	CostsCents       int64           `db:"costs_cents"`
	NetCents         int64           `db:"net_cents"`
	Items            int             `db:"items"`
	VerificationCode string          `db:"verification_code"`
	IssuedAt         time.Time       `db:"issued_at"`
	ReplacesID       *int64          `db:"replaces_id"`
	ReplacedByID     *int64          `db:"replaced_by_id"`
	VoidReason       *string         `db:"void_reason"`
	VoidedAt         *time.Time      `db:"voided_at"`
	PDFBytes         int             `db:"pdf_bytes"`
	EmailedAt        *time.Time      `db:"emailed_at"`
	DonorName        string          `db:"donor_name"`
	// Store is the issuing store when the statement that read the certificate joined it (any
	// token reads any store).
	Store *Store `db:"store"`
}

// GlobalID is the certificate's Relay ID.
func (c *Certificate) GlobalID() string { return GlobalID(KindCertificate, c.ID) }

// Status is VALID, or VOID once voided.
func (c *Certificate) Status() CertificateStatus {
	if c.VoidedAt != nil {
		return CertificateVoid
	}
	return CertificateValid
}

// Gross is what the certificate's items sold for.
func (c *Certificate) Gross() Money { return Money{Cents: c.GrossCents, Currency: c.Currency} }

// Costs is the store's processing costs of its items.
func (c *Certificate) Costs() Money { return Money{Cents: c.CostsCents, Currency: c.Currency} }

// Net is what was donated: gross less costs.
func (c *Certificate) Net() Money { return Money{Cents: c.NetCents, Currency: c.Currency} }

// SerialNumber formats a store's n-th certificate of a year, e.g. SCS-2026-000123.
func SerialNumber(store string, year int, n int64) string {
	return fmt.Sprintf("%s-%04d-%06d", store, year, n)
}

// NewVerificationCode returns a random code of 12 characters from an alphabet without look-alikes
// (60 bits), printed on the certificate and needed to verify it.
func NewVerificationCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" // 32 symbols: no 0/O, 1/I
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return string(b[:])
}

// Party is a donor, a store or a charity as printed on a certificate.
type Party struct {
	Name    string
	EIN     string
	Address PostalAddress
}

// CertificateDocument is everything a certificate's PDF shows; rendering is a pure function
// of it.
type CertificateDocument struct {
	Serial   string
	Kind     CertificateKind
	TaxYear  int
	IssuedAt time.Time
	// Replaces is the serial of the voided certificate this one replaces, if any.
	Replaces      string
	Donor         Party
	Store         Party
	Beneficiaries []CertificateBeneficiary
	Items         []CertificateItem
	Gross         Money
	Costs         Money
	Net           Money
	// VerificationCode and VerifyURL (which carries the code) let anyone check it.
	VerificationCode string
	VerifyURL        string
}

// CertificateBeneficiary is a charity and its share of the certificate's net proceeds.
type CertificateBeneficiary struct {
	Party
	Amount Money
}

// CertificateItem is one donated item.
type CertificateItem struct {
	Description string
	RMACode     string
	OrderNumber string
	Received    time.Time
	Sold        time.Time
	Gross       Money
	Costs       Money
	Net         Money
}

// Check verifies the document adds up before it is printed: every item's gross = costs + net,
// the items sum to the totals, and the charities' shares sum to the net, all in one currency.
func (d *CertificateDocument) Check() error {
	if len(d.Items) == 0 {
		return fmt.Errorf("certificate %s lists no items", d.Serial)
	}
	cur := d.Gross.Currency
	var gross, costs, net, shares int64
	for _, it := range d.Items {
		if it.Gross.Currency != cur || it.Costs.Currency != cur || it.Net.Currency != cur {
			return fmt.Errorf("certificate %s mixes currencies", d.Serial)
		}
		if it.Gross.Cents != it.Costs.Cents+it.Net.Cents {
			return fmt.Errorf("certificate %s: item %q: gross %s is not costs %s + net %s", d.Serial, it.Description, it.Gross, it.Costs, it.Net)
		}
		gross, costs, net = gross+it.Gross.Cents, costs+it.Costs.Cents, net+it.Net.Cents
	}
	for _, b := range d.Beneficiaries {
		if b.Amount.Currency != cur {
			return fmt.Errorf("certificate %s mixes currencies", d.Serial)
		}
		shares += b.Amount.Cents
	}
	if gross != d.Gross.Cents || costs != d.Costs.Cents || net != d.Net.Cents || d.Costs.Currency != cur || d.Net.Currency != cur {
		return fmt.Errorf("certificate %s: totals %s / %s / %s are not the items' sums", d.Serial, d.Gross, d.Costs, d.Net)
	}
	if shares != net {
		return fmt.Errorf("certificate %s: the charities' shares add up to %d cents, not the net %d", d.Serial, shares, net)
	}
	return nil
}

// CertificateVerification is what the public learns about a certificate with its code.
type CertificateVerification struct {
	Serial     string
	Status     CertificateStatus
	DonorName  *string
	IssuedAt   *time.Time
	Gross      *Money
	Net        *Money
	Charities  []string
	StoreName  string
	VoidReason *string
	ReplacedBy *string
	TaxYear    *int
	Kind       *CertificateKind
}

// CertificateFilter narrows a list of certificates.
type CertificateFilter struct {
	Kind    *CertificateKind
	Status  *CertificateStatus
	TaxYear *int
	Seller  *int64 // a seller's ID; admins and staff only
}

// CertificateService issues, lists and verifies certificates.
type CertificateService interface {
	Certificates(ctx context.Context, f CertificateFilter, p PageArgs) (*Page[*Certificate], error)
	CertificatesByID(ctx context.Context, ids []int64) ([]*Certificate, error)
	// CertificatesByItem returns each item's settlement certificate in force (nil when none,
	// or when the actor may not see it), in the order of itemIDs.
	CertificatesByItem(ctx context.Context, itemIDs []int64) ([]*Certificate, error)
	VoidCertificate(ctx context.Context, certificate int64, reason string) (voided, replacement *Certificate, err error)
	VerifyCertificate(ctx context.Context, client, serial, code string) (*CertificateVerification, error)
	IssueCertificates(ctx context.Context, req IssueRequest, progress func(done, total int)) (*IssueResult, error)
	// SetDonorDetails sets the acting seller's legal name and address for its certificates.
	SetDonorDetails(ctx context.Context, d DonorDetails) error
}

// Links are the URLs the API hands out: signed, expiring links to PDFs, and the public
// verification page.
type Links interface {
	CertificatePDF(serial string) string
	ReturnLabelPDF(code string) string
	Verify(serial, code string) string
	// LotReceiptPDF is the signed link to a paid lot's buyer's receipt.
	LotReceiptPDF(lot int64) string
}

// DocumentRenderer turns documents into PDF bytes; pdf.Renderer is one.
type DocumentRenderer interface {
	Certificate(c *CertificateDocument) ([]byte, error)
	ReturnLabel(l *ReturnLabel) ([]byte, error)
	// Receipt renders a paid lot's buyer's receipt.
	Receipt(r *ReceiptDocument) ([]byte, error)
	// PriceTag renders an item's thermal price tag.
	PriceTag(t *PriceTag) ([]byte, error)
	// StampVoid marks a void certificate's stored PDF VOID on every page, leaving the
	// original bytes a prefix of the result.
	StampVoid(original []byte, v *VoidNotice) ([]byte, error)
}

// VoidNotice is what the download of a void certificate is stamped with, so a copy passed
// on cannot be taken for one in force.
type VoidNotice struct {
	Serial   string
	VoidedAt time.Time
	Reason   string
	// ReplacedBy is the serial of the certificate that replaces it; "" when none does.
	ReplacedBy string
}

// IssueRequest says which certificates to issue. SETTLEMENT issues, per seller, store and
// settlement, the certificates of items settled without one: those of one settlement, or those
// settled from From to To (a zero From is the beginning, a zero To now: everything due).
// ANNUAL issues each seller's summary of TaxYear (0: the last year that is over), unless a
// valid one exists.
type IssueRequest struct {
	Kind       CertificateKind
	Settlement *int64
	From, To   time.Time
	TaxYear    int
	// Store limits the run to one store (staff always run for their own).
	Store *int64
}

// LastTaxYear is the tax year that last ended at now: the calendar year before, in UTC.
func LastTaxYear(now time.Time) int { return now.UTC().Year() - 1 }

// Validate checks the request's period at now. An annual summary is of a tax year that is over:
// one issued earlier would miss the rest of the year's items and never be completed, since
// the run skips sellers who already have theirs.
func (r IssueRequest) Validate(now time.Time) error {
	switch r.Kind {
	case CertificateSettlement:
		if r.Settlement == nil && !r.From.Before(r.To) {
			return FieldErrorf("to", EINVALID, "the period must end after it starts (from %s, to %s)", r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
		}
	case CertificateAnnual:
		if r.TaxYear < 2000 || r.TaxYear > 9999 {
			return FieldErrorf("taxYear", EINVALID, "%d is not a tax year", r.TaxYear)
		}
		if r.TaxYear > LastTaxYear(now) {
			return FieldErrorf("taxYear", EINVALID, "tax year %d is not over yet; its annual summaries can be issued from 1 January %d", r.TaxYear, r.TaxYear+1)
		}
	default:
		return FieldErrorf("kind", EINVALID, "%q is not a certificate kind", r.Kind)
	}
	return nil
}

// IssueResult is what a run issued.
type IssueResult struct {
	// TaxYear is the year an ANNUAL run summarised: the one asked for, or the default.
	TaxYear int
	Serials []string
	Items   int
	// Raced counts certificates another run issued first for the same items; their serials
	// were used up unprinted.
	Raced int
}

// Verification limits: a client whose codes fail this often within the window is refused
// until the window has passed, which makes guessing a 60-bit code hopeless.
const (
	VerifyFailureLimit  = 10
	VerifyFailureWindow = 10 * time.Minute
)

// DonorDetails are what a seller's certificates print as the donor: its legal name and
// address.
type DonorDetails struct {
	LegalName    string
	AddressLine1 string
	AddressLine2 *string
	City         string
	Region       string
	PostalCode   string
	Country      string
}

// Validate checks every field and reports all problems at once.
func (d *DonorDetails) Validate() error {
	var f fieldErrors
	checkText(f.add, "legalName", d.LegalName, 1, 200)
	checkText(f.add, "addressLine1", d.AddressLine1, 1, 200)
	if d.AddressLine2 != nil {
		checkText(f.add, "addressLine2", *d.AddressLine2, 0, 200)
	}
	checkText(f.add, "city", d.City, 1, 100)
	checkText(f.add, "region", d.Region, 0, 100)
	checkText(f.add, "postalCode", d.PostalCode, 0, 20)
	if len(d.Country) != 2 || strings.ToUpper(d.Country) != d.Country {
		f.add("country", "%q is not an ISO 3166 country code such as US", d.Country)
	}
	return f.Err()
}
