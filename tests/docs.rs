//! Keeps the documents true: ARCHITECTURE.md's code map names every module in `src/`, and
//! names no source file that does not exist (a new file without a place on the map, or a map
//! that lost a file, fails here).

#[path = "support/files.rs"]
mod files;

use files::rust_files;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The name a file goes by on the map: `src/ide/hover.rs` → `hover`, `src/ide/diagnostics/mod.rs`
/// → `diagnostics`. `lib.rs` and `main.rs` are the crate itself.
fn module_name(file: &Path) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    match stem {
        "lib" | "main" => None,
        "mod" => Some(file.parent()?.file_name()?.to_str()?.to_string()),
        other => Some(other.to_string()),
    }
}

#[test]
fn the_code_map_names_every_module() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 30, "the source files were found");
    let missing: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let name = module_name(file)?;
            let named = [format!("`{name}`"), format!("`{name}.rs`"), format!("`{name}/`"), format!("/{name}.rs`")]
                .iter()
                .any(|spelling| map.contains(spelling.as_str()))
                || map.contains(&format!("`src/{name}"));
            (!named).then(|| file.strip_prefix(root()).unwrap_or(file).display().to_string())
        })
        .collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name:\n{}", missing.join("\n"));
}

#[test]
fn the_code_map_names_no_file_that_is_gone() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let names: Vec<String> = files.iter().filter_map(|file| file.file_name()?.to_str().map(str::to_string)).collect();
    // Every `something.rs` the map mentions is a file of src/ (or a test or bench file).
    let gone: Vec<&str> = map
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.ends_with(".rs"))
        .filter(|quoted| {
            let file_name = quoted.rsplit('/').next().unwrap_or(quoted);
            !names.iter().any(|name| name == file_name)
                && !root().join(quoted).exists()
                && !root().join("src").join(quoted).exists()
        })
        .collect();
    assert!(gone.is_empty(), "ARCHITECTURE.md names files that do not exist: {gone:?}");
}
