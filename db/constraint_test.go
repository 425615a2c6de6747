package db_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// TestEveryConstraintIsMapped lists every unique, exclusion, check and foreign-key constraint
// and every unique index of the migrated schema (River's tables aside) and fails unless each
// is mapped to a client error in constraintErrors or listed, with its reason, as unreachable
// by input. A new migration's constraint must be placed in one of the two.
func TestEveryConstraintIsMapped(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	var names []string
	require.NoError(t, d.Select(&names, `
		SELECT conname FROM pg_constraint
		WHERE connamespace = 'public'::regnamespace AND contype IN ('u', 'x', 'c', 'f', 'p')
			AND conrelid::regclass::text NOT LIKE 'river%'
			-- a key of one sequence-assigned column: no client names the IDs of new rows
			AND NOT (contype = 'p' AND pg_get_constraintdef(oid) = 'PRIMARY KEY (id)')
		UNION
		SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace AND t.relname NOT LIKE 'river%'
			AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.oid)
		ORDER BY 1`))
	require.NotEmpty(t, names)
	for _, n := range names {
		_, mapped := db.ConstraintErrors[n]
		_, unreachable := db.UnreachableConstraints[n]
		require.True(t, mapped != unreachable, "constraint %s must be in exactly one of constraintErrors and unreachableConstraints", n)
	}
	for n := range db.ConstraintErrors {
		require.Contains(t, names, n, "constraintErrors maps %s, which the schema does not have", n)
	}
	for n := range db.UnreachableConstraints {
		require.Contains(t, names, n, "unreachableConstraints lists %s, which the schema does not have", n)
	}
}
