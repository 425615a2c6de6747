package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/jobs"
)

// recorder is a slog handler at INFO that keeps the level and message of every record.
type recorder struct {
	mu   sync.Mutex
	seen []logLine
}

type logLine struct {
	level slog.Level
	msg   string
	attrs map[string]any
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	line := logLine{level: rec.Level, msg: rec.Message, attrs: map[string]any{}}
	rec.Attrs(func(a slog.Attr) bool { line.attrs[a.Key] = a.Value.Any(); return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, line)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) lines() []logLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logLine(nil), r.seen...)
}

type failArgs struct{}

func (failArgs) Kind() string { return "test_fail" }

// failWorker always fails, and is retried at once.
type failWorker struct {
	river.WorkerDefaults[failArgs]
}

func (failWorker) Work(context.Context, *river.Job[failArgs]) error {
	return errors.New("out of paper")
}
func (failWorker) NextRetry(*river.Job[failArgs]) time.Time { return time.Now() }

// TestRiverLogsOnlyWhatMatters: River's routine INFO lines (polling mode, producer counts) stay
// out of the log, and each failed attempt of a job is logged, a warning and then an error.
func TestRiverLogsOnlyWhatMatters(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()

	// River itself, on an INFO log, says at start that it polls: that is the line to drop.
	raw := &recorder{}
	workers := river.NewWorkers()
	river.AddWorker(workers, failWorker{})
	plain, err := river.NewClient(riverdatabasesql.New(d.DB.DB), &river.Config{Logger: slog.New(raw),
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}}, Workers: workers})
	require.NoError(t, err)
	require.NoError(t, plain.Start(ctx))
	require.NoError(t, plain.Stop(ctx))
	require.Contains(t, messagesAt(raw.lines(), slog.LevelInfo), "Driver does not support listener; entering poll only mode")

	rec := &recorder{}
	client, err := jobs.NewClient(d.DB.DB, jobs.Config{Workers: workers, FetchPollInterval: 100 * time.Millisecond, Logger: slog.New(rec)})
	require.NoError(t, err)
	failed, cancel := client.Subscribe(river.EventKindJobFailed)
	defer cancel()
	require.NoError(t, client.Start(ctx))
	_, err = client.Insert(ctx, failArgs{}, &river.InsertOpts{MaxAttempts: 2})
	require.NoError(t, err)
	for attempt := 1; attempt <= 2; attempt++ {
		select {
		case ev := <-failed:
			require.Equal(t, attempt, ev.Job.Attempt)
		case <-time.After(30 * time.Second):
			t.Fatalf("attempt %d did not fail", attempt)
		}
	}
	require.NoError(t, client.Stop(ctx))

	var failures []logLine
	for _, l := range rec.lines() {
		require.GreaterOrEqual(t, l.level, slog.LevelWarn, "River logged %q at %s", l.msg, l.level)
		if l.msg == "job failed" {
			failures = append(failures, l)
		}
	}
	require.Len(t, failures, 2)
	require.Equal(t, slog.LevelWarn, failures[0].level, "River retries it")
	require.Equal(t, slog.LevelError, failures[1].level, "the last attempt")
	require.Equal(t, "test_fail", failures[1].attrs["kind"])
	require.EqualValues(t, 2, failures[1].attrs["attempt"])
	require.EqualError(t, failures[1].attrs["err"].(error), "out of paper")
}

func messagesAt(lines []logLine, level slog.Level) []string {
	var out []string
	for _, l := range lines {
		if l.level == level {
			out = append(out, l.msg)
		}
	}
	return out
}
