#![allow(clippy::print_stdout)] // the test prints its per-text table
//! Acceptance on the labelled corpus (tests/corpus/): per text and overall
//! precision and recall of the figures (value, unit with basis, subject),
//! every labelled conflict found, no boilerplate item reported as an article
//! fact, the labelled events found, the article date found, and every draft
//! scenario valid. The labels were written by hand before the extractor
//! (see the git history of tests/corpus/).

use std::path::Path;

use oreflow_news::{Kind, Options, Reader, Section, Status};

#[derive(serde::Deserialize)]
struct Label {
    date: String,
    #[serde(default)]
    fact: Vec<LFact>,
    #[serde(default)]
    event: Vec<LEvent>,
    #[serde(default)]
    boilerplate: Vec<LBoiler>,
}

#[derive(serde::Deserialize)]
struct LFact {
    quote: String,
    value: f64,
    unit: String,
    subject: String,
    status: String,
}

#[derive(serde::Deserialize)]
struct LEvent {
    kind: String,
    parties: Vec<String>,
    #[serde(default)]
    date: Option<String>,
}

#[derive(serde::Deserialize)]
struct LBoiler {
    quote: String,
}

fn norm(s: &str) -> String {
    s.replace(['’', '‘'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= (0.005 * b.abs()).max(0.01)
}

#[test]
fn corpus_precision_recall_conflicts_boilerplate() {
    let reader = Reader::new().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") || n.ends_with(".html"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "the corpus has {} texts", names.len());
    let (mut tp_all, mut pred_all, mut lab_all) = (0usize, 0usize, 0usize);
    let (mut status_ok, mut status_n) = (0usize, 0usize);
    let mut problems: Vec<String> = Vec::new();
    println!(
        "{:<34} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "text", "label", "found", "right", "precision", "recall"
    );
    for name in &names {
        let stem = name.rsplit_once('.').unwrap().0;
        let label: Label =
            toml::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.toml"))).unwrap())
                .unwrap();
        let input = std::fs::read(dir.join(name)).unwrap();
        let rep = reader
            .read(
                &input,
                &Options {
                    name: name.clone(),
                    date: None,
                },
            )
            .unwrap();
        if rep.date.as_deref() != Some(label.date.as_str()) {
            problems.push(format!(
                "{name}: date found {:?}, labelled {}",
                rep.date, label.date
            ));
        }
        let pred: Vec<&oreflow_news::Fact> = rep
            .facts
            .iter()
            .filter(|f| f.section == Section::Article && f.kind != Kind::Date)
            .collect();
        let mut used = vec![false; pred.len()];
        let mut tp = 0;
        for l in &label.fact {
            let quote = norm(&l.quote);
            let hit = pred.iter().enumerate().position(|(i, f)| {
                !used[i]
                    && norm(&f.text).contains(&quote)
                    && f.value.is_some_and(|v| same_value(v, l.value))
                    && f.unit_basis() == l.unit
                    && f.subject.key == l.subject
            });
            match hit {
                Some(i) => {
                    used[i] = true;
                    tp += 1;
                    status_n += 1;
                    if pred[i].status.as_str() == l.status {
                        status_ok += 1;
                    } else {
                        problems.push(format!(
                            "{name}: \"{}\" status {} (labelled {}): {}",
                            l.quote,
                            pred[i].status.as_str(),
                            l.status,
                            pred[i].note
                        ));
                    }
                }
                None => {
                    let near: Vec<String> = pred
                        .iter()
                        .filter(|f| norm(&f.text).contains(&quote))
                        .map(|f| {
                            format!(
                                "{} {} {}",
                                f.value.unwrap_or(f64::NAN),
                                f.unit_basis(),
                                f.subject.key
                            )
                        })
                        .collect();
                    problems.push(format!(
                        "{name}: missed \"{}\" = {} {} {} (in that sentence: {near:?})",
                        l.quote, l.value, l.unit, l.subject
                    ));
                }
            }
            if l.status == "conflicts" {
                let found = pred.iter().any(|f| {
                    norm(&f.text).contains(&quote)
                        && f.value.is_some_and(|v| same_value(v, l.value))
                        && f.status == Status::Conflicts
                });
                if !found {
                    problems.push(format!(
                        "{name}: labelled conflict not found: \"{}\"",
                        l.quote
                    ));
                }
            }
        }
        for (i, f) in pred.iter().enumerate() {
            if !used[i] {
                problems.push(format!(
                    "{name}: extra {} {} {} \"{}\" in \"{}\"",
                    f.value.unwrap_or(f64::NAN),
                    f.unit_basis(),
                    f.subject.key,
                    f.quote,
                    f.text
                ));
            }
        }
        for b in &label.boilerplate {
            let q = norm(&b.quote);
            if pred.iter().any(|f| norm(&f.text).contains(&q)) {
                problems.push(format!(
                    "{name}: boilerplate \"{}\" reported as an article fact",
                    b.quote
                ));
            }
            // A guard against a mistyped label: the item is in the page.
            if !norm(&String::from_utf8_lossy(&input)).contains(&q) {
                problems.push(format!(
                    "{name}: boilerplate \"{}\" is not in the page",
                    b.quote
                ));
            }
        }
        for e in &label.event {
            let found = rep.events.iter().any(|x| {
                x.section == Section::Article
                    && x.kind == e.kind
                    && e.parties.iter().all(|p| x.parties.contains(p))
                    && e.date.as_ref().is_none_or(|d| x.date.as_ref() == Some(d))
            });
            if !found {
                problems.push(format!(
                    "{name}: event {} {:?} not found",
                    e.kind, e.parties
                ));
            }
        }
        if let Err(e) = rep.validate_draft() {
            problems.push(format!(
                "{name}: the draft does not validate: {e}\n{}",
                rep.scenario
            ));
        }
        let p = if pred.is_empty() {
            1.0
        } else {
            tp as f64 / pred.len() as f64
        };
        let r = if label.fact.is_empty() {
            1.0
        } else {
            tp as f64 / label.fact.len() as f64
        };
        println!(
            "{stem:<34} {:>5} {:>5} {:>5} {p:>9.2} {r:>7.2}",
            label.fact.len(),
            pred.len(),
            tp
        );
        tp_all += tp;
        pred_all += pred.len();
        lab_all += label.fact.len();
    }
    let p = tp_all as f64 / pred_all.max(1) as f64;
    let r = tp_all as f64 / lab_all.max(1) as f64;
    println!(
        "{:<34} {lab_all:>5} {pred_all:>5} {tp_all:>5} {p:>9.2} {r:>7.2}",
        "all"
    );
    println!("status right for {status_ok} of {status_n} matched figures");
    for pr in &problems {
        println!("  {pr}");
    }
    assert!(p >= 0.9, "precision {p:.3} < 0.9");
    assert!(r >= 0.9, "recall {r:.3} < 0.9");
    let hard: Vec<&String> = problems
        .iter()
        .filter(|p| {
            p.contains("conflict not found")
                || p.contains("boilerplate")
                || p.contains("does not validate")
                || p.contains("date found")
        })
        .collect();
    assert!(hard.is_empty(), "{hard:#?}");
}
