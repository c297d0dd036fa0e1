//! Test fixtures: multi-file workspaces written inline, with markers on lines of their own.
//!
//! ```text
//! //- /kosovo.txt
//! - Commander1: Enver Hoxha
//!                   |
//! //- /albania.txt
//! - Commander1: Enver Hoxha, Mehmet Shehu
//!               ^^^^^^^^^^^
//! ```
//! `|` is the cursor, `^^^` an expected range, both under the line they point into (columns
//! count characters). Marker lines are removed from the text.

use std::sync::Arc;

use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

pub(crate) struct Fixture {
    pub(crate) workspace: Workspace,
    pub(crate) cursor: Option<(FileId, usize)>,
    pub(crate) ranges: Vec<(FileId, TextRange)>,
}

impl Fixture {
    pub(crate) fn parse(fixture: &str) -> Fixture {
        let mut workspace = Workspace::default();
        let mut cursor = None;
        let mut ranges = Vec::new();
        let fixture = trim_indent(fixture);
        for chunk in fixture.split("//- ").filter(|chunk| !chunk.trim().is_empty()) {
            let (path, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
            let mut text = String::new();
            let mut previous_line_start = 0;
            let mut markers = Vec::new();
            for line in body.split_inclusive('\n') {
                let content = line.trim_end_matches('\n');
                let is_marker = !content.trim().is_empty() && content.chars().all(|c| c == ' ' || c == '|' || c == '^');
                if is_marker {
                    let previous_line = &text[previous_line_start..];
                    let column_to_offset = |column: usize| {
                        previous_line_start
                            + previous_line
                                .char_indices()
                                .nth(column)
                                .map_or(previous_line.trim_end_matches('\n').len(), |(i, _)| i)
                    };
                    if let Some(column) = content.find('|') {
                        markers.push(Marker::Cursor(column_to_offset(column)));
                    }
                    if let (Some(first), Some(last)) = (content.find('^'), content.rfind('^')) {
                        markers.push(Marker::Range(column_to_offset(first), column_to_offset(last + 1)));
                    }
                } else {
                    previous_line_start = text.len();
                    text.push_str(line);
                }
            }
            let id = workspace.set_file(path.trim(), Arc::from(text.as_str()));
            for marker in markers {
                match marker {
                    Marker::Cursor(offset) => cursor = Some((id, offset)),
                    Marker::Range(start, end) => ranges.push((id, TextRange::new(start, end))),
                }
            }
        }
        Fixture { workspace, cursor, ranges }
    }

    pub(crate) fn cursor(&self) -> (FileId, usize) {
        self.cursor.expect("the fixture has a `|` cursor")
    }

    /// `path line "text"` for a range (the 1-based line it starts on and the text it covers),
    /// for readable expectations.
    pub(crate) fn describe(&self, file: FileId, range: TextRange) -> String {
        let source = self.workspace.file(file).expect("file exists");
        let line = source.text()[..range.start()].matches('\n').count() + 1;
        format!("{} {line} {:?}", source.path, range.slice(source.text()))
    }
}

enum Marker {
    Cursor(usize),
    Range(usize, usize),
}

/// Removes the indentation common to all non-empty lines, so fixtures can be indented in code.
pub(crate) fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    text.split_inclusive('\n')
        .map(|line| if line.len() >= indent { &line[indent..] } else { line.trim_start_matches(' ') })
        .collect()
}
