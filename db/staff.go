package db

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jmoiron/sqlx"

	sc "github.com/secondchance/secondchance"
)

var _ sc.StaffService = (*DB)(nil)

const listStaff list = "staff"

const staffColumns = `a.id, a.store_id, st.code AS store_code, st.name AS store_name, a.name, a.email, a.role,
	a.created_at, a.last_login_at, a.disabled_at, a.session_epoch`

const invitationColumns = `i.id, i.store_id, st.name AS store_name, i.email, i.name, i.role, i.created_at, i.expires_at, i.accepted_at`

// passwordParams are argon2id's costs: RFC 9106's second recommendation (64 MiB, one pass),
// about 50 ms a hash on one core here. A stored hash carries its parameters, so raising them
// later still verifies the old ones.
var passwordParams = argon2id.DefaultParams

func hashPassword(p string) (string, error) { return argon2id.CreateHash(p, passwordParams) }

// dummyHash is checked against when an email has no account, so a login takes as long whether
// or not the address works here.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("no account has this password")
	return h
})

// newLinkSecret is the secret of an emailed link: 256 random bits, URL-safe.
func newLinkSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errLinkInvalid = sc.FieldErrorf("token", sc.EINVITATION, "this link is unknown, used already or expired; ask for a new one")

func linkInvalid() error { e := *errLinkInvalid; return &e }

// sendStaffMail hands a staff email to the mailer. It runs inside the transaction that made
// the link, so a link exists only if its email went out.
func (db *DB) sendStaffMail(ctx context.Context, m sc.StaffMail) error {
	if db.StaffMail == nil {
		return fmt.Errorf("no mailer is configured for staff emails")
	}
	if err := db.StaffMail(ctx, m); err != nil {
		return fmt.Errorf("sending the %s email: %w", m.Kind, err)
	}
	return nil
}

// InviteStaff implements secondchance.StaffService.
func (db *DB) InviteStaff(ctx context.Context, in sc.InviteInput) (*sc.StaffInvitation, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if a.Role == sc.RoleStaff && !a.Manager {
		return nil, sc.Errorf(sc.EFORBIDDEN, "only a store manager invites staff")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if a.IsAdmin() && in.StoreCode == "" {
		return nil, sc.FieldErrorf("store", sc.EINVALID, "name the store by its code, e.g. SCS")
	}
	now := db.Now()
	secret := newLinkSecret()
	var inv sc.StaffInvitation
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		storeID := a.StoreID
		if a.IsAdmin() {
			if err := tx.GetContext(ctx, &storeID, `SELECT id FROM stores WHERE code = $1`, in.StoreCode); err != nil {
				return notFound(err, "store", "no store with code %q", in.StoreCode)
			}
		}
		var taken bool
		if err := tx.GetContext(ctx, &taken, `SELECT EXISTS (SELECT FROM staff_accounts WHERE email = $1)`, in.Email); err != nil {
			return err
		}
		if taken {
			return sc.FieldErrorf("email", sc.ECONFLICT, "%s already has an account", in.Email)
		}
		// One pending invitation per address: the newest is the one that works.
		if _, err := tx.ExecContext(ctx, `UPDATE staff_invitations SET revoked_at = $2
			WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL`, in.Email, now); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &inv, `WITH i AS (
				INSERT INTO staff_invitations (token_hash, store_id, email, name, role, invited_by, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
			SELECT `+invitationColumns+` FROM i JOIN stores st ON st.id = i.store_id`,
			hashSecret(secret), storeID, in.Email, in.Name, in.Role, staffRef(a), now, now.Add(sc.InvitationTTL)); err != nil {
			return err
		}
		return db.sendStaffMail(ctx, sc.StaffMail{Kind: sc.StaffMailInvitation, To: inv.Email, Name: inv.Name,
			StoreName: inv.StoreName, Token: secret, ExpiresAt: inv.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// staffRef is the account an actor acts for, if it is a portal session.
func staffRef(a *sc.Actor) *int64 {
	if a == nil || a.StaffID == 0 {
		return nil
	}
	return &a.StaffID
}

// pendingInvitation reads the invitation of a secret that is still usable, locked when q is
// a transaction.
func (db *DB) pendingInvitation(ctx context.Context, q queryer, token, lock string) (*sc.StaffInvitation, error) {
	if token == "" || len(token) > 100 {
		return nil, linkInvalid()
	}
	var inv sc.StaffInvitation
	err := q.GetContext(ctx, &inv, `SELECT `+invitationColumns+` FROM staff_invitations i JOIN stores st ON st.id = i.store_id
		WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2 `+lock,
		hashSecret(token), db.Now())
	if err != nil {
		if sc.ErrorCode(mapError(err)) == sc.ENOTFOUND {
			return nil, linkInvalid()
		}
		return nil, mapError(err)
	}
	return &inv, nil
}

// Invitation implements secondchance.StaffService.
func (db *DB) Invitation(ctx context.Context, token string) (*sc.StaffInvitation, error) {
	return db.pendingInvitation(ctx, db, token, "")
}

// AcceptInvitation implements secondchance.StaffService. A link that does not work is said
// first: a new password is no use with it.
func (db *DB) AcceptInvitation(ctx context.Context, in sc.SetPasswordInput) (*sc.StaffAccount, error) {
	if _, err := db.Invitation(ctx, in.Token); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var acc sc.StaffAccount
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		inv, err := db.pendingInvitation(ctx, tx, in.Token, "FOR UPDATE OF i")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_invitations SET accepted_at = $2 WHERE id = $1`, inv.ID, db.Now()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &acc, `WITH a AS (
				INSERT INTO staff_accounts (store_id, name, email, role, password_hash, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING *)
			SELECT `+staffColumns+` FROM a JOIN stores st ON st.id = a.store_id`,
			inv.StoreID, inv.Name, inv.Email, inv.Role, hash, db.Now())
	})
	if err != nil {
		return nil, err
	}
	return &acc, nil
}

// LogIn implements secondchance.StaffService. Each attempt is counted as a failure before its
// password is checked, and uncounted when it succeeds: so parallel guesses cannot slip past the
// limit between a check and its count.
func (db *DB) LogIn(ctx context.Context, in sc.LoginInput) (*sc.StaffAccount, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	client := in.Client
	if client == "" {
		client = "unknown"
	}
	var row struct {
		ID   int64  `db:"id"`
		Hash string `db:"password_hash"`
	}
	err := db.GetContext(ctx, &row, `SELECT id, password_hash FROM staff_accounts WHERE email = $1 AND disabled_at IS NULL`, in.Email)
	if err != nil && sc.ErrorCode(mapError(err)) != sc.ENOTFOUND {
		return nil, mapError(err)
	}
	account := ""
	if row.ID != 0 {
		account = strconv.FormatInt(row.ID, 10)
	}
	now := db.Now()
	if err := db.takeLoginSlot(ctx, client, account, now); err != nil {
		return nil, err
	}
	hash := row.Hash
	if hash == "" {
		hash = dummyHash()
	}
	ok, err := argon2id.ComparePasswordAndHash(in.Password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || row.ID == 0 {
		return nil, sc.Errorf(sc.EUNAUTHENTICATED, "the email or the password is wrong")
	}
	var acc sc.StaffAccount
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// A good password forgives the account's failures, and this attempt's count on the client.
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_login_failures WHERE scope = 'account' AND key = $1`, account); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_login_failures SET failures = failures - 1
			WHERE scope = 'client' AND key = $1 AND minute = date_trunc('minute', $2::timestamptz) AND failures > 0`, client, now); err != nil {
			return err
		}
		return tx.GetContext(ctx, &acc, `WITH a AS (UPDATE staff_accounts SET last_login_at = $2 WHERE id = $1 RETURNING *)
			SELECT `+staffColumns+` FROM a JOIN stores st ON st.id = a.store_id`, row.ID, now)
	})
	if err != nil {
		return nil, err
	}
	return &acc, nil
}

// takeLoginSlot counts one attempt against the client and the account (when the email has
// one), or answers RATE_LIMITED when either has too many failures in the window. Advisory
// locks serialise one client's and one account's attempts.
func (db *DB) takeLoginSlot(ctx context.Context, client, account string, now time.Time) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		keys := [][2]string{{"client", client}}
		if account != "" {
			keys = append(keys, [2]string{"account", account})
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:' || $1 || ':' || $2, 0))`, k[0], k[1]); err != nil {
				return err
			}
		}
		for _, k := range keys {
			var failures int
			if err := tx.GetContext(ctx, &failures, `SELECT coalesce(sum(failures), 0) FROM staff_login_failures
				WHERE scope = $1 AND key = $2 AND minute > $3`, k[0], k[1], now.Add(-sc.LoginFailureWindow)); err != nil {
				return err
			}
			limit := sc.LoginClientLimit
			if k[0] == "account" {
				limit = sc.LoginAccountLimit
			}
			if failures >= limit {
				return sc.Errorf(sc.ERATELIMITED, "too many failed logins; wait %d minutes, or reset your password", int(sc.LoginFailureWindow.Minutes()))
			}
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_login_failures (scope, key, minute, failures)
				VALUES ($1, $2, date_trunc('minute', $3::timestamptz), 1)
				ON CONFLICT (scope, key, minute) DO UPDATE SET failures = staff_login_failures.failures + 1`, k[0], k[1], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// resetsPerHour bounds the reset emails one account gets, whoever asks for them.
const resetsPerHour = 3

// RequestPasswordReset implements secondchance.StaffService.
func (db *DB) RequestPasswordReset(ctx context.Context, email string) error {
	email = sc.NormalizeEmail(email)
	in := sc.InviteInput{Email: email, Name: "x"}
	if err := in.Validate(); err != nil {
		return err
	}
	now := db.Now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var acc []sc.StaffAccount
		if err := tx.SelectContext(ctx, &acc, `SELECT `+staffColumns+` FROM staff_accounts a JOIN stores st ON st.id = a.store_id
			WHERE a.email = $1 AND a.disabled_at IS NULL FOR UPDATE OF a`, email); err != nil {
			return err
		}
		if len(acc) == 0 {
			return nil
		}
		var recent int
		if err := tx.GetContext(ctx, &recent, `SELECT count(*) FROM staff_password_resets WHERE account_id = $1 AND created_at > $2`,
			acc[0].ID, now.Add(-time.Hour)); err != nil {
			return err
		}
		if recent >= resetsPerHour {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_password_resets SET revoked_at = $2
			WHERE account_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, acc[0].ID, now); err != nil {
			return err
		}
		secret := newLinkSecret()
		expires := now.Add(sc.PasswordResetTTL)
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_password_resets (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashSecret(secret), acc[0].ID, now, expires); err != nil {
			return err
		}
		return db.sendStaffMail(ctx, sc.StaffMail{Kind: sc.StaffMailPasswordReset, To: acc[0].Email, Name: acc[0].Name,
			StoreName: acc[0].StoreName, Token: secret, ExpiresAt: expires})
	})
}

func (db *DB) pendingReset(ctx context.Context, q queryer, token, lock string) (int64, *sc.StaffAccount, error) {
	if token == "" || len(token) > 100 {
		return 0, nil, linkInvalid()
	}
	var row struct {
		ResetID int64 `db:"reset_id"`
		sc.StaffAccount
	}
	err := q.GetContext(ctx, &row, `SELECT r.id AS reset_id, `+staffColumns+` FROM staff_password_resets r
		JOIN staff_accounts a ON a.id = r.account_id JOIN stores st ON st.id = a.store_id
		WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > $2 AND a.disabled_at IS NULL `+lock,
		hashSecret(token), db.Now())
	if err != nil {
		if sc.ErrorCode(mapError(err)) == sc.ENOTFOUND {
			return 0, nil, linkInvalid()
		}
		return 0, nil, mapError(err)
	}
	return row.ResetID, &row.StaffAccount, nil
}

// PasswordReset implements secondchance.StaffService.
func (db *DB) PasswordReset(ctx context.Context, token string) (*sc.StaffAccount, error) {
	_, acc, err := db.pendingReset(ctx, db, token, "")
	return acc, err
}

// ResetPassword implements secondchance.StaffService. The new password logs out every session
// of the account (its epoch moves) and forgives its failed logins.
func (db *DB) ResetPassword(ctx context.Context, in sc.SetPasswordInput) (*sc.StaffAccount, error) {
	if _, err := db.PasswordReset(ctx, in.Token); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var acc sc.StaffAccount
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		resetID, a, err := db.pendingReset(ctx, tx, in.Token, "FOR UPDATE OF r, a")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_password_resets SET used_at = $2 WHERE id = $1`, resetID, db.Now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_login_failures WHERE scope = 'account' AND key = $1`, strconv.FormatInt(a.ID, 10)); err != nil {
			return err
		}
		return tx.GetContext(ctx, &acc, `WITH a AS (UPDATE staff_accounts SET password_hash = $2, session_epoch = session_epoch + 1 WHERE id = $1 RETURNING *)
			SELECT `+staffColumns+` FROM a JOIN stores st ON st.id = a.store_id`, a.ID, hash)
	})
	if err != nil {
		return nil, err
	}
	return &acc, nil
}

// StaffAccount implements secondchance.StaffService.
func (db *DB) StaffAccount(ctx context.Context, id int64) (*sc.StaffAccount, error) {
	var acc sc.StaffAccount
	err := db.GetContext(ctx, &acc, `SELECT `+staffColumns+` FROM staff_accounts a JOIN stores st ON st.id = a.store_id
		WHERE a.id = $1 AND a.disabled_at IS NULL`, id)
	if err != nil {
		if sc.ErrorCode(mapError(err)) == sc.ENOTFOUND {
			return nil, sc.Errorf(sc.EUNAUTHENTICATED, "the account is disabled or gone; log in again")
		}
		return nil, mapError(err)
	}
	return &acc, nil
}

// requireManager is a store manager's actor, or an admin's.
func requireManager(ctx context.Context) (*sc.Actor, error) {
	a, err := sc.RequireRole(ctx, sc.RoleAdmin, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if a.Role == sc.RoleStaff && !a.Manager {
		return nil, sc.Errorf(sc.EFORBIDDEN, "only a store manager manages the store's staff")
	}
	return a, nil
}

// requireStoreSettings is the actor of a change to its store's own settings (routing rules,
// increment tables): a staff token, which could always make it, or a portal account that
// manages the store. A staff member without the manager role reads them only. Tokens carry no
// staff account, so the GraphQL API behaves as before staff accounts existed.
func requireStoreSettings(ctx context.Context) (*sc.Actor, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if a.StaffID != 0 && !a.Manager {
		return nil, sc.Errorf(sc.EFORBIDDEN, "only a store manager changes the store's settings")
	}
	return a, nil
}

// ListStaff implements secondchance.StaffService, in the order accounts were opened.
func (db *DB) ListStaff(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.StaffAccount], error) {
	a, err := requireManager(ctx)
	if err != nil {
		return nil, err
	}
	limit, after, err := idPage(listStaff, page)
	if err != nil {
		return nil, err
	}
	cond := `($1 OR a.store_id = $2)`
	var rows []*sc.StaffAccount
	if err := db.SelectContext(ctx, &rows, `SELECT `+staffColumns+` FROM staff_accounts a JOIN stores st ON st.id = a.store_id
		WHERE `+cond+` AND ($3::bigint IS NULL OR a.id > $3) ORDER BY a.id LIMIT $4`, a.IsAdmin(), a.StoreID, after, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(s *sc.StaffAccount) string { return idCursor(listStaff, s.ID) },
		db.countFunc(`SELECT count(*) FROM staff_accounts a WHERE `+cond, a.IsAdmin(), a.StoreID)), nil
}

// PendingInvitations implements secondchance.StaffService.
func (db *DB) PendingInvitations(ctx context.Context) ([]*sc.StaffInvitation, error) {
	a, err := requireManager(ctx)
	if err != nil {
		return nil, err
	}
	rows := []*sc.StaffInvitation{}
	if err := db.SelectContext(ctx, &rows, `SELECT `+invitationColumns+` FROM staff_invitations i JOIN stores st ON st.id = i.store_id
		WHERE ($1 OR i.store_id = $2) AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $3
		ORDER BY i.created_at DESC, i.id DESC LIMIT $4`, a.IsAdmin(), a.StoreID, db.Now(), sc.MaxPageSize); err != nil {
		return nil, mapError(err)
	}
	return rows, nil
}

// DisableStaff implements secondchance.StaffService. Disabling twice is a CONFLICT.
func (db *DB) DisableStaff(ctx context.Context, id int64) (*sc.StaffAccount, error) {
	a, err := requireManager(ctx)
	if err != nil {
		return nil, err
	}
	if a.StaffID == id {
		return nil, sc.FieldErrorf("id", sc.EFORBIDDEN, "you cannot disable your own account; ask another manager")
	}
	var acc sc.StaffAccount
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &acc, `SELECT `+staffColumns+` FROM staff_accounts a JOIN stores st ON st.id = a.store_id
			WHERE a.id = $1 AND ($2 OR a.store_id = $3) FOR UPDATE OF a`, id, a.IsAdmin(), a.StoreID); err != nil {
			return notFound(err, "id", "no account of this store with this ID")
		}
		if acc.DisabledAt != nil {
			return sc.FieldErrorf("id", sc.ECONFLICT, "%s is already disabled", acc.Name)
		}
		return tx.GetContext(ctx, &acc, `WITH a AS (UPDATE staff_accounts SET disabled_at = $2, session_epoch = session_epoch + 1 WHERE id = $1 RETURNING *)
			SELECT `+staffColumns+` FROM a JOIN stores st ON st.id = a.store_id`, id, db.Now())
	})
	if err != nil {
		return nil, err
	}
	return &acc, nil
}

// ClaimForm implements secondchance.StaffService. The insert of a key commits on its own, before
// the form's work starts, so a second submission running at the same time sees it.
func (db *DB) ClaimForm(ctx context.Context, key string) (bool, string, error) {
	if key == "" || len(key) > 100 {
		return false, "", sc.FieldErrorf("form", sc.EINVALID, "the form has no valid one-time key; reload the page")
	}
	var inserted []string
	if err := db.SelectContext(ctx, &inserted, `INSERT INTO staff_form_submissions (key, created_at) VALUES ($1, $2)
		ON CONFLICT (key) DO NOTHING RETURNING key`, key, db.Now()); err != nil {
		return false, "", mapError(err)
	}
	if len(inserted) == 1 {
		return true, "", nil
	}
	var next string
	if err := db.GetContext(ctx, &next, `SELECT next FROM staff_form_submissions WHERE key = $1`, key); err != nil {
		return false, "", mapError(err)
	}
	return false, next, nil
}

// FinishForm implements secondchance.StaffService.
func (db *DB) FinishForm(ctx context.Context, key, next string) error {
	_, err := db.ExecContext(ctx, `UPDATE staff_form_submissions SET next = $2 WHERE key = $1`, key, next)
	return mapError(err)
}

// ReleaseForm implements secondchance.StaffService.
func (db *DB) ReleaseForm(ctx context.Context, key string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM staff_form_submissions WHERE key = $1 AND next = ''`, key)
	return mapError(err)
}

// PruneStaffRecords forgets what no longer counts: failed logins past their window, links
// expired a week ago, and form keys of more than a day ago. The daily clean-up runs it.
func (db *DB) PruneStaffRecords(ctx context.Context) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []struct {
			sql string
			at  time.Time
		}{
			{`DELETE FROM staff_login_failures WHERE minute < $1`, now.Add(-sc.LoginFailureWindow)},
			{`DELETE FROM staff_form_submissions WHERE created_at < $1`, now.Add(-24 * time.Hour)},
			{`DELETE FROM staff_password_resets WHERE expires_at < $1`, now.Add(-7 * 24 * time.Hour)},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.at); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateStaffAccount opens an account with a password and no invitation (admins). Only the
// demo data set uses it, so that `make run` prints a portal login that works; an account of
// the email that exists already is returned as it is, its password unchanged.
func (db *DB) CreateStaffAccount(ctx context.Context, in sc.InviteInput, password string) (*sc.StaffAccount, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	set := sc.SetPasswordInput{Password: password, Confirm: password}
	if err := set.Validate(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	var acc sc.StaffAccount
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var storeID int64
		if err := tx.GetContext(ctx, &storeID, `SELECT id FROM stores WHERE code = $1`, in.StoreCode); err != nil {
			return notFound(err, "store", "no store with code %q", in.StoreCode)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_accounts (store_id, name, email, role, password_hash, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING`, storeID, in.Name, in.Email, in.Role, hash, db.Now()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &acc, `SELECT `+staffColumns+` FROM staff_accounts a JOIN stores st ON st.id = a.store_id WHERE a.email = $1`, in.Email)
	})
	if err != nil {
		return nil, err
	}
	return &acc, nil
}
