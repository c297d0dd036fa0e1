//! `seedls export`: the entity annotations of every article (`ide::export`), written as W3C
//! Web Annotation JSON-LD, brat standoff or JSONL.
//!
//! Without `--out`, `w3c` prints one JSON array of collections and `jsonl` one line per
//! article; `brat` needs `--out`. With `--out DIR`: `w3c` writes `<name>.jsonld` per article,
//! `jsonl` writes `DIR/annotations.jsonl`, and `brat` writes `<name>.txt` (the text the offsets
//! count in, without a byte-order mark) and `<name>.ann` per article, mirroring the folders
//! below each given path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::args::{ExportArgs, ExportFormat};
use crate::cli::inputs::read_paths;
use crate::cli::report::{plural, uri_reference};
use crate::ide::export::{annotations, render_brat, render_jsonl, render_w3c};
use crate::index::Workspace;
use crate::scan;

/// Runs `seedls export`; returns the exit status (0, or 2 for a usage or I/O error).
pub fn run_export(args: &ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if args.format == ExportFormat::Brat && args.out.is_none() {
        let _ = writeln!(err, "seedls export: brat writes a .txt and an .ann file per article: give --out DIR");
        return 2;
    }
    let mut io_failed = false;
    let (config, inputs) = read_paths(&args.paths, err, &mut io_failed);
    let mut workspace = Workspace::new(config.schema());
    workspace.set_name_rules(config.aliases.clone(), config.ignored_name_pairs.clone());
    let mut loaded = Vec::new();
    let mut relatives = Vec::new();
    for input in &inputs {
        let path = input.path.clone().unwrap_or_else(|| PathBuf::from(&input.name));
        match scan::decode_seed(&path, input.bytes.clone()) {
            Ok(text) => {
                loaded.push((input.name.clone(), Arc::<str>::from(text)));
                relatives.push((input.name.clone(), input.relative.clone(), path));
            }
            Err(reason) => {
                let _ = writeln!(err, "seedls: {reason}");
                io_failed = true;
            }
        }
    }
    workspace.set_files(loaded);
    relatives.sort();

    let mut w3c_collections = Vec::new();
    let mut jsonl = String::new();
    let mut annotation_count = 0;
    for (name, relative, source_path) in &relatives {
        let Some(article) = workspace.file_id(name).and_then(|id| annotations(&workspace, id)) else {
            continue;
        };
        annotation_count += article.annotations.len();
        match args.format {
            ExportFormat::Jsonl => {
                jsonl += &render_jsonl(&article);
                jsonl.push('\n');
            }
            ExportFormat::W3c => {
                let collection = render_w3c(&article, &uri_reference(&relative.to_string_lossy()));
                match &args.out {
                    Some(folder) => {
                        let text = serde_json::to_string_pretty(&collection).unwrap_or_default() + "\n";
                        io_failed |= !write(&folder.join(relative).with_extension("jsonld"), &text, err);
                    }
                    None => w3c_collections.push(collection),
                }
            }
            ExportFormat::Brat => {
                let Some(folder) = &args.out else { continue };
                let text_path = folder.join(relative).with_extension("txt");
                // Exporting into the articles' own folder: the .txt is already there.
                if !same_file(&text_path, source_path) {
                    io_failed |= !write(&text_path, &article.text, err);
                }
                io_failed |= !write(&text_path.with_extension("ann"), &render_brat(&article), err);
            }
        }
    }
    match (args.format, &args.out) {
        (ExportFormat::Jsonl, None) => {
            let _ = write!(out, "{jsonl}");
        }
        (ExportFormat::Jsonl, Some(folder)) => io_failed |= !write(&folder.join("annotations.jsonl"), &jsonl, err),
        (ExportFormat::W3c, None) => {
            let array = serde_json::Value::Array(w3c_collections);
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&array).unwrap_or_default());
        }
        _ => {}
    }
    if let Some(folder) = &args.out {
        let _ = writeln!(
            err,
            "seedls: exported {} of {} to {}",
            plural(annotation_count, "annotation"),
            plural(relatives.len(), "article"),
            folder.display()
        );
    }
    if io_failed { 2 } else { 0 }
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Writes a file (and its folders); says why not and returns false on failure.
fn write(path: &Path, text: &str, err: &mut dyn Write) -> bool {
    let result = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent),
        _ => Ok(()),
    }
    .and_then(|()| std::fs::write(path, text));
    match result {
        Ok(()) => true,
        Err(error) => {
            let _ = writeln!(err, "seedls: {}: {error}", path.display());
            false
        }
    }
}
