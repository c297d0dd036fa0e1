//! Code lens on the title: how many other articles link to or mention this one.

use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
    /// The articles that link here, for an editor command that lists them.
    pub linking_files: Vec<FileId>,
}

pub fn code_lenses(workspace: &Workspace, file: FileId) -> Vec<CodeLens> {
    let Some(source) = workspace.file(file) else {
        return Vec::new();
    };
    let Some((_, title_range)) = &source.facts.title else {
        return Vec::new();
    };
    // By path, like every list a user sees.
    let mut linking: Vec<(&str, FileId)> = source
        .facts
        .article_names()
        .flat_map(|name| workspace.files_mentioning(name))
        .filter(|&other| other != file)
        .filter_map(|other| Some((workspace.file(other)?.path.as_ref(), other)))
        .collect();
    linking.sort_unstable();
    linking.dedup();
    let linking: Vec<FileId> = linking.into_iter().map(|(_, id)| id).collect();
    let title = match linking.len() {
        0 => "no articles link here".to_string(),
        1 => "1 article links here".to_string(),
        n => format!("{n} articles link here"),
    };
    vec![CodeLens { range: *title_range, title, linking_files: linking }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::Fixture;

    #[test]
    fn counts_other_articles_by_any_name() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Kosovo Operation (1944) =
            //- /b.txt
            = B =

            After the Kosovo Operation.
            //- /c.txt
            = C =

            == See also ==
            - Kosovo Operation (1944)
            //- /d.txt
            = D =
            ",
        );
        let lenses = code_lenses(&fixture.workspace, FileId(0));
        assert_eq!(lenses[0].title, "2 articles link here");
        assert_eq!(code_lenses(&fixture.workspace, FileId(3))[0].title, "no articles link here");
    }
}
