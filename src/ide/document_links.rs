//! Document links: each See-also item that names an article links to that article's file.

use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: TextRange,
    pub target: FileId,
}

pub fn document_links(workspace: &Workspace, file: FileId) -> Vec<DocumentLink> {
    let Some(source) = workspace.file(file) else {
        return Vec::new();
    };
    source
        .facts
        .see_also
        .iter()
        .filter_map(|link| {
            Some(DocumentLink { range: link.range, target: *workspace.articles_named(&link.name).first()? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    #[test]
    fn see_also_items_link_to_articles() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Belgrade offensive =
            //- /b.txt
            = B =

            == See also ==
            - Belgrade offensive
            - Nowhere
            ",
        );
        let links = document_links(&fixture.workspace, FileId(1));
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].target, FileId(0));
    }
}
