//! Expectations on the five bundled seeds as one workspace: what a writer sees when they open
//! the sample folder.

use std::sync::Arc;

use expect_test::expect;

use crate::ide::diagnostics::{SeverityOverrides, diagnostics};
use crate::ide::goto_definition::goto_definition;
use crate::ide::hover::hover;
use crate::index::{FileId, Workspace};

fn seed_workspace() -> Workspace {
    let mut workspace = Workspace::default();
    for (name, text) in crate::test_support::seeds() {
        workspace.set_file(&name, Arc::from(text));
    }
    workspace
}

fn file_starting(workspace: &Workspace, prefix: &str) -> FileId {
    workspace.files().find(|(_, file)| file.path.starts_with(prefix)).map(|(id, _)| id).expect("seed present")
}

fn offset_of(workspace: &Workspace, file: FileId, needle: &str) -> usize {
    workspace.file(file).unwrap().text().find(needle).expect("needle present") + 1
}

#[test]
fn hover_on_alexander_lohr_lists_both_articles() {
    let workspace = seed_workspace();
    let file = file_starting(&workspace, "002");
    let info = hover(&workspace, file, offset_of(&workspace, file, "Alexander Löhr")).expect("hover");
    expect![[r#"
        **Alexander Löhr** — Person

        - Commander, side 2 — LANÇ counter-offensive in Albania (1944), mid-June – 29 November 1944
        - Commander, side 2 — Kosovo Operation (1944), 15 October – 22 November 1944

        Mentioned in 2 articles. Id `person:alexander-lohr`."#]]
    .assert_eq(&info.markdown);
}

#[test]
fn definition_of_enver_hoxha_is_the_listing_here_then_the_other() {
    let workspace = seed_workspace();
    let file = file_starting(&workspace, "002");
    let prose = workspace.file(file).unwrap().text().find("commanded by Enver Hoxha").unwrap() + "commanded by ".len();
    let targets: Vec<String> = goto_definition(&workspace, file, prose)
        .iter()
        .map(|target| {
            let source = workspace.file(target.file).unwrap();
            format!("{} {}", &source.path[..3], target.focus.slice(source.text()))
        })
        .collect();
    assert_eq!(targets, ["002 Enver Hoxha", "000 Enver Hoxha"]);
}

#[test]
fn cross_article_diagnostics_on_the_seeds() {
    let workspace = seed_workspace();
    let mut shown = String::new();
    for prefix in ["000", "002", "004"] {
        let file = file_starting(&workspace, prefix);
        let source = workspace.file(file).unwrap();
        for diagnostic in diagnostics(&workspace, file, &SeverityOverrides::default()) {
            if ["unresolved-link", "name-variant", "duplicate-title"].contains(&diagnostic.code.as_str()) {
                shown += &format!("{prefix} {} {:?}\n", diagnostic.code, diagnostic.range.slice(source.text()));
            }
        }
    }
    expect![[r#"
        000 name-variant "Midhat Frashëri"
        000 unresolved-link "Stratsin-Kumanovo operation"
        000 unresolved-link "Bregalnitsa-Strumica operation"
        000 unresolved-link "Niš operation"
        002 name-variant "Mit'hat Frashëri"
        004 unresolved-link "Albania during the Balkan Wars"
        004 unresolved-link "Serbia in the Balkan Wars"
    "#]]
    .assert_eq(&shown);
}
