package resolvers

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponseIsEncodingJSONs: the response writer's shortcut for responses that are only
// data writes exactly what json.Marshal writes, escapes included, for every kind of response.
func TestWriteResponseIsEncodingJSONs(t *testing.T) {
	t.Parallel()
	yes := true
	for _, tc := range []struct {
		name string
		res  *graphql.Response
	}{
		{"OK data", &graphql.Response{Data: json.RawMessage(`{"orders":{"nodes":[{"number":"O1","total":{"amount":"8.31"}}]}}`)}},
		{"OK data with no extensions", &graphql.Response{Data: json.RawMessage(`{"me":{"role":"ADMIN"}}`), Extensions: map[string]any{}}},
		{"OK data with HTML characters", &graphql.Response{Data: json.RawMessage(`{"url":"https://x.example/a?b=1&c=2","t":"<b>"}`)}},
		{"OK data with line separators", &graphql.Response{Data: json.RawMessage("{\"t\":\"a\u2028b\u2029c\"}")}},
		{"OK null data", &graphql.Response{}},
		{"OK errors", &graphql.Response{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "no", Extensions: map[string]any{"code": "NOT_FOUND"}}}}},
		{"OK extensions", &graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"k": 1}}},
		{"OK incremental", &graphql.Response{Data: json.RawMessage(`{}`), HasNext: &yes, Label: "l"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, err := json.Marshal(tc.res)
			require.NoError(t, err)
			var got bytes.Buffer
			writeResponse(&got, tc.res)
			require.Equal(t, string(want), got.String())
		})
	}
}

// TestWriteResponseShortcut: a response that is only data, as gqlgen hands it over (with an
// empty map of extensions), is written without json.Marshal, which allocates a copy of it.
func TestWriteResponseShortcut(t *testing.T) {
	res := &graphql.Response{Data: json.RawMessage(`{"orders":{"nodes":[{"number":"O1"}]}}`), Extensions: map[string]any{}}
	require.Zero(t, testing.AllocsPerRun(20, func() { writeResponse(io.Discard, res) }))
	res.Data = json.RawMessage(`{"url":"a?b=1&c=2"}`)
	require.NotZero(t, testing.AllocsPerRun(20, func() { writeResponse(io.Discard, res) }), "escapes go through json.Marshal")
}

// FuzzHTMLUnsafe: the shortcut's byte searches find what json.Marshal escapes, exactly where
// bytes.ContainsAny over the same characters does.
func FuzzHTMLUnsafe(f *testing.F) {
	for _, s := range []string{"", "plain", "a&b", "<", ">", "\u2028", "\u2029", "\u2027\u202a", "\xe2\x80", "é"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		require.Equal(t, bytes.ContainsAny(b, "<>&\u2028\u2029"), htmlUnsafe(b))
	})
}

// TestWantsJSON reads Accept as gqlgen's POST transport does: application/json unless the
// client names application/graphql-response+json first (or only other types).
func TestWantsJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		accept string
		json   bool
	}{
		{"", true},
		{"*/*", true},
		{"application/json", true},
		{"application/*", true},
		{"text/html, application/json;q=0.9", true},
		{"application/graphql-response+json", false},
		{"application/graphql-response+json, application/json", false},
		{"text/html", false},
	} {
		r, err := http.NewRequest(http.MethodPost, "/graphql", nil)
		require.NoError(t, err)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		require.Equal(t, tc.json, wantsJSON(r), tc.accept)
	}
}
