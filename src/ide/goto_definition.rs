//! Go to definition.
//!
//! The rule, cheap whatever the entity's size:
//! 1. An entity with its own article(s) goes to their titles (by path).
//! 2. Otherwise, when the file under the cursor lists the entity, its listings in this file
//!    come first, the nearest to the cursor first: that is the declaration a reader means.
//! 3. Then the other listings, by path then position, up to [`OTHER_LISTINGS`] in all. A
//!    commander listed in five thousand articles has no single definition; the full list is
//!    what find-references is for.
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
pub(crate) fn definitions_of(workspace: &Workspace, name: &str, from: Option<(FileId, usize)>) -> Vec<NavigationTarget> {
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
    let mut here: Vec<(usize, TextRange)> = Vec::new();
    let mut elsewhere: Vec<((&str, usize), (FileId, TextRange))> = Vec::new();
    for (checked, &listing_ref) in entity.listings.iter().enumerate() {
        if checked % 256 == 255 {
            crate::cancel::check();
        }
        let Some(source) = workspace.file(listing_ref.0) else { continue };
        let Some(listing) = source.facts.listings.get(listing_ref.1 as usize) else { continue };
        match from {
            Some((file, offset)) if file == listing_ref.0 => {
                let distance = offset.abs_diff(listing.range.start()).min(offset.abs_diff(listing.range.end()));
                here.push((distance, listing.range));
            }
            _ => elsewhere.push(((source.path.as_str(), listing.range.start()), (listing_ref.0, listing.range))),
        }
    }
    here.sort_by_key(|&(distance, range)| (distance, range.start()));
    let room = OTHER_LISTINGS.saturating_sub(here.len());
    // The first few by path without sorting thousands.
    if elsewhere.len() > room {
        if room == 0 {
            elsewhere.clear();
        } else {
            elsewhere.select_nth_unstable_by_key(room - 1, |(key, _)| *key);
            elsewhere.truncate(room);
        }
    }
    elsewhere.sort_unstable_by_key(|(key, _)| *key);
    let file = from.map(|(file, _)| file);
    here.into_iter()
        .filter_map(|(_, range)| Some(target((file?, range))))
        .chain(elsewhere.into_iter().map(|(_, place)| target(place)))
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
            targets.iter().map(|target| fixture.workspace.file(target.file).unwrap().path.as_str()).collect();
        let expected: Vec<String> = (0..OTHER_LISTINGS).map(|index| format!("/a{index:03}.txt")).collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn the_nearest_listing_in_this_file_comes_first() {
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
                    "/a.txt 5 \"Enver Hoxha\"",
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
