// Package http is Second Chance's one HTTP edge: the server with its middleware (request IDs,
// access logs, metrics, body and time limits, CORS, security headers), bearer authentication,
// the GraphQL endpoint, the signed-file routes, the public certificate verification page and the
// playground, and the separate metrics listener. It maps the
// domain's Error codes to HTTP statuses in one table. It takes the domain services as one
// secondchance.Services value, so the command only loads configuration and wires.
package http
