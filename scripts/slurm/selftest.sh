#!/usr/bin/env bash
# End-to-end check of the cluster path: starts a one-node Slurm on this
# machine (local-cluster.sh), runs a sharded ensemble through sbatch
# (ensemble.sbatch as a 3-task array, then merge.sbatch), runs the same
# ensemble locally without shards, and checks that the merged summary files
# are byte-identical to the local ones. Stops the cluster at the end.
#
# usage: scripts/slurm/selftest.sh [OREFLOW_BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/slurm"
bin=${1:-$root/target/release/oreflow}
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --locked -p oreflow-cli)
fi
export OREFLOW
OREFLOW=$(realpath "$bin")
work=$(mktemp -d /tmp/oreflow-slurm-selftest.XXXXXX)
chmod 755 "$work" # munged needs every directory above its socket searchable
export OREFLOW_SLURM_DIR="$work/cluster"
# Two free TCP ports for slurmctld and slurmd, so the test never meets a
# cluster that is already running here.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $(seq 16817 2 16999); do
  if port_free "$p" && port_free $((p + 1)); then
    export OREFLOW_SLURM_CTLD_PORT=$p OREFLOW_SLURM_SLURMD_PORT=$((p + 1))
    break
  fi
done
# shellcheck disable=SC2317 # called by the trap
cleanup() { "$here/local-cluster.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$here/local-cluster.sh" start
eval "$("$here/local-cluster.sh" env)"

scenario="$root/scenarios/ensemble-licensing-risk.toml"
runs=30 seed=5 shards=3
flags=(--to 2030 -q)
SECONDS=0
read -r array merge < <("$here/submit-ensemble.sh" "$scenario" "$runs" "$seed" "$shards" "$work/slurm" "${flags[@]}")
echo "submitted array $array and merge $merge"
"$here/local-cluster.sh" wait "$array" 600
"$here/local-cluster.sh" wait "$merge" 300
echo "Slurm path (submit, $shards shards, merge) done in ${SECONDS} s"
"$OREFLOW" ensemble "$scenario" -n "$runs" --seed "$seed" -t 2 -o "$work/local" "${flags[@]}"

status=0
for f in summary.csv shortfall_probability.csv events.csv summary.json failures.csv; do
  if cmp -s "$work/slurm/$f" "$work/local/$f"; then
    echo "identical: $f"
  else
    echo "DIFFERENT: $f (slurm vs local)" >&2
    diff <(head -5 "$work/slurm/$f") <(head -5 "$work/local/$f") >&2 || true
    status=1
  fi
done
for k in $(seq 1 "$shards"); do
  [ -s "$work/slurm/logs/shard-$k.out" ] || { echo "no log for shard $k" >&2; status=1; }
done
cleanup # before the cluster's pid files go with $work
if ((status == 0)); then
  echo "selftest passed: $runs runs in $shards Slurm shards merge to the local summary"
  rm -rf "$work"
else
  echo "selftest FAILED; files kept in $work" >&2
fi
exit "$status"
