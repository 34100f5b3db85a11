//! Bounded reads of regular files.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rustix::fs::{Mode, OFlags};

use crate::{IoError, IoErrorKind};

/// The largest file oreflow reads, by kind of file. Larger files are refused
/// with a message naming the limit; nothing is read without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// A scenario file (TOML): 4 MiB (the shipped ones are under 10 kB).
    Scenario,
    /// A dataset table (CSV): 256 MiB (about a million facility rows; the
    /// embedded mines table is 14 kB).
    Table,
    /// A CSV or JSON output of a finished run read back (`report --from`):
    /// 1 GiB.
    Output,
    /// A manifest or summary JSON file: 16 MiB.
    Json,
    /// A Parquet table of an ensemble: 16 GiB (opened, then read column by
    /// column).
    Parquet,
    /// A news article (text or HTML) for `oreflow news`: 2 MiB.
    Article,
}

impl Limit {
    /// The limit in bytes.
    pub const fn bytes(self) -> u64 {
        match self {
            Limit::Scenario => 4 << 20,
            Limit::Table => 256 << 20,
            Limit::Output => 1 << 30,
            Limit::Json => 16 << 20,
            Limit::Parquet => 16 << 30,
            Limit::Article => 2 << 20,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::Scenario => "a scenario file",
            Limit::Table => "a data table",
            Limit::Output => "an output table",
            Limit::Json => "a JSON file",
            Limit::Parquet => "a Parquet table",
            Limit::Article => "a news article",
        }
    }
}

/// "4 MiB", "1 GiB".
fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn kind_name(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a folder"
    } else if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file (after following
/// symbolic links) of at most `limit`: FIFOs, devices, sockets and folders
/// are refused before opening (opening a FIFO would wait for a writer), and
/// the opened file is checked again (the path may change in between).
pub fn open_regular(path: &Path, limit: Limit) -> Result<(File, u64), IoError> {
    let meta = std::fs::metadata(path).map_err(|e| IoError::os(path, "cannot read", &e))?;
    check_meta(path, &meta, limit)?;
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| IoError::os(path, "cannot open", &std::io::Error::from(e)))?;
    let file = File::from(fd);
    let meta = file
        .metadata()
        .map_err(|e| IoError::os(path, "cannot read", &e))?;
    check_meta(path, &meta, limit)?;
    Ok((file, meta.len()))
}

fn check_meta(path: &Path, meta: &std::fs::Metadata, limit: Limit) -> Result<(), IoError> {
    if !meta.is_file() {
        return Err(IoError::new(
            IoErrorKind::NotRegular,
            path,
            format!(
                "is {}, not a regular file; oreflow reads only regular files",
                kind_name(meta.file_type())
            ),
        ));
    }
    if meta.len() > limit.bytes() {
        return Err(too_large(path, meta.len(), limit));
    }
    Ok(())
}

fn too_large(path: &Path, len: u64, limit: Limit) -> IoError {
    IoError::new(
        IoErrorKind::TooLarge,
        path,
        format!(
            "is {} ({len} bytes); {} may be at most {}",
            human(len.max(1)),
            limit.what(),
            human(limit.bytes())
        ),
    )
}

/// The bytes of a regular file of at most `limit` (see [`open_regular`]).
pub fn read_bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, IoError> {
    let (file, len) = open_regular(path, limit)?;
    let mut out = Vec::with_capacity(len.min(limit.bytes()) as usize);
    file.take(limit.bytes() + 1)
        .read_to_end(&mut out)
        .map_err(|e| IoError::os(path, "cannot read", &e))?;
    if out.len() as u64 > limit.bytes() {
        return Err(too_large(path, out.len() as u64, limit));
    }
    Ok(out)
}

/// The text of a regular UTF-8 file of at most `limit`. Text in another
/// encoding is refused with its line and a hint (a table saved by Excel as
/// "CSV" is often Windows-1252).
pub fn read_text(path: &Path, limit: Limit) -> Result<String, IoError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        IoError::new(
            IoErrorKind::NotUtf8,
            path,
            format!(
                "line {line}: byte 0x{:02x} is not UTF-8 text\n  hint: saved in another encoding (Excel's \"CSV\" is Windows-1252)? Re-save it as \"CSV UTF-8\" (or UTF-8 text)",
                bytes[at]
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "x,y\n1,2\n").unwrap();
        assert_eq!(read_text(&p, Limit::Table).unwrap(), "x,y\n1,2\n");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; (Limit::Scenario.bytes() + 1) as usize]).unwrap();
        let e = read_text(&big, Limit::Scenario).unwrap_err();
        assert_eq!(e.kind, IoErrorKind::TooLarge);
        assert!(e.message.contains("at most 4 MiB"), "{e}");
    }

    #[test]
    fn devices_fifos_and_folders_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        for (p, what) in [
            (Path::new("/dev/zero").to_path_buf(), "a device"),
            (dir.path().to_path_buf(), "a folder"),
        ] {
            let e = read_bytes(&p, Limit::Table).unwrap_err();
            assert_eq!(e.kind, IoErrorKind::NotRegular, "{e}");
            assert!(e.message.contains(what), "{e}");
        }
        let link = dir.path().join("mines.csv");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(
            read_bytes(&link, Limit::Table).unwrap_err().kind,
            IoErrorKind::NotRegular
        );
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = read_bytes(&fifo, Limit::Table).unwrap_err();
        assert!(e.message.contains("FIFO"), "{e}");
    }

    #[test]
    fn text_in_another_encoding_names_its_line_and_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mines.csv");
        std::fs::write(&p, b"id,name\nx,Beylikova\nt\xfcrkiye,y\n").unwrap();
        let e = read_text(&p, Limit::Table).unwrap_err();
        assert_eq!(e.kind, IoErrorKind::NotUtf8);
        assert!(e.message.starts_with("line 3: byte 0xfc"), "{e}");
        assert!(e.message.contains("CSV UTF-8"), "{e}");
    }
}
