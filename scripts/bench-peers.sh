#!/usr/bin/env bash
# Peer benchmark (docs/benchmarks.md): in one run, the LP sequence of the
# baseline run solved by oreflow (with HiGHS, and with its own dual
# simplex), highspy from scratch, highspy warm-started
# and linopy (build + solve), with per-run times, ratios against oreflow and
# a check that every objective agrees with oreflow's to 1e-9 relative.
#
# Installs highspy, linopy and PuLP (pinned) into a private virtual
# environment under target/peer-venv; builds the release binary; exports the
# run's LPs with `oreflow lp --all-years` into target/peer-bench/.
#
#   scripts/bench-peers.sh [SCENARIO]          (default: baseline)
# Environment: OREFLOW_PEER_REPEAT (highspy repeats, default 5),
# OREFLOW_PEER_ORE_REPEAT (oreflow runs, default 20), OREFLOW_PEER_LP_FILE=1
# (also time linopy through an LP file).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-baseline}"
venv=target/peer-venv
# Versions pinned so the figures can be repeated; highspy 1.15.0 is the HiGHS
# release highs-sys 1.15 builds, so oreflow and highspy run the same solver.
if ! "$venv/bin/python" -c 'import highspy, linopy, pulp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check highspy==1.15.0 linopy==0.10.1 pulp==3.3.2
fi
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build --release --locked -q -p oreflow-cli
bin=target/release/oreflow
work=target/peer-bench
mkdir -p "$work"
"$bin" lp "$scenario" --all-years --short-names --out "$work/lp" -q
"$bin" bench "$scenario" --repeat "${OREFLOW_PEER_ORE_REPEAT:-20}" --json > "$work/oreflow.json"
"$bin" bench "$scenario" --repeat "${OREFLOW_PEER_ORE_REPEAT:-20}" --solver own --json > "$work/oreflow-own.json"
extra=()
if [ "${OREFLOW_PEER_LP_FILE:-0}" = 1 ]; then extra+=(--linopy-lp-file); fi
echo "machine: $(nproc) cores, $(uname -m); load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: other builds may run)"
# HiGHS prints its banner from linopy's solves; keep the table readable.
"$venv/bin/python" scripts/bench_peers.py --lp-dir "$work/lp" --oreflow-json "$work/oreflow.json" \
  --oreflow-own-json "$work/oreflow-own.json" \
  --repeat "${OREFLOW_PEER_REPEAT:-5}" "${extra[@]}" | grep -v -e '^Running HiGHS' -e '^Includes third-party'
