#!/usr/bin/env bash
# The test command: installs build dependencies if missing, then runs every
# test of the workspace (unit, property, snapshot and CLI integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The report's browser test needs Debian's Chromium (tests only).
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
cargo test --workspace --locked "$@"
