#!/usr/bin/env bash
# The real-Prometheus integration test (test/integration/prometheus.test.ts) needs Debian's
# prometheus server; install it when missing. In CI (CI=true) the test fails without it.
set -euo pipefail
command -v prometheus >/dev/null 2>&1 || "$(dirname "$0")/apt-install.sh" prometheus
