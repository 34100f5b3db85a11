#!/usr/bin/env bash
# Runs an oreflow ensemble on a Slurm cluster: a job array of M shards, then
# a merge job that starts once every shard succeeded (afterok).
#
# usage: submit-ensemble.sh SCENARIO RUNS SEED SHARDS OUT [oreflow ensemble flags…]
# environment: OREFLOW (binary, default `oreflow`), CPUS_PER_TASK (default 1),
#              SBATCH_ARGS (more sbatch options, e.g. "--partition=long --time=1:00:00")
# prints: ARRAY_JOB_ID MERGE_JOB_ID
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if (($# < 5)); then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
scenario=$(realpath "$1") runs=$2 seed=$3 shards=$4 out=$(realpath -m "$5")
shift 5
mkdir -p "$out/logs"
# shellcheck disable=SC2086 # SBATCH_ARGS is a list of options
array=$(sbatch --parsable --array="1-$shards" --cpus-per-task="${CPUS_PER_TASK:-1}" \
  --output="$out/logs/shard-%a.out" --export=ALL ${SBATCH_ARGS:-} \
  "$here/ensemble.sbatch" "$scenario" "$runs" "$seed" "$out" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$out/logs/merge.out" --export=ALL ${SBATCH_ARGS:-} \
  "$here/merge.sbatch" "$out")
merge=${merge%%;*}
echo "$array $merge"
