#!/usr/bin/env bash
# The test command: installs what the tests need if missing, runs every test
# of the workspace (unit, property, snapshot and CLI integration tests, the
# data-safety suite), the fuzzing harness for a bounded time, then the Slurm
# self-test (a sharded ensemble through a one-node Slurm on this
# machine must merge to the same summary as a local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
# The report's and the dashboard's browser tests need Debian's Chromium and
# its WebDriver, chromium-driver (tests only).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The ensemble tests open the Parquet outputs with the tools analysts use.
if ! python3 -c 'import pyarrow, pandas, duckdb, polars' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check pyarrow pandas duckdb polars
fi
cargo test --workspace --locked "$@"
# Fuzzing for a bounded time: mutated scenarios and tables through
# `oreflow validate` and a short run (no panic, no hang, bounded memory,
# finite outputs). OREFLOW_FUZZ_SECONDS sets the budget (0 skips it).
fuzz_seconds="${OREFLOW_FUZZ_SECONDS:-180}"
if [ "$fuzz_seconds" != 0 ]; then
  cargo build --locked -p oreflow-cli -p oreflow-fuzz
  target/debug/oreflow-fuzz --bin target/debug/oreflow --seconds "$fuzz_seconds" --out target/fuzz
fi
scripts/slurm/selftest.sh target/debug/oreflow
