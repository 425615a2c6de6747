package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
)

// certificates runs the certificate job by hand: `issue` for settled items still without a
// certificate, `annual` for a tax year's summaries. Both are what the River jobs run.
func (m *Main) certificates(ctx context.Context, args []string) error {
	return m.subcommand(sc.NewSystemContext(ctx), "certificates", args, map[string]func(context.Context, []string) error{
		"issue": m.certificatesIssue, "annual": m.certificatesAnnual})
}

func (m *Main) certificatesIssue(ctx context.Context, args []string) error {
	fs := newFlags("certificates issue", m.Stderr)
	store := storeFlag(fs)
	from := fs.String("from", "", "the first `day` of settlement, e.g. 2026-11-01 (default: any)")
	to := fs.String("to", "", "the `day` after the last, e.g. 2026-12-01 (default: now)")
	settlement := fs.Int64("settlement", 0, "only the items of the settlement with this `id`")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	req := sc.IssueRequest{Kind: sc.CertificateSettlement}
	var err error
	if *from != "" {
		if req.From, err = time.Parse(time.DateOnly, *from); err != nil {
			return usageError{fmt.Sprintf("--from %q is not a date like 2026-11-01", *from)}
		}
	}
	if *to != "" {
		if req.To, err = time.Parse(time.DateOnly, *to); err != nil {
			return usageError{fmt.Sprintf("--to %q is not a date like 2026-12-01", *to)}
		}
	}
	if *settlement != 0 {
		req.Settlement = settlement
	}
	return m.issueCertificates(ctx, req, *store)
}

func (m *Main) certificatesAnnual(ctx context.Context, args []string) error {
	fs := newFlags("certificates annual", m.Stderr)
	store := storeFlag(fs)
	// No default here: the service's is the last year that is over, by its own clock.
	year := fs.Int("year", 0, "the tax `year`, one that is over (default: last year)")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	return m.issueCertificates(ctx, sc.IssueRequest{Kind: sc.CertificateAnnual, TaxYear: *year}, *store)
}

func storeFlag(fs *flag.FlagSet) *string {
	return fs.String("store", "", "only this store's, by `code` (e.g. SCS)")
}

func (m *Main) issueCertificates(ctx context.Context, req sc.IssueRequest, store string) error {
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	if store != "" {
		var id int64
		if err := d.GetContext(ctx, &id, `SELECT id FROM stores WHERE code = $1`, store); err != nil {
			return usageError{fmt.Sprintf("--store %q: no such store", store)}
		}
		req.Store = &id
	}
	start := time.Now() // for the elapsed time printed
	p := newProgress(m.Stderr)
	begun, stored := false, 0
	res, err := d.IssueCertificates(ctx, req, func(done, total int) {
		if !begun {
			p.Begin("certificates", int64(total))
			begun = true
		}
		p.Add(int64(done - stored))
		stored = done
	})
	if begun {
		p.End()
	}
	if err != nil {
		return err
	}
	if len(res.Serials) == 0 && res.Raced == 0 {
		if req.Kind == sc.CertificateAnnual {
			fmt.Fprintf(m.Stdout, "every seller has its annual summary of %d; nothing issued\n", res.TaxYear)
		} else {
			fmt.Fprintln(m.Stdout, "every settled item already has its certificate; nothing issued")
		}
		return nil
	}
	fmt.Fprintf(m.Stdout, "issued %d certificates for %d items in %s", len(res.Serials), res.Items, time.Since(start).Round(time.Millisecond))
	if req.Kind == sc.CertificateAnnual {
		fmt.Fprintf(m.Stdout, ", the annual summaries of %d", res.TaxYear)
	}
	if len(res.Serials) > 0 {
		fmt.Fprintf(m.Stdout, " (%s … %s)", res.Serials[0], res.Serials[len(res.Serials)-1])
	}
	fmt.Fprintln(m.Stdout)
	if res.Raced > 0 {
		fmt.Fprintf(m.Stdout, "%d were issued meanwhile by another run; their serials stay unused\n", res.Raced)
	}
	return nil
}
