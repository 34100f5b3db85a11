//! Helpers of the CLI integration tests. `OREFLOW_BIN` runs them against
//! another binary (e.g. a build of an older commit, to see a regression
//! test fail there).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    std::env::var_os("OREFLOW_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_oreflow")))
}

pub fn oreflow(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run oreflow")
}

/// Runs `oreflow` under a shell with `limits` (ulimit options, e.g. "-v
/// 4000000") and a timeout of `secs`.
pub fn oreflow_limited(args: &[&str], cwd: &Path, limits: &str, secs: u32) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit {limits}; exec timeout -s KILL {secs} '{}' {}",
            bin().display(),
            quoted.join(" ")
        ))
        .current_dir(cwd)
        .output()
        .expect("run oreflow")
}

pub fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit status 2 and a message holding `want`.
pub fn bad_input(out: &Output, want: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(want), "expected {want:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn scenario(name: &str) -> String {
    repo().join("scenarios").join(name).display().to_string()
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

pub fn embedded(table: &str) -> String {
    oreflow_data::embedded_files()
        .into_iter()
        .find(|(n, _)| *n == table)
        .unwrap()
        .1
        .to_string()
}

/// Replaces `file` in the output folder `dir` and updates the manifest so
/// that the folder still verifies: what a careful forger (or a buggy
/// writer) would leave; the content checks must catch it.
pub fn forge(dir: &Path, file: &str, content: &str) {
    std::fs::write(dir.join(file), content).unwrap();
    let mp = dir.join(oreflow_io::MANIFEST);
    if !mp.exists() {
        return; // a folder of an oreflow without manifests (OREFLOW_BIN)
    }
    let mut m: oreflow_io::Manifest =
        serde_json::from_str(&std::fs::read_to_string(&mp).unwrap()).unwrap();
    for f in &mut m.files {
        if f.name == file {
            f.bytes = content.len() as u64;
            f.sha256 = oreflow_io::sha256_hex(content.as_bytes());
        }
    }
    std::fs::write(&mp, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

/// Every file of a folder with its content (for "nothing changed").
pub fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap_or_default(),
                )
            })
            .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
