package http_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/http/apitest"
)

// aliasesOf is a query selecting field n times, each under an alias of its own.
func aliasesOf(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// fanOut is a document of n fragments, each spreading the next twice: 2ⁿ selections once
// expanded, in under 1 KB for n = 20.
func fanOut(n int) string {
	var b strings.Builder
	b.WriteString("query { ...f0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment f%d on Query { ...f%d ...f%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment f%d on Query { __typename }\n", n)
	return b.String()
}

// hostileDocuments are the documents of issue 12 that parsing and validation spent seconds on
// (or, for the last, that ran the server out of memory), each refused by its size now.
func hostileDocuments() map[string]string {
	manyFragments := "{ __typename }"
	for i := range 40 {
		manyFragments += fmt.Sprintf(" fragment f%d on Query { __typename }", i)
	}
	return map[string]string{
		"typename x12000":              "{" + strings.Repeat(" __typename", 12000) + " }",
		"typename x16000":              "{" + strings.Repeat(" __typename", 16000) + " }",
		"body of fields":               "{" + strings.Repeat(" me { role }", 80000) + " }", // ~950 KB
		"aliases x1200":                aliasesOf(1200, "__typename"),
		"repeated me x500":             "{" + strings.Repeat(" me { role }", 500) + " }",
		"fragment fan-out x30":         fanOut(30),
		"fragments x40":                manyFragments,
		"one fragment spread 11 times": "{" + strings.Repeat(" ...f", 11) + " } fragment f on Query { __typename }",
		"830 aliases of a deep connection": aliasesOf(830, `returnAuthorizations(first: 100) { nodes { code items { line } `+
			`order { number buyer { handle } seller { number } } parcel { items { timeline { at } ledger { amount { amount } } } } } }`),
	}
}

// TestQueryBounds: every document that made parsing or validation take seconds is refused
// with QUERY_TOO_LARGE before either runs, with no SQL beyond the token lookup; a large
// legitimate document still passes.
func TestQueryBounds(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	authOnly := func() int64 {
		before := tb.DB.Statements()
		res := tb.Query(t, tb.SellerA, `{ __typename }`, nil)
		require.Empty(t, res.Errors)
		return tb.DB.Statements() - before
	}()
	for name, doc := range hostileDocuments() {
		t.Run("Err "+name, func(t *testing.T) {
			before, start := tb.DB.Statements(), time.Now()
			res := tb.Query(t, tb.SellerA, doc, nil)
			// Before the bounds these took 8 to 600 s; refused they take milliseconds. The
			// bound is far from both, so a slow machine does not fail it.
			require.Less(t, time.Since(start), 5*time.Second)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "the status of a parse failure")
			require.Equal(t, []string{"QUERY_TOO_LARGE"}, res.Codes(), "%+v", res.Errors)
			require.Nil(t, res.Data)
			require.Equal(t, authOnly, tb.DB.Statements()-before, "only the token is looked up")
		})
	}
	t.Run("Err by GET too", func(t *testing.T) {
		res := getGraphQL(t, tb, tb.SellerA, url.Values{"query": {fanOut(30)}})
		require.Equal(t, []string{"QUERY_TOO_LARGE"}, res.Codes(), "%+v", res.Errors)
	})
	t.Run("OK introspection query of GraphiQL", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, introspectionQuery, nil)
		require.Empty(t, res.Errors)
		require.NotEmpty(t, get(res.Data, "__schema", "types"))
	})
	t.Run("OK fragments used a few times", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, `{ a: orders(first: 2) { ...page } b: orders(first: 3) { ...page nodes { id } } }
			fragment page on OrderConnection { nodes { id number seller { ...seller } } }
			fragment seller on Seller { number name }`, nil)
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "b", "nodes").([]any), 3)
	})
	t.Run("OK a parse failure is still one", func(t *testing.T) {
		res := tb.Query(t, tb.Admin, `{ me { `+strings.Repeat("role ", 10), nil)
		require.Equal(t, []string{"GRAPHQL_PARSE_FAILED"}, res.Codes())
	})
}

// getGraphQL sends a GET request to /graphql with query parameters q.
func getGraphQL(t *testing.T, tb *testBundle, token string, q url.Values) gqlResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, tb.Server.URL+"/graphql?"+q.Encode(), nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return apitest.Do(t, req)
}

// TestClientErrorsAreNotInternal: requests that are not GraphQL requests get BAD_REQUEST and a
// 4xx status, never INTERNAL.
func TestClientErrorsAreNotInternal(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	deep := `{"query":"{ me { role } }","variables":{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`
	for _, tc := range []struct {
		name, method, contentType, body string
		status                          int
	}{
		{"ErrJSONArray", "POST", "application/json", `[{"query":"{ me { role } }"}]`, 400},
		{"ErrTruncatedJSON", "POST", "application/json", `{"query":"{ me { role }`, 400},
		{"ErrInvalidJSON", "POST", "application/json", `{"query": nope}`, 400},
		{"ErrDeeplyNestedJSON", "POST", "application/json", deep, 400},
		{"ErrString", "POST", "application/json", `"{ me { role } }"`, 400},
		{"ErrNumber", "POST", "application/json", `42`, 400},
		{"ErrNull", "POST", "application/json", `null`, 400},
		{"ErrEmpty", "POST", "application/json", ``, 400},
		{"ErrQueryNotAString", "POST", "application/json", `{"query": 5}`, 400},
		{"ErrVariablesNotAnObject", "POST", "application/json", `{"query":"{ me { role } }","variables":[1]}`, 400},
		{"ErrTwoValues", "POST", "application/json", `{"query":"{ me { role } }"} {"query":"{ me { role } }"}`, 400},
		{"ErrTextPlain", "POST", "text/plain", `{"query":"{ me { role } }"}`, 415},
		{"ErrNoContentType", "POST", "", `{"query":"{ me { role } }"}`, 415},
		{"ErrGraphQLContentType", "POST", "application/graphql", `{ me { role } }`, 415},
		{"ErrPut", "PUT", "application/json", `{"query":"{ me { role } }"}`, 405},
		{"ErrDelete", "DELETE", "", ``, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tb.Server.URL+"/graphql", strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			req.Header.Set("Authorization", "Bearer "+tb.SellerA)
			res := apitest.Do(t, req)
			require.Equal(t, tc.status, res.Status)
			require.Equal(t, []string{"BAD_REQUEST"}, res.Codes(), "%+v", res.Errors)
		})
	}
	for _, tc := range []struct {
		name   string
		q      url.Values
		status int
		code   string
	}{
		{"ErrGetMutation", url.Values{"query": {`mutation { __typename }`}}, 405, "BAD_REQUEST"},
		{"ErrGetNamedMutation", url.Values{"query": {`query a { me { role } } mutation b { __typename }`}, "operationName": {"b"}}, 405, "BAD_REQUEST"},
		{"ErrGetVariablesNotJSON", url.Values{"query": {`{ me { role } }`}, "variables": {`{"a":`}}, 400, "BAD_REQUEST"},
		{"ErrGetVariablesArray", url.Values{"query": {`{ me { role } }`}, "variables": {`[1]`}}, 400, "BAD_REQUEST"},
		{"ErrGetParseFailure", url.Values{"query": {`{ me { `}}, 422, "GRAPHQL_PARSE_FAILED"},
		{"ErrGetNoQuery", url.Values{}, 422, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := getGraphQL(t, tb, tb.SellerA, tc.q)
			require.Equal(t, tc.status, res.Status)
			require.Equal(t, []string{tc.code}, res.Codes(), "%+v", res.Errors)
		})
	}
	t.Run("OK GET query", func(t *testing.T) {
		res := getGraphQL(t, tb, tb.SellerA, url.Values{"query": {`query($n: Int) { orders(first: $n) { nodes { number } } }`}, "variables": {`{"n": 1}`}})
		require.Empty(t, res.Errors)
		require.Len(t, get(res.Data, "orders", "nodes").([]any), 1)
	})
	t.Run("OK JSON with charset", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, tb.Server.URL+"/graphql", strings.NewReader(`{"query":"{ me { role } }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+tb.SellerA)
		res := apitest.Do(t, req)
		require.Empty(t, res.Errors)
		require.Equal(t, "SELLER", get(res.Data, "me", "role"))
	})
}

// TestUndecodableBodyIsNotLogged: a body that does not decode is logged by its size, never its
// content (which may hold a token or a buyer's data). Not parallel: it swaps the default
// logger, and no parallel test runs until it is done.
func TestUndecodableBodyIsNotLogged(t *testing.T) {
	tb := setup(t)
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	const secret = "sc_secret_in_a_broken_body"
	body := `{"query":"{ me { role } }","variables":{"token":"` + secret + `"`
	res := tb.Post(t, tb.SellerA, []byte(body))
	require.Equal(t, http.StatusBadRequest, res.Status)
	require.Equal(t, []string{"BAD_REQUEST"}, res.Codes())
	require.NotContains(t, res.Errors[0].Message, secret)
	require.Contains(t, logs.String(), fmt.Sprintf("bytes=%d", len(body)))
	require.NotContains(t, logs.String(), secret)
	require.NotContains(t, logs.String(), "level=ERROR")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSlowBodyTimesOut: a client that sends its body slowly is answered TIMEOUT at the request
// timeout; it does not hold the handler until the server's own read timeout, or for ever.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	cfg := apitest.Config()
	cfg.RequestTimeout = 200 * time.Millisecond
	srv := httptest.NewServer(apitest.NewServer(cfg, tb.DB)) // httptest sets no ReadTimeout of its own
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	// The headers promise 100 bytes; 10 come, the rest never.
	_, err = fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil) // waits for the server's answer
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	var out gqlResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, []string{"TIMEOUT"}, out.Codes())
}

// TestMetricsAreNotOnTheAPI: /metrics is served on its own listener, behind its token, and the
// API's address answers 404 for it.
func TestMetricsAreNotOnTheAPI(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res, err := http.Get(tb.Server.URL + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	cfg := apitest.Config()
	cfg.MetricsToken = "metrics-token-0123456789"
	metrics := httptest.NewServer(apitest.NewServer(cfg, tb.DB).MetricsHandler())
	t.Cleanup(metrics.Close)
	scrape := func(token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, metrics.URL+"/metrics", nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	status, _ := scrape("")
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = scrape("wrong-token-0123456789")
	require.Equal(t, http.StatusUnauthorized, status)
	status, body := scrape(cfg.MetricsToken)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "secondchance_sql_statements_total")
}

// TestProfilesOnlyOnTheMetricsListener: with MetricsPprof, Go's profiles are served on the
// metrics listener behind its token, and never on the API's address; without it, nowhere.
func TestProfilesOnlyOnTheMetricsListener(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	get := func(base, path, token string) int {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	cfg := apitest.Config()
	cfg.MetricsToken, cfg.MetricsPprof = "metrics-token-0123456789", true
	srv := apitest.NewServer(cfg, tb.DB)
	api, metrics := httptest.NewServer(srv), httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(api.Close)
	t.Cleanup(metrics.Close)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline"} {
		require.Equal(t, http.StatusNotFound, get(api.URL, path, cfg.MetricsToken), path)
		require.Equal(t, http.StatusUnauthorized, get(metrics.URL, path, ""), path)
		require.Equal(t, http.StatusOK, get(metrics.URL, path, cfg.MetricsToken), path)
	}
	off := httptest.NewServer(apitest.NewServer(apitest.Config(), tb.DB).MetricsHandler())
	t.Cleanup(off.Close)
	require.Equal(t, http.StatusNotFound, get(off.URL, "/debug/pprof/", ""))
}

// TestCORS: only configured origins get CORS headers, on preflights and on requests.
func TestCORS(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	cfg := apitest.Config()
	cfg.CORSOrigins = []string{"https://shop.example"}
	tb.Server.Config.Handler = apitest.NewServer(cfg, tb.DB)
	send := func(method, origin string, preflight bool) *http.Response {
		req, err := http.NewRequest(method, tb.Server.URL+"/graphql", strings.NewReader(`{"query":"{ me { role } }"}`))
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		if preflight {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		} else {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tb.SellerA)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	t.Run("OK preflight of an allowed origin", func(t *testing.T) {
		res := send(http.MethodOptions, "https://shop.example", true)
		require.Equal(t, http.StatusNoContent, res.StatusCode)
		require.Equal(t, "https://shop.example", res.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, res.Header.Get("Access-Control-Allow-Methods"), "POST")
		require.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")
		require.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Content-Type")
		require.NotEmpty(t, res.Header.Get("Access-Control-Max-Age"))
		require.Empty(t, res.Header.Get("Access-Control-Allow-Credentials"), "bearer tokens need no credentials")
		require.Contains(t, res.Header.Values("Vary"), "Origin")
	})
	t.Run("OK request of an allowed origin", func(t *testing.T) {
		res := send(http.MethodPost, "https://shop.example", false)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, "https://shop.example", res.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, res.Header.Values("Vary"), "Origin")
	})
	for _, origin := range []string{"https://evil.example", "https://shop.example.evil.example", "http://shop.example", "null"} {
		t.Run("ErrOtherOrigin "+origin, func(t *testing.T) {
			for _, preflight := range []bool{true, false} {
				method := http.MethodPost
				if preflight {
					method = http.MethodOptions
				}
				res := send(method, origin, preflight)
				require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
				require.Empty(t, res.Header.Get("Access-Control-Allow-Methods"))
				require.Contains(t, res.Header.Values("Vary"), "Origin", "caches must not serve one origin's answer to another")
			}
		})
	}
	t.Run("ErrNoOriginsByDefault", func(t *testing.T) {
		def := setup(t)
		req, err := http.NewRequest(http.MethodOptions, def.Server.URL+"/graphql", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "https://shop.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	})
}

// TestSecurityHeaders: every HTML page refuses framing and carries a Content-Security-Policy
// (the playground its own), and every response says nosniff.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	fetch := func(method, path string) *http.Response {
		req, err := http.NewRequest(method, tb.Server.URL+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, path := range []string{"/", "/verify", "/verify/SCS-2026-000001?code=22222222222A"} {
		t.Run("HTML "+path, func(t *testing.T) {
			res := fetch(http.MethodGet, path)
			require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"))
			csp := res.Header.Get("Content-Security-Policy")
			require.Contains(t, csp, "frame-ancestors 'none'")
			require.Contains(t, csp, "default-src")
			require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			require.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		})
	}
	t.Run("OK the playground keeps its own policy", func(t *testing.T) {
		csp := fetch(http.MethodGet, "/").Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'")
		require.Contains(t, csp, "connect-src 'self'")
	})
	t.Run("OK the verify page runs no script", func(t *testing.T) {
		csp := fetch(http.MethodGet, "/verify").Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "default-src 'none'")
		require.NotContains(t, csp, "script-src")
	})
	for _, path := range []string{"/healthz", "/graphql", "/files/labels/nope.pdf", "/nope"} {
		t.Run("nosniff "+path, func(t *testing.T) {
			require.Equal(t, "nosniff", fetch(http.MethodGet, path).Header.Get("X-Content-Type-Options"))
		})
	}
}

// introspectionQuery is GraphiQL's (graphql-js getIntrospectionQuery with descriptions), the
// largest document a legitimate client sends.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
