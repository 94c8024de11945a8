#!/usr/bin/env bash
# The browser test (test/browser/serve.test.ts) drives Debian's Chromium with playwright-core;
# install it when missing. In CI (CI=true) the test fails without it.
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
else
  sudo apt-get update
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
