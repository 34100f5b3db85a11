//! Free-format MPS output of a [`Problem`], so that any other solver can
//! solve exactly the LP oreflow solved.
//!
//! Written by hand rather than through HiGHS' `Highs_writeModel` because
//! (1) it writes into any `io::Write`, so output folders keep going through
//! `oreflow-io` (HiGHS writes to a path itself); (2) every number is written
//! in Rust's shortest round-trip form (`{:e}`), so a reader that parses
//! decimals correctly gets the very `f64` oreflow solved (only a ranged
//! row's second bound is `rhs + range`, see below); (3) oreflow's labels
//! (free text with spaces) need a sanitised, unique token anyway, and the
//! map from token to label is returned to the caller.
//!
//! The format written:
//! - `OBJSENSE` section with `MAX` or `MIN` (the problem's [`Sense`]), and
//!   the objective row `obj` (renamed if a row's label would take the name).
//! - Rows: `lo = hi` → `E`; only `hi` finite → `L`; only `lo` finite → `G`;
//!   both finite and different → `G` with RHS `lo` and a `RANGES` entry
//!   `hi − lo` (so the upper bound read back is `lo + (hi − lo)`, which can
//!   differ from `hi` in the last bit); both infinite (free rows) → `G` with
//!   RHS `-1e30`, which HiGHS and other solvers read as minus infinity, so
//!   the row count is kept (an extra `N` row would be dropped by readers).
//! - Bounds: the MPS default `[0, +inf)` is not written; `FX` for equal
//!   bounds; `FR` for free columns; `MI` for an infinite lower bound, then `UP`
//!   for a finite upper one; otherwise `LO` and/or `UP`.
//! - A column with no matrix entry and zero cost gets an explicit zero
//!   objective entry, so that it is not lost.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::{Problem, Sense};

/// The MPS names of a problem's rows and columns (in index order), and the
/// objective row's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub objective: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
}

/// The MPS-safe token of a label: ASCII letters, digits and `_ . - ( ) [ ] : / +`
/// kept, every other run of characters (spaces, `,`, `$`, `*`, non-ASCII) a
/// single `_`; an empty result, or one starting with a character some readers
/// take for a comment or a marker (`$`, `*`, `-`, `+`), gets a leading `_`.
pub fn sanitise(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut gap = false;
    for ch in label.chars() {
        let keep = ch.is_ascii_alphanumeric() || "_.-()[]:/+".contains(ch);
        if keep {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(ch);
        } else {
            gap = true;
        }
    }
    if out.is_empty() || out.starts_with(['-', '+']) {
        out.insert(0, '_');
    }
    out
}

/// Unique MPS names for the rows and columns of `p`: each label sanitised
/// ([`sanitise`]); a name taken already (by an earlier row, column or the
/// objective) gets `~2`, `~3`, … Rows and columns share no namespace in MPS,
/// but keeping them apart in one set makes the names map unambiguous.
pub fn names(p: &Problem) -> Names {
    let mut taken: HashMap<String, u32> = HashMap::new();
    let mut unique = |base: String| -> String {
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            return base;
        }
        // The suffixed name could itself be a later label: keep trying.
        let mut k = *n;
        loop {
            let candidate = format!("{base}~{k}");
            if !taken.contains_key(&candidate) {
                taken.insert(candidate.clone(), 1);
                return candidate;
            }
            k += 1;
        }
    };
    let objective = unique("obj".to_string());
    let rows = p.row_label.iter().map(|l| unique(sanitise(l))).collect();
    let cols = p.col_label.iter().map(|l| unique(sanitise(l))).collect();
    Names {
        objective,
        rows,
        cols,
    }
}

/// Short names `R1`, `R2`, … for rows and `C1`, `C2`, … for columns (by
/// index, from 1), objective `obj`: a fraction of the size of a file with
/// oreflow's long labels; keep [`names`]' map beside it to read the labels.
pub fn short_names(p: &Problem) -> Names {
    Names {
        objective: "obj".into(),
        rows: (1..=p.num_rows()).map(|i| format!("R{i}")).collect(),
        cols: (1..=p.num_cols()).map(|i| format!("C{i}")).collect(),
    }
}

/// Shortest round-trip decimal form of `v` (`1e0`, `2.5e-3`, `-7.1e6`).
fn num(v: f64) -> String {
    // `-0` would read back as 0 anyway; write it plainly.
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:e}")
    }
}

/// Writes `p` as free-format MPS named `name` (a token: spaces are replaced),
/// with the row and column names of [`names`]. Returns the names used.
pub fn write(p: &Problem, name: &str, out: &mut impl Write) -> io::Result<Names> {
    let nm = names(p);
    write_named(p, name, &nm, out)?;
    Ok(nm)
}

/// [`write()`] with the given names (from [`names`] or [`short_names`]; they
/// must be unique tokens and sized to the problem).
pub fn write_named(p: &Problem, name: &str, nm: &Names, out: &mut impl Write) -> io::Result<()> {
    assert_eq!(nm.rows.len(), p.num_rows(), "one name per row");
    assert_eq!(nm.cols.len(), p.num_cols(), "one name per column");
    let mut w = io::BufWriter::new(out);
    writeln!(w, "NAME {}", sanitise(name))?;
    writeln!(w, "OBJSENSE")?;
    writeln!(
        w,
        "    {}",
        match p.sense {
            Sense::Maximise => "MAX",
            Sense::Minimise => "MIN",
        }
    )?;
    writeln!(w, "ROWS")?;
    writeln!(w, " N  {}", nm.objective)?;
    let m = p.num_rows();
    // RHS value and range of each row.
    let mut rhs: Vec<Option<f64>> = vec![None; m];
    let mut range: Vec<Option<f64>> = vec![None; m];
    for r in 0..m {
        let (lo, hi) = (p.row_lower[r], p.row_upper[r]);
        let kind = if lo == hi {
            rhs[r] = Some(lo);
            'E'
        } else if lo.is_finite() && hi.is_finite() {
            rhs[r] = Some(lo);
            range[r] = Some(hi - lo);
            'G'
        } else if hi.is_finite() {
            rhs[r] = Some(hi);
            'L'
        } else if lo.is_finite() {
            rhs[r] = Some(lo);
            'G'
        } else {
            rhs[r] = Some(-1e30);
            'G'
        };
        writeln!(w, " {kind}  {}", nm.rows[r])?;
    }
    writeln!(w, "COLUMNS")?;
    for c in 0..p.num_cols() {
        let col = &nm.cols[c];
        let cost = p.col_cost[c];
        let (start, end) = (p.col_start[c] as usize, p.col_start[c + 1] as usize);
        if cost != 0.0 || start == end {
            writeln!(w, "    {col}  {}  {}", nm.objective, num(cost))?;
        }
        for k in start..end {
            writeln!(
                w,
                "    {col}  {}  {}",
                nm.rows[p.index[k] as usize],
                num(p.value[k])
            )?;
        }
    }
    writeln!(w, "RHS")?;
    for (r, v) in rhs.iter().enumerate() {
        if let Some(v) = v.filter(|v| *v != 0.0) {
            writeln!(w, "    RHS  {}  {}", nm.rows[r], num(v))?;
        }
    }
    if range.iter().any(Option::is_some) {
        writeln!(w, "RANGES")?;
        for (r, v) in range.iter().enumerate() {
            if let Some(v) = v {
                writeln!(w, "    RNG  {}  {}", nm.rows[r], num(*v))?;
            }
        }
    }
    let mut bounds = Vec::new();
    for c in 0..p.num_cols() {
        let (lo, hi) = (p.col_lower[c], p.col_upper[c]);
        let col = &nm.cols[c];
        if lo == hi {
            bounds.push(format!(" FX BND  {col}  {}", num(lo)));
        } else if lo == f64::NEG_INFINITY && hi == f64::INFINITY {
            bounds.push(format!(" FR BND  {col}"));
        } else {
            if lo == f64::NEG_INFINITY {
                bounds.push(format!(" MI BND  {col}"));
            } else if lo != 0.0 {
                bounds.push(format!(" LO BND  {col}  {}", num(lo)));
            }
            if hi != f64::INFINITY {
                bounds.push(format!(" UP BND  {col}  {}", num(hi)));
            }
        }
    }
    if !bounds.is_empty() {
        writeln!(w, "BOUNDS")?;
        for b in bounds {
            writeln!(w, "{b}")?;
        }
    }
    writeln!(w, "ENDATA")?;
    w.flush()?;
    Ok(())
}

/// [`write()`] into a string.
pub fn to_string(p: &Problem, name: &str) -> (String, Names) {
    let names = names(p);
    (to_string_named(p, name, &names), names)
}

/// [`write_named`] into a string.
pub fn to_string_named(p: &Problem, name: &str, names: &Names) -> String {
    let mut buf = Vec::new();
    write_named(p, name, names, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("MPS text is ASCII by construction")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_keeps_tokens_and_replaces_the_rest() {
        assert_eq!(sanitise("JP ev_motors magnet"), "JP_ev_motors_magnet");
        assert_eq!(sanitise("balance Nd (CN)"), "balance_Nd_(CN)");
        assert_eq!(sanitise("  a  b  "), "a_b");
        assert_eq!(sanitise("Ω→x"), "x");
        assert_eq!(sanitise(""), "_");
        assert_eq!(sanitise("$x"), "x");
        assert_eq!(sanitise("-x"), "_-x");
        assert_eq!(sanitise("*comment"), "comment");
    }

    #[test]
    fn names_are_unique_and_avoid_the_objective() {
        let mut p = Problem::new(Sense::Maximise);
        let r1 = p.add_row(0.0, 1.0, "obj");
        let r2 = p.add_row(0.0, 1.0, "a b");
        let r3 = p.add_row(0.0, 1.0, "a_b");
        p.add_col(1.0, 0.0, 1.0, &[(r1, 1.0), (r2, 1.0), (r3, 1.0)], "a b");
        p.add_col(1.0, 0.0, 1.0, &[(r1, 1.0)], "a_b~2");
        let n = names(&p);
        assert_eq!(n.objective, "obj");
        assert_eq!(n.rows, ["obj~2", "a_b", "a_b~2"]);
        // Labels never keep `~` (it is not a token character), so suffixed
        // names cannot collide with sanitised labels.
        assert_eq!(n.cols[0], "a_b~3");
        assert_eq!(n.cols[1], "a_b_2");
        let mut all: Vec<&String> = n.rows.iter().chain(&n.cols).collect();
        all.push(&n.objective);
        let before = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), before);
    }

    /// Every kind of row and bound, written exactly as expected.
    #[test]
    fn every_row_and_bound_kind_is_written() {
        let mut p = Problem::new(Sense::Maximise);
        let e = p.add_row(2.0, 2.0, "eq");
        let l = p.add_row(f64::NEG_INFINITY, 6.0, "le");
        let g = p.add_row(-1.5, f64::INFINITY, "ge");
        let r = p.add_row(1.0, 4.0, "ranged");
        let f = p.add_row(f64::NEG_INFINITY, f64::INFINITY, "free row");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(e, 1.0), (l, 3.0)], "x");
        p.add_col(-2.0, 1.0, 5.0, &[(g, 1.0), (r, 0.5)], "y");
        p.add_col(0.0, f64::NEG_INFINITY, 3.0, &[(f, 1.0)], "z");
        p.add_col(0.0, -2.0, f64::INFINITY, &[(r, 1.0)], "w");
        p.add_col(0.0, f64::NEG_INFINITY, f64::INFINITY, &[(l, 1.0)], "v");
        p.add_col(0.0, 7.0, 7.0, &[], "fixed, unused");
        let (text, _) = to_string(&p, "test lp");
        let expected = "\
NAME test_lp
OBJSENSE
    MAX
ROWS
 N  obj
 E  eq
 L  le
 G  ge
 G  ranged
 G  free_row
COLUMNS
    x  obj  1e0
    x  eq  1e0
    x  le  3e0
    y  obj  -2e0
    y  ge  1e0
    y  ranged  5e-1
    z  free_row  1e0
    w  ranged  1e0
    v  le  1e0
    fixed_unused  obj  0
RHS
    RHS  eq  2e0
    RHS  le  6e0
    RHS  ge  -1.5e0
    RHS  ranged  1e0
    RHS  free_row  -1e30
RANGES
    RNG  ranged  3e0
BOUNDS
 LO BND  y  1e0
 UP BND  y  5e0
 MI BND  z
 UP BND  z  3e0
 LO BND  w  -2e0
 FR BND  v
 FX BND  fixed_unused  7e0
ENDATA
";
        assert_eq!(text, expected);
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for v in [0.1, 1.0 / 3.0, 1e-300, 123456.789e10, -2.5e-7, f64::MAX] {
            let s = num(v);
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
    }
}
