//! Keeps the layers honest, in two ways:
//!
//! - direction: every `crate::…` path in `src/` may name only its own module or a module of a
//!   lower layer ([`LAYERS`]); a lower layer naming a higher one fails the test with the line;
//! - the core (`syntax`, `codes`, `index`, `ide`) never names the protocol, the async runtime or
//!   the file system. Those belong to the edges (`lsp`, `cli`, `scan`).
//!
//! seedls is one crate rather than a workspace of crates (one per layer) on purpose: several
//! people work in it at once, `pub(crate)` keeps the internals of each layer out of the public
//! API, and this test gives, for `crate::` paths, the guarantee separate crates would.

#[path = "support/files.rs"]
mod files;

use files::rust_files;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may name its own layer's module and any module of a
/// lower layer; modules sharing a layer may not name each other (so `lsp` and `cli` stay
/// apart). `test_support` is test-only access to the bundled seeds, below everything.
const LAYERS: &[&[&str]] = &[
    &["test_support"],
    &["cancel"],
    &["syntax"],
    &["codes"],
    &["index"],
    &["ide"],
    &["position", "scan"],
    &["cache"],
    &["lsp", "cli"],
];

/// Named exceptions, (file under src/, module it may name), each with its reason:
/// the diagnostics tests print `line:column` so that their snapshots read like `seedls check`.
const TEST_EXCEPTIONS: &[(&str, &str)] = &[("ide/diagnostics/tests.rs", "position")];

const FORBIDDEN_IN_CORE: &[&str] =
    &["tower_lsp_server", "ls_types", "lsp_types", "tokio", "std::fs", "std::io::stdin", "println!"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a source file belongs to (`src/ide/hover.rs` → `ide`,
/// `src/scan.rs` → `scan`); `None` for the crate root (`lib.rs`, `main.rs`).
fn top_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The text with `//` comments blanked (line numbers kept): doc comments may name any module.
fn without_comments(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every top-level module a `crate::` path in `code` names, with its line (1-based):
/// `crate::index::Workspace` → `index`; `use crate::{ide::X, syntax::{A, B}}` → `ide`, `syntax`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut search_from = 0;
    while let Some(at) = code[search_from..].find("crate::") {
        let start = search_from + at;
        search_from = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        let rest = &code[search_from..];
        if rest.starts_with('{') {
            // A group: split its top level on commas and take each item's first segment.
            let mut depth = 0;
            let mut item_start = 1;
            for (offset, byte) in rest.bytes().enumerate() {
                match byte {
                    b'{' => depth += 1,
                    b'}' | b',' if depth == 1 => {
                        let raw_item = &rest[item_start..offset];
                        let item = raw_item.trim();
                        let leading = raw_item.len() - raw_item.trim_start().len();
                        let head = item.split("::").next().unwrap_or("").trim();
                        if !head.is_empty() && head != "self" {
                            let item_line = line + rest[..item_start + leading].matches('\n').count();
                            found.push((item_line, head.to_string()));
                        }
                        item_start = offset + 1;
                        if byte == b'}' {
                            break;
                        }
                    }
                    b'}' => depth -= 1,
                    _ => {}
                }
            }
        } else {
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !head.is_empty() {
                found.push((line, head));
            }
        }
    }
    found
}

/// What is wrong with the paths of one file of module `module`: `line: module names other`.
fn offences(module: &str, code: &str) -> Vec<String> {
    let Some(own_layer) = layer_of(module) else {
        return vec![format!("module `{module}` is in no layer: add it to LAYERS (and ARCHITECTURE.md)")];
    };
    let mut offences = Vec::new();
    for (line, named) in crate_paths(code) {
        if named == module {
            continue;
        }
        match layer_of(&named) {
            Some(layer) if layer < own_layer => {}
            Some(layer) if layer == own_layer => {
                offences.push(format!("{line}: `{module}` names `{named}`, a module of the same layer"))
            }
            Some(_) => offences.push(format!("{line}: `{module}` names `{named}`, a higher layer")),
            None => offences.push(format!("{line}: `{module}` names `{named}`, which is in no layer")),
        }
    }
    offences
}

#[test]
fn every_crate_path_points_down_the_layers() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 40, "the source files were found");
    let mut all = Vec::new();
    let mut checked_paths = 0;
    for file in &files {
        let relative = file.strip_prefix(src()).expect("under src");
        let Some(module) = top_module(relative) else {
            continue;
        };
        let code = without_comments(&std::fs::read_to_string(file).expect("source is UTF-8"));
        checked_paths += crate_paths(&code).len();
        let allowed: Vec<&str> =
            TEST_EXCEPTIONS.iter().filter(|(path, _)| relative == Path::new(path)).map(|(_, module)| *module).collect();
        all.extend(
            offences(&module, &code)
                .into_iter()
                .filter(|offence| !allowed.iter().any(|named| offence.contains(&format!("names `{named}`"))))
                .map(|offence| format!("{}:{offence}", file.display())),
        );
    }
    assert!(checked_paths > 100, "only {checked_paths} `crate::` paths found: the scanner is broken");
    assert!(all.is_empty(), "a layer names a layer above it (order: {LAYERS:?}):\n{}", all.join("\n"));
}

#[test]
fn the_direction_check_catches_upward_and_sideways_paths() {
    let code = "use crate::syntax::parse;\nuse crate::{\n    codes::Code,\n    ide::hover,\n};\nfn f() { crate::lsp::run(); $crate::ide::x }\n";
    assert_eq!(
        crate_paths(code),
        [(1, "syntax".to_string()), (3, "codes".to_string()), (4, "ide".to_string()), (6, "lsp".to_string())]
    );
    assert_eq!(
        offences("index", code),
        ["4: `index` names `ide`, a higher layer", "6: `index` names `lsp`, a higher layer"]
    );
    assert_eq!(offences("cli", "use crate::lsp::State;"), ["1: `cli` names `lsp`, a module of the same layer"]);
    assert!(offences("lsp", code).is_empty());
    assert_eq!(offences("syntax", "use crate::codes::Code;"), ["1: `syntax` names `codes`, a higher layer"]);
    assert_eq!(offences("newthing", ""), ["module `newthing` is in no layer: add it to LAYERS (and ARCHITECTURE.md)"]);
}

#[test]
fn the_core_names_no_protocol_runtime_or_file_system() {
    let mut files = Vec::new();
    for layer in ["syntax", "index", "ide"] {
        rust_files(&src().join(layer), &mut files);
    }
    files.push(src().join("codes.rs"));
    assert!(files.len() > 10, "the core's files were found");
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source is UTF-8");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in FORBIDDEN_IN_CORE {
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
