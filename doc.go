// Package secondchance holds the domain of Second Chance: the types every layer shares
// (sellers, buyers, orders, tokens, money), their validation and pure rules, the error type
// every layer maps its failures into, and the service interfaces the storage layer implements.
//
// It imports nothing of the project. Storage lives in db, the GraphQL API in graph and
// resolvers, background work in jobs, and cmd/secondchance wires them together.
package secondchance
