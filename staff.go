package secondchance

import (
	"context"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// StaffRole is what a staff account may do in its store: every member works the store's
// queues, a store manager also manages the store's staff.
type StaffRole string

// Staff roles.
const (
	StaffMember  StaffRole = "STAFF"
	StaffManager StaffRole = "STORE_MANAGER"
)

// StaffRoles lists the staff roles, in the order forms show them.
var StaffRoles = []StaffRole{StaffMember, StaffManager}

// Valid reports whether r is one of StaffRoles.
func (r StaffRole) Valid() bool { return r == StaffMember || r == StaffManager }

// MarshalGQL writes the role as a GraphQL enum value.
func (r StaffRole) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *StaffRole) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, StaffRole.Valid) }

// Limits of staff accounts. A link lives long enough to survive a weekend; passwords are long
// enough to resist guessing and short enough that hashing one stays cheap.
const (
	InvitationTTL     = 72 * time.Hour
	PasswordResetTTL  = 2 * time.Hour
	MinPasswordLength = 12
	MaxPasswordLength = 128
	// LoginFailureWindow is how long failed logins count. An account with LoginAccountLimit
	// failures in it, or a client with LoginClientLimit, is refused until they age out.
	LoginFailureWindow = 15 * time.Minute
	LoginAccountLimit  = 5
	LoginClientLimit   = 20
)

// EINVITATION: the invitation or reset link is unknown, used already, or expired.
const EINVITATION = "LINK_INVALID"

// StaffAccount is a person who works for a store and logs in to the portal with an email and
// a password. The password's hash never leaves the storage layer.
type StaffAccount struct {
	ID          int64      `db:"id"`
	StoreID     int64      `db:"store_id"`
	StoreCode   string     `db:"store_code"`
	StoreName   string     `db:"store_name"`
	Name        string     `db:"name"`
	Email       string     `db:"email"`
	Role        StaffRole  `db:"role"`
	CreatedAt   time.Time  `db:"created_at"`
	LastLoginAt *time.Time `db:"last_login_at"`
	DisabledAt  *time.Time `db:"disabled_at"`
	// SessionEpoch changes when the password is reset: a session logged in under an older
	// epoch is logged out.
	SessionEpoch int `db:"session_epoch"`
}

// Manager reports whether the account manages its store's staff.
func (s *StaffAccount) Manager() bool { return s.Role == StaffManager }

// Actor is who the account acts as: staff of its store, as a staff token would, so every
// service scopes its data the same way for both.
func (s *StaffAccount) Actor() *Actor {
	return &Actor{Role: RoleStaff, StoreID: s.StoreID, StaffID: s.ID, Manager: s.Manager()}
}

// StaffInvitation is an emailed, single-use, expiring invitation to open a staff account. Only
// a hash of its secret is stored; the secret is in the link of the email alone.
type StaffInvitation struct {
	ID         int64      `db:"id"`
	StoreID    int64      `db:"store_id"`
	StoreName  string     `db:"store_name"`
	Email      string     `db:"email"`
	Name       string     `db:"name"`
	Role       StaffRole  `db:"role"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	AcceptedAt *time.Time `db:"accepted_at"`
}

// InviteInput invites a person to a store's staff. An admin names the store; a store manager
// invites to the manager's own store and leaves StoreCode empty.
type InviteInput struct {
	StoreCode string
	Email     string
	Name      string
	Role      StaffRole
}

// Validate checks the invitation and normalises the email (trimmed, lower case: addresses are
// compared that way, so one person cannot hold two accounts by case).
func (in *InviteInput) Validate() error {
	var f fieldErrors
	in.Email = NormalizeEmail(in.Email)
	checkEmail(f.add, "email", in.Email)
	in.Name = strings.TrimSpace(in.Name)
	checkText(f.add, "name", in.Name, 1, 200)
	if in.Role == "" {
		in.Role = StaffMember
	}
	if !in.Role.Valid() {
		f.add("role", "role %q is not one of %v", in.Role, StaffRoles)
	}
	return f.Err()
}

// NormalizeEmail is how staff emails are stored and looked up: trimmed and in lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(add func(string, string, ...any), field, s string) {
	if s == "" {
		add(field, "an email address is required")
		return
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s || len(s) > 254 {
		add(field, "%q is not an email address such as name@example.org", truncate(s, 60))
	}
}

// SetPasswordInput sets an account's password with the secret of an invitation (which opens
// the account) or of a password reset.
type SetPasswordInput struct {
	Token    string
	Password string
	// Confirm is the password typed a second time.
	Confirm string
}

// Validate checks the password rules; the token is checked by the store.
func (in *SetPasswordInput) Validate() error {
	var f fieldErrors
	checkPassword(f.add, "password", in.Password)
	if in.Password != in.Confirm {
		f.add("confirm", "the two passwords differ")
	}
	return f.Err()
}

func checkPassword(add func(string, string, ...any), field, p string) {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		add(field, "the password is not valid UTF-8")
	case n < MinPasswordLength:
		add(field, "a password needs at least %d characters", MinPasswordLength)
	case len(p) > MaxPasswordLength:
		add(field, "a password is at most %d bytes long", MaxPasswordLength)
	}
}

// LoginInput is a login attempt: the email and password typed, and the client's address,
// which failed attempts are counted against.
type LoginInput struct {
	Email    string
	Password string
	Client   string
}

// Validate checks that something was typed; wrong credentials are UNAUTHENTICATED, without
// saying which of the two was wrong.
func (in *LoginInput) Validate() error {
	var f fieldErrors
	in.Email = NormalizeEmail(in.Email)
	if in.Email == "" {
		f.add("email", "type your email address")
	} else if len(in.Email) > 254 || !utf8.ValidString(in.Email) {
		f.add("email", "this is not an email address")
	}
	if in.Password == "" {
		f.add("password", "type your password")
	} else if len(in.Password) > MaxPasswordLength {
		f.add("password", "a password is at most %d bytes long", MaxPasswordLength)
	}
	return f.Err()
}

// StaffMailKind is what an email to staff carries.
type StaffMailKind string

// Kinds of staff email.
const (
	StaffMailInvitation    StaffMailKind = "INVITATION"
	StaffMailPasswordReset StaffMailKind = "PASSWORD_RESET"
)

// StaffMail is an email the staff service sends: it holds the link's secret, which is stored
// nowhere else, so it is handed to the mailer and not queued.
type StaffMail struct {
	Kind      StaffMailKind
	To        string
	Name      string
	StoreName string
	Token     string
	ExpiresAt time.Time
}

// StaffService manages the people who log in to the portal. Inviting and resetting send an
// email; every other method answers from the database alone.
type StaffService interface {
	// InviteStaff invites a person (admins, and store managers to their own store) and emails
	// the link. A pending invitation of the same email to the store is replaced; an email that
	// already has an account is a CONFLICT on "email".
	InviteStaff(ctx context.Context, in InviteInput) (*StaffInvitation, error)
	// Invitation returns the pending invitation of a link's secret, to show whom it is for;
	// LINK_INVALID when it is unknown, used or expired. It needs no actor.
	Invitation(ctx context.Context, token string) (*StaffInvitation, error)
	// AcceptInvitation opens the account of an invitation with its password; the link is used
	// up. It needs no actor.
	AcceptInvitation(ctx context.Context, in SetPasswordInput) (*StaffAccount, error)
	// LogIn checks an email and password. Wrong ones are UNAUTHENTICATED and counted against
	// the account and the client; too many recent failures are RATE_LIMITED, before any
	// password is checked.
	LogIn(ctx context.Context, in LoginInput) (*StaffAccount, error)
	// RequestPasswordReset emails a reset link to an active account's address. It answers the
	// same whether or not the address has an account, so it tells no one who works where.
	RequestPasswordReset(ctx context.Context, email string) error
	// PasswordReset checks a reset link's secret (LINK_INVALID), to show its form.
	PasswordReset(ctx context.Context, token string) (*StaffAccount, error)
	// ResetPassword sets a new password with a reset link's secret, which is used up.
	ResetPassword(ctx context.Context, in SetPasswordInput) (*StaffAccount, error)
	// StaffAccount returns an active account by ID, for the session that logged it in:
	// UNAUTHENTICATED once the account is disabled. It needs no actor.
	StaffAccount(ctx context.Context, id int64) (*StaffAccount, error)
	// ListStaff pages through a store's accounts by name (store managers: their store; admins:
	// every store).
	ListStaff(ctx context.Context, page PageArgs) (*Page[*StaffAccount], error)
	// PendingInvitations lists the store's invitations not yet accepted nor expired (store
	// managers), newest first.
	PendingInvitations(ctx context.Context) ([]*StaffInvitation, error)
	// DisableStaff disables an account of the manager's store (or any, for admins); it can no
	// longer log in and its sessions stop working. Managers cannot disable themselves.
	DisableStaff(ctx context.Context, id int64) (*StaffAccount, error)
	// ClaimForm records the first submission of a form's one-time key, so a form posted twice
	// (a double click) takes effect once: first is false for a repeat, with where the first
	// submission led once it finished (empty before).
	ClaimForm(ctx context.Context, key string) (first bool, next string, err error)
	// FinishForm records where a form's submission led, for its repeats.
	FinishForm(ctx context.Context, key, next string) error
	// ReleaseForm forgets a form's key whose submission was refused (it changed nothing), so
	// that sending the same form again is checked again rather than taken for a repeat.
	ReleaseForm(ctx context.Context, key string) error
}
