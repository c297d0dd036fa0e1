//! Byte ranges into a document's text: the one coordinate system of the core.
//!
//! Every range is a pair of UTF-8 byte offsets, `start..end`, always on character boundaries.
//! Lines, columns and UTF-16 only exist at the edges (`crate::position`).

use std::fmt;

/// A half-open range of UTF-8 byte offsets into a document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> TextRange {
        debug_assert!(start <= end, "range {start}..{end} is reversed");
        TextRange { start: to_u32(start), end: to_u32(end.max(start)) }
    }

    pub fn empty(at: usize) -> TextRange {
        TextRange::new(at, at)
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// True if `offset` is inside the range or touches its end, as a cursor does
    /// when it stands right after the last character of a word.
    pub fn touches(self, offset: usize) -> bool {
        self.start() <= offset && offset <= self.end()
    }

    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn intersects(self, other: TextRange) -> bool {
        self.start < other.end && other.start < self.end
            || (self.is_empty() || other.is_empty()) && self.start <= other.end && other.start <= self.end
    }

    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The same range moved `delta` bytes to the right.
    pub fn shifted(self, delta: usize) -> TextRange {
        TextRange::new(self.start() + delta, self.end() + delta)
    }

    /// The text this range covers; empty if the range does not fit the text (never panics).
    pub fn slice(self, text: &str) -> &str {
        text.get(self.start()..self.end()).unwrap_or("")
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

fn to_u32(offset: usize) -> u32 {
    // Documents are capped well below 4 GiB at the edges (`MAX_DOCUMENT_BYTES`).
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// The largest document the core analyses; the edges refuse larger ones with a message.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024 * 1024;

/// The nearest character boundary at or before `offset` (clamped to the text): where an
/// offset from outside (an editor, a generated test) may be used to slice.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
