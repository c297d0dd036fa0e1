//! Diagnostics: what is wrong in a document, why, and how to fix it.
//!
//! Every diagnostic has a stable [`Code`] from the catalogue in `crate::codes`. One module per family:
//! `infobox`, `structure` (title and headings), `prose` (citations, spacing, dangling text),
//! `scrape` (web-page debris). Quick fixes travel with the diagnostic as [`Fix`]es.

mod infobox;
mod prose;
mod scrape;
mod structure;
#[cfg(test)]
mod tests;
mod workspace;

pub use crate::codes::{Code, CodeInfo, FixSafety, Severity, SeverityOverrides};
use crate::ide::TextEdit;
use crate::index::schema::Schema;
use crate::index::{FileId, Workspace};
use crate::syntax::{Document, TextRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub fixes: Vec<Fix>,
}

/// A quick fix: edits to the same document, with a label for the editor's menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub label: String,
    pub edits: Vec<TextEdit>,
}

impl Fix {
    pub fn new(label: impl Into<String>, edits: Vec<TextEdit>) -> Fix {
        Fix { label: label.into(), edits }
    }
}

/// Applies the user's severities: changes them, and drops what is turned off.
pub fn apply_overrides(overrides: &SeverityOverrides, diagnostics: &mut Vec<Diagnostic>) {
    if overrides.0.is_empty() {
        return;
    }
    diagnostics.retain_mut(|diagnostic| match overrides.0.get(&diagnostic.code) {
        Some(Some(severity)) => {
            diagnostic.severity = *severity;
            true
        }
        Some(None) => false,
        None => true,
    });
}

/// Helper for the families: builds a diagnostic with the catalogue's severity for `code`.
pub(crate) fn diagnostic(code: Code, range: TextRange, message: impl Into<String>) -> Diagnostic {
    Diagnostic { range, severity: code.default_severity(), code, message: message.into(), fixes: Vec::new() }
}

impl Diagnostic {
    pub(crate) fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }
}

/// All diagnostics one document earns on its own, sorted by position.
pub fn file_diagnostics(text: &str, document: &Document, schema: &Schema) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    infobox::check(text, document, schema, &mut diagnostics);
    structure::check(text, document, &mut diagnostics);
    prose::check(text, document, &mut diagnostics);
    scrape::check(text, document, &mut diagnostics);
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end, diagnostic.code.as_str()));
    diagnostics
}

/// Everything a file of the workspace earns: its own diagnostics and the cross-article ones,
/// with the user's severities applied. Work is proportional to this file, not the workspace.
pub fn diagnostics(workspace: &Workspace, file: FileId, overrides: &SeverityOverrides) -> Vec<Diagnostic> {
    let Some(source) = workspace.file(file) else {
        return Vec::new();
    };
    let mut diagnostics = file_diagnostics(source.text(), &source.document(), &workspace.schema);
    workspace::check(workspace, file, &mut diagnostics);
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end, diagnostic.code.as_str()));
    apply_overrides(overrides, &mut diagnostics);
    diagnostics
}
