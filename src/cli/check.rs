//! `seedls check`: every diagnostic of every seed file under the given paths.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ide::diagnostics::{Severity, SeverityOverrides, diagnostics};
use crate::index::config::Config;
use crate::index::{FileId, Workspace};
use crate::position::{Encoding, LineCol, LineIndex};
use crate::scan;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Checks the paths and writes the report to `out`; returns the exit status.
pub fn run_check(paths: &[PathBuf], format: OutputFormat, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut io_failed = false;
    let mut files = Vec::new();
    let mut config = Config::default();
    for path in paths {
        if path.is_dir() {
            if let Some((config_path, text)) = scan::read_config(path) {
                let (read, errors) = Config::parse(&text);
                for error in errors {
                    let _ = writeln!(err, "{}: error[config-error]: {}", config_path.display(), error.message);
                    io_failed = true;
                }
                config = read;
            }
            let (found, skipped) = scan::discover(path, &config);
            for reason in skipped {
                let _ = writeln!(err, "seedls: skipped {reason}");
            }
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            let _ = writeln!(err, "seedls: {}: no such file or folder", path.display());
            io_failed = true;
        }
    }
    let mut workspace = Workspace::new(config.schema());
    let mut loaded = Vec::new();
    for path in &files {
        match scan::read_seed(path) {
            Ok(text) => loaded.push((display_path(path), Arc::<str>::from(text))),
            Err(reason) => {
                let _ = writeln!(err, "seedls: {reason}");
                io_failed = true;
            }
        }
    }
    workspace.set_files(loaded);
    let overrides: SeverityOverrides = config.severities.clone();
    let mut report = Report::default();
    let mut ids: Vec<(String, FileId)> = workspace.files().map(|(id, file)| (file.path.clone(), id)).collect();
    ids.sort();
    for (_, id) in ids {
        let Some(source) = workspace.file(id) else {
            continue;
        };
        let index = LineIndex::new(&source.text);
        for diagnostic in diagnostics(&workspace, id, &overrides) {
            let start = index.line_col(&source.text, diagnostic.range.start(), Encoding::Chars);
            let end = index.line_col(&source.text, diagnostic.range.end(), Encoding::Chars);
            let line_text = line_text(&index, &source.text, start.line);
            report.count(diagnostic.severity);
            let found = Found { file: &source.path, start, end, line_text, diagnostic: &diagnostic };
            match format {
                OutputFormat::Text => found.write_text(out),
                OutputFormat::Json => report.json.push(found.json()),
            }
        }
    }
    match format {
        OutputFormat::Json => {
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&report.json).unwrap_or_else(|_| "[]".into()));
        }
        OutputFormat::Text => {
            let _ = writeln!(out, "{}", report.summary(workspace.file_count()));
        }
    }
    if io_failed {
        2
    } else if report.errors > 0 {
        1
    } else {
        0
    }
}

/// One line of `text` without its terminator, cut where the positions cut it: `\n`, `\r\n`
/// and a lone `\r` all end a line. (`str::lines` splits on `\n` only, so in a file with
/// CR-only line endings it would show the wrong line, or none, under the line number.)
fn line_text<'a>(index: &LineIndex, text: &'a str, line: u32) -> &'a str {
    let start = index.offset(text, LineCol { line, col: 0 }, Encoding::Utf8);
    // A column past the end of a line means the line's end, before its terminator.
    let end = index.offset(text, LineCol { line, col: u32::MAX }, Encoding::Utf8);
    &text[start..end]
}

fn display_path(path: &Path) -> String {
    path.strip_prefix("./").unwrap_or(path).display().to_string()
}

struct Found<'a> {
    file: &'a str,
    start: LineCol,
    end: LineCol,
    line_text: &'a str,
    diagnostic: &'a crate::ide::diagnostics::Diagnostic,
}

impl Found<'_> {
    fn write_text(&self, out: &mut dyn Write) {
        let line_number = (self.start.line + 1).to_string();
        let gutter = " ".repeat(line_number.len());
        let width = if self.end.line == self.start.line { (self.end.col - self.start.col).max(1) } else { 1 };
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}\n{gutter} |\n{line_number} | {}\n{gutter} | {}{}\n",
            self.file,
            self.start.line + 1,
            self.start.col + 1,
            self.diagnostic.severity.as_str(),
            self.diagnostic.code,
            self.diagnostic.message,
            self.line_text,
            " ".repeat(self.start.col as usize),
            "^".repeat(width as usize),
        );
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.file,
            "line": self.start.line + 1,
            "column": self.start.col + 1,
            "end_line": self.end.line + 1,
            "end_column": self.end.col + 1,
            "severity": self.diagnostic.severity.as_str(),
            "code": self.diagnostic.code.as_str(),
            "message": self.diagnostic.message,
        })
    }
}

#[derive(Default)]
struct Report {
    errors: usize,
    warnings: usize,
    information: usize,
    hints: usize,
    json: Vec<serde_json::Value>,
}

impl Report {
    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Information => self.information += 1,
            Severity::Hint => self.hints += 1,
        }
    }

    fn summary(&self, files: usize) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "checked {}: {}, {}, {} information, {}",
            plural(files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            self.information,
            plural(self.hints, "hint")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_lines_end_where_positions_end_them() {
        let text = "zero\rone\r\ntwo\nthree\r\rfive";
        let index = LineIndex::new(text);
        let lines: Vec<&str> = (0..7).map(|line| line_text(&index, text, line)).collect();
        // Line 6 is past the end of the text: empty, not a panic.
        assert_eq!(lines, ["zero", "one", "two", "three", "", "five", ""]);
    }
}
