//! Names that become paths, outputs that overlap inputs, single-file writes.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::{IoError, IoErrorKind};

/// A folder name from free text (a scenario's `name`): letters, digits, `.`,
/// `_` and `-` are kept, anything else (slashes, spaces, control
/// characters) becomes `-`; leading dots and dashes are dropped, so the
/// result is never `.`, `..`, hidden or a path. `None` if nothing is left.
pub fn slug(name: &str) -> Option<String> {
    let mut s = String::new();
    for c in name.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
        let c = if keep { c } else { '-' };
        if c == '-' && s.ends_with('-') {
            continue;
        }
        s.push(c);
    }
    let s: String = s
        .trim_start_matches(['.', '-'])
        .trim_end_matches(['.', '-'])
        .chars()
        .take(100)
        .collect();
    let s = s.trim_end_matches(['.', '-']).to_string();
    (!s.is_empty()).then_some(s)
}

/// `p` made absolute with `.` and `..` resolved and symbolic links followed
/// as far as the path exists (the rest, not yet created, appended).
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(p)
    };
    // Longest existing prefix, canonicalised; then the remaining components.
    let comps: Vec<Component> = abs.components().collect();
    for k in (0..=comps.len()).rev() {
        let prefix: PathBuf = comps[..k].iter().collect();
        if let Ok(c) = prefix.canonicalize() {
            let mut out = c;
            for comp in &comps[k..] {
                match comp {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
    }
    abs
}

/// Refuses an output that is one of the command's inputs (writing it would
/// replace the input): `merge self -o self`, `run mydata -o mydata`, with
/// the paths resolved (`./a/../self` is `self`). An output inside an input
/// folder, or holding one, is allowed: the inputs are read before the
/// output is swapped into place, and the swap carries the folders it holds
/// over (the Slurm layout merges `OUT/shards/shard-K` into `OUT`).
pub fn refuse_overlap(output: &Path, inputs: &[&Path], flag: &str) -> Result<(), IoError> {
    let out = absolute(output);
    for input in inputs {
        if absolute(input) == out {
            return Err(IoError::new(
                IoErrorKind::Refused,
                output,
                format!(
                    "{flag} {} is also an input of this command; writing it would replace that input — choose another output",
                    output.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `p` is the current folder or one of its parents (an output there
/// would swap the folder the user is working in).
pub(crate) fn holds_cwd(p: &Path) -> bool {
    let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize()) else {
        return false;
    };
    cwd.starts_with(absolute(p))
}

/// Writes one file atomically: a temporary file beside it, fsynced, renamed
/// over `path`, then the folder fsynced. An interrupted write leaves `path`
/// as it was. Checking that `path` may be overwritten is the caller's job.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| IoError::new(IoErrorKind::Refused, path, "is not a file name"))?;
    if path.is_dir() {
        return Err(IoError::new(
            IoErrorKind::NotRegular,
            path,
            "is a folder; give the path of a file",
        ));
    }
    let tmp = dir.join(format!(
        ".{}.oreflow-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f =
            std::fs::File::create(&tmp).map_err(|e| IoError::os(path, "cannot write", &e))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| IoError::os(path, "cannot write", &e))?;
        std::fs::rename(&tmp, path).map_err(|e| IoError::os(path, "cannot write", &e))?;
        sync_dir(&dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// fsync of a folder (its entries); best effort.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_never_a_path() {
        for (name, want) in [
            ("..", None),
            (".", None),
            ("", None),
            ("../../x", Some("x")),
            ("/etc/passwd", Some("etc-passwd")),
            ("a\nb", Some("a-b")),
            ("Türkiye Beylikova", Some("Türkiye-Beylikova")),
            (
                "china-heavy-ree-licensing-2025",
                Some("china-heavy-ree-licensing-2025"),
            ),
            (".hidden", Some("hidden")),
            ("x/..", Some("x")),
        ] {
            assert_eq!(slug(name).as_deref(), want, "{name:?}");
        }
    }

    #[test]
    fn an_output_may_not_be_or_contain_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("shard-1");
        std::fs::create_dir(&a).unwrap();
        assert!(refuse_overlap(&a, &[&a], "-o").is_err());
        assert!(refuse_overlap(&dir.path().join("shard-1/../shard-1"), &[&a], "-o").is_err());
        assert!(refuse_overlap(dir.path(), &[&a], "-o").is_ok());
        assert!(refuse_overlap(&a.join("out"), &[&a], "-o").is_ok());
        assert!(refuse_overlap(&dir.path().join("merged"), &[&a], "-o").is_ok());
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, "old").unwrap();
        write_file_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
