package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.TokenService = (*DB)(nil)

const tokenColumns = `id, role, seller_id, store_id, label, created_at, last_used_at, revoked_at,
	(SELECT s.number FROM sellers s WHERE s.id = tokens.seller_id) AS seller_number,
	(SELECT st.code FROM stores st WHERE st.id = tokens.store_id) AS store_code`

// tokenPrefix marks Second Chance secrets, so secret scanners and people recognise a leaked one.
const tokenPrefix = "sc_"

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// CreateToken implements secondchance.TokenService (admins; the command line acts as one).
func (db *DB) CreateToken(ctx context.Context, in sc.TokenInput) (*sc.Token, string, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	secret := in.Secret
	if secret == "" {
		secret = newSecret()
	}
	var t sc.Token
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var sellerID, storeID *int64
		if in.SellerNumber != "" {
			sellerID = new(int64)
			if err := tx.GetContext(ctx, sellerID, `SELECT id FROM sellers WHERE number = $1`, in.SellerNumber); err != nil {
				return notFound(err, "seller", "no seller with number %q", in.SellerNumber)
			}
		}
		if in.StoreCode != "" {
			storeID = new(int64)
			if err := tx.GetContext(ctx, storeID, `SELECT id FROM stores WHERE code = $1`, in.StoreCode); err != nil {
				return notFound(err, "store", "no store with code %q", in.StoreCode)
			}
		}
		return tx.GetContext(ctx, &t, `INSERT INTO tokens (secret_hash, role, seller_id, store_id, label)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (secret_hash) DO UPDATE SET label = tokens.label -- the token as it is: a revoked one stays revoked
			RETURNING `+tokenColumns, hashSecret(secret), in.Role, sellerID, storeID, in.Label)
	})
	if err != nil {
		return nil, "", err
	}
	return &t, secret, nil
}

// Authenticate implements secondchance.TokenService. It records when a token was last used at
// most once a minute, in the same statement, so a request costs one statement to authenticate.
func (db *DB) Authenticate(ctx context.Context, secret string) (*sc.Actor, error) {
	unauth := sc.Errorf(sc.EUNAUTHENTICATED, "the bearer token is unknown or revoked")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, unauth
	}
	var row struct {
		ID       int64   `db:"id"`
		Role     sc.Role `db:"role"`
		SellerID *int64  `db:"seller_id"`
		StoreID  *int64  `db:"store_id"`
	}
	// Every request sends it: prepared once per connection (its plan is the same for every token).
	st, ctx, err := db.prepared(ctx, `WITH t AS (
			SELECT id, role, seller_id, store_id, last_used_at FROM tokens
			WHERE secret_hash = $1 AND revoked_at IS NULL),
		touched AS (
			UPDATE tokens SET last_used_at = now() FROM t
			WHERE tokens.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'))
		SELECT id, role, seller_id, store_id FROM t`)
	if err == nil {
		err = st.QueryRowxContext(ctx, hashSecret(secret)).StructScan(&row)
	}
	if err != nil {
		if sc.ErrorCode(mapError(err)) == sc.ENOTFOUND {
			return nil, unauth
		}
		return nil, mapError(err)
	}
	a := &sc.Actor{TokenID: row.ID, Role: row.Role}
	if row.SellerID != nil {
		a.SellerID = *row.SellerID
	}
	if row.StoreID != nil {
		a.StoreID = *row.StoreID
	}
	return a, nil
}

// ListTokens implements secondchance.TokenService.
func (db *DB) ListTokens(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.Token], error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	limit, before, err := idPage(listTokens, page)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Token
	err = db.SelectContext(ctx, &rows, `SELECT `+tokenColumns+` FROM tokens
		WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`, before, limit+1)
	if err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(t *sc.Token) string { return idCursor(listTokens, t.ID) },
		db.countFunc(`SELECT count(*) FROM tokens`)), nil
}

// TokensByID implements secondchance.TokenService.
func (db *DB) TokensByID(ctx context.Context, ids []int64) ([]*sc.Token, error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Token
	err = db.SelectContext(ctx, &rows, `SELECT `+tokenColumns+` FROM tokens WHERE id = ANY($1) AND ($2 OR id = $3)`,
		pq.Array(ids), a.IsAdmin(), a.TokenID)
	if err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(t *sc.Token) int64 { return t.ID }), nil
}

// RevokeToken implements secondchance.TokenService. Revoking twice is a CONFLICT, so a script that
// revokes the wrong ID learns it.
func (db *DB) RevokeToken(ctx context.Context, id int64) (*sc.Token, error) {
	if _, err := sc.RequireRole(ctx, sc.RoleAdmin); err != nil {
		return nil, err
	}
	var t sc.Token
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &t, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "id", "no token with ID %d", id)
		}
		if t.RevokedAt != nil {
			return sc.FieldErrorf("id", sc.ECONFLICT, "token %d was already revoked at %s", id, t.RevokedAt.Format("2006-01-02 15:04:05Z07:00"))
		}
		return tx.GetContext(ctx, &t, `UPDATE tokens SET revoked_at = now() WHERE id = $1 RETURNING `+tokenColumns, id)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}
