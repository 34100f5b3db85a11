#!/usr/bin/env bash
# The test command: installs what the tests need if missing, runs every test
# of the workspace (unit, property, snapshot and CLI integration tests), then
# the Slurm self-test (a sharded ensemble through a one-node Slurm on this
# machine must merge to the same summary as a local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
# The report's browser test needs Debian's Chromium (tests only).
if ! command -v chromium >/dev/null 2>&1; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
# The ensemble tests open the Parquet outputs with the tools analysts use.
if ! python3 -c 'import pyarrow, pandas, duckdb, polars' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check pyarrow pandas duckdb polars
fi
cargo test --workspace --locked "$@"
scripts/slurm/selftest.sh target/debug/oreflow
