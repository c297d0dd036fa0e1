//! Prose diagnostics: citation markers, sentences joined without a space, and text left
//! dangling where a link or a quotation was removed.

use std::sync::LazyLock;

use regex::Regex;

use super::{Diagnostic, Fix, diagnostic};
use crate::ide::TextEdit;
use crate::syntax::{BlockKind, Citation, CitationKind, Document, TextRange, is_abbreviation};

pub(super) fn check(text: &str, document: &Document, out: &mut Vec<Diagnostic>) {
    let has_reference_list = document.headings().any(|heading| {
        let words = heading.text.slice(text).to_lowercase();
        ["references", "notes", "footnotes", "sources", "citations", "bibliography", "works cited", "literature"]
            .contains(&words.as_str())
    });
    for (index, block) in document.blocks.iter().enumerate() {
        let BlockKind::Paragraph(paragraph) = &block.kind else {
            continue;
        };
        citations(text, &paragraph.citations, has_reference_list, out);
        for &line in &paragraph.lines {
            missing_space(text, line, out);
            dangling(text, line, out);
        }
        // A colon may introduce a list or a quotation set apart in its own paragraph.
        let introduces_what_follows = document.blocks[index + 1..]
            .iter()
            .find(|block| !matches!(block.kind, BlockKind::Blank))
            .is_some_and(|block| match &block.kind {
                BlockKind::List(_) => true,
                BlockKind::Paragraph(next) => {
                    next.lines.first().is_some_and(|first| reads_as_quotation(first.slice(text)))
                }
                _ => false,
            });
        if let Some(&last_line) = paragraph.lines.last() {
            trailing_colon(text, last_line, introduces_what_follows, out);
        }
    }
}

fn citations(text: &str, citations: &[Citation], has_reference_list: bool, out: &mut Vec<Diagnostic>) {
    let mut index = 0;
    while index < citations.len() {
        let citation = citations[index];
        if citation.kind == CitationKind::Needed {
            out.push(diagnostic(
                "citation-needed",
                citation.range,
                format!("`{}`: this claim needs a source", citation.range.slice(text)),
            ));
            index += 1;
            continue;
        }
        // A run of adjacent numbered markers, `[12][13]`, is one diagnostic.
        let mut run = citation.range;
        index += 1;
        while index < citations.len()
            && citations[index].kind == CitationKind::Numbered
            && citations[index].range.start == run.end
        {
            run = run.cover(citations[index].range);
            index += 1;
        }
        if has_reference_list {
            continue;
        }
        let after = &text[run.end()..];
        let at_line_start = run.start() == 0 || matches!(text.as_bytes()[run.start() - 1], b'\n' | b'\r');
        let before_is_space = run.start() > 0 && text.as_bytes()[run.start() - 1] == b' ';
        let removal = if after.starts_with(' ') && (at_line_start || before_is_space) {
            TextRange::new(run.start(), run.end() + 1)
        } else {
            run
        };
        out.push(
            diagnostic(
                "stray-citation",
                run,
                format!(
                    "reference marker `{}` points to no reference list in this document: remove it",
                    run.slice(text)
                ),
            )
            .with_fix(Fix::new("Remove the reference marker", vec![TextEdit::delete(removal)])),
        );
    }
}

/// A sentence end glued to the next sentence: two lower-case letters (`Mitrovica.Meanwhile`),
/// a year (`in 1972.The`) or a closing bracket or quotation mark after a letter or digit
/// (`(1944).The`) before the stop. Initials, `U.S.`, decimals and `No.3` do not match.
static JOINED_SENTENCES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\p{Ll}{2}|\b\d{4}|[\p{Ll}\d][)\]\x22\u{201d}\u{2019}])([.!?])\p{Lu}\p{Ll}")
        .expect("joined-sentence pattern is valid")
});

fn missing_space(text: &str, line: TextRange, out: &mut Vec<Diagnostic>) {
    for captures in JOINED_SENTENCES.captures_iter(line.slice(text)) {
        let punctuation = captures.get(1).expect("group 1 always matches");
        let whole = captures.get(0).expect("group 0 always matches");
        let range = TextRange::new(line.start() + punctuation.start(), line.start() + whole.end());
        let word_before = &line.slice(text)[word_start(line.slice(text), punctuation.start())..punctuation.start()];
        if is_abbreviation(word_before) || inside_web_address(line.slice(text), punctuation.start()) {
            continue;
        }
        // The joined text as the reader sees it, from the start of its run of non-space text.
        let joined_start =
            crate::syntax::word_start_before(line.slice(text), punctuation.start(), |c| !c.is_whitespace());
        let joined = &text[line.start() + joined_start..line.start() + whole.end()];
        let joined = joined.to_string() + word_rest(&text[line.start() + whole.end()..line.end()]);
        out.push(
            diagnostic("missing-space", range, format!("`{joined}`: two sentences joined without a space"))
                .with_fix(Fix::new("Insert a space", vec![TextEdit::insert(line.start() + punctuation.end(), " ")])),
        );
    }
}

/// True when the full stop at `dot` belongs to a web address or a domain name rather than
/// ending a sentence: `www.Example.org`, `https://Jablanica.ba`, `Muzej-Neretva.Ba/history`.
/// The run of non-space text around the dot is an address when it starts with `www.` or holds
/// `://`, `@` or `/`, or when a further dot follows the joined word (`Example.org`): sentences
/// do not go on `word.Word.word` without a space.
fn inside_web_address(line: &str, dot: usize) -> bool {
    let start = line[..dot].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = line[dot..].find(char::is_whitespace).map_or(line.len(), |i| dot + i);
    let token = line[start..end].trim_start_matches(['(', '"', '\u{201c}', '\'']);
    let lower = token.to_lowercase();
    if lower.starts_with("www.") || token.contains("://") || token.contains(['@', '/']) {
        return true;
    }
    // A dot after the joined word, followed by a letter: `Example.org`, not `Kosovo.`
    let after = &line[dot + 1..end];
    after.find('.').is_some_and(|i| after[i + 1..].starts_with(char::is_alphabetic))
}

fn word_start(line: &str, end: usize) -> usize {
    crate::syntax::word_start_before(line, end, char::is_alphanumeric)
}

fn word_rest(rest: &str) -> &str {
    let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
    &rest[..end]
}

static ORPHANED_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:the|a|an|of|in|at|to|on|by|for|from|with|and|or)\s+[.,;:](?:\s|$)")
        .expect("orphan pattern is valid")
});
static SPACE_BEFORE_PUNCTUATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\S(\s+)[.,;:!?](?:\s|$)").expect("space-before pattern is valid"));
static BROKEN_PARENTHESES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(\s*\)|\(\s+").expect("parentheses pattern is valid"));

fn dangling(text: &str, line: TextRange, out: &mut Vec<Diagnostic>) {
    let content = line.slice(text);
    let mut flagged: Vec<TextRange> = Vec::new();
    for found in ORPHANED_WORD.find_iter(content) {
        let range = TextRange::new(
            line.start() + found.start(),
            line.start() + found.as_str().trim_end().len() + found.start(),
        );
        out.push(diagnostic(
            "dangling-text",
            range,
            format!(
                "`{}`: words missing before the punctuation, likely a removed link; complete or rephrase the sentence",
                range.slice(text)
            ),
        ));
        flagged.push(range);
    }
    for captures in SPACE_BEFORE_PUNCTUATION.captures_iter(content) {
        let whole = captures.get(0).expect("group 0 always matches");
        let space = captures.get(1).expect("group 1 always matches");
        let range = TextRange::new(
            line.start() + space.start(),
            line.start() + whole.as_str().trim_end().len() + whole.start(),
        );
        // The punctuation is one ASCII byte, the last of the match before its trailing space.
        let punctuation = whole.start() + whole.as_str().trim_end().len() - 1;
        if flagged.iter().any(|flagged| flagged.intersects(range)) || french_spacing(content, punctuation) {
            continue;
        }
        out.push(diagnostic(
            "dangling-text",
            range,
            format!("a space before `{}`: something between them was likely removed", range.slice(text).trim()),
        ));
    }
    for found in BROKEN_PARENTHESES.find_iter(content) {
        let range = TextRange::new(line.start() + found.start(), line.start() + found.end());
        let message = if found.as_str().trim_end().ends_with(')') {
            "empty parentheses: their content was likely removed".to_string()
        } else {
            "a space after `(`: something at the start of the parentheses was likely removed".to_string()
        };
        out.push(diagnostic("dangling-text", range, message));
    }
}

/// A paragraph that opens with a quotation mark, or in the first or second person (`We have
/// no other way…`: a quotation whose marks were lost in the scrape), is what a colon before
/// it introduces. Prose that goes on in the third person (`Serbia entered the war…`) is not.
fn reads_as_quotation(first_line: &str) -> bool {
    let first_line = first_line.trim_start();
    if first_line.starts_with(['"', '\u{201c}', '\u{201e}', '\u{ab}', '\'']) {
        return true;
    }
    let first_word = first_line.split(|c: char| !c.is_alphabetic()).next().unwrap_or_default();
    ["I", "We", "Our", "My", "You", "Your", "Us"].contains(&first_word)
}

/// French typography puts a space before `!`, `?`, `;` and `:`; inside a `« … »` quotation
/// that space is correct, not a sign of removed text.
fn french_spacing(line: &str, punctuation: usize) -> bool {
    let is_high_punctuation = line[punctuation..].starts_with(['!', '?', ';', ':']);
    let opened = line[..punctuation].rfind('\u{ab}');
    let closed_before = line[..punctuation].rfind('\u{bb}');
    let inside = opened.is_some_and(|open| closed_before.is_none_or(|close| close < open))
        && line[punctuation..].contains('\u{bb}');
    is_high_punctuation && inside
}

fn trailing_colon(text: &str, line: TextRange, introduces_what_follows: bool, out: &mut Vec<Diagnostic>) {
    let content = line.slice(text).trim_end();
    if introduces_what_follows || !content.ends_with(':') {
        return;
    }
    let colon = line.start() + content.len() - 1;
    let word_start = line.start() + word_start(content, content.len() - 1);
    out.push(diagnostic(
        "dangling-text",
        TextRange::new(word_start, colon + 1),
        "the paragraph ends in `:` with nothing after it: a quotation or list was likely lost; restore it or end the sentence",
    ));
}
