//! Find references: every mention and listing of a name across the workspace. For an
//! article, the mentions of all its names (title and aliases); for a name with alias
//! spellings, the mentions of every spelling. Ordered by file path, then position, whatever
//! order the files were indexed in.

use crate::ide::targets::{Target, target_at};
use crate::index::{FileFacts, FileId, OccurrenceSearch, Workspace};
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
    search_references(workspace, file, offset, include_declaration).map_or_else(Vec::new, |search| search.all())
}

/// The references of the entity at `offset`, to be found file by file, in the order of
/// [`ReferenceSearch::files`]: an edge that converts and writes out each file's references
/// does so in the same pass, while the file's text is at hand. `None` where no entity is.
pub fn search_references(
    workspace: &Workspace,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Option<ReferenceSearch<'_>> {
    let Some(Target::Entity { name, .. }) = target_at(workspace, file, offset) else { return None };
    let names = names_referring_to(workspace, &name);
    let searches: Vec<OccurrenceSearch<'_>> = names.iter().map(|name| workspace.occurrence_search(name)).collect();
    let files = match &searches[..] {
        [one] => one.files().to_vec(),
        // Several names' files are merged by path.
        several => {
            let mut keyed: Vec<(&str, FileId)> = several
                .iter()
                .flat_map(|search| search.files())
                .filter_map(|&file| Some((workspace.file(file)?.path.as_ref(), file)))
                .collect();
            keyed.sort_unstable();
            keyed.dedup();
            keyed.into_iter().map(|(_, file)| file).collect()
        }
    };
    Some(ReferenceSearch { workspace, searches, files, include_declaration })
}

/// See [`search_references`].
pub struct ReferenceSearch<'a> {
    workspace: &'a Workspace,
    /// One per name the entity goes by.
    searches: Vec<OccurrenceSearch<'a>>,
    /// The files that mention any of them, by path.
    files: Vec<FileId>,
    include_declaration: bool,
}

impl ReferenceSearch<'_> {
    /// The files to search, by path; a file's references may turn out to be none (all
    /// declarations, with declarations left out).
    pub fn files(&self) -> &[FileId] {
        &self.files
    }

    /// Every reference, by file path, then position. Files are searched in parallel,
    /// cancellably: 19,000 of them for the most common name at 50k.
    pub fn all(&self) -> Vec<Reference> {
        crate::cancel::parallel_map(&self.files, |&file| self.in_file(file)).into_iter().flatten().collect()
    }

    /// The references in one file, by position.
    pub fn in_file(&self, file: FileId) -> Vec<Reference> {
        let ranges: Vec<TextRange> = match &self.searches[..] {
            [one] => one.in_file(file),
            several => {
                let mut ranges: Vec<TextRange> = several.iter().flat_map(|search| search.in_file(file)).collect();
                ranges.sort_unstable();
                ranges.dedup();
                ranges
            }
        };
        let facts = self.workspace.file(file).map(|source| &source.facts);
        let mut references = Vec::with_capacity(ranges.len());
        for range in ranges {
            let is_declaration = facts.is_some_and(|facts| declares(facts, range));
            if self.include_declaration || !is_declaration {
                references.push(Reference { file, range, is_declaration });
            }
        }
        references
    }
}

/// The names that refer to the same thing as `name`: the name itself, and for an article all
/// the names the article goes by (title and aliases).
pub(crate) fn names_referring_to(workspace: &Workspace, name: &str) -> Vec<String> {
    let mut names: Vec<String> = vec![workspace.canonical_name(name).to_string()];
    for &article in workspace.articles_named(name) {
        if let Some(source) = workspace.file(article) {
            names.extend(source.facts.article_names().map(|name| workspace.canonical_name(name).to_string()));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// True when an occurrence is where a name is declared: an infobox listing, an article's
/// title, or its infobox `Conflict` value.
pub(crate) fn is_declaration(workspace: &Workspace, file: FileId, range: TextRange) -> bool {
    workspace.file(file).is_some_and(|source| declares(&source.facts, range))
}

fn declares(facts: &FileFacts, range: TextRange) -> bool {
    facts.listings.iter().any(|listing| listing.range == range)
        || facts.title.as_ref().is_some_and(|(_, title)| *title == range)
        || facts.conflict_value.is_some_and(|value| value.contains_range(range))
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

    #[test]
    fn an_aliased_name_is_referenced_by_both_spellings_in_path_order() {
        let mut fixture = Fixture::parse(
            "
            //- /b.txt
            = B =

            Infobox
            - Commander2: Mit'hat Frashëri

            Mit'hat Frashëri and Midhat Frashëri.
            //- /a.txt
            = A =

            Infobox
            - Commander1: Midhat Frashëri
                           |
            ",
        );
        fixture
            .workspace
            .set_name_rules(vec![("Mit'hat Frashëri".to_string(), "Midhat Frashëri".to_string())], Vec::new());
        let (file, offset) = fixture.cursor();
        let shown: Vec<String> = find_references(&fixture.workspace, file, offset, true)
            .iter()
            .map(|reference| fixture.describe(reference.file, reference.range))
            .collect();
        assert_eq!(
            shown,
            [
                "/a.txt 4 \"Midhat Frashëri\"",
                "/b.txt 4 \"Mit'hat Frashëri\"",
                "/b.txt 6 \"Mit'hat Frashëri\"",
                "/b.txt 6 \"Midhat Frashëri\"",
            ]
        );
        let entity = fixture.workspace.entity("Mit'hat Frashëri").expect("the alias answers the entity");
        assert_eq!(entity.listings.len(), 2);
        assert!(fixture.workspace.entity("Midhat Frashëri").is_some());
        assert!(!fixture.workspace.entities().any(|(name, _)| name == "Mit'hat Frashëri"));
        fixture.workspace.set_name_rules(Vec::new(), Vec::new());
        assert_eq!(fixture.workspace.entity("Mit'hat Frashëri").map(|entity| entity.listings.len()), Some(1));
        assert_eq!(find_references(&fixture.workspace, file, offset, true).len(), 2);
    }

    #[test]
    fn a_cancelled_search_stops_and_the_snapshot_still_answers() {
        let mut workspace = Workspace::default();
        for index in 0..600 {
            let text = format!("= A{index} =\n\nInfobox\n- Commander1: Enver Hoxha\n\nEnver Hoxha led.\n");
            workspace.set_indexed_file(&format!("/a{index:03}.txt"), std::sync::Arc::from(text));
        }
        let file = workspace.file_id("/a000.txt").expect("added");
        let offset = workspace.file(file).expect("added").text().find("Enver").expect("listed");
        let token = crate::cancel::CancelToken::new();
        token.cancel();
        let cancelled = crate::cancel::run_cancellable(&token, || find_references(&workspace, file, offset, true));
        assert_eq!(cancelled, Err(crate::cancel::Cancelled));
        assert_eq!(find_references(&workspace, file, offset, true).len(), 1200);
    }
}
