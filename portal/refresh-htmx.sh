#!/usr/bin/env bash
# Re-fetches htmx and its server-sent events extension from the npm registry and copies the
# minified builds into portal/static/, so the binary serves them and pages load nothing from a
# CDN. Needs only npm (npm pack checks each tarball against the registry's integrity hash;
# nothing is installed and no install scripts run). Change a version, run, commit what changed.
set -euo pipefail

HTMX_VERSION=2.0.11
SSE_VERSION=2.2.4

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$HTMX_VERSION" "htmx-ext-sse@$SSE_VERSION" >/dev/null
mkdir htmx sse
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx --strip-components=1
tar -xzf "htmx-ext-sse-$SSE_VERSION.tgz" -C sse --strip-components=1
cp htmx/dist/htmx.min.js "$here/static/htmx.min.js"
cp htmx/LICENSE "$here/static/htmx.LICENSE"
if [ -f sse/dist/sse.min.js ]; then cp sse/dist/sse.min.js "$here/static/htmx-ext-sse.min.js"; else cp sse/sse.js "$here/static/htmx-ext-sse.min.js"; fi
echo "htmx $HTMX_VERSION, htmx-ext-sse $SSE_VERSION -> portal/static/"
