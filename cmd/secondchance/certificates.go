package main

import (
	"context"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
)

// certificates runs the certificate job by hand: `issue` for settled items still without a
// certificate, `annual` for a tax year's summaries. Both are what the River jobs run.
func (m *Main) certificates(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"certificates needs a subcommand: issue or annual"}
	}
	ctx = sc.NewSystemContext(ctx)
	req := sc.IssueRequest{}
	fs := newFlags("certificates "+args[0], m.Stderr)
	store := fs.String("store", "", "only this store's, by code (e.g. SCS)")
	switch args[0] {
	case "issue":
		req.Kind = sc.CertificateSettlement
		from := fs.String("from", "", "the first day of settlement, e.g. 2026-11-01 (default: any)")
		to := fs.String("to", "", "the day after the last, e.g. 2026-12-01 (default: now)")
		settlement := fs.Int64("settlement", 0, "only the items of this settlement")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
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
	case "annual":
		req.Kind = sc.CertificateAnnual
		year := fs.Int("year", time.Now().UTC().Year()-1, "the tax year")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		req.TaxYear = *year
	default:
		return usageError{fmt.Sprintf("unknown certificates subcommand %q: use issue or annual", args[0])}
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	if *store != "" {
		var id int64
		if err := d.GetContext(ctx, &id, `SELECT id FROM stores WHERE code = $1`, *store); err != nil {
			return usageError{fmt.Sprintf("--store %q: no such store", *store)}
		}
		req.Store = &id
	}
	start := time.Now()
	last := start
	res, err := d.IssueCertificates(ctx, req, func(done, total int) {
		if done == total || time.Since(last) > time.Second {
			last = time.Now()
			fmt.Fprintf(m.Stderr, "certificates: %d/%d stored (%.0f/s)\n", done, total, float64(done)/time.Since(start).Seconds())
		}
	})
	if err != nil {
		return err
	}
	if len(res.Serials) == 0 && res.Raced == 0 {
		if req.Kind == sc.CertificateAnnual {
			fmt.Fprintf(m.Stdout, "every seller has its annual summary of %d; nothing issued\n", req.TaxYear)
		} else {
			fmt.Fprintln(m.Stdout, "every settled item already has its certificate; nothing issued")
		}
		return nil
	}
	fmt.Fprintf(m.Stdout, "issued %d certificates for %d items in %s", len(res.Serials), res.Items, time.Since(start).Round(time.Millisecond))
	if len(res.Serials) > 0 {
		fmt.Fprintf(m.Stdout, " (%s … %s)", res.Serials[0], res.Serials[len(res.Serials)-1])
	}
	fmt.Fprintln(m.Stdout)
	if res.Raced > 0 {
		fmt.Fprintf(m.Stdout, "%d were issued meanwhile by another run; their serials stay unused\n", res.Raced)
	}
	return nil
}
