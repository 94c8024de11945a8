#!/usr/bin/env bash
# Install Debian packages (as root, else through sudo): .ci/apt-install.sh <package>...
set -euo pipefail
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
