package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
)

func (m *Main) bench(ctx context.Context, args []string) error {
	return m.subcommand(ctx, "bench", args, map[string]func(context.Context, []string) error{"read": m.benchRead})
}

// benchOptions are the flags of `bench read`.
type benchOptions struct {
	Sellers, Buyers, Orders, Reports int
	Returns                          int
	SmallOrders                      int
	Database                         string
	Fresh                            bool
	Duration                         time.Duration
	Clients                          int
	Only                             string
	Profile                          string
	Pgbench                          string
}

// benchRead seeds (or reuses) a scratch database, serves it with the real server in a process
// of its own, and measures each main read of a seller frontend and of store staff beside the
// same rows as one hand-written statement through pgbench and served over bare HTTP, then prints
// one table.
func (m *Main) benchRead(ctx context.Context, args []string) error {
	fs := newFlags("bench read", m.Stderr)
	var o benchOptions
	fs.IntVar(&o.Sellers, "sellers", 200, "the `number` of sellers of the data set")
	fs.IntVar(&o.Buyers, "buyers", 20000, "the `number` of buyers")
	fs.IntVar(&o.Orders, "orders", 200000, "the `number` of orders")
	fs.IntVar(&o.Reports, "reports", -1, "about this `number` of pending reports (default: one per 40 orders)")
	fs.IntVar(&o.Returns, "returns", 150, "the `number` of returns the largest seller makes through the store (two items each, sold, settled, certified); the small seller a seventh of it")
	fs.IntVar(&o.SmallOrders, "small", 0, "the small seller is the one with nearest this `number` of orders (default: the one with the fewest)")
	fs.StringVar(&o.Database, "database", "secondchance_bench_read", "the scratch database's `name`, on DATABASE_URL's server; reused when it holds the same data set")
	fs.BoolVar(&o.Fresh, "fresh", false, "drop and seed the scratch database even when it holds the same data set")
	fs.DurationVar(&o.Duration, "duration", 2*time.Second, "how long each read runs at full concurrency, and pgbench beside it (whole seconds)")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent clients of the loaded runs, for the server and for pgbench")
	fs.StringVar(&o.Only, "only", "", "measure only the reads whose names contain one of these comma-separated `words`")
	fs.StringVar(&o.Profile, "profile", "", "write the server's CPU profile of each loaded run into this `folder`")
	fs.StringVar(&o.Pgbench, "pgbench", "", "the pgbench `program` (default: pgbench on the PATH, else the newest /usr/lib/postgresql/*/bin/pgbench)")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	if o.Reports < 0 {
		o.Reports = o.Orders / 40
	}
	if o.Clients < 1 || o.Duration < time.Second || o.Returns < 1 {
		return badUsage("bench read", "--clients and --returns must be 1 or more, and --duration at least 1s", fs)
	}
	pgbench, err := findPgbench(o.Pgbench)
	if err != nil {
		return err
	}
	if m.cfgErr != nil {
		return usageError{m.cfgErr.Error()}
	}
	benchURL, err := m.benchDatabase(ctx, o)
	if err != nil {
		return err
	}
	m.cfg.DatabaseURL = benchURL
	d, err := m.openMigrated(ctx, true)
	if err != nil {
		return err
	}
	subjects, err := m.benchData(ctx, d, o)
	if err != nil {
		return err
	}
	srv, err := m.startBenchServer(ctx, benchURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(m.Stderr, "serving the data set on %s (server pid %d); measuring\n", srv.api, srv.cmd.Process.Pid)
	r := &benchRunner{out: m.Stderr, api: "http://" + srv.api + "/graphql", metrics: srv.metrics, pgbench: pgbench,
		pgURL: benchURL, clients: o.Clients, duration: o.Duration, profile: o.Profile, serverPID: srv.cmd.Process.Pid, mon: d.DB.DB}
	if r.bare, err = startHTTPFloor(benchURL, o.Clients); err != nil {
		return err
	}
	defer r.bare.close()
	reads, err := benchReads(ctx, d, subjects)
	if err != nil {
		return err
	}
	rows, err := r.run(ctx, reads, o.Only)
	if err != nil {
		return err
	}
	if err := r.equalPages(ctx, rows); err != nil {
		return err
	}
	printBench(m.Stdout, o, subjects, rows)
	return nil
}

// findPgbenchHint says where pgbench comes from.
const findPgbenchHint = "pgbench ships with Debian's PostgreSQL server package: apt-get install postgresql-15 puts it in " +
	"/usr/lib/postgresql/15/bin/pgbench; or name it with --pgbench /path/to/pgbench"

// findPgbench finds pgbench: the flag's, the PATH's, then the newest of Debian's PostgreSQL
// folders.
func findPgbench(flagged string) (string, error) {
	if flagged != "" {
		p, err := exec.LookPath(flagged)
		if err != nil {
			return "", fmt.Errorf("--pgbench %s: %w (%s)", flagged, err, findPgbenchHint)
		}
		return p, nil
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	newest, version := "", -1
	for _, m := range matches {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m))))
		if err == nil && v > version {
			newest, version = m, v
		}
	}
	if newest == "" {
		return "", errors.New("pgbench not found: " + findPgbenchHint)
	}
	return newest, nil
}

// benchDatabase makes sure the scratch database exists on DATABASE_URL's server, dropped and
// created again when it holds another data set or --fresh says so, and returns its URL. The
// database DATABASE_URL names itself is never touched.
func (m *Main) benchDatabase(ctx context.Context, o benchOptions) (string, error) {
	u, err := url.Parse(m.cfg.DatabaseURL)
	if err != nil {
		return "", usageError{"DATABASE_URL: " + err.Error()}
	}
	if strings.TrimPrefix(u.Path, "/") == o.Database {
		return "", usageError{fmt.Sprintf("--database %s is DATABASE_URL's own database; the benchmark drops and seeds its database, so name another", o.Database)}
	}
	bu := *u
	bu.Path = "/" + o.Database
	benchURL := bu.String()
	admin, err := sql.Open("postgres", m.cfg.DatabaseURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, o.Database).Scan(&exists); err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	if exists && !o.Fresh {
		same, err := sameBenchData(ctx, benchURL, o)
		if err != nil {
			return "", err
		}
		if same {
			fmt.Fprintf(m.Stderr, "reusing database %s: it holds %d sellers, %d buyers, %d orders\n", o.Database, o.Sellers, o.Buyers, o.Orders)
			return benchURL, nil
		}
	}
	name := pq.QuoteIdentifier(o.Database)
	if exists {
		fmt.Fprintf(m.Stderr, "dropping database %s\n", o.Database)
		if _, err := admin.ExecContext(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			return "", fmt.Errorf("dropping %s: %w", o.Database, err)
		}
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("creating database %s (DATABASE_URL's role needs CREATEDB, which db/local-postgres.sh gives it): %w", o.Database, err)
	}
	// A scratch database: its commits need not wait for the disk, which makes walking the
	// returns through the store (a few thousand small transactions) quick. Reads are the same.
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` SET synchronous_commit = off`); err != nil {
		return "", err
	}
	return benchURL, nil
}

// sameBenchData says whether the database at u holds the data set o asks for: the seed numbers
// rows from 1, so the largest IDs are the counts.
func sameBenchData(ctx context.Context, u string, o benchOptions) (bool, error) {
	c, err := sql.Open("postgres", u)
	if err != nil {
		return false, err
	}
	defer c.Close()
	var sellers, buyers, orders sql.NullInt64
	err = c.QueryRowContext(ctx, `SELECT (SELECT max(id) FROM sellers), (SELECT max(id) FROM buyers), (SELECT max(id) FROM orders)`).Scan(&sellers, &buyers, &orders)
	if err != nil {
		return false, nil // not a seeded database: seed it again
	}
	return sellers.Int64 == int64(o.Sellers) && buyers.Int64 == int64(o.Buyers) && orders.Int64 == int64(o.Orders), nil
}

// benchData seeds the marketplace when the database is empty, brings the indicators up to
// date, walks returns through the store and makes a token for each subject.
func (m *Main) benchData(ctx context.Context, d *db.DB, o benchOptions) (benchSubjects, error) {
	empty, err := d.MarketplaceEmpty(ctx)
	if err != nil {
		return benchSubjects{}, err
	}
	if empty {
		start := time.Now() // for the elapsed time printed
		opts := db.SeedOptions{Sellers: o.Sellers, Buyers: o.Buyers, Orders: o.Orders, Reports: o.Reports, Seed: 2017}
		if err := d.Seed(ctx, opts, newProgress(m.Stderr)); err != nil {
			return benchSubjects{}, err
		}
		fmt.Fprintf(m.Stderr, "seeded %d sellers, %d buyers, %d orders in %s\n", o.Sellers, o.Buyers, o.Orders, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	if _, err := d.RefreshIndicators(sc.NewSystemContext(ctx)); err != nil {
		return benchSubjects{}, err
	}
	fmt.Fprintf(m.Stderr, "indicators up to date in %s\n", time.Since(start).Round(time.Millisecond))
	s, err := pickBenchSubjects(ctx, d, o.SmallOrders)
	if err != nil {
		return s, err
	}
	start = time.Now()
	if err := seedBenchReturns(ctx, d, &s, o.Returns); err != nil {
		return s, err
	}
	fmt.Fprintf(m.Stderr, "returns through the store in %s\n", time.Since(start).Round(time.Millisecond))
	admin := sc.NewSystemContext(ctx)
	for _, t := range []struct {
		in    sc.TokenInput
		token *string
	}{
		{sc.TokenInput{Role: sc.RoleSeller, SellerNumber: s.Large.Number, Label: "bench read"}, &s.Large.Token},
		{sc.TokenInput{Role: sc.RoleSeller, SellerNumber: s.Small.Number, Label: "bench read"}, &s.Small.Token},
		{sc.TokenInput{Role: sc.RoleStaff, StoreCode: s.LargeStore.Code, Label: "bench read"}, &s.LargeStore.Token},
		{sc.TokenInput{Role: sc.RoleStaff, StoreCode: s.SmallStore.Code, Label: "bench read"}, &s.SmallStore.Token},
	} {
		_, secret, err := d.CreateToken(admin, t.in)
		if err != nil {
			return s, err
		}
		*t.token = secret
	}
	return s, nil
}

// benchServer is `secondchance serve` in a process of its own.
type benchServer struct {
	cmd          *exec.Cmd
	api, metrics string
	done         chan error
}

// benchServerApp is the application_name of the bench server's connections, by which the
// benchmark finds their backends.
const benchServerApp = "secondchance-bench-server"

// serveCommand is the command that runs `secondchance serve`: this binary (tests replace it).
var serveCommand = func() (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, "serve"), nil
}

// startBenchServer starts the real server on the bench database, on random loopback ports,
// without background jobs, with pprof on its metrics listener, and waits until it listens.
func (m *Main) startBenchServer(ctx context.Context, benchURL string) (*benchServer, error) {
	cmd, err := serveCommand()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(benchURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("application_name", benchServerApp)
	u.RawQuery = q.Encode()
	cmd.Env = append(cmd.Environ(), "DATABASE_URL="+u.String(), "LISTEN_ADDR=127.0.0.1:0", "METRICS_ADDR=127.0.0.1:0", "METRICS_TOKEN=",
		"METRICS_PPROF=true", "WORK_JOBS=false", "AUTO_MIGRATE=false", "LINK_SECRET=bench-read-link-secret-0123456789")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	s := &benchServer{cmd: cmd, done: make(chan error, 1)}
	lines := bufio.NewScanner(stderr)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	var last string
	for lines.Scan() {
		last = lines.Text()
		var rec struct {
			Msg     string `json:"msg"`
			Addr    string `json:"addr"`
			Metrics string `json:"metrics"`
		}
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "serving" {
			s.api, s.metrics = rec.Addr, rec.Metrics
			break
		}
	}
	if s.api == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the server did not start; its last line: %s", last)
	}
	// The access log goes on being read, or the server would block on a full pipe.
	go func() {
		io.Copy(io.Discard, stderr)
		s.done <- cmd.Wait()
	}()
	return s, nil
}

// stop ends the server as SIGTERM does in production, and waits for it.
func (s *benchServer) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}
