"""Peer benchmark: the LP sequence of one oreflow run (exported with
`oreflow lp --all-years`) solved by highspy from scratch, by highspy
warm-started, and built and solved by linopy; compared with oreflow's own
time per run (`oreflow bench --json`). Called by scripts/bench-peers.sh.

Every peer's objective is checked against the objective oreflow found for the
same LP (index.csv) to 1e-9 relative; the script exits 1 if any disagrees.
No timing is asserted: the figures are printed for docs/benchmarks.md.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import time

import highspy
import numpy as np

TOL = 1e-9

# The HiGHS options oreflow uses (crates/oreflow-lp/src/highs_backend.rs).
OPTIONS = {
    "output_flag": False,
    "log_to_console": False,
    "threads": 1,
    "solver": "simplex",
    "presolve": "choose",
    "simplex_strategy": 1,
}


def new_highs():
    h = highspy.Highs()
    for k, v in OPTIONS.items():
        h.setOptionValue(k, v)
    return h


def read_index(lp_dir):
    with open(os.path.join(lp_dir, "index.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["status"] != "optimal":
            sys.exit(f"{r['file']}: oreflow's status was {r['status']}")
    return rows


class Lp:
    """One LP's arrays, as HiGHS read them from the MPS file."""

    def __init__(self, path):
        h = new_highs()
        if h.readModel(path) != highspy.HighsStatus.kOk:
            sys.exit(f"highspy could not read {path}")
        lp = h.getLp()
        self.sense = h.getObjectiveSense()[1]
        self.cost = np.array(lp.col_cost_)
        self.col_lower = np.array(lp.col_lower_)
        self.col_upper = np.array(lp.col_upper_)
        self.row_lower = np.array(lp.row_lower_)
        self.row_upper = np.array(lp.row_upper_)
        a = lp.a_matrix_
        if a.format_ != highspy.MatrixFormat.kColwise:
            sys.exit(f"{path}: expected a column-wise matrix")
        self.start = np.array(a.start_, dtype=np.int32)
        self.index = np.array(a.index_, dtype=np.int32)
        self.value = np.array(a.value_)
        self.lp = lp
        self.n = len(self.cost)
        self.m = len(self.row_lower)

    def same_pattern(self, other):
        return (
            self.n == other.n
            and self.m == other.m
            and np.array_equal(self.start, other.start)
            and np.array_equal(self.index, other.index)
        )


def rel(a, b):
    return abs(a - b) / max(1.0, abs(b))


def check(name, got, want, worst):
    r = rel(got, want)
    worst[name] = max(worst.get(name, 0.0), r)
    return r <= TOL


def highspy_cold(files, want, worst):
    """Each LP from scratch: a new Highs object reads the MPS file and solves."""
    ok = True
    t0 = time.perf_counter()
    objs = []
    for f in files:
        h = new_highs()
        h.readModel(f)
        h.run()
        objs.append(h.getInfo().objective_function_value)
    t = time.perf_counter() - t0
    for o, w in zip(objs, want):
        ok &= check("highspy cold", o, w, worst)
    return t, ok


def highspy_warm(lps, want, worst):
    """One Highs object: the first LP passed whole, each next one by sending
    the changed bounds, costs and coefficients (the LPs of a run share one
    shape), so HiGHS keeps its basis and warm-starts the dual simplex."""
    ok = True
    t0 = time.perf_counter()
    h = new_highs()
    prev = None
    objs = []
    iters = 0
    for lp in lps:
        if prev is None or not lp.same_pattern(prev):
            h.passModel(lp.lp)
        else:
            c = np.flatnonzero(
                (lp.col_lower != prev.col_lower) | (lp.col_upper != prev.col_upper)
            )
            if len(c):
                h.changeColsBounds(len(c), c.astype(np.int32), lp.col_lower[c], lp.col_upper[c])
            c = np.flatnonzero(lp.cost != prev.cost)
            if len(c):
                h.changeColsCost(len(c), c.astype(np.int32), lp.cost[c])
            r = np.flatnonzero(
                (lp.row_lower != prev.row_lower) | (lp.row_upper != prev.row_upper)
            )
            if len(r):
                h.changeRowsBounds(len(r), r.astype(np.int32), lp.row_lower[r], lp.row_upper[r])
            k = np.flatnonzero(lp.value != prev.value)
            if len(k):
                cols = np.searchsorted(lp.start, k, side="right") - 1
                for kk, cc in zip(k, cols):
                    h.changeCoeff(int(lp.index[kk]), int(cc), float(lp.value[kk]))
        h.run()
        info = h.getInfo()
        objs.append(info.objective_function_value)
        iters += info.simplex_iteration_count
        prev = lp
    t = time.perf_counter() - t0
    for o, w in zip(objs, want):
        ok &= check("highspy warm", o, w, worst)
    return t, ok, iters


def linopy_build(lp):
    """The LP as a linopy model through linopy's direct API: one variable
    array, the rows as linear expressions built from the matrix (each row's
    terms padded to the longest row), equality rows as `==`, rows with a
    finite upper bound as `<=` and with a finite lower bound as `>=` (linopy
    has no ranged rows: a ranged row is two constraints)."""
    import linopy
    import pandas as pd
    import scipy.sparse as sp
    import xarray as xr

    m = linopy.Model()
    x = m.add_variables(
        lower=xr.DataArray(lp.col_lower, dims="col"),
        upper=xr.DataArray(lp.col_upper, dims="col"),
        coords=[pd.RangeIndex(lp.n, name="col")],
        name="x",
    )
    a = sp.csc_matrix((lp.value, lp.index, lp.start), shape=(lp.m, lp.n)).tocsr()
    lengths = np.diff(a.indptr)
    width = max(1, int(lengths.max()) if len(lengths) else 1)
    vars_ = np.full((lp.m, width), -1, dtype=np.int64)
    coeffs = np.zeros((lp.m, width))
    pos = np.arange(a.nnz) - np.repeat(a.indptr[:-1], lengths)
    rows = np.repeat(np.arange(lp.m), lengths)
    vars_[rows, pos] = x.labels.values[a.indices]
    coeffs[rows, pos] = a.data
    expr = linopy.LinearExpression(
        xr.Dataset(
            {
                "coeffs": (("row", "_term"), coeffs),
                "vars": (("row", "_term"), vars_),
            },
            coords={"row": np.arange(lp.m)},
        ),
        m,
    )
    inf = 1e30
    lo, hi = lp.row_lower, lp.row_upper
    eq = lo == hi
    upper = (~eq) & (hi < inf)
    lower = (~eq) & (lo > -inf)
    for mask, sign, rhs, name in ((eq, "==", lo, "eq"), (upper, "<=", hi, "le"), (lower, ">=", lo, "ge")):
        idx = np.flatnonzero(mask)
        if len(idx):
            m.add_constraints(
                expr.isel(row=idx),
                sign,
                xr.DataArray(rhs[idx], dims="row", coords={"row": idx}),
                name=name,
            )
    m.add_objective((xr.DataArray(lp.cost, dims="col", coords={"col": np.arange(lp.n)}) * x).sum(),
                    sense="max" if lp.sense == highspy.ObjSense.kMaximize else "min")
    return m


def linopy_run(lps, want, worst, io_api):
    ok = True
    t0 = time.perf_counter()
    objs = []
    for lp in lps:
        m = linopy_build(lp)
        status, cond = m.solve(solver_name="highs", io_api=io_api, progress=False, **OPTIONS)
        if status != "ok":
            print(f"linopy ({io_api}): status {status} {cond}", file=sys.stderr)
            ok = False
        objs.append(m.objective.value)
    t = time.perf_counter() - t0
    for o, w in zip(objs, want):
        ok &= check(f"linopy ({io_api})", o, w, worst)
    return t, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lp-dir", required=True)
    ap.add_argument("--oreflow-json", required=True)
    ap.add_argument("--oreflow-own-json", help="oreflow bench --solver own --json")
    ap.add_argument("--repeat", type=int, default=5, help="timed repeats of the highspy runs")
    ap.add_argument("--linopy-repeat", type=int, default=1)
    ap.add_argument("--linopy-lp-file", action="store_true", help="also linopy through an LP file")
    a = ap.parse_args()

    index = read_index(a.lp_dir)
    files = [os.path.join(a.lp_dir, r["file"]) for r in index]
    want = [float(r["objective"]) for r in index]
    worst = {}

    def oreflow_run(path, name):
        """An `oreflow bench --json` result; its timed runs are the same run
        as the exported one, so its objectives must be the export's."""
        with open(path) as f:
            run = json.load(f)
        got = [float(o) for o in run["objectives"]]
        good = len(got) == len(want)
        if not good:
            print(f"{name} solved {len(got)} LPs, the export has {len(want)}", file=sys.stderr)
        for o, w in zip(got, want):
            good &= check(name, o, w, worst)
        return run, good

    ore, ok = oreflow_run(a.oreflow_json, "oreflow bench")
    own = None
    if a.oreflow_own_json:
        own, good = oreflow_run(a.oreflow_own_json, "oreflow bench --solver own")
        ok &= good

    lps = [Lp(f) for f in files]  # parsed once, untimed (for the warm and linopy runs)
    shape = f"{lps[0].m} rows x {lps[0].n} columns, {len(lps[0].value)} non-zeros"

    times = {}
    times["oreflow (warm, whole run)"] = ore["median_seconds_per_run"]
    if own is not None:
        times["oreflow own simplex (warm, whole run)"] = own["median_seconds_per_run"]
    cold = []
    warm = []
    for _ in range(a.repeat):
        t, good = highspy_cold(files, want, worst)
        cold.append(t)
        ok &= good
        t, good, iters = highspy_warm(lps, want, worst)
        warm.append(t)
        ok &= good
    times["highspy cold (read MPS + solve)"] = statistics.median(cold)
    times["highspy warm (change + solve)"] = statistics.median(warm)
    lin = []
    for _ in range(a.linopy_repeat):
        t, good = linopy_run(lps, want, worst, "direct")
        lin.append(t)
        ok &= good
    times["linopy direct (build + solve)"] = statistics.median(lin)
    if a.linopy_lp_file:
        t, good = linopy_run(lps, want, worst, "lp")
        ok &= good
        times["linopy LP file (build + write + solve)"] = t

    base = times["oreflow (warm, whole run)"]
    print(f"LP sequence of one run of {ore['scenario']} {ore['from']}-{ore['to']}: {len(files)} LPs of {shape}")
    print(f"highspy {highspy.Highs().version()} (oreflow links HiGHS through highs-sys); "
          f"oreflow median of {ore['runs']} runs, highspy median of {a.repeat}, linopy of {a.linopy_repeat}")
    own_iters = f", oreflow own simplex {own.get('iterations_per_run')}" if own else ""
    print(f"simplex iterations per run: oreflow {ore.get('iterations_per_run')}{own_iters}, highspy warm {iters}")
    own_base = times.get("oreflow own simplex (warm, whole run)")
    print(f"{'':40} {'s per run':>10} {'x oreflow':>10}" + (f" {'x own':>8}" if own_base else ""))
    for k, v in times.items():
        print(f"{k:40} {v:10.4f} {v / base:10.2f}" + (f" {v / own_base:8.2f}" if own_base else ""))
    print("largest objective difference vs oreflow (relative):")
    for k, v in worst.items():
        print(f"  {k:38} {v:.2e}" + ("" if v <= TOL else "  > 1e-9: DISAGREES"))
    print(json.dumps({"seconds_per_run": times, "max_rel_objective_diff": worst}))
    if not ok:
        print("some objectives disagree with oreflow's beyond 1e-9 relative", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
