//! Drafts a scenario (oreflow-scenario's TOML format, docs/scenarios.md)
//! from a document's facts and events. Each lever is commented with the
//! sentence it comes from; what the article does not say is marked
//! `ASSUMPTION`.

use std::fmt::Write as _;

use oreflow_core::Dataset;

use crate::model::{Event, Fact, Kind, Section, Status};

/// The first line of every draft: `oreflow news --scenario` overwrites only
/// files that start with it.
pub const MARKER: &str = "# Draft scenario written by `oreflow news`";

/// Levers of one kind in a draft, at most.
pub const MAX_PER_KIND: usize = 20;

fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_comment(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = one.chars().take(300).collect();
    let ell = if one.chars().count() > 300 { "…" } else { "" };
    format!("# From the article: \"{short}{ell}\"\n")
}

/// Elements the model knows (scandium is not one).
fn model_elements(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in list {
        let parts: Vec<&str> = if e == "NdPr" {
            vec!["Nd", "Pr"]
        } else {
            vec![e.as_str()]
        };
        for p in parts {
            if p.parse::<oreflow_core::Element>().is_ok() && !out.iter().any(|x| x == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// The draft scenario text.
pub fn draft(
    label: &str,
    facts: &[Fact],
    events: &[Event],
    ds: &Dataset,
    base: &str,
    article_year: Option<i32>,
) -> String {
    let ref_year = ds.reference_year;
    let first_year = |y: Option<i32>| -> (i32, bool) {
        match y {
            Some(y) if y >= ref_year => (y.min(2050), false),
            _ => (ref_year, true),
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER} from {label}.");
    let _ = writeln!(
        out,
        "# Every lever quotes the sentence it comes from; ASSUMPTION marks what the\n\
         # article does not say (shares, fees, cost factors, stages, years). Check\n\
         # each lever before you rely on it: this is a draft, not an analysis."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "name = {}", q("news-draft"));
    let _ = writeln!(
        out,
        "description = {}",
        q(&format!(
            "Levers drafted by `oreflow news` from {label}; review before use."
        ))
    );
    let _ = writeln!(out, "base = {}", q(base));
    let mut levers = 0;
    let article_facts: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.section == Section::Article)
        .collect();
    // At most MAX_PER_KIND events of each kind make levers (a draft stays readable
    // and the work stays linear on pathological input).
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let article_events: Vec<&Event> = events
        .iter()
        .filter(|e| e.section == Section::Article)
        .filter(|e| {
            let n = seen.entry(e.kind.as_str()).or_insert(0);
            *n += 1;
            *n <= MAX_PER_KIND
        })
        .collect();
    let mut by_sentence: std::collections::HashMap<usize, Vec<&Fact>> =
        std::collections::HashMap::new();
    for f in &article_facts {
        by_sentence.entry(f.start).or_default().push(f);
    }
    let in_sentence = |start: usize| by_sentence.get(&start).cloned().unwrap_or_default();

    // Projects: facility capacities that differ from the dataset.
    let mut done: Vec<String> = Vec::new();
    for f in &article_facts {
        if done.len() >= MAX_PER_KIND {
            break;
        }
        let Some(fid) = f.subject.facility.as_deref() else {
            continue;
        };
        if f.kind != Kind::Quantity
            || f.status != Status::Conflicts
            || done.iter().any(|d| d == fid)
        {
            continue;
        }
        let Some(row) = &f.dataset else { continue };
        let basis = f.basis.as_deref();
        let key = match (row.unit.as_str(), basis) {
            ("t REO", None | Some("reo")) => "capacity_t_reo",
            ("t magnet", None | Some("magnet")) => "capacity_t_magnet",
            _ => continue, // a different basis: not a capacity to set
        };
        if f.note.contains("ore vs oxide") {
            continue;
        }
        let value = f.value.unwrap_or(0.0);
        if !(value > 0.0 && value < 1e6) {
            continue;
        }
        done.push(fid.to_string());
        levers += 1;
        let _ = writeln!(out);
        out.push_str(&quote_comment(&f.text));
        let _ = writeln!(
            out,
            "# ASSUMPTION: the article's figure replaces the dataset's ({}: {} {}).",
            row.row, row.value, row.unit
        );
        let _ = writeln!(out, "[[project]]");
        let _ = writeln!(out, "id = {}", q(fid));
        let _ = writeln!(out, "{key} = {}", value.round());
        if f.cues.start {
            if let Some(y) = f.year.filter(|y| *y >= ref_year && *y <= 2050) {
                let _ = writeln!(out, "start_year = {y}");
            }
        }
        let _ = writeln!(out, "source = {}", q(&format!("{label}: \"{}\"", f.quote)));
    }

    // Export controls.
    let mut controls: Vec<(String, String)> = Vec::new();
    for e in &article_events {
        let kind = match e.kind.as_str() {
            "ban" if e.trade => "ban",
            "licence" if e.trade => "licence",
            "export_quota" => "quota",
            _ => continue,
        };
        let origin = if e.parties.iter().any(|p| p == "CN") {
            "CN".to_string()
        } else if let Some(p) = e.parties.first() {
            p.clone()
        } else {
            continue;
        };
        let quota_t = in_sentence(e.start)
            .iter()
            .find(|f| f.kind == Kind::Quantity && f.start == e.start && f.unit == "t")
            .and_then(|f| f.value);
        let kind = if kind == "quota" && quota_t.is_none() {
            "licence"
        } else {
            kind
        };
        if controls.iter().any(|(o, k)| *o == origin && *k == kind) {
            continue;
        }
        controls.push((origin.clone(), kind.to_string()));
        levers += 1;
        let (from, assumed_year) = first_year(e.year);
        let elements = model_elements(&e.elements);
        let magnets = e.text.to_lowercase().contains("magnet");
        let _ = writeln!(out);
        out.push_str(&quote_comment(&e.text));
        let _ = writeln!(out, "[[export_control]]");
        let _ = writeln!(
            out,
            "label = {}",
            q(&format!("{origin} export {kind} (from the article)"))
        );
        let _ = writeln!(out, "origin = {}", q(&origin));
        let _ = writeln!(
            out,
            "destinations = [\"*\"]   # ASSUMPTION: every other region"
        );
        let stages = if magnets {
            "[\"oxide\", \"magnet\"]"
        } else {
            "[\"oxide\"]"
        };
        let _ = writeln!(out, "stages = {stages}   # ASSUMPTION: the goods covered");
        if !elements.is_empty() {
            let _ = writeln!(out, "elements = {}", list(&elements));
            if e.elements.iter().any(|x| x == "Sc") {
                let _ = writeln!(
                    out,
                    "# scandium is named in the article but is not an element of the model"
                );
            }
        }
        let _ = writeln!(out, "kind = {}", q(kind));
        let _ = writeln!(
            out,
            "from = {from}{}",
            if assumed_year {
                format!("   # ASSUMPTION: the article's year is before the dataset's reference year {ref_year}")
            } else {
                String::new()
            }
        );
        match kind {
            "licence" => {
                let _ = writeln!(
                    out,
                    "share = 0.5   # ASSUMPTION: half of the flows before the control pass"
                );
            }
            "quota" => {
                let _ = writeln!(out, "quota_t = {}", quota_t.unwrap_or(0.0).round());
                let _ = writeln!(
                    out,
                    "pooled = true   # one tonnage over all elements (as China's 2010-14 quota)"
                );
            }
            _ => {}
        }
        let _ = writeln!(out, "source = {}", q(&format!("{label}: {}", e.text)));
    }

    // Tariffs.
    for e in &article_events {
        if e.kind != "tariff" || e.parties.len() < 2 {
            continue;
        }
        let rate = in_sentence(e.start)
            .iter()
            .find(|f| {
                f.start == e.start
                    && f.unit == "%"
                    && f.value.is_some_and(|v| v > 0.0 && v <= 500.0)
            })
            .and_then(|f| f.value);
        let Some(rate) = rate else { continue };
        levers += 1;
        let (from, assumed_year) = first_year(e.year);
        let _ = writeln!(out);
        out.push_str(&quote_comment(&e.text));
        let _ = writeln!(out, "[[tariff]]");
        let _ = writeln!(
            out,
            "importer = {}   # the first region named",
            q(&e.parties[0])
        );
        let _ = writeln!(out, "origins = {}", list(&e.parties[1..2]));
        let _ = writeln!(
            out,
            "stages = [\"concentrate\", \"oxide\", \"magnet\"]   # ASSUMPTION: all goods"
        );
        let _ = writeln!(out, "rate = {}", rate / 100.0);
        let _ = writeln!(
            out,
            "from = {from}{}",
            if assumed_year {
                "   # ASSUMPTION: not before the dataset's reference year"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "source = {}", q(&format!("{label}: {}", e.text)));
    }

    // Agreements.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for e in &article_events {
        if !(e.kind == "mou" || e.kind == "agreement") || e.parties.len() < 2 {
            continue;
        }
        let (a, b) = (e.parties[0].clone(), e.parties[1].clone());
        if pairs
            .iter()
            .any(|(x, y)| (*x == a && *y == b) || (*x == b && *y == a))
        {
            continue;
        }
        pairs.push((a.clone(), b.clone()));
        levers += 1;
        let from = e
            .year
            .map(|y| y + 1)
            .unwrap_or(ref_year)
            .clamp(ref_year, 2050);
        let _ = writeln!(out);
        out.push_str(&quote_comment(&e.text));
        let _ = writeln!(out, "[[agreement]]");
        let _ = writeln!(out, "kind = \"preferential_link\"");
        let _ = writeln!(out, "regions = {}", list(&[a, b]));
        let _ = writeln!(
            out,
            "stages = [\"concentrate\", \"oxide\"]   # ASSUMPTION: what the cooperation covers"
        );
        let _ = writeln!(
            out,
            "cost_factor = 0.8   # ASSUMPTION: the terms are not in the article"
        );
        let _ = writeln!(
            out,
            "from = {from}   # ASSUMPTION: the first full year after the signing"
        );
        let _ = writeln!(out, "source = {}", q(&format!("{label}: {}", e.text)));
    }

    // Stockpiles.
    for e in &article_events {
        if e.kind != "stockpile" {
            continue;
        }
        let Some(region) = e.parties.first() else {
            continue;
        };
        let Some(size) = in_sentence(e.start)
            .iter()
            .find(|f| f.start == e.start && f.kind == Kind::Quantity)
            .and_then(|f| f.value)
        else {
            continue;
        };
        let elements = model_elements(&e.elements);
        let Some(el) = elements.first() else { continue };
        let Ok(element) = el.parse::<oreflow_core::Element>() else {
            continue;
        };
        let Some(price) = ds.reference_price(element) else {
            continue;
        };
        levers += 1;
        let _ = writeln!(out);
        out.push_str(&quote_comment(&e.text));
        let _ = writeln!(out, "[[stockpile]]");
        let _ = writeln!(out, "region = {}", q(region));
        let _ = writeln!(
            out,
            "element = {}   # ASSUMPTION: the element the article names",
            q(el)
        );
        let _ = writeln!(
            out,
            "size_t = {}   # ASSUMPTION: all of it as this element",
            size.round()
        );
        let _ = writeln!(
            out,
            "release_above_usd_per_kg = {}   # ASSUMPTION: twice the {ref_year} reference price",
            (price.0 * 2.0).round()
        );
        let _ = writeln!(out, "source = {}", q(&format!("{label}: {}", e.text)));
    }

    // Demand path: a multiple of demand by a year.
    if let Some(f) = article_facts
        .iter()
        .find(|f| f.kind == Kind::Multiple && f.cues.demand && f.year.is_some_and(|y| y >= 2030))
    {
        let year = f.year.unwrap_or(2040);
        let target = f.value.unwrap_or(1.0);
        let ev = ds.end_use("ev_motors");
        let best = ds
            .growth_paths
            .iter()
            .filter_map(|p| ev.map(|u| (p.name.clone(), p.index(u, year))))
            .min_by(|a, b| {
                (a.1 - target)
                    .abs()
                    .partial_cmp(&(b.1 - target).abs())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        if let Some((path, index)) = best {
            levers += 1;
            let _ = writeln!(out);
            out.push_str(&quote_comment(&f.text));
            let _ = writeln!(
                out,
                "# ASSUMPTION: the shipped growth path whose EV-motor index in {year} ({index:.2}) is\n\
                 # closest to the article's {target}x; the article's multiple may cover more\n\
                 # than rare earths."
            );
            let _ = writeln!(out, "[demand]");
            let _ = writeln!(out, "path = {}", q(&path));
        }
    }
    if levers == 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# The article implies no lever the scenario format can express."
        );
    }
    let _ = article_year;
    out
}
