#!/usr/bin/env bash
# The browser test (test/browser/serve.test.ts) drives Debian's Chromium with playwright-core;
# install it when missing. In CI (CI=true) the test fails without it.
set -euo pipefail
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || "$(dirname "$0")/apt-install.sh" chromium
