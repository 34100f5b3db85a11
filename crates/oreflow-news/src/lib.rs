//! `oreflow news`: from a news article to checked facts and a draft scenario.
//!
//! Pipeline (one pass per stage, linear in the input):
//! 1. [`read`]: plain text or HTML → document text with a byte map back to
//!    the input, blocks marked article or boilerplate (navigation, menus,
//!    "latest"/"most read" lists, share buttons, comment counters, author
//!    boxes).
//! 2. [`extract`]: sentences → figures (value, unit, basis, qualifier,
//!    ranges, number words), their subject (facility, region, element,
//!    stage), year, and events (MoU, visit, meeting, ban, licence, tariff,
//!    plant announced, factory deal, stockpile) with parties and dates.
//! 3. [`check`]: each figure against the embedded dataset (`baseline`, or
//!    `hist-2010` for articles dated up to 2015) → agrees / conflicts / new /
//!    context, with the dataset row, its sources and the tolerance.
//! 4. [`draft`]: a scenario (docs/scenarios.md) for what the article implies,
//!    each lever quoting its sentence, vague parts marked ASSUMPTION;
//!    [`Report::validate_draft`] loads it with `oreflow_scenario`.
//!
//! Architecture invariant: a library — no printing, no exiting, no IO (the
//! caller hands over the bytes); deterministic; every input, however
//! malformed, gives a report or a [`NewsError`], never a panic; inputs over
//! [`MAX_INPUT_BYTES`] are refused.

pub mod check;
pub mod draft;
pub mod extract;
pub mod model;
pub mod numbers;
pub mod read;
pub mod vocab;

use serde::Serialize;

pub use model::{DatasetRow, Date, Event, Fact, Kind, Section, Status, Subject};

/// Largest article read, bytes (a long web page is well under 1 MiB).
pub const MAX_INPUT_BYTES: usize = 2 << 20;

/// Articles dated up to this year are checked against `hist-2010`.
pub const HIST_UNTIL: i32 = 2015;

/// Why an article could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NewsError {
    #[error("{name}: {size} bytes is more than the {max} bytes an article may have; split it or keep the article's part")]
    TooLarge {
        name: String,
        size: usize,
        max: usize,
    },
    #[error("{name}: not UTF-8 text (invalid byte at offset {offset}); save the page as UTF-8")]
    NotUtf8 { name: String, offset: usize },
    #[error("the embedded dataset did not load: {0}")]
    Dataset(String),
}

/// Settings of one reading.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The name shown for the input (a file name, `-`).
    pub name: String,
    /// The article's date, if known (relative dates resolve against it);
    /// otherwise the first full date in the text is used.
    pub date: Option<Date>,
}

/// What one article gave.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub file: String,
    /// The article date used (given or found), `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `baseline` or `hist-2010`.
    pub dataset: &'static str,
    pub html: bool,
    /// The extracted text (`text_start`/`text_end` of facts index into it).
    pub text: String,
    pub facts: Vec<Fact>,
    pub events: Vec<Event>,
    /// The draft scenario (TOML).
    pub scenario: String,
}

/// The embedded datasets and names, loaded once.
pub struct Reader {
    baseline: oreflow_core::Dataset,
    hist: oreflow_core::Dataset,
    observations: Vec<oreflow_core::Observation>,
    vocab_baseline: extract::Vocab,
    vocab_hist: extract::Vocab,
}

impl Reader {
    pub fn new() -> Result<Reader, NewsError> {
        let baseline = oreflow_data::embedded().map_err(|e| NewsError::Dataset(e.to_string()))?;
        let hist = oreflow_data::embedded_named("hist-2010")
            .ok_or_else(|| NewsError::Dataset("no hist-2010 dataset".into()))?
            .map_err(|e| NewsError::Dataset(e.to_string()))?;
        let observations =
            oreflow_data::observations().map_err(|e| NewsError::Dataset(e.to_string()))?;
        let vocab_baseline = extract::Vocab::new(&baseline);
        let vocab_hist = extract::Vocab::new(&hist);
        Ok(Reader {
            baseline,
            hist,
            observations,
            vocab_baseline,
            vocab_hist,
        })
    }

    /// The dataset named `baseline` or `hist-2010`.
    pub fn dataset(&self, name: &str) -> &oreflow_core::Dataset {
        if name == "hist-2010" {
            &self.hist
        } else {
            &self.baseline
        }
    }

    /// Reads one article.
    pub fn read(&self, input: &[u8], opts: &Options) -> Result<Report, NewsError> {
        if input.len() > MAX_INPUT_BYTES {
            return Err(NewsError::TooLarge {
                name: opts.name.clone(),
                size: input.len(),
                max: MAX_INPUT_BYTES,
            });
        }
        let text = std::str::from_utf8(input).map_err(|e| NewsError::NotUtf8 {
            name: opts.name.clone(),
            offset: e.valid_up_to(),
        })?;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let bom = input.len() - text.len();
        let doc = read::read(text);
        let date = opts.date.or_else(|| extract::find_date(&doc));
        let hist = date.is_some_and(|d| d.year <= HIST_UNTIL);
        let (ds, vocab, name) = if hist {
            (&self.hist, &self.vocab_hist, "hist-2010")
        } else {
            (&self.baseline, &self.vocab_baseline, "baseline")
        };
        let mut ex = extract::extract(&doc, text, vocab, date, &opts.name);
        let checker = check::Checker {
            ds,
            name,
            observations: &self.observations,
        };
        for f in &mut ex.facts {
            if bom > 0 {
                f.start += bom;
                f.end += bom;
                f.quote_start += bom;
                f.quote_end += bom;
            }
            checker.check(f);
        }
        for e in &mut ex.events {
            e.start += bom;
            e.end += bom;
        }
        let label = if opts.name.is_empty() {
            "the article"
        } else {
            opts.name.as_str()
        };
        let scenario = draft::draft(label, &ex.facts, &ex.events, ds, name, date.map(|d| d.year));
        Ok(Report {
            file: opts.name.clone(),
            date: date.map(|d| d.to_string()),
            dataset: name,
            html: doc.html,
            text: doc.text,
            facts: ex.facts,
            events: ex.events,
            scenario,
        })
    }

    /// One draft for several reports: those checked against the first
    /// report's dataset (a scenario has one base).
    pub fn draft_all(&self, reports: &[Report]) -> String {
        let Some(first) = reports.first() else {
            return String::new();
        };
        if reports.len() == 1 {
            return first.scenario.clone();
        }
        let same: Vec<&Report> = reports
            .iter()
            .filter(|r| r.dataset == first.dataset)
            .collect();
        let facts: Vec<Fact> = same.iter().flat_map(|r| r.facts.iter().cloned()).collect();
        let events: Vec<Event> = same.iter().flat_map(|r| r.events.iter().cloned()).collect();
        let names: Vec<&str> = same.iter().map(|r| r.file.as_str()).collect();
        let mut text = draft::draft(
            &names.join(", "),
            &facts,
            &events,
            self.dataset(first.dataset),
            first.dataset,
            None,
        );
        for r in reports.iter().filter(|r| r.dataset != first.dataset) {
            text.push_str(&format!(
                "\n# {} was checked against {}, not {}: its levers are not in this draft.\n",
                r.file, r.dataset, first.dataset
            ));
        }
        text
    }
}

impl Report {
    /// Loads the draft with `oreflow_scenario` (names, ranges, projects).
    pub fn validate_draft(&self) -> Result<(), String> {
        validate_scenario(&self.scenario)
    }
}

/// Loads a draft scenario text with `oreflow_scenario`.
pub fn validate_scenario(text: &str) -> Result<(), String> {
    oreflow_scenario::Scenario::from_text("news-draft.toml", text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The JSON document of `oreflow news --json` and `POST /api/news`:
/// `{"facts": [...], "events": [...], "scenario": "...", "documents": [...]}`.
pub fn to_json(reports: &[Report], scenario: &str) -> serde_json::Value {
    let facts: Vec<&Fact> = reports.iter().flat_map(|r| r.facts.iter()).collect();
    let events: Vec<&Event> = reports.iter().flat_map(|r| r.events.iter()).collect();
    let documents: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "file": r.file, "date": r.date, "dataset": r.dataset, "html": r.html, "text": r.text,
            })
        })
        .collect();
    serde_json::json!({
        "facts": facts,
        "events": events,
        "scenario": scenario,
        "documents": documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_large_and_non_utf8_input() {
        let r = Reader::new().unwrap();
        let big = vec![b'a'; MAX_INPUT_BYTES + 1];
        assert!(matches!(
            r.read(&big, &Options::default()),
            Err(NewsError::TooLarge { .. })
        ));
        let err = r.read(b"ok \xff", &Options::default()).unwrap_err();
        assert_eq!(
            err,
            NewsError::NotUtf8 {
                name: String::new(),
                offset: 3
            }
        );
    }

    #[test]
    fn a_small_article() {
        let r = Reader::new().unwrap();
        let text = "BEIJING, Aug 20, 2024 - China set its rare earth mining quota for 2024 at 270,000 tonnes. \
                    Mountain Pass produced 45,455 metric tons of rare earth oxide in 2024.";
        let rep = r.read(text.as_bytes(), &Options::default()).unwrap();
        assert_eq!(rep.date.as_deref(), Some("2024-08-20"));
        let t: Vec<(&str, f64, Status)> = rep
            .facts
            .iter()
            .filter(|f| f.kind != Kind::Date)
            .map(|f| (f.subject.key.as_str(), f.value.unwrap(), f.status))
            .collect();
        assert_eq!(
            t,
            vec![
                ("CN", 270000.0, Status::Agrees),
                ("us_mountain_pass", 45455.0, Status::Agrees)
            ]
        );
        for f in &rep.facts {
            assert_eq!(&text[f.start..f.end], f.text);
            assert_eq!(&text[f.quote_start..f.quote_end], f.quote);
        }
        rep.validate_draft().unwrap();
    }

    #[test]
    fn vocabulary_ids_exist() {
        // Every facility id of the vocabulary is in one of the embedded datasets.
        let r = Reader::new().unwrap();
        let known = |id: &str| {
            [&r.baseline, &r.hist].iter().any(|d| {
                d.mines.iter().any(|m| m.id == id)
                    || d.separation_plants.iter().any(|m| m.id == id)
                    || d.magnet_plants.iter().any(|m| m.id == id)
            })
        };
        for (kw, ids) in vocab::FACILITIES {
            for id in *ids {
                assert!(known(id), "{kw}: {id}");
            }
        }
        for c in vocab::COMPANIES {
            for id in c.mining.iter().chain(c.separation).chain(c.magnet) {
                assert!(known(id), "{}: {id}", c.name);
            }
        }
    }
}
