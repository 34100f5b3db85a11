//! Where a scenario's files come from. The loader never opens a file itself:
//! it asks a [`Resolver`] for the text of a scenario, for the scenario that
//! `base` names and for the tables that `[tables]` names.
//!
//! - [`FileSystem`]: the command line's view — paths relative to the file
//!   that names them, read from disk.
//! - [`InMemory`]: a server's view — only the shipped scenarios
//!   ([`SHIPPED`], compiled into the binary) and files handed over with a
//!   request, by plain name. It has no access to any disk: a path, `..`, an
//!   absolute path or a name it does not hold is refused, and so is
//!   `[tables]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oreflow_core::closest;

/// Why a file could not be had: the message and, when known, a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub hint: Option<String>,
}

impl Refusal {
    fn new(message: impl Into<String>, hint: Option<String>) -> Self {
        Refusal {
            message: message.into(),
            hint,
        }
    }
}

/// What the scenario loader may read.
pub trait Resolver {
    /// The text of the scenario file `id` (one given to the loader or
    /// returned by [`Resolver::base`]).
    fn read(&self, id: &Path) -> Result<String, Refusal>;
    /// The id of the scenario that `base = "name"` in the file `from` names.
    fn base(&self, from: &Path, name: &str) -> Result<PathBuf, Refusal>;
    /// The id and text of the table file that `[tables] t = "name"` in the
    /// file `from` names.
    fn table(&self, from: &Path, name: &str) -> Result<(PathBuf, String), Refusal>;
    /// What makes two ids the same file (to find cycles of bases).
    fn identity(&self, id: &Path) -> PathBuf {
        id.to_path_buf()
    }
}

/// Files on disk, relative to the file that names them (the command line).
#[derive(Clone, Copy, Debug, Default)]
pub struct FileSystem;

impl Resolver for FileSystem {
    fn read(&self, id: &Path) -> Result<String, Refusal> {
        crate::resolve::read_file(id, oreflow_io::Limit::Scenario).map_err(|e| {
            Refusal::new(
                format!("cannot read the scenario file: {}", e.message),
                (e.kind == oreflow_io::IoErrorKind::NotFound)
                    .then(|| "give `baseline` or the path of a .toml scenario file".to_string()),
            )
        })
    }

    fn base(&self, from: &Path, name: &str) -> Result<PathBuf, Refusal> {
        let p = from.parent().unwrap_or(Path::new(".")).join(name);
        let hint = || {
            Some(format!(
                "`base` is an embedded dataset ({}) or a path relative to this file",
                oreflow_data::DATASETS.join(", ")
            ))
        };
        if !p.exists() {
            return Err(Refusal::new(
                format!(
                    "base scenario `{name}` not found (looked for {})",
                    p.display()
                ),
                hint(),
            ));
        }
        if !p.is_file() {
            return Err(Refusal::new(
                format!(
                    "base scenario `{name}` is not a regular file ({})",
                    p.display()
                ),
                hint(),
            ));
        }
        Ok(p)
    }

    fn table(&self, from: &Path, name: &str) -> Result<(PathBuf, String), Refusal> {
        let p = from.parent().unwrap_or(Path::new(".")).join(name);
        match crate::resolve::read_file(&p, oreflow_io::Limit::Table) {
            Ok(text) => Ok((p, text)),
            Err(e) => Err(Refusal::new(
                format!("cannot read table file {}: {}", p.display(), e.message),
                None,
            )),
        }
    }

    fn identity(&self, id: &Path) -> PathBuf {
        id.canonicalize().unwrap_or_else(|_| id.to_path_buf())
    }
}

/// The scenarios shipped in `scenarios/`, compiled in: (file name, text).
pub const SHIPPED: [(&str, &str); 7] = [
    (
        "china-ban-us.toml",
        include_str!("../../../scenarios/china-ban-us.toml"),
    ),
    (
        "china-heavy-ree-licensing-2025.toml",
        include_str!("../../../scenarios/china-heavy-ree-licensing-2025.toml"),
    ),
    (
        "demand-net-zero.toml",
        include_str!("../../../scenarios/demand-net-zero.toml"),
    ),
    (
        "ensemble-licensing-risk.toml",
        include_str!("../../../scenarios/ensemble-licensing-risk.toml"),
    ),
    (
        "eu-resilience-2030.toml",
        include_str!("../../../scenarios/eu-resilience-2030.toml"),
    ),
    (
        "turkey-beylikova-own-separation.toml",
        include_str!("../../../scenarios/turkey-beylikova-own-separation.toml"),
    ),
    (
        "turkey-beylikova.toml",
        include_str!("../../../scenarios/turkey-beylikova.toml"),
    ),
];

/// A fixed set of scenario files held in memory, named by plain file names
/// (`my-scenario.toml`): no directories, no disk.
#[derive(Clone, Debug, Default)]
pub struct InMemory {
    files: BTreeMap<String, String>,
    shipped: Vec<String>,
}

/// Is `name` a plain file name: letters, digits, `.`, `_`, `-`, not starting
/// with a dot, no `..`, at most 100 characters?
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl InMemory {
    /// No files at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// The shipped scenarios ([`SHIPPED`]).
    pub fn shipped() -> Self {
        let mut m = Self::new();
        for (name, text) in SHIPPED {
            m.files.insert(name.to_string(), text.to_string());
        }
        m.shipped = m.files.keys().cloned().collect();
        m
    }

    /// Adds a file. Refused: a name that is not plain ([`is_plain_name`],
    /// ending in `.toml`) or one already held (a shipped scenario cannot be
    /// replaced).
    pub fn insert(&mut self, name: &str, text: impl Into<String>) -> Result<(), Refusal> {
        if !is_plain_name(name) || !name.ends_with(".toml") {
            return Err(Refusal::new(
                format!("`{name}` is not a plain file name"),
                Some("name files like `my-scenario.toml`: letters, digits, `.`, `_` and `-`, ending in `.toml`, no folders".into()),
            ));
        }
        if self.files.contains_key(name) {
            return Err(Refusal::new(
                format!(
                    "a file named `{name}` is already there (shipped scenarios cannot be replaced)"
                ),
                Some("give the file another name".into()),
            ));
        }
        self.files.insert(name.to_string(), text.into());
        Ok(())
    }

    /// The text of a file, by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The names held, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    fn not_here(&self, what: &str, name: &str) -> Refusal {
        let stem = |n: &str| n.trim_end_matches(".toml").to_string();
        let stems: Vec<String> = self.names().map(stem).collect();
        let hint = closest(&stem(name), stems.iter().map(String::as_str))
            .map(|c| format!("did you mean `{c}.toml`?"))
            .unwrap_or_else(|| {
                format!(
                    "available: baseline, {}",
                    self.names().collect::<Vec<_>>().join(", ")
                )
            });
        Refusal::new(format!("{what} `{name}` is not available here"), Some(hint))
    }
}

impl Resolver for InMemory {
    fn read(&self, id: &Path) -> Result<String, Refusal> {
        let name = id.to_str().unwrap_or("");
        self.files
            .get(name)
            .cloned()
            .ok_or_else(|| self.not_here("scenario", name))
    }

    fn base(&self, _from: &Path, name: &str) -> Result<PathBuf, Refusal> {
        if !is_plain_name(name) {
            return Err(Refusal::new(
                format!("`base = \"{name}\"` names a path; here `base` may name only `baseline`, a shipped scenario or a file sent along"),
                Some(format!("shipped scenarios: {}", self.shipped.join(", "))),
            ));
        }
        for candidate in [name.to_string(), format!("{name}.toml")] {
            if self.files.contains_key(&candidate) {
                return Ok(PathBuf::from(candidate));
            }
        }
        Err(self.not_here("base scenario", name))
    }

    fn table(&self, _from: &Path, name: &str) -> Result<(PathBuf, String), Refusal> {
        Err(Refusal::new(
            format!("`[tables]` would read `{name}` from the server's disk, which is refused here"),
            Some("replace data tables with the command-line tool (`oreflow run`), which reads your own files".into()),
        ))
    }
}

/// One scenario given as text (an embedded scenario), labelled `id`: its
/// `base` may only be an embedded dataset, and it names no table files.
pub(crate) struct OneText<'a> {
    pub id: &'a Path,
    pub text: &'a str,
}

impl Resolver for OneText<'_> {
    fn read(&self, id: &Path) -> Result<String, Refusal> {
        if id == self.id {
            Ok(self.text.to_string())
        } else {
            Err(Refusal::new(
                format!("{} is not available", id.display()),
                None,
            ))
        }
    }

    fn base(&self, _from: &Path, name: &str) -> Result<PathBuf, Refusal> {
        Err(Refusal::new(
            format!("base `{name}`: an embedded scenario's base must be an embedded dataset"),
            Some(format!(
                "embedded datasets: {}",
                oreflow_data::DATASETS.join(", ")
            )),
        ))
    }

    fn table(&self, _from: &Path, name: &str) -> Result<(PathBuf, String), Refusal> {
        Err(Refusal::new(
            format!("table file `{name}`: an embedded scenario names no table files"),
            None,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names() {
        for ok in ["a.toml", "china-ban-us.toml", "x_1.TOML", "v1.2.toml"] {
            assert!(is_plain_name(ok), "{ok}");
        }
        for bad in [
            "",
            "../x.toml",
            "..",
            "a/b.toml",
            "/etc/passwd",
            "a\\b.toml",
            ".hidden.toml",
            "a..toml",
            "c:x.toml",
            "a b.toml",
            "x\0.toml",
            "ü.toml",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn shipped_list_matches_the_scenarios_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = SHIPPED.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(listed, on_disk, "SHIPPED must list every scenarios/*.toml");
        for (n, text) in SHIPPED {
            assert_eq!(std::fs::read_to_string(dir.join(n)).unwrap(), text);
        }
    }

    #[test]
    fn in_memory_refuses_paths_tables_and_replacing_shipped_files() {
        let mut m = InMemory::shipped();
        assert!(m.insert("../evil.toml", "").is_err());
        assert!(m.insert("/scenarios/evil.toml", "").is_err());
        assert!(m.insert("evil.csv", "").is_err());
        assert!(m.insert("turkey-beylikova.toml", "").is_err());
        m.insert("mine.toml", "name = \"x\"").unwrap();
        let here = Path::new("scenario.toml");
        assert_eq!(m.base(here, "mine").unwrap(), PathBuf::from("mine.toml"));
        assert_eq!(
            m.base(here, "turkey-beylikova.toml").unwrap(),
            PathBuf::from("turkey-beylikova.toml")
        );
        for bad in [
            "../scenarios/turkey-beylikova.toml",
            "/etc/passwd",
            "scenarios/turkey-beylikova.toml",
            "..",
        ] {
            let r = m.base(here, bad).unwrap_err();
            assert!(r.message.contains("names a path"), "{bad}: {r:?}");
        }
        let r = m.base(here, "turkey-beylikova-typo").unwrap_err();
        assert!(r.message.contains("not available"), "{r:?}");
        assert!(m.table(here, "mines.csv").is_err());
        assert!(m.read(Path::new("/etc/passwd")).is_err());
    }
}
