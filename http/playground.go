package http

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql/playground"
)

// PlaygroundAssetsPath is where the playground's assets are served.
const PlaygroundAssetsPath = "/assets/graphiql/"

// PlaygroundHandler serves the GraphiQL page for endpoint.
func PlaygroundHandler(title, endpoint string) http.Handler {
	return playground.Handler(title, endpoint)
}

// PlaygroundAssets serves the playground's assets.
func PlaygroundAssets() http.Handler { return http.NotFoundHandler() }
