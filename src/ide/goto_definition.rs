//! Go to definition.
//!
//! The rule, cheap whatever the entity's size:
//! 1. An entity with its own article(s) goes to their titles (by path).
//! 2. Otherwise, when the file under the cursor lists the entity, its listings in this file
//!    come first, the nearest to the cursor first: that is the declaration a reader means.
//! 3. Then the other listings, by path then position, up to [`OTHER_LISTINGS`] in all. A
//!    commander listed in five thousand articles has no single definition; the full list is
//!    what find-references is for.
//! 4. The listing the cursor stands on comes last: the reader is there already, and an
//!    editor jumps to the first location.
//!
//! A See-also item or `Partof` naming an article goes to the article (rule 1).

use crate::ide::targets::{Target, target_at};
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

/// At most this many listings are answered for an entity with no article.
pub const OTHER_LISTINGS: usize = 50;

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
    definitions_of(workspace, &name, Some((file, offset)))
}

/// Where a name is defined (see the module comment); `from` is the cursor's file and offset.
pub(crate) fn definitions_of(
    workspace: &Workspace,
    name: &str,
    from: Option<(FileId, usize)>,
) -> Vec<NavigationTarget> {
    let Some(entity) = workspace.entity(name) else {
        return Vec::new();
    };
    if !entity.articles.is_empty() {
        return workspace
            .articles_in_order(entity)
            .into_iter()
            .filter_map(|file| {
                let source = workspace.file(file)?;
                let focus = source.facts.title.as_ref().map_or(TextRange::empty(0), |(_, range)| *range);
                let full = source.facts.title_line.unwrap_or(focus);
                Some(NavigationTarget { file, full, focus })
            })
            .collect();
    }
    let target = |(file, range): (FileId, TextRange)| NavigationTarget { file, full: range, focus: range };
    let listing_range = |listing_ref: (FileId, u32)| workspace.listing(listing_ref).map(|listing| listing.range);
    // The entity's listings are kept by path then position: this file's are one run of them,
    // found by binary search, and the others are the first ones outside that run.
    let (file, offset) = from.unzip();
    let here_path = file.and_then(|file| workspace.file(file)).map(|source| source.path.as_ref());
    let path_of = |id: FileId| workspace.file(id).map_or("", |source| source.path.as_ref());
    let (run_start, run_end) = match here_path {
        Some(here) => (
            entity.listings.partition_point(|&(id, _)| path_of(id) < here),
            entity.listings.partition_point(|&(id, _)| path_of(id) <= here),
        ),
        None => (0, 0),
    };
    let mut here: Vec<(usize, TextRange)> = entity.listings[run_start..run_end]
        .iter()
        .filter_map(|&listing_ref| {
            let range = listing_range(listing_ref)?;
            let offset = offset?;
            Some((offset.abs_diff(range.start()).min(offset.abs_diff(range.end())), range))
        })
        .collect();
    here.sort_by_key(|&(distance, range)| (distance, range.start()));
    let under_cursor: Vec<TextRange> = here
        .iter()
        .filter(|&&(_, range)| offset.is_some_and(|offset| range.touches(offset)))
        .map(|&(_, range)| range)
        .collect();
    here.retain(|(_, range)| !under_cursor.contains(range));
    let room = OTHER_LISTINGS.saturating_sub(here.len() + under_cursor.len());
    let elsewhere = entity.listings[..run_start]
        .iter()
        .chain(&entity.listings[run_end..])
        .filter_map(|&listing_ref| Some((listing_ref.0, listing_range(listing_ref)?)))
        .take(room);
    here.into_iter()
        .map(|(_, range)| range)
        .filter_map(|range| Some(target((file?, range))))
        .chain(elsewhere.map(target))
        .chain(under_cursor.into_iter().filter_map(|range| Some(target((file?, range)))))
        .collect()
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
    fn a_person_goes_to_the_listing_here_then_the_others() {
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
                    "/b.txt 4 \"Enver Hoxha\"",
                    "/a.txt 4 \"Enver Hoxha\"",
                ]
            "#]],
        );
    }

    #[test]
    fn a_person_listed_everywhere_answers_a_few_listings_by_path() {
        let mut fixture = String::from("//- /here.txt\n= Here =\n\nEnver Hoxha led.\n|\n");
        for index in (0..OTHER_LISTINGS + 10).rev() {
            fixture += &format!("//- /a{index:03}.txt\n= A{index} =\n\nInfobox\n- Commander1: Enver Hoxha\n");
        }
        let fixture = Fixture::parse(&fixture);
        let (file, offset) = fixture.cursor();
        let targets = goto_definition(&fixture.workspace, file, offset);
        let paths: Vec<&str> =
            targets.iter().map(|target| fixture.workspace.file(target.file).unwrap().path.as_ref()).collect();
        let expected: Vec<String> = (0..OTHER_LISTINGS).map(|index| format!("/a{index:03}.txt")).collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn the_nearest_listing_in_this_file_comes_first_and_the_one_under_the_cursor_last() {
        check(
            "
            //- /a.txt
            = A =

            Infobox
            - Commander1: Enver Hoxha
            - Commander2: Enver Hoxha
                            |
            //- /b.txt
            = B =

            Infobox
            - Commander1: Enver Hoxha
            ",
            expect![[r#"
                [
                    "/a.txt 4 \"Enver Hoxha\"",
                    "/b.txt 4 \"Enver Hoxha\"",
                    "/a.txt 5 \"Enver Hoxha\"",
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
