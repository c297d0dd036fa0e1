//! Keeps the layers honest: the core (`syntax`, `index`, `ide`) never names the protocol,
//! the async runtime or the file system. Those belong to the edges (`lsp`, `cli`, `scan`).

use std::path::Path;

const FORBIDDEN: &[&str] =
    &["tower_lsp_server", "ls_types", "lsp_types", "tokio", "std::fs", "std::io::stdin", "println!"];

fn rust_files(folder: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_names_no_protocol_runtime_or_file_system() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["syntax", "index", "ide"] {
        rust_files(&src.join(layer), &mut files);
    }
    assert!(files.len() > 10, "the core's files were found");
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source is UTF-8");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in FORBIDDEN {
                if code.contains(name) {
                    offences.push(format!("{}:{}: {name}", file.display(), number + 1));
                }
            }
        }
    }
    assert!(offences.is_empty(), "the core must stay free of edge concerns:\n{}", offences.join("\n"));
}

#[test]
fn the_readme_lists_every_diagnostic_code() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md");
    assert!(
        readme.contains(&seedls::cli::codes_table()),
        "README.md's diagnostics table is stale: paste `seedls codes` into it"
    );
}
