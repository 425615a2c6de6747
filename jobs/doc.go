// Package jobs is the background work of Second Chance on River, on the same PostgreSQL and
// the same lib/pq pool as the rest (riverdatabasesql driver): each job is an args struct with
// Kind() and a worker with Work, idempotent and safe to retry, and the same code runs from
// the schedule, from a mutation and from the command line. Jobs are inserted in the
// transaction of the business write that calls for them.
//
// It also owns River's schema, which `secondchance migrate` applies next to the project's own.
package jobs
