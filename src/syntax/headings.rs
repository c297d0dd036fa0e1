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
    /// The wiki's `[edit]` link glued to the end of the line when the page was copied
    /// (`Background[edit]`): scrape debris, not part of the heading.
    pub edit_link: Option<TextRange>,
}

/// The trailing `[edit]` of a heading line copied from a wiki page, if there is one, and the
/// line's content before it, trimmed.
fn split_edit_link(text: &str, trimmed: TextRange) -> (TextRange, Option<TextRange>) {
    const EDIT_LINK: &str = "[edit]";
    let content = trimmed.slice(text);
    if content.len() > EDIT_LINK.len() && content.ends_with(EDIT_LINK) {
        let link = TextRange::new(trimmed.end() - EDIT_LINK.len(), trimmed.end());
        return (trim_range(text, TextRange::new(trimmed.start(), link.start())), Some(link));
    }
    (trimmed, None)
}

/// A heading between `=` markers, if `line` is one. A line of nothing but `=` is not.
pub(super) fn marked_heading(text: &str, line: TextRange) -> Option<Heading> {
    // Most lines are no heading: told by their first character before anything is trimmed.
    if !line.slice(text).trim_start().starts_with('=') {
        return None;
    }
    let (trimmed, edit_link) = split_edit_link(text, trim_range(text, line));
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
        edit_link,
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
    "siege",
    "sources",
];

/// True for a section name that is a heading whenever it stands alone (`Background`, `See also`).
pub(super) fn is_known_section_name(words: &str) -> bool {
    // The longest known name is 20 bytes: most lines stop at the length test.
    if words.len() > 24 {
        return false;
    }
    let words = words.trim();
    // The shortest known name has five letters (blank lines stop here).
    if words.len() < 5 {
        return false;
    }
    // An ASCII line is compared as it is; another is lower-cased first (the Kelvin sign `K`
    // lower-cases to `k`).
    if words.is_ascii() {
        let first = words.as_bytes()[0].to_ascii_lowercase();
        KNOWN_SECTION_NAMES.iter().any(|known| {
            known.len() == words.len() && known.as_bytes()[0] == first && known.eq_ignore_ascii_case(words)
        })
    } else {
        KNOWN_SECTION_NAMES.contains(&words.to_lowercase().as_str())
    }
}

/// What stands around a candidate bare heading.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Surroundings<'a> {
    /// The line before, if any.
    pub(super) previous: Option<&'a str>,
    /// The line after, if any.
    pub(super) next: Option<&'a str>,
    /// When the line after is blank: the first non-blank line after the blank run.
    pub(super) after_blank: Option<&'a str>,
    /// The document's known section names (`Background`) stand alone with a blank line after
    /// them, so its other headings may too.
    pub(super) headings_stand_alone: bool,
}

/// A bare line that reads as a section heading: short, capitalised, no closing punctuation,
/// after the end of a paragraph (or a blank line) and before prose that is clearly longer.
///
/// Image captions share that shape, so a line that is not a known section name must also
/// not open like a caption (`The abbey in ruins`) and be followed by a line that ends like a
/// sentence. A line followed by a blank line reads like a caption even more, so there it must
/// be a known section name, or have at most four words in a document whose known section
/// names stand alone that way. Where the rule cannot tell, it stays silent.
pub(super) fn bare_heading(text: &str, line: TextRange, around: Surroundings<'_>) -> Option<Heading> {
    let (trimmed, edit_link) = split_edit_link(text, trim_range(text, line));
    let words = trimmed.slice(text);
    // 50 characters are at most 200 bytes: longer lines (most prose) stop here.
    if words.len() > 200 {
        return None;
    }
    // The cheapest tests first: most short lines that are no heading fail at their ends.
    let starts_capitalised = words.chars().next().is_some_and(char::is_uppercase);
    let ends_like_a_name = words.chars().next_back().is_some_and(char::is_alphanumeric);
    let shape_fits = starts_capitalised
        && ends_like_a_name
        && words.chars().count() <= 50
        && !words.contains(['[', ',', ':', ';', '<', '>', '=', '"']);
    if !shape_fits {
        return None;
    }
    let word_count = words.split_whitespace().count();
    if word_count > 5 {
        return None;
    }
    let previous_ended = around.previous.is_none_or(|previous| {
        let previous = previous.trim_end();
        is_blank(previous) || previous.ends_with(['.', '!', '?', '"', '\u{201d}', ')', ']'])
    });
    let known = is_known_section_name(words);
    // Any other line may be a caption (`Dragutin Gavrilović` under a portrait): it needs prose
    // after it, a clearly longer line that ends like a sentence, and no caption's opening.
    let is_prose = |next: &str| {
        !next.is_empty()
            && !next.starts_with(['-', '=', '*'])
            && (known
                || (next.chars().count() >= 40.max(2 * words.chars().count())
                    && next.ends_with(['.', '!', '?', ':', '"', '\u{201d}', ')', ']'])
                    && !opens_like_a_caption(words)))
    };
    // A known name over a `- item` list heads it (`See also`, `Order of battle`).
    let heads_list = |next: &str| known && next.starts_with("- ");
    let followed_well = if around.next.is_some_and(is_blank) {
        let after = around.after_blank.map(str::trim).unwrap_or_default();
        let may_stand_alone = known || (around.headings_stand_alone && word_count <= 4);
        may_stand_alone && (is_prose(after) || heads_list(after))
    } else {
        let next = around.next.map(str::trim).unwrap_or_default();
        is_prose(next) || heads_list(next)
    };
    // A known name is a heading even after a line that does not end a sentence (the last
    // line of a list of units written without markers).
    ((previous_ended || known) && followed_well).then_some(Heading {
        line,
        level: 2,
        open: None,
        close: None,
        text: trimmed,
        style: HeadingStyle::Bare,
        balanced: true,
        spaced: true,
        edit_link,
    })
}

/// Captions describe a picture and often open with an article or name what the picture is
/// (`The abbey in ruins`, `A destroyed Red Army tank`, `Map of the battle`), or carry a year
/// (`Serbian soldiers in 1914`); section headings seldom do.
fn opens_like_a_caption(words: &str) -> bool {
    let first = words.split_whitespace().next().unwrap_or_default().to_lowercase();
    const CAPTION_OPENERS: &[&str] =
        &["the", "a", "an", "map", "photo", "photograph", "picture", "image", "portrait", "painting", "view"];
    CAPTION_OPENERS.contains(&first.as_str()) || words.contains(|c: char| c.is_ascii_digit())
}
