//! `oreflow report [SCENARIO | --from OUT_DIR] [--compare OTHER]`: a
//! self-contained HTML report, from a fresh run or from a finished run's CSV
//! outputs.

use std::path::{Path, PathBuf};

use clap::Args;
use oreflow_lp::HighsBackend;
use oreflow_report::{Options, RunTables, SourceRef};
use oreflow_sim::run as run_model;

use crate::output::{default_dir, ours, write_own_file};
use crate::run_cmd::check_years;
use crate::{build_model, load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// `baseline` (the default), a scenario file (.toml) or a directory of tables.
    scenario: Option<PathBuf>,
    /// A second scenario drawn dashed over the first (B; the report's scenario
    /// is A): a scenario, or the output directory of a finished run.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// The HTML file [default: out/<scenario>/report.html]; the numbers
    /// behind every chart are written next to it, named after it
    /// (x.html → x.json).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write every chart as a standalone SVG file into this directory.
    #[arg(long)]
    figures: Option<PathBuf>,
    /// OUT_DIR: build the report from the CSV outputs of a finished `oreflow
    /// run` (production.csv, …, summary.json) instead of running. A number is
    /// the first year instead, as in `oreflow run` (write `./2030` for a
    /// directory named like a year).
    #[arg(long, value_name = "OUT_DIR|YEAR")]
    from: Option<String>,
    /// Last year (overrides both scenarios).
    #[arg(long)]
    to: Option<i32>,
    /// Year of a Sankey diagram (repeatable) [default: the first and last year].
    #[arg(long, value_name = "YEAR")]
    sankey_year: Vec<i32>,
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::model(format!("cannot create {}: {e}", dir.display())))
}

/// Is `p` an output folder of oreflow (or of an older oreflow, which has no
/// manifest but the files of one)?
fn is_output_folder(p: &Path) -> bool {
    oreflow_io::OutputFolder::is_output(p)
        || p.join("manifest.json").is_file()
        || (p.join("summary.json").is_file() && p.join("prices.csv").is_file())
}

/// The finished output folder `dir` of one of `commands`: complete,
/// unchanged, and not a half-written or mixed folder.
fn open_output(dir: &Path, commands: &[&str]) -> Result<oreflow_io::OutputFolder, Failure> {
    Ok(oreflow_io::OutputFolder::open(dir, commands)?)
}

/// The first problem met while reading a folder's files.
type Problem = std::rc::Rc<std::cell::RefCell<Option<String>>>;

/// A reader of the folder's files for the report's table readers: files
/// checked against the manifest; the first problem kept for the message.
fn reader(folder: &oreflow_io::OutputFolder) -> (impl Fn(&str) -> Option<String> + '_, Problem) {
    let problem = std::rc::Rc::new(std::cell::RefCell::new(None::<String>));
    let p = problem.clone();
    let read = move |f: &str| match folder.read_text(f, oreflow_io::Limit::Output) {
        Ok(t) => Some(t),
        Err(e) => {
            if folder.entry(f).is_some() {
                p.borrow_mut().get_or_insert(e.to_string());
            }
            None
        }
    };
    (read, problem)
}

fn embedded_sources() -> Vec<SourceRef> {
    oreflow_data::embedded()
        .map(|ds| {
            ds.sources
                .iter()
                .map(|s| SourceRef {
                    id: s.id.clone(),
                    publication: s.publication.clone(),
                    url: s.url.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The tables of a finished run, read from its output directory (checked
/// against its manifest, then validated like dataset tables). Sources are
/// not among the outputs: those of the embedded dataset are listed.
fn read_run_output(dir: &Path) -> Result<RunTables, Failure> {
    let folder = open_output(dir, &["run"])?;
    let (read, problem) = reader(&folder);
    let t = RunTables::from_csv(read);
    let mut t = t.map_err(|e| {
        Failure::input(match problem.borrow().clone() {
            Some(p) => p,
            None => format!("{}: {e}", dir.display()),
        })
    })?;
    t.sources = embedded_sources();
    Ok(t)
}

fn run_scenario(arg: Option<&PathBuf>, o: &RunOverrides) -> Result<RunTables, Failure> {
    let (name, model) = build_model(load_scenario(arg)?, o)?;
    let result = run_model(&model, &HighsBackend::default(), |_| {})
        .map_err(|e| Failure::model(format!("{name}: {e}")))?;
    Ok(RunTables::from_run(&name, &model, &result))
}

pub(crate) fn run(a: ReportArgs) -> Result<(), Failure> {
    let (from_year, from_dir) = match &a.from {
        Some(s) if s.trim().parse::<i32>().is_ok() => (s.trim().parse::<i32>().ok(), None),
        Some(s) => (None, Some(PathBuf::from(s))),
        None => (None, None),
    };
    if let Some(dir) = &from_dir {
        let m = open_output(dir, &["run", "ensemble", "merge"])?;
        if m.manifest.writer.command != "run" {
            return ensemble_report(&a, dir);
        }
    }
    let ta = match &from_dir {
        Some(dir) => {
            if a.scenario.is_some() || a.to.is_some() {
                return Err(Failure::input(
                    "--from OUT_DIR reads a finished run: give no SCENARIO and no --to".to_string(),
                ));
            }
            read_run_output(dir)?
        }
        None => {
            let o = RunOverrides {
                from: from_year,
                to: a.to,
                growth: None,
            };
            check_years(&o)?;
            run_scenario(a.scenario.as_ref(), &o)?
        }
    };
    let tb = match &a.compare {
        Some(p) if is_output_folder(p) => {
            let b = read_run_output(p)?;
            if b.years != ta.years {
                return Err(Failure::input(format!(
                    "--compare {}: covers {}–{}, but the report's run covers {}–{}; compare runs over the same years (run B again with --from {} --to {}, or give its scenario)",
                    p.display(),
                    b.years.first().unwrap_or(&0),
                    b.years.last().unwrap_or(&0),
                    ta.years.first().unwrap_or(&0),
                    ta.years.last().unwrap_or(&0),
                    ta.years.first().unwrap_or(&0),
                    ta.years.last().unwrap_or(&0),
                )));
            }
            Some(b)
        }
        Some(p) => {
            // Run B over A's years.
            let o = RunOverrides {
                from: ta.years.first().copied(),
                to: ta.years.last().copied(),
                growth: None,
            };
            Some(run_scenario(Some(p), &o)?)
        }
        None => None,
    };
    for y in &a.sankey_year {
        if !ta.years.contains(y) {
            return Err(Failure::input(format!(
                "--sankey-year {y}: not a year of the run ({}–{})",
                ta.years.first().unwrap_or(&0),
                ta.years.last().unwrap_or(&0)
            )));
        }
    }
    let report = oreflow_report::render_tables(
        &ta,
        tb.as_ref(),
        &Options {
            sankey_years: a.sankey_year.clone(),
        },
    );
    let html = a
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&ta.scenario, "report").join("report.html"));
    write_report(&a, &html, &report)
}

/// The report of an ensemble folder (`oreflow ensemble` or `oreflow merge`):
/// fan charts, shortfall probabilities, events; a run overlaid with `--compare`.
fn ensemble_report(a: &ReportArgs, dir: &Path) -> Result<(), Failure> {
    if a.scenario.is_some() || a.to.is_some() || !a.sankey_year.is_empty() {
        return Err(Failure::input(
            "--from ENSEMBLE_DIR reads a finished ensemble: give no SCENARIO, --to or --sankey-year".to_string(),
        ));
    }
    let folder = open_output(dir, &["ensemble", "merge"])?;
    if folder.entry("summary.csv").is_none() {
        return Err(Failure::input(format!(
            "{}: an ensemble shard has no summary; merge the shards first (`oreflow merge SHARD_DIR… -o OUT`)",
            dir.display()
        )));
    }
    let (read, problem) = reader(&folder);
    let e = oreflow_report::EnsembleTables::from_csv(read);
    let mut e = e.map_err(|m| {
        Failure::input(match problem.borrow().clone() {
            Some(p) => p,
            None => format!("{}: {m}", dir.display()),
        })
    })?;
    e.sources = embedded_sources();
    let tb = match &a.compare {
        Some(p) if open_output(p, &["ensemble", "merge"]).is_ok() => {
            return Err(Failure::input(format!(
                "--compare {}: comparing two ensembles is not supported; compare with a run (a scenario or a run's output folder)",
                p.display()
            )))
        }
        Some(p) if is_output_folder(p) => Some(read_run_output(p)?),
        Some(p) => {
            let o = RunOverrides {
                from: e.years.first().copied(),
                to: e.years.last().copied(),
                growth: None,
            };
            Some(run_scenario(Some(p), &o)?)
        }
        None => None,
    };
    let report = oreflow_report::render_ensemble(&e, tb.as_ref());
    let html = a.out.clone().unwrap_or_else(|| dir.join("report.html"));
    write_report(a, &html, &report)
}

/// Marks of oreflow's own report files: a report replaces only files that
/// carry them (its own earlier output), never a file it did not write.
const HTML_MARK: &str = "<meta name=\"generator\" content=\"oreflow\">";
const JSON_MARK: &str = "\"oreflow_version\"";
const SVG_MARK: &str = "<!-- written by oreflow -->";

/// `x.html` → `x.json`.
fn json_path(html: &Path) -> Result<PathBuf, Failure> {
    let json = html.with_extension("json");
    if json == html {
        return Err(Failure::input(format!(
            "-o {}: the report is an HTML file (e.g. report.html); its numbers go into the .json file named after it",
            html.display()
        )));
    }
    Ok(json)
}

fn write_report(
    a: &ReportArgs,
    html: &Path,
    report: &oreflow_report::Report,
) -> Result<(), Failure> {
    let dir = match html.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let json = json_path(html)?;
    // Inputs of this report are not overwritten.
    let mut inputs: Vec<&Path> = Vec::new();
    if let Some(f) = &a.from {
        inputs.push(Path::new(f));
    }
    if let Some(c) = &a.compare {
        inputs.push(c);
    }
    if let Some(s) = &a.scenario {
        inputs.push(s);
    }
    for p in [html, json.as_path()] {
        oreflow_io::refuse_overlap(p, &inputs, "-o")?;
    }
    create_dir(&dir)?;
    // Two reports writing the same file exclude each other.
    let _lock = oreflow_io::Lock::acquire(html)?;
    let text = serde_json::to_string_pretty(&report.payload)
        .map_err(|e| Failure::model(format!("cannot encode {}: {e}", json.display())))?
        + "\n";
    // Every file is checked before any is written: a refused report leaves
    // nothing behind.
    let mut files: Vec<(PathBuf, &[u8], &str)> = vec![
        (json.clone(), text.as_bytes(), JSON_MARK),
        (html.to_path_buf(), report.html.as_bytes(), HTML_MARK),
    ];
    if let Some(fig) = &a.figures {
        for (file, svg) in &report.figures {
            files.push((fig.join(file), svg.as_bytes(), SVG_MARK));
        }
    }
    for (p, _, mark) in &files {
        if !ours(p, mark)? {
            return Err(Failure::input(format!(
                "{}: exists and was not written by oreflow; refusing to overwrite it (choose another -o or --figures)",
                p.display()
            )));
        }
    }
    if let Some(fig) = &a.figures {
        create_dir(fig)?;
    }
    for (p, bytes, mark) in &files {
        write_own_file(p, bytes, mark)?;
    }
    let mut wrote = format!(
        "wrote {} ({} kB) and {}",
        html.display(),
        report.html.len().div_ceil(1024),
        json.display()
    );
    if let Some(fig) = &a.figures {
        wrote.push_str(&format!(
            "; {} SVG figures to {}",
            report.figures.len(),
            fig.display()
        ));
    }
    println!("{wrote}");
    Ok(())
}
