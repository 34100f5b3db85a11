//! The data-safety suite (issue 10): a run or an ensemble interrupted by
//! SIGINT or SIGKILL at random moments, two writers of one folder at once, a
//! full disk (a small tmpfs where it can be mounted, and always an injected
//! write error: a file-size limit), and outputs equal to inputs. In each,
//! the user's previous files are intact and no command later accepts a
//! half-written folder. The random moments come from a seed printed by each
//! test (`SAFETY_SEED=…` repeats them).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small deterministic generator (xorshift) for the moments of the
/// signals.
struct Rng(u64);

impl Rng {
    fn new(test: &str) -> Rng {
        let seed = std::env::var("SAFETY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("{test}: SAFETY_SEED={seed}");
        Rng(seed | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn spawn(args: &[&str], cwd: &Path) -> Child {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn oreflow")
}

fn signal(child: &Child, sig: &str) {
    let _ = Command::new("kill")
        .args(["-s", sig, &child.id().to_string()])
        .status();
}

/// The folder is a complete oreflow output of `command` whose every file
/// matches its manifest, and nothing half-written sits in it.
fn complete(dir: &Path, command: &str) -> oreflow_io::OutputFolder {
    let f = oreflow_io::OutputFolder::open(dir, &[command])
        .unwrap_or_else(|e| panic!("{} is not a complete output: {e}", dir.display()));
    f.check_all()
        .unwrap_or_else(|e| panic!("{} does not match its manifest: {e}", dir.display()));
    for f in &f.manifest.files {
        assert!(
            f.bytes > 0 || f.name == "failures.csv",
            "{} is empty",
            f.name
        );
    }
    f
}

/// `report --from` accepts the folder.
fn report_accepts(dir: &Path, cwd: &Path) {
    let out = oreflow(
        &[
            "report",
            "--from",
            &dir.display().to_string(),
            "-o",
            &cwd.join("check.html").display().to_string(),
        ],
        cwd,
    );
    ok(&out);
}

/// Staging folders left beside `target` by killed writers.
fn leftovers(target: &Path) -> Vec<String> {
    let name = target.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.oreflow-tmp")))
        .collect()
}

#[test]
fn sigint_and_sigkill_during_a_run_leave_the_previous_result_intact() {
    let mut rng = Rng::new("run");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "out"],
        tmp.path(),
    ));
    let mut previous = snapshot_dir(&dir);
    // How long a longer run takes here, to spread the signals over it.
    let t = Instant::now();
    ok(&oreflow(
        &["run", "--to", "2040", "-q", "-o", "probe"],
        tmp.path(),
    ));
    let span = (t.elapsed().as_millis() as u64).max(50);
    for k in 0..12 {
        let sig = if k % 2 == 0 { "INT" } else { "KILL" };
        let to = if k % 4 < 2 { "2040" } else { "2030" };
        let mut child = spawn(&["run", "--to", to, "-q", "-o", "out"], tmp.path());
        let wait = rng.below(span * 11 / 10);
        std::thread::sleep(Duration::from_millis(wait));
        signal(&child, sig);
        let status = child.wait().unwrap();
        let now = snapshot_dir(&dir);
        // Either the previous result, untouched, or (the signal came after
        // the new one was in place) the new result, complete.
        let folder = complete(&dir, "run");
        if now != previous {
            let s: serde_json::Value = serde_json::from_slice(
                &folder
                    .read("summary.json", oreflow_io::Limit::Json)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(
                s["years"][1].to_string(),
                to,
                "SIG{sig} after {wait} ms ({status}): the folder changed but is not the new result"
            );
        }
        report_accepts(&dir, tmp.path());
        previous = now;
    }
    // The next writer removes what killed writers left beside the folder.
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "out"],
        tmp.path(),
    ));
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    complete(&dir, "run");
}

fn ensemble_args<'a>(f: &'a str, runs: &'a str, seed: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "ensemble", f, "-n", runs, "--seed", seed, "-t", "2", "-q", "-o", out,
    ]
}

#[test]
fn sigint_and_sigkill_during_an_ensemble_leave_the_finished_one_intact() {
    let mut rng = Rng::new("ensemble");
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("ensemble-small.toml");
    let dir = tmp.path().join("ens");
    ok(&oreflow(&ensemble_args(&f, "4", "1", "ens"), tmp.path()));
    let t = Instant::now();
    ok(&oreflow(&ensemble_args(&f, "30", "2", "probe"), tmp.path()));
    let span = (t.elapsed().as_millis() as u64).max(50);
    let mut previous = snapshot_dir(&dir);
    for k in 0..8 {
        let sig = if k % 2 == 0 { "INT" } else { "KILL" };
        let mut child = spawn(&ensemble_args(&f, "30", "3", "ens"), tmp.path());
        let wait = rng.below(span * 11 / 10);
        std::thread::sleep(Duration::from_millis(wait));
        signal(&child, sig);
        let status = child.wait().unwrap();
        let now = snapshot_dir(&dir);
        let folder = complete(&dir, "ensemble");
        if now != previous {
            let m: serde_json::Value = serde_json::from_slice(
                &folder
                    .read("manifest.json", oreflow_io::Limit::Json)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(
                (m["seed"].as_u64(), m["runs_total"].as_u64()),
                (Some(3), Some(30)),
                "SIG{sig} after {wait} ms ({status}): changed but not the new ensemble"
            );
        }
        // The summary belongs to the runs table beside it.
        let m: serde_json::Value = serde_json::from_slice(
            &folder
                .read("manifest.json", oreflow_io::Limit::Json)
                .unwrap(),
        )
        .unwrap();
        let s: serde_json::Value = serde_json::from_slice(
            &folder
                .read("summary.json", oreflow_io::Limit::Json)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(m["seed"], s["seed"]);
        assert_eq!(m["runs_total"], s["runs"]);
        report_accepts(&dir, tmp.path());
        previous = now;
    }
}

/// Two commands writing one folder at once: one wins, the other fails at
/// once and clearly; the folder is never a mix.
#[test]
fn concurrent_runs_into_one_folder_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("same");
    for _ in 0..10 {
        let a = spawn(&["run", "--to", "2029", "-q", "-o", "same"], tmp.path());
        let b = spawn(&["run", "--to", "2030", "-q", "-o", "same"], tmp.path());
        let (ra, rb) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(ra.status.success() || rb.status.success());
        for r in [&ra, &rb] {
            if !r.status.success() {
                assert_eq!(r.status.code(), Some(1));
                let err = String::from_utf8_lossy(&r.stderr);
                assert!(err.contains("another oreflow command"), "{err}");
            }
        }
        let folder = complete(&dir, "run");
        let summary: serde_json::Value = serde_json::from_slice(
            &folder
                .read("summary.json", oreflow_io::Limit::Json)
                .unwrap(),
        )
        .unwrap();
        let last = summary["years"][1].as_i64().unwrap().to_string();
        let prices = folder
            .read_text("prices.csv", oreflow_io::Limit::Output)
            .unwrap();
        assert!(prices.lines().last().unwrap().starts_with(&last));
        report_accepts(&dir, tmp.path());
    }
}

#[test]
fn concurrent_ensembles_into_one_folder_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("ensemble-small.toml");
    let dir = tmp.path().join("same");
    for _ in 0..4 {
        let a = spawn(&ensemble_args(&f, "6", "1", "same"), tmp.path());
        let b = spawn(&ensemble_args(&f, "6", "2", "same"), tmp.path());
        let (ra, rb) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(ra.status.success() || rb.status.success());
        let folder = complete(&dir, "ensemble");
        let m: serde_json::Value = serde_json::from_slice(
            &folder
                .read("manifest.json", oreflow_io::Limit::Json)
                .unwrap(),
        )
        .unwrap();
        let s: serde_json::Value = serde_json::from_slice(
            &folder
                .read("summary.json", oreflow_io::Limit::Json)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            m["seed"], s["seed"],
            "summary of one seed, manifest of another"
        );
        report_accepts(&dir, tmp.path());
    }
}

/// A write that fails half-way (the file-size limit gives the same error as
/// a full disk, EFBIG instead of ENOSPC; with SIGXFSZ left at its default the
/// process is killed mid-write instead): the previous result stays whole.
#[test]
fn a_write_error_half_way_leaves_the_previous_result_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "out"],
        tmp.path(),
    ));
    let before = snapshot_dir(&dir);
    for (trap, blocks) in [("trap '' XFSZ;", 400), ("", 400), ("trap '' XFSZ;", 2)] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{trap} ulimit -f {blocks}; exec '{}' run --to 2040 -q -o out",
                bin().display()
            ))
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "the limit did not bite");
        if !trap.is_empty() {
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
            assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
        }
        assert!(
            snapshot_dir(&dir) == before,
            "{trap} {blocks}: the result changed"
        );
        complete(&dir, "run");
        report_accepts(&dir, tmp.path());
    }
}

/// Unmounts a tmpfs when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_result_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        // Not root here: the injected write error above covers the path.
        eprintln!("note: cannot mount a tmpfs here; the full-disk case runs as an injected write error only");
        return;
    }
    let _m = Mount(mnt.clone());
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "small/out"],
        tmp.path(),
    ));
    let dir = mnt.join("out");
    let before = snapshot_dir(&dir);
    let out = oreflow(
        &["run", "--to", "2040", "-q", "-o", "small/out"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert!(snapshot_dir(&dir) == before, "the result changed");
    complete(&dir, "run");
    report_accepts(&dir, tmp.path());
    assert_eq!(
        leftovers(&dir),
        Vec::<String>::new(),
        "a failed write left its staging folder"
    );
}

#[test]
fn an_output_equal_to_an_input_is_refused_and_the_input_kept() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&oreflow(
        &["run", "--to", "2025", "-q", "-o", "base"],
        tmp.path(),
    ));
    let f = fixture("ensemble-small.toml");
    let mut a = ensemble_args(&f, "4", "1", "ens");
    a.extend(["--shard", "1/1"]);
    ok(&oreflow(&a, tmp.path()));
    let base = snapshot_dir(&tmp.path().join("base"));
    let ens = snapshot_dir(&tmp.path().join("ens"));
    for (args, want) in [
        (&["merge", "ens", "-o", "ens"][..], "is also an input"),
        (&["merge", "ens", "-o", "."], "is the current folder"),
        (
            &["report", "--from", "base", "-o", "base/prices.csv"],
            "not written by oreflow",
        ),
        (&["report", "--from", "base", "-o", "base"], "base"),
    ] {
        let out = oreflow(args, tmp.path());
        bad_input(&out, want);
    }
    assert!(snapshot_dir(&tmp.path().join("base")) == base);
    assert!(snapshot_dir(&tmp.path().join("ens")) == ens);
}
