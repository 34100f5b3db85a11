use std::path::{Path, PathBuf};

/// What kind of problem an [`IoError`] is; callers choose exit codes from it
/// ([`IoErrorKind::is_bad_input`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoErrorKind {
    /// The path does not exist.
    NotFound,
    /// A FIFO, device, socket or directory where a regular file was expected
    /// (or a file where a folder was expected).
    NotRegular,
    /// Larger than the limit for its kind of file.
    TooLarge,
    /// Text that is not UTF-8.
    NotUtf8,
    /// An output that would replace or overwrite something it must not: an
    /// input of the same command, files oreflow did not write, the current
    /// folder.
    Refused,
    /// Not an oreflow output folder, an incomplete one, one of another
    /// command, or one whose files differ from its manifest.
    BadOutput,
    /// Another oreflow command is writing the same folder.
    Busy,
    /// Reading or writing failed (disk full, permissions, …).
    Io,
}

impl IoErrorKind {
    /// Whether the problem is in what the user gave (exit status 2) rather
    /// than in the system (exit status 1).
    pub fn is_bad_input(self) -> bool {
        !matches!(self, IoErrorKind::Io | IoErrorKind::Busy)
    }
}

/// A file problem, with the path and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct IoError {
    pub kind: IoErrorKind,
    pub path: PathBuf,
    pub message: String,
}

impl IoError {
    pub(crate) fn new(kind: IoErrorKind, path: &Path, message: impl Into<String>) -> IoError {
        IoError {
            kind,
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// From an OS error while doing `what` (e.g. "cannot write").
    pub(crate) fn os(path: &Path, what: &str, e: &std::io::Error) -> IoError {
        match e.kind() {
            std::io::ErrorKind::NotFound => {
                IoError::new(IoErrorKind::NotFound, path, "no such file or folder")
            }
            _ => IoError::new(IoErrorKind::Io, path, format!("{what}: {e}")),
        }
    }
}
