//! Find references: every mention and listing of a name across the workspace. For an
//! article, the mentions of all its names (title and aliases).

use std::collections::HashSet;

use crate::ide::targets::{Target, target_at};
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub file: FileId,
    pub range: TextRange,
    /// A listing in an infobox, or an article's title or `Conflict`: where the name is declared.
    pub is_declaration: bool,
}

pub fn find_references(
    workspace: &Workspace,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Reference> {
    let Some(Target::Entity { name, .. }) = target_at(workspace, file, offset) else {
        return Vec::new();
    };
    let mut names: Vec<String> = vec![name.clone()];
    for &article in workspace.articles_named(&name) {
        if let Some(source) = workspace.file(article) {
            names.extend(source.facts.article_names().map(str::to_string));
        }
    }
    names.sort();
    names.dedup();
    let declarations = declarations(workspace, &names);
    let mut references: Vec<Reference> = names
        .iter()
        .flat_map(|name| workspace.occurrences(name))
        .map(|(file, range)| Reference { file, range, is_declaration: declarations.contains(&(file, range)) })
        .filter(|reference| include_declaration || !reference.is_declaration)
        .collect();
    references.sort();
    references.dedup();
    references
}

/// Listing ranges, title ranges and infobox `Conflict` values of the given names.
fn declarations(workspace: &Workspace, names: &[String]) -> HashSet<(FileId, TextRange)> {
    let mut found = HashSet::new();
    for name in names {
        let Some(entity) = workspace.entity(name) else {
            continue;
        };
        for &(file, index) in &entity.listings {
            if let Some(listing) = workspace.listing((file, index)) {
                found.insert((file, listing.range));
            }
        }
        for &article in &entity.articles {
            let Some(source) = workspace.file(article) else {
                continue;
            };
            if let Some((_, range)) = &source.facts.title {
                found.insert((article, *range));
            }
            for (mention_file, range) in workspace.occurrences(name).into_iter().filter(|(f, _)| *f == article) {
                if in_infobox_conflict(workspace, mention_file, range) {
                    found.insert((mention_file, range));
                }
            }
        }
    }
    found
}

fn in_infobox_conflict(workspace: &Workspace, file: FileId, range: TextRange) -> bool {
    let Some(source) = workspace.file(file) else {
        return false;
    };
    let Some(infobox) = source.document.infobox() else {
        return false;
    };
    infobox.lines.iter().any(|line| match line {
        crate::syntax::InfoboxLine::Entry(entry) => {
            entry.key_base.slice(&source.text).eq_ignore_ascii_case("conflict") && entry.value.contains_range(range)
        }
        crate::syntax::InfoboxLine::Malformed(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, include_declaration: bool) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let actual: Vec<String> = find_references(&fixture.workspace, file, offset, include_declaration)
            .iter()
            .map(|reference| fixture.describe(reference.file, reference.range))
            .collect();
        let mut expected: Vec<String> =
            fixture.ranges.iter().map(|&(file, range)| fixture.describe(file, range)).collect();
        expected.sort();
        let mut actual_sorted = actual.clone();
        actual_sorted.sort();
        assert_eq!(actual_sorted, expected);
    }

    const WORKSPACE: &str = "
        //- /a.txt
        = Alpha =

        Infobox
        - Commander1: Enver Hoxha, Mehmet Shehu
                      ^^^^^^^^^^^

        Enver Hoxha led; Enver Hoxhaj did not.
        ^^^^^^^^^^^
        //- /b.txt
        = Beta =

        Infobox
        - Commander2: Enver Hoxha
                      ^^^^^^^^^^^

        Troops of Enver Hoxha.
                   |
                  ^^^^^^^^^^^
        ";

    #[test]
    fn references_with_declarations() {
        check(WORKSPACE, true);
    }

    #[test]
    fn references_without_declarations() {
        let without = WORKSPACE
            .replace(
                "- Commander1: Enver Hoxha, Mehmet Shehu\n                      ^^^^^^^^^^^\n",
                "- Commander1: Enver Hoxha, Mehmet Shehu\n",
            )
            .replace("- Commander2: Enver Hoxha\n                      ^^^^^^^^^^^\n", "- Commander2: Enver Hoxha\n");
        check(&without, false);
    }

    #[test]
    fn an_article_is_referenced_by_all_its_names() {
        check(
            "
            //- /a.txt
            = Kosovo Operation (1944) =
              ^^^^^^^^^^^^^^^^^^^^^^^
            //- /b.txt
            = B =

            The Kosovo Operation and the Kosovo Operation (1944).
                 |
                ^^^^^^^^^^^^^^^^
                                         ^^^^^^^^^^^^^^^^^^^^^^^
            ",
            true,
        );
    }
}
