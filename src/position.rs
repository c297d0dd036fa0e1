//! The one place where byte offsets meet lines and columns.
//!
//! The core speaks UTF-8 byte offsets. The edges speak lines and columns: LSP in UTF-16 code
//! units (or UTF-8 bytes, when negotiated), the CLI in characters. Lines end at `\n`, `\r\n`
//! or a lone `\r`, as LSP counts them. Every conversion clamps instead of failing: a position
//! past the end of a line means the line's end, a line past the end of the text means its end.
//! [`LineIndex`] serves a plain text; [`RopeLines`] serves a rope being edited.

use ropey::Rope;

use crate::syntax::floor_char_boundary;

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (the LSP default).
    #[default]
    Utf16,
    /// Unicode scalar values: what a person counts as characters.
    Chars,
}

/// A line and a column, both 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text, built once per text version.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 64 + 1);
        line_starts.push(0u32);
        // memchr finds the terminators (vectorised); a `\r` before `\n` ends one line, not two.
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let crlf_first_half = bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n');
            if !crlf_first_half {
                line_starts.push((at + 1) as u32);
            }
        }
        LineIndex { line_starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The line and column of a byte offset (clamped to the text, and back to a char boundary).
    pub fn line_col(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len as usize));
        let line = self.line_starts.partition_point(|&start| start as usize <= offset) - 1;
        let start = self.line_starts[line] as usize;
        LineCol { line: line as u32, col: count_units(&text[start..offset], encoding) }
    }

    /// The byte offset of a line and column; past the end of a line means the line's end.
    pub fn offset(&self, text: &str, position: LineCol, encoding: Encoding) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return self.len as usize;
        };
        let start = start as usize;
        let end = self.line_content_end(text, position.line as usize);
        start + units_to_bytes(text[start..end].chars(), position.col, encoding)
    }

    /// The end of a line's content, before its terminator.
    fn line_content_end(&self, text: &str, line: usize) -> usize {
        let next = self.line_starts.get(line + 1).map_or(self.len as usize, |&next| next as usize);
        let content = &text[self.line_starts[line] as usize..next];
        next - (content.len() - content.trim_end_matches(['\n', '\r']).len()).min(2)
    }
}

/// The line and column of one offset, found by scanning the text up to it: cheaper than a
/// [`LineIndex`] when a file is asked once for a place near its start (an infobox listing
/// in a closed file). Same rules and results as [`LineIndex::line_col`].
pub fn line_col_once(text: &str, offset: usize, encoding: Encoding) -> LineCol {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let bytes = &text.as_bytes()[..offset];
    let mut line = 0u32;
    let mut line_start = 0usize;
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let crlf_first_half = text.as_bytes()[at] == b'\r' && text.as_bytes().get(at + 1) == Some(&b'\n');
        if !crlf_first_half {
            line += 1;
            line_start = at + 1;
        }
    }
    // An offset between `\r` and `\n` belongs to the line the pair ends.
    LineCol { line, col: count_units(&text[line_start..offset], encoding) }
}

/// The lines and columns of many ranges of one text, ascending by start, in one pass that
/// reads the text only up to the last of them: what navigation answers need for a closed file
/// named a few times (no line index is built for it). Same rules and results as
/// [`line_col_once`] for each end; a range that starts before the one before it is converted
/// on its own.
pub fn ranges_once(text: &str, ranges: &[(usize, usize)], encoding: Encoding) -> Vec<(LineCol, LineCol)> {
    let bytes = text.as_bytes();
    // The line of `scanned` and where that line starts.
    let (mut scanned, mut line, mut line_start) = (0usize, 0u32, 0usize);
    // The column of `scanned`, while it is on the line: the next end on that line (a range's
    // end after its start, far into a long paragraph) is counted on from there.
    let mut col = 0u32;
    let mut at = |offset: usize| -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        if offset < scanned {
            return line_col_once(text, offset, encoding);
        }
        let mut counted_from = scanned;
        let between = &bytes[scanned..offset];
        if memchr::memchr(b'\r', between).is_none() {
            // Only `\n` breaks lines here (the usual case): counted at once, and the last one
            // found from the end. Stopping at every break cost a rename at 50,000 articles a
            // third of its conversion (infobox lines are short).
            if let Some(last) = memchr::memrchr(b'\n', between) {
                line += memchr::memchr_iter(b'\n', between).count() as u32;
                line_start = scanned + last + 1;
                (counted_from, col) = (line_start, 0);
            }
        } else {
            for found in memchr::memchr2_iter(b'\n', b'\r', between) {
                let found = scanned + found;
                let crlf_first_half = bytes[found] == b'\r' && bytes.get(found + 1) == Some(&b'\n');
                if !crlf_first_half {
                    line += 1;
                    line_start = found + 1;
                    (counted_from, col) = (line_start, 0);
                }
            }
        }
        col += count_units(&text[counted_from..offset], encoding);
        scanned = offset;
        LineCol { line, col }
    };
    ranges.iter().map(|&(start, end)| (at(start), at(end))).collect()
}

/// The line and column of a range's two ends, scanning once: the end is counted on from the
/// start (a name in a closed file is converted without reading its text twice).
pub fn range_once(text: &str, start: usize, end: usize, encoding: Encoding) -> (LineCol, LineCol) {
    let from = line_col_once(text, start, encoding);
    let start = floor_char_boundary(text, start.min(text.len()));
    let end = floor_char_boundary(text, end.min(text.len()));
    // An end on the start's line (no break between them, and the start not between `\r`
    // and `\n`) is the start's column plus what lies between; otherwise scan for it.
    let start_between_crlf =
        start > 0 && text.as_bytes()[start - 1] == b'\r' && text.as_bytes().get(start) == Some(&b'\n');
    if end >= start && !start_between_crlf && memchr::memchr2(b'\n', b'\r', &text.as_bytes()[start..end]).is_none() {
        return (from, LineCol { line: from.line, col: from.col + count_units(&text[start..end], encoding) });
    }
    (from, line_col_once(text, end, encoding))
}

/// Line-and-column conversions over a rope, for applying an editor's incremental changes
/// before any text is re-read. Same rules as [`LineIndex`].
pub struct RopeLines<'a>(pub &'a Rope);

impl RopeLines<'_> {
    /// The char index (ropey's unit) of a line and column.
    pub fn char_index(&self, position: LineCol, encoding: Encoding) -> usize {
        let rope = self.0;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let line_slice = rope.line(line);
        let content = line_slice.chars().take_while(|&c| c != '\n' && c != '\r');
        let bytes = units_to_bytes(content, position.col, encoding);
        // Convert the byte length within the line back to chars.
        let line_byte_start = rope.char_to_byte(line_start);
        rope.byte_to_char(line_byte_start + bytes)
    }
}

fn count_units(text: &str, encoding: Encoding) -> u32 {
    let count = match encoding {
        Encoding::Utf8 => text.len(),
        // Counted on the bytes (it vectorises): a character starts at every byte that is not
        // a continuation byte, and one of four bytes (lead byte 0xF0 and up) takes two units.
        Encoding::Utf16 => text.bytes().map(|byte| usize::from(byte & 0xC0 != 0x80) + usize::from(byte >= 0xF0)).sum(),
        Encoding::Chars => text.bytes().filter(|&byte| byte & 0xC0 != 0x80).count(),
    };
    count as u32
}

/// How many bytes of `line` the first `units` columns cover; a column inside a character
/// (half a surrogate pair, the middle of a UTF-8 sequence) rounds down to its start.
fn units_to_bytes(line: impl Iterator<Item = char>, units: u32, encoding: Encoding) -> usize {
    let mut counted = 0u32;
    let mut bytes = 0usize;
    for c in line {
        let width = match encoding {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Chars => 1,
        };
        if counted + width > units {
            break;
        }
        counted += width;
        bytes += c.len_utf8();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Mile Čalović\r\nBalli Kombëtar – 😀 x\rlast\nend";

    fn round_trip(encoding: Encoding, line: u32, col: u32, expected_byte: usize) {
        let index = LineIndex::new(TEXT);
        let offset = index.offset(TEXT, LineCol { line, col }, encoding);
        assert_eq!(offset, expected_byte, "{encoding:?} {line}:{col}");
        assert_eq!(index.line_col(TEXT, offset, encoding), LineCol { line, col });
        let rope = Rope::from_str(TEXT);
        assert_eq!(rope.char_to_byte(RopeLines(&rope).char_index(LineCol { line, col }, encoding)), expected_byte);
    }

    #[test]
    fn columns_after_non_ascii_letters() {
        // `Mile Č` is 6 characters, 6 UTF-16 units, 7 bytes.
        round_trip(Encoding::Utf16, 0, 6, 7);
        round_trip(Encoding::Utf8, 0, 7, 7);
        round_trip(Encoding::Chars, 0, 6, 7);
        // End of line 0 (before CRLF): `Mile Čalović` is 12 chars, 14 bytes.
        round_trip(Encoding::Utf16, 0, 12, 14);
    }

    #[test]
    fn en_dash_emoji_and_crlf() {
        let line1 = TEXT.find("Balli").unwrap();
        // `Balli Kombëtar – ` is 17 UTF-16 units; the emoji takes 2 units, 4 bytes.
        let emoji = TEXT.find('😀').unwrap();
        round_trip(Encoding::Utf16, 1, 17, emoji);
        round_trip(Encoding::Utf16, 1, 19, emoji + 4);
        round_trip(Encoding::Chars, 1, 18, emoji + 4);
        round_trip(Encoding::Utf8, 1, (emoji - line1 + 4) as u32, emoji + 4);
        // A column inside the surrogate pair rounds down to the emoji's start.
        let index = LineIndex::new(TEXT);
        assert_eq!(index.offset(TEXT, LineCol { line: 1, col: 18 }, Encoding::Utf16), emoji);
    }

    #[test]
    fn lone_cr_ends_a_line_and_positions_clamp() {
        let index = LineIndex::new(TEXT);
        assert_eq!(index.line_count(), 4);
        round_trip(Encoding::Utf16, 2, 0, TEXT.find("last").unwrap());
        // Past the end of a line: the line's end, not the next line.
        assert_eq!(index.offset(TEXT, LineCol { line: 2, col: 99 }, Encoding::Utf16), TEXT.find("\nend").unwrap());
        // Past the last line: the end of the text.
        assert_eq!(index.offset(TEXT, LineCol { line: 99, col: 0 }, Encoding::Utf16), TEXT.len());
        assert_eq!(index.line_col(TEXT, 10_000, Encoding::Utf16), LineCol { line: 3, col: 3 });
        // An offset inside a character is read as the character's start.
        assert_eq!(index.line_col(TEXT, 6, Encoding::Utf16), LineCol { line: 0, col: 5 });
    }

    #[test]
    fn one_off_conversion_agrees_with_the_index() {
        let index = LineIndex::new(TEXT);
        for offset in 0..=TEXT.len() + 1 {
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
                assert_eq!(
                    line_col_once(TEXT, offset, encoding),
                    index.line_col(TEXT, offset, encoding),
                    "{offset} {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn one_off_ranges_agree_with_the_index() {
        let index = LineIndex::new(TEXT);
        for start in 0..=TEXT.len() + 1 {
            for end in 0..=TEXT.len() + 1 {
                for encoding in [Encoding::Utf8, Encoding::Utf16] {
                    let expected = (index.line_col(TEXT, start, encoding), index.line_col(TEXT, end, encoding));
                    assert_eq!(range_once(TEXT, start, end, encoding), expected, "{start}..{end} {encoding:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Ranges converted in one pass, in order or not, agree with the index one by one.
        #[test]
        fn ranges_in_one_pass_agree_with_the_index(
            mut ranges in proptest::collection::vec((0..TEXT.len() + 2, 0..TEXT.len() + 2), 0..8),
            sorted: bool,
        ) {
            if sorted {
                ranges.sort_unstable();
            }
            // Also a text broken by `\n` alone, in many short lines (counted at once).
            for text in [TEXT, "Mile\nČa\n\n😀 x\nlast\n\nBalli Kombëtar\nx\ny\nend"] {
                let index = LineIndex::new(text);
                for encoding in [Encoding::Utf8, Encoding::Utf16] {
                    let expected: Vec<(LineCol, LineCol)> = ranges
                        .iter()
                        .map(|&(start, end)| (index.line_col(text, start, encoding), index.line_col(text, end, encoding)))
                        .collect();
                    proptest::prop_assert_eq!(ranges_once(text, &ranges, encoding), expected);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn columns_count_as_utf16_and_chars_do(text in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(count_units(&text, Encoding::Utf16) as usize, text.encode_utf16().count());
            proptest::prop_assert_eq!(count_units(&text, Encoding::Chars) as usize, text.chars().count());
        }
    }

    #[test]
    fn rope_clamps_like_the_index() {
        let rope = Rope::from_str(TEXT);
        let lines = RopeLines(&rope);
        assert_eq!(lines.char_index(LineCol { line: 99, col: 0 }, Encoding::Utf16), rope.len_chars());
        let end_of_line_2 = rope.byte_to_char(TEXT.find("\nend").unwrap());
        assert_eq!(lines.char_index(LineCol { line: 2, col: 99 }, Encoding::Utf16), end_of_line_2);
    }
}
