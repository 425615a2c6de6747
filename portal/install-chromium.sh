#!/usr/bin/env bash
# Installs Debian's chromium when it is missing (as root, with apt-get): the portal's browser
# tests drive it headless through chromedp. Quiet when it is there.
set -euo pipefail

command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: chromium is missing; install it: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "install-chromium: installing chromium (apt-get, about a minute) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
