// Command secondchance is the one binary of Second Chance: the GraphQL server and the
// operator's command line (migrations, seeding, imports, tokens).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/jobs"
	"github.com/secondchance/secondchance/pdf"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its outputs and environment injected so tests run it whole.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is called with the server's addresses once it listens (tests use it).
	Ready func(schttp.Addrs)
	// Now, when set, is the services' clock instead of time.Now (tests use it).
	Now func() time.Time

	cfg    Config
	cfgErr error
	db     *db.DB
}

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// Run runs one subcommand and returns the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) > 1 && args[0] == "help" { // help COMMAND is COMMAND -h
		args = append(args[1:], "-h")
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		m.help(m.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest := args[0], args[1:]
	known := map[string]func(context.Context, []string) error{
		"serve": m.serve, "migrate": m.migrate, "seed": m.seed, "import": m.importFiles, "token": m.token, "batch": m.batch, "indicators": m.indicators, "certificates": m.certificates, "store": m.store, "staff": m.staff, "bench": m.bench,
	}
	run, ok := known[cmd]
	if !ok {
		fmt.Fprintf(m.Stderr, "secondchance: unknown command %q\n\n", cmd)
		m.help(m.Stderr)
		return exitUsage
	}
	// A wrong configuration fails the command when it opens the database, after its flags:
	// so -h works before anything is configured.
	m.cfg, m.cfgErr = LoadConfig(m.Getenv)
	cfg := m.cfg
	slog.SetDefault(slog.New(schttp.LogHandler{Handler: slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})}))
	defer m.Close()
	if err := run(ctx, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		var ue usageError
		if errors.As(err, &ue) {
			wu, ok := errors.AsType[withUsage](err)
			if ok {
				cmd = wu.name
			}
			fmt.Fprintf(m.Stderr, "secondchance %s: %v\n", cmd, err)
			if ok {
				fmt.Fprintf(m.Stderr, "\n%s", wu.usage)
			}
			return exitUsage
		}
		fmt.Fprintf(m.Stderr, "secondchance %s: %s\n", cmd, describe(err))
		return exitError
	}
	return exitOK
}

// describe renders an error for a terminal: field errors one per line.
func describe(err error) string {
	es := sc.AsErrors(err)
	if len(es) == 0 {
		return err.Error()
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n  ")
}

// usageError is a command called wrongly (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// withUsage is a usageError of the command name (e.g. "token create"), shown with its usage.
type withUsage struct {
	usageError
	name, usage string
}

func (e withUsage) Unwrap() error { return e.usageError }

// open connects to the database once per run.
func (m *Main) open(ctx context.Context) (*db.DB, error) {
	if m.db != nil {
		return m.db, nil
	}
	if m.cfgErr != nil {
		return nil, usageError{m.cfgErr.Error()}
	}
	d, err := db.Open(ctx, m.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if m.Now != nil {
		d.Now = m.Now
	}
	d.ReportingWindow = m.cfg.ReportingWindow
	d.RMAExpiry = m.cfg.RMAExpiry
	fonts, err := loadFonts()
	if err != nil {
		d.Close()
		return nil, err
	}
	d.CertificateSetup = db.CertificateSetup{Renderer: pdf.NewRenderer(fonts), PublicURL: m.cfg.PublicURL}
	mailer, err := jobs.NewMailer(m.cfg.MailURL)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.StaffMail = jobs.StaffMail(mailer, m.cfg.MailFrom, m.cfg.PublicURL)
	m.db = d
	return d, nil
}

// loadFonts reads the certificate fonts once per process: they are read-only afterwards.
var loadFonts = sync.OnceValues(func() (*pdf.Fonts, error) { return pdf.LoadFonts(pdf.DebianFonts) })

// openMigrated connects and makes sure the schema is current: it migrates when asked to and
// otherwise refuses to run on an outdated schema.
func (m *Main) openMigrated(ctx context.Context, migrate bool) (*db.DB, error) {
	d, err := m.open(ctx)
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := migrateAll(ctx, d)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			slog.Info("applied migrations", "count", n)
		}
		return d, nil
	}
	pending, err := d.PendingMigrations(ctx)
	if err != nil {
		return nil, err
	}
	riverPending, err := jobs.Pending(ctx, d.DB.DB)
	if err != nil {
		return nil, err
	}
	if pending > 0 || riverPending {
		return nil, fmt.Errorf("the database schema is behind (%d migration(s), job queue schema current: %t): run `secondchance migrate` or set AUTO_MIGRATE=true", pending, !riverPending)
	}
	return d, nil
}

// migrateAll applies the project's migrations and River's.
func migrateAll(ctx context.Context, d *db.DB) (int, error) {
	n, err := d.Migrate(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrating: %w", err)
	}
	r, err := jobs.Migrate(ctx, d.DB.DB)
	return n + r, err
}

// Close releases the database.
func (m *Main) Close() error {
	if m.db != nil {
		return m.db.Close()
	}
	return nil
}

func newFlags(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("secondchance "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

func (m *Main) serve(ctx context.Context, args []string) error {
	if err := m.noArgs(newFlags("serve", m.Stderr), args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, m.cfg.AutoMigrate)
	if err != nil {
		return err
	}
	if m.cfg.LinkSecretRandom {
		slog.Warn("LINK_SECRET is not set: download links are signed with a random key and stop working when this process ends; set it, the same on every replica")
	}
	if m.cfg.WorkJobs {
		stop, err := m.startWorkers(ctx, d)
		if err != nil {
			return err
		}
		defer stop()
	} else {
		// An API-only replica still queues the certificate job when it settles items.
		client, err := jobs.NewClient(d.DB.DB, jobs.Config{})
		if err != nil {
			return err
		}
		d.AfterSettle, d.AfterBatch = jobs.IssueOnSettle(client), jobs.AfterBatch(client)
		jobs.AuctionHooks(d, client)
	}
	return NewServer(m.cfg, d).ListenAndServe(ctx, m.Ready)
}

// startWorkers starts the River client that works background jobs, and returns how to stop it
// (letting running jobs finish, within SHUTDOWN_TIMEOUT).
func (m *Main) startWorkers(ctx context.Context, d *db.DB) (func(), error) {
	mailer, err := jobs.NewMailer(m.cfg.MailURL)
	if err != nil {
		return nil, err
	}
	client, err := jobs.NewWorkerClient(jobs.WorkerConfig{DB: d, Mailer: mailer, MailFrom: m.cfg.MailFrom})
	if err != nil {
		return nil, err
	}
	d.AfterSettle, d.AfterBatch = jobs.IssueOnSettle(client), jobs.AfterBatch(client)
	jobs.AuctionHooks(d, client)
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), m.cfg.ShutdownTimeout)
		defer cancel()
		if err := client.Stop(stopCtx); err != nil {
			slog.Warn("stopping job workers", "err", err)
		}
	}, nil
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	if err := m.noArgs(newFlags("migrate", m.Stderr), args); err != nil {
		return err
	}
	d, err := m.open(ctx)
	if err != nil {
		return err
	}
	n, err := migrateAll(ctx, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "applied %d migration(s); the schema is current\n", n)
	return nil
}

func (m *Main) indicators(ctx context.Context, args []string) error {
	return m.subcommand(ctx, "indicators", args, map[string]func(context.Context, []string) error{
		"refresh": m.indicatorsRefresh, "snapshot": m.indicatorsSnapshot})
}

func (m *Main) indicatorsSnapshot(ctx context.Context, args []string) error {
	if err := m.noArgs(newFlags("indicators snapshot", m.Stderr), args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	start := time.Now() // for the elapsed time printed
	n, err := d.TakeIndicatorSnapshot(sc.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "snapshot %d sellers for week %s in %s\n", n, sc.WeekOf(d.Now()), time.Since(start).Round(time.Millisecond))
	return nil
}

func (m *Main) indicatorsRefresh(ctx context.Context, args []string) error {
	fs := newFlags("indicators refresh", m.Stderr)
	rebuild := fs.Bool("rebuild", false, "recompute every row, not only the ones that changed")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	if *rebuild {
		if err := d.RequestIndicatorRebuild(ctx); err != nil {
			return err
		}
	}
	start := time.Now() // for the elapsed time printed
	n, err := d.RefreshIndicators(sc.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "recomputed %d seller-day rows in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
