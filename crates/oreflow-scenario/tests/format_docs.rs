//! The format reference (docs/scenarios.md) and the JSON Schema
//! (docs/scenario.schema.json) list exactly the keys the parser accepts.
//! The accepted keys are read from the parser itself: an unknown key in each
//! table makes it list the valid ones.

use std::collections::BTreeSet;
use std::path::Path;

fn accepted_keys(toml_with_bogus_key: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(&p, toml_with_bogus_key).unwrap();
    let e = oreflow_scenario::Scenario::load(&p).unwrap_err();
    let msg = e.message;
    let tail = msg
        .split("expected one of")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in: {msg}"));
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

fn schema() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario.schema.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn schema_keys(pointer: &str) -> BTreeSet<String> {
    let s = schema();
    s.pointer(pointer)
        .and_then(|v| v.as_object())
        .unwrap_or_else(|| panic!("schema lacks {pointer}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn schema_and_reference_match_the_parser() {
    // The format is documented in the scenario reference and, for
    // `[uncertain]`, in the ensembles page.
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let doc = std::fs::read_to_string(docs.join("scenarios.md")).unwrap()
        + &std::fs::read_to_string(docs.join("ensembles.md")).unwrap();
    let cases = [
        ("bogus = 1\n", "/properties"),
        ("[run]\nbogus = 1\n", "/properties/run/properties"),
        (
            "[[export_control]]\nbogus = 1\n",
            "/properties/export_control/items/properties",
        ),
        (
            "[[tariff]]\nbogus = 1\n",
            "/properties/tariff/items/properties",
        ),
        (
            "[[project]]\nbogus = 1\n",
            "/properties/project/items/properties",
        ),
        (
            "[[agreement]]\nbogus = 1\n",
            "/properties/agreement/items/properties",
        ),
        ("[demand]\nbogus = 1\n", "/properties/demand/properties"),
        (
            "[[demand.substitution]]\nbogus = 1\n",
            "/properties/demand/properties/substitution/items/properties",
        ),
        (
            "[[demand.thrifting]]\nbogus = 1\n",
            "/properties/demand/properties/thrifting/items/properties",
        ),
        (
            "[[stockpile]]\nbogus = 1\n",
            "/properties/stockpile/items/properties",
        ),
        ("[uncertain]\nbogus = 1\n", "/properties/uncertain/properties"),
        (
            "[[uncertain.parameter]]\nbogus = 1\n",
            "/properties/uncertain/properties/parameter/items/properties",
        ),
        (
            "[[uncertain.parameter]]\ndistribution = { kind = \"normal\", bogus = 1 }\n",
            "/properties/uncertain/properties/parameter/items/properties/distribution/properties",
        ),
        (
            "[uncertain.projects.announced]\nbogus = 1\n",
            "/properties/uncertain/properties/projects/properties/announced/properties",
        ),
        (
            "[[uncertain.event]]\nbogus = 1\n",
            "/properties/uncertain/properties/event/items/properties",
        ),
        (
            "[[uncertain.event]]\n[[uncertain.event.export_control]]\nbogus = 1\n",
            "/properties/uncertain/properties/event/items/properties/export_control/items/properties",
        ),
        (
            "[[uncertain.event]]\n[[uncertain.event.outage]]\nbogus = 1\n",
            "/properties/uncertain/properties/event/items/properties/outage/items/properties",
        ),
    ];
    for (toml, pointer) in cases {
        let parser = accepted_keys(toml);
        assert_eq!(
            schema_keys(pointer),
            parser,
            "schema at {pointer} vs parser"
        );
        for k in &parser {
            let documented = doc.contains(&format!("`{k}`"))
                || doc.contains(&format!("[{k}]"))
                || doc.contains(&format!(".{k}]"));
            assert!(
                documented,
                "docs/scenarios.md does not document `{k}` ({pointer})"
            );
        }
    }
}
