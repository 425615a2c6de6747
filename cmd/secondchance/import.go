package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	if err := m.parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(m.Stdout, "\nColumns (CSV header names; NDJSON keys, nested at the dots):")
			for _, k := range db.ImportKinds {
				fmt.Fprintf(m.Stdout, "  %-14s %s\n", k, strings.Join(db.ImportColumns(k), ","))
			}
		}
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name at least one file to import"}
	}
	// Every file is checked before the first is read, so that a typo in the last name fails the
	// run at once rather than after the others have been copied.
	kinds := make([]db.ImportKind, fs.NArg())
	for i, name := range fs.Args() {
		if err := checkFile(name); err != nil {
			return err
		}
		k := db.ImportKind(*kind)
		if k == "" {
			if k = kindFromName(name); k == "" {
				return usageError{fmt.Sprintf("%s: cannot tell what it holds from its name; pass --kind", name)}
			}
		}
		if err := db.CheckImport(k, name); err != nil {
			return err
		}
		kinds[i] = k
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	// The run is one transaction, so each file's line is printed once the run has committed;
	// its progress bar shows it being read meanwhile.
	files := make([]db.ImportFile, len(kinds))
	bars := make([]*progress, len(kinds))
	starts := make([]time.Time, len(kinds))
	for i, name := range fs.Args() {
		bars[i] = newProgress(m.Stderr)
		files[i] = db.ImportFile{Kind: kinds[i], Name: name, Progress: bars[i], Open: func() (io.ReadCloser, error) {
			f, err := os.Open(name)
			if err != nil {
				return nil, err
			}
			info, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, err
			}
			starts[i] = time.Now()
			bars[i].Begin(filepath.Base(name), info.Size())
			return f, nil
		}}
	}
	var lines []string
	ended := 0 // the files whose bars are done
	err = d.ImportFiles(sc.NewSystemContext(ctx), files, func(i int, res *sc.IngestResult) {
		bars[i].End()
		ended = i + 1
		lines = append(lines, fmt.Sprintf("%s: %d sellers, %d buyers, %d orders created; %d sellers, %d buyers, %d orders updated; %d events; %s\n",
			files[i].Name, res.SellersCreated, res.BuyersCreated, res.OrdersCreated, res.SellersUpdated, res.BuyersUpdated, res.OrdersUpdated,
			res.EventsUpserted, time.Since(starts[i]).Round(time.Millisecond)))
	})
	if err != nil && ended < len(bars) && !starts[ended].IsZero() {
		bars[ended].End() // the file that failed
	}
	if err != nil {
		return err
	}
	for _, l := range lines {
		io.WriteString(m.Stdout, l)
	}
	return nil
}

// checkFile says why a named file cannot be read, in the form of the import's other errors
// ("orders.csv: no such file").
func checkFile(name string) error {
	info, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sc.Errorf(sc.ENOTFOUND, "%s: no such file", name)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return sc.Errorf(sc.EINVALID, "%s: %v", name, err)
	case info.IsDir():
		return sc.Errorf(sc.EINVALID, "%s: a directory, not a file", name)
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
