//! A file's text as the index keeps it: a range of a block of texts read together.
//!
//! A start reads thousands of files of a few kilobytes each. Kept one allocation each, every
//! text is rounded up to its allocator's size class (jemalloc's classes between 4 and 8 KiB
//! are 1 KiB apart: a 6.1 KB article takes a 7 KiB slot). Read into blocks of a few files, a
//! text costs its bytes and a share of one large allocation, whose rounding is pages never
//! touched: a server that had just indexed 10,000 articles held 111 MiB instead of 114–115.
//!
//! A cold start reads its files this way (`cache::index_paths_with_cache`), and so does the
//! background reading of a warm start's texts (`SourceFile::read_unread_together`); a text
//! read alone (a file changed on disk, an open document) is a block of its own.
//!
//! A block lives while any of its texts does: a file that changes on disk keeps its old
//! text's bytes alive until the other files of its block change too, or the server stops.

use std::ops::Range;
use std::sync::Arc;

/// How many files' texts a start reads into one block.
pub const TEXTS_PER_BLOCK: usize = 16;

/// A text: `block[start..end]`, cheap to clone, read as a `str`.
#[derive(Clone)]
pub struct SharedText {
    block: Arc<str>,
    start: u32,
    end: u32,
}

impl SharedText {
    /// The text at `range` of `block`, which must lie on character boundaries of it.
    ///
    /// # Panics
    /// If `range` is not a range of character boundaries of `block`, or the block is longer
    /// than `u32::MAX` bytes.
    pub fn in_block(block: &Arc<str>, range: Range<usize>) -> SharedText {
        assert!(block.get(range.clone()).is_some(), "{range:?} is not a text of the block");
        let offset = |at: usize| u32::try_from(at).expect("a block of texts under 4 GiB");
        SharedText { block: block.clone(), start: offset(range.start), end: offset(range.end) }
    }

    pub fn as_str(&self) -> &str {
        &self.block[self.start as usize..self.end as usize]
    }

    /// Whether both are the same range of the same block (not only equal texts).
    pub fn same_as(&self, other: &SharedText) -> bool {
        Arc::ptr_eq(&self.block, &other.block) && (self.start, self.end) == (other.start, other.end)
    }
}

impl From<Arc<str>> for SharedText {
    fn from(text: Arc<str>) -> SharedText {
        let end = u32::try_from(text.len()).expect("a text under 4 GiB");
        SharedText { block: text, start: 0, end }
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        SharedText::from(Arc::<str>::from(text))
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> SharedText {
        SharedText::from(Arc::<str>::from(text))
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedText {}

impl PartialOrd for SharedText {
    fn partial_cmp(&self, other: &SharedText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedText {
    fn cmp(&self, other: &SharedText) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_reads_its_range_of_the_block_and_only_it() {
        let block: Arc<str> = Arc::from("= A =\nČalović\n= B =\n");
        let split = block.find("= B").expect("the second text");
        let first = SharedText::in_block(&block, 0..split);
        let second = SharedText::in_block(&block, split..block.len());
        assert_eq!(&*first, "= A =\nČalović\n");
        assert_eq!(&*second, "= B =\n");
        assert!(first.same_as(&first.clone()) && !first.same_as(&SharedText::from("= A =\nČalović\n")));
    }

    #[test]
    #[should_panic(expected = "is not a text of the block")]
    fn a_range_inside_a_character_is_refused() {
        let block: Arc<str> = Arc::from("Č");
        SharedText::in_block(&block, 0..1);
    }
}
