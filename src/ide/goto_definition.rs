//! Go to definition: an entity with its own article goes to that article's title; any other
//! entity to its infobox listings in every article. A See-also item or `Partof` naming an
//! article goes to the article.

use crate::ide::targets::{Target, target_at};
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

/// A place to jump to: `focus` is what the editor selects, `full` what it may show around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavigationTarget {
    pub file: FileId,
    pub full: TextRange,
    pub focus: TextRange,
}

pub fn goto_definition(workspace: &Workspace, file: FileId, offset: usize) -> Vec<NavigationTarget> {
    let Some(Target::Entity { name, .. }) = target_at(workspace, file, offset) else {
        return Vec::new();
    };
    definitions_of(workspace, &name)
}

/// Where a name is defined, sorted by file path then position.
pub(crate) fn definitions_of(workspace: &Workspace, name: &str) -> Vec<NavigationTarget> {
    let Some(entity) = workspace.entity(name) else {
        return Vec::new();
    };
    let mut targets: Vec<(&str, NavigationTarget)> = if entity.articles.is_empty() {
        entity
            .listings
            .iter()
            .filter_map(|&(file, index)| {
                let listing = workspace.listing((file, index))?;
                let path = workspace.file(file)?.path.as_str();
                Some((path, NavigationTarget { file, full: listing.range, focus: listing.range }))
            })
            .collect()
    } else {
        entity
            .articles
            .iter()
            .filter_map(|&file| {
                let source = workspace.file(file)?;
                let focus = source.facts.title.as_ref().map_or(TextRange::empty(0), |(_, range)| *range);
                let full = source.facts.title_line.unwrap_or(focus);
                Some((source.path.as_str(), NavigationTarget { file, full, focus }))
            })
            .collect()
    };
    targets.sort_by(|(a_path, a), (b_path, b)| (a_path, a.focus.start).cmp(&(b_path, b.focus.start)));
    targets.into_iter().map(|(_, target)| target).collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let targets = goto_definition(&fixture.workspace, file, offset);
        let actual: Vec<String> = targets.iter().map(|target| fixture.describe(target.file, target.focus)).collect();
        expect.assert_debug_eq(&actual);
    }

    #[test]
    fn a_person_goes_to_every_listing() {
        check(
            "
            //- /b.txt
            = B =

            Infobox
            - Commander1: Enver Hoxha

            Enver Hoxha led.
              |
            //- /a.txt
            = A =

            Infobox
            - Commander2: Mehmet Shehu, Enver Hoxha
            ",
            expect![[r#"
                [
                    "/a.txt 4 \"Enver Hoxha\"",
                    "/b.txt 4 \"Enver Hoxha\"",
                ]
            "#]],
        );
    }

    #[test]
    fn an_article_name_goes_to_its_title() {
        check(
            "
            //- /a.txt
            = Belgrade offensive =

            Text.
            //- /b.txt
            = B =

            == See also ==
            - Belgrade offensive
                |
            ",
            expect![[r#"
                [
                    "/a.txt 1 \"Belgrade offensive\"",
                ]
            "#]],
        );
    }

    #[test]
    fn nothing_for_unknown_words() {
        check(
            "
            //- /a.txt
            = Alpha =

            == See also ==
            - Nowhere operation
                |
            ",
            expect![[r#"
                []
            "#]],
        );
    }
}
