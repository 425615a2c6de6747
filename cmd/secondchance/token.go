package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	sc "github.com/secondchance/secondchance"
)

func (m *Main) token(ctx context.Context, args []string) error {
	return m.subcommand(sc.NewSystemContext(ctx), "token", args, map[string]func(context.Context, []string) error{
		"create": m.tokenCreate, "list": m.tokenList, "revoke": m.tokenRevoke})
}

// tokenCreate prints the secret alone on stdout, so scripts can capture it with $(...).
func (m *Main) tokenCreate(ctx context.Context, args []string) error {
	fs := newFlags("token create", m.Stderr)
	role := fs.String("role", "", "the `role`: SELLER, STAFF or ADMIN (required)")
	seller := fs.String("seller", "", "the seller `number` a SELLER token acts for, e.g. S000001")
	store := fs.String("store", "", "the store `code` a STAFF token acts for, e.g. SCS")
	label := fs.String("label", "", "a `note` on what the token is for")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	_, secret, err := d.CreateToken(ctx, sc.TokenInput{Role: sc.Role(*role), SellerNumber: *seller, StoreCode: *store, Label: *label})
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, secret)
	return nil
}

// tokenList shows tokens as operators know them: by the seller number or store code they act
// for, with the global ID that `token revoke` takes.
func (m *Main) tokenList(ctx context.Context, args []string) error {
	if err := m.noArgs(newFlags("token list", m.Stderr), args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLE\tFOR\tLABEL\tCREATED\tLAST USED\tREVOKED")
	var after *string
	for {
		page, err := d.ListTokens(ctx, sc.PageArgs{First: ptr(sc.MaxPageSize), After: after})
		if err != nil {
			return err
		}
		for _, t := range page.Items {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.GlobalID(), t.Role, tokenScope(t), cell(t.Label),
				when(&t.CreatedAt), when(t.LastUsedAt), when(t.RevokedAt))
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor()
	}
	return w.Flush()
}

// tokenScope is whom a token acts for: "seller S000001", "store SCS", or "-" for an admin.
func tokenScope(t *sc.Token) string {
	switch {
	case t.SellerNumber != nil:
		return "seller " + *t.SellerNumber
	case t.StoreCode != nil:
		return "store " + *t.StoreCode
	}
	return "-"
}

// cell keeps a free-text value on one line of one column: an empty one shows as "-", and
// tabs and line breaks, which would break the columns, as spaces.
func cell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func (m *Main) tokenRevoke(ctx context.Context, args []string) error {
	fs := newFlags("token revoke", m.Stderr)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badUsage("token revoke", "name one token ID, as `token list` shows it", fs)
	}
	// The global ID is what `token list` shows; the plain number is still taken, as before.
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		if id, err = sc.ParseGlobalIDOf(fs.Arg(0), sc.KindToken, "id"); err != nil {
			return usageError{fmt.Sprintf("%q is not a token ID", fs.Arg(0))}
		}
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	t, err := d.RevokeToken(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "revoked token %s (%s, %s)\n", t.GlobalID(), t.Role, tokenScope(t))
	return nil
}

// when shows a moment in UTC to the minute, or "-" for none.
func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

func ptr[T any](v T) *T { return &v }
