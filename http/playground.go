package http

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// PlaygroundAssetsPath is the URL path at which PlaygroundAssets must be mounted: the page that
// PlaygroundHandler serves loads its scripts and styles from there.
const PlaygroundAssetsPath = "/assets/graphiql/"

// playgroundCSP lets the page load scripts, styles and GraphQL responses from its own origin
// only, with no inline script. GraphiQL's stylesheet embeds its fonts and a few icons as data:
// URLs, hence data: for fonts and images; its editors set inline styles, hence 'unsafe-inline'
// for styles only. frame-ancestors keeps the page (and the token typed into it) out of frames.
const playgroundCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// The vendored files come from npm through assets/refresh-graphiql.sh; init.js and
// playground.css are ours.
//
//go:embed assets/graphiql
var playgroundFiles embed.FS

// playgroundAsset is one embedded file, ready to serve.
type playgroundAsset struct {
	body        []byte
	contentType string
	hash        string // of body; the page asks for ?v=hash so the URL changes with the content
}

// url is where the page refers to the asset: a URL that changes with the content, so that it
// can be cached for good.
func (a playgroundAsset) url(name string) string {
	return PlaygroundAssetsPath + name + "?v=" + a.hash
}

var playgroundAssets = loadPlaygroundAssets()

func loadPlaygroundAssets() map[string]playgroundAsset {
	const dir = "assets/graphiql"
	entries, err := fs.ReadDir(playgroundFiles, dir)
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	assets := make(map[string]playgroundAsset, len(entries))
	for _, e := range entries {
		body, err := fs.ReadFile(playgroundFiles, path.Join(dir, e.Name()))
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		assets[e.Name()] = playgroundAsset{
			body:        body,
			contentType: playgroundContentType(e.Name()),
			hash:        hex.EncodeToString(sum[:8]),
		}
	}
	return assets
}

// playgroundContentType is a fixed table rather than mime.TypeByExtension, whose answer for .js
// depends on the host's /etc/mime.types.
func playgroundContentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default: // the LICENSE.* files
		return "text/plain; charset=utf-8"
	}
}

// playgroundAssetName returns the one embedded file that matches pattern, so that a version
// bump by the refresh script needs no change here.
func playgroundAssetName(pattern string) string {
	var found []string
	for name := range playgroundAssets {
		if ok, _ := path.Match(pattern, name); ok {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		panic(fmt.Sprintf("playground assets: want one file matching %q, have %q", pattern, found))
	}
	return found[0]
}

var playgroundPage = template.Must(template.New("playground").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{range .Styles}}<link rel="stylesheet" href="{{.}}">
{{end}}{{range .Scripts}}<script src="{{.}}" defer></script>
{{end}}</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript.</noscript>
</body>
</html>
`))

// PlaygroundHandler serves a GraphiQL page titled title that sends its queries to endpoint, a
// path on the same origin (the page's Content-Security-Policy allows no other). Its scripts and
// styles come from this binary, served by PlaygroundAssets at PlaygroundAssetsPath, so the page
// works with no network beyond this server. Users set the Authorization header in GraphiQL's
// headers tab, which is open from the start.
func PlaygroundHandler(title, endpoint string) http.Handler {
	urlOf := func(pattern string) string {
		name := playgroundAssetName(pattern)
		return playgroundAssets[name].url(name)
	}
	var page bytes.Buffer
	err := playgroundPage.Execute(&page, struct {
		Title, Endpoint string
		Styles, Scripts []string
	}{
		Title:    title,
		Endpoint: endpoint,
		Styles:   []string{urlOf("graphiql-*.min.css"), urlOf("playground.css")},
		// In this order: graphiql's bundle expects the React and ReactDOM globals.
		Scripts: []string{
			urlOf("react-[0-9]*.production.min.js"), urlOf("react-dom-[0-9]*.production.min.js"),
			urlOf("graphiql-*.min.js"), urlOf("init.js"),
		},
	})
	if err != nil {
		panic(err) // the template's data are plain strings: cannot fail
	}
	body := page.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", playgroundCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The page names its assets by content hash: a browser must see a new page to get
		// new assets.
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// PlaygroundAssets serves the playground page's scripts, styles and their licences. Mount it at
// PlaygroundAssetsPath, without stripping the prefix. A request that carries the content hash
// the page uses (?v=…) may be cached for a year; any other must revalidate, by ETag.
func PlaygroundAssets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, PlaygroundAssetsPath)
		asset, found := playgroundAssets[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", asset.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+asset.hash+`"`)
		if r.URL.Query().Get("v") == asset.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(asset.body))
	})
}
