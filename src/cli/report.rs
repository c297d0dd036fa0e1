//! The findings of `seedls check`, written as text (rustc style), JSON, SARIF 2.1.0, GitHub
//! workflow annotations, or per-code statistics.
//!
//! Columns: text, JSON and GitHub count characters (what a person counts); SARIF counts UTF-16
//! code units, its default `columnKind`, which the log states. Lines and columns are 1-based.

use std::collections::BTreeMap;
use std::io::Write;

use crate::codes::{Code, FixSafety, Severity};
use crate::ide::diagnostics::Diagnostic;
use crate::index::SharedText;
use crate::position::{Encoding, LineCol, LineIndex};

/// One file's findings, with what positions need.
pub(crate) struct FileFindings {
    pub(crate) path: String,
    pub(crate) text: SharedText,
    pub(crate) index: LineIndex,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl FileFindings {
    pub(crate) fn new(path: String, text: impl Into<SharedText>, diagnostics: Vec<Diagnostic>) -> FileFindings {
        let text = text.into();
        let index = LineIndex::new(&text);
        FileFindings { path, text, index, diagnostics }
    }

    fn position(&self, offset: usize, encoding: Encoding) -> LineCol {
        self.index.line_col(&self.text, offset, encoding)
    }

    /// One line of the text without its terminator, cut where the positions cut it: `\n`,
    /// `\r\n` and a lone `\r` all end a line. (`str::lines` splits on `\n` only, so in a file
    /// with CR-only line endings it would show the wrong line, or none, under the number.)
    fn line_text(&self, line: u32) -> &str {
        line_text(&self.index, &self.text, line)
    }
}

pub(crate) fn line_text<'a>(index: &LineIndex, text: &'a str, line: u32) -> &'a str {
    let start = index.offset(text, LineCol { line, col: 0 }, Encoding::Utf8);
    // A column past the end of a line means the line's end, before its terminator.
    let end = index.offset(text, LineCol { line, col: u32::MAX }, Encoding::Utf8);
    &text[start..end]
}

/// Counts by severity, for the summary line and the exit status.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) information: usize,
    pub(crate) hints: usize,
}

impl Counts {
    pub(crate) fn of(files: &[FileFindings]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Information => counts.information += 1,
                Severity::Hint => counts.hints += 1,
            }
        }
        counts
    }

    pub(crate) fn summary(&self, files: usize) -> String {
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

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn write_text(files: &[FileFindings], out: &mut dyn Write) {
    for file in files {
        for diagnostic in &file.diagnostics {
            let start = file.position(diagnostic.range.start(), Encoding::Chars);
            let end = file.position(diagnostic.range.end(), Encoding::Chars);
            let line_number = (start.line + 1).to_string();
            let gutter = " ".repeat(line_number.len());
            let width = if end.line == start.line { (end.col - start.col).max(1) } else { 1 };
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}\n{gutter} |\n{line_number} | {}\n{gutter} | {}{}\n",
                file.path,
                start.line + 1,
                start.col + 1,
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message,
                file.line_text(start.line),
                " ".repeat(start.col as usize),
                "^".repeat(width as usize),
            );
        }
    }
}

fn fix_value(code: Code) -> serde_json::Value {
    match code.fix_safety() {
        FixSafety::None => serde_json::Value::Null,
        safety => safety.as_str().into(),
    }
}

pub(crate) fn json(files: &[FileFindings]) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|file| {
            file.diagnostics.iter().map(move |diagnostic| {
                let start = file.position(diagnostic.range.start(), Encoding::Chars);
                let end = file.position(diagnostic.range.end(), Encoding::Chars);
                serde_json::json!({
                    "file": file.path,
                    "line": start.line + 1,
                    "column": start.col + 1,
                    "end_line": end.line + 1,
                    "end_column": end.col + 1,
                    "severity": diagnostic.severity.as_str(),
                    "code": diagnostic.code.as_str(),
                    "message": diagnostic.message,
                    "fix": fix_value(diagnostic.code),
                })
            })
        })
        .collect();
    findings.into()
}

pub(crate) const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A path as a relative URI reference: forward slashes, and bytes outside the unreserved set
/// percent-encoded (a space, `#` or `%` would otherwise change its meaning).
pub(crate) fn uri_reference(path: &str) -> String {
    let mut uri = String::new();
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri += &format!("%{byte:02X}");
        }
    }
    uri
}

pub(crate) fn sarif(files: &[FileFindings]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            let info = code.info();
            let mut rule = serde_json::json!({
                "id": info.name,
                "shortDescription": { "text": info.summary },
                "defaultConfiguration": { "level": sarif_level(info.severity) },
            });
            if info.fix != FixSafety::None {
                // Whether `seedls check --fix` applies the fix on its own (`safe`) or not.
                rule["properties"] = serde_json::json!({ "fix": info.fix.as_str() });
            }
            rule
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        let uri = uri_reference(&file.path);
        let region = |range: crate::syntax::TextRange| {
            let start = file.position(range.start(), Encoding::Utf16);
            let end = file.position(range.end(), Encoding::Utf16);
            serde_json::json!({
                "startLine": start.line + 1,
                "startColumn": start.col + 1,
                "endLine": end.line + 1,
                "endColumn": end.col + 1,
            })
        };
        for diagnostic in &file.diagnostics {
            let fixes: Vec<serde_json::Value> = diagnostic
                .fixes
                .iter()
                .map(|fix| {
                    let replacements: Vec<serde_json::Value> = fix
                        .edits
                        .iter()
                        .map(|edit| {
                            serde_json::json!({
                                "deletedRegion": region(edit.range),
                                "insertedContent": { "text": edit.new_text },
                            })
                        })
                        .collect();
                    serde_json::json!({
                        "description": { "text": fix.label },
                        "artifactChanges": [{ "artifactLocation": { "uri": uri }, "replacements": replacements }],
                    })
                })
                .collect();
            let mut result = serde_json::json!({
                "ruleId": diagnostic.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|code| *code == diagnostic.code),
                "level": sarif_level(diagnostic.severity),
                "message": { "text": diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region(diagnostic.range),
                    }
                }],
            });
            if !fixes.is_empty() {
                result["fixes"] = fixes.into();
            }
            results.push(result);
        }
    }
    serde_json::json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "seedls",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

/// A workflow command's message: `%`, CR and LF escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: as data, and `:` and `,` too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn write_github(files: &[FileFindings], out: &mut dyn Write) {
    for file in files {
        for diagnostic in &file.diagnostics {
            let start = file.position(diagnostic.range.start(), Encoding::Chars);
            let end = file.position(diagnostic.range.end(), Encoding::Chars);
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "notice",
            };
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&file.path),
                start.line + 1,
                start.col + 1,
                end.line + 1,
                end.col + 1,
                escape_property(diagnostic.code.as_str()),
                escape_data(&diagnostic.message),
            );
        }
    }
}

/// Findings per code, most frequent first.
pub(crate) fn statistics(files: &[FileFindings]) -> Vec<(Code, usize)> {
    let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
    for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
        *counts.entry(diagnostic.code).or_default() += 1;
    }
    let mut counts: Vec<(Code, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.as_str().cmp(b.0.as_str())));
    counts
}

pub(crate) fn write_statistics_text(files: &[FileFindings], out: &mut dyn Write) {
    for (code, count) in statistics(files) {
        let _ = match code.fix_safety() {
            FixSafety::None => writeln!(out, "{count:>6}  {code}"),
            safety => writeln!(out, "{count:>6}  {code:<22}[{} fix]", safety.as_str()),
        };
    }
}

pub(crate) fn statistics_json(files: &[FileFindings]) -> serde_json::Value {
    statistics(files)
        .into_iter()
        .map(|(code, count)| serde_json::json!({ "code": code.as_str(), "count": count, "fix": fix_value(code) }))
        .collect::<Vec<_>>()
        .into()
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

    #[test]
    fn workflow_commands_escape_what_would_end_them() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn uris_escape_spaces_and_hashes() {
        assert_eq!(uri_reference("seeds/Kosovo #1 (1944).txt"), "seeds/Kosovo%20%231%20%281944%29.txt");
        assert_eq!(uri_reference("Čalović.txt"), "%C4%8Calovi%C4%87.txt");
    }
}
