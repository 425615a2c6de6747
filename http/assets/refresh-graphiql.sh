#!/usr/bin/env bash
# Re-fetches the GraphiQL playground's browser files from the npm registry and copies them into
# http/assets/graphiql/, so the binary serves them and a browser needs nothing but this server.
#
# GraphiQL 4.1.2 is the newest release that still ships a prebuilt UMD bundle (graphiql.min.js,
# which bundles graphql 16.11.0 and CodeMirror 5); graphiql 5 ships only ES modules that import
# monaco-editor and its web workers by bare name, which needs a bundler. React 18.3.1 is the
# last React with UMD builds (React 19 dropped them) and is within graphiql 4's peer range.
# graphql is a peer dependency but is already bundled inside graphiql.min.js: only its LICENSE
# is copied, from the version the bundle reports.
#
# Needs only npm (no node_modules is left behind). Change a version here, run the script, and
# commit what it changed under http/assets/graphiql/.
set -euo pipefail

GRAPHIQL_VERSION=4.1.2
REACT_VERSION=18.3.1
GRAPHQL_VERSION=16.11.0 # the graphql that graphiql ${GRAPHIQL_VERSION}'s UMD bundle contains

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/graphiql"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
# npm pack fetches each tarball exactly as published and checks it against the registry's
# integrity hash; nothing is installed and no install scripts run.
npm pack --silent "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" \
	"react-dom@$REACT_VERSION" "graphql@$GRAPHQL_VERSION" >/dev/null
for spec in "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" \
	"graphql@$GRAPHQL_VERSION"; do
	pkg="${spec%@*}"
	mkdir "$pkg"
	tar -xzf "$pkg-${spec#*@}.tgz" -C "$pkg" --strip-components=1
	echo "$pkg $(node -p "require('./$pkg/package.json').version")"
done

bundled="$(grep -o 'version:"[0-9.]*",versionInfo' graphiql/graphiql.min.js | head -1 | cut -d'"' -f2)"
if [ "$bundled" != "$GRAPHQL_VERSION" ]; then
	echo "graphiql $GRAPHIQL_VERSION bundles graphql ${bundled:-?}, not $GRAPHQL_VERSION: update GRAPHQL_VERSION" >&2
	exit 1
fi

# Only the vendored files are replaced; init.js beside them is ours.
rm -f "$dest"/graphiql-*.min.js "$dest"/graphiql-*.min.css "$dest"/react-*.production.min.js \
	"$dest"/react-dom-*.production.min.js "$dest"/LICENSE.*
cp graphiql/graphiql.min.js "$dest/graphiql-$GRAPHIQL_VERSION.min.js"
cp graphiql/graphiql.min.css "$dest/graphiql-$GRAPHIQL_VERSION.min.css"
cp react/umd/react.production.min.js "$dest/react-$REACT_VERSION.production.min.js"
cp react-dom/umd/react-dom.production.min.js "$dest/react-dom-$REACT_VERSION.production.min.js"
cp graphiql/LICENSE "$dest/LICENSE.graphiql"
cp react/LICENSE "$dest/LICENSE.react"
cp react-dom/LICENSE "$dest/LICENSE.react-dom"
cp graphql/LICENSE "$dest/LICENSE.graphql"

cd "$dest"
sha256sum graphiql-*.min.js graphiql-*.min.css react-*.production.min.js LICENSE.*
