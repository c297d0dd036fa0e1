//! Splitting text into lines the way LSP counts them: `\n`, `\r\n` and a lone `\r` end a line.

use super::TextRange;

/// One line of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line's content, without its terminator.
    pub content: TextRange,
    /// Where the next line starts (the end of the terminator, or the end of the text).
    pub next: u32,
}

impl Line {
    /// The whole line including its terminator.
    pub fn full(self) -> TextRange {
        TextRange { start: self.content.start, end: self.next }
    }
}

/// All lines of `text`, starting at byte `from`. A text that ends with a terminator has no
/// empty last line here (the caller sees the terminator as part of the last line).
pub fn split_lines(text: &str, from: usize) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = from;
    // Line ends found with memchr (a byte at a time was most of a parse's line splitting).
    let mut search = from;
    while let Some(offset) = memchr::memchr2(b'\n', b'\r', bytes.get(search..).unwrap_or_default()) {
        let i = search + offset;
        let next = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
        lines.push(Line { content: TextRange::new(start, i), next: next as u32 });
        start = next;
        search = next;
    }
    if start < bytes.len() {
        lines.push(Line { content: TextRange::new(start, bytes.len()), next: bytes.len() as u32 });
    }
    lines
}

/// True for a line that holds nothing but ASCII spaces and tabs. A line of non-breaking
/// spaces is *not* blank: it is scrape debris, and the parser keeps it as such.
pub fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// The range of `inner` inside `range` with Unicode white space trimmed from both ends.
pub fn trim_range(text: &str, range: TextRange) -> TextRange {
    let slice = range.slice(text);
    let leading = slice.len() - slice.trim_start().len();
    let trailing = slice.len() - slice.trim_end().len();
    if leading == slice.len() {
        return TextRange::empty(range.start());
    }
    TextRange::new(range.start() + leading, range.end() - trailing)
}

/// Where the run of characters satisfying `in_word` that ends at `end` starts: the start of
/// the word before `end`. (The character that stops the run may be several bytes long.)
pub fn word_start_before(text: &str, end: usize, in_word: impl Fn(char) -> bool) -> usize {
    text[..end].char_indices().rev().take_while(|&(_, c)| in_word(c)).last().map_or(end, |(i, _)| i)
}
