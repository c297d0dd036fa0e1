//! IDE features over the syntax tree and the index: one module per feature, plain data in and
//! plain data out. Nothing here knows the protocol, does I/O or counts lines and columns.

pub mod code_actions;
pub mod code_lens;
pub mod completion;
pub mod create_article;
pub mod diagnostics;
pub mod document_highlight;
pub mod document_links;
pub mod entity_explorer;
pub mod entity_id;
pub mod export;
pub mod fix_all;
#[cfg(test)]
mod fixture;
pub mod folding;
pub mod formatting;
mod fuzzy;
pub mod goto_definition;
pub mod hover;
#[cfg(test)]
mod incremental_tests;
pub mod inlay_hints;
pub mod record_alias;
pub mod references;
pub mod rename;
#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod seed_workspace_tests;
pub mod selection_range;
pub mod semantic_tokens;
pub mod symbols;
pub mod targets;
pub mod type_hierarchy;

use crate::syntax::TextRange;

/// A replacement of `range` by `new_text` in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

impl TextEdit {
    pub fn replace(range: TextRange, new_text: impl Into<String>) -> TextEdit {
        TextEdit { range, new_text: new_text.into() }
    }

    pub fn delete(range: TextRange) -> TextEdit {
        TextEdit { range, new_text: String::new() }
    }

    pub fn insert(offset: usize, new_text: impl Into<String>) -> TextEdit {
        TextEdit { range: TextRange::empty(offset), new_text: new_text.into() }
    }
}

/// Applies non-overlapping edits to a text (for tests and for previews).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for edit in edits {
        out.push_str(text.get(offset..edit.range.start()).unwrap_or(""));
        out.push_str(&edit.new_text);
        offset = offset.max(edit.range.end());
    }
    out.push_str(text.get(offset..).unwrap_or(""));
    out
}

/// The whole line around `line` (a line's content range), with its terminator; for the last
/// line, which may have none, the terminator before it instead, so deleting it leaves no blank.
pub fn line_with_terminator(text: &str, line: TextRange) -> TextRange {
    let rest = &text.as_bytes()[line.end().min(text.len())..];
    let terminator = if rest.starts_with(b"\r\n") {
        2
    } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
        1
    } else {
        0
    };
    if terminator > 0 || line.start() == 0 {
        return TextRange::new(line.start(), line.end() + terminator);
    }
    let before = &text.as_bytes()[..line.start()];
    let previous_terminator =
        if before.ends_with(b"\r\n") { 2 } else { usize::from(before.ends_with(b"\n") || before.ends_with(b"\r")) };
    TextRange::new(line.start() - previous_terminator, line.end())
}

/// The line terminator the document uses most (for text a fix inserts).
pub fn line_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    let cr = text.matches('\r').count() - crlf;
    if crlf > lf && crlf >= cr {
        "\r\n"
    } else if cr > lf {
        "\r"
    } else {
        "\n"
    }
}
