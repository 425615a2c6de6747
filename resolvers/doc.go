// Package resolvers implements the GraphQL schema of package graph: thin resolvers that decode
// input, call one service method of the domain, and turn the result or error into the payload.
// It also builds the GraphQL handler: the @hasRole directive, the error presenter that sets
// extensions.code, complexity and depth limits, and the per-request dataloaders.
//
// No SQL and no business rule belongs here; the portal calls the same services.
package resolvers
