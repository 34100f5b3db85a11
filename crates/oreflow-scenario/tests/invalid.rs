//! Invalid scenario files: each `tests/fixtures/invalid/NAME.toml` must fail
//! with the message stored in `NAME.expected` (file, line, column, what was
//! expected, a suggestion). `BLESS=1` rewrites the expectations.

use std::path::Path;

#[test]
fn every_invalid_fixture_gives_its_expected_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let bless = std::env::var_os("BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected at least 15 invalid fixtures, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let rel = case
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .to_path_buf();
        let message = match oreflow_scenario::Scenario::load(&rel) {
            Ok(sc) => match oreflow_sim::Model::with_policies(sc.dataset, sc.config, sc.policies) {
                Ok(_) => {
                    failures.push(format!("{}: accepted", rel.display()));
                    continue;
                }
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        let expected_path = case.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, format!("{message}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != message.trim_end() {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{message}\n",
                rel.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
