package secondchance_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestIssueRequestValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	settlement := int64(7)
	for _, tc := range []struct {
		name  string
		req   sc.IssueRequest
		now   time.Time
		field string // empty: valid
	}{
		{"OK", sc.IssueRequest{Kind: sc.CertificateSettlement, From: now.AddDate(0, -1, 0), To: now}, now, ""},
		{"OKSettlement", sc.IssueRequest{Kind: sc.CertificateSettlement, Settlement: &settlement}, now, ""},
		{"ErrEmptyPeriod", sc.IssueRequest{Kind: sc.CertificateSettlement, From: now, To: now}, now, "to"},
		{"OKAnnualOfLastYear", sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: 2025}, now, ""},
		{"ErrAnnualOfThisYear", sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: 2026}, now, "taxYear"},
		{"OKAnnualOnNewYearsDay", sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: 2026}, now.Add(time.Second), ""},
		{"ErrAnnualOfNextYear", sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: 2027}, now, "taxYear"},
		{"ErrAnnualNotAYear", sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: 1999}, now, "taxYear"},
		{"ErrKind", sc.IssueRequest{Kind: "MONTHLY"}, now, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.req.Validate(tc.now)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
			require.Equal(t, tc.field, sc.AsErrors(err)[0].Field)
		})
	}
	require.Equal(t, 2025, sc.LastTaxYear(now))
	require.Equal(t, 2026, sc.LastTaxYear(now.Add(time.Second)))
}
