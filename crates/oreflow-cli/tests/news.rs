//! `oreflow news`: the binary on corpus articles (table, JSON, stdin, the
//! draft scenario written safely, validated and run end to end) and on bad
//! input (clear messages, exit 2, nothing overwritten).

mod common;

use common::{bad_input, ok, oreflow, repo};
use std::io::Write as _;
use std::process::{Command, Stdio};

fn corpus(name: &str) -> String {
    repo()
        .join("crates/oreflow-news/tests/corpus")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn table_lists_checked_figures_and_hides_boilerplate() {
    let dir = tempfile::tempdir().unwrap();
    let out = oreflow(
        &["news", &corpus("07-beylikova-pilot-2023.html")],
        dir.path(),
    );
    ok(&out);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("dated 2023-04-18, checked against the baseline dataset"),
        "{s}"
    );
    assert!(
        s.contains("agrees") && s.contains("570000 t ore") && s.contains("tr_beylikova"),
        "{s}"
    );
    assert!(s.contains("mines.csv tr_beylikova;"), "{s}");
    assert!(!s.contains("540 tonnes"), "a sidebar figure leaked: {s}");
    let all = oreflow(
        &["news", "--all", &corpus("07-beylikova-pilot-2023.html")],
        dir.path(),
    );
    ok(&all);
    assert!(String::from_utf8_lossy(&all.stdout).contains("[boilerplate]"));
}

#[test]
fn json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = oreflow(
        &["news", "--json", &corpus("08-turkey-discovery-2022.txt")],
        dir.path(),
    );
    ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let facts = v["facts"].as_array().unwrap();
    for key in [
        "section", "text", "start", "end", "kind", "subject", "value", "unit", "basis", "year",
        "status", "dataset",
    ] {
        assert!(facts[0].get(key).is_some(), "no {key} in {}", facts[0]);
    }
    // The ore-as-rare-earths trap is a conflict naming the dataset row and its source.
    let trap = facts
        .iter()
        .find(|f| f["value"] == 570000.0 && f["section"] == "article")
        .expect("the 570,000 t figure");
    assert_eq!(trap["status"], "conflicts");
    assert_eq!(trap["basis"], "reo");
    assert_eq!(trap["dataset"]["row"], "tr_beylikova");
    assert_eq!(trap["dataset"]["unit"], "t ore");
    assert!(trap["dataset"]["source"]
        .as_str()
        .unwrap()
        .contains("tr_hurriyet_2023"));
    let text = std::fs::read_to_string(corpus("08-turkey-discovery-2022.txt")).unwrap();
    let (a, b) = (
        trap["start"].as_u64().unwrap() as usize,
        trap["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[a..b], trap["text"].as_str().unwrap());
    assert!(v["scenario"]
        .as_str()
        .unwrap()
        .starts_with("# Draft scenario written by `oreflow news`"));
}

#[test]
fn reads_standard_input_with_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(common::bin())
        .args(["news", "-", "--json", "--date", "2024-10-14"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"Turkey and China signed a memorandum of understanding on rare earths last week.",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["events"][0];
    assert_eq!(e["kind"], "mou");
    assert_eq!(e["date"], "2024-10-07");
    assert_eq!(e["parties"], serde_json::json!(["TR", "CN"]));
    assert!(v["scenario"].as_str().unwrap().contains("[[agreement]]"));
}

#[test]
fn draft_is_written_safely_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = oreflow(
        &[
            "news",
            &corpus("11-china-licensing-2025.html"),
            "--scenario",
            "draft.toml",
        ],
        dir.path(),
    );
    ok(&out);
    let draft = std::fs::read_to_string(dir.path().join("draft.toml")).unwrap();
    assert!(
        draft.contains("[[export_control]]") && draft.contains("ASSUMPTION"),
        "{draft}"
    );
    ok(&oreflow(&["validate", "draft.toml"], dir.path()));
    // End to end, on a short horizon.
    let run = oreflow(
        &["run", "draft.toml", "--to", "2026", "-o", "run-out", "-q"],
        dir.path(),
    );
    ok(&run);
    assert!(dir.path().join("run-out/prices.csv").exists());
    // Its own file may be replaced; someone else's may not.
    ok(&oreflow(
        &[
            "news",
            &corpus("11-china-licensing-2025.html"),
            "--scenario",
            "draft.toml",
        ],
        dir.path(),
    ));
    std::fs::write(dir.path().join("mine.toml"), "name = \"mine\"\n").unwrap();
    let refused = oreflow(
        &[
            "news",
            &corpus("11-china-licensing-2025.html"),
            "--scenario",
            "mine.toml",
        ],
        dir.path(),
    );
    bad_input(&refused, "was not written by oreflow");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(),
        "name = \"mine\"\n"
    );
    // The output may not be an input.
    let art = dir.path().join("a.txt");
    std::fs::write(&art, "China set its quota at 270,000 tonnes.").unwrap();
    bad_input(
        &oreflow(&["news", "a.txt", "--scenario", "a.txt"], dir.path()),
        "is also an input",
    );
}

#[test]
fn bad_input_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    bad_input(
        &oreflow(&["news", "missing.txt"], dir.path()),
        "missing.txt",
    );
    bad_input(
        &oreflow(&["news", "-", "--date", "2024-13-01"], dir.path()),
        "--date: expected a date YYYY-MM-DD",
    );
    std::fs::write(dir.path().join("latin1.txt"), b"caf\xe9 5 t").unwrap();
    bad_input(&oreflow(&["news", "latin1.txt"], dir.path()), "UTF-8");
    let big = vec![b'a'; (2 << 20) + 10];
    std::fs::write(dir.path().join("big.txt"), big).unwrap();
    bad_input(&oreflow(&["news", "big.txt"], dir.path()), "big.txt");
    bad_input(&oreflow(&["news", "."], dir.path()), ".");
}
