//! Invalid datasets: each fixture directory under `tests/fixtures/` replaces
//! one embedded table with a broken copy; loading it must fail with the
//! message stored in its `expected.txt` (file, line, field, what was
//! expected) and never panic. Run with `BLESS=1` to rewrite the expectations.

use std::path::Path;

#[test]
fn every_fixture_gives_its_expected_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bless = std::env::var_os("BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected at least 15 fixtures, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for dir in cases {
        let err = match oreflow_data::load_dir(&dir) {
            Ok(_) => {
                failures.push(format!("{}: loaded without error", dir.display()));
                continue;
            }
            // Paths of this machine are not part of the message.
            Err(e) => e
                .to_string()
                .replace(&dir.display().to_string(), "<fixture>"),
        };
        let expected_path = dir.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, format!("{err}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != err.trim_end() {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{err}\n",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_embedded_dataset_is_valid() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.regions.len(), 20);
    assert_eq!(ds.elements.len(), 15);
    // Every row cites a defined source (checked by the loader) and the
    // Türkiye rows are there: pilot and announced plant, in ore terms.
    let pilot = ds
        .mines
        .iter()
        .find(|m| m.id == "tr_beylikova_pilot")
        .unwrap();
    assert_eq!(pilot.ore_capacity_t, Some(1200.0));
    let plant = ds.mines.iter().find(|m| m.id == "tr_beylikova").unwrap();
    assert_eq!(plant.ore_capacity_t, Some(570_000.0));
    assert!(
        (plant.capacity.nameplate - 9_975.0).abs() < 1.0,
        "570,000 t ore × 1.75% ≈ 10,000 t REO"
    );
    assert_eq!(plant.status, oreflow_core::Status::Announced);
}

/// docs/data.md names every table and every column of the embedded files.
#[test]
fn the_data_reference_page_covers_every_table_and_column() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data.md"))
            .unwrap();
    for (file, content) in oreflow_data::embedded_files() {
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {file} |")))
            .unwrap_or_else(|| panic!("docs/data.md lacks {file}"));
        let header = content.lines().next().unwrap();
        for col in header
            .split(',')
            .filter(|c| !["source", "quality", "note"].contains(c) || file == "sources.csv")
        {
            let in_range = [
                "La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
                "Y",
            ]
            .contains(&col);
            assert!(
                in_range || line.contains(col),
                "docs/data.md: {file} lacks column `{col}`"
            );
        }
    }
}

/// The observations shipped for back-tests load, every row citing a
/// defined source.
#[test]
fn the_shipped_observations_are_valid() {
    let obs = oreflow_data::observations().unwrap_or_else(|e| panic!("{e}"));
    assert!(obs.len() > 250, "{} observations", obs.len());
    assert!(obs
        .iter()
        .any(|o| o.year == 2011 && o.period == "annual_estimate"));
}

/// Fuzzing found a regions table blown up to thousands of rows taking over
/// a gigabyte (trade arcs grow with the square of the regions): refused.
#[test]
fn a_regions_table_with_thousands_of_rows_is_refused() {
    let mut files: Vec<(String, String)> = oreflow_data::embedded_files()
        .into_iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    let regions = &mut files
        .iter_mut()
        .find(|(n, _)| n == "regions.csv")
        .unwrap()
        .1;
    let row = regions.lines().nth(1).unwrap().to_string();
    let rest = row
        .split_once(',')
        .unwrap()
        .1
        .split_once(',')
        .unwrap()
        .1
        .to_string();
    for k in 0..oreflow_data::MAX_REGIONS {
        regions.push_str(&format!("Z{k},Zone {k},{rest}\n"));
    }
    let e = oreflow_data::parse(&files).unwrap_err().to_string();
    assert!(
        e.contains("regions.csv: has 520 regions; at most 500"),
        "{e}"
    );
}
