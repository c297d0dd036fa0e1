//! Headings: `== H ==` in its several spellings (`==H==`, `=== H ===`, unbalanced `== H =`),
//! and bare lines such as `Background` that stand alone between paragraphs.

use super::{TextRange, is_blank, trim_range};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingStyle {
    /// Between `=` markers.
    Marked,
    /// A bare line that reads as a section heading.
    Bare,
}

#[derive(Debug, Clone)]
pub struct Heading {
    /// The line's content without its terminator.
    pub line: TextRange,
    /// 1 for `= T =`, 2 for `== H ==`, … The opening markers count; a bare heading is level 2.
    pub level: u8,
    /// The opening run of `=`, if marked.
    pub open: Option<TextRange>,
    /// The closing run of `=`, if any.
    pub close: Option<TextRange>,
    /// The heading's words, trimmed.
    pub text: TextRange,
    pub style: HeadingStyle,
    /// Opening and closing runs have the same length (always true for bare headings).
    pub balanced: bool,
    /// White space stands between the markers and the words on both sides.
    pub spaced: bool,
}

/// A heading between `=` markers, if `line` is one. A line of nothing but `=` is not.
pub(super) fn marked_heading(text: &str, line: TextRange) -> Option<Heading> {
    let trimmed = trim_range(text, line);
    let content = trimmed.slice(text);
    if !content.starts_with('=') || content.bytes().all(|b| b == b'=') {
        return None;
    }
    let open_len = content.len() - content.trim_start_matches('=').len();
    let after_open = &content[open_len..];
    let close_len = after_open.len() - after_open.trim_end_matches('=').len();
    let open = TextRange::new(trimmed.start(), trimmed.start() + open_len);
    let close = (close_len > 0).then(|| TextRange::new(trimmed.end() - close_len, trimmed.end()));
    let inner = TextRange::new(open.end(), close.map_or(trimmed.end(), |close| close.start()));
    let inner_text = inner.slice(text);
    let spaced =
        close.is_some() && inner_text.starts_with(char::is_whitespace) && inner_text.ends_with(char::is_whitespace);
    Some(Heading {
        line,
        level: u8::try_from(open_len).unwrap_or(u8::MAX),
        open: Some(open),
        close,
        text: trim_range(text, inner),
        style: HeadingStyle::Marked,
        balanced: close_len == open_len,
        spaced,
    })
}

/// Section names that are headings whenever they stand alone on a line.
const KNOWN_SECTION_NAMES: &[&str] = &[
    "aftermath",
    "analysis",
    "background",
    "battle",
    "bibliography",
    "campaign",
    "casualties",
    "commemoration",
    "consequences",
    "course of the battle",
    "crimes",
    "external links",
    "forces",
    "further reading",
    "history",
    "invasion",
    "legacy",
    "losses",
    "notes",
    "offensive",
    "operation",
    "order of battle",
    "outcome",
    "overview",
    "prelude",
    "references",
    "see also",
    "sources",
];

/// A bare line that reads as a section heading: short, capitalised, no closing punctuation,
/// after the end of a paragraph (or a blank line) and before prose that is clearly longer.
pub(super) fn bare_heading(text: &str, line: TextRange, previous: Option<&str>, next: Option<&str>) -> Option<Heading> {
    let trimmed = trim_range(text, line);
    let words = trimmed.slice(text);
    // 50 characters are at most 200 bytes: longer lines (most prose) stop here.
    if words.len() > 200 {
        return None;
    }
    let word_count = words.split_whitespace().count();
    let starts_capitalised = words.chars().next().is_some_and(char::is_uppercase);
    let ends_like_a_name = words.chars().last().is_some_and(char::is_alphanumeric);
    let shape_fits = word_count <= 5
        && words.chars().count() <= 50
        && starts_capitalised
        && ends_like_a_name
        && !words.contains(['[', ',', ':', ';', '<', '>', '=', '"']);
    if !shape_fits {
        return None;
    }
    let previous_ended = previous.is_none_or(|previous| {
        let previous = previous.trim_end();
        is_blank(previous) || previous.ends_with(['.', '!', '?', '"', '\u{201d}', ')', ']'])
    });
    let known = KNOWN_SECTION_NAMES.contains(&words.to_lowercase().as_str());
    let next = next.map(str::trim).unwrap_or_default();
    let next_is_prose = !next.is_empty()
        && !next.starts_with(['-', '=', '*'])
        && (known || next.chars().count() >= 40.max(2 * words.chars().count()));
    (previous_ended && next_is_prose).then_some(Heading {
        line,
        level: 2,
        open: None,
        close: None,
        text: trimmed,
        style: HeadingStyle::Bare,
        balanced: true,
        spaced: true,
    })
}
