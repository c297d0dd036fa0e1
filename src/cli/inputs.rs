//! Finding and reading the documents a command works on: files and folders (with their
//! `seedls.toml`), the bytes as read (so a fix can be written back only over the same), and
//! the path of each below the folder it was found in.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::codes::Code;
use crate::index::config::Config;
use crate::scan;

pub(crate) const BOM: &str = "\u{feff}";

/// A document as read: where it came from, and its bytes (to write back only over the same).
pub(crate) struct Input {
    /// The name it is reported under.
    pub(crate) name: String,
    /// `None` for standard input.
    pub(crate) path: Option<PathBuf>,
    /// The path below the folder it was found in (the file name for a file given by name).
    pub(crate) relative: PathBuf,
    pub(crate) bytes: Vec<u8>,
    pub(crate) had_bom: bool,
}

/// The paths a command works on: those given, else `./seeds` if it exists, else `.`.
pub(crate) fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths.to_vec();
    }
    vec![if Path::new("seeds").is_dir() { PathBuf::from("seeds") } else { PathBuf::from(".") }]
}

pub(crate) fn read_paths(paths: &[PathBuf], err: &mut dyn Write, io_failed: &mut bool) -> (Config, Vec<Input>) {
    let paths = &paths_or_default(paths)[..];
    let mut config = Config::default();
    // (file, its path below the folder it was found in)
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            config = read_config(path, err, io_failed);
            let (files, skipped) = scan::discover(path, &config);
            for reason in skipped {
                let _ = writeln!(err, "seedls: skipped {reason}");
            }
            found.extend(files.into_iter().map(|file| {
                let relative = file.strip_prefix(path).map_or_else(|_| file.clone(), Path::to_path_buf);
                (file, relative)
            }));
        } else if path.exists() {
            let name = path.file_name().map_or_else(|| path.clone(), PathBuf::from);
            found.push((path.clone(), name));
        } else {
            let _ = writeln!(err, "seedls: {}: no such file or folder", path.display());
            *io_failed = true;
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    let mut inputs = Vec::new();
    for (path, relative) in found {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let had_bom = bytes.starts_with(BOM.as_bytes());
                inputs.push(Input { name: display_path(&path), path: Some(path), relative, bytes, had_bom });
            }
            Err(error) => {
                let _ = writeln!(err, "seedls: {}: {error}", path.display());
                *io_failed = true;
            }
        }
    }
    (config, inputs)
}

/// The folder's `seedls.toml`, its problems reported as `config-error`s.
pub(crate) fn read_config(folder: &Path, err: &mut dyn Write, io_failed: &mut bool) -> Config {
    let Some((config_path, text)) = scan::read_config(folder) else {
        return Config::default();
    };
    let (config, errors) = Config::parse(&text);
    for error in errors {
        let _ = writeln!(err, "{}: error[{}]: {}", config_path.display(), Code::ConfigError, error.message);
        *io_failed = true;
    }
    config
}

pub(crate) fn display_path(path: &Path) -> String {
    path.strip_prefix("./").unwrap_or(path).display().to_string()
}
