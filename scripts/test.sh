#!/usr/bin/env bash
# The test command: installs build dependencies if missing, then runs every
# test of the workspace (unit, property, snapshot and CLI integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cargo test --workspace --locked "$@"
