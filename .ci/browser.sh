#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it; no browser is ever downloaded).
set -euo pipefail
if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
fi
chromium --version
