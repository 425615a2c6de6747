#!/usr/bin/env bash
# Installs what rendering and testing PDFs need when it is missing (as root, with apt-get):
# the fonts documents are set in (fonts-dejavu-core, fonts-droid-fallback, fonts-nanum) and,
# with --test, poppler-utils (pdftotext, pdftoppm) and zbar-tools (zbarimg), which the tests
# read documents and their QR codes back with. Quiet when all is there.
set -euo pipefail

need=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)
[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || need+=(fonts-nanum)
if [ "${1:-}" = --test ]; then
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; install them: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]} (apt-get) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${need[@]}" >&2
