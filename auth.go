package secondchance

import (
	"context"
	"io"
	"strconv"
	"time"
)

// Role is what a bearer token may do. Each token has exactly one.
type Role string

// The roles: a seller frontend acts for one seller, charity staff for one store, and platform
// operators for everything.
const (
	RoleSeller Role = "SELLER"
	RoleStaff  Role = "STAFF"
	RoleAdmin  Role = "ADMIN"
)

// Roles lists every role, in the order help texts show them.
var Roles = []Role{RoleSeller, RoleStaff, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r == RoleSeller || r == RoleStaff || r == RoleAdmin }

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value into r.
func (r *Role) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, Role.Valid) }

// Actor is who a request acts as: the token's role and the one seller or store it is scoped to.
// Every service method reads it from the context and scopes its SQL by it.
type Actor struct {
	TokenID  int64
	Role     Role
	SellerID int64 // set for RoleSeller
	StoreID  int64 // set for RoleStaff
	// StaffID is the staff account of a portal session (RoleStaff without a token), and
	// Manager whether that account manages its store's staff.
	StaffID int64
	Manager bool
}

// IsAdmin reports whether the actor is a platform operator.
func (a *Actor) IsAdmin() bool { return a != nil && a.Role == RoleAdmin }

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of ctx, or nil for an unauthenticated request.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// NewSystemContext returns ctx acting as the platform itself: the command line and scheduled
// jobs run with it, with the rights of an admin and no token.
func NewSystemContext(ctx context.Context) context.Context {
	return NewContextWithActor(ctx, &Actor{Role: RoleAdmin})
}

// RequireActor returns the actor of ctx or UNAUTHENTICATED.
func RequireActor(ctx context.Context) (*Actor, error) {
	a := ActorFromContext(ctx)
	if a == nil {
		return nil, Errorf(EUNAUTHENTICATED, "a valid bearer token is required: send Authorization: Bearer <token>")
	}
	return a, nil
}

// RequireRole returns the actor of ctx when it has one of roles: UNAUTHENTICATED without a
// token, FORBIDDEN with a token of another role.
func RequireRole(ctx context.Context, roles ...Role) (*Actor, error) {
	a, err := RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if a.Role == r {
			return a, nil
		}
	}
	return nil, Errorf(EFORBIDDEN, "a %s token cannot do this; it needs one of %v", a.Role, roles)
}

// Token is a bearer token as stored: only the SHA-256 hash of the secret is kept, so the
// secret is shown once, when the token is created.
type Token struct {
	ID         int64      `db:"id"`
	Role       Role       `db:"role"`
	SellerID   *int64     `db:"seller_id"`
	StoreID    *int64     `db:"store_id"`
	Label      string     `db:"label"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	// SellerNumber and StoreCode name whom the token acts for, as operators know them.
	SellerNumber *string `db:"seller_number"`
	StoreCode    *string `db:"store_code"`
}

// GlobalID is the token's Relay ID.
func (t *Token) GlobalID() string { return GlobalID(KindToken, t.ID) }

// TokenInput describes a token to create. The seller and store are referred to by the numbers
// and codes operators know.
type TokenInput struct {
	Role         Role
	SellerNumber string
	StoreCode    string
	Label        string
	// Secret, when set, is used instead of a random one. Only the demo data set uses it, so the
	// README's demo tokens stay the same on every machine.
	Secret string
}

// Validate checks that the scope matches the role: a seller token names a seller, a staff
// token a store, an admin token neither.
func (in TokenInput) Validate() error {
	var errs Errors
	if !in.Role.Valid() {
		errs = append(errs, FieldErrorf("role", EINVALID, "role %q is not one of %v", in.Role, Roles))
	}
	if (in.Role == RoleSeller) != (in.SellerNumber != "") {
		errs = append(errs, FieldErrorf("seller", EINVALID, "a seller number is required for, and only for, a SELLER token"))
	}
	if (in.Role == RoleStaff) != (in.StoreCode != "") {
		errs = append(errs, FieldErrorf("store", EINVALID, "a store code is required for, and only for, a STAFF token"))
	}
	if len(in.Label) > 200 {
		errs = append(errs, FieldErrorf("label", EINVALID, "label is longer than 200 characters"))
	}
	return errs.Err()
}

// TokenService creates, authenticates, lists and revokes bearer tokens.
type TokenService interface {
	// CreateToken stores a new token and returns it with its secret, which is not stored.
	CreateToken(ctx context.Context, in TokenInput) (*Token, string, error)
	// Authenticate returns the actor of a secret, or UNAUTHENTICATED for an unknown or revoked one.
	Authenticate(ctx context.Context, secret string) (*Actor, error)
	// ListTokens pages through every token, newest first (admins).
	ListTokens(ctx context.Context, page PageArgs) (*Page[*Token], error)
	// TokensByID returns the tokens with these IDs in the order of ids (admins see all, others
	// only their own token).
	TokensByID(ctx context.Context, ids []int64) ([]*Token, error)
	// RevokeToken makes a token unusable from now on.
	RevokeToken(ctx context.Context, id int64) (*Token, error)
}

// unmarshalEnum is the shared UnmarshalGQL of the string enums of this package.
func unmarshalEnum[T ~string](v any, dst *T, valid func(T) bool) error {
	// The values are exact (GraphQL enums are case-sensitive): a client error is INVALID, never
	// a value that passes here and fails in the store.
	s, ok := v.(string)
	if !ok {
		return Errorf(EINVALID, "an enum value must be a string, got %T", v)
	}
	if !valid(T(s)) {
		return Errorf(EINVALID, "%q is not a valid value", truncate(s, 40))
	}
	*dst = T(s)
	return nil
}
