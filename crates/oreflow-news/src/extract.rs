//! Sentences, figures, subjects and events.
//!
//! Everything here is one pass over the document's sentences; per sentence
//! the work is linear in its length (tokens, one multi-pattern search for
//! names), so the whole is linear in the input.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::model::{Cues, Date, Event, Fact, Kind, Section, Status, Subject};
use crate::numbers;
use crate::read::Document;
use crate::vocab;

/// A facility of the dataset in use: its stage and region.
#[derive(Clone, Debug)]
pub struct FacilityInfo {
    pub stage: &'static str,
    pub region: String,
}

/// What a name in the text refers to.
#[derive(Clone, Debug)]
enum Target {
    Region(String),
    /// Candidate facility ids, most likely first.
    Facility(Vec<String>),
    /// Index into `vocab::COMPANIES`.
    Company(usize),
    Element(String),
    /// A name that must not count (`Paris Agreement`).
    Nothing,
}

struct Pattern {
    text: String,
    cased: bool,
    target: Target,
}

/// The names of one dataset, compiled for search.
pub struct Vocab {
    patterns: Vec<Pattern>,
    matcher: AhoCorasick,
    pub facilities: HashMap<String, FacilityInfo>,
}

impl Vocab {
    pub fn new(ds: &oreflow_core::Dataset) -> Vocab {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut add = |text: &str, cased: bool, target: Target| {
            if !text.is_empty() {
                patterns.push(Pattern {
                    text: text.to_string(),
                    cased,
                    target,
                });
            }
        };
        for n in vocab::NOT_REGIONS {
            add(n, false, Target::Nothing);
        }
        let mines = ds.mines.iter().map(|m| (&m.id, m.region, "mining"));
        let separation = (ds.separation_plants.iter()).map(|p| (&p.id, p.region, "separation"));
        let magnets = (ds.magnet_plants.iter()).map(|p| (&p.id, p.region, "magnet"));
        let mut facilities = HashMap::new();
        for (id, region, stage) in mines.chain(separation).chain(magnets) {
            facilities.insert(
                id.clone(),
                FacilityInfo {
                    stage,
                    region: ds.region_code(region).to_string(),
                },
            );
        }
        for (kw, ids) in vocab::FACILITIES {
            let known: Vec<String> = ids
                .iter()
                .filter(|i| facilities.contains_key(**i))
                .map(|s| s.to_string())
                .collect();
            if !known.is_empty() {
                add(
                    kw,
                    kw.chars().any(|c| c.is_ascii_uppercase()),
                    Target::Facility(known),
                );
            }
        }
        for (i, c) in vocab::COMPANIES.iter().enumerate() {
            add(c.name, false, Target::Company(i));
        }
        for r in &ds.regions {
            let names = std::iter::once(&r.name).chain(r.aliases.iter());
            for n in names {
                if r.code == "ROW" && (n == "Other" || n == "RoW") {
                    continue;
                }
                let cased = n.chars().count() <= 3;
                add(n, cased, Target::Region(r.code.clone()));
            }
        }
        for (n, code) in vocab::REGION_EXTRA {
            if ds.region(code).is_some() {
                add(n, false, Target::Region(code.to_string()));
            }
        }
        for (n, code) in vocab::REGION_CASED {
            if ds.region(code).is_some() {
                add(n, true, Target::Region(code.to_string()));
            }
        }
        for (n, sym) in vocab::ELEMENT_NAMES {
            add(n, false, Target::Element(sym.to_string()));
        }
        for s in vocab::ELEMENT_SYMBOLS {
            add(s, true, Target::Element(s.to_string()));
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|p| p.text.as_str()))
            .expect("the vocabulary compiles");
        Vocab {
            patterns,
            matcher,
            facilities,
        }
    }
}

#[derive(Clone, Debug)]
struct Mention {
    start: usize,
    end: usize,
    target: Target,
    /// Inside a relative clause or after `outside`/`than`/`except`.
    aside: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tk {
    Word,
    Num,
    Sym,
}

#[derive(Clone, Debug)]
struct Token {
    start: usize,
    end: usize,
    kind: Tk,
    lower: String,
    /// No space before this token.
    glued: bool,
}

fn tokenize(s: &str) -> Vec<Token> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev_end = usize::MAX;
    while i < b.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if c.is_whitespace() {
            i += len;
            continue;
        }
        let start = i;
        let kind;
        if c.is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() {
                let d = b[j];
                if d.is_ascii_digit()
                    || ((d == b',' || d == b'.') && j + 1 < b.len() && b[j + 1].is_ascii_digit())
                {
                    j += 1;
                } else {
                    break;
                }
            }
            i = j;
            kind = Tk::Num;
        } else if c.is_alphabetic() {
            let mut j = i + len;
            while j < b.len() {
                let d = s[j..].chars().next().unwrap_or(' ');
                let joiner = (d == '-' || d == '\'' || d == '’')
                    && s[j + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(|e| e.is_alphanumeric());
                if d.is_alphanumeric() || joiner {
                    j += d.len_utf8();
                } else {
                    break;
                }
            }
            i = j;
            kind = Tk::Word;
        } else {
            i += len;
            kind = Tk::Sym;
        }
        let text = &s[start..i];
        let mut lower = text.to_lowercase();
        if kind == Tk::Word {
            // Possessives: "China's" reads as "china".
            for suf in ["'s", "’s"] {
                if lower.ends_with(suf) {
                    lower.truncate(lower.len() - suf.len());
                }
            }
        }
        out.push(Token {
            start,
            end: i,
            kind,
            lower,
            glued: prev_end == start,
        });
        prev_end = i;
    }
    out
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "no", "inc", "ltd", "corp", "co", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "approx", "gov", "gen", "sen",
    "rep", "est", "fig", "e.g", "i.e", "u.s", "u.k", "mt",
];

/// Sentence ranges (in `text` offsets) of the block `start..end`.
fn sentences(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let s = &text[start..end];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if (c == b'.' || c == b'!' || c == b'?') && i + 1 < b.len() && b[i + 1] == b' ' {
            // Next visible character.
            let next = s[i + 2..].chars().next();
            let starts_new = next
                .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || "\"“‘'(".contains(n));
            // The word before the stop (looked for in the last 24 bytes only).
            let mut back = i.saturating_sub(24);
            while !s.is_char_boundary(back) {
                back += 1;
            }
            let word_start = s[back..i]
                .rfind(|ch: char| ch.is_whitespace())
                .map_or(back, |p| back + p + 1);
            let word = s[word_start..i].to_lowercase();
            let abbreviation = c == b'.'
                && (ABBREVIATIONS.contains(&word.trim_start_matches(['(', '"']))
                    || word.len() == 1);
            if starts_new && !abbreviation {
                out.push((start + from, start + i + 1));
                from = i + 2;
            }
        }
        i += 1;
    }
    if from < b.len() {
        out.push((start + from, end));
    }
    // No sentence is longer than MAX_SENTENCE bytes: longer runs (a page
    // without stops) are cut at a space, so the work per sentence is bounded.
    let mut bounded = Vec::with_capacity(out.len());
    for (a, e) in out {
        let mut a = a;
        while e - a > MAX_SENTENCE {
            let mut cut = a + MAX_SENTENCE;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let at = text[a..cut].rfind(' ').map_or(cut, |p| a + p + 1);
            let at = if at <= a { cut } else { at };
            bounded.push((a, at));
            a = at;
        }
        if e > a {
            bounded.push((a, e));
        }
    }
    bounded
}

/// Longest sentence read as one, bytes (a long real sentence is ~500).
pub const MAX_SENTENCE: usize = 2000;

/// What the extractor remembers from earlier sentences.
#[derive(Default)]
struct Memory {
    region: Option<String>,
    facility: Option<Vec<String>>,
    plant: Option<Vec<String>>,
    mine: Option<Vec<String>>,
    element: Option<String>,
}

/// The result of reading one document.
pub struct Extracted {
    pub facts: Vec<Fact>,
    pub events: Vec<Event>,
}

/// Finds the article's date: the first full date in the text (datelines,
/// bylines) or in the markup.
pub fn find_date(doc: &Document) -> Option<Date> {
    if let Some(d) = doc.meta_date.as_deref().and_then(Date::parse) {
        return Some(d);
    }
    for b in &doc.blocks {
        let t = &doc.text[b.start..b.end];
        let toks = tokenize(t);
        for i in 0..toks.len() {
            if let Some((d, _)) = date_at(t, &toks, i) {
                if d.month.is_some() && d.day.is_some() {
                    return Some(d);
                }
            }
        }
    }
    None
}

/// A full or partial date starting at token `i`: (date, tokens used).
fn date_at(s: &str, t: &[Token], i: usize) -> Option<(Date, usize)> {
    let year_of = |k: usize| -> Option<i32> {
        let tk = t.get(k)?;
        (tk.kind == Tk::Num && tk.lower.len() == 4)
            .then(|| tk.lower.parse().ok())
            .flatten()
            .filter(|y| (1990..=2060).contains(y))
    };
    let day_of = |k: usize| -> Option<u8> {
        let tk = t.get(k)?;
        (tk.kind == Tk::Num && tk.lower.len() <= 2)
            .then(|| tk.lower.parse().ok())
            .flatten()
            .filter(|d| (1..=31).contains(d))
    };
    let tk = &t[i];
    // ISO 2024-10-07
    if tk.kind == Tk::Num {
        let rest = &s[tk.start..];
        if let Some(head) = rest.get(..10) {
            if let Some(d) = Date::parse(head) {
                if d.day.is_some() && rest.as_bytes()[4] == b'-' {
                    let used = t[i..].iter().take_while(|x| x.end <= tk.start + 10).count();
                    return Some((d, used.max(1)));
                }
            }
        }
    }
    // Month D, YYYY | Month YYYY | Month D
    if tk.kind == Tk::Word && s[tk.start..].starts_with(|c: char| c.is_uppercase()) {
        if let Some(m) = numbers::month(&tk.lower) {
            let mut k = i + 1;
            if t.get(k).is_some_and(|x| x.lower == ".") {
                k += 1;
            }
            if let Some(d) = day_of(k) {
                let mut k2 = k + 1;
                if t.get(k2).is_some_and(|x| x.lower == ",") {
                    k2 += 1;
                }
                if let Some(y) = year_of(k2) {
                    return Some((
                        Date {
                            year: y,
                            month: Some(m),
                            day: Some(d),
                        },
                        k2 + 1 - i,
                    ));
                }
                return Some((
                    Date {
                        year: 0,
                        month: Some(m),
                        day: Some(d),
                    },
                    k + 1 - i,
                ));
            }
            if let Some(y) = year_of(k) {
                return Some((
                    Date {
                        year: y,
                        month: Some(m),
                        day: None,
                    },
                    k + 1 - i,
                ));
            }
            return Some((
                Date {
                    year: 0,
                    month: Some(m),
                    day: None,
                },
                1,
            ));
        }
    }
    // D Month YYYY
    if let Some(d) = day_of(i) {
        if let Some(m) = t.get(i + 1).and_then(|x| numbers::month(&x.lower)) {
            if let Some(y) = year_of(i + 2) {
                return Some((
                    Date {
                        year: y,
                        month: Some(m),
                        day: Some(d),
                    },
                    3,
                ));
            }
        }
    }
    None
}

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A relative date at token `i` resolved against `today`.
fn relative_date(t: &[Token], i: usize, today: Option<Date>) -> Option<(Date, usize)> {
    let today = today?;
    let w = t[i].lower.as_str();
    let next = t.get(i + 1).map(|x| x.lower.as_str());
    let shift = |days: i64| Date::from_days(today.days() + days);
    match (w, next) {
        ("last", Some("week")) => Some((shift(-7), 2)),
        ("next", Some("week")) => Some((shift(7), 2)),
        ("last", Some("month")) => {
            let (y, m) = match today.month {
                Some(1) => (today.year - 1, 12),
                Some(m) => (today.year, m - 1),
                None => return None,
            };
            Some((
                Date {
                    year: y,
                    month: Some(m),
                    day: None,
                },
                2,
            ))
        }
        ("last", Some("year")) => Some((
            Date {
                year: today.year - 1,
                month: None,
                day: None,
            },
            2,
        )),
        ("next", Some("year")) => Some((
            Date {
                year: today.year + 1,
                month: None,
                day: None,
            },
            2,
        )),
        ("this", Some("year")) => Some((
            Date {
                year: today.year,
                month: None,
                day: None,
            },
            2,
        )),
        ("yesterday", _) => Some((shift(-1), 1)),
        ("on", Some(d)) if WEEKDAYS.contains(&d) && today.day.is_some() => {
            let wd = WEEKDAYS.iter().position(|x| *x == d)? as i64;
            let back = (today.weekday() - wd).rem_euclid(7);
            Some((shift(-back), 2))
        }
        _ => None,
    }
}

/// Qualifiers written before a figure, longest first.
const QUALIFIERS: &[&str] = &[
    "as much as",
    "as many as",
    "more than",
    "less than",
    "fewer than",
    "at least",
    "close to",
    "just over",
    "just under",
    "up to",
    "an estimated",
    "about",
    "around",
    "roughly",
    "some",
    "nearly",
    "almost",
    "approximately",
    "approx",
    "circa",
    "over",
    "above",
    "below",
    "under",
    "near",
    "estimated",
];

const TON_WORDS: &[&str] = &["tonnes", "tonne", "tons", "ton", "t"];

const PER_KG: &[&[&str]] = &[
    &["a", "kilogram"],
    &["per", "kilogram"],
    &["a", "kg"],
    &["per", "kg"],
    &["/", "kg"],
    &["a", "kilo"],
    &["per", "kilo"],
];
const PER_T: &[&[&str]] = &[
    &["a", "tonne"],
    &["per", "tonne"],
    &["a", "ton"],
    &["per", "ton"],
    &["/", "t"],
    &["/", "tonne"],
];
const PER_OZ: &[&[&str]] = &[&["an", "ounce"], &["per", "ounce"], &["/", "oz"]];

fn seq_at(t: &[Token], i: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(k, w)| t.get(i + k).is_some_and(|x| x.lower == *w))
}

/// A parsed number: value, tokens used, the index after it.
struct Num {
    value: f64,
    first: usize,
    next: usize,
    currency: Option<&'static str>,
    words: bool,
}

/// A number (digits or words, with scale and currency) starting at `i`.
fn number_at(s: &str, t: &[Token], i: usize) -> Option<Num> {
    let mut k = i;
    // Currency before the number.
    let mut currency = None;
    let tk = t.get(k)?;
    if tk.kind == Tk::Sym || tk.kind == Tk::Word {
        let cur = match tk.lower.as_str() {
            "$" => Some("USD"),
            "€" => Some("EUR"),
            "£" => Some("GBP"),
            "¥" => Some("CNY"),
            "usd" => Some("USD"),
            _ => None,
        };
        let two = t.get(k + 1);
        let prefixed = match (tk.lower.as_str(), two.map(|x| x.lower.as_str())) {
            ("us", Some("$")) | ("a", Some("$")) | ("c", Some("$"))
                if two.is_some_and(|x| x.glued) =>
            {
                Some(if tk.lower == "a" {
                    "AUD"
                } else if tk.lower == "c" {
                    "CAD"
                } else {
                    "USD"
                })
            }
            _ => None,
        };
        if let Some(c) = prefixed {
            currency = Some(c);
            k += 2;
        } else if let Some(c) = cur {
            currency = Some(c);
            k += 1;
        } else {
            // Not a currency: only a number word can start here.
        }
    }
    let tk = t.get(k)?;
    let (mut value, mut next, words) = if tk.kind == Tk::Num {
        (numbers::parse_digits(&s[tk.start..tk.end])?, k + 1, false)
    } else if tk.kind == Tk::Word {
        // Number words: "ten thousand", "twenty-five", "a million" (with a unit).
        let mut v = if tk.lower == "a" || tk.lower == "one" {
            let scaled = t
                .get(k + 1)
                .and_then(|x| numbers::scale(&x.lower))
                .is_some();
            if !scaled && tk.lower == "a" {
                return None;
            }
            1.0
        } else {
            numbers::word_number(&tk.lower)?
        };
        let mut j = k + 1;
        // "twenty five"
        if v >= 20.0 && v % 10.0 == 0.0 {
            if let Some(u) = t.get(j).and_then(|x| numbers::small_word(&x.lower)) {
                if u < 10.0 {
                    v += u;
                    j += 1;
                }
            }
        }
        (v, j, true)
    } else {
        return None;
    };
    if words && currency.is_some() {
        return None;
    }
    // Scale words: "1.2 million", "ten thousand".
    while let Some(f) = t.get(next).and_then(|x| numbers::scale(&x.lower)) {
        value *= f;
        next += 1;
    }
    // "12K", "5bn" glued.
    if let Some(x) = t.get(next) {
        if x.glued && x.kind == Tk::Word {
            match x.lower.as_str() {
                "k" => {
                    value *= 1e3;
                    next += 1;
                }
                "m" | "mn" if currency.is_some() => {
                    value *= 1e6;
                    next += 1;
                }
                "bn" | "b" if currency.is_some() => {
                    value *= 1e9;
                    next += 1;
                }
                _ => {}
            }
        }
    }
    // Currency after: "180 dollars".
    if currency.is_none() {
        if let Some(x) = t.get(next) {
            let c = match x.lower.as_str() {
                "dollars" | "dollar" => Some("USD"),
                "yuan" | "rmb" => Some("CNY"),
                "euros" => Some("EUR"),
                "usd" => Some("USD"),
                _ => None,
            };
            if c.is_some() {
                currency = c;
                next += 1;
            }
        }
    }
    value.is_finite().then_some(Num {
        value,
        first: i,
        next,
        currency,
        words,
    })
}

/// A figure found in a sentence, before its subject is known.
struct Figure {
    kind: Kind,
    value: f64,
    low: Option<f64>,
    high: Option<f64>,
    unit: String,
    basis: Option<String>,
    qualifier: Option<String>,
    /// Token range of the figure.
    first: usize,
    last: usize,
}

fn qualifier_before(t: &[Token], first: usize) -> Option<&'static str> {
    QUALIFIERS.iter().copied().find(|q| {
        let words: Vec<&str> = q.split(' ').collect();
        first >= words.len() && seq_at(t, first - words.len(), &words)
    })
}

/// Basis of a tonnage from the words after its unit.
fn basis_after(t: &[Token], mut k: usize) -> Option<String> {
    // "t REO", "tonnes (REO)".
    if let Some(x) = t.get(k) {
        if matches!(x.lower.as_str(), "reo" | "treo" | "lreo" | "hreo") {
            return Some("reo".into());
        }
        if x.lower == "("
            && t.get(k + 1)
                .is_some_and(|y| y.lower == "reo" || y.lower == "treo")
        {
            return Some("reo".into());
        }
    }
    // Skip "a year", "per year", "annually".
    for skip in [
        &["a", "year"][..],
        &["per", "year"],
        &["annually"],
        &["a", "day"],
    ] {
        if seq_at(t, k, skip) {
            k += skip.len();
        }
    }
    if t.get(k).is_none_or(|x| x.lower != "of") {
        return None;
    }
    let words: Vec<&str> = t[k + 1..]
        .iter()
        .take(5)
        .take_while(|x| x.kind == Tk::Word)
        .map(|x| x.lower.as_str())
        .take_while(|w| {
            !matches!(
                *w,
                "in" | "at"
                    | "from"
                    | "for"
                    | "to"
                    | "by"
                    | "on"
                    | "a"
                    | "per"
                    | "and"
                    | "each"
                    | "this"
                    | "last"
                    | "its"
            )
        })
        .collect();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    if has(&["ore", "ores", "rock", "material"]) {
        return Some("ore".into());
    }
    if has(&["concentrate", "concentrates"]) {
        return Some("concentrate".into());
    }
    if has(&["magnet", "magnets"]) {
        return Some("magnet".into());
    }
    for w in &words {
        if let Some((_, sym)) = vocab::ELEMENT_NAMES.iter().find(|(n, _)| n == w) {
            return Some(sym.to_string());
        }
        if *w == "ndpr" {
            return Some("NdPr".into());
        }
        if let Some(s) = vocab::ELEMENT_SYMBOLS
            .iter()
            .find(|s| s.to_lowercase() == *w)
        {
            return Some(s.to_string());
        }
    }
    if has(&[
        "oxide",
        "oxides",
        "reo",
        "treo",
        "rare",
        "earths",
        "ree",
        "rees",
        "rare-earth",
        "rare-earths",
    ]) {
        return Some("reo".into());
    }
    None
}

/// Unit of the number ending at token `k` (exclusive).
fn unit_at(t: &[Token], k: usize, n: &Num) -> Option<(Kind, String, Option<String>, f64, usize)> {
    let w = |i: usize| t.get(i).map(|x| x.lower.as_str()).unwrap_or("");
    let v = n.value;
    if let Some(c) = n.currency {
        for (pats, unit) in [(PER_KG, "kg"), (PER_T, "t"), (PER_OZ, "oz")] {
            for p in pats {
                if seq_at(t, k, p) {
                    return Some((Kind::Price, format!("{c}/{unit}"), None, v, k + p.len()));
                }
            }
        }
        return Some((Kind::Money, c.to_string(), None, v, k));
    }
    // "110 USD/kg"
    if w(k) == "usd" && w(k + 1) == "/" && w(k + 2) == "kg" {
        return Some((Kind::Price, "USD/kg".into(), None, v, k + 3));
    }
    match w(k) {
        "%" | "percent" | "pct" => return Some((Kind::Share, "%".into(), None, v, k + 1)),
        "per" if w(k + 1) == "cent" => return Some((Kind::Share, "%".into(), None, v, k + 2)),
        _ => {}
    }
    // Tonnages.
    let (factor, used) = match (w(k), w(k + 1)) {
        ("metric", u) if TON_WORDS.contains(&u) => (1.0, 2),
        ("short", u) if TON_WORDS.contains(&u) => (0.907_184_74, 2),
        ("long", u) if TON_WORDS.contains(&u) => (1.016_046_9, 2),
        ("mt", u) if u != "weld" => (1e6, 1),
        ("kt", _) => (1e3, 1),
        (u, _) if TON_WORDS.contains(&u) => (1.0, 1),
        _ => (0.0, 0),
    };
    if used > 0 {
        // "t" must be glued or standalone, not the start of a word.
        let basis = basis_after(t, k + used);
        return Some((Kind::Quantity, "t".into(), basis, v * factor, k + used));
    }
    // Multiples.
    if w(k) == "times" && !matches!(w(k + 1), "a" | "per" | "each" | "in") && v > 1.0 {
        return Some((Kind::Multiple, "x".into(), None, v, k + 1));
    }
    if w(k) == "-" && w(k + 1) == "fold" || w(k) == "fold" {
        return Some((
            Kind::Multiple,
            "x".into(),
            None,
            v,
            k + if w(k) == "fold" { 1 } else { 2 },
        ));
    }
    None
}

/// All figures of a sentence.
fn figures(s: &str, t: &[Token]) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let w = t[i].lower.as_str();
        // Multiples as one word: sixfold; doubled, tripled.
        if let Some(v) = numbers::fold(w) {
            out.push(Figure {
                kind: Kind::Multiple,
                value: v,
                low: None,
                high: None,
                unit: "x".into(),
                basis: None,
                qualifier: qualifier_before(t, i).map(str::to_string),
                first: i,
                last: i,
            });
            i += 1;
            continue;
        }
        let mult = match w {
            "doubled" | "doubling" => Some(2.0),
            "tripled" | "trebled" | "tripling" => Some(3.0),
            "quadrupled" => Some(4.0),
            _ => None,
        };
        if let Some(v) = mult {
            out.push(Figure {
                kind: Kind::Multiple,
                value: v,
                low: None,
                high: None,
                unit: "x".into(),
                basis: None,
                qualifier: None,
                first: i,
                last: i,
            });
            i += 1;
            continue;
        }
        // Ranks: "top five", "second-largest", "second largest".
        if w == "top" {
            if let Some(n) = t.get(i + 1).and_then(|x| {
                numbers::word_number(&x.lower).or_else(|| {
                    (x.kind == Tk::Num)
                        .then(|| x.lower.parse::<f64>().ok())
                        .flatten()
                })
            }) {
                if (2.0..=100.0).contains(&n) {
                    out.push(Figure {
                        kind: Kind::Rank,
                        value: n,
                        low: None,
                        high: None,
                        unit: "rank".into(),
                        basis: None,
                        qualifier: None,
                        first: i,
                        last: i + 1,
                    });
                    i += 2;
                    continue;
                }
            }
        }
        {
            let (head, tail) = match w.split_once('-') {
                Some((a, b)) => (a, Some(b)),
                None => (w, None),
            };
            if let Some(r) = numbers::ordinal(head) {
                let sup = |x: &str| {
                    matches!(
                        x,
                        "largest" | "biggest" | "greatest" | "largest-ever" | "most" | "leading"
                    )
                };
                let (is_rank, last) = match tail {
                    Some(x) => (sup(x), i),
                    None => (t.get(i + 1).is_some_and(|x| sup(&x.lower)), i + 1),
                };
                if is_rank {
                    out.push(Figure {
                        kind: Kind::Rank,
                        value: r,
                        low: None,
                        high: None,
                        unit: "rank".into(),
                        basis: None,
                        qualifier: None,
                        first: i,
                        last,
                    });
                    i = last + 1;
                    continue;
                }
            }
        }
        // Fractions: "a third of", "nine-tenths of", "by half".
        if let Some(f) = numbers::fraction(w) {
            let single = !w.contains('-');
            let prev = if i > 0 { t[i - 1].lower.as_str() } else { "" };
            let next = t.get(i + 1).map(|x| x.lower.as_str()).unwrap_or("");
            let ordinal_half = matches!(prev, "first" | "second" | "third" | "fourth" | "the");
            let article_ok = !single || prev == "a" || prev == "one" || w == "half";
            let q = qualifier_before(t, if prev == "a" { i - 1 } else { i });
            let lead = matches!(prev, "by") || q.is_some() || next == "of";
            if article_ok && lead && !ordinal_half && !(w == "half" && next == "a") {
                let first = if prev == "a" || prev == "one" {
                    i - 1
                } else {
                    i
                };
                let change = prev == "by"
                    || (first > 0 && t[first - 1].lower == "by")
                    || q.is_some()
                        && i >= 2
                        && t[..i].iter().rev().take(5).any(|x| x.lower == "by");
                out.push(Figure {
                    kind: if change { Kind::Change } else { Kind::Share },
                    value: (f * 100.0 * 1000.0).round() / 1000.0,
                    low: None,
                    high: None,
                    unit: "%".into(),
                    basis: None,
                    qualifier: q.map(str::to_string),
                    first,
                    last: i,
                });
                i += 1;
                continue;
            }
        }
        // Numbers with units.
        if let Some(n) = number_at(s, t, i) {
            let next = n.next;
            let mut low = None;
            let mut high = None;
            let mut value = n.value;
            let mut unit = unit_at(t, next, &n);
            // Ranges: "2,000 to 4,000 t", "between $2,000 and $4,000 a kg".
            if unit.is_none()
                || n.currency.is_some() && unit.as_ref().is_some_and(|u| u.0 == Kind::Money)
            {
                let sep = t.get(next).map(|x| x.lower.as_str());
                let between = n.first > 0 && t[n.first - 1].lower == "between";
                if matches!(sep, Some("to") | Some("-") | Some("–"))
                    || sep == Some("and") && between
                {
                    if let Some(m) = number_at(s, t, next + 1) {
                        if m.words == n.words
                            && m.value > n.value
                            && m.value <= 10.0 * n.value
                            && m.currency == n.currency
                        {
                            if let Some(u) = unit_at(t, m.next, &m) {
                                if u.0 != Kind::Money || between {
                                    let factor = if m.value != 0.0 { u.3 / m.value } else { 1.0 };
                                    low = Some(n.value * factor);
                                    high = Some(u.3);
                                    value = (n.value * factor + u.3) / 2.0;
                                    unit = Some((u.0, u.1, u.2, value, u.4));
                                }
                            }
                        }
                    }
                }
            }
            if let Some((kind, unit, basis, v, after)) = unit {
                let v = if low.is_some() { value } else { v };
                let q = qualifier_before(t, n.first).map(str::to_string);
                let kind = if kind == Kind::Share {
                    let before: Vec<&str> = t[..n.first]
                        .iter()
                        .rev()
                        .filter(|x| {
                            !QUALIFIERS
                                .iter()
                                .any(|q| q.split(' ').any(|w| w == x.lower))
                        })
                        .take(2)
                        .map(|x| x.lower.as_str())
                        .collect();
                    let after_word = t.get(after).map(|x| x.lower.as_str()).unwrap_or("");
                    if before.iter().any(|w| vocab::CHANGE_WORDS.contains(w))
                        || vocab::CHANGE_AFTER.contains(&after_word)
                    {
                        Kind::Change
                    } else {
                        Kind::Share
                    }
                } else {
                    kind
                };
                out.push(Figure {
                    kind,
                    value: v,
                    low,
                    high,
                    unit,
                    basis,
                    qualifier: q,
                    first: n.first,
                    last: after.saturating_sub(1).max(n.first),
                });
                i = after.max(i + 1);
                continue;
            }
            // A year.
            let tk = &t[i];
            if tk.kind == Tk::Num && tk.lower.len() == 4 && n.currency.is_none() {
                if let Ok(y) = tk.lower.parse::<i32>() {
                    if (1990..=2060).contains(&y) {
                        out.push(Figure {
                            kind: Kind::Date,
                            value: y as f64,
                            low: None,
                            high: None,
                            unit: "year".into(),
                            basis: None,
                            qualifier: None,
                            first: i,
                            last: i,
                        });
                    }
                }
            }
            i = n.next.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// Clause boundaries: token indices where a new clause starts.
fn clause_starts(t: &[Token]) -> Vec<usize> {
    let mut starts = vec![0];
    for i in 0..t.len() {
        let w = t[i].lower.as_str();
        let next = t.get(i + 1).map(|x| x.lower.as_str()).unwrap_or("");
        let clause_comma = w == ","
            && matches!(
                next,
                "while"
                    | "whereas"
                    | "but"
                    | "and"
                    | "calling"
                    | "adding"
                    | "saying"
                    | "making"
                    | "leaving"
                    | "according"
            );
        if w == ";" || (w == ":" && i > 0) || clause_comma {
            starts.push(i + 1);
        } else if w == "while" || w == "whereas" {
            starts.push(i);
        }
    }
    starts.dedup();
    starts
}

fn clause_of(starts: &[usize], tok: usize) -> (usize, usize) {
    let idx = starts.partition_point(|&s| s <= tok).saturating_sub(1);
    let from = starts[idx];
    let to = starts.get(idx + 1).copied().unwrap_or(usize::MAX);
    (from, to)
}

/// The names in a sentence, and its asides (byte ranges).
fn mentions(v: &Vocab, s: &str, t: &[Token]) -> (Vec<Mention>, Vec<(usize, usize)>) {
    let mut out = Vec::new();
    for m in v.matcher.find_iter(s) {
        let p = &v.patterns[m.pattern().as_usize()];
        let (a, b) = (m.start(), m.end());
        if p.cased && s[a..b] != p.text {
            continue;
        }
        let before_ok = s[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok =
            s[b..].chars().next().is_none_or(|c| !c.is_alphanumeric()) || p.text.ends_with('.');
        if !before_ok || !after_ok {
            continue;
        }
        out.push(Mention {
            start: a,
            end: b,
            target: p.target.clone(),
            aside: false,
        });
    }
    // Asides: relative clauses ", which … ," / ", who … ," and comparisons.
    let mut asides: Vec<(usize, usize)> = Vec::new();
    for i in 0..t.len() {
        if t[i].lower == ","
            && t.get(i + 1)
                .is_some_and(|x| x.lower == "which" || x.lower == "who")
        {
            let close = t[i + 2..]
                .iter()
                .find(|x| x.lower == "," || x.lower == ".")
                .map_or(s.len(), |x| x.start);
            asides.push((t[i].start, close));
        }
        if matches!(
            t[i].lower.as_str(),
            "outside" | "than" | "except" | "excluding"
        ) {
            let end = t.get(i + 3).map_or(s.len(), |x| x.start);
            asides.push((t[i].start, end));
        }
    }
    for m in &mut out {
        m.aside = asides.iter().any(|(a, b)| m.start >= *a && m.end <= *b);
    }
    (out, asides)
}

fn target_region(m: &Mention) -> Option<&str> {
    match &m.target {
        Target::Region(c) => Some(c),
        _ => None,
    }
}

fn is_facility(m: &Mention) -> bool {
    matches!(m.target, Target::Facility(_) | Target::Company(_))
}

/// Chooses among a facility's candidates with the cues near the figure.
fn choose_variant(cands: &[String], window: &str, pos: usize, v: &Vocab) -> Option<String> {
    let w = window.to_lowercase();
    let family: Vec<String> = {
        // Candidates and their dataset siblings (`_pilot`, `_p1`, `_p2`).
        let mut f: Vec<String> = cands.to_vec();
        for c in cands {
            let stem = c
                .trim_end_matches("_p1")
                .trim_end_matches("_p2")
                .trim_end_matches("_pilot")
                .to_string();
            for suffix in ["_pilot", "_p1", "_p2", ""] {
                let id = format!("{stem}{suffix}");
                if v.facilities.contains_key(&id) && !f.contains(&id) {
                    f.push(id);
                }
            }
        }
        f
    };
    // The cue nearest to the figure (at byte `pos` of the window) wins.
    let mut best: Option<(usize, &str)> = None;
    for (cue, suffix) in vocab::VARIANT_CUES {
        for (at, _) in w.match_indices(cue) {
            if !contains_word(&w[at..at + cue.len()], cue) {
                continue;
            }
            let d = if at >= pos {
                at - pos
            } else {
                pos - (at + cue.len()).min(pos)
            };
            if family.iter().any(|id| id.ends_with(suffix)) && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, suffix));
            }
        }
    }
    if let Some((_, suffix)) = best {
        if let Some(id) = family.iter().find(|id| id.ends_with(suffix)) {
            return Some(id.clone());
        }
    }
    if contains_word(&w, "industrial") {
        if let Some(id) = family.iter().find(|id| !id.ends_with("_pilot")) {
            return Some(id.clone());
        }
    }
    cands
        .iter()
        .find(|c| v.facilities.contains_key(*c))
        .cloned()
}

fn contains_word(hay: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(p) = hay[from..].find(word) {
        let a = from + p;
        let b = a + word.len();
        let ok_a = hay[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let ok_b = hay[b..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if ok_a && ok_b {
            return true;
        }
        from = a + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// A company's facility for a stage and region hint.
fn company_facility(
    c: usize,
    stage: Option<&str>,
    regions: &[String],
    sentence_facilities: &[String],
    v: &Vocab,
) -> Option<String> {
    let co = &vocab::COMPANIES[c];
    let all: Vec<&str> = co
        .mining
        .iter()
        .chain(co.separation.iter())
        .chain(co.magnet.iter())
        .copied()
        .collect();
    // A facility of this company named in the sentence.
    if let Some(f) = sentence_facilities
        .iter()
        .find(|f| all.contains(&f.as_str()))
    {
        return Some(f.clone());
    }
    let list: Vec<&str> = match stage {
        Some("separation") => co.separation.to_vec(),
        Some("magnet") => co.magnet.to_vec(),
        Some("mining") | Some("reserves") => co.mining.to_vec(),
        _ => all.clone(),
    };
    let known: Vec<&str> = list
        .into_iter()
        .filter(|f| v.facilities.contains_key(*f))
        .collect();
    if let Some(f) = known
        .iter()
        .find(|f| regions.iter().any(|r| v.facilities[**f].region == *r))
    {
        return Some(f.to_string());
    }
    // Region hints may point to another stage of the company.
    if let Some(f) = all
        .iter()
        .filter(|f| v.facilities.contains_key(**f))
        .find(|f| regions.iter().any(|r| v.facilities[**f].region == *r))
    {
        if stage.is_none() {
            return Some(f.to_string());
        }
    }
    known.first().map(|s| s.to_string())
}

const CUE_NOUNS: &[&str] = &[
    "plant", "mine", "project", "company", "deposit", "site", "facility", "refinery", "factory",
];

/// The input offset just after the text byte before `end` (exclusive end):
/// past the whole character or character reference it came from.
fn source_end(doc: &Document, input: &str, end: usize) -> usize {
    if end == 0 || end > doc.map.len() {
        return input
            .len()
            .min(doc.map.last().map_or(0, |m| *m as usize + 1));
    }
    let p = doc.map[end - 1] as usize;
    let Some(rest) = input.get(p..) else {
        return input.len();
    };
    if rest.starts_with('&') {
        if let Some((_, len)) = crate::read::entity(rest) {
            return p + len;
        }
    }
    p + rest.chars().next().map_or(0, char::len_utf8)
}

/// Reads the document's sentences into facts and events.
pub fn extract(
    doc: &Document,
    input: &str,
    v: &Vocab,
    date: Option<Date>,
    file: &str,
) -> Extracted {
    let input_len = input.len();
    let mut facts = Vec::new();
    let mut events = Vec::new();
    let mut mem = Memory::default();
    for b in &doc.blocks {
        for (ss, se) in sentences(&doc.text, b.start, b.end) {
            let s = &doc.text[ss..se];
            if s.trim().is_empty() {
                continue;
            }
            let t = tokenize(s);
            let (ms, asides) = mentions(v, s, &t);
            let figs = figures(s, &t);
            let starts = clause_starts(&t);
            let article = b.section == Section::Article;
            let src = |i: usize| doc.source(ss + i, input_len);
            let sent_start = src(0);
            let sent_end = source_end(doc, input, se).max(sent_start);
            let sentence_facilities: Vec<String> = ms
                .iter()
                .filter_map(|m| match &m.target {
                    Target::Facility(c) => choose_variant(c, s, m.start, v),
                    _ => None,
                })
                .collect();
            let sentence_regions: Vec<String> = ms
                .iter()
                .filter(|m| !m.aside)
                .filter_map(|m| target_region(m).map(str::to_string))
                .collect();
            let all_regions: Vec<String> = ms
                .iter()
                .filter_map(|m| target_region(m).map(str::to_string))
                .collect();
            let elements: Vec<String> = ms
                .iter()
                .filter_map(|m| match &m.target {
                    Target::Element(e) => Some(e.clone()),
                    _ => None,
                })
                .collect();
            // Dates in the sentence.
            let mut dates: Vec<(usize, Date)> = Vec::new();
            let mut k = 0;
            while k < t.len() {
                if let Some((d, used)) = date_at(s, &t, k) {
                    let d = if d.year == 0 {
                        match date {
                            Some(a) => Date { year: a.year, ..d },
                            None => {
                                k += used;
                                continue;
                            }
                        }
                    } else {
                        d
                    };
                    dates.push((k, d));
                    k += used;
                    continue;
                }
                if let Some((d, used)) = relative_date(&t, k, date) {
                    dates.push((k, d));
                    k += used;
                    continue;
                }
                if t[k].kind == Tk::Num && t[k].lower.len() == 4 {
                    if let Ok(y) = t[k].lower.parse::<i32>() {
                        if (1990..=2060).contains(&y) {
                            dates.push((
                                k,
                                Date {
                                    year: y,
                                    month: None,
                                    day: None,
                                },
                            ));
                        }
                    }
                }
                k += 1;
            }
            let mut clause_subject: HashMap<usize, Subject> = HashMap::new();
            let mut last_subject: Option<Subject> = None;
            for f in &figs {
                let first_byte = t[f.first].start;
                let last_byte = t[f.last].end;
                let (cf, ct) = clause_of(&starts, f.first);
                let clause_from = t.get(cf).map_or(0, |x| x.start);
                let clause_to = t.get(ct).map_or(s.len(), |x| x.start);
                let clause = &s[clause_from..clause_to];
                let clause_lower = clause.to_lowercase();
                let clause_words: Vec<&str> = t[cf..ct.min(t.len())]
                    .iter()
                    .map(|x| x.lower.as_str())
                    .collect();
                let has_word = |ws: &[&str]| clause_words.iter().any(|w| ws.contains(w));
                // Stage.
                let stage_of = |tok: &Token| {
                    vocab::STAGE_WORDS
                        .iter()
                        .find(|(w, _)| *w == tok.lower)
                        .map(|(_, s)| *s)
                };
                let outside_aside =
                    |tok: &&Token| !asides.iter().any(|(a, b)| tok.start >= *a && tok.end <= *b);
                let before: Vec<&'static str> = t[cf..f.first]
                    .iter()
                    .filter(outside_aside)
                    .filter_map(stage_of)
                    .collect();
                let after: Vec<&'static str> = t[f.last + 1..ct.min(t.len())]
                    .iter()
                    .take(7)
                    .filter(outside_aside)
                    .filter_map(stage_of)
                    .collect();
                let mut stage: Option<&str> = if before.contains(&"trade") {
                    Some("trade")
                } else if f.kind == Kind::Share {
                    after.first().or(before.last()).copied()
                } else {
                    before.last().or(after.first()).copied()
                };
                if f.kind == Kind::Price {
                    stage = Some("price");
                }
                if has_word(&["quota", "quotas"]) && stage.is_none() {
                    stage = Some("mining");
                }
                // Subject.
                let in_clause = |m: &&Mention| m.start >= clause_from && m.end <= clause_to;
                let preceding: Vec<&Mention> = ms
                    .iter()
                    .filter(in_clause)
                    .filter(|m| m.end <= first_byte && !m.aside)
                    .collect();
                let following: Vec<&Mention> = ms
                    .iter()
                    .filter(in_clause)
                    .filter(|m| m.start >= last_byte && !m.aside)
                    .collect();
                let window_end = t.get(f.last + 10).map_or(s.len(), |x| x.end).min(clause_to);
                let window_start = t[cf..f.first]
                    .iter()
                    .rev()
                    .nth(8)
                    .map_or(clause_from, |x| x.start);
                let window = &s[window_start..window_end];
                let resolve = |m: &Mention| -> Option<String> {
                    match &m.target {
                        Target::Facility(c) => {
                            choose_variant(c, window, first_byte - window_start, v)
                        }
                        Target::Company(c) => {
                            company_facility(*c, stage, &all_regions, &sentence_facilities, v)
                        }
                        _ => None,
                    }
                };
                let attached = (f.kind == Kind::Quantity)
                    .then(|| {
                        following.iter().find(|m| {
                            is_facility(m)
                                && m.start < window_end
                                && t[f.last + 1..].iter().take_while(|x| x.end <= m.start).any(
                                    |x| {
                                        matches!(
                                            x.lower.as_str(),
                                            "of" | "in" | "at" | "from" | "for"
                                        )
                                    },
                                )
                        })
                    })
                    .flatten();
                let mut facility: Option<String> = None;
                let mut region: Option<String> = None;
                if let Some(m) = attached {
                    facility = resolve(m);
                }
                if facility.is_none() {
                    if let Some(m) = preceding.iter().find(|m| is_facility(m)) {
                        facility = resolve(m);
                    }
                }
                if facility.is_none() {
                    region = preceding
                        .iter()
                        .find_map(|m| target_region(m).map(str::to_string));
                }
                let cue = clause_words
                    .iter()
                    .take(f.first.saturating_sub(cf))
                    .any(|w| CUE_NOUNS.contains(w) || *w == "it");
                let mut inherited = false;
                if facility.is_none() && region.is_none() && !cue {
                    if let Some(sub) = cf
                        .checked_sub(1)
                        .and_then(|_| clause_subject.get(&cf))
                        .or(last_subject.as_ref().filter(|_| cf > 0))
                    {
                        facility = sub.facility.clone();
                        region = sub.region.clone();
                        inherited = true;
                    }
                }
                if facility.is_none() && region.is_none() && cue {
                    let wants_plant = has_word(&["plant", "refinery", "factory"]);
                    let wants_mine = has_word(&["mine", "deposit"]);
                    let carried = if wants_plant {
                        mem.plant.clone().or(mem.facility.clone())
                    } else if wants_mine {
                        mem.mine.clone().or(mem.facility.clone())
                    } else {
                        mem.facility.clone()
                    };
                    if let Some(c) = carried {
                        facility =
                            choose_variant(&c, clause, first_byte.saturating_sub(clause_from), v);
                    }
                }
                if facility.is_none() && region.is_none() {
                    if let Some(m) = following.iter().find(|m| is_facility(m)) {
                        facility = resolve(m);
                    }
                }
                if facility.is_none() && region.is_none() {
                    region = following
                        .iter()
                        .find_map(|m| target_region(m).map(str::to_string));
                }
                if facility.is_none() && region.is_none() && !inherited {
                    region = mem.region.clone();
                }
                if let Some(fid) = &facility {
                    if let Some(info) = v.facilities.get(fid) {
                        region = Some(info.region.clone());
                        // A facility's figure is of its stage (a mine "processes" ore).
                        if !matches!(stage, Some("trade" | "reserves" | "stockpile" | "price")) {
                            stage = Some(info.stage);
                        }
                    }
                }
                // Element: nearest before in the clause, else in the sentence, else remembered.
                let element = ms
                    .iter()
                    .filter(in_clause)
                    .filter(|m| m.end <= first_byte)
                    .filter_map(|m| match &m.target {
                        Target::Element(e) => Some(e.clone()),
                        _ => None,
                    })
                    .next_back()
                    .or_else(|| elements.first().cloned())
                    .or_else(|| {
                        (f.kind == Kind::Price)
                            .then(|| mem.element.clone())
                            .flatten()
                    })
                    .or_else(|| match &f.basis {
                        Some(b)
                            if !["ore", "reo", "concentrate", "magnet"].contains(&b.as_str()) =>
                        {
                            Some(b.clone())
                        }
                        _ => None,
                    });
                let price_words =
                    has_word(&["price", "prices", "priced", "quoted", "traded", "offered"])
                        || figs
                            .iter()
                            .any(|g| g.kind == Kind::Price && g.first >= cf && g.first < ct);
                let world = has_word(&["world", "world's", "global", "worldwide"]);
                let key = if f.kind == Kind::Price
                    || (price_words
                        && matches!(f.kind, Kind::Multiple | Kind::Change | Kind::Share)
                        && element.is_some())
                {
                    element.clone().unwrap_or_else(|| "world".into())
                } else if let Some(fid) = &facility {
                    fid.clone()
                } else if let Some(r) = &region {
                    r.clone()
                } else if let Some(e) = &element {
                    e.clone()
                } else {
                    "world".into()
                };
                let subject = Subject {
                    key,
                    region: region.clone(),
                    facility: facility.clone(),
                    element: element.clone(),
                    stage: stage.map(str::to_string),
                };
                clause_subject.insert(ct.min(t.len()), subject.clone());
                if facility.is_some() || region.is_some() {
                    clause_subject.entry(cf).or_insert_with(|| subject.clone());
                    last_subject = Some(subject.clone());
                }
                // Year: the nearest date in the clause, else the article's.
                let near = dates
                    .iter()
                    .filter(|(k, _)| *k >= cf && *k < ct && (*k < f.first || *k > f.last))
                    .filter(|(k, _)| {
                        // "since early 2010": the start of a period, not the figure's date.
                        !t[k.saturating_sub(2)..*k]
                            .iter()
                            .any(|x| x.lower == "since")
                    })
                    .min_by_key(|(k, _)| {
                        if *k > f.last {
                            2 * (*k - f.last)
                        } else {
                            2 * (f.first - *k) + 1
                        }
                    });
                let (year, date_s) = match (f.kind, near) {
                    (Kind::Date, _) => (Some(f.value as i32), Some(format!("{}", f.value as i32))),
                    (_, Some((_, d))) => (Some(d.year), Some(d.to_string())),
                    (_, None) => (date.map(|d| d.year), None),
                };
                let location = if clause_lower.contains("inside china")
                    || clause_lower.contains("chinese domestic")
                    || clause_lower.contains("in china")
                {
                    Some("china".to_string())
                } else if clause_lower.contains("europe")
                    || clause_lower.contains("outside china")
                    || clause_lower.contains("rotterdam")
                {
                    Some("outside".to_string())
                } else if clause_lower.contains("fob china") {
                    Some("fob_china".to_string())
                } else {
                    None
                };
                let cues = Cues {
                    world,
                    quota: has_word(&["quota", "quotas"]),
                    quota_part: has_word(&[
                        "light",
                        "heavy",
                        "ion-adsorption",
                        "ionic",
                        "export",
                        "smelting",
                        "separation",
                        "batch",
                    ]),
                    start: has_word(&[
                        "start",
                        "starts",
                        "begin",
                        "begins",
                        "online",
                        "commissioning",
                    ]) || clause_lower.contains("first production"),
                    price: price_words,
                    location,
                    demand: has_word(&["demand", "consumption"]),
                    rate: has_word(&["tariff", "tariffs", "duty", "duties", "tax", "levy"]),
                };
                let (qs, qe) = (ss + first_byte, ss + last_byte);
                facts.push(Fact {
                    file: file.to_string(),
                    section: b.section,
                    text: s.to_string(),
                    start: sent_start,
                    end: sent_end,
                    quote: s[first_byte..last_byte].to_string(),
                    quote_start: doc.source(qs, input_len),
                    quote_end: source_end(doc, input, qe),
                    text_start: qs,
                    text_end: qe,
                    kind: f.kind,
                    subject,
                    value: Some(f.value),
                    low: f.low,
                    high: f.high,
                    unit: f.unit.clone(),
                    basis: f.basis.clone(),
                    qualifier: f.qualifier.clone(),
                    year,
                    date: date_s,
                    status: Status::Context,
                    dataset: None,
                    note: String::new(),
                    cues,
                });
            }
            // Events.
            let lower = s.to_lowercase();
            let trade = ["export", "import", "shipment"]
                .iter()
                .any(|w| lower.contains(w));
            let mut kinds: Vec<&str> = Vec::new();
            let w = |x: &str| contains_word(&lower, x);
            if lower.contains("memorandum") || s.contains("MoU") || s.contains("MOU") {
                kinds.push("mou");
            } else if (w("agreement") || w("agreed") || w("framework") || w("signed"))
                && (!w("paris agreement") || w("signed"))
            {
                kinds.push("agreement");
            }
            if w("visit") || w("visited") || w("visiting") || w("trip") {
                kinds.push("visit");
            }
            if w("met") || w("meeting") || w("talks") || w("summit") || w("meet") {
                kinds.push("meeting");
            }
            if w("ban") || w("banned") || w("bans") || w("embargo") {
                kinds.push("ban");
            }
            if w("licence") || w("license") || w("licences") || w("licenses") || w("licensing") {
                kinds.push("licence");
            }
            if lower.contains("export quota") {
                kinds.push("export_quota");
            }
            if w("tariff") || w("tariffs") || w("duties") {
                kinds.push("tariff");
            }
            let plant = ["plant", "factory", "refinery", "facility", "mine"]
                .iter()
                .any(|x| w(x));
            if plant
                && [
                    "build",
                    "started",
                    "opened",
                    "opens",
                    "planned",
                    "announced",
                    "construct",
                    "will build",
                    "fires up",
                ]
                .iter()
                .any(|x| lower.contains(x))
            {
                kinds.push("plant_announced");
            }
            if (w("deal") || w("contract") || w("invest") || w("shareholder"))
                && (plant || w("magnet") || w("plant") || lower.contains("plant"))
            {
                kinds.push("factory_deal");
            }
            if w("stockpile") && !lower.contains("from stockpiles") {
                kinds.push("stockpile");
            }
            if !kinds.is_empty() {
                let mut parties: Vec<String> = Vec::new();
                for r in all_regions.iter().chain(
                    sentence_facilities
                        .iter()
                        .filter_map(|f| v.facilities.get(f).map(|i| &i.region)),
                ) {
                    if !parties.contains(r) {
                        parties.push(r.clone());
                    }
                }
                // The dateline's date (the article's, at the sentence start) is not the event's.
                let own: Vec<&(usize, Date)> = dates
                    .iter()
                    .filter(|(k, d)| !(*k < 6 && Some(*d) == date))
                    .collect();
                let when = own
                    .iter()
                    .find(|(k, d)| {
                        d.month.is_some() || t.get(*k).is_some_and(|x| x.kind == Tk::Word)
                    })
                    .or(own.first())
                    .map(|(_, d)| *d);
                for k in kinds {
                    events.push(Event {
                        file: file.to_string(),
                        section: b.section,
                        kind: k.to_string(),
                        parties: parties.clone(),
                        facilities: sentence_facilities.clone(),
                        elements: elements.clone(),
                        date: when.map(|d| d.to_string()),
                        year: when.map(|d| d.year).or(date.map(|d| d.year)),
                        text: s.to_string(),
                        start: sent_start,
                        end: sent_end,
                        trade,
                    });
                }
            }
            // Memory for the next sentences (article text only).
            if article {
                if let Some(r) = sentence_regions.first() {
                    mem.region = Some(r.clone());
                }
                if let Some(e) = elements.last() {
                    mem.element = Some(e.clone());
                }
                let fac: Vec<Vec<String>> = ms
                    .iter()
                    .filter_map(|m| match &m.target {
                        Target::Facility(c) => Some(c.clone()),
                        Target::Company(c) => {
                            company_facility(*c, None, &all_regions, &sentence_facilities, v)
                                .map(|f| vec![f])
                        }
                        _ => None,
                    })
                    .collect();
                // The first specific name leads (a company only if nothing else).
                let specific: Vec<&Vec<String>> = ms
                    .iter()
                    .zip(0..)
                    .filter(|(m, _)| matches!(m.target, Target::Facility(_)))
                    .filter_map(|(m, _)| match &m.target {
                        Target::Facility(c) => fac.iter().find(|x| *x == c),
                        _ => None,
                    })
                    .collect();
                if let Some(first) = specific.first().copied().or(fac.first()) {
                    mem.facility = Some(first.clone());
                }
                for c in &fac {
                    let stage = c
                        .first()
                        .and_then(|id| v.facilities.get(id))
                        .map(|i| i.stage);
                    match stage {
                        Some("mining") => mem.mine = Some(c.clone()),
                        Some(_) => mem.plant = Some(c.clone()),
                        None => {}
                    }
                }
            }
        }
    }
    Extracted { facts, events }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_sentences() {
        let t = tokenize("China's 30,258 t, US$258 million.");
        let words: Vec<&str> = t.iter().map(|x| x.lower.as_str()).collect();
        assert_eq!(
            words,
            ["china", "30,258", "t", ",", "us", "$", "258", "million", "."]
        );
        let text = "The U.S. Geological Survey said so. Prices rose 5%. Mr. Smith agreed.";
        let s = sentences(text, 0, text.len());
        assert_eq!(s.len(), 3, "{s:?}");
    }

    fn figs(s: &str) -> Vec<(Kind, f64, String, Option<String>)> {
        let t = tokenize(s);
        figures(s, &t)
            .into_iter()
            .map(|f| (f.kind, f.value, f.unit, f.basis))
            .collect()
    }

    #[test]
    fn units_bases_ranges_words() {
        let f = figs("It will process 570,000 tonnes of ore annually and 10,000 t REO.");
        assert_eq!(
            f[0],
            (Kind::Quantity, 570000.0, "t".into(), Some("ore".into()))
        );
        assert_eq!(
            f[1],
            (Kind::Quantity, 10000.0, "t".into(), Some("reo".into()))
        );
        let f = figs("some 36,000 short tons of rare earth oxide");
        assert!((f[0].1 - 32_658.65).abs() < 0.1);
        let f = figs("between $2,000 and $4,000 a kilogram");
        assert_eq!(f[0], (Kind::Price, 3000.0, "USD/kg".into(), None));
        let f = figs("around ten thousand tonnes of rare earth oxide");
        assert_eq!(f[0].1, 10000.0);
        let f = figs("could rise sixfold by 2040, three to seven times higher");
        assert_eq!(f[0], (Kind::Multiple, 6.0, "x".into(), None));
        assert_eq!(f[1].0, Kind::Date);
        assert_eq!(f[2], (Kind::Multiple, 5.0, "x".into(), None));
        let f = figs(
            "nearly nine-tenths of the world's oxides; fell by half; the first half of the year",
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0], (Kind::Share, 90.0, "%".into(), None));
        assert_eq!(f[1], (Kind::Change, 50.0, "%".into(), None));
        let f = figs("the world's second-largest after China, one of the top five");
        assert_eq!(f[0], (Kind::Rank, 2.0, "rank".into(), None));
        assert_eq!(f[1], (Kind::Rank, 5.0, "rank".into(), None));
        let f = figs("raised by 72 percent, 30 per cent of output");
        assert_eq!(f[0].0, Kind::Change);
        assert_eq!(f[1].0, Kind::Share);
        let f = figs("about A$800 million and $1.4bn");
        assert_eq!(f[0], (Kind::Money, 800e6, "AUD".into(), None));
        assert_eq!(f[1], (Kind::Money, 1.4e9, "USD".into(), None));
    }

    #[test]
    fn relative_dates() {
        let today = Date::parse("2024-10-14");
        let t = tokenize("signed last week");
        let (d, _) = relative_date(&t, 1, today).unwrap();
        assert_eq!(d.to_string(), "2024-10-07");
        let t = tokenize("said on Monday");
        let (d, _) = relative_date(&t, 1, today).unwrap();
        assert_eq!(d.to_string(), "2024-10-14");
        let t = tokenize("said on Friday");
        let (d, _) = relative_date(&t, 1, today).unwrap();
        assert_eq!(d.to_string(), "2024-10-11");
    }
}
