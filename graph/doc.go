// Package graph is the GraphQL schema of Second Chance (*.graphqls), the executable schema and
// models gqlgen generates from it, and the few hand-written types the schema binds besides the
// domain types: connections, edges and the Node interface.
//
// generated.go and models_gen.go are never edited by hand; `go tool gqlgen generate` rewrites
// them and CI fails when they are stale.
package graph
