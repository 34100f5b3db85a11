//! `oreflow ensemble` and `oreflow merge`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use oreflow_ensemble::{parse_good, Ensemble, EnsembleError, Inputs, Plan, Progress, Shard};

use crate::run_cmd::check_years;
use crate::{load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
pub(crate) struct EnsembleArgs {
    /// A scenario file with an `[uncertain]` part (see docs/ensembles.md).
    scenario: PathBuf,
    /// Number of runs in the whole ensemble (all shards together).
    #[arg(short = 'n', long = "runs", default_value_t = 1000)]
    runs: u64,
    /// Base seed: run i draws from streams keyed by (seed, i) only.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads [default: the machine's cores]
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Run only shard K of M of the run indices (e.g. 3/8); `oreflow merge`
    /// combines the shards' folders.
    #[arg(long)]
    shard: Option<String>,
    /// Output directory [default: out/<scenario>-ensemble, or
    /// out/<scenario>-ensemble/shard-K-of-M]
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Goods in the headline metrics: element symbols and `magnet`
    /// (`--goods Nd Dy` or `--goods Nd,Dy`).
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = oreflow_ensemble::DEFAULT_GOODS.map(String::from))]
    goods: Vec<String>,
    /// Shortfall shares of demand whose probability of being exceeded is
    /// reported (`--threshold 0.05 0.2` or `0.05,0.2`).
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = [0.05, 0.2])]
    threshold: Vec<f64>,
    /// Solve every LP from scratch with HiGHS (no warm start; for benchmarks).
    #[arg(long)]
    cold: bool,
    /// LP solver: `own` (oreflow's dual simplex, which keeps its state
    /// between a run's solves; HiGHS answers what it cannot finish) or
    /// `highs` (HiGHS alone, warm-started).
    #[arg(long, default_value = "own", value_parser = oreflow_ensemble::Solver::parse)]
    solver: oreflow_ensemble::Solver,
    #[command(flatten)]
    years: RunOverrides,
    /// No progress bar and no summary table.
    #[arg(long, short)]
    quiet: bool,
}

fn ensemble_failure(e: EnsembleError) -> Failure {
    match e {
        EnsembleError::Settings(_) | EnsembleError::Merge(_) => Failure::input(e.to_string()),
        EnsembleError::Central(oreflow_sim::SimError::Config(m)) => Failure::input(m),
        other => Failure::model(other.to_string()),
    }
}

pub(crate) fn run(a: EnsembleArgs) -> Result<(), Failure> {
    let overrides = a.years.clone();
    check_years(&overrides)?;
    if a.scenario.as_os_str() == "baseline" || a.scenario.is_dir() {
        return Err(Failure::input(format!(
            "{}: an ensemble needs a scenario file with an [uncertain] part (see docs/ensembles.md; scenarios/ensemble-*.toml are examples)",
            a.scenario.display()
        )));
    }
    let sc = load_scenario(Some(&a.scenario))?;
    if sc.uncertainty.is_empty() {
        return Err(Failure::input(format!(
            "{}: nothing is uncertain, so every run would be the same\n  hint: add [[uncertain.parameter]], [uncertain.projects] or [[uncertain.event]] (docs/ensembles.md)",
            a.scenario.display()
        )));
    }
    let mut goods = Vec::new();
    for g in &a.goods {
        goods.push(parse_good(g).ok_or_else(|| {
            Failure::input(format!(
                "--goods: `{g}` is neither an element symbol (Nd, Dy, …) nor `magnet` (give the scenario before --goods, or end the list with --)"
            ))
        })?);
    }
    let shard = match &a.shard {
        Some(s) => Shard::parse(s).map_err(|e| Failure::input(format!("--shard: {e}")))?,
        None => Shard::ALL,
    };
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut config = sc.config.clone();
    overrides.apply(&mut config);
    let out = a.out.clone().unwrap_or_else(|| {
        let slug = oreflow_io::slug(&sc.name).unwrap_or_else(|| "scenario".into());
        let base = PathBuf::from("out").join(format!("{slug}-ensemble"));
        if shard.count > 1 {
            base.join(format!("shard-{}-of-{}", shard.index, shard.count))
        } else {
            base
        }
    });
    let mut input_paths: Vec<&Path> = vec![a.scenario.as_path()];
    input_paths.extend(sc.files.iter().map(|p| p.as_path()));
    let folder = crate::output::begin(
        &out,
        "ensemble",
        oreflow_io::fingerprint(&(
            &sc.dataset,
            &sc.policies,
            &sc.uncertainty,
            &config,
            a.seed,
            a.runs,
            &a.shard,
            &a.goods,
            &a.threshold,
        )),
        &input_paths,
    )?;
    let inputs = Inputs {
        dataset: sc.dataset,
        config,
        policies: sc.policies,
    };
    let prepared = Instant::now();
    let ensemble =
        Ensemble::new(&sc.name, inputs, sc.uncertainty, &goods).map_err(ensemble_failure)?;
    let plan = Plan {
        runs: a.runs,
        seed: a.seed,
        shard,
        threads,
        thresholds: a.threshold.clone(),
        warm: !a.cold,
        solver: a.solver,
    };
    let range = shard.range(a.runs);
    let unc = ensemble.uncertainty();
    if !a.quiet {
        eprintln!(
            "oreflow {} · ensemble of {} · {} runs{} · seed {} · {} threads · {}–{} · {} uncertain parameters, {} project statuses at risk, {} events · {} metrics per year",
            env!("CARGO_PKG_VERSION"),
            sc.name,
            a.runs,
            if shard.count > 1 {
                format!(" (shard {}/{}: runs {}..{})", shard.index, shard.count, range.start, range.end)
            } else {
                String::new()
            },
            a.seed,
            threads,
            ensemble.years().0,
            ensemble.years().1,
            unc.parameters.len(),
            unc.projects.len(),
            unc.events.len(),
            ensemble.columns().len(),
        );
    }
    let mut bar = Bar::new(!a.quiet);
    let report = ensemble
        .run(&plan, folder.path(), &mut |p| bar.update(p))
        .map_err(ensemble_failure)?;
    bar.done();
    let out = folder.commit()?.path;
    let secs = report.elapsed.as_secs_f64();
    let per_lp = if report.lp.solves > 0 {
        report.lp.seconds / report.lp.solves as f64
    } else {
        0.0
    };
    println!(
        "{} runs in {:.1} s ({:.1} runs/s on {} threads; {:.2} s more to set up and summarise); {} LPs, {:.2} ms and {:.0} simplex iterations per LP ({})",
        report.runs,
        secs,
        report.runs as f64 / secs.max(1e-9),
        threads,
        prepared.elapsed().as_secs_f64() - secs,
        report.lp.solves,
        per_lp * 1e3,
        report.lp.iterations as f64 / report.lp.solves.max(1) as f64,
        match (a.cold, a.solver) {
            (true, _) => "HiGHS, solved from scratch".to_string(),
            (false, oreflow_ensemble::Solver::Highs) => "HiGHS, warm-started".to_string(),
            (false, oreflow_ensemble::Solver::Own) => format!(
                "oreflow's dual simplex, warm-started; {} by its HiGHS fallback",
                report.fallbacks
            ),
        },
    );
    if report.failed > 0 {
        eprintln!(
            "warning: {} of {} runs failed and are left out of the summary (see {}); first: run {}: {}",
            report.failed,
            report.runs,
            out.join("failures.csv").display(),
            report.failures[0].0,
            report.failures[0].1
        );
    }
    if shard.count == 1 && !a.quiet {
        print_headline(&out, &plan.thresholds)?;
    }
    println!(
        "wrote {} to {}",
        if shard.count == 1 {
            "runs.parquet, draws.parquet, summary.csv, shortfall_probability.csv, events.csv, summary.json, failures.csv, manifest.json"
        } else {
            "runs.parquet, draws.parquet, failures.csv, manifest.json (combine the shards with `oreflow merge`)"
        },
        out.display()
    );
    Ok(())
}

/// A progress bar on stderr: a redrawn line on a terminal, a line per 10 %
/// otherwise (logs, Slurm output files).
struct Bar {
    on: bool,
    tty: bool,
    last: Option<Instant>,
    last_tenth: u64,
}

impl Bar {
    fn new(on: bool) -> Bar {
        Bar {
            on,
            tty: std::io::stderr().is_terminal(),
            last: None,
            last_tenth: 0,
        }
    }

    fn update(&mut self, p: &Progress) {
        if !self.on {
            return;
        }
        let secs = p.elapsed.as_secs_f64().max(1e-9);
        let rate = p.done as f64 / secs;
        let eta = if rate > 0.0 {
            (p.total - p.done) as f64 / rate
        } else {
            0.0
        };
        let failed = if p.failed > 0 {
            format!(", {} failed", p.failed)
        } else {
            String::new()
        };
        if self.tty {
            let now = Instant::now();
            if p.done < p.total
                && self
                    .last
                    .is_some_and(|t| now - t < Duration::from_millis(100))
            {
                return;
            }
            self.last = Some(now);
            let width = 30;
            let filled = (width as u64 * p.done / p.total.max(1)) as usize;
            eprint!(
                "\r  [{}{}] {}/{} runs  {:.1} runs/s  ETA {}{failed}   ",
                "█".repeat(filled),
                "░".repeat(width - filled),
                p.done,
                p.total,
                rate,
                clock(eta)
            );
            let _ = std::io::stderr().flush();
        } else {
            let tenth = 10 * p.done / p.total.max(1);
            if tenth > self.last_tenth || p.done == p.total {
                self.last_tenth = tenth;
                eprintln!(
                    "  {}/{} runs ({}%), {:.1} runs/s, ETA {}{failed}",
                    p.done,
                    p.total,
                    100 * p.done / p.total.max(1),
                    rate,
                    clock(eta)
                );
            }
        }
    }

    fn done(&self) {
        if self.on && self.tty {
            eprintln!();
        }
    }
}

fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// A few lines of the summary: prices in China and world shortfall, first
/// and last year.
fn print_headline(out: &Path, thresholds: &[f64]) -> Result<(), Failure> {
    let path = out.join("summary.csv");
    let mut r = csv::Reader::from_path(&path)
        .map_err(|e| Failure::model(format!("{}: {e}", path.display())))?;
    let rows: Vec<csv::StringRecord> = r.records().filter_map(Result::ok).collect();
    let years: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let (Some(first), Some(last)) = (years.first().copied(), years.last().copied()) else {
        return Ok(());
    };
    let pick = |year: &str, metric: &str, region: &str| -> Vec<&csv::StringRecord> {
        rows.iter()
            .filter(|r| &r[0] == year && &r[1] == metric && &r[3] == region)
            .collect()
    };
    let f = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    println!("\nPrice in China, USD/kg (magnet: USD/kg of magnet): P5 / P50 / P95");
    for year in [first, last] {
        let cells: Vec<String> = pick(year, "price_usd_per_kg", "CN")
            .iter()
            .map(|r| {
                format!(
                    "{} {:.4} / {:.4} / {:.4}",
                    &r[2],
                    f(&r[9]),
                    f(&r[10]),
                    f(&r[11])
                )
            })
            .map(|s| shorten(&s))
            .collect();
        println!(" {year}  {}", cells.join("   "));
    }
    println!("\nWorld shortfall, % of demand: P50 / P95");
    for year in [first, last] {
        let cells: Vec<String> = pick(year, "shortfall_share", "world")
            .iter()
            .map(|r| {
                format!(
                    "{} {:.1} / {:.1}",
                    &r[2],
                    100.0 * f(&r[10]),
                    100.0 * f(&r[11])
                )
            })
            .collect();
        println!(" {year}  {}", cells.join("   "));
    }
    if let Some(t) = thresholds.first() {
        let path = out.join("shortfall_probability.csv");
        if let Ok(mut r) = csv::Reader::from_path(&path) {
            let rows: Vec<csv::StringRecord> = r.records().filter_map(Result::ok).collect();
            // Per good and region: the first year in which a shortfall above
            // the threshold happens in more than half of the runs.
            let mut first_likely: std::collections::BTreeMap<(String, String), (String, f64)> =
                Default::default();
            let mut at_last: std::collections::BTreeMap<(String, String), f64> = Default::default();
            for r in rows.iter().filter(|r| f(&r[3]) == *t && &r[2] != "world") {
                let key = (r[1].to_string(), r[2].to_string());
                let p = f(&r[5]);
                if p > 0.5 {
                    first_likely
                        .entry(key.clone())
                        .or_insert((r[0].to_string(), p));
                }
                if &r[0] == last {
                    at_last.insert(key, p);
                }
            }
            let mut list: Vec<_> = first_likely.into_iter().collect();
            list.sort_by(|a, b| a.1 .0.cmp(&b.1 .0).then(a.0.cmp(&b.0)));
            println!(
                "\nWhere a shortfall above {:.0}% of demand becomes likely (in more than half of the runs):",
                100.0 * t
            );
            if list.is_empty() {
                println!("  nowhere, in any year");
            }
            for ((good, region), (year, p)) in list.iter().take(8) {
                println!(
                    "  {good:>6} in {region:<3} from {year} ({:.0}% of runs; {last}: {:.0}%)",
                    100.0 * p,
                    100.0
                        * at_last
                            .get(&(good.clone(), region.clone()))
                            .copied()
                            .unwrap_or(0.0)
                );
            }
            if list.len() > 8 {
                println!(
                    "  … and {} more (shortfall_probability.csv)",
                    list.len() - 8
                );
            }
        }
    }
    println!();
    Ok(())
}

/// Numbers to 4 significant decimals without trailing noise.
fn shorten(s: &str) -> String {
    s.split(' ')
        .map(|w| match w.parse::<f64>() {
            Ok(x) if x.abs() >= 100.0 => format!("{x:.0}"),
            Ok(x) if x.abs() >= 10.0 => format!("{x:.1}"),
            Ok(x) => format!("{x:.2}"),
            Err(_) => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Args, Debug)]
pub(crate) struct MergeArgs {
    /// Output folders of the shards 1/M … M/M of one ensemble.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder for the merged tables and the summary.
    #[arg(long, short, required = true)]
    out: PathBuf,
}

pub(crate) fn merge(a: MergeArgs) -> Result<(), Failure> {
    // The shards must be complete, unchanged ensemble folders, and the
    // output none of them.
    let inputs: Vec<&Path> = a.shards.iter().map(|p| p.as_path()).collect();
    oreflow_io::refuse_overlap(&a.out, &inputs, "-o")?;
    let mut shards = Vec::new();
    for d in &a.shards {
        let f = oreflow_io::OutputFolder::open(d, &["ensemble"])?;
        f.check_all()?;
        shards.push(f);
    }
    let fingerprint = oreflow_io::fingerprint(
        &shards
            .iter()
            .map(|f| &f.manifest.inputs_fingerprint)
            .collect::<Vec<_>>(),
    );
    let folder = crate::output::begin(&a.out, "merge", fingerprint, &inputs)?;
    // Every merge problem is about the folders given: bad input.
    let r = oreflow_ensemble::merge(&a.shards, folder.path())
        .map_err(|e| Failure::input(e.to_string()))?;
    // Read by path: the shards must not have changed while being read.
    for f in &shards {
        f.check_all()?;
    }
    folder.commit()?;
    println!(
        "merged {} shards: {} runs ({} failed) → {}",
        r.shards,
        r.runs,
        r.failed,
        a.out.display()
    );
    Ok(())
}
