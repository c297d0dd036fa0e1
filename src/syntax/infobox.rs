//! The `Infobox` block: `- Key: Value` lines, and values split into items.
//!
//! A value is a comma list. Commas inside numbers (`40,000`, `700,000+`) do not split.
//! `<hr>`, `<hr />` and `<br>` are group separators left over from the HTML infobox: they split
//! items too, and are reported as markup. Items nest by leading `*` / `**`. Image residue such as
//! `22px` in front of a name is markup, not part of the name.

use std::sync::LazyLock;

use regex::Regex;

use super::{TextRange, trim_range};

#[derive(Debug, Clone)]
pub struct Infobox {
    /// The `Infobox` word.
    pub header: TextRange,
    pub lines: Vec<InfoboxLine>,
}

#[derive(Debug, Clone)]
pub enum InfoboxLine {
    Entry(InfoboxEntry),
    /// A line inside the block that is not `- Key: Value`.
    Malformed(TextRange),
}

#[derive(Debug, Clone)]
pub struct InfoboxEntry {
    /// The line's content without its terminator.
    pub line: TextRange,
    /// The `-` marker.
    pub dash: TextRange,
    /// The whole key, `Combatant2`.
    pub key: TextRange,
    /// The key without its side number, `Combatant`.
    pub key_base: TextRange,
    /// The side number, `2`, when the key ends in digits.
    pub side: Option<u8>,
    pub colon: TextRange,
    /// The value, trimmed.
    pub value: TextRange,
    /// The value cut at its commas.
    pub pieces: Vec<ValuePiece>,
    /// The named items of the value, in order.
    pub items: Vec<InfoboxItem>,
    pub markup: Vec<Markup>,
}

/// The text between two commas of a value (or a value's end).
#[derive(Debug, Clone)]
pub struct ValuePiece {
    /// The raw text, untrimmed, without the comma.
    pub range: TextRange,
    /// The comma that ends this piece, if one does.
    pub comma: Option<TextRange>,
    /// Nothing but white space: an empty item.
    pub is_empty: bool,
}

#[derive(Debug, Clone)]
pub struct InfoboxItem {
    /// The item, trimmed, with its `*` markers.
    pub range: TextRange,
    /// 0 for a top-level item, 1 for `*`, 2 for `**`.
    pub depth: u8,
    /// The run of `*`, if any.
    pub marker: Option<TextRange>,
    /// The item's name: no markers, no markup, trimmed.
    pub name: TextRange,
    /// The item follows a `<hr>`/`<br>` group separator.
    pub after_group_break: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkupKind {
    /// `<hr>`, `<hr />`, `<br>`: a group separator.
    Separator,
    /// Any other HTML tag.
    Tag,
    /// Image residue: `22px`.
    ImageSize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markup {
    pub range: TextRange,
    pub kind: MarkupKind,
}

impl InfoboxEntry {
    /// True when the value holds no item: empty, or only commas, spaces and markup.
    pub fn is_empty_value(&self) -> bool {
        self.items.iter().all(|item| item.name.is_empty())
    }
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<\s*/?\s*([a-z][a-z0-9]*)\b[^<>]*>").expect("tag pattern is valid"));
static IMAGE_SIZE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{1,4}px\b").expect("image-size pattern is valid"));

/// Parses one line of the infobox block.
pub(super) fn parse_line(text: &str, line: TextRange) -> InfoboxLine {
    let content = line.slice(text);
    let indent = content.len() - content.trim_start().len();
    let rest = &content[indent..];
    if !rest.starts_with('-') {
        return InfoboxLine::Malformed(line);
    }
    let dash = TextRange::new(line.start() + indent, line.start() + indent + 1);
    let Some(colon_offset) = memchr::memchr(b':', &content.as_bytes()[indent + 1..]).map(|i| i + indent + 1) else {
        return InfoboxLine::Malformed(line);
    };
    let key = trim_range(text, TextRange::new(dash.end(), line.start() + colon_offset));
    let key_text = key.slice(text);
    let Some((base_len, side)) = parse_key(key_text) else {
        return InfoboxLine::Malformed(line);
    };
    let colon = TextRange::new(line.start() + colon_offset, line.start() + colon_offset + 1);
    let value = trim_range(text, TextRange::new(colon.end(), line.end()));
    let (pieces, items, markup) = split_value(text, value);
    InfoboxLine::Entry(InfoboxEntry {
        line,
        dash,
        key,
        key_base: TextRange::new(key.start(), key.start() + base_len),
        side,
        colon,
        value,
        pieces,
        items,
        markup,
    })
}

/// Splits a key into the length of its base and its side number: `Combatant2` → (9, Some(2)).
/// A key is letters (and `_`, spaces inside) optionally followed by digits; anything else is not a key.
pub fn parse_key(key: &str) -> Option<(usize, Option<u8>)> {
    let base_len = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let base = &key[..key.len() - base_len];
    let valid_base = base.chars().next().is_some_and(char::is_alphabetic)
        && base.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ' ');
    if !valid_base {
        return None;
    }
    let side = (base_len > 0).then(|| key[base.len()..].parse::<u8>().unwrap_or(u8::MAX));
    Some((base.len(), side))
}

fn split_value(text: &str, value: TextRange) -> (Vec<ValuePiece>, Vec<InfoboxItem>, Vec<Markup>) {
    let value_text = value.slice(text);
    // Most values hold no markup: a regex search is not started where its pattern's `<` or
    // `px` is not in the value (a search costs a cache taken from the regex's pool and given
    // back, two per infobox line).
    let mut markup: Vec<Markup> = Vec::new();
    if memchr::memchr(b'<', value_text.as_bytes()).is_some() {
        markup.extend(TAG.captures_iter(value_text).map(|captures| {
            let whole = captures.get(0).expect("group 0 always matches");
            let name = captures.get(1).map_or("", |m| m.as_str());
            let separator = name.eq_ignore_ascii_case("hr") || name.eq_ignore_ascii_case("br");
            let kind = if separator { MarkupKind::Separator } else { MarkupKind::Tag };
            Markup { range: TextRange::new(value.start() + whole.start(), value.start() + whole.end()), kind }
        }));
    }
    let bytes = value_text.as_bytes();
    if memchr::memchr_iter(b'p', bytes).any(|at| bytes.get(at + 1) == Some(&b'x')) {
        markup.extend(IMAGE_SIZE.find_iter(value_text).map(|m| Markup {
            range: TextRange::new(value.start() + m.start(), value.start() + m.end()),
            kind: MarkupKind::ImageSize,
        }));
    }
    markup.sort_by_key(|m| m.range.start);

    // A piece between commas, an item a piece most often: sized at once (a list of units
    // grew its lists three times).
    let commas = memchr::memchr_iter(b',', value_text.as_bytes()).count();
    let mut pieces = Vec::with_capacity(commas + 1);
    let mut piece_start = value.start();
    for offset in memchr::memchr_iter(b',', value_text.as_bytes()) {
        if is_thousands_separator(value_text, offset) || inside_markup(&markup, value.start() + offset) {
            continue;
        }
        let comma = TextRange::new(value.start() + offset, value.start() + offset + 1);
        pieces.push(piece(text, &markup, TextRange::new(piece_start, comma.start()), Some(comma)));
        piece_start = comma.end();
    }
    if !value.is_empty() {
        pieces.push(piece(text, &markup, TextRange::new(piece_start, value.end()), None));
    }

    let mut items = Vec::with_capacity(pieces.len());
    for piece in &pieces {
        let mut part_start = piece.range.start();
        let mut after_group_break = false;
        let separators =
            markup.iter().filter(|m| m.kind == MarkupKind::Separator && piece.range.contains_range(m.range));
        for separator in separators {
            items.extend(item(text, &markup, TextRange::new(part_start, separator.range.start()), after_group_break));
            part_start = separator.range.end();
            after_group_break = true;
        }
        items.extend(item(text, &markup, TextRange::new(part_start, piece.range.end()), after_group_break));
    }
    (pieces, items, markup)
}

fn piece(text: &str, markup: &[Markup], range: TextRange, comma: Option<TextRange>) -> ValuePiece {
    let has_markup = markup.iter().any(|m| range.contains_range(m.range));
    ValuePiece { range, comma, is_empty: range.slice(text).trim().is_empty() && !has_markup }
}

/// One item of a piece: `*` markers, then markup residue, then the name.
fn item(text: &str, markup: &[Markup], range: TextRange, after_group_break: bool) -> Option<InfoboxItem> {
    let range = trim_range(text, range);
    if range.is_empty() {
        return None;
    }
    let item_text = range.slice(text);
    let stars = item_text.len() - item_text.trim_start_matches('*').len();
    let marker = (stars > 0).then(|| TextRange::new(range.start(), range.start() + stars));
    let mut name = trim_range(text, TextRange::new(range.start() + stars, range.end()));
    // Markup at either end of the name is residue, not part of it.
    loop {
        let before = name;
        for m in markup {
            if m.range.start == name.start && name.contains_range(m.range) {
                name = trim_range(text, TextRange::new(m.range.end(), name.end()));
            } else if m.range.end == name.end && name.contains_range(m.range) {
                name = trim_range(text, TextRange::new(name.start(), m.range.start()));
            }
        }
        if name == before {
            break;
        }
    }
    Some(InfoboxItem { range, depth: u8::try_from(stars).unwrap_or(u8::MAX), marker, name, after_group_break })
}

/// `40,000` and `700,000+`: a comma between a digit and exactly three digits.
fn is_thousands_separator(value: &str, comma: usize) -> bool {
    let bytes = value.as_bytes();
    let digit_before = comma > 0 && bytes[comma - 1].is_ascii_digit();
    let digits_after = bytes.get(comma + 1..comma + 4).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let fourth_not_digit = bytes.get(comma + 4).is_none_or(|b| !b.is_ascii_digit());
    digit_before && digits_after && fourth_not_digit
}

fn inside_markup(markup: &[Markup], offset: usize) -> bool {
    markup.iter().any(|m| m.range.start() < offset && offset < m.range.end())
}
