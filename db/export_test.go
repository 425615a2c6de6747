package db

// Exported for the external tests of this package.
var (
	ConstraintErrors       = constraintErrors
	UnreachableConstraints = unreachableConstraints
)
