//! docs/backtest.md's results table is written by hand (its labels and the
//! observed column carry context the checks' strings do not), so this test
//! keeps its measured parts true: one table row per check (the k-th row of
//! a case and element is its k-th check), with the model's figures (every
//! number of the check's model string, in order) and whether it holds, and a
//! count line "N of the M checks hold" that matches. The table drifted from
//! the model once; this makes the next drift fail CI with the row to mend.

use std::path::Path;

/// The numbers of a cell or a check string, in order: "5,120 USD/kg" → [5120],
/// "8.1× (2012)" → [8.1, 2012], "not by 2015" → [2015].
fn numbers(s: &str) -> Vec<f64> {
    let chars: Vec<char> = s.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut out = Vec::new();
    let mut cur = String::new();
    // A trailing space ends the last number.
    for (i, &ch) in chars.iter().chain([' '].iter()).enumerate() {
        let separator = ch == ',' && i > 0 && digit(i - 1) && digit(i + 1);
        if ch.is_ascii_digit() || (ch == '.' && !cur.is_empty()) {
            cur.push(ch);
        } else if !separator && !cur.is_empty() {
            out.push(cur.trim_end_matches('.').parse().unwrap());
            cur.clear();
        }
    }
    out
}

struct DocRow {
    line: usize,
    case: String,
    element: String,
    model: String,
    holds: String,
}

/// The rows of the table under "## Results", and the line that counts them.
fn results_table(doc: &str) -> (Vec<DocRow>, Option<(usize, usize)>) {
    let mut rows = Vec::new();
    let mut count = None;
    let mut in_results = false;
    for (i, line) in doc.lines().enumerate() {
        if line.starts_with("## ") {
            in_results = line.starts_with("## Results");
            continue;
        }
        if !in_results {
            continue;
        }
        if let Some(at) = line.find(" checks hold") {
            let n = numbers(&line[..at]);
            if n.len() >= 2 {
                count = Some((n[n.len() - 2] as usize, n[n.len() - 1] as usize));
            }
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | case | element | check | model | observed | holds |
        if cells.len() == 8 && cells[1] != "case" && !cells[1].starts_with("---") {
            rows.push(DocRow {
                line: i + 1,
                case: cells[1].into(),
                element: cells[2].into(),
                model: cells[4].into(),
                holds: cells[6].into(),
            });
        }
    }
    (rows, count)
}

#[test]
fn the_results_table_of_docs_backtest_md_is_what_the_back_tests_measure() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/backtest.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (rows, count) = results_table(&doc);
    let backend = oreflow_lp::HighsBackend::default();
    let checks: Vec<_> = oreflow_backtest::CASES
        .iter()
        .flat_map(|&c| oreflow_backtest::run(c, &backend).unwrap().checks)
        .collect();
    let mut wrong = Vec::new();
    if rows.len() != checks.len() {
        wrong.push(format!(
            "the table has {} rows, the back-tests make {} checks",
            rows.len(),
            checks.len()
        ));
    }
    // The k-th check of a case and element is that case and element's k-th
    // row (the table may order elements as it likes).
    let mut seen = std::collections::HashMap::<(&str, &str), usize>::new();
    for check in &checks {
        let k = seen.entry((&check.case, &check.element)).or_default();
        let row = rows
            .iter()
            .filter(|r| r.case == check.case && r.element == check.element)
            .nth(*k);
        *k += 1;
        let Some(row) = row else {
            wrong.push(format!(
                "docs/backtest.md: no row for {} {} \"{}\" ({})",
                check.case, check.element, check.check, check.model
            ));
            continue;
        };
        let holds = if check.pass { "yes" } else { "**no**" };
        let here = format!(
            "docs/backtest.md:{}: {} {} \"{}\"",
            row.line, check.case, check.element, check.check
        );
        if numbers(&row.model) != numbers(&check.model) {
            wrong.push(format!(
                "{here}: model is {} (the row says {})",
                check.model, row.model
            ));
        }
        if !row.holds.starts_with(holds) {
            wrong.push(format!(
                "{here}: holds is {holds} (the row says {})",
                row.holds
            ));
        }
    }
    let passing = checks.iter().filter(|c| c.pass).count();
    if count != Some((passing, checks.len())) {
        wrong.push(format!(
            "docs/backtest.md: the results should say \"{passing} of the {} checks hold\" (it says {count:?})",
            checks.len()
        ));
    }
    assert!(
        wrong.is_empty(),
        "docs/backtest.md's results table differs from `oreflow backtest`; mend these rows:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn numbers_are_read_as_the_table_writes_them() {
    assert_eq!(numbers("5,120 USD/kg"), vec![5120.0]);
    assert_eq!(numbers("8.1× (2012)"), vec![8.1, 2012.0]);
    assert_eq!(numbers("8.1x (2012)"), vec![8.1, 2012.0]);
    assert_eq!(numbers("not by 2015"), vec![2015.0]);
    assert_eq!(numbers("1.00×"), vec![1.0]);
    assert_eq!(numbers("-"), Vec::<f64>::new());
    assert_ne!(numbers("1.3× (2011)"), numbers("1.4x (2011)"));
}
