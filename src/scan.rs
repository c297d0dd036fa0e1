//! Finding and reading seed files on disk, for the edges (the server's index, `seedls check`).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::index::SharedText;
use crate::index::config::Config;
use crate::index::shard::FileStamp;

/// Files larger than this are skipped: no article is that long.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

pub fn is_seed_path(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("txt" | "seed"))
}

/// The one rule for which files on disk belong to a workspace, used alike by the initial
/// scan, watched-file events, file operations, folder changes and `seedls check`: under a
/// workspace folder, not hidden, matched by `[files] include` (default: `*.txt`, `*.seed`)
/// and not by `exclude`, not ignored by a `.gitignore` between the folder and the file.
/// Size and UTF-8 are checked when the file is read ([`read_seed`]).
#[derive(Debug, Clone)]
pub struct Membership {
    roots: Vec<PathBuf>,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Membership {
    pub fn new(roots: Vec<PathBuf>, config: &Config) -> Membership {
        Membership { roots, include: globs(&config.include), exclude: globs(&config.exclude) }
    }

    /// `Ok` for a member file, else why it is not one.
    pub fn admits(&self, path: &Path) -> Result<(), String> {
        let root = self
            .roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .ok_or_else(|| format!("{}: outside every workspace folder", path.display()))?;
        let relative = path.strip_prefix(root).unwrap_or(path);
        if relative.components().any(|part| part.as_os_str().to_str().is_some_and(|name| name.starts_with('.'))) {
            return Err(format!("{}: hidden", path.display()));
        }
        if !self.matches_globs(path, relative) {
            return Err(format!("{}: not included by the [files] settings", path.display()));
        }
        let mut folder = root.clone();
        let mut parts: Vec<&std::ffi::OsStr> = relative.iter().collect();
        parts.pop();
        for part in std::iter::once(None).chain(parts.into_iter().map(Some)) {
            if let Some(part) = part {
                folder.push(part);
            }
            let gitignore = folder.join(".gitignore");
            if !gitignore.is_file() {
                continue;
            }
            let mut builder = ignore::gitignore::GitignoreBuilder::new(&folder);
            builder.add(&gitignore);
            if let Ok(matcher) = builder.build()
                && matcher.matched_path_or_any_parents(path, false).is_ignore()
            {
                return Err(format!("{}: ignored by {}", path.display(), gitignore.display()));
            }
        }
        Ok(())
    }

    fn matches_globs(&self, path: &Path, relative: &Path) -> bool {
        let included = match &self.include {
            Some(include) => include.is_match(relative),
            None => is_seed_path(path),
        };
        included && !self.exclude.as_ref().is_some_and(|exclude| exclude.is_match(relative))
    }

    /// Every member file under the folders, sorted, and the reasons others were skipped.
    pub fn discover(&self) -> (Vec<PathBuf>, Vec<String>) {
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        for root in &self.roots {
            let (found, skipped_here) = self.discover_under(root);
            files.extend(found);
            skipped.extend(skipped_here);
        }
        files.sort();
        files.dedup();
        (files, skipped)
    }

    /// The member files under one folder (one of the roots, or a folder inside one).
    pub fn discover_under(&self, folder: &Path) -> (Vec<PathBuf>, Vec<String>) {
        let (files, skipped) = self.discover_stamped_under(folder);
        (files.into_iter().map(|(path, _)| path).collect(), skipped)
    }

    /// [`Membership::discover_under`], with each file's size and mtime as the walk found them
    /// (what the cache's pack is checked against), sorted by path.
    pub fn discover_stamped_under(&self, folder: &Path) -> (Vec<(PathBuf, Option<FileStamp>)>, Vec<String>) {
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        {
            let root = folder;
            // Only `.gitignore` files, as `admits` reads them: no global or `.ignore` rules.
            let walker = ignore::WalkBuilder::new(root)
                .hidden(true)
                .git_ignore(true)
                .git_global(false)
                .git_exclude(false)
                .ignore(false)
                .parents(false)
                .require_git(false)
                .build();
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
                if self.matches_globs(path, relative) {
                    files.push(path.to_path_buf());
                }
            }
        }
        // Sizes are read on every core: one folder of many thousand articles is walked by one
        // thread, and its files' metadata was most of the walk.
        let metadata: Vec<Option<(u64, Option<FileStamp>)>> = files
            .par_iter()
            .map(|path| std::fs::metadata(path).ok().map(|metadata| (metadata.len(), stamp_of(&metadata))))
            .collect();
        let mut kept = Vec::with_capacity(files.len());
        for (path, metadata) in files.into_iter().zip(metadata) {
            match metadata {
                Some((size, _)) if size > MAX_FILE_BYTES => {
                    skipped.push(format!("{}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit", path.display()));
                }
                metadata => kept.push((path, metadata.and_then(|(_, stamp)| stamp))),
            }
        }
        let mut files = kept;
        // On every core too: a folder's entries come in no order, and sorting 50,000 of them
        // took some 50 ms on one thread. Equal paths are equal entries: no order to keep.
        files.par_sort_unstable_by(|a, b| path_order(&a.0, &b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        (files, skipped)
    }
}

/// The order `Path::cmp` gives the walk's paths (component by component), found by comparing
/// their bytes with a separator below every other byte. `Path::cmp` splits both paths into
/// components at each compare: sorting 50,000 paths with it took a warm start's walk 110 ms of
/// its 150. The same order for paths with no `.` or empty components, as the walk gives them.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    fn bytes(path: &Path) -> impl Iterator<Item = u8> + '_ {
        let bytes = path.as_os_str().as_encoded_bytes();
        bytes.iter().map(|&byte| if std::path::is_separator(char::from(byte)) { 0 } else { byte })
    }
    bytes(a).cmp(bytes(b))
}

/// Seed files under `root`, by the workspace's [`Membership`] rule. Returns the files and the
/// reasons others were skipped.
pub fn discover(root: &Path, config: &Config) -> (Vec<PathBuf>, Vec<String>) {
    Membership::new(vec![root.to_path_buf()], config).discover()
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
    // What `seed_text` left out: a byte-order mark or nothing.
    let mark = bytes.len() - seed_text(path, &bytes)?.len();
    let mut text = String::from_utf8(bytes).expect("checked by seed_text");
    text.drain(..mark);
    Ok(text)
}

/// The text of a seed file's bytes, borrowed: UTF-8, past a byte-order mark, within the size
/// limit.
fn seed_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{}: {} bytes is over the {MAX_FILE_BYTES}-byte limit", path.display(), bytes.len()));
    }
    // `simdutf8`: the 296 MB of 50,000 generated articles were checked in 75 ms, against
    // 161 with the standard library's `from_utf8` (one thread, files already in memory).
    let text = simdutf8::compat::from_utf8(bytes).map_err(|error| {
        format!("{}: not UTF-8 (invalid byte at offset {}); skipped", path.display(), error.valid_up_to())
    })?;
    // Editors drop a byte-order mark from the text they show and send; without it here too,
    // columns on the first line agree with theirs.
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Reads a seed file as [`read_seed`] does, with its metadata taken from the open file before
/// the read. The bytes pass through a buffer the calling thread keeps, so that reading
/// thousands of files in a row allocates only their texts (and asks the file system for the
/// file by its path once).
pub fn read_seed_shared(path: &Path) -> Result<(std::sync::Arc<str>, std::fs::Metadata), String> {
    read_seed_with(path, |text| std::sync::Arc::from(text))
}

/// Reads the seed at `path` through this thread's buffer and gives its text to `keep`, with
/// its metadata taken from the open file before the read.
fn read_seed_with<T>(path: &Path, keep: impl FnOnce(&str) -> T) -> Result<(T, std::fs::Metadata), String> {
    use std::io::Read;
    let failed = |error: std::io::Error| format!("{}: {error}", path.display());
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let metadata = file.metadata().map_err(failed)?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("{}: {} bytes is over the {MAX_FILE_BYTES}-byte limit", path.display(), metadata.len()));
    }
    with_read_buffer(|bytes| {
        // One byte past the limit tells a file that grew past it since the stat.
        (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(bytes).map_err(failed)?;
        Ok((keep(seed_text(path, bytes)?), metadata))
    })
}

/// Reads seed files as [`read_seed_shared`] does, their texts into one block: for each path,
/// in order, its text (a range of the block) and its metadata, or why it cannot be used.
/// A start reads its files a few at a time this way (`index::text` says why).
pub fn read_seeds_together(paths: &[PathBuf]) -> Vec<Result<(SharedText, std::fs::Metadata), String>> {
    thread_local! {
        static BLOCK: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    const KEPT_CAPACITY: usize = 1 << 20;
    BLOCK.with(|cell| {
        // Taken out while it fills (and put back after): a call from inside this one, if
        // ever, fills a block of its own.
        let mut block = cell.try_borrow_mut().map_or_else(|_| String::new(), |mut kept| std::mem::take(&mut *kept));
        block.clear();
        let read: Vec<Result<(std::ops::Range<usize>, std::fs::Metadata), String>> = paths
            .iter()
            .map(|path| {
                read_seed_with(path, |text| {
                    let start = block.len();
                    block.push_str(text);
                    start..block.len()
                })
            })
            .collect();
        let shared: std::sync::Arc<str> = std::sync::Arc::from(block.as_str());
        if block.capacity() <= KEPT_CAPACITY
            && let Ok(mut kept) = cell.try_borrow_mut()
        {
            *kept = block;
        }
        read.into_iter()
            .map(|piece| piece.map(|(range, metadata)| (SharedText::in_block(&shared, range), metadata)))
            .collect()
    })
}

/// Runs `read` with this thread's read buffer, emptied. A buffer grown past a megabyte by
/// a large file is not kept (two cores' worth of 8 MB buffers would stay resident).
pub fn with_read_buffer<T>(read: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    const KEPT_CAPACITY: usize = 1 << 20;
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut bytes) => {
            bytes.clear();
            let result = read(&mut bytes);
            if bytes.capacity() > KEPT_CAPACITY {
                *bytes = Vec::new();
            }
            result
        }
        // Called again from inside `read`: a buffer of its own.
        Err(_) => read(&mut Vec::new()),
    })
}

pub fn read_config(root: &Path) -> Option<(PathBuf, String)> {
    let path = root.join("seedls.toml");
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path, text))
}

/// The key of a file on disk, as the server knows it and the cache's pack saves it: the
/// URI made from its path (`None` for a path no URI can name). Here, not in `lsp`, so that
/// `seedls check --cache` saves files under the keys a server's warm start looks for.
pub fn file_key(path: &Path) -> Option<String> {
    tower_lsp_server::ls_types::Uri::from_file_path(path).map(|uri| uri.as_str().to_string())
}

/// The stamp of a file as the cache records it; `None` where the platform gives no mtime.
pub fn stamp_of(metadata: &std::fs::Metadata) -> Option<FileStamp> {
    let modified = metadata.modified().ok()?;
    let (modified_secs, modified_nanos) = match modified.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).ok()?, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).ok()?;
            match before.subsec_nanos() {
                0 => (-secs, 0),
                nanos => (-secs - 1, 1_000_000_000 - nanos),
            }
        }
    };
    Some(FileStamp { size: metadata.len(), modified_secs, modified_nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_folder(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!("seedls-scan-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(folder.join("drafts")).unwrap();
        std::fs::create_dir_all(folder.join("ignored")).unwrap();
        std::fs::create_dir_all(folder.join(".hidden")).unwrap();
        for file in ["a.txt", "b.seed", "notes.md", "drafts/c.txt", "ignored/d.txt", ".hidden/e.txt", "f.log.txt"] {
            std::fs::write(folder.join(file), "= T =\n").unwrap();
        }
        std::fs::write(folder.join(".gitignore"), "ignored/\n*.log.txt\n").unwrap();
        folder
    }

    #[test]
    fn paths_sort_as_path_cmp_sorts_them() {
        let mut paths: Vec<PathBuf> = [
            "/w/a/b.txt",
            "/w/a-b.txt",
            "/w/a.txt",
            "/w/a b.txt",
            "/w/a/b/c.txt",
            "/w/ab.txt",
            "/w/A.txt",
            "/w/Čalović.txt",
            "/w/a/Z.txt",
            "/w/z",
            "/w/a",
            "/v/z.txt",
        ]
        .into_iter()
        .map(PathBuf::from)
        .collect();
        let mut expected = paths.clone();
        expected.sort();
        paths.reverse();
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, expected);
    }

    #[test]
    fn the_scan_and_single_files_follow_one_rule() {
        let folder = temp_folder("rule");
        let config = Config { exclude: vec!["drafts/**".into()], ..Config::default() };
        let membership = Membership::new(vec![folder.clone()], &config);
        let (found, _) = membership.discover();
        let names: Vec<String> =
            found.iter().map(|path| path.strip_prefix(&folder).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a.txt", "b.seed"]);
        // Every file the walk saw or skipped gets the same answer one by one.
        for file in ["a.txt", "b.seed", "notes.md", "drafts/c.txt", "ignored/d.txt", ".hidden/e.txt", "f.log.txt"] {
            let admitted = membership.admits(&folder.join(file)).is_ok();
            assert_eq!(admitted, names.contains(&file.to_string()), "{file}");
        }
        assert!(membership.admits(Path::new("/elsewhere/x.txt")).unwrap_err().contains("outside"));
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let path = std::env::temp_dir().join(format!("seedls-bom-{}.txt", std::process::id()));
        std::fs::write(&path, "\u{feff}= Alpha =\n").unwrap();
        let text = read_seed(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text.as_deref(), Ok("= Alpha =\n"));
    }

    #[test]
    fn files_read_through_the_thread_buffer_read_as_one_by_one() {
        let folder = std::env::temp_dir().join(format!("seedls-shared-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let files: [(&str, &[u8]); 5] = [
            ("long.txt", "= Kosovo Operation (1944) =\n\nMile Čalović led the 3rd Brigade.\n".as_bytes()),
            ("short.txt", b"= T =\n"),
            ("mark.txt", "\u{feff}= Alpha =\n".as_bytes()),
            ("latin1.txt", b"= Caf\xe9 =\n"),
            ("empty.txt", b""),
        ];
        for (name, bytes) in files {
            std::fs::write(folder.join(name), bytes).unwrap();
        }
        let mut paths: Vec<PathBuf> = files.iter().map(|(name, _)| folder.join(name)).collect();
        paths.push(folder.join("missing.txt"));
        // Twice, so that each file also comes after a longer one in the same buffer.
        for path in paths.iter().chain(&paths) {
            let shared = read_seed_shared(path).map(|(text, metadata)| (text.to_string(), metadata.len()));
            let one_by_one = read_seed(path).map(|text| (text, std::fs::metadata(path).map_or(0, |m| m.len())));
            assert_eq!(shared, one_by_one, "{}", path.display());
        }
        // `= Caf` is valid: the byte at offset 5 is not.
        assert!(
            read_seed_shared(&folder.join("latin1.txt")).unwrap_err().contains("not UTF-8 (invalid byte at offset 5)")
        );
        // Read together into blocks, failures among them, each file reads as it does alone;
        // twice in a row, so that the second block fills the buffer the first left.
        for _ in 0..2 {
            let together = read_seeds_together(&paths);
            assert_eq!(together.len(), paths.len());
            for (path, read) in paths.iter().zip(together) {
                let read = read.map(|(text, metadata)| (text.to_string(), metadata.len()));
                let one_by_one = read_seed(path).map(|text| (text, std::fs::metadata(path).map_or(0, |m| m.len())));
                assert_eq!(read, one_by_one, "{}", path.display());
            }
        }
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
