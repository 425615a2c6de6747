package db

import "context"

// Exported for the external tests of this package.
var (
	ConstraintErrors       = constraintErrors
	UnreachableConstraints = unreachableConstraints
)

// MigrateTo applies the migrations up to and including version.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
