#!/usr/bin/env bash
# Re-fetches axe-core from the npm registry into portal/testdata/axe.min.js: the browser tests
# inject it into every page to check WCAG 2.1 A/AA. Only the tests read it; the binary does not
# embed it. Needs only npm; change the version, run, commit what changed.
set -euo pipefail

AXE_VERSION=4.14.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "axe-core@$AXE_VERSION" >/dev/null
mkdir axe
tar -xzf "axe-core-$AXE_VERSION.tgz" -C axe --strip-components=1
cp axe/axe.min.js "$here/testdata/axe.min.js"
cp axe/LICENSE "$here/testdata/axe.LICENSE"
echo "axe-core $AXE_VERSION -> portal/testdata/"
