package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/jobs"
)

func (m *Main) batch(ctx context.Context, args []string) error {
	return m.subcommand(sc.NewSystemContext(ctx), "batch", args, map[string]func(context.Context, []string) error{
		"run": m.batchRun, "clean-up": m.batchCleanUp})
}

// batchRun runs (or previews) one week: the same db.RunBatch as the schedule and the mutation.
func (m *Main) batchRun(ctx context.Context, args []string) error {
	fs := newFlags("batch run", m.Stderr)
	week := fs.String("week", "", "the ISO `week` to run, e.g. 2026-W47 (default: the week that last ended)")
	dry := fs.Bool("dry-run", false, "compute everything, print it, write nothing")
	if err := m.noArgs(fs, args); err != nil {
		return err
	}
	var w sc.Week // RunBatch's default: the week that last ended
	if *week != "" {
		var err error
		if w, err = sc.ParseWeek(*week); err != nil {
			return err
		}
	}
	d, err := m.openMigrated(ctx, false)
	if err != nil {
		return err
	}
	// The batch's own transaction queues its digests, which a running server then sends.
	client, err := jobs.NewClient(d.DB.DB, jobs.Config{})
	if err != nil {
		return err
	}
	d.AfterBatch = jobs.AfterBatch(client)
	p := newProgress(m.Stderr)
	run, err := d.RunBatch(ctx, w, sc.RunOptions{DryRun: *dry, Progress: p})
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
	if err := m.noArgs(newFlags("batch clean-up", m.Stderr), args); err != nil {
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
