#!/usr/bin/env bash
# Makes sure a Chromium is on this machine for the remittance UI's browser test: the one
# CHROMIUM_PATH names, or the system's. Installs Debian's chromium package when there is
# none (needs root and apt). The test never downloads a browser of its own.
set -euo pipefail
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
"${CHROMIUM_PATH:-chromium}" --version
