//! File safety for oreflow: every file the tool reads and every folder it
//! writes goes through here.
//!
//! - [`read_text`] / [`read_bytes`] / [`open_regular`]: reads of regular
//!   files only (FIFOs, devices, sockets and directories are refused before
//!   they are opened, and the opened file is checked again), never more than
//!   a stated limit ([`Limit`]), with a hint for text that is not UTF-8.
//! - [`OutputDir`]: an output folder written into a fresh staging folder
//!   beside the target, every file fsynced, a manifest
//!   ([`MANIFEST`], [`Manifest`]: writer, inputs' fingerprint, complete flag,
//!   files with sizes and SHA-256) written last, then exchanged with the
//!   target in one atomic rename. A folder at the target path is therefore
//!   always a complete result, old or new; files someone else put into an
//!   output folder are carried over, never deleted. An exclusive lock beside
//!   the target keeps two writers apart ([`IoErrorKind::Busy`]).
//! - [`OutputFolder`]: a finished folder opened for reading; every file read
//!   through it is checked against the manifest, so a folder that is
//!   incomplete, mixed, changed or not an oreflow output is refused.
//! - [`write_file_atomic`]: one file (temp + fsync + rename), for outputs
//!   that are single files (reports).
//! - [`slug`] and [`refuse_overlap`]: names that become paths, and outputs
//!   that would replace an input of the same command.
//!
//! Architecture invariant: no printing, no exiting; every problem is an
//! [`IoError`] naming the path, what is wrong and what to do.

mod error;
mod lock;
mod output;
mod paths;
mod read;

pub use error::{IoError, IoErrorKind};
pub use lock::Lock;
pub use output::{
    fingerprint, sha256_hex, Committed, FileEntry, Fingerprint, Manifest, OutputDir, OutputFolder,
    WriterInfo, MANIFEST,
};
pub use paths::{refuse_overlap, slug, write_file_atomic};
pub use read::{open_regular, read_bytes, read_text, Limit};
