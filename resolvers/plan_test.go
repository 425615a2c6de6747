package resolvers

import (
	"bytes"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/secondchance/secondchance/graph"
)

// FuzzLeavesWriteAsGqlgen: a plan's leaves write strings, times and ints byte for byte as the
// marshalers gqlgen.yml binds (graph.MarshalString, graph.MarshalTime, graph.MarshalInt).
func FuzzLeavesWriteAsGqlgen(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" and \\ backslash", "tab\tcr\rnl\n", "\x00\x01\x1f\x7f", "é ü \u2028", "\xff\xfe invalid", "<&>"} {
		f.Add(s, int64(1767225600), int64(123456789), 60)
	}
	f.Add("", int64(-62135596800), int64(0), 0)
	f.Add("", int64(253402300799), int64(999999999), -720)
	f.Fuzz(func(t *testing.T, s string, sec, nsec int64, offsetMinutes int) {
		var want, got bytes.Buffer
		graph.MarshalString(s).MarshalGQL(&want)
		quote(&got, s)
		require.Equal(t, want.String(), got.String())

		at := time.Unix(sec, nsec%1_000_000_000).In(time.FixedZone("", (offsetMinutes%1440)*60))
		want.Reset()
		got.Reset()
		graph.MarshalTime(at).MarshalGQL(&want)
		writeTime(&got, at)
		require.Equal(t, want.String(), got.String())

		want.Reset()
		got.Reset()
		graph.MarshalInt(int(sec)).MarshalGQL(&want)
		writeInt(&got, int(sec))
		require.Equal(t, want.String(), got.String())
	})
}

// TestPlanWritePanicFallsBack: a getter that panics while a plan writes leaves the answer to
// gqlgen, which recovers it as an error at the field's path; the HTTP handler's own recover
// would answer a 500 without one.
func TestPlanWritePanicFallsBack(t *testing.T) {
	t.Parallel()
	run := &rootRun{values: map[string]any{"order": 1}}
	roots := []graphql.CollectedField{{Field: &ast.Field{Name: "order", Alias: "order"}}}
	_, ok := run.write(roots, []writer[any]{func(*bytes.Buffer, any) bool { panic("a getter") }})
	require.False(t, ok)
}
