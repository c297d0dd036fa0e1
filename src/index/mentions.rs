//! Finding mentions of known names in texts, and keeping that cheap across snapshots.
//!
//! A mention is, from left to right, the longest known name that starts and ends on word
//! boundaries (a name inside a longer word, `Kosovoland`, is none, and hides nothing). One
//! table of every name's word prefixes is the *base* ([`NameTable`]: a text is read from one
//! byte a name can start with to the next). When a few names come and go — a writer typing a
//! commander's name in an infobox — the base stays and a small *overlay* table holds the names
//! added since, while a set filters the names removed since. The base is rebuilt only when
//! that delta grows large. An alias spelling (`seedls.toml` `[aliases]`) is one more pattern
//! of its canonical name: a mention of it is a mention of the canonical entity.
//!
//! The *mention index* says which files mention which name (name → sorted file ids). It is
//! all that is kept of the mentions: a file's mentions are found again when asked (a
//! 6 KB article takes some 30 µs), so no per-file lists sit in memory.
//!
//! Both are computed per snapshot, on first use, and from the nearest ancestor snapshot that
//! had them: a [`MentionLineage`] carries the ancestor's matcher and index and the exact
//! delta since (names added and removed, files changed). Bringing the index forward scans
//! only the files the delta can touch: the changed files, the files that mentioned a removed
//! name, and the files whose text contains an added name.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::index::FileId;
use crate::index::workspace::SourceFile;
use crate::syntax::TextRange;

/// A known name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub range: TextRange,
    /// The entity's name (the canonical one when the text has an alias spelling).
    pub name: Arc<str>,
}

/// Past this many names added or removed since the base was built, the base is rebuilt.
const OVERLAY_LIMIT: usize = 2_000;

/// Past this many files changed since the ancestor's index, the index is built anew (in
/// parallel) rather than brought forward file by file.
const CHANGED_FILES_LIMIT: usize = 4_096;

/// How a set of names differs from a baseline set: exactly, as names come and go. Persistent
/// sets, so that a snapshot's copy costs nothing.
#[derive(Debug, Default, Clone)]
pub(crate) struct NameChanges {
    pub(crate) added: crate::index::PersistentHashSet<Arc<str>>,
    pub(crate) removed: crate::index::PersistentHashSet<Arc<str>>,
}

impl NameChanges {
    pub(crate) fn name_added(&mut self, name: &Arc<str>) {
        if self.removed.remove(name).is_none() {
            self.added.insert(name.clone());
        }
    }

    pub(crate) fn name_removed(&mut self, name: &Arc<str>) {
        if self.added.remove(name).is_none() {
            self.removed.insert(name.clone());
        }
    }

    fn len(&self) -> usize {
        self.added.len() + self.removed.len()
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// A match of one table.
struct Found<'a> {
    end: usize,
    name: &'a Arc<str>,
    /// The name's slot in its table.
    slot: u32,
}

/// A pattern to look for and the entity name it stands for.
pub(crate) type Pattern = (Arc<str>, Arc<str>);

/// Patterns found by the prefixes that end where one of their words does.
///
/// A mention starts where a word does (after a character that is not a letter or digit) and
/// with a byte some pattern starts with, so a text is passed over up to such a byte, and at a
/// word that begins some pattern the text is extended a word at a time while it is still the
/// beginning of a pattern, the longest whole pattern so met being the mention. Most words of
/// prose start with no such byte, or begin no pattern and are passed over after one lookup. This reads a text several times faster than an automaton over 100,000
/// patterns did, and a match that does not stand on word boundaries never hides one that does.
///
/// Prefixes are kept as 64-bit hashes (a few bytes each instead of the strings): a whole
/// pattern is always compared byte for byte before it is taken, so a collision can only cost
/// a wasted step, never a wrong mention.
struct NameTable {
    /// Hash of a pattern's prefix ending at the end of one of its words → what it leads to.
    prefixes: foldhash::HashMap<u64, Prefix>,
    /// Every pattern's bytes, one after another: a match is checked against them, and in one
    /// block they stay in the processor's caches, where 60,000 separate strings did not.
    pattern_bytes: String,
    /// The patterns, sorted, by the place of their bytes and the slot of their name.
    patterns: Vec<PatternEntry>,
    /// The names the patterns stand for, each once (by its text): a match gives its name's
    /// slot, so that the mention index groups files by a number.
    names: Vec<Arc<str>>,
    /// Patterns that go on past their last letter or digit (`Co.`), by the hash of the part
    /// up to it.
    trailing: foldhash::HashMap<u64, Vec<u32>>,
    /// Patterns without a letter or digit (rare; tried one by one where they may start).
    symbols: Vec<u32>,
    /// The first bytes of the patterns: only there can a mention start.
    starts: [bool; 256],
    /// The ASCII bytes that some pattern contains: a mention never spans any other.
    inside: [bool; 128],
    /// A bit per (hash of a pattern's first word, modulo the bits): most words of a text
    /// begin no name, and this small set (it stays in the processor's cache where the
    /// prefix map does not) turns them away before the map is looked up.
    first_words: Vec<u64>,
    /// The longest run of characters between two words of a pattern, in bytes: a text is not
    /// followed further past a longer one.
    widest_gap: usize,
    hasher: foldhash::fast::FixedState,
}

/// Where a pattern's bytes are in [`NameTable::pattern_bytes`], and its name's slot.
#[derive(Debug, Clone, Copy)]
struct PatternEntry {
    start: u32,
    len: u32,
    name: u32,
}

/// What a pattern prefix (ending at the end of a word) leads to.
#[derive(Debug, Clone, Copy)]
struct Prefix {
    /// The pattern that is exactly this prefix, or `NO_PATTERN`.
    pattern: u32,
    /// Some pattern goes on with another word.
    continues: bool,
    /// Some pattern goes on with characters that are not letters or digits, and ends.
    trailing: bool,
}

const NO_PATTERN: u32 = u32::MAX;

/// Patterns hashed together by one task of [`NameTable::build`].
const PATTERNS_PER_CHUNK: usize = 4096;

/// What a pattern's prefix is to it.
#[derive(Debug, Clone, Copy)]
enum PrefixRole {
    /// The whole pattern.
    Whole,
    /// The pattern up to its last letter or digit; characters that are neither follow.
    BeforeTrailing,
    /// A part that another word follows.
    Leads,
}

/// A chunk of sorted patterns, hashed: what [`NameTable::build`] puts in its table, in order.
struct HashedPrefixes {
    /// Each prefix ending at the end of a word: its hash, its pattern, what it is to it.
    prefixes: Vec<(u64, u32, PrefixRole)>,
    first_words: Vec<u64>,
    symbols: Vec<u32>,
    starts: [bool; 256],
    inside: [bool; 128],
    widest_gap: usize,
}

impl HashedPrefixes {
    /// The prefixes of `patterns`, the first of which is pattern `first_id`.
    fn of(hasher: &foldhash::fast::FixedState, first_id: u32, patterns: &[Pattern]) -> HashedPrefixes {
        let mut hashed = HashedPrefixes {
            prefixes: Vec::with_capacity(patterns.len() * 3),
            first_words: Vec::with_capacity(patterns.len()),
            symbols: Vec::new(),
            starts: [false; 256],
            inside: [false; 128],
            widest_gap: 0,
        };
        let mut ends = Vec::new();
        for (id, (pattern, _)) in (first_id..).zip(patterns) {
            hashed.starts[usize::from(pattern.as_bytes()[0])] = true;
            for &byte in pattern.as_bytes().iter().filter(|byte| byte.is_ascii()) {
                hashed.inside[usize::from(byte)] = true;
            }
            word_ends_into(pattern, &mut ends);
            let Some(&last) = ends.last() else {
                hashed.symbols.push(id);
                continue;
            };
            hashed.first_words.push(prefix_hash(hasher, &pattern.as_bytes()[..ends[0]]));
            let mut gap_from = 0;
            for &end in &ends {
                let word_start = pattern[gap_from..end].find(char::is_alphanumeric).map_or(end, |at| gap_from + at);
                hashed.widest_gap = hashed.widest_gap.max(word_start - gap_from);
                gap_from = end;
                let role = if end == pattern.len() {
                    PrefixRole::Whole
                } else if end == last {
                    PrefixRole::BeforeTrailing
                } else {
                    PrefixRole::Leads
                };
                hashed.prefixes.push((prefix_hash(hasher, &pattern.as_bytes()[..end]), id, role));
            }
        }
        hashed
    }
}

/// The hash of a prefix of a pattern or of a text: its bytes written once. A slice's `Hash`
/// writes its length first, a round of its own, where foldhash's `write` folds the length
/// in already.
fn prefix_hash(hasher: &foldhash::fast::FixedState, bytes: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut state = hasher.build_hasher();
    state.write(bytes);
    state.finish()
}

/// The bits of [`NameTable::first_words`]: 128 KiB, some 16 bits per name at 63,000 names.
const FIRST_WORD_BITS: usize = 1 << 20;

impl NameTable {
    fn build(mut patterns: Vec<Pattern>) -> NameTable {
        // Equal pairs are equal texts: an unstable sort orders them as a stable one would.
        patterns.par_sort_unstable();
        patterns.dedup_by(|a, b| a.0 == b.0);
        patterns.retain(|(pattern, _)| !pattern.is_empty());
        let mut table = NameTable {
            prefixes: foldhash::HashMap::default(),
            pattern_bytes: String::new(),
            patterns: Vec::new(),
            names: Vec::new(),
            trailing: foldhash::HashMap::default(),
            symbols: Vec::new(),
            starts: [false; 256],
            inside: [false; 128],
            first_words: vec![0; FIRST_WORD_BITS / 64],
            widest_gap: 0,
            hasher: foldhash::fast::FixedState::with_seed(0x5eed),
        };
        // Each pattern's prefixes are hashed on every core, a chunk of patterns at a time (a
        // start's table is built while nothing else runs: at 50,000 articles this was 60 ms on
        // one thread), then put in the map in the patterns' order.
        let hasher = table.hasher.clone();
        let chunks: Vec<HashedPrefixes> = patterns
            .par_chunks(PATTERNS_PER_CHUNK)
            .enumerate()
            .map(|(chunk, patterns)| HashedPrefixes::of(&hasher, (chunk * PATTERNS_PER_CHUNK) as u32, patterns))
            .collect();
        // Sized at once: growing the prefix map was a quarter of building a start's table.
        table.prefixes.reserve(chunks.iter().map(|chunk| chunk.prefixes.len()).sum());
        for chunk in &chunks {
            for (start, &chunk_starts) in table.starts.iter_mut().zip(&chunk.starts) {
                *start |= chunk_starts;
            }
            for (inside, &chunk_inside) in table.inside.iter_mut().zip(&chunk.inside) {
                *inside |= chunk_inside;
            }
            table.symbols.extend(&chunk.symbols);
            table.widest_gap = table.widest_gap.max(chunk.widest_gap);
            for &hash in &chunk.first_words {
                table.mark_first_word(hash);
            }
            for &(hash, id, role) in &chunk.prefixes {
                let entry = table.prefixes.entry(hash).or_insert(Prefix {
                    pattern: NO_PATTERN,
                    continues: false,
                    trailing: false,
                });
                match role {
                    PrefixRole::Whole => entry.pattern = id,
                    PrefixRole::BeforeTrailing => {
                        entry.trailing = true;
                        table.trailing.entry(hash).or_default().push(id);
                    }
                    PrefixRole::Leads => entry.continues = true,
                }
            }
        }
        drop(chunks);
        // Reserved for every prefix, shared ones counted again: the map keeps what it holds.
        table.prefixes.shrink_to_fit();
        table.trailing.shrink_to_fit();
        table.patterns.reserve(patterns.len());
        table.names.reserve(patterns.len());
        let mut slots: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
        slots.reserve(patterns.len());
        table.pattern_bytes.reserve(patterns.iter().map(|(pattern, _)| pattern.len()).sum());
        for (pattern, name) in &patterns {
            let slot = *slots.entry(&**name).or_insert_with(|| {
                table.names.push(name.clone());
                (table.names.len() - 1) as u32
            });
            let start = table.pattern_bytes.len() as u32;
            table.pattern_bytes.push_str(pattern);
            table.patterns.push(PatternEntry { start, len: pattern.len() as u32, name: slot });
        }
        table
    }

    fn pattern(&self, entry: PatternEntry) -> &[u8] {
        &self.pattern_bytes.as_bytes()[entry.start as usize..(entry.start + entry.len) as usize]
    }

    fn mark_first_word(&mut self, hash: u64) {
        let bit = hash as usize % FIRST_WORD_BITS;
        self.first_words[bit / 64] |= 1 << (bit % 64);
    }

    fn may_be_first_word(&self, hash: u64) -> bool {
        let bit = hash as usize % FIRST_WORD_BITS;
        self.first_words[bit / 64] & 1 << (bit % 64) != 0
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        prefix_hash(&self.hasher, bytes)
    }

    /// The longest pattern at `at` that ends on a word boundary and that `keep` accepts.
    /// `first_end` is the end of the word that starts at `at`, when the caller knows it.
    fn longest_at<'a>(
        &'a self,
        text: &str,
        at: usize,
        first_end: Option<usize>,
        keep: impl Fn(&Arc<str>) -> bool,
    ) -> Option<Found<'a>> {
        let bytes = text.as_bytes();
        let mut best: Option<Found<'a>> = None;
        let consider = |id: u32, best: &mut Option<Found<'a>>| {
            let entry = self.patterns[id as usize];
            let end = at + entry.len as usize;
            if best.as_ref().is_none_or(|found| found.end < end)
                && bytes[at..].starts_with(self.pattern(entry))
                && !starts_alphanumeric(text, end)
            {
                let name = &self.names[entry.name as usize];
                if keep(name) {
                    *best = Some(Found { end, name, slot: entry.name });
                }
            }
        };
        for &id in &self.symbols {
            consider(id, &mut best);
        }
        let mut end = at;
        let mut first = true;
        while let Some(next) = match first_end.filter(|_| first) {
            Some(known) => Some(known),
            None => next_word_end(text, end, self.widest_gap),
        } {
            end = next;
            let hash = self.hash(&bytes[at..end]);
            if first && !self.may_be_first_word(hash) {
                break;
            }
            first = false;
            let Some(prefix) = self.prefixes.get(&hash) else { break };
            if prefix.pattern != NO_PATTERN {
                consider(prefix.pattern, &mut best);
            }
            if prefix.trailing {
                for &id in self.trailing.get(&hash).into_iter().flatten() {
                    consider(id, &mut best);
                }
            }
            if !prefix.continues {
                break;
            }
        }
        best
    }
}

/// The end of the next word of a text after `from`, if fewer than `widest_gap + 1` bytes
/// (and no line break) stand before it.
fn next_word_end(text: &str, from: usize, widest_gap: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while at - from <= widest_gap {
        let byte = *bytes.get(at)?;
        if byte.is_ascii_alphanumeric() {
            return Some(word_end(text, at));
        } else if byte == b'\n' || byte == b'\r' {
            return None;
        } else if byte < 0x80 {
            at += 1;
        } else {
            // `at` is on a character boundary: a gap is passed a whole character at a time.
            let c = text[at..].chars().next()?;
            if is_alphanumeric(c) {
                return Some(word_end(text, at));
            }
            at += c.len_utf8();
        }
    }
    None
}

/// The ends of the words (runs of letters and digits) of a text, in `ends` (cleared first).
fn word_ends_into(text: &str, ends: &mut Vec<usize>) {
    ends.clear();
    let mut at = 0;
    while let Some(start) = text[at..].find(char::is_alphanumeric) {
        at = word_end(text, at + start);
        ends.push(at);
    }
}

/// Where the run of letters and digits starting at `at` ends.
fn word_end(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        let byte = bytes[at];
        if byte < 0x80 {
            if !byte.is_ascii_alphanumeric() {
                break;
            }
            at += 1;
        } else {
            match non_ascii_alphanumeric_len(text, at) {
                0 => break,
                len => at += len,
            }
        }
    }
    at
}

/// Whether the character at `at` is a letter or digit (false at the end).
fn starts_alphanumeric(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => false,
        Some(byte) if *byte < 0x80 => byte.is_ascii_alphanumeric(),
        Some(_) => non_ascii_alphanumeric_len(text, at) != 0,
    }
}

/// The length of the character at `at` (a character boundary, not ASCII) if it is a letter
/// or digit, else 0. The Latin letters of two bytes that names such as `Mile Čalović` and
/// `Balli Kombëtar` are written with are told without Unicode's tables: a scan of 8,000
/// generated articles with the 50k table took 224–230 ms instead of 252–265 (one thread,
/// the fastest of 40 runs).
#[inline]
fn non_ascii_alphanumeric_len(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    match (bytes[at], bytes.get(at + 1)) {
        // U+00C0–U+00FF but `×` and `÷`, and U+0100–U+023F: letters, every one.
        (0xC3, Some(0x97 | 0xB7)) => 0,
        (0xC3..=0xC8, Some(_)) => 2,
        _ => text[at..].chars().next().filter(|&c| is_alphanumeric(c)).map_or(0, char::len_utf8),
    }
}

/// `char::is_alphanumeric`, with ASCII and the Latin letters up to U+023F told without
/// Unicode's tables.
#[inline]
fn is_alphanumeric(c: char) -> bool {
    match u32::from(c) {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xD7 | 0xF7 => false,
        0xC0..=0x23F => true,
        _ => c.is_alphanumeric(),
    }
}

/// The bytes that patterns start with, and how a text is passed over up to the next one.
struct StartBytes {
    table: [bool; 256],
    /// When every byte of `table` is a digit, an upper-case ASCII letter, not ASCII (the
    /// first byte of a character such as `Č`) or one of a few other ASCII bytes (a name that
    /// starts in lower case): those few. Then a text is passed over eight bytes at a time.
    by_words: Option<Vec<u8>>,
}

/// At most this many ASCII bytes besides digits and capitals may start patterns for the scan
/// to go eight bytes at a time.
const MAX_OTHER_START_BYTES: usize = 3;

impl StartBytes {
    fn new(table: [bool; 256]) -> StartBytes {
        let others: Vec<u8> =
            (0..=255u8).filter(|&byte| table[usize::from(byte)] && !may_start_coarsely(byte)).collect();
        StartBytes { table, by_words: (others.len() <= MAX_OTHER_START_BYTES).then_some(others) }
    }

    /// Where the first byte from `at` on is that some pattern starts with and that follows
    /// no ASCII letter or digit, or the end. (A mention starts on no other byte: one after
    /// a letter of another alphabet is left to the caller, which reads the whole character.)
    ///
    /// Most of a text is lower-case words and spaces. Passed over eight bytes at a time
    /// instead of one, a cold start of 5,000 generated articles ran 2.5 % fewer instructions
    /// (cachegrind), the scan's own 16 % fewer.
    fn next_from(&self, bytes: &[u8], mut at: usize) -> usize {
        let may_start =
            |at: usize| self.table[usize::from(bytes[at])] && !(at > 0 && bytes[at - 1].is_ascii_alphanumeric());
        if let Some(others) = &self.by_words {
            while let Some(chunk) = bytes.get(at..at + 8) {
                let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                let candidates = others
                    .iter()
                    .fold(coarse_candidates(word), |found, &other| found | bytes_within(word, other, other));
                if candidates == 0 {
                    at += 8;
                    continue;
                }
                at += (candidates.trailing_zeros() / 8) as usize;
                if may_start(at) {
                    return at;
                }
                at += 1;
            }
        }
        while at < bytes.len() && !may_start(at) {
            at += 1;
        }
        at
    }
}

/// A digit, an upper-case ASCII letter, or a byte that is not ASCII.
fn may_start_coarsely(byte: u8) -> bool {
    byte.is_ascii_digit() || byte.is_ascii_uppercase() || !byte.is_ascii()
}

const EVERY_BYTE_ONE: u64 = 0x0101_0101_0101_0101;
const EVERY_HIGH_BIT: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` for which [`may_start_coarsely`] holds, and no other.
fn coarse_candidates(word: u64) -> u64 {
    bytes_within(word, b'0', b'9') | bytes_within(word, b'A', b'Z') | (word & EVERY_HIGH_BIT)
}

/// The high bit of each byte of `word` that is ASCII and in `first..=last` (both ASCII), and
/// no other.
fn bytes_within(word: u64, first: u8, last: u8) -> u64 {
    // Each byte without its high bit: adding less than 0x80 to it carries into no other byte.
    let low = word & !EVERY_HIGH_BIT;
    let from_first = low + EVERY_BYTE_ONE * u64::from(0x80 - first);
    let past_last = low + EVERY_BYTE_ONE * u64::from(0x7F - last);
    from_first & !past_last & !word & EVERY_HIGH_BIT
}

/// The names of one snapshot: the base table, the overlay and the removed names.
pub(crate) struct MentionMatcher {
    /// The bytes a pattern of the base or the overlay starts with.
    starts: StartBytes,
    base: Arc<NameTable>,
    /// How the names differ from the base's.
    since_base: NameChanges,
    overlay: Option<NameTable>,
}

impl MentionMatcher {
    /// A matcher built from scratch over `patterns`.
    pub(crate) fn new(patterns: Vec<Pattern>) -> MentionMatcher {
        let base = Arc::new(NameTable::build(patterns));
        MentionMatcher { starts: StartBytes::new(base.starts), base, since_base: NameChanges::default(), overlay: None }
    }

    /// This matcher moved on by `delta`: the same base with a new overlay while the delta
    /// from the base stays small; `None` when the base must be rebuilt.
    fn moved_on(&self, delta: &NameChanges, patterns_of: &dyn Fn(&Arc<str>) -> Vec<Pattern>) -> Option<MentionMatcher> {
        let mut since_base = self.since_base.clone();
        for name in &delta.removed {
            since_base.name_removed(name);
        }
        for name in &delta.added {
            since_base.name_added(name);
        }
        if since_base.len() > OVERLAY_LIMIT {
            return None;
        }
        let overlay = (!since_base.added.is_empty())
            .then(|| NameTable::build(since_base.added.iter().flat_map(patterns_of).collect()));
        let mut starts = self.base.starts;
        for (start, &overlay_starts) in starts.iter_mut().zip(overlay.iter().flat_map(|overlay| &overlay.starts)) {
            *start |= overlay_starts;
        }
        Some(MentionMatcher { starts: StartBytes::new(starts), base: self.base.clone(), since_base, overlay })
    }

    /// The mentions in a text: at each word boundary, left to right, the longest current
    /// pattern that ends on a word boundary; the search goes on after it.
    pub(crate) fn find_mentions(&self, text: &str) -> Vec<Mention> {
        let mut mentions = Vec::new();
        self.scan(text, |start, end, name, _| {
            mentions.push(Mention { range: TextRange::new(start, end), name: name.clone() });
        });
        mentions
    }

    /// Calls `found(start, end, name, slot)` for each mention in a text, in order. The slot
    /// numbers the name among this matcher's (see [`MentionMatcher::slot_name`]).
    fn scan<'a>(&'a self, text: &str, mut found: impl FnMut(usize, usize, &'a Arc<str>, u32)) {
        let mut scanner = Scanner::new(self, text);
        while let Some(hit) = scanner.next_until(usize::MAX) {
            found(hit.start, hit.end, hit.name, hit.slot);
        }
    }

    /// How many name slots the matcher's tables have.
    fn slot_count(&self) -> usize {
        self.base.names.len() + self.overlay.as_ref().map_or(0, |overlay| overlay.names.len())
    }

    /// The name of a slot a scan gave (the base's slots, then the overlay's).
    fn slot_name(&self, slot: u32) -> &Arc<str> {
        let slot = slot as usize;
        match slot.checked_sub(self.base.names.len()) {
            None => &self.base.names[slot],
            Some(in_overlay) => {
                &self.overlay.as_ref().expect("a slot past the base's is the overlay's").names[in_overlay]
            }
        }
    }

    /// The mentions that start at some of `positions` (ascending), exactly as a scan of the
    /// whole text finds them, without scanning all of it: before each position the scan jumps
    /// ahead to the last point that no mention can span — just after a character that no name
    /// contains, a point the whole scan passes through too — and goes on from there.
    /// Each is given to `found` with its name, borrowed: a references search across 19,000
    /// files keeps only one name's, and cloning every name's handle made both threads take
    /// turns at the common name's count.
    pub(crate) fn each_mention_starting_at(
        &self,
        text: &str,
        positions: &[usize],
        mut found: impl FnMut(TextRange, &Arc<str>),
    ) {
        let mut scanner = Scanner::new(self, text);
        for &position in positions {
            if position < scanner.at {
                continue;
            }
            if let Some(point) = self.last_safe_point(text, scanner.at, position) {
                scanner.at = point;
            }
            while let Some(hit) = scanner.next_until(position) {
                if hit.start == position {
                    found(TextRange::new(hit.start, hit.end), hit.name);
                }
            }
        }
    }

    /// The last point in `(from, to]` just after a character that is neither a letter nor a
    /// digit and that no pattern contains.
    fn last_safe_point(&self, text: &str, from: usize, to: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        (from + 1..=to.min(bytes.len())).rev().find(|&point| {
            let byte = bytes[point - 1];
            // Not a letter or digit, and in no pattern: no mention spans it.
            byte < 0x80
                && !byte.is_ascii_alphanumeric()
                && !self.base.inside[usize::from(byte)]
                && !self.overlay.as_ref().is_some_and(|overlay| overlay.inside[usize::from(byte)])
        })
    }

    /// The distinct names a text mentions.
    fn names_in(&self, text: &str) -> foldhash::HashSet<Arc<str>> {
        let mut names = foldhash::HashSet::default();
        self.scan(text, |_, _, name, _| {
            if !names.contains(name) {
                names.insert(name.clone());
            }
        });
        names
    }
}

/// A mention a scan found: where, its name, and the name's slot in the matcher.
struct Hit<'m> {
    start: usize,
    end: usize,
    name: &'m Arc<str>,
    slot: u32,
}

/// A scan of a text for mentions, left to right, that can be stopped and taken up again.
struct Scanner<'m, 't> {
    matcher: &'m MentionMatcher,
    text: &'t str,
    at: usize,
}

impl<'m, 't> Scanner<'m, 't> {
    fn new(matcher: &'m MentionMatcher, text: &'t str) -> Scanner<'m, 't> {
        Scanner { matcher, text, at: 0 }
    }

    /// The next mention, if it starts at or before `limit`; `None` once the scan has passed
    /// `limit` or the end of the text.
    ///
    /// Only a byte some pattern starts with, not after a letter or digit, can start a
    /// mention: the scan runs from one such byte to the next (see [`StartBytes::next_from`]).
    fn next_until(&mut self, limit: usize) -> Option<Hit<'m>> {
        let (matcher, text) = (self.matcher, self.text);
        let bytes = text.as_bytes();
        let removed = &matcher.since_base.removed;
        let mut at = self.at;
        loop {
            at = matcher.starts.next_from(bytes, at);
            self.at = at;
            if at >= bytes.len() || at > limit {
                return None;
            }
            // A pattern starts with a whole character: `at` is on a boundary.
            let alphanumeric = starts_alphanumeric(text, at);
            let word_end = if alphanumeric { word_end(text, at) } else { at + 1 };
            if !ends_alphanumeric(text, at) {
                // The word at `at` ends at `word_end` when `at` starts one.
                let first_end = alphanumeric.then_some(word_end);
                let from_base =
                    matcher.base.longest_at(text, at, first_end, |name| removed.is_empty() || !removed.contains(name));
                let from_overlay =
                    matcher.overlay.as_ref().and_then(|overlay| overlay.longest_at(text, at, first_end, |_| true));
                // Overlay slots follow the base's.
                let from_overlay =
                    from_overlay.map(|found| Found { slot: found.slot + matcher.base.names.len() as u32, ..found });
                let chosen = match (from_base, from_overlay) {
                    (Some(base), Some(overlay)) => Some(if overlay.end > base.end { overlay } else { base }),
                    (base, overlay) => base.or(overlay),
                };
                if let Some(chosen) = chosen {
                    self.at = chosen.end;
                    return Some(Hit { start: at, end: chosen.end, name: chosen.name, slot: chosen.slot });
                }
            }
            // No mention starts inside a word; past any other character, the search goes on.
            at = word_end;
        }
    }
}

/// The part of sorted slots that falls in `range`.
fn slots_in<'s>(slots: &'s [u32], range: &std::ops::Range<usize>) -> &'s [u32] {
    let low = slots.partition_point(|&slot| (slot as usize) < range.start);
    let high = slots.partition_point(|&slot| (slot as usize) < range.end);
    &slots[low..high]
}

/// Whether the character before `at` is a letter or digit (false at the start).
fn ends_alphanumeric(text: &str, at: usize) -> bool {
    match at.checked_sub(1).map(|before| text.as_bytes()[before]) {
        None => false,
        Some(byte) if byte < 0x80 => byte.is_ascii_alphanumeric(),
        Some(_) => text[..at].chars().next_back().is_some_and(is_alphanumeric),
    }
}

/// Whether one of `patterns` stands in a text on word boundaries (where it may be a mention).
struct AnyOf(Option<AhoCorasick>);

impl AnyOf {
    fn new(patterns: &[Pattern]) -> AnyOf {
        AnyOf(AhoCorasick::new(patterns.iter().map(|(pattern, _)| pattern.as_bytes())).ok())
    }

    fn is_in(&self, text: &str) -> bool {
        self.0.as_ref().is_some_and(|automaton| {
            automaton.find_overlapping_iter(text).any(|found| {
                text.is_char_boundary(found.start())
                    && text.is_char_boundary(found.end())
                    && !text[..found.start()].chars().next_back().is_some_and(char::is_alphanumeric)
                    && !starts_alphanumeric(text, found.end())
            })
        })
    }
}

/// Which files mention which name, for the texts of one snapshot.
pub(crate) struct MentionIndex {
    pub(crate) matcher: Arc<MentionMatcher>,
    /// The files the index was computed from: bringing it forward compares a changed file's
    /// old mentions with its new ones.
    files: imbl::Vector<Option<Arc<SourceFile>>>,
    /// Name → ids of the files that mention it, ascending.
    by_name: ByName,
}

/// Name → ids of the files that mention it: a plain map built at once, shared by the indexes
/// brought forward from it, and the changes since in a persistent map beside it. Inserting a
/// start's 63,000 names into a persistent map one by one took a warm start of 50,000 articles
/// some 50 ms; a change to one name copies a path of the small map, not the large one. The
/// changes are folded into a new plain map once they are a quarter of it.
#[derive(Clone, Default)]
struct ByName {
    base: Arc<foldhash::HashMap<Arc<str>, Arc<[u32]>>>,
    /// The new list of each name changed since the base was built, or `None` if it left.
    changed: crate::index::PersistentHashMap<Arc<str>, Option<Arc<[u32]>>>,
}

impl ByName {
    fn new(base: foldhash::HashMap<Arc<str>, Arc<[u32]>>) -> ByName {
        ByName { base: Arc::new(base), changed: Default::default() }
    }

    fn get(&self, name: &str) -> Option<&Arc<[u32]>> {
        match self.changed.get(name) {
            Some(changed) => changed.as_ref(),
            None => self.base.get(name),
        }
    }

    fn insert(&mut self, name: Arc<str>, files: Arc<[u32]>) {
        self.changed.insert(name, Some(files));
    }

    fn remove(&mut self, name: &Arc<str>) {
        if self.base.contains_key(name) {
            self.changed.insert(name.clone(), None);
        } else {
            self.changed.remove(name);
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Arc<[u32]>)> {
        let kept = self.base.iter().filter(|(name, _)| !self.changed.contains_key(*name));
        kept.chain(self.changed.iter().filter_map(|(name, files)| Some((name, files.as_ref()?))))
    }

    /// The same map, its changes folded into the plain map when they have grown large.
    fn settled(self) -> ByName {
        if self.changed.len() <= self.base.len() / 4 + 64 {
            return self;
        }
        ByName::new(self.iter().map(|(name, files)| (name.clone(), files.clone())).collect())
    }
}

impl MentionIndex {
    pub(crate) fn files_mentioning(&self, name: &str) -> &[u32] {
        self.by_name.get(name).map_or(&[], |files| files)
    }

    /// Every (name, files) pair, for the consistency report.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Arc<str>, &[u32])> {
        self.by_name.iter().map(|(name, files)| (name, &**files))
    }

    /// The bytes the index holds (ids and per-name lists), for the memory bench.
    pub(crate) fn heap_estimate(&self) -> usize {
        self.by_name.iter().map(|(_, files)| files.len() * 4 + 16 + 32).sum()
    }

    /// An index read back from the on-disk cache (`Workspace::adopt_mention_index` checks it
    /// belongs to these very texts and names).
    pub(crate) fn from_entries(
        matcher: Arc<MentionMatcher>,
        files: imbl::Vector<Option<Arc<SourceFile>>>,
        entries: Vec<(Arc<str>, Arc<[u32]>)>,
    ) -> MentionIndex {
        MentionIndex { matcher, files, by_name: ByName::new(entries.into_iter().collect()) }
    }

    fn build(matcher: Arc<MentionMatcher>, files: imbl::Vector<Option<Arc<SourceFile>>>) -> MentionIndex {
        let sources: Vec<(u32, Arc<SourceFile>)> =
            files.iter().enumerate().filter_map(|(index, file)| Some((index as u32, file.clone()?))).collect();
        // A file's names are kept as slot numbers, then the files of each slot are laid out
        // by counting (the files are met in ascending order, so each slot's come sorted):
        // grouping three million (name, file) pairs in a hash map took a fifth of the time.
        // Each worker scans into one buffer of its own; a file keeps an exact copy of its
        // distinct slots (growing a list per file was a tenth of the scan's allocations).
        // A slot met again in the same file is known by a bit of the worker's own, so only
        // distinct slots are kept and sorted (the corpus's articles name about half as many
        // names as they have mentions).
        let slot_count = matcher.slot_count();
        let per_file: Vec<(u32, Box<[u32]>)> = sources
            .par_iter()
            .map_init(
                || (Vec::new(), vec![0u64; slot_count.div_ceil(64)]),
                |(slots, seen), (id, file)| {
                    slots.clear();
                    matcher.scan(file.text(), |_, _, _, slot| {
                        let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                        if seen[word] & bit == 0 {
                            seen[word] |= bit;
                            slots.push(slot);
                        }
                    });
                    for &slot in slots.iter() {
                        seen[slot as usize / 64] = 0;
                    }
                    slots.sort_unstable();
                    (*id, Box::from(slots.as_slice()))
                },
            )
            .collect();
        // The slots are split into as many ranges as there are threads, and each thread lays
        // out the files of its own range: it reads every file's slots (sorted: its part of
        // them is found by a binary search) and writes only its own. On one thread this was
        // 60 ms at 50,000 articles, while the other core waited.
        let per_part = slot_count.div_ceil(rayon::current_num_threads().max(1)).max(1);
        let parts: Vec<std::ops::Range<usize>> =
            (0..slot_count).step_by(per_part).map(|low| low..(low + per_part).min(slot_count)).collect();
        let named: Vec<Vec<(u32, Arc<[u32]>)>> = parts
            .into_par_iter()
            .map(|part| {
                let mut bounds = vec![0usize; part.len() + 1];
                for (_, slots) in &per_file {
                    for &slot in slots_in(slots, &part) {
                        bounds[slot as usize - part.start + 1] += 1;
                    }
                }
                for slot in 1..bounds.len() {
                    bounds[slot] += bounds[slot - 1];
                }
                let mut ids = vec![0u32; bounds[bounds.len() - 1]];
                let mut next = bounds.clone();
                for (id, slots) in &per_file {
                    for &slot in slots_in(slots, &part) {
                        let at = &mut next[slot as usize - part.start];
                        ids[*at] = *id;
                        *at += 1;
                    }
                }
                bounds
                    .windows(2)
                    .enumerate()
                    .filter(|(_, range)| range[0] != range[1])
                    .map(|(slot, range)| ((part.start + slot) as u32, Arc::from(&ids[range[0]..range[1]])))
                    .collect()
            })
            .collect();
        // The files' lists of slots (one a file) freed on every core too.
        per_file.into_par_iter().for_each(drop);
        let mut by_name: foldhash::HashMap<Arc<str>, Arc<[u32]>> = foldhash::HashMap::default();
        by_name.reserve(slot_count);
        for (slot, files) in named.into_iter().flatten() {
            let name = matcher.slot_name(slot).clone();
            // Two slots may hold one name only across the base and the overlay; merged then.
            let merged: Arc<[u32]> = match by_name.get(&name) {
                None => files,
                Some(earlier) => {
                    let mut both: Vec<u32> = earlier.iter().chain(files.iter()).copied().collect();
                    both.sort_unstable();
                    both.dedup();
                    Arc::from(both)
                }
            };
            by_name.insert(name, merged);
        }
        MentionIndex { matcher, files, by_name: ByName::new(by_name) }
    }

    /// This index brought forward to `files` and `matcher`, given what changed since.
    fn moved_on(
        &self,
        matcher: Arc<MentionMatcher>,
        files: imbl::Vector<Option<Arc<SourceFile>>>,
        delta: &IndexDelta,
        patterns_of: &dyn Fn(&Arc<str>) -> Vec<Pattern>,
    ) -> MentionIndex {
        let mut affected: HashSet<u32> = delta.files.iter().map(|id| id.0).collect();
        for name in &delta.names.removed {
            affected.extend(self.files_mentioning(name).iter().copied());
        }
        if !delta.names.added.is_empty() {
            // An added name changes the mentions of the texts where it stands on word boundaries.
            let added = AnyOf::new(&delta.names.added.iter().flat_map(patterns_of).collect::<Vec<_>>());
            let sources: Vec<(u32, &Arc<SourceFile>)> = files
                .iter()
                .enumerate()
                .filter(|(index, _)| !affected.contains(&(*index as u32)))
                .filter_map(|(index, file)| Some((index as u32, file.as_ref()?)))
                .collect();
            let hit: Vec<u32> =
                sources.par_iter().filter(|(_, file)| added.is_in(file.text())).map(|(id, _)| *id).collect();
            affected.extend(hit);
        }
        let mut affected: Vec<u32> = affected.into_iter().collect();
        affected.sort_unstable();
        let changes: Vec<NamesBeforeAndAfter> = affected
            .par_iter()
            .map(|&id| {
                let before = self.files.get(id as usize).cloned().flatten();
                let after = files.get(id as usize).cloned().flatten();
                let old = before.map(|file| self.matcher.names_in(file.text())).unwrap_or_default();
                let new = after.map(|file| matcher.names_in(file.text())).unwrap_or_default();
                (id, old, new)
            })
            .collect();
        let mut edits: HashMap<Arc<str>, (Vec<u32>, Vec<u32>)> = HashMap::new();
        for (id, old, new) in changes {
            for name in old.difference(&new) {
                edits.entry(name.clone()).or_default().1.push(id);
            }
            for name in new.difference(&old) {
                edits.entry(name.clone()).or_default().0.push(id);
            }
        }
        let mut by_name = self.by_name.clone();
        for (name, (added, removed)) in edits {
            let mut ids: Vec<u32> = by_name.get(&name).map_or_else(Vec::new, |ids| ids.to_vec());
            ids.retain(|id| !removed.contains(id));
            ids.extend(added);
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                by_name.remove(&name);
            } else {
                by_name.insert(name, Arc::from(ids));
            }
        }
        // A removed name's entry empties above (its files were rescanned); drop any leftover.
        for name in &delta.names.removed {
            by_name.remove(name);
        }
        MentionIndex { matcher, files, by_name: by_name.settled() }
    }
}

/// A file's id with the names it mentioned before a change and after it.
type NamesBeforeAndAfter = (u32, foldhash::HashSet<Arc<str>>, foldhash::HashSet<Arc<str>>);

/// What changed since an ancestor's mention index.
#[derive(Debug, Default, Clone)]
struct IndexDelta {
    names: NameChanges,
    files: crate::index::PersistentHashSet<FileId>,
}

/// A snapshot's matcher and mention index, computed on first use, and what it needs to
/// compute them from an ancestor's. Cloning it (for the next snapshot) hands the clone this
/// snapshot's results if they were computed, else the same ancestor and delta.
#[derive(Default)]
pub(crate) struct MentionLineage {
    matcher: OnceLock<Arc<MentionMatcher>>,
    index: Arc<IndexCell>,
    matcher_from: Option<(Arc<MentionMatcher>, NameChanges)>,
    index_from: Option<(IndexBase, IndexDelta)>,
}

/// A snapshot's mention index, with whether its computation has begun (and failed). Shared
/// with the snapshots cloned while it is being computed, so that they wait for it and move it
/// on by their delta instead of each building an index of their own: after indexing, the
/// warm-up of a large workspace takes seconds, and an editor clones a snapshot on every
/// keystroke meanwhile.
#[derive(Default)]
struct IndexCell {
    index: OnceLock<Arc<MentionIndex>>,
    started: AtomicBool,
    failed: AtomicBool,
}

/// The index a snapshot's is computed from.
#[derive(Clone)]
enum IndexBase {
    Ready(Arc<MentionIndex>),
    /// An ancestor's, being computed when this snapshot was cloned from it.
    Pending(Arc<IndexCell>),
}

impl IndexBase {
    /// The base index: at once when ready, else when its computation ends (`None` if it
    /// failed).
    fn wait(&self) -> Option<Arc<MentionIndex>> {
        match self {
            IndexBase::Ready(index) => Some(index.clone()),
            IndexBase::Pending(cell) => loop {
                if let Some(index) = cell.index.get() {
                    return Some(index.clone());
                }
                if cell.failed.load(Ordering::Acquire) {
                    return None;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            },
        }
    }
}

/// Marks an index computation as failed if it unwinds, so that none waits for it forever.
struct FailOnUnwind<'a>(&'a AtomicBool);

impl Drop for FailOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Release);
        }
    }
}

impl Clone for MentionLineage {
    fn clone(&self) -> MentionLineage {
        MentionLineage {
            matcher: OnceLock::new(),
            index: Arc::default(),
            matcher_from: match self.matcher.get() {
                Some(matcher) => Some((matcher.clone(), NameChanges::default())),
                None => self.matcher_from.clone(),
            },
            index_from: match self.index.index.get() {
                Some(index) => Some((IndexBase::Ready(index.clone()), IndexDelta::default())),
                None if self.index.started.load(Ordering::Acquire) && !self.index.failed.load(Ordering::Acquire) => {
                    Some((IndexBase::Pending(self.index.clone()), IndexDelta::default()))
                }
                None => self.index_from.clone(),
            },
        }
    }
}

impl MentionLineage {
    /// The state is about to change: what was computed becomes the ancestor of what will be.
    fn settle(&mut self) {
        if let Some(matcher) = self.matcher.take() {
            self.matcher_from = Some((matcher, NameChanges::default()));
        }
        if let Some(index) = self.index.index.get().cloned() {
            self.index = Arc::default();
            self.index_from = Some((IndexBase::Ready(index), IndexDelta::default()));
        }
    }

    /// Forgets every ancestor: the next use computes from scratch (after the alias rules
    /// changed, which change the patterns of names that did not come or go).
    pub(crate) fn reset(&mut self) {
        *self = MentionLineage::default();
    }

    pub(crate) fn name_added(&mut self, name: &Arc<str>) {
        self.settle();
        if let Some((_, delta)) = &mut self.matcher_from {
            delta.name_added(name);
            if delta.len() > OVERLAY_LIMIT {
                self.matcher_from = None;
            }
        }
        if let Some((_, delta)) = &mut self.index_from {
            delta.names.name_added(name);
            if delta.names.len() > OVERLAY_LIMIT {
                self.index_from = None;
            }
        }
    }

    pub(crate) fn name_removed(&mut self, name: &Arc<str>) {
        self.settle();
        if let Some((_, delta)) = &mut self.matcher_from {
            delta.name_removed(name);
            if delta.len() > OVERLAY_LIMIT {
                self.matcher_from = None;
            }
        }
        if let Some((_, delta)) = &mut self.index_from {
            delta.names.name_removed(name);
            if delta.names.len() > OVERLAY_LIMIT {
                self.index_from = None;
            }
        }
    }

    pub(crate) fn file_changed(&mut self, id: FileId) {
        self.settle();
        if let Some((_, delta)) = &mut self.index_from {
            delta.files.insert(id);
            if delta.files.len() > CHANGED_FILES_LIMIT {
                self.index_from = None;
            }
        }
    }

    /// The matcher of this snapshot: the ancestor's moved on by the delta, or a new one.
    pub(crate) fn matcher(
        &self,
        all_patterns: impl FnOnce() -> Vec<Pattern>,
        patterns_of: &dyn Fn(&Arc<str>) -> Vec<Pattern>,
    ) -> Arc<MentionMatcher> {
        self.matcher
            .get_or_init(|| {
                if let Some((ancestor, delta)) = &self.matcher_from {
                    if delta.is_empty() {
                        return ancestor.clone();
                    }
                    if let Some(matcher) = ancestor.moved_on(delta, patterns_of) {
                        return Arc::new(matcher);
                    }
                }
                Arc::new(MentionMatcher::new(all_patterns()))
            })
            .clone()
    }

    /// The mention index of this snapshot, brought forward from the ancestor's or built.
    /// Not cancellable inside: every request on the snapshot shares it (a cancelled
    /// initializer would leave the `OnceLock` empty, so it would be restarted, not poisoned,
    /// but the work would be lost).
    pub(crate) fn index(
        &self,
        matcher: Arc<MentionMatcher>,
        files: &imbl::Vector<Option<Arc<SourceFile>>>,
        patterns_of: &dyn Fn(&Arc<str>) -> Vec<Pattern>,
    ) -> Arc<MentionIndex> {
        let cell = &self.index;
        if let Some(index) = cell.index.get() {
            return index.clone();
        }
        cell.started.store(true, Ordering::Release);
        let _mark = FailOnUnwind(&cell.failed);
        cell.index
            .get_or_init(|| {
                let ancestor = self.index_from.as_ref().and_then(|(base, delta)| Some((base.wait()?, delta)));
                let index = match ancestor {
                    Some((ancestor, delta)) if delta.files.is_empty() && delta.names.is_empty() => {
                        return ancestor;
                    }
                    Some((ancestor, delta)) => ancestor.moved_on(matcher, files.clone(), delta, patterns_of),
                    None => MentionIndex::build(matcher, files.clone()),
                };
                Arc::new(index)
            })
            .clone()
    }

    /// Takes a matcher built elsewhere for exactly this snapshot's names (see
    /// `Workspace::adopt_prepared_names`), unless this snapshot has one already.
    pub(crate) fn adopt_matcher(&self, matcher: Arc<MentionMatcher>) -> bool {
        self.matcher.set(matcher).is_ok()
    }

    /// Takes `index` as this snapshot's, unless its computation has begun: false then.
    pub(crate) fn adopt(&self, index: MentionIndex) -> bool {
        if self.index.started.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.index.index.set(Arc::new(index)).is_ok()
    }

    /// The index if this snapshot computed it already.
    pub(crate) fn computed_index(&self) -> Option<&Arc<MentionIndex>> {
        self.index.index.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> Vec<Pattern> {
        list.iter().map(|name| (Arc::from(*name), Arc::from(*name))).collect()
    }

    fn shown(mentions: &[Mention], text: &str) -> Vec<String> {
        mentions.iter().map(|m| format!("{}@{}", m.range.slice(text), m.range.start)).collect()
    }

    fn changes(added: &[&str], removed: &[&str]) -> NameChanges {
        let mut changes = NameChanges::default();
        for name in added {
            changes.name_added(&Arc::from(*name));
        }
        for name in removed {
            changes.name_removed(&Arc::from(*name));
        }
        changes
    }

    #[test]
    fn letters_and_digits_are_told_as_unicode_tells_them() {
        let mut text = String::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            text.clear();
            text.extend(['a', c, '.']);
            let expected = if c.is_alphanumeric() { c.len_utf8() } else { 0 };
            assert_eq!(non_ascii_alphanumeric_len(&text, 1), expected, "{c:?} U+{:04X}", u32::from(c));
            assert_eq!(starts_alphanumeric(&text, 1), c.is_alphanumeric(), "{c:?}");
            assert_eq!(word_end(&text, 1), 1 + expected, "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(ends_alphanumeric(&text, 1 + c.len_utf8()), c.is_alphanumeric(), "{c:?} before");
        }
    }

    #[test]
    fn the_overlay_adds_names_and_the_filter_hides_removed_ones() {
        let base = MentionMatcher::new(patterns(&["Kosovo", "Enver Hoxha", "Tito"]));
        let text = "Tito and Enver Hoxha in Kosovo Polje with Mehmet Shehu.";
        assert_eq!(shown(&base.find_mentions(text), text), ["Tito@0", "Enver Hoxha@9", "Kosovo@24"]);
        let delta = changes(&["Kosovo Polje", "Mehmet Shehu"], &["Tito"]);
        let next = base.moved_on(&delta, &|name| vec![(name.clone(), name.clone())]).expect("a small change");
        assert!(Arc::ptr_eq(&next.base, &base.base), "a small change keeps the base");
        assert_eq!(shown(&next.find_mentions(text), text), ["Enver Hoxha@9", "Kosovo Polje@24", "Mehmet Shehu@42"]);
    }

    #[test]
    fn names_changed_over_a_plain_map_read_as_one_map_before_and_after_they_are_folded_in() {
        let name = |index: usize| -> Arc<str> { Arc::from(format!("name {index}")) };
        let mut by_name = ByName::new((0..8).map(|index| (name(index), Arc::from([index as u32]))).collect());
        let mut model: std::collections::BTreeMap<Arc<str>, Arc<[u32]>> =
            by_name.iter().map(|(name, files)| (name.clone(), files.clone())).collect();
        for step in 0..300 {
            let changed = name(step * 7 % 300);
            if step % 3 == 0 {
                by_name.remove(&changed);
                model.remove(&changed);
            } else {
                let files: Arc<[u32]> = Arc::from([step as u32, step as u32 + 1]);
                by_name.insert(changed.clone(), files.clone());
                model.insert(changed, files);
            }
            by_name = by_name.settled();
            let mut listed: Vec<(Arc<str>, Arc<[u32]>)> =
                by_name.iter().map(|(name, files)| (name.clone(), files.clone())).collect();
            listed.sort();
            assert_eq!(listed, model.iter().map(|(name, files)| (name.clone(), files.clone())).collect::<Vec<_>>());
            assert!((0..300).all(|index| by_name.get(&name(index)) == model.get(&name(index))), "step {step}");
            assert!(by_name.changed.len() <= by_name.base.len() / 4 + 64);
        }
        assert!(by_name.base.len() > 8, "the changes were folded into the plain map");
    }

    #[test]
    fn an_index_built_over_a_base_and_an_overlay_groups_files_by_name() {
        let mut base = patterns(&["Kosovo", "Enver Hoxha", "Tito"]);
        base.push((Arc::from("Josip Broz"), Arc::from("Tito")));
        // `Tito` comes again with a new spelling: the base and the overlay both have a slot for
        // that name, and its files are merged.
        let delta = changes(&["Mehmet Shehu", "Tito"], &["Kosovo"]);
        let spellings = |name: &Arc<str>| match &**name {
            "Tito" => vec![(Arc::from("Marshal Tito"), name.clone())],
            _ => vec![(name.clone(), name.clone())],
        };
        let matcher = MentionMatcher::new(base).moved_on(&delta, &spellings).expect("a small change");
        let texts = [
            Some("Tito met Enver Hoxha, then Josip Broz met Tito."),
            None,
            Some("Mehmet Shehu and Enver Hoxha in Kosovo."),
            Some("Josip Broz alone."),
            Some("Marshal Tito."),
            Some("Nobody."),
        ];
        let files: imbl::Vector<Option<Arc<SourceFile>>> = texts
            .iter()
            .enumerate()
            .map(|(id, text)| text.map(|text| Arc::new(SourceFile::new(format!("/w/{id}.txt"), Arc::from(text)))))
            .collect();
        let index = MentionIndex::build(Arc::new(matcher), files);
        let mut entries: Vec<(String, Vec<u32>)> =
            index.entries().map(|(name, ids)| (name.to_string(), ids.to_vec())).collect();
        entries.sort();
        let expected = [("Enver Hoxha", vec![0, 2]), ("Mehmet Shehu", vec![2]), ("Tito", vec![0, 3, 4])];
        let expected: Vec<(String, Vec<u32>)> =
            expected.into_iter().map(|(name, ids)| (name.to_string(), ids)).collect();
        assert_eq!(entries, expected);
    }

    /// A table of several chunks of patterns (each hashed by a task of its own) finds the
    /// patterns of every chunk, with their names, trailing characters and all.
    #[test]
    fn a_table_hashed_in_chunks_finds_every_chunks_patterns() {
        let count = PATTERNS_PER_CHUNK * 2 + 100;
        let names: Vec<String> = (0..count).map(|index| format!("Unit {index:05} Brigade")).collect();
        let mut list: Vec<Pattern> =
            names.iter().map(|name| (Arc::from(name.as_str()), Arc::from(name.as_str()))).collect();
        // Sorted after every `Unit`: in the last chunk.
        list.push((Arc::from("Zeta Co."), Arc::from("Zeta Company")));
        list.push((Arc::from("Zeta"), Arc::from("Zeta")));
        let matcher = MentionMatcher::new(list);
        let text =
            format!("{} met {} and {}; Zeta Co. and Zeta.", names[3], names[PATTERNS_PER_CHUNK + 5], names[count - 1]);
        let found: Vec<(String, &str)> = matcher
            .find_mentions(&text)
            .into_iter()
            .map(|mention| (mention.name.to_string(), mention.range.slice(&text)))
            .collect();
        let expected = [
            (names[3].clone(), names[3].as_str()),
            (names[PATTERNS_PER_CHUNK + 5].clone(), names[PATTERNS_PER_CHUNK + 5].as_str()),
            (names[count - 1].clone(), names[count - 1].as_str()),
            ("Zeta Company".to_string(), "Zeta Co."),
            ("Zeta".to_string(), "Zeta"),
        ];
        assert_eq!(found, expected);
    }

    /// However many threads lay the index out (each its own range of slots), it says what a
    /// scan of each file says, file by file.
    #[test]
    fn the_index_laid_out_in_parallel_is_what_each_file_mentions() {
        let names: Vec<String> = (0..300).map(|index| format!("Name{index} Of{}", index % 7)).collect();
        let matcher = Arc::new(MentionMatcher::new(patterns(&names.iter().map(String::as_str).collect::<Vec<_>>())));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        let files: imbl::Vector<Option<Arc<SourceFile>>> = (0..200)
            .map(|id| {
                let words: Vec<&str> = (0..next(12)).map(|_| names[next(names.len())].as_str()).collect();
                let text = format!("In {} there was {}.", words.join(", then "), id);
                (id % 17 != 3).then(|| Arc::new(SourceFile::new(format!("/w/{id}.txt"), Arc::from(text.as_str()))))
            })
            .collect();
        let mut expected: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
        for (id, file) in files.iter().enumerate() {
            let Some(file) = file else { continue };
            for name in matcher.names_in(file.text()) {
                expected.entry(name.to_string()).or_default().push(id as u32);
            }
        }
        assert!(expected.len() > 250, "most names are mentioned: {}", expected.len());
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
            let index = pool.install(|| MentionIndex::build(matcher.clone(), files.clone()));
            let built: std::collections::BTreeMap<String, Vec<u32>> =
                index.entries().map(|(name, ids)| (name.to_string(), ids.to_vec())).collect();
            assert_eq!(built, expected, "{threads} threads");
        }
    }

    #[test]
    fn a_large_change_rebuilds_the_base() {
        let base = MentionMatcher::new(patterns(&["A name"]));
        let names: Vec<String> = (0..=OVERLAY_LIMIT).map(|index| format!("Name {index}")).collect();
        let delta = changes(&names.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
        assert!(base.moved_on(&delta, &|name| vec![(name.clone(), name.clone())]).is_none());
    }

    #[test]
    fn a_snapshot_cloned_during_its_ancestors_computation_waits_for_it() {
        let ancestor = MentionLineage::default();
        // Someone (the warm-up after indexing) is computing the ancestor's index.
        ancestor.index.started.store(true, Ordering::Release);
        let child = ancestor.clone();
        let matcher = Arc::new(MentionMatcher::new(patterns(&["Tito"])));
        let computed = Arc::new(MentionIndex::build(matcher.clone(), imbl::Vector::new()));
        let handed = computed.clone();
        let cell = ancestor.index.clone();
        let finisher = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let _ = cell.index.set(handed);
        });
        // No change since the ancestor: the child's index is the ancestor's, not a new build.
        let index = child.index(matcher.clone(), &imbl::Vector::new(), &|name| vec![(name.clone(), name.clone())]);
        finisher.join().unwrap();
        assert!(Arc::ptr_eq(&index, &computed));
        // A computation that failed is not waited for: the child builds its own.
        let failed = MentionLineage::default();
        failed.index.started.store(true, Ordering::Release);
        let orphan = failed.clone();
        failed.index.failed.store(true, Ordering::Release);
        let built = orphan.index(matcher, &imbl::Vector::new(), &|name| vec![(name.clone(), name.clone())]);
        assert!(!Arc::ptr_eq(&built, &computed));
    }

    #[test]
    fn a_longer_name_off_a_word_boundary_hides_nothing() {
        let matcher =
            MentionMatcher::new(patterns(&["Enver", "Enver Hoxha", "Co.", "(1944)", "Battle of Kosovo", "—"]));
        let text = "Enver Hoxhaj met Enver Hoxha at Co. (1944) — Battle of Kosovoland; Battle of\nKosovo.";
        assert_eq!(
            shown(&matcher.find_mentions(text), text),
            ["Enver@0", "Enver Hoxha@17", "Co.@32", "(1944)@36", "—@43"],
            "a name is not followed across a line break, nor into a longer word",
        );
    }

    /// The mentions by definition: from left to right, at each position on a word boundary the
    /// longest pattern that starts there and ends on a word boundary, the search going on
    /// after it. Slow and obviously right.
    fn reference_mentions(names: &[String], text: &str) -> Vec<(usize, usize)> {
        let alphanumeric_before = |at: usize| text[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let mut found = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let longest = (!alphanumeric_before(at))
                .then(|| {
                    names
                        .iter()
                        .filter(|name| !name.is_empty() && text[at..].starts_with(name.as_str()))
                        .filter(|name| !text[at + name.len()..].chars().next().is_some_and(char::is_alphanumeric))
                        .map(String::len)
                        .max()
                })
                .flatten();
            match longest {
                Some(length) => {
                    found.push((at, at + length));
                    at += length;
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        found
    }

    proptest::proptest! {
        #[test]
        fn the_table_finds_what_the_definition_says(
            names in proptest::collection::vec("[AbĐ1 .'(—-]{1,9}", 1..12),
            text in "[AbĐ1 .'(—,;\n-]{0,60}",
        ) {
            let matcher = MentionMatcher::new(names.iter().map(|name| (Arc::from(name.as_str()), Arc::from(name.as_str()))).collect());
            let found: Vec<(usize, usize)> =
                matcher.find_mentions(&text).iter().map(|m| (m.range.start(), m.range.end())).collect();
            proptest::prop_assert_eq!(&found, &reference_mentions(&names, &text));
            // Asked at some positions, the mentions starting there and no others.
            let positions: Vec<usize> =
                (0..=text.len()).filter(|&at| text.is_char_boundary(at) && (at * 7 + names.len()) % 3 != 0).collect();
            let mut at_positions: Vec<(usize, usize)> = Vec::new();
            matcher.each_mention_starting_at(&text, &positions, |range, _| at_positions.push((range.start(), range.end())));
            let expected: Vec<(usize, usize)> =
                found.iter().copied().filter(|(start, _)| positions.contains(start)).collect();
            proptest::prop_assert_eq!(at_positions, expected);
        }

        /// Names that start with a capital, a digit, a wider character or `s` (one of the
        /// few other bytes the eight-byte test may take): the scan passes over lower-case
        /// text eight bytes at a time, which must miss no start.
        #[test]
        fn a_scan_by_eight_bytes_finds_what_the_definition_says(
            names in proptest::collection::vec("[AĐ1s][AbĐs1 .'(—-]{0,8}", 1..12),
            text in "[AbĐs1 .'(—,;\n-]{0,12}([a-z ]{0,30}[AbĐs1 .'(—,;\n-]{0,12}){0,6}",
        ) {
            let matcher = MentionMatcher::new(names.iter().map(|name| (Arc::from(name.as_str()), Arc::from(name.as_str()))).collect());
            proptest::prop_assert!(matcher.starts.by_words.is_some());
            let found: Vec<(usize, usize)> =
                matcher.find_mentions(&text).iter().map(|m| (m.range.start(), m.range.end())).collect();
            proptest::prop_assert_eq!(found, reference_mentions(&names, &text));
        }

        #[test]
        fn the_eight_byte_tests_mark_exactly_the_bytes_they_name(word: u64, first in 0u8..0x80, last in 0u8..0x80) {
            let (coarse, within) = (coarse_candidates(word), bytes_within(word, first, last));
            for (index, byte) in word.to_le_bytes().into_iter().enumerate() {
                let bit = |marked: u64| marked >> (index * 8) & 0xFF;
                proptest::prop_assert_eq!(bit(coarse), if may_start_coarsely(byte) { 0x80 } else { 0 }, "byte {:#04x}", byte);
                let in_range = (first..=last).contains(&byte);
                proptest::prop_assert_eq!(bit(within), if in_range { 0x80 } else { 0 }, "byte {:#04x}", byte);
            }
        }

        #[test]
        fn the_next_start_is_the_first_byte_in_the_table(
            starts in proptest::collection::vec(proptest::sample::select(b"AZ09\xc4\xc5(bs ".to_vec()), 0..6),
            text in proptest::collection::vec(proptest::sample::select(b"AZ09\xc4\xc5(bs az.,".to_vec()), 0..40),
            from in 0usize..40,
        ) {
            let mut table = [false; 256];
            for &byte in &starts {
                table[usize::from(byte)] = true;
            }
            let starts = StartBytes::new(table);
            let from = from.min(text.len());
            let expected = (from..text.len())
                .find(|&at| table[usize::from(text[at])] && !(at > 0 && text[at - 1].is_ascii_alphanumeric()))
                .unwrap_or(text.len());
            proptest::prop_assert_eq!(starts.next_from(&text, from), expected);
        }

        #[test]
        fn the_overlay_and_the_removed_names_find_what_one_table_would(
            base in proptest::collection::vec("[AbĐ1 .'(—-]{1,7}", 1..10),
            added in proptest::collection::vec("[AbĐ1 .'(—-]{1,7}", 0..5),
            removed in proptest::collection::vec(0usize..10, 0..4),
            text in "[AbĐ1 .'(—\n-]{0,60}",
        ) {
            let one = |name: &String| (Arc::from(name.as_str()), Arc::from(name.as_str()));
            let matcher = MentionMatcher::new(base.iter().map(one).collect());
            let mut delta = NameChanges::default();
            let mut names: Vec<String> = base.clone();
            for &index in &removed {
                if let Some(name) = base.get(index) {
                    delta.name_removed(&Arc::from(name.as_str()));
                    names.retain(|kept| kept != name);
                }
            }
            for name in &added {
                delta.name_added(&Arc::from(name.as_str()));
                names.push(name.clone());
            }
            let moved = matcher.moved_on(&delta, &|name| vec![(name.clone(), name.clone())]).expect("a small change");
            let found: Vec<(usize, usize)> =
                moved.find_mentions(&text).iter().map(|m| (m.range.start(), m.range.end())).collect();
            proptest::prop_assert_eq!(found, reference_mentions(&names, &text));
        }
    }

    #[test]
    fn an_alias_spelling_is_a_mention_of_the_canonical_name() {
        let matcher = MentionMatcher::new(vec![
            (Arc::from("Midhat Frashëri"), Arc::from("Midhat Frashëri")),
            (Arc::from("Mit'hat Frashëri"), Arc::from("Midhat Frashëri")),
        ]);
        let text = "Mit'hat Frashëri met Midhat Frashëri.";
        let names: Vec<String> = matcher.find_mentions(text).iter().map(|m| m.name.to_string()).collect();
        assert_eq!(names, ["Midhat Frashëri", "Midhat Frashëri"]);
    }
}
