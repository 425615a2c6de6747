//go:build !race

package http_test

// raceSlowdown is 1 without the race detector: latency bounds are the issue's own.
const raceSlowdown = 1
