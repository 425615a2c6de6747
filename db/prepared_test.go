package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
)

// Clients choose among many list statement texts (one per combination of filters): past the
// bound, a new text runs unprepared with the same answer, and what was prepared stays so.
func TestPreparedStatementsAreBounded(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	first := fmt.Sprintf("SELECT $1::bigint + %d", 0)
	texts := db.MaxPrepared + 10
	var unprepared int
	for i := range texts {
		n, isPrepared, err := d.RunPrepared(ctx, fmt.Sprintf("SELECT $1::bigint + %d", i), int64(1000))
		require.NoError(t, err)
		require.Equal(t, int64(1000+i), n)
		if !isPrepared {
			unprepared++
		}
	}
	require.GreaterOrEqual(t, unprepared, 10, "texts past the bound run unprepared")
	n, isPrepared, err := d.RunPrepared(ctx, first, int64(7))
	require.NoError(t, err)
	require.True(t, isPrepared, "a text prepared before the bound stays prepared")
	require.Equal(t, int64(7), n)
}
