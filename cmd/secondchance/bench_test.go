package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db/dbtest"
)

// TestHelperServeProcess is not a test: it is the `secondchance serve` that `bench read`
// starts in TestBenchRead, this test binary standing in for the program.
func TestHelperServeProcess(t *testing.T) {
	if os.Getenv("SECONDCHANCE_HELPER_SERVE") == "" {
		t.Skip("started by TestBenchRead")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, []string{"serve"}))
}

// TestBenchRead runs `bench read` whole on a small data set: it seeds a scratch database, serves
// it in a process of its own, measures the reads asked for beside pgbench, and prints a row per
// read and subject, a pair per read, and the bars; a second run reuses the data set.
func TestBenchRead(t *testing.T) {
	t.Parallel()
	if _, err := findPgbench(""); err != nil {
		t.Skipf("%v", err) // TestBenchReadNeedsPgbench holds the message to it
	}
	serveCommand = func() (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServeProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SECONDCHANCE_HELPER_SERVE=1")
		return cmd, nil
	}
	base := dbtest.URL(t)
	name := fmt.Sprintf("sc_bench_read_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", base)
		require.NoError(t, err)
		defer admin.Close()
		_, err = admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
		require.NoError(t, err)
	})
	// Four clients, not sixteen: the test shares the cluster's connections with other tests.
	args := []string{"bench", "read", "--database", name, "--sellers", "4", "--buyers", "40", "--orders", "1500", "--returns", "3", "--duration", "1s", "--clients", "4"}

	// Items: two per return, 3 of the largest seller's and 1 of the small one's at the universal
	// store; one unmatched parcel of two at the small store.
	code, out, errOut := run(t, base, append(args, "--only", "orders page,returned items")...)
	require.Equal(t, exitOK, code, errOut)
	for _, row := range []string{"| orders page | largest seller (", "| orders page | small seller (",
		"| returned items page | universal store staff | 8 |", "| returned items page | small store staff | 2 |",
		"| orders page | seller |", "| returned items page | staff |", "4 clients req/s", "Bars (issue 13):"} {
		require.Contains(t, out, row)
	}
	require.NotContains(t, out, "| me |", "--only measures only the reads it names")

	code, out, errOut = run(t, base, append(args, "--only", "orders page")...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, errOut, "reusing database "+name)
	require.Contains(t, out, "| orders page | largest seller (")
}

// TestBenchReadNeedsPgbench: without pgbench the benchmark says where it comes from, before
// touching any database.
func TestBenchReadNeedsPgbench(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "postgres://nobody@127.0.0.1:1/none", "bench", "read", "--pgbench", "/no/such/pgbench")
	require.Equal(t, exitError, code)
	require.Contains(t, errOut, "pgbench")
	_, err := findPgbench("/no/such/pgbench")
	require.Error(t, err)
	require.True(t, strings.Contains(findPgbenchHint, "postgresql-15"), findPgbenchHint)
}
