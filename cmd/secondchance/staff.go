package main

import (
	"context"
	"fmt"

	sc "github.com/secondchance/secondchance"
)

func (m *Main) staff(ctx context.Context, args []string) error {
	return m.subcommand(sc.NewSystemContext(ctx), "staff", args, map[string]func(context.Context, []string) error{
		"invite": m.staffInvite})
}

// staffInvite invites as an admin: the same service call a store manager's portal page makes.
func (m *Main) staffInvite(ctx context.Context, args []string) error {
	fs := newFlags("staff invite", m.Stderr)
	store := fs.String("store", "", "the `code` of the store, e.g. SCS (required)")
	email := fs.String("email", "", "the person's email `address` (required)")
	name := fs.String("name", "", "the person's `name` (required)")
	role := fs.String("role", string(sc.StaffMember), "the `role`: STAFF, or STORE_MANAGER to also manage the store's staff")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	inv, err := d.InviteStaff(ctx, sc.InviteInput{StoreCode: *store, Email: *email, Name: *name, Role: sc.StaffRole(*role)})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "invited %s <%s> as %s of %s; the link in the email works until %s\n",
		inv.Name, inv.Email, inv.Role, inv.StoreName, inv.ExpiresAt.UTC().Format("2006-01-02T15:04Z"))
	return nil
}
