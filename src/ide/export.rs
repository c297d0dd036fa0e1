//! Export: every entity mention and infobox listing of an article as an annotation (a span of
//! its text, the entity's kind and stable id), and three renderings of them: W3C Web
//! Annotation JSON-LD, brat standoff, and JSONL for Prodigy and spaCy.
//!
//! Offsets in the renderings count Unicode code points of the article's text (what brat,
//! spaCy and the W3C `TextPositionSelector` count), converted here from the core's byte
//! offsets: that is a fact about the text, not a protocol position. The text is the one the
//! index reads: a byte-order mark is not part of it.
//!
//! Listings come from the infobox (their kind is the key's: `Commander1` lists a person);
//! mentions are the other places a known name occurs, with the kind the workspace knows the
//! name by. Where a mention and a listing overlap the listing wins, so spans never overlap.
//! The entity id is [`entity_id`] of the workspace's kind for the name (the listing's kind
//! when the workspace has none), so one entity has one id in every article.

use crate::ide::entity_id::entity_id;
use crate::index::{EntityKind, FileId, SharedText, Workspace};
use crate::syntax::TextRange;

/// Characters of context on each side of a `TextQuoteSelector`.
pub const QUOTE_CONTEXT: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationSource {
    /// An infobox value naming the entity.
    Listing,
    /// A mention of the name anywhere in the text.
    Mention,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Byte range in the text.
    pub range: TextRange,
    /// Code-point offsets of the same range.
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
    pub entity_id: String,
    /// The entity's name as the index keys it (white space normalized).
    pub name: String,
    pub source: AnnotationSource,
}

/// One article's annotations, with what the renderings need.
#[derive(Debug, Clone)]
pub struct ArticleAnnotations {
    pub path: String,
    pub title: Option<String>,
    pub text: SharedText,
    pub annotations: Vec<Annotation>,
}

/// The annotations of one file, in text order, never overlapping.
pub fn annotations(workspace: &Workspace, file: FileId) -> Option<ArticleAnnotations> {
    let source = workspace.file(file)?;
    let text = source.text().clone();
    let id_kind = |name: &str, fallback: EntityKind| workspace.entity_kind(name).unwrap_or(fallback);
    let mut found: Vec<(TextRange, EntityKind, String, String, AnnotationSource)> = source
        .facts
        .listings
        .iter()
        .filter(|listing| !listing.range.is_empty())
        .map(|listing| {
            let id = entity_id(id_kind(&listing.name, listing.kind), &listing.name);
            (listing.range, listing.kind, id, listing.name.to_string(), AnnotationSource::Listing)
        })
        .collect();
    let listing_ranges: Vec<TextRange> = found.iter().map(|(range, ..)| *range).collect();
    for mention in workspace.mentions(file).iter() {
        let Some(kind) = workspace.entity_kind(&mention.name) else {
            continue;
        };
        if mention.range.is_empty() || listing_ranges.iter().any(|listing| listing.intersects(mention.range)) {
            continue;
        }
        let id = entity_id(kind, &mention.name);
        found.push((mention.range, kind, id, mention.name.to_string(), AnnotationSource::Mention));
    }
    found.sort_by_key(|(range, ..)| (range.start, range.end));
    // Listings never overlap each other and mentions never do; a last guard keeps it so.
    let mut kept: Vec<(TextRange, EntityKind, String, String, AnnotationSource)> = Vec::with_capacity(found.len());
    for item in found {
        if kept.last().is_none_or(|last| last.0.end() <= item.0.start()) {
            kept.push(item);
        }
    }
    let mut offsets: Vec<usize> = kept.iter().flat_map(|(range, ..)| [range.start(), range.end()]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let code_points = code_point_offsets(&text, &offsets);
    let at = |byte: usize| code_points[offsets.binary_search(&byte).unwrap_or_default()];
    let annotations = kept
        .into_iter()
        .map(|(range, kind, entity_id, name, source)| Annotation {
            range,
            start: at(range.start()),
            end: at(range.end()),
            kind,
            entity_id,
            name,
            source,
        })
        .collect();
    Some(ArticleAnnotations {
        path: source.path.to_string(),
        title: source.facts.title.as_ref().map(|(title, _)| title.clone()),
        text,
        annotations,
    })
}

/// The code-point offset of each byte offset in `sorted_bytes` (sorted, on char boundaries),
/// in one walk over the text.
pub fn code_point_offsets(text: &str, sorted_bytes: &[usize]) -> Vec<usize> {
    let mut result = Vec::with_capacity(sorted_bytes.len());
    let mut chars = text.char_indices().enumerate().peekable();
    for &byte in sorted_bytes {
        while chars.peek().is_some_and(|(_, (at, _))| *at < byte) {
            chars.next();
        }
        result.push(chars.peek().map_or_else(|| text.chars().count(), |(index, _)| *index));
    }
    result
}

/// The text between two code-point offsets (clamped).
fn slice_code_points(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end.saturating_sub(start)).collect()
}

/// JSONL, one line for the article: `{"text", "meta": {"file", "title"}, "spans": [{"start",
/// "end", "label", "kb_id"}]}`, the shape Prodigy and spaCy read.
pub fn render_jsonl(article: &ArticleAnnotations) -> String {
    let spans: Vec<serde_json::Value> = article
        .annotations
        .iter()
        .map(|annotation| {
            serde_json::json!({
                "start": annotation.start,
                "end": annotation.end,
                "label": annotation.kind.label(),
                "kb_id": annotation.entity_id,
            })
        })
        .collect();
    let line = serde_json::json!({
        "text": &*article.text,
        "meta": { "file": article.path, "title": article.title },
        "spans": spans,
    });
    line.to_string()
}

/// brat standoff: a text-bound annotation per span (`T1<TAB>Person 120 131<TAB>Enver Hoxha`)
/// and a normalization to the entity id (`N1<TAB>Reference T1 seedls:person:enver-hoxha<TAB>Enver Hoxha`).
pub fn render_brat(article: &ArticleAnnotations) -> String {
    let mut ann = String::new();
    for (index, annotation) in article.annotations.iter().enumerate() {
        let number = index + 1;
        // brat's covered text is one line; names never span lines, but a tab or break would
        // break the format, so they are shown as spaces.
        let covered: String =
            annotation.range.slice(&article.text).chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
        ann += &format!(
            "T{number}\t{} {} {}\t{covered}\nN{number}\tReference T{number} seedls:{}\t{}\n",
            annotation.kind.label(),
            annotation.start,
            annotation.end,
            annotation.entity_id,
            annotation.name
        );
    }
    ann
}

/// W3C Web Annotation JSON-LD: an `AnnotationCollection` of the article with one page of
/// `Annotation`s, each targeting `source` (the article's IRI) with a `TextQuoteSelector` and a
/// `TextPositionSelector`, its body naming the entity.
pub fn render_w3c(article: &ArticleAnnotations, source: &str) -> serde_json::Value {
    let text = &*article.text;
    let total_chars = text.chars().count();
    let items: Vec<serde_json::Value> = article
        .annotations
        .iter()
        .enumerate()
        .map(|(index, annotation)| {
            let prefix = slice_code_points(text, annotation.start.saturating_sub(QUOTE_CONTEXT), annotation.start);
            let suffix = slice_code_points(text, annotation.end, (annotation.end + QUOTE_CONTEXT).min(total_chars));
            serde_json::json!({
                "id": format!("{source}#annotation-{}", index + 1),
                "type": "Annotation",
                "motivation": "identifying",
                "body": {
                    "id": format!("urn:seedls:{}", annotation.entity_id),
                    "entity": annotation.entity_id,
                    "kind": annotation.kind.label(),
                    "name": annotation.name,
                },
                "target": {
                    "source": source,
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": annotation.range.slice(text),
                            "prefix": prefix,
                            "suffix": suffix,
                        },
                        { "type": "TextPositionSelector", "start": annotation.start, "end": annotation.end },
                    ],
                },
            })
        })
        .collect();
    serde_json::json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": format!("{source}#annotations"),
        "type": "AnnotationCollection",
        "label": article.title.clone().unwrap_or_else(|| article.path.clone()),
        "total": items.len(),
        "first": {
            "id": format!("{source}#annotations-page-1"),
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let mut files: Vec<(String, FileId)> =
            fixture.workspace.files().map(|(id, file)| (file.path.to_string(), id)).collect();
        files.sort();
        let (_, file) = &files[0];
        let article = annotations(&fixture.workspace, *file).expect("file");
        let mut shown = String::new();
        for annotation in &article.annotations {
            // Every span slices, by code points, to the text its byte range covers.
            assert_eq!(
                slice_code_points(&article.text, annotation.start, annotation.end),
                annotation.range.slice(&article.text)
            );
            shown += &format!(
                "{}..{} {:?} {:?} {}\n",
                annotation.start,
                annotation.end,
                annotation.source,
                annotation.range.slice(&article.text),
                annotation.entity_id
            );
        }
        expect.assert_eq(&shown);
    }

    #[test]
    fn listings_and_mentions_with_code_point_offsets() {
        check(
            r#"
            //- /a.txt
            = Kosovo Operation =

            Infobox
            - Commander1: Mile Čalović, Enver Hoxha
            - Place: Peć

            Čalović met Enver Hoxha near Peć.
            //- /b.txt
            = Other =

            Infobox
            - Commander2: Enver Hoxha
            "#,
            expect![[r#"
                2..18 Mention "Kosovo Operation" article:kosovo-operation
                44..56 Listing "Mile Čalović" person:mile-calovic
                58..69 Listing "Enver Hoxha" person:enver-hoxha
                79..82 Listing "Peć" place:pec
                96..107 Mention "Enver Hoxha" person:enver-hoxha
                113..116 Mention "Peć" place:pec
            "#]],
        );
    }

    #[test]
    fn renderings() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = Č =

            Infobox
            - Commander1: Enver Hoxha
            ",
        );
        let file = fixture.workspace.files().next().unwrap().0;
        let article = annotations(&fixture.workspace, file).unwrap();
        expect![[r#"
            T1	Article 2 3	Č
            N1	Reference T1 seedls:article:c	Č
            T2	Person 29 40	Enver Hoxha
            N2	Reference T2 seedls:person:enver-hoxha	Enver Hoxha
        "#]]
        .assert_eq(&render_brat(&article));
        expect![[r#"{"meta":{"file":"/a.txt","title":"Č"},"spans":[{"end":3,"kb_id":"article:c","label":"Article","start":2},{"end":40,"kb_id":"person:enver-hoxha","label":"Person","start":29}],"text":"= Č =\n\nInfobox\n- Commander1: Enver Hoxha\n"}"#]]
            .assert_eq(&render_jsonl(&article));
        let w3c = render_w3c(&article, "a.txt");
        assert_eq!(w3c["type"], "AnnotationCollection");
        assert_eq!(w3c["total"], 2);
        // The title `Č` is two bytes but one code point: the title is 2..3.
        assert_eq!(w3c["first"]["items"][0]["target"]["selector"][1]["end"], 3);
        let item = &w3c["first"]["items"][1];
        assert_eq!(
            item["body"],
            serde_json::json!({ "id": "urn:seedls:person:enver-hoxha", "entity": "person:enver-hoxha", "kind": "Person", "name": "Enver Hoxha" })
        );
        assert_eq!(
            item["target"]["selector"][0],
            serde_json::json!({
                "type": "TextQuoteSelector",
                "exact": "Enver Hoxha",
                "prefix": "= Č =\n\nInfobox\n- Commander1: ",
                "suffix": "\n",
            })
        );
        assert_eq!(
            item["target"]["selector"][1],
            serde_json::json!({ "type": "TextPositionSelector", "start": 29, "end": 40 })
        );
    }

    #[test]
    fn code_points_count_characters_not_bytes() {
        let text = "Č😀a";
        assert_eq!(code_point_offsets(text, &[0, 2, 6, 7]), [0, 1, 2, 3]);
        assert_eq!(slice_code_points(text, 1, 2), "😀");
    }

    #[test]
    fn spans_never_overlap_on_the_seeds() {
        let mut workspace = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            workspace.set_indexed_file(&name, text);
        }
        let mut total = 0;
        let ids: Vec<FileId> = workspace.files().map(|(id, _)| id).collect();
        for id in ids {
            let article = annotations(&workspace, id).unwrap();
            for pair in article.annotations.windows(2) {
                assert!(pair[0].end <= pair[1].start, "{:?} overlaps {:?}", pair[0], pair[1]);
            }
            for annotation in &article.annotations {
                assert_eq!(
                    slice_code_points(&article.text, annotation.start, annotation.end),
                    annotation.range.slice(&article.text)
                );
            }
            total += article.annotations.len();
        }
        assert!(total > 100, "{total} annotations on the seeds");
    }
}
