//! Code actions: the quick fixes of the diagnostics that touch the selected range.

use crate::ide::TextEdit;
use crate::ide::diagnostics::{Diagnostic, SeverityOverrides, diagnostics};
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The diagnostic this action fixes.
    pub diagnostic: Diagnostic,
    pub edits: Vec<TextEdit>,
    /// The one obvious fix, which an editor may apply on its own.
    pub is_preferred: bool,
}

pub fn code_actions(
    workspace: &Workspace,
    file: FileId,
    range: TextRange,
    overrides: &SeverityOverrides,
) -> Vec<CodeAction> {
    diagnostics(workspace, file, overrides)
        .into_iter()
        .filter(|diagnostic| diagnostic.range.intersects(range) || diagnostic.range.touches(range.start()))
        .flat_map(|diagnostic| {
            let only_one = diagnostic.fixes.len() == 1;
            diagnostic.fixes.clone().into_iter().map(move |fix| CodeAction {
                title: fix.label,
                diagnostic: diagnostic.clone(),
                edits: fix.edits,
                is_preferred: only_one,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply_edits;
    use crate::ide::fixture::Fixture;

    #[test]
    fn fixes_of_the_diagnostic_under_the_cursor() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = T =

            ==Aftermath==
               |
            Text.
            ",
        );
        let (file, offset) = fixture.cursor();
        let actions = code_actions(&fixture.workspace, file, TextRange::empty(offset), &SeverityOverrides::default());
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].title, "Change to `== Aftermath ==`");
        let text = &fixture.workspace.file(file).unwrap().text();
        assert_eq!(apply_edits(text, &actions[0].edits), "= T =\n\n== Aftermath ==\nText.\n");
        let elsewhere = code_actions(&fixture.workspace, file, TextRange::empty(0), &SeverityOverrides::default());
        assert!(elsewhere.is_empty());
    }
}
