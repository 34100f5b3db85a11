#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line harness reports on the terminal
//! `oreflow-fuzz`: mutates the shipped scenarios and the embedded tables and
//! runs the `oreflow` binary on each case for a bounded time:
//! `oreflow validate` (or `oreflow data DIR --check` for a table folder) and,
//! when that accepts the input, a short `oreflow run --to 2025`.
//!
//! Every case must: exit 0, 1 or 2 (no panic, no abort, no signal); finish
//! within the per-case time limit (no hang); stay under the memory limit
//! (address space limited with `ulimit -v`, resident memory measured); and,
//! when the run succeeds, write only finite numbers, non-negative ones except
//! where a column may be negative (import reliance of net exporters). An
//! input that `validate` accepts must also run.
//!
//! Cases that break a rule are saved under `OUT/failures/` with a script
//! that repeats them; the harness exits 1. `crates/oreflow-fuzz/regressions/`
//! holds inputs that once broke a rule (issue 10's among them): they are run
//! first, every time. The first random case is a mines table of 100,000 rows
//! (the largest-table case, whose time and memory are reported).
//!
//! Usage: `oreflow-fuzz --bin target/debug/oreflow --seconds 180 [--seed N]
//! [--jobs 2] [--case-seconds 60] [--memory-mb 3072] [--out target/fuzz]`

mod mutate;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mutate::Rng;

struct Args {
    bin: PathBuf,
    seconds: u64,
    seed: u64,
    jobs: usize,
    case_seconds: u64,
    memory_mb: u64,
    out: PathBuf,
    large_rows: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        bin: PathBuf::from("target/debug/oreflow"),
        seconds: 60,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(1),
        jobs: 2,
        case_seconds: 60,
        memory_mb: 3072,
        out: PathBuf::from("target/fuzz"),
        large_rows: 100_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or_else(|| format!("{k} needs a value"));
        let num = |s: String| {
            s.parse::<u64>()
                .map_err(|_| format!("{k}: `{s}` is not a number"))
        };
        match k.as_str() {
            "--bin" => a.bin = PathBuf::from(v()?),
            "--seconds" => a.seconds = num(v()?)?,
            "--seed" => a.seed = num(v()?)?,
            "--jobs" => a.jobs = num(v()?)?.max(1) as usize,
            "--case-seconds" => a.case_seconds = num(v()?)?.max(1),
            "--memory-mb" => a.memory_mb = num(v()?)?.max(64),
            "--out" => a.out = PathBuf::from(v()?),
            "--large-rows" => a.large_rows = num(v()?)? as usize,
            "-h" | "--help" => {
                return Err("usage: oreflow-fuzz --bin PATH [--seconds N] [--seed N] [--jobs N] [--case-seconds N] [--memory-mb N] [--large-rows N] [--out DIR]".into())
            }
            other => return Err(format!("unknown option {other} (--help)")),
        }
    }
    if !a.bin.is_file() {
        return Err(format!(
            "--bin {}: no such file (build it with `cargo build -p oreflow-cli`)",
            a.bin.display()
        ));
    }
    a.bin = a.bin.canonicalize().map_err(|e| e.to_string())?;
    Ok(a)
}

/// One process run: how it ended, how long it took, how much memory.
#[derive(Clone, Debug, Default)]
struct Exec {
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    seconds: f64,
    peak_rss_mb: f64,
    stderr: String,
}

fn vm_hwm_mb(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Runs `bin args` in `cwd` with the address space limited to `memory_mb`
/// and killed after `timeout`.
fn exec(bin: &Path, args: &[String], cwd: &Path, timeout: Duration, memory_mb: u64) -> Exec {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            memory_mb * 1024
        ))
        .arg(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Exec {
                stderr: format!("cannot start: {e}"),
                ..Exec::default()
            }
        }
    };
    let mut err_pipe = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = (&mut err_pipe).take(1 << 20).read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let pid = child.id();
    let mut peak: f64 = 0.0;
    let mut timed_out = false;
    let status = loop {
        if let Some(m) = vm_hwm_mb(pid) {
            peak = peak.max(m);
        }
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {}
            Err(_) => break None,
        }
        if started.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(15));
    };
    let seconds = started.elapsed().as_secs_f64();
    use std::os::unix::process::ExitStatusExt;
    Exec {
        code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out,
        seconds,
        peak_rss_mb: peak,
        stderr: reader.join().unwrap_or_default(),
    }
}

/// What a case is.
#[derive(Clone, Debug)]
enum Kind {
    /// A scenario file (with its bases and tables beside it).
    Scenario(String),
    /// A folder of tables.
    Tables,
}

/// A case: files to write into its folder, what to run.
#[derive(Clone, Debug)]
struct Case {
    id: u64,
    label: String,
    files: Vec<(String, Vec<u8>)>,
    kind: Kind,
    /// Bytes of the largest table of the case.
    largest_table: usize,
    largest_rows: usize,
    /// Whether an accepted case is also run (not the 100,000-row case: its
    /// market LP has a column per mine, and two years of it take about
    /// 30 s in the debug build, which measures the model's size, not
    /// loading's; `validate` already solves its reference year).
    run: bool,
}

/// The shipped scenarios and embedded tables.
struct Corpus {
    scenarios: Vec<(String, String)>,
    tables: Vec<(String, String)>,
    names: Vec<String>,
    regressions: Vec<Case>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Corpus {
    let mut scenarios: Vec<(String, String)> = std::fs::read_dir(repo().join("scenarios"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| {
                    Some((
                        p.file_name()?.to_string_lossy().into_owned(),
                        std::fs::read_to_string(&p).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    scenarios.sort();
    let tables: Vec<(String, String)> = oreflow_data::embedded_files()
        .into_iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    // Names a mutation may put anywhere: region codes, facility ids, elements.
    let mut names = Vec::new();
    if let Ok(ds) = oreflow_data::embedded() {
        names.extend(ds.regions.iter().map(|r| r.code.clone()));
        names.extend(ds.mines.iter().map(|m| m.id.clone()));
        names.extend(ds.separation_plants.iter().map(|m| m.id.clone()));
        names.extend(ds.end_uses.iter().map(|u| u.id.clone()));
        names.extend(ds.ore_types.iter().map(|o| o.id.clone()));
    }
    let mut regressions = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if p.is_dir() {
            let mut files = Vec::new();
            for e in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                if let Ok(b) = std::fs::read(e.path()) {
                    files.push((e.file_name().to_string_lossy().into_owned(), b));
                }
            }
            regressions.push(Case {
                id: 0,
                label: format!("regression {name}/"),
                files,
                kind: Kind::Tables,
                largest_table: 0,
                largest_rows: 0,
                run: true,
            });
        } else if name.ends_with(".toml") {
            let mut files: Vec<(String, Vec<u8>)> = scenarios
                .iter()
                .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
                .collect();
            files.push((name.clone(), std::fs::read(&p).unwrap_or_default()));
            regressions.push(Case {
                id: 0,
                label: format!("regression {name}"),
                files,
                kind: Kind::Scenario(name),
                largest_table: 0,
                largest_rows: 0,
                run: true,
            });
        }
    }
    Corpus {
        scenarios,
        tables,
        names,
        regressions,
    }
}

fn make_case(c: &Corpus, id: u64, seed: u64, large: Option<usize>) -> Case {
    let mut rng = Rng::new(seed ^ id.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut files: Vec<(String, Vec<u8>)> = c
        .scenarios
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect();
    let mut largest = (0usize, 0usize);
    let mut note = |b: &[u8]| {
        let rows = b.iter().filter(|&&x| x == b'\n').count();
        if b.len() > largest.0 {
            largest = (b.len(), rows);
        }
    };
    if let Some(rows) = large {
        let (name, text) = c
            .tables
            .iter()
            .find(|(n, _)| n == "mines.csv")
            .expect("mines.csv");
        let b = mutate::table(&mut rng, name, text, Some(rows));
        note(&b);
        files.push(("mines.csv".into(), b));
        files.push((
            "large.toml".into(),
            b"name = \"large\"\n[tables]\nmines = \"mines.csv\"\n".to_vec(),
        ));
        return Case {
            id,
            label: format!("scenario large.toml with mines.csv of {rows} rows"),
            files,
            kind: Kind::Scenario("large.toml".into()),
            largest_table: largest.0,
            largest_rows: largest.1,
            run: false,
        };
    }
    match rng.below(3) {
        // A mutated shipped scenario.
        0 => {
            let (name, text) = rng.pick(&c.scenarios).clone();
            let m = mutate::scenario(&mut rng, &text, &c.names);
            let fname = format!("fuzz-{id}.toml");
            files.push((fname.clone(), m.into_bytes()));
            Case {
                id,
                label: format!("mutated {name}"),
                files,
                kind: Kind::Scenario(fname),
                largest_table: 0,
                largest_rows: 0,
                run: true,
            }
        }
        // A shipped scenario with a mutated table in [tables].
        1 => {
            let (name, text) = rng.pick(&c.scenarios).clone();
            let (tname, ttext) = rng.pick(&c.tables).clone();
            let big = rng
                .chance(0.05)
                .then(|| *rng.pick(&[500usize, 1_000, 2_000]));
            let t = mutate::table(&mut rng, &tname, &ttext, big);
            note(&t);
            let mut s = if rng.chance(0.5) {
                mutate::scenario(&mut rng, &text, &c.names)
            } else {
                text.clone()
            };
            if !s.contains("[tables]") {
                s.push_str(&format!(
                    "\n[tables]\n{} = \"t-{tname}\"\n",
                    tname.trim_end_matches(".csv")
                ));
            }
            files.push((format!("t-{tname}"), t));
            let fname = format!("fuzz-{id}.toml");
            files.push((fname.clone(), s.into_bytes()));
            Case {
                id,
                label: format!("{name} with mutated {tname}"),
                files,
                kind: Kind::Scenario(fname),
                largest_table: largest.0,
                largest_rows: largest.1,
                run: true,
            }
        }
        // A folder of one to three mutated tables.
        _ => {
            let mut tf = Vec::new();
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (tname, ttext) = rng.pick(&c.tables).clone();
                let t = mutate::table(&mut rng, &tname, &ttext, None);
                note(&t);
                what.push(tname.clone());
                tf.push((tname, t));
            }
            Case {
                id,
                label: format!("table folder with mutated {}", what.join(", ")),
                files: tf,
                kind: Kind::Tables,
                largest_table: largest.0,
                largest_rows: largest.1,
                run: true,
            }
        }
    }
}

/// Columns that hold text (the rest of every output table is numeric).
const TEXT: [&str; 10] = [
    "stage",
    "facility",
    "region",
    "element",
    "commodity",
    "end_use",
    "from",
    "to",
    "kind",
    "year",
];
/// Numeric columns that may be negative.
const SIGNED: [&str; 1] = ["import_reliance"];

/// Every number of a finished run's output folder: finite, non-negative
/// where it must be. Returns the first problem.
fn check_outputs(dir: &Path) -> Result<usize, String> {
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".csv") {
            let mut r = csv::Reader::from_path(&p).map_err(|e| format!("{name}: {e}"))?;
            let header: Vec<String> = r
                .headers()
                .map_err(|e| format!("{name}: {e}"))?
                .iter()
                .map(String::from)
                .collect();
            for (k, rec) in r.records().enumerate() {
                let rec = rec.map_err(|e| format!("{name}: {e}"))?;
                for (col, v) in header.iter().zip(rec.iter()) {
                    if TEXT.contains(&col.as_str()) {
                        continue;
                    }
                    let x: f64 = v
                        .parse()
                        .map_err(|_| format!("{name}:{}: {col} = {v:?} is not a number", k + 2))?;
                    if !x.is_finite() {
                        return Err(format!("{name}:{}: {col} = {v} is not finite", k + 2));
                    }
                    if x < -1e-9 && !SIGNED.contains(&col.as_str()) {
                        return Err(format!("{name}:{}: {col} = {v} is negative", k + 2));
                    }
                    checked += 1;
                }
            }
        } else if name == "summary.json" {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&p).map_err(|e| format!("{name}: {e}"))?)
                    .map_err(|e| format!("{name}: {e}"))?;
            fn walk(v: &serde_json::Value, path: &str) -> Result<(), String> {
                match v {
                    serde_json::Value::Number(n) if !n.as_f64().is_some_and(f64::is_finite) => {
                        Err(format!("summary.json: {path} = {n} is not finite"))
                    }
                    serde_json::Value::Array(a) => a
                        .iter()
                        .enumerate()
                        .try_for_each(|(i, x)| walk(x, &format!("{path}[{i}]"))),
                    serde_json::Value::Object(o) => o
                        .iter()
                        .try_for_each(|(k, x)| walk(x, &format!("{path}.{k}"))),
                    _ => Ok(()),
                }
            }
            walk(&v, "")?;
        }
    }
    Ok(checked)
}

/// The result of one case.
#[derive(Clone, Debug, Default)]
struct Outcome {
    validate: Exec,
    run: Option<Exec>,
    failure: Option<String>,
    numbers_checked: usize,
}

fn judge(step: &str, e: &Exec, a: &Args) -> Option<String> {
    if e.timed_out {
        return Some(format!(
            "{step}: no answer within {} s (a hang?)",
            a.case_seconds
        ));
    }
    if let Some(s) = e.signal {
        return Some(format!("{step}: killed by signal {s}\n{}", tail(&e.stderr)));
    }
    if e.stderr.contains("panicked") || e.stderr.contains("memory allocation of") {
        return Some(format!("{step}: panic or abort\n{}", tail(&e.stderr)));
    }
    match e.code {
        Some(0..=2) => {}
        other => {
            return Some(format!(
                "{step}: exit status {other:?}\n{}",
                tail(&e.stderr)
            ))
        }
    }
    if e.peak_rss_mb > a.memory_mb as f64 {
        return Some(format!(
            "{step}: {:.0} MB resident, over the {} MB limit",
            e.peak_rss_mb, a.memory_mb
        ));
    }
    None
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(12)..].join("\n")
}

fn run_case(case: &Case, a: &Args, work: &Path) -> Outcome {
    let dir = work.join(format!("case-{}", case.id));
    let _ = std::fs::remove_dir_all(&dir);
    let tables = dir.join("tables");
    let base = match case.kind {
        Kind::Scenario(_) => dir.clone(),
        Kind::Tables => tables.clone(),
    };
    if std::fs::create_dir_all(&base).is_err() {
        return Outcome {
            failure: Some("cannot create the case folder".into()),
            ..Outcome::default()
        };
    }
    for (n, b) in &case.files {
        let _ = std::fs::write(base.join(n), b);
    }
    let timeout = Duration::from_secs(a.case_seconds);
    let target = match &case.kind {
        Kind::Scenario(f) => f.clone(),
        Kind::Tables => "tables".into(),
    };
    let first: Vec<String> = match &case.kind {
        Kind::Scenario(f) => vec!["validate".into(), f.clone()],
        Kind::Tables => vec!["data".into(), "tables".into(), "--check".into()],
    };
    let mut o = Outcome {
        validate: exec(&a.bin, &first, &dir, timeout, a.memory_mb),
        ..Outcome::default()
    };
    o.failure = judge(&first.join(" "), &o.validate, a);
    if o.failure.is_none() && o.validate.code == Some(0) && case.run {
        let args: Vec<String> = ["run", &target, "--to", "2025", "-q", "-o", "out"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = exec(&a.bin, &args, &dir, timeout, a.memory_mb);
        o.failure = judge("run", &r, a);
        if o.failure.is_none() {
            match r.code {
                Some(0) => match check_outputs(&dir.join("out")) {
                    Ok(n) => o.numbers_checked = n,
                    Err(e) => o.failure = Some(format!("run: {e}")),
                },
                // Accepted by validate, refused or failed by run: the run
                // found something validate should have (or a model failure).
                Some(c) => {
                    o.failure = Some(format!(
                        "accepted by `{}` but `run` exited {c}\n{}",
                        first.join(" "),
                        tail(&r.stderr)
                    ))
                }
                None => {}
            }
        }
        o.run = Some(r);
    }
    if o.failure.is_some() {
        let keep = a.out.join("failures").join(format!("case-{}", case.id));
        let _ = std::fs::create_dir_all(&keep);
        let kb = match case.kind {
            Kind::Scenario(_) => keep.clone(),
            Kind::Tables => keep.join("tables"),
        };
        let _ = std::fs::create_dir_all(&kb);
        for (n, b) in &case.files {
            let _ = std::fs::write(kb.join(n), b);
        }
        let _ = std::fs::write(
            keep.join("repro.sh"),
            format!(
                "#!/bin/sh\n# {}\ncd \"$(dirname \"$0\")\"\noreflow {}\noreflow run {} --to 2025 -q -o out\n",
                case.label,
                first.join(" "),
                target
            ),
        );
        let _ = std::fs::write(
            keep.join("failure.txt"),
            o.failure.clone().unwrap_or_default(),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    o
}

#[derive(Default)]
struct Tally {
    cases: u64,
    rejected: u64,
    model_failures: u64,
    accepted_and_run: u64,
    numbers_checked: u64,
    failures: Vec<(u64, String, String)>,
    slowest: (f64, String),
    max_rss: (f64, String),
    /// (bytes, rows, label, validate s, run s, peak MB)
    largest: Option<(usize, usize, String, f64, f64, f64)>,
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("oreflow-fuzz: {e}");
            std::process::exit(2);
        }
    };
    let c = corpus();
    let work = a.out.join("work");
    let _ = std::fs::remove_dir_all(&a.out);
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("oreflow-fuzz: {}: {e}", work.display());
        std::process::exit(1);
    }
    eprintln!(
        "oreflow-fuzz: seed {} · {} s · {} jobs · {} s and {} MB per case · {} regression inputs, {} scenarios and {} tables in the corpus · {}",
        a.seed,
        a.seconds,
        a.jobs,
        a.case_seconds,
        a.memory_mb,
        c.regressions.len(),
        c.scenarios.len(),
        c.tables.len(),
        a.bin.display()
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let tally = Mutex::new(Tally::default());
    let n_reg = c.regressions.len() as u64;
    std::thread::scope(|s| {
        for _ in 0..a.jobs {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let k = next.fetch_add(1, Ordering::Relaxed);
                // Regression inputs always run; random cases until the deadline.
                if k >= n_reg && Instant::now() >= deadline {
                    break;
                }
                let case = if k < n_reg {
                    let mut r = c.regressions[k as usize].clone();
                    r.id = k;
                    r
                } else if k == n_reg {
                    make_case(&c, k, a.seed, Some(a.large_rows))
                } else {
                    make_case(&c, k, a.seed, None)
                };
                let o = run_case(&case, &a, &work);
                let mut t = tally.lock().expect("tally");
                t.cases += 1;
                let secs = o.validate.seconds + o.run.as_ref().map_or(0.0, |r| r.seconds);
                let rss = o
                    .validate
                    .peak_rss_mb
                    .max(o.run.as_ref().map_or(0.0, |r| r.peak_rss_mb));
                if secs > t.slowest.0 {
                    t.slowest = (secs, format!("#{} {}", case.id, case.label));
                }
                if rss > t.max_rss.0 {
                    t.max_rss = (rss, format!("#{} {}", case.id, case.label));
                }
                if case.largest_table > t.largest.as_ref().map_or(0, |l| l.0) {
                    t.largest = Some((
                        case.largest_table,
                        case.largest_rows,
                        format!("#{} {}", case.id, case.label),
                        o.validate.seconds,
                        o.run.as_ref().map_or(0.0, |r| r.seconds),
                        rss,
                    ));
                }
                match o.validate.code {
                    Some(2) => t.rejected += 1,
                    Some(1) => t.model_failures += 1,
                    _ => {}
                }
                if o.run.as_ref().is_some_and(|r| r.code == Some(0)) {
                    t.accepted_and_run += 1;
                }
                t.numbers_checked += o.numbers_checked as u64;
                if let Some(f) = o.failure {
                    eprintln!("FAIL case #{} ({}): {f}", case.id, case.label);
                    t.failures.push((case.id, case.label.clone(), f));
                }
                let done = t.cases;
                drop(t);
                if done % 100 == 0 {
                    eprintln!("  {done} cases, {:.0} s", started.elapsed().as_secs_f64());
                }
            });
        }
    });
    let t = tally.into_inner().expect("tally");
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "oreflow-fuzz: {} cases in {elapsed:.0} s (seed {}): {} refused as bad input (exit 2), {} model failures (exit 1), {} accepted and run to 2025 with {} output numbers checked; {} failures",
        t.cases,
        a.seed,
        t.rejected,
        t.model_failures,
        t.accepted_and_run,
        t.numbers_checked,
        t.failures.len()
    );
    println!("slowest case: {:.2} s, {}", t.slowest.0, t.slowest.1);
    println!(
        "largest peak memory: {:.0} MB resident (limit {} MB of address space), {}",
        t.max_rss.0, a.memory_mb, t.max_rss.1
    );
    if let Some((bytes, rows, label, v, r, m)) = &t.largest {
        println!(
            "largest table case: {label}: {:.1} MB, {rows} lines; validate {v:.2} s, run {r:.2} s, peak {m:.0} MB resident",
            *bytes as f64 / 1e6
        );
    }
    let summary = serde_json::json!({
        "seed": a.seed,
        "cases": t.cases,
        "seconds": elapsed,
        "refused": t.rejected,
        "model_failures": t.model_failures,
        "accepted_and_run": t.accepted_and_run,
        "numbers_checked": t.numbers_checked,
        "failures": t.failures.iter().map(|(id, l, f)| serde_json::json!({"case": id, "label": l, "failure": f})).collect::<Vec<_>>(),
        "slowest_seconds": t.slowest.0,
        "max_rss_mb": t.max_rss.0,
        "largest_table": t.largest.as_ref().map(|(b, rows, l, v, r, m)| serde_json::json!({"bytes": b, "lines": rows, "case": l, "validate_seconds": v, "run_seconds": r, "peak_rss_mb": m})),
    });
    let _ = std::fs::write(
        a.out.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap_or_default(),
    );
    let _ = std::fs::remove_dir_all(&work);
    if !t.failures.is_empty() {
        println!(
            "{} failing cases saved in {} (each with repro.sh)",
            t.failures.len(),
            a.out.join("failures").display()
        );
        std::process::exit(1);
    }
}
