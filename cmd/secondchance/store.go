package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	sc "github.com/secondchance/secondchance"
)

// store onboards and edits charity stores: the same service the createStore and updateStore
// mutations call.
func (m *Main) store(ctx context.Context, args []string) error {
	return m.subcommand(sc.NewSystemContext(ctx), "store", args, map[string]func(context.Context, []string) error{
		"create": func(ctx context.Context, args []string) error { return m.storeChange(ctx, "create", args) },
		"update": func(ctx context.Context, args []string) error { return m.storeChange(ctx, "update", args) },
		"list":   m.storeList})
}

// storeFlags declares one flag per store field; only the flags given are set in the input.
func storeFlags(fs *flag.FlagSet) func() sc.StoreInput {
	type field struct {
		name, usage string
		set         func(*sc.StoreInput, *string)
	}
	fields := []field{
		{"code", "the store's code: 2 to 12 capital letters or digits, e.g. SCS", func(in *sc.StoreInput, v *string) { in.Code = v }},
		{"name", "the store's name", func(in *sc.StoreInput, v *string) { in.Name = v }},
		{"recipient", "who receives parcels", func(in *sc.StoreInput, v *string) { in.Recipient = v }},
		{"line1", "the street line of the return address", func(in *sc.StoreInput, v *string) { in.AddressLine1 = v }},
		{"line2", "a second address line", func(in *sc.StoreInput, v *string) { in.AddressLine2 = v }},
		{"city", "the city", func(in *sc.StoreInput, v *string) { in.City = v }},
		{"region", "the state or region code, e.g. MO", func(in *sc.StoreInput, v *string) { in.Region = v }},
		{"postal-code", "the postal code", func(in *sc.StoreInput, v *string) { in.PostalCode = v }},
		{"country", "the ISO 3166 two-letter country code, e.g. US", func(in *sc.StoreInput, v *string) { in.Country = v }},
	}
	values := make([]*string, len(fields))
	for i, f := range fields {
		values[i] = fs.String(f.name, "", f.usage)
	}
	return func() sc.StoreInput {
		var in sc.StoreInput
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for i, f := range fields {
			if given[f.name] {
				f.set(&in, values[i])
			}
		}
		return in
	}
}

func (m *Main) storeChange(ctx context.Context, verb string, args []string) error {
	fs := newFlags("store "+verb, m.Stderr)
	input := storeFlags(fs)
	var code string
	if verb == "update" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		// The code comes first (store update SCS --name …); flag parsing stops at it otherwise.
		code, args = args[0], args[1:]
	}
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	if verb == "update" && code == "" {
		return usageError{"store update needs the code of the store to change: store update SCS --name ..."}
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	var s *sc.Store
	if verb == "create" {
		s, err = d.CreateStore(ctx, input())
	} else {
		s, err = d.UpdateStore(ctx, code, input())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s %s: %s, %s\n", verb+"d", s.Code, s.Name, oneLine(s.ReturnAddress()))
	return nil
}

func (m *Main) storeList(ctx context.Context, args []string) error {
	if err := m.noArgs(newFlags("store list", m.Stderr), args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tNAME\tEIN\tRETURN ADDRESS")
	var after *string
	for {
		page, err := d.ListStores(ctx, sc.PageArgs{First: ptr(sc.MaxPageSize), After: after})
		if err != nil {
			return err
		}
		for _, s := range page.Items {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Code, s.Name, s.EIN, oneLine(s.ReturnAddress()))
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor()
	}
	return w.Flush()
}

func oneLine(a sc.PostalAddress) string {
	s := a.Recipient + ", " + a.Line1
	if a.Line2 != "" {
		s += ", " + a.Line2
	}
	return s + ", " + a.City + ", " + a.Region + " " + a.PostalCode + ", " + a.Country
}
