package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	sc "github.com/secondchance/secondchance"
)

func (m *Main) batch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"batch needs a subcommand: run or clean-up"}
	}
	ctx = sc.NewSystemContext(ctx)
	switch args[0] {
	case "run":
		return m.batchRun(ctx, args[1:])
	case "clean-up":
		return m.batchCleanUp(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("unknown batch subcommand %q: use run or clean-up", args[0])}
}

// batchRun runs (or previews) one week: the same db.RunBatch as the schedule and the mutation.
func (m *Main) batchRun(ctx context.Context, args []string) error {
	fs := newFlags("batch run", m.Stderr)
	week := fs.String("week", "", "the ISO week to run, e.g. 2026-W47 (default: the week that last ended)")
	dry := fs.Bool("dry-run", false, "compute everything, print it, write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	w := sc.WeekOf(d.Now()).Previous()
	if *week != "" {
		if w, err = sc.ParseWeek(*week); err != nil {
			return err
		}
	}
	run, err := d.RunBatch(ctx, w, sc.RunOptions{DryRun: *dry, Progress: &stepProgress{w: m.Stderr}})
	if err != nil {
		return err
	}
	b := run.Batch
	switch {
	case run.Existing:
		fmt.Fprintf(m.Stdout, "week %s already ran (batch %d, completed %s); nothing done\n", b.Week, b.ID, b.CompletedAt.UTC().Format(time.RFC3339))
	case run.DryRun:
		fmt.Fprintf(m.Stdout, "dry run of week %s (cutoff %s, policy v%d); nothing was written\n", b.Week, b.Cutoff.UTC().Format(time.RFC3339), b.PolicyVersion)
	default:
		fmt.Fprintf(m.Stdout, "batch %d of week %s (cutoff %s, policy v%d)\n", b.ID, b.Week, b.Cutoff.UTC().Format(time.RFC3339), b.PolicyVersion)
	}
	printStats(m.Stdout, b.Stats)
	if run.DryRun && len(run.Verdicts) > 0 {
		fmt.Fprintf(m.Stdout, "\nverdicts (first %d by buyer ID):\n", len(run.Verdicts))
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BUYER ID\tVERDICT\tREPORTS\tSELLERS\tSUSPENDED UNTIL")
		for _, v := range run.Verdicts {
			until := "-"
			if v.SuspendedUntil != nil {
				until = v.SuspendedUntil.UTC().Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", v.BuyerID, v.Kind, v.Facts.Reports, v.Facts.DistinctSellers, until)
		}
		tw.Flush()
	}
	return nil
}

func printStats(w io.Writer, s sc.BatchStats) {
	fmt.Fprintf(w, "  reports   %d taken: %d upheld, %d dismissed\n", s.Reports, s.Upheld, s.Dismissed)
	fmt.Fprintf(w, "  verdicts  %d buyers: %d no action, %d warnings, %d suspensions, %d closures\n", s.Buyers, s.NoAction, s.Warnings, s.Suspensions, s.Closures)
	fmt.Fprintf(w, "  purged    %d feedback, %d disputes, %d return claims\n", s.PurgedFeedback, s.PurgedDisputes, s.PurgedReturnClaims)
	fmt.Fprintf(w, "  excluded  %d orders of closed buyers\n", s.ExcludedOrders)
	fmt.Fprintf(w, "  digests   %d sellers to email\n", s.Digests)
	var steps []string
	for _, st := range s.Steps {
		steps = append(steps, fmt.Sprintf("%s %.0f ms", st.Step, st.Millis))
	}
	if len(steps) > 0 {
		fmt.Fprintf(w, "  timings   %s\n", strings.Join(steps, ", "))
	}
}

func (m *Main) batchCleanUp(ctx context.Context, args []string) error {
	if err := newFlags("batch clean-up", m.Stderr).Parse(args); err != nil {
		return err
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	n, err := d.ExcludeClosedBuyers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "excluded %d more orders of closed buyers; lifted ended suspensions\n", n)
	return nil
}

// stepProgress prints each step of a batch as it starts and how long it took.
type stepProgress struct {
	w     io.Writer
	stage string
	start time.Time
	n     int64
}

func (p *stepProgress) Begin(stage string, _ int64) {
	p.stage, p.start, p.n = stage, time.Now(), 0
	fmt.Fprintf(p.w, "%-16s …", stage)
}

func (p *stepProgress) Add(n int64) {
	p.n += n
	fmt.Fprintf(p.w, "\r%-16s … %d buyers", p.stage, p.n)
}

func (p *stepProgress) End() {
	fmt.Fprintf(p.w, "\r%-16s done in %s          \n", p.stage, time.Since(p.start).Round(time.Millisecond))
}
