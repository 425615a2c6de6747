package main

import (
	"context"
	"fmt"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/demo"
)

func (m *Main) seed(ctx context.Context, args []string) error {
	fs := newFlags("seed", m.Stderr)
	sellers := fs.Int("sellers", 20000, "the `number` of sellers")
	buyers := fs.Int("buyers", 500000, "the `number` of buyers")
	orders := fs.Int("orders", 5000000, "the `number` of orders")
	reports := fs.Int("reports", 0, "file about this `number` of PENDING reports on recent orders, for the weekly batch")
	seed := fs.Uint64("seed", 2017, "picks the data set: the same `seed` gives the same data")
	until := fs.String("until", "", "the `date` of the newest data, e.g. 2026-11-26; orders span the 400 days before (default: today)")
	demoSet := fs.Bool("demo", false, "load the small demo data set if the database is empty, and print the demo tokens")
	showcase := fs.Bool("showcase", false, "with --demo: load the portal's showcase on top (the auctions, bids and discrepancies of docs/PORTAL.md's screenshots); the README's examples then answer with other IDs")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	if *showcase && !*demoSet {
		return usageError{"--showcase goes with --demo"}
	}
	var end time.Time // db.Seed's default: today, by its clock
	if *until != "" {
		var err error
		if end, err = time.Parse(time.DateOnly, *until); err != nil {
			return usageError{fmt.Sprintf("--until %q is not a date like 2026-11-26", *until)}
		}
	}
	d, err := m.openMigrated(ctx, *demoSet)
	if err != nil {
		return err
	}
	opts := db.SeedOptions{Sellers: *sellers, Buyers: *buyers, Orders: *orders, Reports: *reports, Seed: *seed, Until: end}
	if *demoSet {
		// The demo data ends at the start of the current UTC day (--until's default): every
		// timestamp in it is relative to that midnight, so counts over whole days and the
		// current week's batch come out the same on every day and at every hour; only the
		// dates move (TestDemoBatchIsTheSameOnEveryDay, TestREADME).
		opts = demo.Size
		opts.Until = end
	}
	empty, err := d.MarketplaceEmpty(ctx)
	if err != nil {
		return err
	}
	switch {
	case *demoSet && !empty:
		isDemo, err := d.IsDemoData(ctx)
		if err != nil {
			return err
		}
		if !isDemo {
			// Real data: the demo's tokens are published in the README, so they are never made here.
			fmt.Fprintln(m.Stderr, "the database already holds marketplace data that the demo did not load; keeping it, and creating no demo tokens (use `secondchance token create`)")
			return nil
		}
		fmt.Fprintln(m.Stderr, "the database already holds the demo data set; keeping it")
	case *demoSet:
		store, err := demo.Load(ctx, d, end)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "loaded the demo data set: %d sellers, %d buyers, %d orders with their events, about %d pending reports\n", opts.Sellers, opts.Buyers, opts.Orders, opts.Reports)
		fmt.Fprintf(m.Stdout, "and a return of seller %s sold and donated, with certificate %s, and another authorised, %s\n",
			demo.Tokens[0].SellerNumber, store.Serial, store.Authorized)
		if *showcase {
			shown, err := demo.Showcase(ctx, d)
			if err != nil {
				return fmt.Errorf("the showcase: %w", err)
			}
			fmt.Fprintf(m.Stdout, "and the portal's showcase: a parcel with discrepancies, a LIVE auction with a paid lot and an open one, a TIMED auction, another return authorised, %s\n", shown.Authorized)
		}
	default:
		start := time.Now() // for the elapsed time printed
		if err := d.Seed(ctx, opts, newProgress(m.Stderr)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "seeded %d sellers, %d buyers, %d orders in %s\n", opts.Sellers, opts.Buyers, opts.Orders, time.Since(start).Round(time.Millisecond))
		if opts.Reports > 0 {
			var n int
			if err := d.Get(&n, `SELECT count(*) FROM reports`); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%d reports are pending\n", n)
		}
	}
	if *demoSet {
		return m.printDemoTokens(ctx, d)
	}
	return nil
}

func (m *Main) printDemoTokens(ctx context.Context, d *db.DB) error {
	ctx = sc.NewSystemContext(ctx)
	fmt.Fprintln(m.Stdout, "Demo tokens (send as Authorization: Bearer <token>):")
	for _, in := range demo.Tokens {
		t, _, err := d.CreateToken(ctx, in)
		if err != nil {
			if sc.ErrorCode(err) == sc.ENOTFOUND {
				fmt.Fprintf(m.Stdout, "  %-6s (skipped: %s)\n", in.Role, sc.ErrorMessage(err))
				continue
			}
			return err
		}
		if t.RevokedAt != nil {
			fmt.Fprintf(m.Stdout, "  %-6s (revoked on %s; it stays revoked)\n", in.Role, t.RevokedAt.UTC().Format(time.DateOnly))
			continue
		}
		scope := ""
		if in.SellerNumber != "" {
			scope = " seller " + in.SellerNumber
		} else if in.StoreCode != "" {
			scope = " store " + in.StoreCode
		}
		fmt.Fprintf(m.Stdout, "  %-6s %s%s\n", in.Role, in.Secret, scope)
	}
	acc, err := d.CreateStaffAccount(ctx, demo.Staff, demo.StaffPassword)
	if err != nil {
		return err
	}
	if acc.DisabledAt != nil {
		fmt.Fprintf(m.Stdout, "Demo portal login %s: disabled; it stays disabled\n", acc.Email)
		return nil
	}
	fmt.Fprintf(m.Stdout, "Demo portal login (%s/portal/): %s, password %s (%s of %s)\n", m.cfg.PublicURL, acc.Email, demo.StaffPassword, acc.Role, acc.StoreCode)
	return nil
}
