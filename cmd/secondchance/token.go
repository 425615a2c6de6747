package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	sc "github.com/secondchance/secondchance"
)

func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"token needs a subcommand: create, list or revoke"}
	}
	ctx = sc.NewSystemContext(ctx)
	switch args[0] {
	case "create":
		return m.tokenCreate(ctx, args[1:])
	case "list":
		return m.tokenList(ctx, args[1:])
	case "revoke":
		return m.tokenRevoke(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("unknown token subcommand %q: use create, list or revoke", args[0])}
}

// tokenCreate prints the secret alone on stdout, so scripts can capture it with $(...).
func (m *Main) tokenCreate(ctx context.Context, args []string) error {
	fs := newFlags("token create", m.Stderr)
	role := fs.String("role", "", "SELLER, STAFF or ADMIN")
	seller := fs.String("seller", "", "the seller number a SELLER token acts for")
	store := fs.String("store", "", "the store code a STAFF token acts for, e.g. SCS")
	label := fs.String("label", "", "a note on what the token is for")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
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

func (m *Main) tokenList(ctx context.Context, args []string) error {
	if err := newFlags("token list", m.Stderr).Parse(args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tGLOBAL ID\tROLE\tSCOPE\tLABEL\tCREATED\tLAST USED\tREVOKED")
	var after *string
	for {
		page, err := d.ListTokens(ctx, sc.PageArgs{First: ptr(sc.MaxPageSize), After: after})
		if err != nil {
			return err
		}
		for _, t := range page.Items {
			scope := "-"
			if t.SellerID != nil {
				scope = "seller " + strconv.FormatInt(*t.SellerID, 10)
			} else if t.StoreID != nil {
				scope = "store " + strconv.FormatInt(*t.StoreID, 10)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.GlobalID(), t.Role, scope, t.Label,
				t.CreatedAt.UTC().Format(time.RFC3339), when(t.LastUsedAt), when(t.RevokedAt))
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor()
	}
	return w.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usageError{"token revoke takes one token ID (as `token list` shows it)"}
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		if id, err = sc.ParseGlobalIDOf(args[0], sc.KindToken, "id"); err != nil {
			return usageError{fmt.Sprintf("%q is not a token ID", args[0])}
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
	fmt.Fprintf(m.Stdout, "revoked token %d (%s)\n", t.ID, t.Role)
	return nil
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func ptr[T any](v T) *T { return &v }
