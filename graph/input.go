package graph

import (
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
)

// The inputs below carry global IDs, as clients send them; the services take internal IDs.
// Each Domain method decodes the IDs into the domain's input, naming the input field of a
// malformed one (INVALID), so the services never see a global ID.

// VerdictFilter is the verdicts list's filter as sent.
type VerdictFilter struct {
	Batch   *string
	Buyer   *string
	Verdict *sc.VerdictKind
}

// Domain decodes the filter.
func (f *VerdictFilter) Domain() (sc.VerdictFilter, error) {
	if f == nil {
		return sc.VerdictFilter{}, nil
	}
	batch, err := optionalID(f.Batch, sc.KindBatch, "filter.batch")
	if err != nil {
		return sc.VerdictFilter{}, err
	}
	buyer, err := optionalID(f.Buyer, sc.KindBuyer, "filter.buyer")
	return sc.VerdictFilter{Batch: batch, Buyer: buyer, Verdict: f.Verdict}, err
}

// CertificateFilter is the certificates list's filter as sent.
type CertificateFilter struct {
	Kind    *sc.CertificateKind
	Status  *sc.CertificateStatus
	TaxYear *int
	Seller  *string
}

// Domain decodes the filter.
func (f *CertificateFilter) Domain() (sc.CertificateFilter, error) {
	if f == nil {
		return sc.CertificateFilter{}, nil
	}
	seller, err := optionalID(f.Seller, sc.KindSeller, "filter.seller")
	return sc.CertificateFilter{Kind: f.Kind, Status: f.Status, TaxYear: f.TaxYear, Seller: seller}, err
}

// ReportFilter is the reports list's filter as sent.
type ReportFilter struct {
	Status        *sc.ReportStatus
	Reason        *sc.ReportReason
	Buyer         *string
	SellerNumber  *string
	BuyerNumber   *string
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}

// Domain decodes the filter.
func (f *ReportFilter) Domain() (sc.ReportFilter, error) {
	if f == nil {
		return sc.ReportFilter{}, nil
	}
	buyer, err := optionalID(f.Buyer, sc.KindBuyer, "filter.buyer")
	return sc.ReportFilter{Status: f.Status, Reason: f.Reason, Buyer: buyer, SellerNumber: f.SellerNumber,
		BuyerNumber: f.BuyerNumber, CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore}, err
}

// CreateReturnAuthorizationInput is a seller's request for a return authorisation as sent.
type CreateReturnAuthorizationInput struct {
	OrderNumber string
	Items       []sc.RMAItemInput
	Report      *string
}

// Domain decodes the input.
func (in CreateReturnAuthorizationInput) Domain() (sc.RMAInput, error) {
	report, err := optionalID(in.Report, sc.KindReport, "report")
	return sc.RMAInput{OrderNumber: in.OrderNumber, Items: in.Items, Report: report}, err
}

// MatchParcelInput matches an unmatched parcel, as sent.
type MatchParcelInput struct {
	Parcel  string
	RMACode string
	Lines   []sc.LineMatch
}

// Domain decodes the input.
func (in MatchParcelInput) Domain() (sc.MatchInput, error) {
	parcel, err := sc.ParseGlobalIDOf(in.Parcel, sc.KindParcel, "parcel")
	return sc.MatchInput{Parcel: parcel, RMACode: in.RMACode, Lines: in.Lines}, err
}

// RecordSaleInput is a direct sale as sent.
type RecordSaleInput struct {
	Item    string
	Price   sc.MoneyInput
	Channel string
	SoldAt  *time.Time
}

// Domain decodes the input.
func (in RecordSaleInput) Domain() (sc.SaleInput, error) {
	item, err := sc.ParseGlobalIDOf(in.Item, sc.KindItem, "item")
	return sc.SaleInput{Item: item, Price: in.Price, Channel: in.Channel, SoldAt: in.SoldAt}, err
}

// DonationSplitInput is one share of a seller's donations as sent.
type DonationSplitInput struct {
	Beneficiary string
	Percent     int64
}

// DomainSplits decodes a list of splits, naming each malformed beneficiary by its index.
func DomainSplits(in []*DonationSplitInput) ([]sc.DonationSplit, error) {
	out := make([]sc.DonationSplit, len(in))
	var errs sc.Errors
	for i, s := range in {
		id, err := sc.ParseGlobalIDOf(s.Beneficiary, sc.KindBeneficiary, fmt.Sprintf("splits.%d.beneficiary", i))
		if err != nil {
			errs = append(errs, sc.AsErrors(err)...)
		}
		out[i] = sc.DonationSplit{Beneficiary: id, Percent: s.Percent}
	}
	return out, errs.Err()
}

// DecodeIDs decodes a list of global IDs of kind, naming a malformed one field.N.
func DecodeIDs(ids []string, kind, field string) ([]int64, error) {
	out := make([]int64, len(ids))
	var errs sc.Errors
	for i, s := range ids {
		id, err := sc.ParseGlobalIDOf(s, kind, fmt.Sprintf("%s.%d", field, i))
		if err != nil {
			errs = append(errs, sc.AsErrors(err)...)
		}
		out[i] = id
	}
	return out, errs.Err()
}

func optionalID(s *string, kind, field string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	id, err := sc.ParseGlobalIDOf(*s, kind, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}
