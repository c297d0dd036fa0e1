//! Document highlight: the other places in this document where the name under the cursor
//! stands, with its infobox listings marked as the "write" places.

use crate::ide::references::{is_declaration, names_referring_to};
use crate::ide::targets::{Target, target_at};
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub range: TextRange,
    /// A listing or title (where the name is declared) rather than a mention.
    pub is_declaration: bool,
}

/// Only this document is looked at: editors ask on every cursor move.
pub fn document_highlight(workspace: &Workspace, file: FileId, offset: usize) -> Vec<Highlight> {
    let Some(Target::Entity { name, .. }) = target_at(workspace, file, offset) else { return Vec::new() };
    let names = names_referring_to(workspace, &name);
    workspace
        .mentions(file)
        .iter()
        .filter(|mention| names.iter().any(|name| **name == *mention.name))
        .map(|mention| Highlight {
            range: mention.range,
            is_declaration: is_declaration(workspace, file, mention.range),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    #[test]
    fn listing_and_mentions_in_this_document_only() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Alpha =

            Infobox
            - Commander1: Enver Hoxha
                          ^^^^^^^^^^^

            Enver Hoxha led. Then Enver Hoxha left.
                                  ^^^^^^^^^^^
            ^^^^^^^^^^^
              |
            //- /b.txt
            = Beta =

            Enver Hoxha elsewhere.
            ",
        );
        let (file, offset) = fixture.cursor();
        let mut found: Vec<(TextRange, bool)> =
            document_highlight(&fixture.workspace, file, offset).iter().map(|h| (h.range, h.is_declaration)).collect();
        found.sort();
        let mut expected: Vec<(TextRange, bool)> =
            fixture.ranges.iter().enumerate().map(|(index, &(_, range))| (range, index == 0)).collect();
        expected.sort();
        assert_eq!(found, expected);
    }
}
