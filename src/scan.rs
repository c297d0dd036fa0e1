//! Finding and reading seed files on disk, for the edges (the server's index, `seedls check`).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::index::config::Config;

/// Files larger than this are skipped: no article is that long.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

pub fn is_seed_path(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("txt" | "seed"))
}

/// Seed files under `root`, honouring `.gitignore` and the config's include/exclude globs.
/// Returns the files and the reasons others were skipped.
pub fn discover(root: &Path, config: &Config) -> (Vec<PathBuf>, Vec<String>) {
    let include = globs(&config.include);
    let exclude = globs(&config.exclude);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = ignore::WalkBuilder::new(root).hidden(true).git_ignore(true).require_git(false).build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                skipped.push(format!("cannot walk: {error}"));
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_some_and(|kind| kind.is_file()) {
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(path);
        let included = match &include {
            Some(include) => include.is_match(relative),
            None => is_seed_path(path),
        };
        if !included || exclude.as_ref().is_some_and(|exclude| exclude.is_match(relative)) {
            continue;
        }
        match entry.metadata() {
            Ok(metadata) if metadata.len() > MAX_FILE_BYTES => {
                skipped.push(format!(
                    "{}: {} bytes is over the {MAX_FILE_BYTES}-byte limit",
                    path.display(),
                    metadata.len()
                ));
            }
            _ => files.push(path.to_path_buf()),
        }
    }
    files.sort();
    (files, skipped)
}

fn globs(patterns: &[String]) -> Option<GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

/// Reads a file as UTF-8, without a byte-order mark, or says why it cannot be used.
pub fn read_seed(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    decode_seed(path, bytes)
}

/// The text of a seed file's bytes: UTF-8, without a byte-order mark, within the size limit.
pub fn decode_seed(path: &Path, bytes: Vec<u8>) -> Result<String, String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{}: {} bytes is over the {MAX_FILE_BYTES}-byte limit", path.display(), bytes.len()));
    }
    let mut text = String::from_utf8(bytes).map_err(|error| {
        format!("{}: not UTF-8 (invalid byte at offset {}); skipped", path.display(), error.utf8_error().valid_up_to())
    })?;
    // Editors drop a byte-order mark from the text they show and send; without it here too,
    // columns on the first line agree with theirs.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

pub fn read_config(root: &Path) -> Option<(PathBuf, String)> {
    let path = root.join("seedls.toml");
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let path = std::env::temp_dir().join(format!("seedls-bom-{}.txt", std::process::id()));
        std::fs::write(&path, "\u{feff}= Alpha =\n").unwrap();
        let text = read_seed(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text.as_deref(), Ok("= Alpha =\n"));
    }
}
