//! One test per case of issue 10 (data loss, hangs, accepted nonsense, the
//! command-line contract), each named after what it guards. Each fails with
//! the binary of the commit before the fix (`OREFLOW_BIN=…/oreflow cargo
//! test -p oreflow-cli --test regressions`) and passes with this one.
//! Interrupted and concurrent writers are in `safety.rs`.

mod common;

use std::path::Path;

use common::*;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

// ---- data loss: scenario names that become paths ----

#[test]
fn a_scenario_named_dotdot_does_not_overwrite_files_in_the_working_folder() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.toml", "name = \"..\"\n");
    write(tmp.path(), "prices.csv", "mine\n");
    write(tmp.path(), "summary.json", "{\"mine\": true}\n");
    let out = oreflow(&["run", "s.toml", "--to", "2025", "-q"], tmp.path());
    ok(&out);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("prices.csv")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("summary.json")).unwrap(),
        "{\"mine\": true}\n"
    );
    // The outputs are in a folder of out/ named after the file.
    assert!(tmp.path().join("out/s/prices.csv").is_file());
}

#[test]
fn a_scenario_name_with_a_path_writes_inside_out_only() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("a/b");
    std::fs::create_dir_all(&work).unwrap();
    let abs = tmp.path().join("elsewhere");
    for (k, name) in ["../../x".to_string(), abs.display().to_string()]
        .iter()
        .enumerate()
    {
        let file = format!("s{k}.toml");
        write(&work, &file, &format!("name = {name:?}\n"));
        ok(&oreflow(&["run", &file, "--to", "2025", "-q"], &work));
    }
    assert!(!tmp.path().join("x").exists(), "wrote outside out/");
    assert!(!abs.exists(), "wrote to the absolute path of the name");
    let mut made: Vec<String> = std::fs::read_dir(work.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(made.iter().all(|m| !m.starts_with('.')), "{made:?}");
}

#[test]
fn an_empty_or_dot_scenario_name_does_not_write_into_out_itself() {
    let tmp = tempfile::tempdir().unwrap();
    for (k, name) in ["", "."].iter().enumerate() {
        let file = format!("s{k}.toml");
        write(tmp.path(), &file, &format!("name = {name:?}\n"));
        ok(&oreflow(&["run", &file, "--to", "2025", "-q"], tmp.path()));
        assert!(!tmp.path().join("out/prices.csv").exists(), "{name:?}");
        assert!(tmp.path().join(format!("out/s{k}/prices.csv")).is_file());
    }
}

#[test]
fn a_newline_in_a_scenario_name_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.toml", "name = \"two\\nlines\"\n");
    bad_input(
        &oreflow(&["run", "s.toml", "--to", "2025", "-q"], tmp.path()),
        "s.toml:1:8: `name` holds a control character",
    );
    assert!(!tmp.path().join("out").exists());
}

// ---- data loss: outputs that are inputs, report files ----

fn small_ensemble(dir: &Path, out: &str, shard: Option<&str>) {
    let f = fixture("ensemble-small.toml");
    let mut args = vec![
        "ensemble", &f, "-n", "4", "-t", "1", "-q", "--to", "2025", "-o", out,
    ];
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    ok(&oreflow(&args, dir));
}

#[test]
fn merge_into_one_of_its_inputs_is_refused_and_leaves_it_intact() {
    let tmp = tempfile::tempdir().unwrap();
    small_ensemble(tmp.path(), "shard-1", Some("1/2"));
    small_ensemble(tmp.path(), "shard-2", Some("2/2"));
    let before = snapshot_dir(&tmp.path().join("shard-1"));
    for args in [
        &["merge", "shard-1", "-o", "shard-1"][..],
        &["merge", "shard-1", "shard-2", "-o", "shard-1"],
        &["merge", "shard-1", "shard-2", "-o", "./shard-2/../shard-1"],
    ] {
        bad_input(
            &oreflow(args, tmp.path()),
            "is also an input of this command",
        );
        assert_eq!(
            snapshot_dir(&tmp.path().join("shard-1")),
            before,
            "{args:?}"
        );
    }
    ok(&oreflow(
        &["merge", "shard-1", "shard-2", "-o", "merged"],
        tmp.path(),
    ));
}

#[test]
fn a_run_into_its_own_table_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "mydata/mines.csv", &embedded("mines.csv"));
    let before = snapshot_dir(&tmp.path().join("mydata"));
    bad_input(
        &oreflow(
            &["run", "mydata", "-o", "mydata", "--to", "2025", "-q"],
            tmp.path(),
        ),
        "mydata",
    );
    assert_eq!(snapshot_dir(&tmp.path().join("mydata")), before);
}

#[test]
fn two_reports_in_one_folder_keep_their_own_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "base"],
        tmp.path(),
    ));
    write(tmp.path(), "report.json", "{\"mine\": 1}\n");
    ok(&oreflow(
        &["report", "--from", "base", "-o", "a.html"],
        tmp.path(),
    ));
    let lic = scenario("china-heavy-ree-licensing-2025.toml");
    ok(&oreflow(
        &["report", &lic, "--to", "2025", "-o", "b.html"],
        tmp.path(),
    ));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("report.json")).unwrap(),
        "{\"mine\": 1}\n",
        "report -o x.html overwrote ./report.json"
    );
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("a.json")).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(a["scenario"], "baseline");
    assert_eq!(b["scenario"], "china-heavy-ree-licensing-2025");
}

#[test]
fn a_report_does_not_overwrite_a_file_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "base"],
        tmp.path(),
    ));
    write(tmp.path(), "notes.html", "my notes\n");
    bad_input(
        &oreflow(
            &["report", "--from", "base", "-o", "notes.html"],
            tmp.path(),
        ),
        "was not written by oreflow",
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.html")).unwrap(),
        "my notes\n"
    );
}

// ---- hangs and memory ----

#[test]
fn a_huge_project_cost_is_an_error_not_an_allocation_of_gigabytes() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "s.toml",
        "[[project]]\nid = \"mag_x\"\nstage = \"magnet\"\nregion = \"JP\"\nstart_year = 2024\ncapacity_t_magnet = 1000\ncost_usd_per_kg = 1e308\nsource = \"usgs_mcs2026_ree\"\n",
    );
    let out = oreflow_limited(&["validate", "s.toml"], tmp.path(), "-v 2000000", 60);
    bad_input(
        &out,
        "s.toml:7:19: `cost_usd_per_kg` is 1e308; possible values are",
    );
}

#[test]
fn a_huge_reference_price_in_a_table_folder_is_an_error_not_an_allocation_of_gigabytes() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "d/elements.csv",
        &embedded("elements.csv").replacen(",812,", ",1e308,", 1),
    );
    let out = oreflow_limited(&["data", "d", "--check"], tmp.path(), "-v 2000000", 60);
    bad_input(&out, "field `reference_price_usd_per_kg`: is 1e308");
}

#[test]
fn a_device_as_base_or_table_is_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("zero.csv")).unwrap();
    write(tmp.path(), "a.toml", "base = \"/dev/zero\"\n");
    write(tmp.path(), "b.toml", "[tables]\nmines = \"/dev/zero\"\n");
    write(tmp.path(), "c.toml", "[tables]\nmines = \"zero.csv\"\n");
    write(tmp.path(), "d/regions.csv", &embedded("regions.csv"));
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("d/mines.csv")).unwrap();
    for (args, want) in [
        (&["validate", "a.toml"][..], "is not a regular file"),
        (&["validate", "b.toml"], "is a device, not a regular file"),
        (&["validate", "c.toml"], "is a device, not a regular file"),
        (&["data", "d"], "is a device, not a regular file"),
    ] {
        let out = oreflow_limited(args, tmp.path(), "-v 2000000", 20);
        bad_input(&out, want);
    }
}

// ---- accepted nonsense ----

#[test]
fn impossible_capacities_costs_and_disposal_costs_are_refused_by_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[project]]\nid = \"cn_bayan_obo\"\ncapacity_t_reo = 1e308\n",
            "`capacity_t_reo` is 1e308",
        ),
        (
            "[[project]]\nid = \"cn_bayan_obo\"\ncapacity_t_reo = 1e15\n",
            "`capacity_t_reo` is 1e15",
        ),
        (
            "[run]\ndisposal_cost_usd_per_kg = 1e9\n",
            "`disposal_cost_usd_per_kg` is 1e9",
        ),
        (
            "[[project]]\nid = \"cn_bayan_obo\"\ncost_usd_per_kg = 1e20\n",
            "`cost_usd_per_kg` is 1e20",
        ),
    ];
    for (k, (text, want)) in cases.iter().enumerate() {
        let f = format!("s{k}.toml");
        write(tmp.path(), &f, text);
        bad_input(&oreflow(&["validate", &f], tmp.path()), want);
        bad_input(
            &oreflow(&["run", &f, "--to", "2025", "-q"], tmp.path()),
            want,
        );
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn an_implausible_but_possible_value_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "s.toml",
        "[[project]]\nid = \"cn_bayan_obo\"\ncapacity_t_reo = 2000000\n",
    );
    let out = oreflow(&["validate", "s.toml"], tmp.path());
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: s.toml:3:18: `capacity_t_reo` is 2,000,000, outside the plausible range"
        ),
        "{err}"
    );
}

/// A finished run's folder with one table replaced (manifest updated):
/// `report --from` must refuse it with `want`.
fn report_refuses(file: &str, edit: impl Fn(&str) -> String, want: &str) {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "base"],
        tmp.path(),
    ));
    let dir = tmp.path().join("base");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    forge(&dir, file, &edit(&text));
    bad_input(
        &oreflow(&["report", "--from", "base", "-o", "r.html"], tmp.path()),
        want,
    );
    assert!(!tmp.path().join("r.html").exists());
}

/// `text` with the numeric field `col` of data line `line` (1 = first row) set.
fn set_field(text: &str, line: usize, col: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let i = header.iter().position(|h| *h == col).unwrap();
    let mut cells: Vec<String> = lines[line].split(',').map(String::from).collect();
    cells[i] = value.to_string();
    lines[line] = cells.join(",");
    lines.join("\n") + "\n"
}

#[test]
fn report_from_refuses_nan_prices() {
    report_refuses(
        "prices.csv",
        |t| set_field(t, 1, "usd_per_kg", "NaN"),
        "prices.csv:2: `usd_per_kg` = \"NaN\" is not a finite number",
    );
}

#[test]
fn report_from_refuses_negative_production() {
    report_refuses(
        "production.csv",
        |t| set_field(t, 1, "tonnes", "-5"),
        "production.csv:2: `tonnes` = \"-5\" is negative",
    );
}

#[test]
fn report_from_refuses_infinite_shortfalls() {
    report_refuses(
        "consumption.csv",
        |t| set_field(t, 1, "shortfall_t", "inf"),
        "consumption.csv:2: `shortfall_t` = \"inf\" is not a finite number",
    );
}

#[test]
fn report_from_refuses_duplicated_rows() {
    report_refuses(
        "prices.csv",
        |t| {
            let second = t.lines().nth(1).unwrap();
            format!("{t}{second}\n")
        },
        "repeats the row of line 2",
    );
}

#[test]
fn report_from_refuses_years_outside_the_run() {
    for y in ["1900", "2045"] {
        report_refuses(
            "prices.csv",
            |t| set_field(t, 1, "year", y),
            "is outside the run's years 2024–2025",
        );
    }
}

#[test]
fn report_from_refuses_unknown_regions() {
    report_refuses(
        "prices.csv",
        |t| set_field(t, 1, "region", "XX"),
        "`region` = \"XX\" is not a region of the run",
    );
}

#[test]
fn report_from_refuses_header_only_tables() {
    report_refuses(
        "production.csv",
        |t| t.lines().next().unwrap().to_string() + "\n",
        "production.csv: has a header but no rows",
    );
}

#[test]
fn report_from_refuses_rows_with_extra_fields() {
    report_refuses(
        "prices.csv",
        |t| {
            let mut lines: Vec<String> = t.lines().map(String::from).collect();
            lines[3].push_str(",7");
            lines.join("\n") + "\n"
        },
        "prices.csv:4: the row has 5 fields; the header has 4",
    );
}

#[test]
fn report_from_refuses_a_folder_changed_after_it_was_written() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "base"],
        tmp.path(),
    ));
    let p = tmp.path().join("base/prices.csv");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replacen("2024,CN", "2024,JP", 1)).unwrap();
    bad_input(
        &oreflow(&["report", "--from", "base"], tmp.path()),
        "prices.csv: has a different content: it is not the file `oreflow run` wrote",
    );
}

#[test]
fn compare_on_output_folders_says_so_and_points_to_report() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "out/baseline"],
        tmp.path(),
    ));
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "out/mine"],
        tmp.path(),
    ));
    let out = oreflow(&["compare", "out/baseline", "out/mine"], tmp.path());
    bad_input(
        &out,
        "is the output folder of `oreflow run`, not a folder of dataset tables",
    );
    assert!(stderr(&out).contains("oreflow report --from out/baseline --compare"));
}

#[test]
fn a_run_on_a_folder_without_tables_says_which_files_it_expected() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    bad_input(
        &oreflow(&["run", "empty", "--to", "2025", "-q"], tmp.path()),
        "holds none of the dataset's tables; expected one or more of sources.csv, dataset.csv, regions.csv",
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn report_compare_with_a_shorter_run_is_refused_instead_of_drawn_flat() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2026", "-q", "-o", "short"],
        tmp.path(),
    ));
    let lic = scenario("china-heavy-ree-licensing-2025.toml");
    bad_input(
        &oreflow(
            &[
                "report",
                &lic,
                "--to",
                "2028",
                "--compare",
                "short",
                "-o",
                "r.html",
            ],
            tmp.path(),
        ),
        "covers 2024–2026, but the report's run covers 2024–2028",
    );
}

// ---- the command-line contract ----

#[test]
fn a_calibration_failure_in_run_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    // Magnet demand far above what the mines supply: calibration fails.
    let md = embedded("magnet_demand.csv");
    let mut lines: Vec<String> = md.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let i = header.iter().position(|h| *h == "t_magnet").unwrap();
    for l in lines.iter_mut().skip(1) {
        let mut c: Vec<String> = l.split(',').map(String::from).collect();
        if let Ok(x) = c[i].parse::<f64>() {
            c[i] = format!("{}", x * 20.0);
        }
        *l = c.join(",");
    }
    write(
        tmp.path(),
        "d/magnet_demand.csv",
        &(lines.join("\n") + "\n"),
    );
    let out = oreflow(&["run", "d", "--to", "2025", "-q"], tmp.path());
    bad_input(&out, "calibration failed");
}

#[test]
fn an_output_path_that_is_a_file_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "taken", "mine\n");
    bad_input(
        &oreflow(&["run", "--to", "2025", "-q", "-o", "taken"], tmp.path()),
        "is a file, not a folder",
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("taken")).unwrap(),
        "mine\n"
    );
}

#[test]
fn an_output_folder_holding_other_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "docs/notes.txt", "mine\n");
    bad_input(
        &oreflow(&["run", "--to", "2025", "-q", "-o", "docs"], tmp.path()),
        "holds files oreflow did not write (notes.txt)",
    );
    bad_input(
        &oreflow(&["run", "--to", "2025", "-q", "-o", "."], tmp.path()),
        "is the current folder",
    );
}

#[test]
fn goods_accept_space_separated_values_as_the_help_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("ensemble-small.toml");
    let out = oreflow(
        &[
            "ensemble", &f, "-n", "2", "-t", "1", "-q", "--to", "2025", "-o", "e", "--goods", "Nd",
            "Dy",
        ],
        tmp.path(),
    );
    ok(&out);
    let summary = std::fs::read_to_string(tmp.path().join("e/summary.csv")).unwrap();
    assert!(summary.contains(",Dy,") && summary.contains(",Nd,"));
    assert!(!summary.contains(",Tb,"));
}

#[test]
fn run_from_2050_names_the_default_to_in_its_message() {
    let tmp = tempfile::tempdir().unwrap();
    bad_input(
        &oreflow(&["run", "--from", "2050"], tmp.path()),
        "--from 2050 is after the last year 2040 (the scenario's, which is the default of --to); add --to 2050",
    );
}

#[test]
fn a_semicolon_separated_or_non_utf8_table_gets_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "semi/regions.csv",
        &embedded("regions.csv").replace(',', ";"),
    );
    bad_input(
        &oreflow(&["run", "semi", "--to", "2025", "-q"], tmp.path()),
        "saved by Excel with `;`? Re-save it as \"CSV UTF-8 (comma delimited)\"",
    );
    let latin1: Vec<u8> = embedded("mines.csv")
        .replacen("Bayan Obo", "Bayan \u{d6}bo", 1)
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    std::fs::create_dir(tmp.path().join("latin")).unwrap();
    std::fs::write(tmp.path().join("latin/mines.csv"), latin1).unwrap();
    bad_input(
        &oreflow(&["run", "latin", "--to", "2025", "-q"], tmp.path()),
        "is not UTF-8 text\n  hint: saved in another encoding (Excel's \"CSV\" is Windows-1252)? Re-save it as \"CSV UTF-8\"",
    );
}

// ---- the comparison report ----

fn payload(dir: &Path, file: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

#[test]
fn the_comparison_headline_shows_the_largest_changes_where_they_happen() {
    let tmp = tempfile::tempdir().unwrap();
    let lic = scenario("china-heavy-ree-licensing-2025.toml");
    ok(&oreflow(
        &[
            "report",
            &lic,
            "--to",
            "2027",
            "--compare",
            "baseline",
            "-o",
            "r.html",
        ],
        tmp.path(),
    ));
    let p = payload(tmp.path(), "r.json");
    let cards = p["headline"].as_array().unwrap();
    assert!(!cards.is_empty());
    // A Chinese export control raises prices outside China: the headline
    // names such a region, not China's prices only.
    let outside = cards.iter().any(|c| {
        let l = c["label"].as_str().unwrap();
        l.contains("price") && !l.contains("China") && c["region"].as_str() != Some("CN")
    });
    assert!(outside, "{cards:#?}");
    // Cards are in order of their relative change, largest first.
    let change = |c: &serde_json::Value| c["change"].as_f64().unwrap().abs();
    assert!(
        cards.windows(2).all(|w| change(&w[0]) >= change(&w[1])),
        "{cards:#?}"
    );
}

#[test]
fn the_import_reliance_heat_map_shows_both_scenarios_in_a_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let lic = scenario("china-heavy-ree-licensing-2025.toml");
    ok(&oreflow(
        &[
            "report",
            &lic,
            "--to",
            "2026",
            "--compare",
            "baseline",
            "-o",
            "r.html",
        ],
        tmp.path(),
    ));
    let p = payload(tmp.path(), "r.json");
    let r = &p["import_reliance"];
    assert!(r["a"].is_object() && r["b"].is_object(), "{r:#}");
    assert_eq!(r["b"]["scenario"], "baseline");
    let html = std::fs::read_to_string(tmp.path().join("r.html")).unwrap();
    assert!(
        html.contains("Import reliance by region, 2026: A"),
        "no A map"
    );
    assert!(
        html.contains("Import reliance by region, 2026: B"),
        "no B map"
    );
}
