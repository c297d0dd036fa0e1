//! One article's facts as bytes: the unit ("shard") of the on-disk cache that lets a warm
//! start skip parsing. Encoding and decoding only; reading and writing files is the edge's
//! (`crate::cache`).
//!
//! A shard is
//!
//! ```text
//! magic     8 bytes  "SEEDLSFC"
//! format    u32 LE   FORMAT_VERSION: the layout of this header and of the payload
//! build     u64 LE   facts_fingerprint(): a hash of the sources that compute facts
//! version   u8 length + UTF-8: the server version (CARGO_PKG_VERSION)
//! checksum  u64 LE   xxh3 of the payload
//! payload   postcard: the file's path, its size and mtime, the xxh3 of its text, its facts
//! ```
//!
//! `decode` gives `None` for anything that is not exactly such a shard of this build: another
//! magic, format, build or version, a truncation, a flipped byte, trailing bytes. A shard is a
//! cache entry, never trusted: the cache also checks that the text's hash matches and that
//! every range of the facts lies inside the text (`facts_fit_text`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::index::facts::FileFacts;

pub const MAGIC: [u8; 8] = *b"SEEDLSFC";

/// Bump when the header or the payload's shape changes.
pub const FORMAT_VERSION: u32 = 2;

/// Facts computed by another release may differ even with the same shapes.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The sources whose code decides what the facts of a text are. Between releases the version
/// does not move, yet a change to the parser would leave every shard silently stale; hashing
/// these sources ties shards to the build. A new file under `src/syntax` belongs here.
const FACTS_SOURCES: &[&str] = &[
    include_str!("../syntax/mod.rs"),
    include_str!("../syntax/headings.rs"),
    include_str!("../syntax/infobox.rs"),
    include_str!("../syntax/inline.rs"),
    include_str!("../syntax/lines.rs"),
    include_str!("../syntax/text_range.rs"),
    include_str!("date.rs"),
    include_str!("facts.rs"),
    include_str!("shard.rs"),
];

static FACTS_FINGERPRINT: LazyLock<u64> = LazyLock::new(|| {
    let mut all = Vec::new();
    for source in FACTS_SOURCES {
        all.extend_from_slice(&(source.len() as u64).to_le_bytes());
        all.extend_from_slice(source.as_bytes());
    }
    xxh3_64(&all)
});

/// A hash of the code that computes facts (see `FACTS_SOURCES`).
pub fn facts_fingerprint() -> u64 {
    *FACTS_FINGERPRINT
}

/// The hash that confirms a shard belongs to a text: xxh3, 64 bits. xxh3 is a specified
/// algorithm whose output is the same on every platform and every release of the crate, which
/// a hash written to disk needs (std's and foldhash's are not stable across releases).
pub fn content_hash(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

/// What a file looked like on disk when its shard was written. Plain numbers: the core knows
/// no file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    /// The modification time as seconds and nanoseconds since the Unix epoch (negative before).
    pub modified_secs: i64,
    pub modified_nanos: u32,
}

/// One article's cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The file's path, so that two paths whose shard names collide are told apart.
    pub path: String,
    pub stamp: FileStamp,
    pub content_hash: u64,
    pub facts: FileFacts,
}

/// The same fields, borrowed: encoding needs no copy of the facts.
#[derive(Serialize)]
struct ShardRef<'a> {
    path: &'a str,
    stamp: FileStamp,
    content_hash: u64,
    facts: &'a FileFacts,
}

/// The bytes of a shard. Encoding to memory cannot fail for these types; should it ever,
/// the shard is not written (`None`), which costs a parse next time and nothing else.
pub fn encode(path: &str, stamp: FileStamp, content_hash: u64, facts: &FileFacts) -> Option<Vec<u8>> {
    let payload = postcard::to_allocvec(&ShardRef { path, stamp, content_hash, facts }).ok()?;
    frame(MAGIC, facts_fingerprint(), &payload)
}

/// Reads a shard written by this very build, or `None`. Never panics, whatever the bytes.
pub fn decode(bytes: &[u8]) -> Option<Shard> {
    let payload = unframe(bytes, MAGIC, facts_fingerprint())?;
    match postcard::take_from_bytes::<Shard>(payload) {
        Ok((shard, [])) => Some(shard),
        _ => None,
    }
}

/// The header every cache file starts with, then `payload`.
pub(crate) fn frame(magic: [u8; 8], build: u64, payload: &[u8]) -> Option<Vec<u8>> {
    let version = SERVER_VERSION.as_bytes();
    let version_len = u8::try_from(version.len()).ok()?;
    let mut bytes = Vec::with_capacity(magic.len() + 4 + 8 + 1 + version.len() + 8 + payload.len());
    bytes.extend_from_slice(&magic);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&build.to_le_bytes());
    bytes.push(version_len);
    bytes.extend_from_slice(version);
    bytes.extend_from_slice(&xxh3_64(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    Some(bytes)
}

/// The payload of a cache file with this magic, written by this build, whose checksum holds.
pub(crate) fn unframe(bytes: &[u8], magic: [u8; 8], build: u64) -> Option<&[u8]> {
    let mut reader = Reader(bytes);
    if reader.take(magic.len())? != magic {
        return None;
    }
    if u32::from_le_bytes(reader.array()?) != FORMAT_VERSION {
        return None;
    }
    if u64::from_le_bytes(reader.array()?) != build {
        return None;
    }
    let [version_len] = reader.array()?;
    if reader.take(usize::from(version_len))? != SERVER_VERSION.as_bytes() {
        return None;
    }
    let checksum = u64::from_le_bytes(reader.array()?);
    let payload = reader.0;
    (xxh3_64(payload) == checksum).then_some(payload)
}

/// The magic of the saved mention index, one file per workspace cache (see
/// `Workspace::mention_fingerprint`), laid out as a shard is, with this payload:
/// the workspace's mention fingerprint, then each name with the ids of the files that mention
/// it, as gaps between ascending ids.
pub const MENTIONS_MAGIC: [u8; 8] = *b"SEEDLSMI";

static MENTIONS_BUILD: LazyLock<u64> = LazyLock::new(|| {
    let mut all = facts_fingerprint().to_le_bytes().to_vec();
    for source in [include_str!("mentions.rs"), include_str!("workspace.rs")] {
        all.extend_from_slice(&(source.len() as u64).to_le_bytes());
        all.extend_from_slice(source.as_bytes());
    }
    xxh3_64(&all)
});

#[derive(Serialize)]
struct MentionsRef<'a> {
    fingerprint: u64,
    entries: Vec<(&'a str, Vec<u32>)>,
}

#[derive(Deserialize)]
struct Mentions {
    fingerprint: u64,
    entries: Vec<(String, Vec<u32>)>,
}

/// The bytes of a saved mention index: `entries` are (name, ascending file ids).
pub fn encode_mentions(fingerprint: u64, entries: &[crate::index::MentionEntry]) -> Option<Vec<u8>> {
    let entries = entries
        .iter()
        .map(|(name, ids)| {
            let mut last = 0;
            let gaps = ids
                .iter()
                .map(|&id| {
                    let gap = id.wrapping_sub(last);
                    last = id;
                    gap
                })
                .collect();
            (&**name, gaps)
        })
        .collect();
    let payload = postcard::to_allocvec(&MentionsRef { fingerprint, entries }).ok()?;
    frame(MENTIONS_MAGIC, *MENTIONS_BUILD, &payload)
}

/// The entries of a mention index saved by this build under `fingerprint`, or `None`. Ids come
/// back as saved; the workspace checks them before taking them. Never panics.
pub fn decode_mentions(bytes: &[u8], fingerprint: u64) -> Option<Vec<(String, Vec<u32>)>> {
    decode_saved_mentions(bytes).filter(|saved| saved.fingerprint == fingerprint).map(|saved| saved.entries)
}

/// A mention index as saved, with the fingerprint it was saved under (to be compared with
/// the workspace's before use: a warm start decodes it while the facts are merged).
#[derive(Debug)]
pub struct SavedMentions {
    pub fingerprint: u64,
    pub entries: Vec<(String, Vec<u32>)>,
}

impl SavedMentions {
    /// The entries, if they were saved under `fingerprint`.
    pub fn entries_for(self, fingerprint: u64) -> Option<Vec<(String, Vec<u32>)>> {
        (self.fingerprint == fingerprint).then_some(self.entries)
    }
}

/// A mention index saved by this build, whatever its fingerprint, or `None`. Never panics.
pub fn decode_saved_mentions(bytes: &[u8]) -> Option<SavedMentions> {
    let payload = unframe(bytes, MENTIONS_MAGIC, *MENTIONS_BUILD)?;
    let Ok((mentions, [])) = postcard::take_from_bytes::<Mentions>(payload) else {
        return None;
    };
    let mut entries = mentions.entries;
    for (_, ids) in &mut entries {
        let mut last = 0u32;
        for id in ids.iter_mut() {
            last = last.checked_add(*id)?;
            *id = last;
        }
    }
    Some(SavedMentions { fingerprint: mentions.fingerprint, entries })
}

/// True if every range of the facts lies inside `text` on character boundaries, so that no
/// later slice of the text by them can panic, and every listing's parent comes before it (no
/// walk up the parents can loop). A shard whose hash matches its text passes; this guards
/// against the one that was made to match.
pub fn facts_fit_text(facts: &FileFacts, text: &str) -> bool {
    let fits = |range: crate::syntax::TextRange| {
        range.start <= range.end && text.is_char_boundary(range.start()) && text.is_char_boundary(range.end())
    };
    facts.ranges().all(fits)
        && facts
            .listings
            .iter()
            .enumerate()
            .all(|(index, listing)| listing.parent.get().is_none_or(|parent| parent < index))
}

/// The `[cache]` table of `seedls.toml`, and the `cache` initialization option: whether shards
/// are used and where they live. Plain settings; the edge (`crate::cache`) acts on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// On unless set to `false`.
    pub enabled: Option<bool>,
    /// The folder under which each workspace gets its own; relative to the workspace root.
    /// Unset: the user's cache folder (`~/.cache/seedls` and its equivalents).
    pub dir: Option<String>,
}

impl CacheSettings {
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// These settings with the fields that `over` sets taken from it (editor settings win over
    /// `seedls.toml`, as for severities).
    pub fn overridden_by(&self, over: &CacheSettings) -> CacheSettings {
        CacheSettings { enabled: over.enabled.or(self.enabled), dir: over.dir.clone().or_else(|| self.dir.clone()) }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if self.0.len() < count {
            return None;
        }
        let (taken, rest) = self.0.split_at(count);
        self.0 = rest;
        Some(taken)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::index::facts::compute_facts;
    use crate::syntax::{TextRange, parse};

    const STAMP: FileStamp = FileStamp { size: 120, modified_secs: 1_700_000_000, modified_nanos: 5 };

    fn kosovo() -> (String, FileFacts) {
        let text = crate::test_support::seed("000");
        let facts = compute_facts(&text, &parse(&text));
        (text, facts)
    }

    fn kosovo_shard() -> Vec<u8> {
        let (text, facts) = kosovo();
        encode("/w/kosovo.txt", STAMP, content_hash(&text), &facts).expect("encodes")
    }

    /// Where the payload starts: the fields before it, then the checksum.
    fn header_len() -> usize {
        MAGIC.len() + 4 + 8 + 1 + SERVER_VERSION.len() + 8
    }

    #[test]
    fn a_shard_round_trips() {
        let (text, facts) = kosovo();
        assert!(!facts.listings.is_empty(), "the seed has listings to carry");
        let shard = decode(&kosovo_shard()).expect("decodes");
        assert_eq!(
            shard,
            Shard { path: "/w/kosovo.txt".into(), stamp: STAMP, content_hash: content_hash(&text), facts }
        );
    }

    #[test]
    fn every_seed_round_trips_and_fits_its_text() {
        for (name, text) in crate::test_support::seeds() {
            let facts = compute_facts(&text, &parse(&text));
            let bytes = encode(&name, STAMP, content_hash(&text), &facts).expect("encodes");
            let shard = decode(&bytes).unwrap_or_else(|| panic!("{name} decodes"));
            assert_eq!(shard.facts, facts, "{name}");
            assert!(facts_fit_text(&shard.facts, &text), "{name}");
        }
    }

    fn mention_entries() -> Vec<crate::index::MentionEntry> {
        vec![
            (std::sync::Arc::from("Enver Hoxha"), std::sync::Arc::from([0u32, 3, 4, 70_000])),
            (std::sync::Arc::from("Mile Čalović"), std::sync::Arc::from([2u32])),
        ]
    }

    #[test]
    fn a_mention_index_round_trips_under_its_fingerprint_only() {
        let bytes = encode_mentions(42, &mention_entries()).expect("encodes");
        let decoded = decode_mentions(&bytes, 42).expect("decodes");
        let expected: Vec<(String, Vec<u32>)> =
            mention_entries().iter().map(|(name, ids)| (name.to_string(), ids.to_vec())).collect();
        assert_eq!(decoded, expected);
        assert_eq!(decode_mentions(&bytes, 43), None, "another workspace's index");
        assert_eq!(decode(&bytes), None, "not a shard");
        assert_eq!(decode_mentions(&kosovo_shard(), 42), None, "a shard is not an index");
    }

    #[test]
    fn a_damaged_mention_index_is_refused() {
        let bytes = encode_mentions(42, &mention_entries()).expect("encodes");
        for len in 0..bytes.len() {
            assert_eq!(decode_mentions(&bytes[..len], 42), None, "truncated to {len}");
        }
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert_eq!(decode_mentions(&flipped, 42), None, "byte {at} flipped");
        }
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = kosovo_shard();
        for len in 0..bytes.len() {
            assert_eq!(decode(&bytes[..len]), None, "truncated to {len} of {} bytes", bytes.len());
        }
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = kosovo_shard();
        bytes.push(0);
        assert_eq!(decode(&bytes), None);
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes = kosovo_shard();
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[at] ^= flip;
                assert_eq!(decode(&changed), None, "byte {at} ^ {flip:#x}");
            }
        }
    }

    #[test]
    fn another_magic_format_build_or_version_is_refused() {
        let bytes = kosovo_shard();
        let mut magic = bytes.clone();
        magic[..8].copy_from_slice(b"SEEDLSXX");
        assert_eq!(decode(&magic), None, "magic");
        let mut format = bytes.clone();
        format[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert_eq!(decode(&format), None, "format");
        let mut build = bytes.clone();
        build[12..20].copy_from_slice(&facts_fingerprint().wrapping_add(1).to_le_bytes());
        assert_eq!(decode(&build), None, "build");
        // Another server version, with a checksum that is right for its payload.
        let payload = &bytes[header_len()..];
        let mut version = bytes[..20].to_vec();
        version.push(5);
        version.extend_from_slice(b"9.9.9");
        version.extend_from_slice(&xxh3_64(payload).to_le_bytes());
        version.extend_from_slice(payload);
        assert_eq!(decode(&version), None, "version");
    }

    #[test]
    fn a_payload_of_another_shape_is_refused_even_with_a_right_checksum() {
        let bytes = kosovo_shard();
        let mut other = bytes[..header_len() - 8].to_vec();
        let payload = postcard::to_allocvec(&("/w/kosovo.txt", 7u8)).expect("encodes");
        other.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
        other.extend_from_slice(&payload);
        assert_eq!(decode(&other), None);
    }

    #[test]
    fn facts_that_leave_the_text_do_not_fit() {
        let (text, facts) = kosovo();
        assert!(facts_fit_text(&facts, &text));
        assert!(!facts_fit_text(&facts, &text[..text.len() / 2]), "ranges past the end");
        let mut inside_a_character = facts.clone();
        let at = text.find('–').expect("the seed has an en dash") + 1;
        inside_a_character.see_also.push(crate::index::facts::Link { name: "x".into(), range: TextRange::empty(at) });
        assert!(!facts_fit_text(&inside_a_character, &text));
        let mut reversed = facts.clone();
        reversed.title_line = Some(TextRange { start: 5, end: 2 });
        assert!(!facts_fit_text(&reversed, &text));
        let mut sentence_past_the_end = facts.clone();
        sentence_past_the_end.first_sentence = Some(TextRange::new(0, text.len() + 1));
        assert!(!facts_fit_text(&sentence_past_the_end, &text));
        // A parent is an earlier listing: one pointing at itself or later could make a walk
        // up the parents loop.
        let mut looping = facts;
        let last = looping.listings.len() - 1;
        looping.listings[last].parent = crate::index::facts::ParentIndex::new(last);
        assert!(!facts_fit_text(&looping, &text), "a listing its own parent");
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            prop_assert_eq!(decode(&bytes), None);
        }

        #[test]
        fn mutated_shards_never_panic_and_are_refused(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
        ) {
            let original = kosovo_shard();
            let mut bytes = original.clone();
            for (at, value) in edits {
                let at = at.index(bytes.len());
                bytes[at] = value;
            }
            if bytes != original {
                prop_assert_eq!(decode(&bytes), None);
            }
        }

        /// Random payloads behind a valid header and a right checksum reach the deserializer:
        /// it must refuse them (or read something) without panicking or allocating wildly.
        #[test]
        fn random_payloads_with_a_right_checksum_never_panic(
            payload in proptest::collection::vec(any::<u8>(), 0..400)
        ) {
            let mut bytes = kosovo_shard()[..header_len() - 8].to_vec();
            bytes.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
            bytes.extend_from_slice(&payload);
            let _ = decode(&bytes);
        }
    }
}
