//! No panic on any input, offsets always inside the input, and every draft
//! a valid scenario (property tests); pathological long inputs finish (their
//! time is measured in `benches/extract.rs`, not here).

use oreflow_news::{Options, Reader};
use proptest::prelude::*;
use std::sync::OnceLock;

fn reader() -> &'static Reader {
    static R: OnceLock<Reader> = OnceLock::new();
    R.get_or_init(|| Reader::new().unwrap())
}

fn check_offsets(input: &[u8]) {
    if let Ok(rep) = reader().read(input, &Options::default()) {
        let text = std::str::from_utf8(input).ok();
        for f in &rep.facts {
            assert!(f.start <= f.end && f.end <= input.len(), "{f:?}");
            if let Some(t) = text {
                // Offsets fall on character boundaries.
                assert!(
                    t.get(f.start..f.end).is_some() && t.get(f.quote_start..f.quote_end).is_some(),
                    "{f:?}"
                );
            }
            assert!(
                f.quote_start <= f.quote_end && f.quote_end <= input.len(),
                "{f:?}"
            );
            assert!(f.text_end <= rep.text.len());
        }
        for e in &rep.events {
            assert!(e.start <= e.end && e.end <= input.len());
        }
    }
}

const WORDS: &[&str] = &[
    "China",
    "Turkey",
    "Beylikova",
    "Mountain Pass",
    "Lynas",
    "MP Materials",
    "10X",
    "EU",
    "U.S.",
    "270,000",
    "1,200",
    "5.9",
    "ten thousand",
    "a third",
    "sixfold",
    "top five",
    "second-largest",
    "tonnes",
    "t",
    "of",
    "ore",
    "rare earth oxide",
    "magnets",
    "NdPr",
    "dysprosium",
    "%",
    "$",
    "US$",
    "per kg",
    "a kilogram",
    "million",
    "between",
    "and",
    "to",
    "-",
    "about",
    "more than",
    "export",
    "licence",
    "ban",
    "tariff",
    "25%",
    "memorandum of understanding",
    "MoU",
    "signed",
    "stockpile",
    "plant",
    "will build",
    "start",
    "in",
    "2028",
    "2010",
    "last week",
    "on Monday",
    "demand",
    "by 2040",
    "world's",
    "quota",
    ",",
    ".",
    ";",
    ", while",
    ", which",
    "<p>",
    "</p>",
    "<nav>",
    "<aside class=\"most-read\">",
    "&amp;",
    "&#8217;",
    "\n\n",
    "MOST READ",
    "12 comments",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check_offsets(&bytes);
    }

    #[test]
    fn arbitrary_text(s in "\\PC{0,2000}") {
        check_offsets(s.as_bytes());
    }

    #[test]
    fn news_like_text_gives_valid_drafts(picks in proptest::collection::vec(0..WORDS.len(), 0..300), date in 2008i32..2030) {
        let text: Vec<&str> = picks.iter().map(|i| WORDS[*i]).collect();
        let text = text.join(" ");
        check_offsets(text.as_bytes());
        let opts = Options { name: "t".into(), date: oreflow_news::Date::parse(&format!("{date}-06-15")) };
        let rep = reader().read(text.as_bytes(), &opts).unwrap();
        prop_assert!(rep.validate_draft().is_ok(), "{}\n{:?}", rep.scenario, rep.validate_draft());
    }
}

#[test]
fn very_long_inputs_finish() {
    let max = oreflow_news::MAX_INPUT_BYTES;
    let fill = |unit: &str| unit.repeat(max / unit.len());
    for input in [
        fill("China produced 270,000 t of ore, while Lynas made 5 t. "),
        fill("<div>"),
        fill("<p class='a'>5% ").to_string(),
        fill("a"),
        fill("a.b."),
        fill("5 "),
        fill("China "),
        fill("&#"),
        fill("<script>"),
        fill("MoU export licence tariff 5% plant will build 7 t. "),
        fill(", which "),
    ] {
        assert!(input.len() <= max);
        let rep = reader()
            .read(input.as_bytes(), &Options::default())
            .unwrap();
        for f in rep.facts.iter().take(1000) {
            assert!(f.end <= input.len());
        }
        assert!(rep.scenario.len() < 200_000);
    }
}
