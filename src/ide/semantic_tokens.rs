//! Semantic tokens: the annotation layer. Every mention of a known name is coloured by what
//! it is (person, unit, belligerent, place, conflict, article); infobox keys, side numbers and
//! citation markers are marked too.

use crate::index::{EntityKind, FileId, Workspace};
use crate::syntax::{BlockKind, InfoboxLine, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Entity(EntityKind),
    InfoboxKey,
    SideNumber,
    Citation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: TokenKind,
}

/// Tokens in `range` (or the whole file), sorted and never overlapping.
pub fn semantic_tokens(workspace: &Workspace, file: FileId, range: Option<TextRange>) -> Vec<SemanticToken> {
    let Some(source) = workspace.file(file) else {
        return Vec::new();
    };
    let mut tokens = Vec::new();
    let document = source.document();
    for block in &document.blocks {
        match &block.kind {
            BlockKind::Infobox(infobox) => {
                for line in &infobox.lines {
                    let InfoboxLine::Entry(entry) = line else {
                        continue;
                    };
                    tokens.push(SemanticToken { range: entry.key_base, kind: TokenKind::InfoboxKey });
                    if entry.key_base.end < entry.key.end {
                        tokens.push(SemanticToken {
                            range: TextRange::new(entry.key_base.end(), entry.key.end()),
                            kind: TokenKind::SideNumber,
                        });
                    }
                }
            }
            BlockKind::Paragraph(paragraph) => {
                tokens.extend(
                    paragraph
                        .citations
                        .iter()
                        .map(|citation| SemanticToken { range: citation.range, kind: TokenKind::Citation }),
                );
            }
            _ => {}
        }
    }
    for mention in workspace.mentions(file).iter() {
        if let Some(kind) = workspace.entity_kind(&mention.name) {
            tokens.push(SemanticToken { range: mention.range, kind: TokenKind::Entity(kind) });
        }
    }
    tokens.sort_by_key(|token| (token.range.start, std::cmp::Reverse(token.range.end)));
    let mut result: Vec<SemanticToken> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let overlaps = result.last().is_some_and(|last| last.range.end > token.range.start);
        let in_range = range.is_none_or(|range| range.intersects(token.range));
        if !overlaps && in_range && !token.range.is_empty() {
            result.push(token);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::ide::fixture::Fixture;

    #[test]
    fn mentions_keys_and_citations() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Kosovo Operation (1944) =

            Infobox
            - Place: Kosovo
            - Commander1: Enver Hoxha
            - Units1: 2nd Bulgarian Army

            Enver Hoxha and the 2nd Bulgarian Army in Kosovo.[11]
            ",
        );
        let source = fixture.workspace.file(FileId(0)).unwrap();
        let shown: Vec<String> = semantic_tokens(&fixture.workspace, FileId(0), None)
            .iter()
            .map(|t| format!("{:?} {:?}", t.kind, t.range.slice(source.text())))
            .collect();
        expect![[r#"
            [
                "Entity(Article) \"Kosovo Operation (1944)\"",
                "InfoboxKey \"Place\"",
                "Entity(Place) \"Kosovo\"",
                "InfoboxKey \"Commander\"",
                "SideNumber \"1\"",
                "Entity(Person) \"Enver Hoxha\"",
                "InfoboxKey \"Units\"",
                "SideNumber \"1\"",
                "Entity(Unit) \"2nd Bulgarian Army\"",
                "Entity(Person) \"Enver Hoxha\"",
                "Entity(Unit) \"2nd Bulgarian Army\"",
                "Entity(Place) \"Kosovo\"",
                "Citation \"[11]\"",
            ]
        "#]]
        .assert_debug_eq(&shown);
    }
}
