package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

func (m *Main) importFiles(ctx context.Context, args []string) error {
	fs := newFlags("import", m.Stderr)
	kind := fs.String("kind", "", "what the files hold: sellers, buyers, orders, disputes or return_claims (default: from the file name, e.g. orders.csv)")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, "Usage: secondchance import [--kind K] FILE...\n\nLoads NDJSON (.ndjson, .jsonl) or CSV (.csv, with a header row) files through COPY.\nEach file is all or nothing. Import sellers and buyers before the orders that name them.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(m.Stderr, "\nColumns (CSV header names; NDJSON keys, nested at the dots):")
		for _, k := range db.ImportKinds {
			fmt.Fprintf(m.Stderr, "  %-14s %s\n", k, strings.Join(db.ImportColumns(k), ","))
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name at least one file to import"}
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	ctx = sc.NewSystemContext(ctx)
	for _, name := range fs.Args() {
		k := db.ImportKind(*kind)
		if k == "" {
			if k = kindFromName(name); k == "" {
				return usageError{fmt.Sprintf("%s: cannot tell what it holds from its name; pass --kind", name)}
			}
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		start := time.Now()
		bar := newProgress(m.Stderr)
		bar.Begin(filepath.Base(name), info.Size())
		res, err := d.Import(ctx, k, name, f, bar)
		bar.End()
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %d sellers, %d buyers, %d orders created; %d sellers, %d buyers, %d orders updated; %d events; %s\n",
			name, res.SellersCreated, res.BuyersCreated, res.OrdersCreated, res.SellersUpdated, res.BuyersUpdated, res.OrdersUpdated,
			res.EventsUpserted, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// kindFromName reads the kind from a file name that starts with it: orders.csv, sellers-2026.ndjson.
func kindFromName(name string) db.ImportKind {
	base := strings.ToLower(filepath.Base(name))
	for _, k := range []db.ImportKind{db.ImportReturnClaims, db.ImportSellers, db.ImportBuyers, db.ImportOrders, db.ImportDisputes} {
		if strings.HasPrefix(base, string(k)) {
			return k
		}
	}
	return ""
}
