//! An exclusive lock on an output path, held by one writer at a time.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rustix::fs::FlockOperation;

use crate::{IoError, IoErrorKind};

/// An exclusive `flock` on `.<name>.oreflow-lock` beside an output path. The
/// kernel releases it when the process ends, however it ends (so a killed
/// command never leaves a folder locked); the lock file is removed when the
/// lock is dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// The lock file of `target` (a folder or file to be written).
pub(crate) fn lock_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    target
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!(".{name}.oreflow-lock"))
}

impl Lock {
    /// Takes the lock of `target`, or fails at once if another command holds
    /// it (saying which process). The folder holding `target` must exist.
    pub fn acquire(target: &Path) -> Result<Lock, IoError> {
        let path = lock_path(target);
        // A lock file removed by its holder between our open and our flock
        // is no lock: retry until the locked file is the one at the path.
        for _ in 0..100 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| IoError::os(&path, "cannot create the lock file", &e))?;
            match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(IoError::new(
                        IoErrorKind::Busy,
                        target,
                        format!(
                            "another oreflow command{} is writing here; wait for it to finish or choose another output",
                            if holder.is_empty() {
                                String::new()
                            } else {
                                format!(" ({holder})")
                            }
                        ),
                    ));
                }
                Err(e) => return Err(IoError::os(&path, "cannot lock", &std::io::Error::from(e))),
            }
            let same = match (file.metadata(), std::fs::metadata(&path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if !same {
                continue;
            }
            // One write, so a reader sees all of it or nothing.
            let _ = file.set_len(0);
            let _ = file.write_all(format!("pid {}", std::process::id()).as_bytes());
            return Ok(Lock { file, path });
        }
        Err(IoError::new(
            IoErrorKind::Busy,
            target,
            "could not take the lock (its file keeps changing)",
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a waiting process finds it gone and
        // retries on a fresh file.
        let _ = std::fs::remove_file(&self.path);
        let _ = rustix::fs::flock(&self.file, FlockOperation::Unlock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let a = Lock::acquire(&target).unwrap();
        let e = Lock::acquire(&target).unwrap_err();
        assert_eq!(e.kind, IoErrorKind::Busy);
        assert!(
            e.message.contains(&format!("(pid {})", std::process::id())),
            "{e}"
        );
        drop(a);
        assert!(!lock_path(&target).exists());
        let _b = Lock::acquire(&target).unwrap();
    }
}
