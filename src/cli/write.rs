//! Writing a fixed file safely: the new bytes go to a temporary file in the same folder, which
//! is renamed over the original (a reader never sees half a file, and a crash leaves the
//! original). Just before the rename the file on disk is read again; if it is no longer what
//! was read (an editor saved it meanwhile), it is not overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces `path`'s content `original` by `new`. `before_rename` runs between writing the
/// temporary file and checking the original again (tests use it to change the file there).
pub(crate) fn replace_file(
    path: &Path,
    original: &[u8],
    new: &[u8],
    before_rename: &mut dyn FnMut(&Path),
) -> Result<(), String> {
    // Through a symbolic link, the file it points to is replaced and the link stays a link.
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let path = resolved.as_path();
    let temporary = temporary_path(path);
    let result = write_temporary(path, &temporary, new).and_then(|()| {
        before_rename(path);
        let now = std::fs::read(path).map_err(|error| format!("{}: cannot read it again: {error}", path.display()))?;
        if now != original {
            return Err(format!("{}: changed on disk since it was read; not overwritten", path.display()));
        }
        std::fs::rename(&temporary, path).map_err(|error| format!("{}: cannot replace it: {error}", path.display()))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// `.name.seedls-PID.tmp` beside the file: same folder, so the rename stays on one file system.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "file".into(), |name| name.to_string_lossy());
    path.with_file_name(format!(".{name}.seedls-{}.tmp", std::process::id()))
}

fn write_temporary(path: &Path, temporary: &Path, new: &[u8]) -> Result<(), String> {
    let failed = |error: std::io::Error| format!("{}: cannot write {}: {error}", path.display(), temporary.display());
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(temporary).map_err(failed)?;
    file.write_all(new).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    // The fixed file keeps the original's permissions.
    if let Ok(metadata) = std::fs::metadata(path) {
        std::fs::set_permissions(temporary, metadata.permissions()).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!("seedls-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    fn entries(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let folder = folder("replace");
        let path = folder.join("a.txt");
        std::fs::write(&path, "old").unwrap();
        replace_file(&path, b"old", b"new", &mut |_| {}).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(entries(&folder), ["a.txt"]);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let folder = folder("changed");
        let path = folder.join("a.txt");
        std::fs::write(&path, "old").unwrap();
        // Another program saves the file between our read and our rename.
        let result = replace_file(&path, b"old", b"fixed", &mut |path| std::fs::write(path, "edited").unwrap());
        let error = result.unwrap_err();
        assert!(error.ends_with("a.txt: changed on disk since it was read; not overwritten"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited");
        assert_eq!(entries(&folder), ["a.txt"], "the temporary file is removed");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link() {
        let folder = folder("symlink");
        let target = folder.join("target.txt");
        let link = folder.join("link.txt");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace_file(&link, b"old", b"new", &mut |_| {}).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn a_file_removed_since_it_was_read_is_reported() {
        let folder = folder("removed");
        let path = folder.join("a.txt");
        std::fs::write(&path, "old").unwrap();
        let result = replace_file(&path, b"old", b"fixed", &mut |path| std::fs::remove_file(path).unwrap());
        assert!(result.unwrap_err().contains("cannot read it again"));
        assert!(entries(&folder).is_empty());
    }
}
