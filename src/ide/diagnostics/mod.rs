//! Diagnostics: what is wrong in a document, why, and how to fix it.
//!
//! Every diagnostic has a stable kebab-case code from [`CATALOGUE`]. One module per family:
//! `infobox`, `structure` (title and headings), `prose` (citations, spacing, dangling text),
//! `scrape` (web-page debris). Quick fixes travel with the diagnostic as [`Fix`]es.

mod infobox;
mod prose;
mod scrape;
mod structure;
#[cfg(test)]
mod tests;
mod workspace;

use std::collections::HashMap;

use crate::ide::TextEdit;
use crate::index::schema::Schema;
use crate::index::{FileId, Workspace};
use crate::syntax::{Document, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(word: &str) -> Option<Severity> {
        match word {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    pub code: &'static str,
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

/// One entry of the catalogue of codes.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub has_fix: bool,
    pub summary: &'static str,
}

const fn code(code: &'static str, severity: Severity, has_fix: bool, summary: &'static str) -> CodeInfo {
    CodeInfo { code, severity, has_fix, summary }
}

/// Every diagnostic seedls reports, with its default severity.
pub const CATALOGUE: &[CodeInfo] = &[
    code("infobox-syntax", Severity::Error, false, "a line inside the infobox block not of the form `- Key: Value`"),
    code("infobox-duplicate-key", Severity::Error, true, "a key given twice (the later one is flagged)"),
    code(
        "infobox-unknown-key",
        Severity::Warning,
        true,
        "a key outside the schema; the nearest known key is suggested",
    ),
    code("infobox-missing-key", Severity::Warning, true, "a required key is absent (Conflict, Date, Place, Result)"),
    code(
        "infobox-empty-value",
        Severity::Warning,
        false,
        "a value that is empty or only separators (`- Combatant2: ,`)",
    ),
    code("infobox-empty-item", Severity::Warning, true, "an empty item in a list (`LANÇ<hr />, , Bulgaria,`)"),
    code(
        "infobox-markup",
        Severity::Warning,
        true,
        "leftover markup: HTML tags (`<hr>`, `<br>`), image sizes (`22px`)",
    ),
    code(
        "infobox-side-mismatch",
        Severity::Warning,
        false,
        "`CommanderN`/`UnitsN`/`StrengthN`/`CasualtiesN` for a side with no `CombatantN`",
    ),
    code("infobox-nesting", Severity::Warning, false, "a `**` item not under a `*` item, or a `*` item with no parent"),
    code(
        "infobox-date",
        Severity::Warning,
        false,
        "a Date that cannot be read as a date or range, or a range that ends before it starts",
    ),
    code("infobox-misplaced", Severity::Warning, false, "a second infobox, or an infobox after body text"),
    code(
        "title-missing",
        Severity::Information,
        true,
        "the title is a bare line rather than `= Title =` (or there is none)",
    ),
    code("heading-syntax", Severity::Error, true, "unbalanced `=` markers (`== Legacy =`)"),
    code("heading-spacing", Severity::Hint, true, "`==Aftermath==` without spaces inside the markers"),
    code(
        "heading-level-skip",
        Severity::Warning,
        false,
        "a heading two levels below its parent (`===` straight under the title)",
    ),
    code(
        "bare-heading",
        Severity::Information,
        true,
        "a standalone line that reads as a section heading (`Background`)",
    ),
    code("citation-needed", Severity::Warning, false, "a `[citation needed]` marker: the claim needs a source"),
    code("stray-citation", Severity::Hint, true, "numbered reference markers with no reference list in the document"),
    code(
        "scrape-debris",
        Severity::Warning,
        true,
        "navigation and scrape leftovers (`< Prev   Next >`, lines of only non-breaking spaces)",
    ),
    code("missing-space", Severity::Hint, true, "two sentences joined without a space (`Mitrovica.Meanwhile`)"),
    code(
        "dangling-text",
        Severity::Hint,
        false,
        "text broken by a removed link or quote: `in the .`, a space before punctuation, a paragraph ending in `:`",
    ),
    code("unresolved-link", Severity::Hint, false, "a See-also item naming no article in the workspace"),
    code(
        "name-variant",
        Severity::Information,
        true,
        "a name that is a near-spelling of another known entity of the same kind",
    ),
    code("duplicate-title", Severity::Warning, false, "two articles with the same title"),
];

pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CATALOGUE.iter().find(|info| info.code == code)
}

/// Severity per code as the user configured it: a new severity, or `None` for off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityOverrides(pub HashMap<String, Option<Severity>>);

impl SeverityOverrides {
    /// Applies the overrides: changes severities and drops what is turned off.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.0.is_empty() {
            return;
        }
        diagnostics.retain_mut(|diagnostic| match self.0.get(diagnostic.code) {
            Some(Some(severity)) => {
                diagnostic.severity = *severity;
                true
            }
            Some(None) => false,
            None => true,
        });
    }
}

/// Helper for the families: builds a diagnostic with the catalogue's severity for `code`.
pub(crate) fn diagnostic(code: &'static str, range: TextRange, message: impl Into<String>) -> Diagnostic {
    let severity = code_info(code).map_or(Severity::Warning, |info| info.severity);
    Diagnostic { range, severity, code, message: message.into(), fixes: Vec::new() }
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
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end, diagnostic.code));
    diagnostics
}

/// Everything a file of the workspace earns: its own diagnostics and the cross-article ones,
/// with the user's severities applied. Work is proportional to this file, not the workspace.
pub fn diagnostics(workspace: &Workspace, file: FileId, overrides: &SeverityOverrides) -> Vec<Diagnostic> {
    let Some(source) = workspace.file(file) else {
        return Vec::new();
    };
    let mut diagnostics = file_diagnostics(&source.text, &source.document(), &workspace.schema);
    workspace::check(workspace, file, &mut diagnostics);
    diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end, diagnostic.code));
    overrides.apply(&mut diagnostics);
    diagnostics
}
