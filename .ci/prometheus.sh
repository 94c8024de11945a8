#!/usr/bin/env bash
# The real-Prometheus integration test (test/integration/prometheus.test.ts) needs Debian's
# prometheus server; install it when missing. In CI (CI=true) the test fails without it.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
else
  sudo apt-get update
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
fi
