package db

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Exported for the external tests of this package.
var (
	ConstraintErrors       = constraintErrors
	UnreachableConstraints = unreachableConstraints
)

// MaxPrepared is the bound on prepared statements.
const MaxPrepared = maxPrepared

// RunPrepared runs query, which returns one integer, through prepared, and says whether it ran
// as a prepared statement.
func (db *DB) RunPrepared(ctx context.Context, query string, args ...any) (n int64, isPrepared bool, err error) {
	st, ctx, err := db.prepared(ctx, query)
	if err != nil {
		return 0, false, err
	}
	_, isPrepared = st.(*sqlx.Stmt)
	err = st.QueryRowxContext(ctx, args...).Scan(&n)
	return n, isPrepared, err
}
