//! Output folders: staged, fsynced, described by a manifest, swapped into
//! place atomically; and read back only when complete and unchanged.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::lock::Lock;
use crate::paths::{holds_cwd, refuse_overlap, sync_dir};
use crate::read::{open_regular, read_bytes, Limit};
use crate::{IoError, IoErrorKind};

/// The manifest's file name in every output folder.
pub const MANIFEST: &str = "oreflow-output.json";

/// What wrote a folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriterInfo {
    /// The subcommand (`run`, `compare`, `ensemble`, `merge`, …).
    pub command: String,
    pub oreflow_version: String,
}

/// One file of an output folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// `oreflow-output.json`: what wrote the folder, from which inputs, whether
/// it is complete, and every file with its size and hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `oreflow-output`.
    pub format: String,
    pub writer: WriterInfo,
    /// SHA-256 of everything the command read (scenario, dataset, settings).
    pub inputs_fingerprint: String,
    /// The input paths as given on the command line.
    pub inputs: Vec<String>,
    /// False while the folder is being written; a folder at its target path
    /// is always complete.
    pub complete: bool,
    pub files: Vec<FileEntry>,
}

const FORMAT: &str = "oreflow-output";

/// A SHA-256 that can be fed with `write!` (to fingerprint `Debug` output
/// without building the whole string).
pub struct Fingerprint(Sha256);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(Sha256::new())
    }
}

impl std::fmt::Write for Fingerprint {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl Fingerprint {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    /// The hash, hex.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// SHA-256 (hex) of a value's `Debug` form, streamed.
pub fn fingerprint(value: &impl std::fmt::Debug) -> String {
    use std::fmt::Write as _;
    let mut f = Fingerprint::default();
    let _ = write!(f, "{value:?}");
    f.finish()
}

/// SHA-256 of `bytes`, hex (as in the manifest).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_file(path: &Path) -> Result<(u64, String), IoError> {
    let (mut f, _) = open_regular(path, Limit::Parquet)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f
            .read(&mut buf)
            .map_err(|e| IoError::os(path, "cannot read", &e))?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex(&h.finalize())))
}

fn staging_prefix(target: &Path) -> String {
    format!(
        ".{}.oreflow-tmp-",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    )
}

fn old_prefix(target: &Path) -> String {
    format!(
        ".{}.oreflow-old-",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    )
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, IoError> {
    let path = dir.join(MANIFEST);
    match read_bytes(&path, Limit::Json) {
        Ok(b) => serde_json::from_slice::<Manifest>(&b)
            .ok()
            .filter(|m| m.format == FORMAT)
            .map(Some)
            .ok_or_else(|| {
                IoError::new(
                    IoErrorKind::BadOutput,
                    &path,
                    "is not an oreflow output manifest",
                )
            }),
        Err(e) if e.kind == IoErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), IoError> {
    let text = serde_json::to_string_pretty(m)
        .map_err(|e| IoError::new(IoErrorKind::Io, dir, e.to_string()))?;
    crate::paths::write_file_atomic(&dir.join(MANIFEST), (text + "\n").as_bytes())
}

/// An output folder being written. Write into [`OutputDir::path`] (a
/// staging folder beside the target), then [`OutputDir::commit`]. Dropped
/// without a commit, the staging folder is removed and the target is left
/// as it was; a process killed before the commit leaves a staging folder
/// that the next writer of the same target removes.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    manifest: Manifest,
    /// The manifest of the folder being replaced, if any.
    previous: Option<Manifest>,
    committed: bool,
    _lock: Lock,
}

/// What [`OutputDir::commit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub path: PathBuf,
    pub files: Vec<FileEntry>,
    /// Files in the replaced folder that oreflow had not written (a report
    /// saved there, notes): moved into the new folder.
    pub carried_over: Vec<String>,
}

impl OutputDir {
    /// Starts writing the folder `target` for `writer`. Refused (before any
    /// work, so a long run does not fail at its end): a target that is a
    /// file, the current folder or one holding it, an input of the command
    /// (`inputs`) or a folder holding one, and an existing folder holding
    /// files that oreflow did not write. Fails at once if another command is
    /// writing the same target.
    pub fn begin(
        target: &Path,
        writer: WriterInfo,
        inputs_fingerprint: String,
        inputs: &[&Path],
    ) -> Result<OutputDir, IoError> {
        if !target.as_os_str().is_empty() && holds_cwd(target) {
            return Err(IoError::new(
                IoErrorKind::Refused,
                target,
                "is the current folder (or holds it); give a new folder for the outputs, e.g. -o out/mine",
            ));
        }
        if target.as_os_str().is_empty() || target.file_name().is_none() {
            return Err(IoError::new(
                IoErrorKind::Refused,
                target,
                "is not a folder name; give a folder for the outputs, e.g. -o out/mine",
            ));
        }
        if target.exists() && !target.is_dir() {
            return Err(IoError::new(
                IoErrorKind::Refused,
                target,
                "is a file, not a folder; give a folder for the outputs (it is created if missing)",
            ));
        }
        if holds_cwd(target) {
            return Err(IoError::new(
                IoErrorKind::Refused,
                target,
                "is the current folder (or holds it); give a new folder for the outputs, e.g. -o out/mine",
            ));
        }
        refuse_overlap(target, inputs, "the output folder")?;
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent)
            .map_err(|e| IoError::os(&parent, "cannot create the folder", &e))?;
        let lock = Lock::acquire(target)?;
        recover(target);
        let previous = if target.is_dir() {
            let m = read_manifest(target).ok().flatten();
            // Without a manifest, only folders may be in it (they are carried
            // over: shards and logs of a Slurm ensemble); never files.
            let entries: Vec<String> = list(target)?
                .into_iter()
                .filter(|e| !target.join(e).is_dir())
                .collect();
            if m.is_none() && !entries.is_empty() {
                let shown: Vec<&str> = entries.iter().take(4).map(String::as_str).collect();
                return Err(IoError::new(
                    IoErrorKind::Refused,
                    target,
                    format!(
                        "holds files oreflow did not write ({}{}); oreflow replaces only its own output folders (they have an {MANIFEST}) — give a new or empty folder",
                        shown.join(", "),
                        if entries.len() > 4 { ", …" } else { "" }
                    ),
                ));
            }
            m
        } else {
            None
        };
        clean_stale(target);
        let staging = parent.join(format!(
            "{}{}-{}",
            staging_prefix(target),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir(&staging)
            .map_err(|e| IoError::os(&staging, "cannot create the staging folder", &e))?;
        let manifest = Manifest {
            format: FORMAT.into(),
            writer,
            inputs_fingerprint,
            inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
            complete: false,
            files: Vec::new(),
        };
        let out = OutputDir {
            target: target.to_path_buf(),
            staging,
            manifest,
            previous,
            committed: false,
            _lock: lock,
        };
        write_manifest(&out.staging, &out.manifest)?;
        Ok(out)
    }

    /// The staging folder to write the files into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the files end up in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), IoError> {
        let path = self.file_path(name)?;
        let mut f =
            File::create(&path).map_err(|e| IoError::os(&self.shown(name), "cannot write", &e))?;
        f.write_all(bytes)
            .map_err(|e| IoError::os(&self.shown(name), "cannot write", &e))
    }

    /// A new file in the staging folder, for streaming writers.
    pub fn create(&self, name: &str) -> Result<File, IoError> {
        let path = self.file_path(name)?;
        File::create(&path).map_err(|e| IoError::os(&self.shown(name), "cannot write", &e))
    }

    /// The path a file will have once committed (for messages).
    pub fn shown(&self, name: &str) -> PathBuf {
        self.target.join(name)
    }

    fn file_path(&self, name: &str) -> Result<PathBuf, IoError> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." || name == MANIFEST
        {
            return Err(IoError::new(
                IoErrorKind::Refused,
                &self.target,
                format!("`{name}` is not a plain file name"),
            ));
        }
        Ok(self.staging.join(name))
    }

    /// Finishes the folder: fsyncs every file, writes the manifest (complete,
    /// with sizes and hashes) and swaps the folder into place in one atomic
    /// rename; files that someone else had put into the replaced folder are
    /// moved into the new one; the replaced folder is removed.
    pub fn commit(mut self) -> Result<Committed, IoError> {
        let mut files = Vec::new();
        for name in list(&self.staging)? {
            if name == MANIFEST {
                continue;
            }
            let p = self.staging.join(&name);
            if let Ok(f) = File::open(&p) {
                f.sync_all()
                    .map_err(|e| IoError::os(&self.shown(&name), "cannot write", &e))?;
            }
            let (bytes, sha256) = sha256_file(&p)?;
            files.push(FileEntry {
                name,
                bytes,
                sha256,
            });
        }
        self.manifest.files = files.clone();
        self.manifest.complete = true;
        write_manifest(&self.staging, &self.manifest)?;
        sync_dir(&self.staging);
        let parent = parent_of(&self.target);
        let new_names: BTreeSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let mut carried = Vec::new();
        if self.target.is_dir() {
            // Foreign files that a new file would replace: refuse, keep both.
            let ours: BTreeSet<String> = self
                .previous
                .iter()
                .flat_map(|m| m.files.iter().map(|f| f.name.clone()))
                .collect();
            for name in list(&self.target)? {
                if name != MANIFEST && !ours.contains(&name) && new_names.contains(name.as_str()) {
                    return Err(IoError::new(
                        IoErrorKind::Refused,
                        &self.target.join(&name),
                        "was not written by oreflow and a new output has its name; move it away and run again",
                    ));
                }
            }
            swap(&self.staging, &self.target)?;
            sync_dir(&parent);
            self.committed = true;
            // The replaced folder is now at the staging path.
            carried = finish_old(&self.staging, &self.target);
        } else {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| IoError::os(&self.target, "cannot move the outputs into place", &e))?;
            sync_dir(&parent);
            self.committed = true;
        }
        Ok(Committed {
            path: self.target.clone(),
            files,
            carried_over: carried,
        })
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Names of the entries of a folder, sorted.
fn list(dir: &Path) -> Result<Vec<String>, IoError> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| IoError::os(dir, "cannot list", &e))? {
        let e = e.map_err(|e| IoError::os(dir, "cannot list", &e))?;
        out.push(e.file_name().to_string_lossy().into_owned());
    }
    out.sort();
    Ok(out)
}

/// Exchanges the folders `a` and `b` atomically (Linux `renameat2` with
/// `RENAME_EXCHANGE`); where the file system cannot, renames `b` aside and
/// `a` into place (a crash in between is repaired by the next writer).
fn swap(a: &Path, b: &Path) -> Result<(), IoError> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e)
            if e == rustix::io::Errno::INVAL
                || e == rustix::io::Errno::NOSYS
                || e == rustix::io::Errno::NOTSUP =>
        {
            let old = parent_of(b).join(format!("{}{}", old_prefix(b), std::process::id()));
            std::fs::rename(b, &old)
                .map_err(|e| IoError::os(b, "cannot move the old outputs aside", &e))?;
            std::fs::rename(a, b).map_err(|e| {
                let _ = std::fs::rename(&old, b);
                IoError::os(b, "cannot move the outputs into place", &e)
            })?;
            std::fs::rename(&old, a)
                .map_err(|e| IoError::os(a, "cannot move the old outputs aside", &e))
        }
        Err(e) => Err(IoError::os(
            b,
            "cannot move the outputs into place",
            &std::io::Error::from(e),
        )),
    }
}

/// The replaced folder `old` (after the swap): foreign files go into
/// `target`, oreflow's own files are removed, then the folder. Returns the
/// names carried over. Best effort: what cannot be moved stays in `old`.
fn finish_old(old: &Path, target: &Path) -> Vec<String> {
    let mut carried = Vec::new();
    for step in finish_old_steps(old) {
        if let Some(name) = step.run(old, target) {
            carried.push(name);
        }
    }
    sync_dir(target);
    carried
}

/// One step of emptying a replaced folder.
#[derive(Debug)]
enum OldStep {
    /// An oreflow file: removed.
    Remove(String),
    /// A foreign file or folder: moved into the target (kept where it is if
    /// the target has one of that name).
    Carry(String),
    /// The (then empty) folder itself.
    RemoveDir,
}

impl OldStep {
    /// Runs the step; the name carried over, if one was.
    fn run(&self, old: &Path, target: &Path) -> Option<String> {
        match self {
            OldStep::Remove(name) => {
                let _ = std::fs::remove_file(old.join(name));
                None
            }
            OldStep::Carry(name) => {
                let to = target.join(name);
                (!to.exists() && std::fs::rename(old.join(name), &to).is_ok()).then(|| name.clone())
            }
            OldStep::RemoveDir => {
                let _ = std::fs::remove_dir(old);
                None
            }
        }
    }
}

/// The steps of [`finish_old`], in an order that a writer killed after any of
/// them leaves a folder the next writer's [`clean_stale`] finishes: the
/// manifest, which tells oreflow's files from foreign ones, goes last, after
/// the files it lists. A folder without a manifest holds no oreflow file but
/// temporary ones (a manifest being written when its writer was killed).
fn finish_old_steps(old: &Path) -> Vec<OldStep> {
    let ours: BTreeSet<String> = read_manifest(old)
        .ok()
        .flatten()
        .map(|m| m.files.into_iter().map(|f| f.name).collect())
        .unwrap_or_default();
    let temporary = format!(".{MANIFEST}.oreflow-tmp-");
    let mut steps = Vec::new();
    let mut manifest = None;
    for name in list(old).unwrap_or_default() {
        if name == MANIFEST {
            manifest = Some(OldStep::Remove(name));
        } else if ours.contains(&name) || name.starts_with(&temporary) {
            steps.push(OldStep::Remove(name));
        } else {
            steps.push(OldStep::Carry(name));
        }
    }
    steps.extend(manifest);
    steps.push(OldStep::RemoveDir);
    steps
}

/// After a crash between the two renames of a file system without
/// `RENAME_EXCHANGE`: the target is missing and the old folder is aside.
fn recover(target: &Path) {
    if target.exists() {
        return;
    }
    let parent = parent_of(target);
    let prefix = old_prefix(target);
    for name in list(&parent).unwrap_or_default() {
        if name.starts_with(&prefix) {
            let _ = std::fs::rename(parent.join(&name), target);
            return;
        }
    }
}

/// Removes staging folders of `target` left by killed writers (the caller
/// holds the lock, so none is in use). A staging folder that never completed
/// (its manifest says so) holds only oreflow's files and is removed; any
/// other (the replaced folder of a writer killed right after its swap) may
/// hold files oreflow did not write: they are moved into the target, only
/// the files its manifest lists are removed. Nothing unknown is deleted.
fn clean_stale(target: &Path) {
    let parent = parent_of(target);
    let prefix = staging_prefix(target);
    for name in list(&parent).unwrap_or_default() {
        if !name.starts_with(&prefix) {
            continue;
        }
        let dir = parent.join(&name);
        match read_manifest(&dir) {
            Ok(Some(m)) if !m.complete => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Ok(_) => {
                if target.is_dir() {
                    finish_old(&dir, target);
                }
            }
            Err(_) => {}
        }
    }
}

/// A finished output folder, opened for reading: complete, written by one of
/// the expected commands, and every file read through it identical to what
/// was written (size and SHA-256 as in the manifest).
#[derive(Clone, Debug)]
pub struct OutputFolder {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl OutputFolder {
    /// Whether `dir` looks like an oreflow output folder (has a manifest),
    /// complete or not.
    pub fn is_output(dir: &Path) -> bool {
        dir.join(MANIFEST).is_file()
    }

    /// Opens `dir`, written by one of `commands` (`run`, `ensemble`, …).
    pub fn open(dir: &Path, commands: &[&str]) -> Result<OutputFolder, IoError> {
        let expected = commands
            .iter()
            .map(|c| format!("`oreflow {c}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        if !dir.exists() {
            return Err(IoError::new(
                IoErrorKind::NotFound,
                dir,
                format!("no such folder (expected the output folder of {expected})"),
            ));
        }
        if !dir.is_dir() {
            return Err(IoError::new(
                IoErrorKind::NotRegular,
                dir,
                format!("is a file, not a folder (expected the output folder of {expected})"),
            ));
        }
        let manifest = read_manifest(dir)?.ok_or_else(|| {
            IoError::new(
                IoErrorKind::BadOutput,
                dir,
                format!(
                    "is not an oreflow output folder: it has no {MANIFEST} (expected the output folder of {expected}; a folder written by an older oreflow has none — run the command again)"
                ),
            )
        })?;
        if !manifest.complete {
            return Err(IoError::new(
                IoErrorKind::BadOutput,
                dir,
                format!(
                    "is incomplete: `oreflow {}` was interrupted or failed while writing it",
                    manifest.writer.command
                ),
            ));
        }
        if !commands.contains(&manifest.writer.command.as_str()) {
            return Err(IoError::new(
                IoErrorKind::BadOutput,
                dir,
                format!(
                    "was written by `oreflow {}`; expected the output folder of {expected}",
                    manifest.writer.command
                ),
            ));
        }
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// The manifest entry of `name`.
    pub fn entry(&self, name: &str) -> Option<&FileEntry> {
        self.manifest.files.iter().find(|f| f.name == name)
    }

    fn changed(&self, name: &str, why: String) -> IoError {
        IoError::new(
            IoErrorKind::BadOutput,
            &self.dir.join(name),
            format!(
                "{why}: it is not the file `oreflow {}` wrote (the folder was changed, or mixed with another's files, after it was written); run the command again",
                self.manifest.writer.command
            ),
        )
    }

    /// The bytes of `name`, checked against the manifest.
    pub fn read(&self, name: &str, limit: Limit) -> Result<Vec<u8>, IoError> {
        let entry = self.entry(name).ok_or_else(|| {
            IoError::new(
                IoErrorKind::BadOutput,
                &self.dir,
                format!(
                    "has no {name} (its manifest does not list it; written by `oreflow {}`)",
                    self.manifest.writer.command
                ),
            )
        })?;
        let bytes = match read_bytes(&self.dir.join(name), limit) {
            Err(e) if e.kind == IoErrorKind::NotFound => {
                return Err(self.changed(name, "is missing".into()))
            }
            other => other?,
        };
        if bytes.len() as u64 != entry.bytes {
            return Err(self.changed(
                name,
                format!("has {} bytes, not {}", bytes.len(), entry.bytes),
            ));
        }
        if hex(&Sha256::digest(&bytes)) != entry.sha256 {
            return Err(self.changed(name, "has a different content".into()));
        }
        Ok(bytes)
    }

    /// The text of `name`, checked against the manifest.
    pub fn read_text(&self, name: &str, limit: Limit) -> Result<String, IoError> {
        let bytes = self.read(name, limit)?;
        String::from_utf8(bytes).map_err(|_| self.changed(name, "is not UTF-8 text".into()))
    }

    /// Checks every file of the manifest (for readers that open files by
    /// path, such as the Parquet reader: call before and after reading).
    pub fn check_all(&self) -> Result<(), IoError> {
        for f in &self.manifest.files {
            let p = self.dir.join(&f.name);
            let (bytes, sha) = match sha256_file(&p) {
                Err(e) if e.kind == IoErrorKind::NotFound => {
                    return Err(self.changed(&f.name, "is missing".into()))
                }
                other => other?,
            };
            if bytes != f.bytes || sha != f.sha256 {
                return Err(self.changed(&f.name, "has a different size or content".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> WriterInfo {
        WriterInfo {
            command: "run".into(),
            oreflow_version: "test".into(),
        }
    }

    fn write(target: &Path, content: &str) -> Committed {
        let o = OutputDir::begin(target, writer(), "fp".into(), &[]).unwrap();
        o.write("prices.csv", content.as_bytes()).unwrap();
        o.write("summary.json", b"{}").unwrap();
        o.commit().unwrap()
    }

    #[test]
    fn a_committed_folder_reads_back_and_replaces_the_previous_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("out/base");
        write(&t, "a");
        let f = OutputFolder::open(&t, &["run"]).unwrap();
        assert_eq!(f.read_text("prices.csv", Limit::Output).unwrap(), "a");
        // A report saved into the folder survives a re-run.
        std::fs::write(t.join("report.html"), "mine").unwrap();
        let c = write(&t, "b");
        assert_eq!(c.carried_over, vec!["report.html".to_string()]);
        assert_eq!(
            std::fs::read_to_string(t.join("report.html")).unwrap(),
            "mine"
        );
        let f = OutputFolder::open(&t, &["run"]).unwrap();
        assert_eq!(f.read_text("prices.csv", Limit::Output).unwrap(), "b");
        // Nothing else is left beside the target.
        let mut left: Vec<String> = list(&dir.path().join("out")).unwrap();
        left.sort();
        assert_eq!(left, vec!["base".to_string()]);
    }

    #[test]
    fn an_uncommitted_folder_leaves_the_previous_one_intact() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("base");
        write(&t, "old");
        {
            let o = OutputDir::begin(&t, writer(), "fp".into(), &[]).unwrap();
            o.write("prices.csv", b"half").unwrap();
            // dropped: a failure before the commit
        }
        let f = OutputFolder::open(&t, &["run"]).unwrap();
        assert_eq!(f.read_text("prices.csv", Limit::Output).unwrap(), "old");
        assert_eq!(list(dir.path()).unwrap(), vec!["base".to_string()]);
    }

    #[test]
    fn a_changed_or_foreign_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("base");
        write(&t, "abc");
        std::fs::write(t.join("prices.csv"), "abd").unwrap();
        let f = OutputFolder::open(&t, &["run"]).unwrap();
        let e = f.read("prices.csv", Limit::Output).unwrap_err();
        assert_eq!(e.kind, IoErrorKind::BadOutput);
        assert!(e.message.contains("different content"), "{e}");
        assert!(f.check_all().is_err());
        assert!(OutputFolder::open(&t, &["ensemble"])
            .unwrap_err()
            .message
            .contains("was written by `oreflow run`"));
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        std::fs::write(plain.join("notes.txt"), "x").unwrap();
        assert!(OutputFolder::open(&plain, &["run"])
            .unwrap_err()
            .message
            .contains("not an oreflow output folder"));
        let e = OutputDir::begin(&plain, writer(), "fp".into(), &[]).unwrap_err();
        assert_eq!(e.kind, IoErrorKind::Refused);
        assert!(e.message.contains("notes.txt"), "{e}");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let e = OutputDir::begin(&file, writer(), "fp".into(), &[]).unwrap_err();
        assert!(e.message.contains("is a file"), "{e}");
    }

    #[test]
    fn folders_inside_an_output_folder_are_carried_over() {
        // The Slurm layout: OUT/shards/shard-K and OUT/logs, merged into OUT.
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("ens");
        std::fs::create_dir_all(t.join("shards/shard-1")).unwrap();
        std::fs::create_dir_all(t.join("logs")).unwrap();
        std::fs::write(t.join("shards/shard-1/runs.parquet"), "x").unwrap();
        std::fs::write(t.join("logs/merge.out"), "log").unwrap();
        write(&t, "merged");
        assert_eq!(
            std::fs::read_to_string(t.join("shards/shard-1/runs.parquet")).unwrap(),
            "x"
        );
        assert_eq!(
            std::fs::read_to_string(t.join("logs/merge.out")).unwrap(),
            "log"
        );
        write(&t, "again");
        assert!(t.join("shards/shard-1/runs.parquet").is_file());
        assert_eq!(list(dir.path()).unwrap(), vec!["ens".to_string()]);
    }

    #[test]
    fn a_staging_folder_left_by_a_killed_writer_is_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("base");
        write(&t, "old");
        let o = OutputDir::begin(&t, writer(), "fp".into(), &[]).unwrap();
        o.write("prices.csv", b"half").unwrap();
        let staging = o.path().to_path_buf();
        std::mem::forget(o); // as if killed: no drop, no unlock (the lock file is removed by hand)
        let _ = std::fs::remove_file(crate::lock::lock_path(&t));
        assert!(staging.exists());
        // The staging folder is incomplete: not accepted as an output.
        assert!(OutputFolder::open(&staging, &["run"])
            .unwrap_err()
            .message
            .contains("incomplete"));
        write(&t, "new");
        assert!(!staging.exists());
    }

    #[test]
    fn a_writer_killed_while_removing_the_replaced_folder_leaves_it_for_the_next() {
        // The replaced folder, at its staging name after the swap, holds the
        // previous result, its manifest and a foreign file; a writer killed
        // after any step of emptying it leaves what the next writer removes,
        // keeping the foreign file. (A manifest removed before the files it
        // lists left them there for good: CI caught it.)
        let k_max = {
            let dir = tempfile::tempdir().unwrap();
            let (old, _) = replaced(dir.path());
            finish_old_steps(&old).len()
        };
        assert!(k_max >= 5, "{k_max} steps");
        for k in 0..=k_max {
            let dir = tempfile::tempdir().unwrap();
            let (old, t) = replaced(dir.path());
            for step in finish_old_steps(&old).iter().take(k) {
                step.run(&old, &t);
            }
            write(&t, "next");
            assert_eq!(
                list(dir.path()).unwrap(),
                vec!["base".to_string()],
                "killed after {k} steps"
            );
            assert_eq!(
                std::fs::read_to_string(t.join("notes.txt")).unwrap(),
                "mine",
                "after {k} steps"
            );
            let f = OutputFolder::open(&t, &["run"]).unwrap();
            assert_eq!(f.read_text("prices.csv", Limit::Output).unwrap(), "next");
        }
    }

    /// A target holding a new result and, at a staging name, the folder it
    /// replaced (previous result plus a foreign `notes.txt`), as a writer
    /// killed right after its swap leaves them.
    fn replaced(dir: &Path) -> (PathBuf, PathBuf) {
        let t = dir.join("base");
        write(&t, "old");
        std::fs::write(t.join("notes.txt"), "mine").unwrap();
        let old = dir.join(format!("{}1-2", staging_prefix(&t)));
        std::fs::rename(&t, &old).unwrap();
        write(&t, "new");
        (old, t)
    }

    #[test]
    fn a_writer_killed_while_writing_its_first_manifest_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("base");
        write(&t, "old");
        let staging = dir.path().join(format!("{}1-2", staging_prefix(&t)));
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(
            staging.join(format!(".{MANIFEST}.oreflow-tmp-1")),
            "{\"form",
        )
        .unwrap();
        write(&t, "new");
        assert_eq!(list(dir.path()).unwrap(), vec!["base".to_string()]);
        assert_eq!(
            list(&t).unwrap(),
            vec![
                MANIFEST.to_string(),
                "prices.csv".into(),
                "summary.json".into()
            ]
        );
    }
}
