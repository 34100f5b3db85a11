//! Scenarios read through an [`InMemory`] resolver (what a server uses) see
//! only the shipped scenarios and the files handed to it: no path, `..`,
//! absolute path, symlink or `[tables]` file reaches the disk.

use std::path::Path;

use oreflow_scenario::{InMemory, Scenario};

fn load(extra: &[(&str, &str)], text: &str) -> Result<Scenario, String> {
    let mut m = InMemory::shipped();
    for (n, t) in extra {
        m.insert(n, *t).map_err(|r| r.message)?;
    }
    m.insert("scenario.toml", text).map_err(|r| r.message)?;
    Scenario::load_with(&m, Path::new("scenario.toml")).map_err(|e| e.to_string())
}

#[test]
fn a_shipped_base_and_a_file_sent_along_resolve() {
    let sc = load(
        &[],
        "name = \"x\"\nbase = \"china-heavy-ree-licensing-2025.toml\"\n",
    )
    .unwrap();
    assert_eq!(sc.name, "x");
    assert!(!sc.policies.export_controls.is_empty());
    // Without `.toml`, and through a file sent along.
    let sc = load(
        &[("mine.toml", "base = \"turkey-beylikova\"\n")],
        "base = \"mine.toml\"\n",
    )
    .unwrap();
    assert_eq!(sc.files.len(), 3, "{:?}", sc.files);
    // The shipped chain (eu-resilience-2030 → china-heavy-ree-licensing-2025).
    let sc = load(&[], "base = \"eu-resilience-2030.toml\"\n").unwrap();
    assert_eq!(sc.files.len(), 3);
}

#[test]
fn paths_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.toml");
    std::fs::write(&real, "name = \"on-disk\"\n").unwrap();
    let link = dir.path().join("link.toml");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let cases = [
        "../scenarios/turkey-beylikova.toml".to_string(),
        "../../../../../../etc/passwd".to_string(),
        "/etc/passwd".to_string(),
        real.display().to_string(),
        link.display().to_string(),
        "scenarios/turkey-beylikova.toml".to_string(),
        "./turkey-beylikova.toml".to_string(),
        "..\\..\\secret.toml".to_string(),
    ];
    for base in cases {
        let text = format!("name = \"x\"\nbase = {base:?}\n");
        let e = load(&[], &text).unwrap_err();
        assert!(
            e.starts_with("scenario.toml:2:8: `base = ")
                && e.contains("names a path; here `base` may name only `baseline`"),
            "{base}: {e}"
        );
    }
}

#[test]
fn tables_are_refused() {
    let e = load(&[], "[tables]\nmines = \"/etc/passwd\"\n").unwrap_err();
    assert!(
        e.starts_with("scenario.toml:2:9: `[tables]` would read `/etc/passwd` from the server's disk, which is refused here"),
        "{e}"
    );
    let e = load(
        &[("base.toml", "[tables]\nmines = \"mines.csv\"\n")],
        "base = \"base.toml\"\n",
    )
    .unwrap_err();
    assert!(e.starts_with("base.toml:2:9: `[tables]`"), "{e}");
}

#[test]
fn unknown_names_and_cycles() {
    let e = load(&[], "base = \"turkey-beylikov\"\n").unwrap_err();
    assert!(
        e.contains("base scenario `turkey-beylikov` is not available here")
            && e.contains("did you mean `turkey-beylikova.toml`?"),
        "{e}"
    );
    let e = load(&[], "base = \"scenario.toml\"\n").unwrap_err();
    assert!(e.contains("`base` makes a cycle"), "{e}");
    let e = load(
        &[
            ("a.toml", "base = \"b.toml\"\n"),
            ("b.toml", "base = \"a.toml\"\n"),
        ],
        "base = \"a.toml\"\n",
    )
    .unwrap_err();
    assert!(e.contains("`base` makes a cycle"), "{e}");
}

/// A plain name that exists on disk next to the process (here: a symlink to
/// a real file in the working directory) is still not read.
#[test]
fn files_in_the_working_directory_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("real.toml"), "name = \"on-disk\"\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("real.toml"), dir.path().join("link.toml")).unwrap();
    let mut m = InMemory::shipped();
    m.insert("scenario.toml", "base = \"link.toml\"\n").unwrap();
    let e = Scenario::load_with(&m, &dir.path().join("scenario.toml")).unwrap_err();
    // The leaf id is not a plain name it holds, so even it is not read.
    assert!(e.message.contains("is not available here"), "{e}");
    for base in ["link.toml", "real.toml"] {
        let mut m = InMemory::shipped();
        m.insert("scenario.toml", format!("base = \"{base}\"\n"))
            .unwrap();
        let e = Scenario::load_with(&m, Path::new("scenario.toml")).unwrap_err();
        assert!(e.message.contains("is not available here"), "{base}: {e}");
    }
}
