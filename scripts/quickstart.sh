#!/usr/bin/env bash
# Installs what is needed, builds oreflow in release mode and runs the
# embedded baseline (2024-2040); outputs land in out/baseline/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cargo build --release --locked -p oreflow-cli
./target/release/oreflow run "$@"
