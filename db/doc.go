// Package db is the PostgreSQL storage of Second Chance: one file per entity holding its SQL
// (inline, explicit columns, $n placeholders), the embedded goose migrations, the mapping of
// driver errors into secondchance.Error, bulk loading through COPY, and the deterministic seed.
//
// Every exported method that serves a request reads the actor from the context and scopes its
// SQL by it, so authorization holds even if a caller forgets to check.
package db
