package http

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// playgroundMux mounts the playground as a server would.
func playgroundMux(title, endpoint string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", PlaygroundHandler(title, endpoint))
	mux.Handle("GET "+PlaygroundAssetsPath, PlaygroundAssets())
	return mux
}

func playgroundGet(t *testing.T, h http.Handler, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

var (
	playgroundScriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	playgroundSrcAttr   = regexp.MustCompile(`(?i)\bsrc="([^"]*)"`)
	playgroundLinkHref  = regexp.MustCompile(`(?i)<link\b[^>]*\bhref="([^"]*)"`)
)

func TestPlaygroundHandler(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		mux := playgroundMux("Second Chance", "/graphql")
		res, page := playgroundGet(t, mux, "/", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		require.Equal(t, "no-cache", res.Header.Get("Cache-Control"))

		csp := res.Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "default-src 'self'")
		require.Contains(t, csp, "script-src 'self';")
		require.Contains(t, csp, "connect-src 'self'")
		for _, directive := range strings.Split(csp, ";") {
			if strings.HasPrefix(strings.TrimSpace(directive), "script-src") {
				require.NotContains(t, directive, "unsafe", "scripts must stay file-only")
			}
		}

		require.Contains(t, page, `<title>Second Chance</title>`)
		require.Contains(t, page, `data-endpoint="/graphql"`)
		require.NotContains(t, page, "https://")
		require.NotContains(t, page, "http://")
		require.NotContains(t, page, "//cdn")

		var refs []string
		scripts := playgroundScriptTag.FindAllStringSubmatch(page, -1)
		require.Len(t, scripts, 4, "React, ReactDOM, GraphiQL and init.js")
		for _, s := range scripts {
			require.Empty(t, strings.TrimSpace(s[2]), "inline script: the CSP would block it")
			src := playgroundSrcAttr.FindStringSubmatch(s[1])
			require.NotNil(t, src, "script without src: %s", s[0])
			refs = append(refs, src[1])
		}
		links := playgroundLinkHref.FindAllStringSubmatch(page, -1)
		require.Len(t, links, 2, "GraphiQL's stylesheet and ours")
		for _, l := range links {
			refs = append(refs, l[1])
		}

		for _, ref := range refs {
			u, err := url.Parse(ref)
			require.NoError(t, err)
			require.Empty(t, u.Scheme, "not same-origin: %s", ref)
			require.Empty(t, u.Host, "not same-origin: %s", ref)
			require.True(t, strings.HasPrefix(u.Path, PlaygroundAssetsPath), ref)

			res, body := playgroundGet(t, mux, ref, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, ref)
			require.NotEmpty(t, body, ref)
			want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(u.Path)]
			require.NotEmpty(t, want, "neither a script nor a stylesheet: %s", ref)
			require.Equal(t, want, res.Header.Get("Content-Type"), ref)
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), ref)
			require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"), ref)

			if path.Base(u.Path) == "init.js" {
				require.NotContains(t, body, "https://")
				require.NotContains(t, body, "http://")
				require.NotContains(t, body, "//cdn")
			}
		}
	})

	t.Run("Escaped", func(t *testing.T) {
		t.Parallel()
		_, page := playgroundGet(t, playgroundMux(`<script>alert(1)</script>`, `/graphql?a="b"`), "/", nil)
		require.NotContains(t, page, "<script>alert(1)</script>")
		require.Contains(t, page, `data-endpoint="/graphql?a=&#34;b&#34;"`)
	})

	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		t.Parallel()
		rec := httptest.NewRecorder()
		PlaygroundHandler("Second Chance", "/graphql").ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
	})
}

func TestPlaygroundAssets(t *testing.T) {
	t.Parallel()
	mux := playgroundMux("Second Chance", "/graphql")
	initJS := playgroundAssets["init.js"]

	for _, tc := range []struct {
		name         string
		target       string
		header       http.Header
		status       int
		cacheControl string
		contentType  string
	}{
		{name: "OK", target: PlaygroundAssetsPath + "init.js?v=" + initJS.hash, status: http.StatusOK,
			cacheControl: "public, max-age=31536000, immutable", contentType: "text/javascript; charset=utf-8"},
		{name: "OKStaleVersion", target: PlaygroundAssetsPath + "init.js?v=0123456789abcdef", status: http.StatusOK,
			cacheControl: "no-cache", contentType: "text/javascript; charset=utf-8"},
		{name: "OKLicense", target: PlaygroundAssetsPath + "LICENSE.graphiql", status: http.StatusOK,
			cacheControl: "no-cache", contentType: "text/plain; charset=utf-8"},
		{name: "NotModified", target: PlaygroundAssetsPath + "init.js", status: http.StatusNotModified,
			header: http.Header{"If-None-Match": {`"` + initJS.hash + `"`}}},
		{name: "ErrNotFound", target: PlaygroundAssetsPath + "missing.js", status: http.StatusNotFound},
		{name: "ErrNotFoundDirectory", target: PlaygroundAssetsPath, status: http.StatusNotFound},
		{name: "ErrNotFoundOutsideDirectory", target: PlaygroundAssetsPath + "../refresh-graphiql.sh", status: http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, _ := playgroundGet(t, PlaygroundAssets(), tc.target, tc.header)
			require.Equal(t, tc.status, res.StatusCode)
			if tc.cacheControl != "" {
				require.Equal(t, tc.cacheControl, res.Header.Get("Cache-Control"))
			}
			if tc.contentType != "" {
				require.Equal(t, tc.contentType, res.Header.Get("Content-Type"))
			}
		})
	}

	// Each vendored file ships with its licence, and every file but the licences is used by
	// the page, so the refresh script leaves nothing dead behind.
	_, page := playgroundGet(t, mux, "/", nil)
	for name := range playgroundAssets {
		if strings.HasPrefix(name, "LICENSE.") {
			continue
		}
		require.Contains(t, page, PlaygroundAssetsPath+name+"?v=", "unused asset %s", name)
	}
	for _, pkg := range []string{"graphiql", "react", "react-dom", "graphql"} {
		require.Contains(t, playgroundAssets, "LICENSE."+pkg)
	}
}
