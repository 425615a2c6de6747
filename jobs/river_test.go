package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/jobs"
)

type echoArgs struct {
	Value string `json:"value"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	done chan string
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	w.done <- job.Args.Value
	return nil
}

// TestClientWorksJobsInsertedInATransaction proves River runs on the project's lib/pq pool:
// a job inserted in a rolled-back transaction never runs, a committed one does.
func TestClientWorksJobsInsertedInATransaction(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	pending, err := jobs.Pending(context.Background(), d.DB.DB)
	require.NoError(t, err)
	require.False(t, pending, "the test template carries River's schema")

	w := &echoWorker{done: make(chan string, 2)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := jobs.NewClient(d.DB.DB, jobs.Config{Workers: workers, FetchPollInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, client.Start(ctx))
	defer client.Stop(ctx)

	tx, err := d.DB.DB.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = client.InsertTx(ctx, tx, echoArgs{Value: "rolled back"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	tx, err = d.DB.DB.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = client.InsertTx(ctx, tx, echoArgs{Value: "committed"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())

	// The worker's signal is the event; the test's own deadline bounds the wait.
	require.Equal(t, "committed", <-w.done)
	// The rolled-back insert never reached the table, so it can never run, however late.
	var jobs int
	require.NoError(t, d.Get(&jobs, `SELECT count(*) FROM river_job WHERE kind = 'test_echo'`))
	require.Equal(t, 1, jobs)
	select {
	case v := <-w.done:
		t.Fatalf("a rolled-back job ran: %s", v)
	default:
	}
}
