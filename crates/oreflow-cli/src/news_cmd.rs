//! `oreflow news FILE… [--json] [--scenario OUT.toml] [--date YYYY-MM-DD]`:
//! figures and events of news articles, checked against the embedded
//! dataset, and a draft scenario (oreflow-news does the work).

use std::io::Read as _;
use std::path::PathBuf;

use oreflow_news::{Kind, Options, Reader, Section};

use crate::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct NewsArgs {
    /// Articles: plain text or HTML files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON: {"facts": [...], "events": [...], "scenario": "...", "documents": [...]}.
    #[arg(long)]
    json: bool,
    /// Write the draft scenario to this file (a new file, or one `oreflow news` wrote).
    #[arg(long, value_name = "OUT.toml")]
    scenario: Option<PathBuf>,
    /// The articles' date (YYYY-MM-DD) if the text gives none; relative dates ("last week") resolve against it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Also list the figures found in boilerplate (menus, sidebars, counters) and the dates.
    #[arg(long)]
    all: bool,
}

fn read_input(p: &std::path::Path) -> Result<Vec<u8>, Failure> {
    if p.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(oreflow_news::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Failure::input(format!("-: cannot read standard input: {e}")))?;
        return Ok(buf);
    }
    Ok(oreflow_io::read_bytes(p, oreflow_io::Limit::Article)?)
}

pub(crate) fn run(a: NewsArgs) -> Result<(), Failure> {
    let date = match &a.date {
        None => None,
        Some(d) => Some(
            oreflow_news::Date::parse(d)
                .filter(|x| x.day.is_some())
                .ok_or_else(|| {
                    Failure::input(format!("--date: expected a date YYYY-MM-DD, got `{d}`"))
                })?,
        ),
    };
    let reader = Reader::new().map_err(|e| Failure::model(e.to_string()))?;
    if let Some(out) = &a.scenario {
        let inputs: Vec<&std::path::Path> = a.files.iter().map(|p| p.as_path()).collect();
        oreflow_io::refuse_overlap(out, &inputs, "--scenario")?;
    }
    let mut reports = Vec::new();
    for f in &a.files {
        let bytes = read_input(f)?;
        let name = f.display().to_string();
        let rep = reader
            .read(&bytes, &Options { name, date })
            .map_err(|e| Failure::input(e.to_string()))?;
        reports.push(rep);
    }
    let draft = reader.draft_all(&reports);
    oreflow_news::validate_scenario(&draft).map_err(|e| {
        Failure::model(format!(
            "the draft scenario does not validate (a bug of oreflow news): {e}"
        ))
    })?;
    if a.json {
        let doc = oreflow_news::to_json(&reports, &draft);
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| Failure::model(e.to_string()))?
        );
    } else {
        for r in &reports {
            print_report(r, a.all);
        }
    }
    if let Some(out) = &a.scenario {
        crate::output::write_own_file(out, draft.as_bytes(), oreflow_news::draft::MARKER)?;
        if !a.json {
            println!(
                "draft scenario: {} (check it with `oreflow validate {}`)",
                out.display(),
                out.display()
            );
        }
    }
    Ok(())
}

fn cut(s: &str, n: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= n {
        one
    } else {
        format!("{}…", one.chars().take(n - 1).collect::<String>())
    }
}

fn print_report(r: &oreflow_news::Report, all: bool) {
    let shown: Vec<&oreflow_news::Fact> = r
        .facts
        .iter()
        .filter(|f| all || (f.section == Section::Article && f.kind != Kind::Date))
        .collect();
    let hidden = r
        .facts
        .iter()
        .filter(|f| f.section == Section::Boilerplate && f.kind != Kind::Date)
        .count();
    println!(
        "{}: dated {}, checked against the {} dataset — {} figure(s), {} event(s){}",
        r.file,
        r.date.as_deref().unwrap_or("(no date found; give --date)"),
        r.dataset,
        shown.len(),
        r.events
            .iter()
            .filter(|e| e.section == Section::Article)
            .count(),
        if hidden > 0 && !all {
            format!(" ({hidden} figure(s) in boilerplate not listed; --all lists them)")
        } else {
            String::new()
        }
    );
    println!(
        "  {:<9}  {:<34}  {:<16}  {:<26}  dataset",
        "status", "figure", "value", "subject"
    );
    for f in shown {
        let value = match (f.value, f.low, f.high) {
            (_, Some(l), Some(h)) => format!("{l}–{h} {}", f.unit_basis()),
            (Some(v), _, _) => format!("{} {}", (v * 1000.0).round() / 1000.0, f.unit_basis()),
            _ => f.unit_basis(),
        };
        let mut subject = f.subject.key.clone();
        if let Some(s) = &f.subject.stage {
            subject.push_str(&format!(" ({s})"));
        }
        let ds = match &f.dataset {
            Some(d) => format!(
                "{} [{} {}; {}; {}]",
                f.note, d.table, d.row, d.source, d.tolerance
            ),
            None => f.note.clone(),
        };
        let section = if f.section == Section::Boilerplate {
            " [boilerplate]"
        } else {
            ""
        };
        println!(
            "  {:<9}  {:<34}  {:<16}  {:<26}  {}{section}",
            f.status.as_str(),
            cut(&f.quote, 34),
            cut(&value, 16),
            cut(&subject, 26),
            ds
        );
    }
    for e in r
        .events
        .iter()
        .filter(|e| all || e.section == Section::Article)
    {
        println!(
            "  event {:<15} {:<12} {:<10}  \"{}\"",
            e.kind,
            e.parties.join(","),
            e.date.as_deref().unwrap_or(""),
            cut(&e.text, 90)
        );
    }
}
