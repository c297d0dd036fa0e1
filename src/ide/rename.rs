//! Rename: an entity's name, everywhere it occurs in the workspace. Renaming an article's
//! title renames its mentions and See-also entries too, since they are occurrences of the name.

use std::collections::BTreeMap;

use crate::ide::TextEdit;
use crate::ide::targets::{Target, target_at};
use crate::index::{FileId, OccurrenceSearch, Workspace};
use crate::syntax::TextRange;

/// Edits to several files, grouped by file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceChange {
    pub edits: BTreeMap<FileId, Vec<TextEdit>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError(pub String);

/// The range the editor should offer for renaming, and the name in it.
pub fn prepare_rename(workspace: &Workspace, file: FileId, offset: usize) -> Result<(TextRange, String), RenameError> {
    match target_at(workspace, file, offset) {
        Some(Target::Entity { name, range }) => Ok((range, name)),
        Some(Target::InfoboxKey { .. }) => {
            Err(RenameError("infobox keys come from the schema and cannot be renamed".into()))
        }
        Some(Target::DateValue { .. }) => Err(RenameError("a date is not a name: edit it in place".into())),
        Some(Target::UnresolvedLink { name, .. }) => {
            Err(RenameError(format!("`{name}` names no article in the workspace")))
        }
        None => {
            Err(RenameError("no known name here: place the cursor on a person, unit, place or article name".into()))
        }
    }
}

pub fn rename(workspace: &Workspace, file: FileId, offset: usize, new_name: &str) -> Result<SourceChange, RenameError> {
    Ok(plan_rename(workspace, file, offset, new_name)?.change())
}

/// A rename checked and ready to be carried out file by file, in the order of
/// [`RenamePlan::files`]: an edge that converts and writes out each file's edits does so in
/// the same pass, while the file's text is at hand.
pub fn plan_rename<'a>(
    workspace: &'a Workspace,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<RenamePlan<'a>, RenameError> {
    let (_, old_name) = prepare_rename(workspace, file, offset)?;
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err(RenameError("the new name is empty".into()));
    }
    if new_name.contains(['\n', '\r']) {
        return Err(RenameError("a name must stay on one line".into()));
    }
    if new_name.contains(',') {
        return Err(RenameError("a name cannot contain a comma: infobox values are comma lists".into()));
    }
    Ok(RenamePlan { search: workspace.occurrence_search(&old_name), new_name: new_name.to_string() })
}

/// See [`plan_rename`].
pub struct RenamePlan<'a> {
    search: OccurrenceSearch<'a>,
    new_name: String,
}

impl RenamePlan<'_> {
    /// The files that may be edited, by path (a file may turn out to need no edit).
    pub fn files(&self) -> &[FileId] {
        self.search.files()
    }

    pub fn new_name(&self) -> &str {
        &self.new_name
    }

    /// The ranges of a file that take the new name, ascending.
    pub fn ranges_in(&self, file: FileId) -> Vec<TextRange> {
        self.search.in_file(file)
    }

    /// Every file's edits. Files are searched in parallel, cancellably.
    pub fn change(&self) -> SourceChange {
        let per_file = crate::cancel::parallel_map(self.files(), |&file| {
            let edits: Vec<TextEdit> =
                self.ranges_in(file).into_iter().map(|range| TextEdit::replace(range, &*self.new_name)).collect();
            (file, edits)
        });
        SourceChange { edits: per_file.into_iter().filter(|(_, edits)| !edits.is_empty()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::apply_edits;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, new_name: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let actual = match rename(&fixture.workspace, file, offset, new_name) {
            Ok(change) => change
                .edits
                .iter()
                .map(|(file, edits)| {
                    let source = fixture.workspace.file(*file).expect("file");
                    format!("{}\n{}", source.path, apply_edits(source.text(), edits))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(RenameError(message)) => format!("error: {message}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn renames_a_person_in_every_article() {
        check(
            "
            //- /a.txt
            = Alpha =

            Infobox
            - Commander1: Enver Hoxha, Mehmet Shehu

            Enver Hoxha led.
              |
            //- /b.txt
            = Beta =

            Infobox
            - Commander2: Enver Hoxha
            //- /c.txt
            = Gamma =

            Nobody here.
            ",
            "Enver Hoxha (politician)",
            expect![[r#"
                /a.txt
                = Alpha =

                Infobox
                - Commander1: Enver Hoxha (politician), Mehmet Shehu

                Enver Hoxha (politician) led.

                /b.txt
                = Beta =

                Infobox
                - Commander2: Enver Hoxha (politician)
            "#]],
        );
    }

    #[test]
    fn renaming_a_title_renames_see_also_entries() {
        check(
            "
            //- /a.txt
            = Belgrade offensive =
                |
            //- /b.txt
            = Beta =

            == See also ==
            - Belgrade offensive
            ",
            "Belgrade Offensive",
            expect![[r#"
                /a.txt
                = Belgrade Offensive =

                /b.txt
                = Beta =

                == See also ==
                - Belgrade Offensive
            "#]],
        );
    }

    #[test]
    fn refuses_bad_names_and_non_names() {
        let fixture = "
            //- /a.txt
            = Alpha =

            Infobox
            - Commander1: Enver Hoxha
                           |
            ";
        check(fixture, "A, B", expect!["error: a name cannot contain a comma: infobox values are comma lists"]);
        check(fixture, "  ", expect!["error: the new name is empty"]);
        check(
            "
            //- /a.txt
            Infobox
            - Commander1: Enver Hoxha
                |
            ",
            "X",
            expect!["error: infobox keys come from the schema and cannot be renamed"],
        );
    }
}
