//! Document symbols (the outline: title, infobox with its keys, nested sections) and
//! workspace symbols (fuzzy search over articles and entities).

use crate::ide::fuzzy::fuzzy_best;
use crate::index::{EntityKind, FileId, SourceFile, Workspace};
use crate::syntax::{BlockKind, Document, InfoboxLine, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Title,
    Infobox,
    InfoboxKey,
    Section,
    Entity(EntityKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// Everything the symbol covers.
    pub range: TextRange,
    /// What to select when the symbol is picked (its name).
    pub selection: TextRange,
    pub children: Vec<DocumentSymbol>,
}

/// The outline of one document. A title, if any, holds everything else as its children.
pub fn document_symbols(text: &str, document: &Document) -> Vec<DocumentSymbol> {
    let mut top: Vec<DocumentSymbol> = Vec::new();
    // Open sections, innermost last, with their levels.
    let mut open: Vec<(u8, DocumentSymbol)> = Vec::new();
    let close_until = |level: u8, open: &mut Vec<(u8, DocumentSymbol)>, top: &mut Vec<DocumentSymbol>| {
        while open.last().is_some_and(|(open_level, _)| *open_level >= level) {
            let (_, symbol) = open.pop().expect("checked non-empty");
            match open.last_mut() {
                Some((_, parent)) => parent.children.push(symbol),
                None => top.push(symbol),
            }
        }
    };
    let mut last_content_end = 0;
    for block in &document.blocks {
        match &block.kind {
            BlockKind::Title(title) => {
                close_until(1, &mut open, &mut top);
                let symbol = DocumentSymbol {
                    name: title.name.slice(text).to_string(),
                    detail: None,
                    kind: SymbolKind::Title,
                    range: block.range,
                    selection: title.name,
                    children: Vec::new(),
                };
                open.push((1, symbol));
            }
            BlockKind::Heading(heading) => {
                close_until(heading.level, &mut open, &mut top);
                let symbol = DocumentSymbol {
                    name: heading.text.slice(text).to_string(),
                    detail: None,
                    kind: SymbolKind::Section,
                    range: block.range,
                    selection: heading.text,
                    children: Vec::new(),
                };
                open.push((heading.level, symbol));
            }
            BlockKind::Infobox(infobox) => {
                let children = infobox
                    .lines
                    .iter()
                    .filter_map(|line| match line {
                        InfoboxLine::Entry(entry) => Some(DocumentSymbol {
                            name: entry.key.slice(text).to_string(),
                            detail: Some(entry.value.slice(text).chars().take(80).collect()),
                            kind: SymbolKind::InfoboxKey,
                            range: entry.line,
                            selection: entry.key,
                            children: Vec::new(),
                        }),
                        InfoboxLine::Malformed(_) => None,
                    })
                    .collect();
                let symbol = DocumentSymbol {
                    name: "Infobox".into(),
                    detail: None,
                    kind: SymbolKind::Infobox,
                    range: trim_block(text, block.range),
                    selection: infobox.header,
                    children,
                };
                match open.last_mut() {
                    Some((_, parent)) => parent.children.push(symbol),
                    None => top.push(symbol),
                }
            }
            _ => {}
        }
        if !matches!(block.kind, BlockKind::Blank) {
            last_content_end = trim_block(text, block.range).end();
        }
        // Every open section now reaches to the end of this block's content.
        for (_, symbol) in &mut open {
            symbol.range = TextRange::new(symbol.range.start(), last_content_end.max(symbol.selection.end()));
        }
    }
    close_until(0, &mut open, &mut top);
    top
}

/// A block's range without its trailing line terminators.
fn trim_block(text: &str, range: TextRange) -> TextRange {
    let slice = range.slice(text);
    TextRange::new(range.start(), range.start() + slice.trim_end_matches(['\n', '\r']).len())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub file: FileId,
    pub range: TextRange,
    /// Where it comes from: the article holding the listing.
    pub container: Option<String>,
}

/// Articles and entities whose names fuzzily match the query, best first (at most `limit`).
/// Ties keep a stated order: articles by path; an entity is shown at its listing first by
/// path and position.
pub fn workspace_symbols(workspace: &Workspace, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    /// A name to rank; only the few ranked first become symbols.
    enum Candidate<'a> {
        /// An article's title: (path, file, title, its range).
        Article(&'a str, FileId, &'a str, TextRange),
        Entity(&'a str, &'a crate::index::Entity),
    }
    fn name_of<'a>(candidate: &'a Candidate<'_>) -> &'a str {
        match candidate {
            Candidate::Article(_, _, title, _) => title,
            Candidate::Entity(name, _) => name,
        }
    }
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for (checked, (file, source)) in workspace.files().enumerate() {
        if checked % 256 == 255 {
            crate::cancel::check();
        }
        if let Some((title, range)) = &source.facts.title {
            candidates.push(Candidate::Article(source.path.as_ref(), file, title, *range));
        }
    }
    candidates.sort_unstable_by_key(|candidate| match candidate {
        Candidate::Article(path, ..) => *path,
        Candidate::Entity(..) => "",
    });
    for (checked, (name, entity)) in workspace.entities().enumerate() {
        if checked % 256 == 255 {
            crate::cancel::check();
        }
        if entity.articles.is_empty() && !entity.listings.is_empty() {
            candidates.push(Candidate::Entity(name, entity));
        }
    }
    let ranked = fuzzy_best(query, &candidates, name_of, limit);
    let mut symbols = Vec::new();
    for index in ranked {
        match &candidates[index] {
            &Candidate::Article(_, file, title, range) => symbols.push(WorkspaceSymbol {
                name: title.to_string(),
                kind: SymbolKind::Entity(EntityKind::Article),
                file,
                range,
                container: None,
            }),
            Candidate::Entity(name, entity) => {
                let Some((file, listing)) = workspace.first_listing(entity) else { continue };
                let Some(source) = workspace.file(file) else { continue };
                symbols.push(WorkspaceSymbol {
                    name: name.to_string(),
                    kind: SymbolKind::Entity(listing.kind),
                    file,
                    range: listing.range,
                    container: Some(SourceFile::display_name(source).to_string()),
                });
            }
        }
    }
    symbols
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::ide::fixture::Fixture;
    use crate::syntax::parse;

    fn outline(symbols: &[DocumentSymbol], text: &str, depth: usize, out: &mut String) {
        for symbol in symbols {
            let last_line = symbol.range.slice(text).lines().last().unwrap_or("");
            *out += &format!("{}{:?} {:?} … {:?}\n", "  ".repeat(depth), symbol.kind, symbol.name, last_line);
            outline(&symbol.children, text, depth + 1, out);
        }
    }

    #[test]
    fn outline_nests_sections_under_the_title() {
        let text = "= T =\n\nInfobox\n- Conflict: C\n- Date: 1944\n\nIntro.\n\n== Background ==\n=== Defenses ===\nText one.\n\n== Aftermath ==\nText two.\n\n";
        let mut out = String::new();
        outline(&document_symbols(text, &parse(text)), text, 0, &mut out);
        expect![[r#"
            Title "T" … "Text two."
              Infobox "Infobox" … "- Date: 1944"
                InfoboxKey "Conflict" … "- Conflict: C"
                InfoboxKey "Date" … "- Date: 1944"
              Section "Background" … "Text one."
                Section "Defenses" … "Text one."
              Section "Aftermath" … "Text two."
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn workspace_symbols_are_fuzzy() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Kosovo Operation (1944) =

            Infobox
            - Commander1: Enver Hoxha
            - Place: Kosovo
            //- /b.txt
            = Belgrade offensive =
            ",
        );
        let names: Vec<String> = workspace_symbols(&fixture.workspace, "kosop", 10)
            .into_iter()
            .map(|s| format!("{:?} {}", s.kind, s.name))
            .collect();
        expect![[r#"
            [
                "Entity(Article) Kosovo Operation (1944)",
            ]
        "#]]
        .assert_debug_eq(&names);
        let names: Vec<String> = workspace_symbols(&fixture.workspace, "hoxha", 10)
            .into_iter()
            .map(|s| format!("{:?} {} {:?}", s.kind, s.name, s.container))
            .collect();
        expect![[r#"
            [
                "Entity(Person) Enver Hoxha Some(\"Kosovo Operation (1944)\")",
            ]
        "#]]
        .assert_debug_eq(&names);
    }

    #[test]
    fn ties_keep_the_stated_order() {
        // Same titles: by path. An entity: at its first listing by path, then position.
        let fixture = Fixture::parse(
            "
            //- /b.txt
            = Battle of Drvar =

            Infobox
            - Commander1: Mile Čalović
            //- /a.txt
            = Battle of Drvar =

            Infobox
            - Combatant1: Partisans
            - Commander1: Mile Čalović
            - Commander2: Mile Čalović
            ",
        );
        let workspace = &fixture.workspace;
        let found: Vec<String> = workspace_symbols(workspace, "", 10)
            .into_iter()
            .map(|symbol| {
                let source = workspace.file(symbol.file).expect("a file");
                let line = source.text()[..symbol.range.start()].lines().count();
                format!("{:?} {} {}:{line}", symbol.kind, symbol.name, source.path)
            })
            .collect();
        expect![[r#"
            [
                "Entity(Article) Battle of Drvar /a.txt:1",
                "Entity(Article) Battle of Drvar /b.txt:1",
                "Entity(Person) Mile Čalović /a.txt:5",
                "Entity(Belligerent) Partisans /a.txt:4",
            ]
        "#]]
        .assert_debug_eq(&found);
    }
}
