//go:build race

package http_test

// raceSlowdown is how much slower the race detector makes the server's work: it instruments
// every memory access, typically costing 2 to 10 times the CPU. Latency bounds are scaled by
// it, so that `go test -race` of the whole suite on two cores still checks them.
const raceSlowdown = 3
