//! Shared by the test crates that read the sources (`docs.rs`, `layering.rs`).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `folder`, recursively, appended to `out`.
pub(crate) fn rust_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}
