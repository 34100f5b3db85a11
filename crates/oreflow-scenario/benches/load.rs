#![allow(clippy::print_stdout)] // a benchmark reports on stdout
//! `cargo bench -p oreflow-scenario --bench load`: loading and validating
//! large facility tables, as `oreflow validate` does (a scenario whose
//! `[tables]` replaces mines.csv, read, parsed, checked against the ranges,
//! then the model built and calibrated). Issue 10: 20k rows took 1.1 s and
//! 50k rows 6.1 s (a facility-id check that compared each id with every
//! earlier one). The figures printed are the median of a few repetitions
//! per size, the time per row and its ratio to the smallest size (1.0 is
//! linear), and the peak resident memory so far (sizes run smallest first).
//! No assertion: the machine is shared; judge the ratios.

use std::time::Instant;

fn mines(rows: usize) -> String {
    let embedded = oreflow_data::embedded_files()
        .into_iter()
        .find(|(n, _)| *n == "mines.csv")
        .expect("mines.csv")
        .1;
    let mut lines = embedded.lines();
    let header = lines.next().expect("header");
    let body: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let mut out = String::with_capacity(rows * 200);
    out.push_str(header);
    out.push('\n');
    for l in &body {
        out.push_str(l);
        out.push('\n');
    }
    // Copies of Mount Weld's row with new ids and 1 t of capacity each.
    let template = body
        .iter()
        .find(|l| l.starts_with("au_mt_weld,"))
        .expect("au_mt_weld row");
    let cells: Vec<&str> = template.splitn(8, ',').collect();
    for k in body.len()..rows {
        out.push_str(&format!(
            "gen_{k},Generated {k},{},{},{},{},1,{}\n",
            cells[2], cells[3], cells[4], cells[5], cells[7]
        ));
    }
    out
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("oreflow-load-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sizes = [10_000usize, 25_000, 50_000, 100_000];
    let mut base_per_row = None;
    let mut parts = Vec::new();
    println!("rows      load+validate (median)   per row     ratio   peak RSS");
    for &n in &sizes {
        std::fs::write(dir.join("mines.csv"), mines(n)).expect("write mines");
        std::fs::write(
            dir.join("big.toml"),
            "name = \"big\"\n[tables]\nmines = \"mines.csv\"\n",
        )
        .expect("write scenario");
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let sc = oreflow_scenario::Scenario::load(&dir.join("big.toml")).expect("load");
            assert_eq!(sc.dataset.mines.len(), n);
            let model = oreflow_sim::Model::with_policies(sc.dataset, sc.config, sc.policies)
                .expect("model");
            times.push(t.elapsed().as_secs_f64());
            drop(model);
        }
        // Where the time goes: parsing the tables alone, and the model.
        let mut files: Vec<(String, String)> = oreflow_data::embedded_files()
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        for f in &mut files {
            if f.0 == "mines.csv" {
                f.1 = std::fs::read_to_string(dir.join("mines.csv")).expect("read");
            }
        }
        let t = Instant::now();
        let ds = oreflow_data::parse(&files).expect("parse");
        let parse = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let _ = oreflow_sim::Model::new(ds, oreflow_sim::RunConfig::default()).expect("model");
        let model = t.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        parts.push((n, parse, model));
        let median = times[times.len() / 2];
        let per_row = median / n as f64;
        let ratio = per_row / *base_per_row.get_or_insert(per_row);
        println!(
            "{n:>7}   {median:>10.3} s            {:>6.2} µs   {ratio:>5.2}   {:>6.0} MB",
            per_row * 1e6,
            peak_rss_mb()
        );
    }
    println!("\nrows      parse tables   build + calibrate model");
    for (n, p, m) in parts {
        println!("{n:>7}   {p:>9.3} s   {m:>9.3} s");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
