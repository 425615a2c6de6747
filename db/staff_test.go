package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// staffBundle is a database whose staff emails are kept, and the clock its links expire by.
type staffBundle struct {
	d     *db.DB
	mu    sync.Mutex
	mails []sc.StaffMail
	now   time.Time
}

func newStaffBundle(t *testing.T) *staffBundle {
	t.Helper()
	b := &staffBundle{d: dbtest.New(t), now: time.Now()}
	b.d.Now = func() time.Time { b.mu.Lock(); defer b.mu.Unlock(); return b.now }
	b.d.StaffMail = func(_ context.Context, m sc.StaffMail) error {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.mails = append(b.mails, m)
		return nil
	}
	return b
}

func (b *staffBundle) last(t *testing.T) sc.StaffMail {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.NotEmpty(t, b.mails)
	return b.mails[len(b.mails)-1]
}

func (b *staffBundle) advance(d time.Duration) { b.mu.Lock(); b.now = b.now.Add(d); b.mu.Unlock() }

// invite has an admin invite email to SCS and opens the account with password.
func (b *staffBundle) account(t *testing.T, email string, role sc.StaffRole, password string) *sc.StaffAccount {
	t.Helper()
	_, err := b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: email, Name: "Pat " + email, Role: role})
	require.NoError(t, err)
	acc, err := b.d.AcceptInvitation(context.Background(), sc.SetPasswordInput{Token: b.last(t).Token, Password: password, Confirm: password})
	require.NoError(t, err)
	return acc
}

func TestStaffInvitation(t *testing.T) {
	t.Parallel()
	b := newStaffBundle(t)
	anon := context.Background()
	inv, err := b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: " Pat@Example.org ", Name: "Pat"})
	require.NoError(t, err)
	require.Equal(t, "pat@example.org", inv.Email)
	require.Equal(t, sc.StaffMember, inv.Role)
	mail := b.last(t)
	require.Equal(t, sc.StaffMailInvitation, mail.Kind)
	require.Equal(t, "pat@example.org", mail.To)
	var stored int
	require.NoError(t, b.d.Get(&stored, `SELECT count(*) FROM staff_invitations WHERE token_hash = $1::bytea`, []byte(mail.Token)))
	require.Zero(t, stored, "the secret itself is not stored")

	got, err := b.d.Invitation(anon, mail.Token)
	require.NoError(t, err)
	require.Equal(t, inv.ID, got.ID)

	for _, tc := range []struct {
		name   string
		in     sc.SetPasswordInput
		code   string
		fields []string
	}{
		{"ErrShortPassword", sc.SetPasswordInput{Token: mail.Token, Password: "short", Confirm: "short"}, sc.EINVALID, []string{"password"}},
		{"ErrConfirmDiffers", sc.SetPasswordInput{Token: mail.Token, Password: "a long password 1", Confirm: "a long password 2"}, sc.EINVALID, []string{"confirm"}},
		{"ErrUnknownLink", sc.SetPasswordInput{Token: "nope", Password: "a long password 1", Confirm: "a long password 1"}, sc.EINVITATION, []string{"token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.d.AcceptInvitation(anon, tc.in)
			require.Equal(t, tc.code, sc.ErrorCode(err), "%v", err)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}

	acc, err := b.d.AcceptInvitation(anon, sc.SetPasswordInput{Token: mail.Token, Password: "a long password 1", Confirm: "a long password 1"})
	require.NoError(t, err)
	require.Equal(t, "SCS", acc.StoreCode)
	require.Equal(t, &sc.Actor{Role: sc.RoleStaff, StoreID: acc.StoreID, StaffID: acc.ID}, acc.Actor())

	_, err = b.d.AcceptInvitation(anon, sc.SetPasswordInput{Token: mail.Token, Password: "a long password 1", Confirm: "a long password 1"})
	require.Equal(t, sc.EINVITATION, sc.ErrorCode(err), "a link is used once")
	_, err = b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "pat@example.org", Name: "Pat"})
	require.Equal(t, sc.ECONFLICT, sc.ErrorCode(err), "one account per address")

	t.Run("ErrExpired", func(t *testing.T) {
		_, err := b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "late@example.org", Name: "Late"})
		require.NoError(t, err)
		token := b.last(t).Token
		b.advance(sc.InvitationTTL + time.Minute)
		defer b.advance(-sc.InvitationTTL - time.Minute)
		_, err = b.d.AcceptInvitation(anon, sc.SetPasswordInput{Token: token, Password: "a long password 1", Confirm: "a long password 1"})
		require.Equal(t, sc.EINVITATION, sc.ErrorCode(err))
	})
	t.Run("ReinviteReplacesTheOldLink", func(t *testing.T) {
		_, err := b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "twice@example.org", Name: "Twice"})
		require.NoError(t, err)
		old := b.last(t).Token
		_, err = b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "twice@example.org", Name: "Twice"})
		require.NoError(t, err)
		_, err = b.d.Invitation(anon, old)
		require.Equal(t, sc.EINVITATION, sc.ErrorCode(err))
		_, err = b.d.Invitation(anon, b.last(t).Token)
		require.NoError(t, err)
	})
	t.Run("ErrMailFailsSavesNothing", func(t *testing.T) {
		d := dbtest.New(t)
		d.StaffMail = func(context.Context, sc.StaffMail) error { return errors.New("smtp down") }
		_, err := d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "x@example.org", Name: "X"})
		require.Error(t, err)
		var n int
		require.NoError(t, d.Get(&n, `SELECT count(*) FROM staff_invitations`))
		require.Zero(t, n)
	})
	t.Run("ErrRights", func(t *testing.T) {
		member := b.account(t, "member@example.org", sc.StaffMember, "member password 1")
		manager := b.account(t, "boss@example.org", sc.StaffManager, "manager password 1")
		_, err := b.d.InviteStaff(sc.NewContextWithActor(anon, member.Actor()), sc.InviteInput{Email: "y@example.org", Name: "Y"})
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
		inv, err := b.d.InviteStaff(sc.NewContextWithActor(anon, manager.Actor()), sc.InviteInput{Email: "y@example.org", Name: "Y"})
		require.NoError(t, err)
		require.Equal(t, manager.StoreID, inv.StoreID)
		_, err = b.d.InviteStaff(admin(), sc.InviteInput{Email: "z@example.org", Name: "Z"})
		require.Equal(t, sc.EINVALID, sc.ErrorCode(err), "an admin names the store")
		_, err = b.d.InviteStaff(admin(), sc.InviteInput{StoreCode: "SCS", Email: "not an email", Name: "", Role: "BOSS"})
		var fields []string
		for _, e := range sc.AsErrors(err) {
			fields = append(fields, e.Field)
		}
		require.Equal(t, []string{"email", "name", "role"}, fields)
	})
}

func TestStaffLogIn(t *testing.T) {
	t.Parallel()
	b := newStaffBundle(t)
	ctx := context.Background()
	acc := b.account(t, "kim@example.org", sc.StaffMember, "correct horse battery")

	got, err := b.d.LogIn(ctx, sc.LoginInput{Email: "KIM@example.org", Password: "correct horse battery", Client: "10.0.0.1"})
	require.NoError(t, err)
	require.Equal(t, acc.ID, got.ID)
	require.NotNil(t, got.LastLoginAt)

	_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "kim@example.org", Password: "wrong password!", Client: "10.0.0.1"})
	require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
	_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "nobody@example.org", Password: "wrong password!", Client: "10.0.0.1"})
	require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err), "an unknown email answers as a wrong password")
	_, err = b.d.LogIn(ctx, sc.LoginInput{Client: "10.0.0.1"})
	require.Len(t, sc.AsErrors(err), 2)

	t.Run("ErrAccountThrottled", func(t *testing.T) {
		// One failure above already counts; each attempt from a new client isolates the account's limit.
		for i := 1; i < sc.LoginAccountLimit; i++ {
			_, err := b.d.LogIn(ctx, sc.LoginInput{Email: "kim@example.org", Password: "wrong password!", Client: "10.1.0." + string(rune('0'+i))})
			require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
		}
		_, err := b.d.LogIn(ctx, sc.LoginInput{Email: "kim@example.org", Password: "correct horse battery", Client: "10.2.0.1"})
		require.Equal(t, sc.ERATELIMITED, sc.ErrorCode(err), "even the right password waits once the account is locked")
		b.advance(sc.LoginFailureWindow + time.Minute)
		_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "kim@example.org", Password: "correct horse battery", Client: "10.2.0.1"})
		require.NoError(t, err, "the failures age out")
	})
	t.Run("ErrClientThrottled", func(t *testing.T) {
		for i := 0; i < sc.LoginClientLimit; i++ {
			_, err := b.d.LogIn(ctx, sc.LoginInput{Email: "guess@example.org", Password: "wrong password!", Client: "10.9.9.9"})
			require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
		}
		_, err := b.d.LogIn(ctx, sc.LoginInput{Email: "kim@example.org", Password: "correct horse battery", Client: "10.9.9.9"})
		require.Equal(t, sc.ERATELIMITED, sc.ErrorCode(err))
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		boss := b.account(t, "boss@example.org", sc.StaffManager, "manager password 1")
		other := b.account(t, "other@example.org", sc.StaffMember, "other password 11")
		bossCtx := sc.NewContextWithActor(ctx, boss.Actor())
		_, err := b.d.DisableStaff(bossCtx, boss.ID)
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err))
		_, err = b.d.DisableStaff(sc.NewContextWithActor(ctx, other.Actor()), boss.ID)
		require.Equal(t, sc.EFORBIDDEN, sc.ErrorCode(err), "members do not manage staff")
		off, err := b.d.DisableStaff(bossCtx, other.ID)
		require.NoError(t, err)
		require.Equal(t, other.SessionEpoch+1, off.SessionEpoch)
		_, err = b.d.DisableStaff(bossCtx, other.ID)
		require.Equal(t, sc.ECONFLICT, sc.ErrorCode(err))
		_, err = b.d.StaffAccount(ctx, other.ID)
		require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
		_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "other@example.org", Password: "other password 11", Client: "10.3.0.1"})
		require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
		page, err := b.d.ListStaff(bossCtx, sc.PageArgs{})
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(page.Items), 3)
	})
}

func TestStaffPasswordReset(t *testing.T) {
	t.Parallel()
	b := newStaffBundle(t)
	ctx := context.Background()
	acc := b.account(t, "lee@example.org", sc.StaffMember, "first password 1")
	sent := len(b.mails)
	require.NoError(t, b.d.RequestPasswordReset(ctx, "nobody@example.org"))
	require.Len(t, b.mails, sent, "no account, no mail, and the same answer")
	require.Equal(t, sc.EINVALID, sc.ErrorCode(b.d.RequestPasswordReset(ctx, "not an email")))

	require.NoError(t, b.d.RequestPasswordReset(ctx, "LEE@example.org"))
	mail := b.last(t)
	require.Equal(t, sc.StaffMailPasswordReset, mail.Kind)
	got, err := b.d.PasswordReset(ctx, mail.Token)
	require.NoError(t, err)
	require.Equal(t, acc.ID, got.ID)
	reset, err := b.d.ResetPassword(ctx, sc.SetPasswordInput{Token: mail.Token, Password: "second password 2", Confirm: "second password 2"})
	require.NoError(t, err)
	require.Equal(t, acc.SessionEpoch+1, reset.SessionEpoch, "older sessions are logged out")
	_, err = b.d.ResetPassword(ctx, sc.SetPasswordInput{Token: mail.Token, Password: "third password 33", Confirm: "third password 33"})
	require.Equal(t, sc.EINVITATION, sc.ErrorCode(err))
	_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "lee@example.org", Password: "first password 1", Client: "c"})
	require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
	_, err = b.d.LogIn(ctx, sc.LoginInput{Email: "lee@example.org", Password: "second password 2", Client: "c"})
	require.NoError(t, err)

	for range 5 {
		require.NoError(t, b.d.RequestPasswordReset(ctx, "lee@example.org"))
	}
	var n int
	require.NoError(t, b.d.Get(&n, `SELECT count(*) FROM staff_password_resets`))
	require.Equal(t, 3, n, "at most three reset emails an hour")
}

func TestClaimForm(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	first, next, err := d.ClaimForm(ctx, "k1")
	require.NoError(t, err)
	require.True(t, first)
	require.Empty(t, next)
	first, _, err = d.ClaimForm(ctx, "k1")
	require.NoError(t, err)
	require.False(t, first)
	require.NoError(t, d.FinishForm(ctx, "k1", "/portal/items/1"))
	_, next, err = d.ClaimForm(ctx, "k1")
	require.NoError(t, err)
	require.Equal(t, "/portal/items/1", next)
	first, _, err = d.ClaimForm(ctx, "k2")
	require.NoError(t, err)
	require.True(t, first)
	require.NoError(t, d.ReleaseForm(ctx, "k2"))
	first, _, err = d.ClaimForm(ctx, "k2")
	require.NoError(t, err)
	require.True(t, first, "a released key is new again")
	require.NoError(t, d.ReleaseForm(ctx, "k1"))
	_, next, err = d.ClaimForm(ctx, "k1")
	require.NoError(t, err)
	require.Equal(t, "/portal/items/1", next, "a finished form is not released")
	_, _, err = d.ClaimForm(ctx, "")
	require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
	require.NoError(t, d.PruneStaffRecords(ctx))
}
