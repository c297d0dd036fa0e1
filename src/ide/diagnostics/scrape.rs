//! Scrape debris: lines left over from the web page the article was copied from, and the
//! wiki's `[edit]` links glued to headings.

use super::{Diagnostic, Fix, diagnostic};
use crate::ide::{TextEdit, line_with_terminator};
use crate::syntax::{BlockKind, DebrisKind, Document, TextRange};

pub(super) fn check(text: &str, document: &Document, out: &mut Vec<Diagnostic>) {
    for heading in document.headings() {
        let Some(link) = heading.edit_link else {
            continue;
        };
        // Delete the link with the spaces before it: `Background [edit]` becomes `Background`.
        let before = &text[heading.text.end()..link.start()];
        out.push(
            diagnostic(
                "scrape-debris",
                link,
                "`[edit]` is the wiki's edit link, left over from the web page: delete it",
            )
            .with_fix(Fix::new(
                "Delete `[edit]`",
                vec![TextEdit::delete(TextRange::new(link.start() - before.len(), link.end()))],
            )),
        );
    }
    for block in &document.blocks {
        let BlockKind::Debris(debris) = &block.kind else {
            continue;
        };
        let message = match debris.kind {
            DebrisKind::InvisibleSpaces => {
                "a line of only non-breaking spaces, left over from the web page: delete it".to_string()
            }
            DebrisKind::Navigation => {
                format!("`{}` is navigation left over from the web page: delete it", debris.line.slice(text).trim())
            }
        };
        out.push(
            diagnostic("scrape-debris", debris.line, message)
                .with_fix(Fix::new("Delete the line", vec![TextEdit::delete(line_with_terminator(text, debris.line))])),
        );
    }
}
