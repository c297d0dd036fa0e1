//! The facts of a whole workspace as one file (the "pack"), beside the per-article shards: a
//! warm start reads one file of some 50 MB at 50,000 articles instead of 50,000 shards and
//! 50,000 texts. Encoding and decoding only; the edge (`crate::cache`) reads and writes it.
//!
//! The pack is framed as a shard is (`shard::frame`: magic `SEEDLSWP`, format, build (the
//! facts' code and this file's), version, checksum), with this payload:
//!
//! ```text
//! head      postcard: every distinct name (titles, aliases, listings', See-also links'),
//!           every distinct infobox key, and the length in bytes of each entry
//! entries   one after another, postcard: the file's path, stamp, text hash and length, and
//!           its facts, with names and keys as indexes into the head's lists
//! ```
//!
//! Names are written once, not once per listing: decoding makes one `Arc<str>` per name,
//! shared by every listing and link of it (and so by the workspace's name table), and gives
//! each entry's names as indexes too (`NameIndexes`: a workspace merging the entries looks
//! each name up once per start, see `workspace::batch`); entries decode a range at a time.
//! As with shards, `decode` gives `None` for anything but exactly a pack of this build; an
//! index out of bounds, a range that ends before it starts or past the text's length, or a
//! listing whose parent does not come before it refuses the whole pack. A pack is never
//! trusted further: a file's entry is used only while its stamp is the one on disk, and its
//! text, read later, is checked against the facts (`SourceFile::text`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::index::date::DateRange;
use crate::index::facts::{EntityKind, FileFacts, KeyName, Link, Listing, ParentIndex};
use crate::index::shard::{FileStamp, facts_fingerprint, frame, unframe};
use crate::index::workspace::{NameIndexes, PackNames};
use crate::syntax::TextRange;

pub const PACK_MAGIC: [u8; 8] = *b"SEEDLSWP";

/// The build a pack belongs to: the facts' code (`facts_fingerprint`) and this file's.
static PACK_BUILD: LazyLock<u64> = LazyLock::new(|| {
    let mut all = facts_fingerprint().to_le_bytes().to_vec();
    all.extend_from_slice(include_str!("pack.rs").as_bytes());
    xxhash_rust::xxh3::xxh3_64(&all)
});

/// One file of the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackEntry {
    /// The file's absolute path, as shards name it.
    pub path: String,
    pub stamp: FileStamp,
    pub content_hash: u64,
    /// The length of the text in bytes.
    pub text_len: u64,
    pub facts: FileFacts,
}

/// An entry to write, borrowed from the workspace.
#[derive(Debug, Clone, Copy)]
pub struct PackEntryRef<'a> {
    pub path: &'a str,
    pub stamp: FileStamp,
    pub content_hash: u64,
    pub text_len: u64,
    pub facts: &'a FileFacts,
}

impl<'a> PackEntryRef<'a> {
    /// The entry of a workspace file, saved with the stamp its file had when it was read.
    pub fn of(file: &'a crate::index::SourceFile, stamp: FileStamp) -> PackEntryRef<'a> {
        PackEntryRef {
            path: &file.path,
            stamp,
            content_hash: file.content_hash(),
            text_len: file.text_len() as u64,
            facts: &file.facts,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    names: Vec<&'a str>,
    #[serde(borrow)]
    keys: Vec<&'a str>,
    entry_lens: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    path: &'a str,
    stamp: FileStamp,
    content_hash: u64,
    text_len: u64,
    #[serde(borrow)]
    facts: Facts<'a>,
}

/// `FileFacts` with names and keys as indexes. Every field of `FileFacts` has its place here;
/// the round-trip test of every seed fails if one is left behind.
#[derive(Serialize, Deserialize)]
struct Facts<'a> {
    /// The title and aliases are names too (a See-also link or a listing names an article by
    /// them): indexes into the head's names.
    title: Option<(u32, TextRange)>,
    title_line: Option<TextRange>,
    aliases: Vec<u32>,
    conflict_value: Option<TextRange>,
    listings: Vec<PackedListing>,
    see_also: Vec<(u32, TextRange)>,
    date: Option<(&'a str, Option<DateRange>)>,
    place: Option<&'a str>,
    result: Option<&'a str>,
    first_sentence: Option<TextRange>,
}

#[derive(Serialize, Deserialize)]
struct PackedListing {
    name: u32,
    kind: EntityKind,
    range: TextRange,
    key: u32,
    side: Option<u8>,
    parent: ParentIndex,
}

/// Gives each distinct string an index, in the order first met.
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn index_of(&mut self, text: &'a str) -> Option<u32> {
        if let Some(&index) = self.index.get(text) {
            return Some(index);
        }
        let index = u32::try_from(self.list.len()).ok()?;
        self.index.insert(text, index);
        self.list.push(text);
        Some(index)
    }
}

/// The bytes of a pack of these entries, or `None` if it cannot be made (then nothing is
/// written, which costs the next start the shards and nothing else).
pub fn encode_pack(entries: &[PackEntryRef<'_>]) -> Option<Vec<u8>> {
    let mut names = Strings::default();
    let mut keys = Strings::default();
    let mut body = Vec::new();
    let mut entry_lens = Vec::with_capacity(entries.len());
    for entry in entries {
        let facts = entry.facts;
        let title = match &facts.title {
            Some((title, range)) => Some((names.index_of(title)?, *range)),
            None => None,
        };
        let aliases = facts.aliases.iter().map(|alias| names.index_of(alias)).collect::<Option<Vec<u32>>>()?;
        let mut listings = Vec::with_capacity(facts.listings.len());
        for listing in &facts.listings {
            listings.push(PackedListing {
                name: names.index_of(&listing.name)?,
                kind: listing.kind,
                range: listing.range,
                key: keys.index_of(&listing.key)?,
                side: listing.side,
                parent: listing.parent,
            });
        }
        let mut see_also = Vec::with_capacity(facts.see_also.len());
        for link in &facts.see_also {
            see_also.push((names.index_of(&link.name)?, link.range));
        }
        let packed = Entry {
            path: entry.path,
            stamp: entry.stamp,
            content_hash: entry.content_hash,
            text_len: entry.text_len,
            facts: Facts {
                title,
                title_line: facts.title_line,
                aliases,
                conflict_value: facts.conflict_value,
                listings,
                see_also,
                date: facts.date.as_ref().map(|(date, range)| (date.as_str(), *range)),
                place: facts.place.as_deref(),
                result: facts.result.as_deref(),
                first_sentence: facts.first_sentence,
            },
        };
        let before = body.len();
        body = postcard::to_extend(&packed, body).ok()?;
        entry_lens.push(u32::try_from(body.len() - before).ok()?);
    }
    let head = Head { names: names.list, keys: keys.list, entry_lens };
    let mut payload = postcard::to_allocvec(&head).ok()?;
    payload.extend_from_slice(&body);
    frame(PACK_MAGIC, *PACK_BUILD, &payload)
}

/// Reads a pack written by this very build, or `None`. Never panics, whatever the bytes.
/// Entries are decoded in parallel, a thousand at a time.
pub fn decode_pack(bytes: &[u8]) -> Option<Vec<PackEntry>> {
    let reader = open_pack(bytes)?;
    let ranges: Vec<usize> = (0..reader.len()).step_by(1024).collect();
    let parts: Vec<Vec<PackEntry>> =
        ranges.par_iter().map(|&start| reader.decode(start..start + 1024)).collect::<Option<_>>()?;
    Some(parts.into_iter().flatten().collect())
}

/// A pack whose frame and head were read, whose entries are decoded a range at a time (a
/// warm start merges the first entries while the next are decoded).
pub struct PackReader<'a> {
    names: Arc<PackNames>,
    keys: Vec<KeyName>,
    entries: Vec<&'a [u8]>,
}

/// The pack in `bytes` if it is one of this build (its checksum holds), ready to decode.
pub fn open_pack(bytes: &[u8]) -> Option<PackReader<'_>> {
    let payload = unframe(bytes, PACK_MAGIC, *PACK_BUILD)?;
    let (head, mut body) = postcard::take_from_bytes::<Head<'_>>(payload).ok()?;
    let names: Arc<[Arc<str>]> = head.names.iter().map(|&name| Arc::from(name)).collect();
    let names = Arc::new(PackNames::new(names));
    let keys: Vec<KeyName> = head.keys.iter().map(|&key| KeyName::new(key)).collect();
    let mut entries = Vec::with_capacity(head.entry_lens.len());
    for &len in &head.entry_lens {
        let len = usize::try_from(len).ok()?;
        if body.len() < len {
            return None;
        }
        let (entry, rest) = body.split_at(len);
        entries.push(entry);
        body = rest;
    }
    body.is_empty().then_some(PackReader { names, keys, entries })
}

impl PackReader<'_> {
    /// How many entries the pack holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in `range` (clamped to the pack), decoded on this thread (a warm start
    /// decodes on one core while it merges on the other); `None` if one is not a valid entry.
    pub fn decode(&self, range: std::ops::Range<usize>) -> Option<Vec<PackEntry>> {
        Some(self.decode_named(range)?.into_iter().map(|(entry, _)| entry).collect())
    }

    /// [`PackReader::decode`], with the indexes of each entry's names among
    /// [`PackReader::names`] (a workspace merging the entries looks each index up once).
    pub fn decode_named(&self, range: std::ops::Range<usize>) -> Option<Vec<(PackEntry, NameIndexes)>> {
        let end = range.end.min(self.entries.len());
        let slices = self.entries.get(range.start.min(end)..end)?;
        slices.iter().map(|bytes| decode_entry(bytes, self.names.names(), &self.keys)).collect()
    }

    /// The pack's names, one allocation each, which its entries' listings and links share.
    pub fn names(&self) -> &Arc<PackNames> {
        &self.names
    }
}

fn decode_entry(bytes: &[u8], names: &[Arc<str>], keys: &[KeyName]) -> Option<(PackEntry, NameIndexes)> {
    let Ok((entry, [])) = postcard::take_from_bytes::<Entry<'_>>(bytes) else {
        return None;
    };
    let facts = entry.facts;
    let mut indexes = Vec::with_capacity(
        usize::from(facts.title.is_some()) + facts.aliases.len() + facts.listings.len() + facts.see_also.len(),
    );
    let mut title = None;
    if let Some((index, range)) = facts.title {
        indexes.push(index);
        title = Some((names.get(index as usize)?.to_string(), range));
    }
    let mut aliases = Vec::with_capacity(facts.aliases.len());
    for index in facts.aliases {
        indexes.push(index);
        aliases.push(names.get(index as usize)?.to_string());
    }
    let mut listings = Vec::with_capacity(facts.listings.len());
    for (index, listing) in facts.listings.into_iter().enumerate() {
        if listing.parent.get().is_some_and(|parent| parent >= index) {
            return None;
        }
        indexes.push(listing.name);
        listings.push(Listing {
            name: names.get(listing.name as usize)?.clone(),
            kind: listing.kind,
            range: listing.range,
            key: keys.get(listing.key as usize)?.clone(),
            side: listing.side,
            parent: listing.parent,
        });
    }
    let mut see_also = Vec::with_capacity(facts.see_also.len());
    for (name, range) in facts.see_also {
        indexes.push(name);
        see_also.push(Link { name: names.get(name as usize)?.clone(), range });
    }
    let entry = PackEntry {
        path: entry.path.to_string(),
        stamp: entry.stamp,
        content_hash: entry.content_hash,
        text_len: entry.text_len,
        facts: FileFacts {
            title,
            title_line: facts.title_line,
            aliases,
            conflict_value: facts.conflict_value,
            listings,
            see_also,
            date: facts.date.map(|(date, range)| (date.to_string(), range)),
            place: facts.place.map(str::to_string),
            result: facts.result.map(str::to_string),
            first_sentence: facts.first_sentence,
        },
    };
    let ordered = entry.facts.ranges().all(|range| range.start <= range.end);
    let inside = entry.facts.end_of_ranges() as u64 <= entry.text_len;
    (ordered && inside).then_some((entry, NameIndexes::new(indexes)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::index::facts::compute_facts;
    use crate::index::shard::content_hash;
    use crate::syntax::parse;

    fn seed_entries() -> Vec<PackEntry> {
        crate::test_support::seeds()
            .into_iter()
            .enumerate()
            .map(|(index, (name, text))| PackEntry {
                path: format!("/w/{name}"),
                stamp: FileStamp {
                    size: text.len() as u64,
                    modified_secs: 1_700_000_000 + index as i64,
                    modified_nanos: 7,
                },
                content_hash: content_hash(&text),
                text_len: text.len() as u64,
                facts: compute_facts(&text, &parse(&text)),
            })
            .collect()
    }

    fn encoded(entries: &[PackEntry]) -> Vec<u8> {
        let refs: Vec<PackEntryRef<'_>> = entries
            .iter()
            .map(|entry| PackEntryRef {
                path: &entry.path,
                stamp: entry.stamp,
                content_hash: entry.content_hash,
                text_len: entry.text_len,
                facts: &entry.facts,
            })
            .collect();
        encode_pack(&refs).expect("encodes")
    }

    #[test]
    fn the_seeds_round_trip_and_share_one_copy_of_each_name() {
        let entries = seed_entries();
        assert!(entries.iter().filter(|entry| !entry.facts.listings.is_empty()).count() >= 2, "listings to carry");
        assert!(entries.iter().any(|entry| !entry.facts.see_also.is_empty()), "links to carry");
        let decoded = decode_pack(&encoded(&entries)).expect("decodes");
        assert_eq!(decoded, entries);
        // Mile Čalović (or any name listed twice) is one allocation across the pack.
        let mut by_name: HashMap<&str, &Arc<str>> = HashMap::new();
        for listing in decoded.iter().flat_map(|entry| &entry.facts.listings) {
            let first = by_name.entry(&listing.name).or_insert(&listing.name);
            assert!(Arc::ptr_eq(first, &listing.name), "{} decoded twice", listing.name);
        }
        assert!(by_name.len() < decoded.iter().map(|entry| entry.facts.listings.len()).sum::<usize>());
    }

    #[test]
    fn a_pack_decoded_a_range_at_a_time_gives_every_entry_once() {
        let entries = seed_entries();
        let bytes = encoded(&entries);
        let reader = open_pack(&bytes).expect("opens");
        assert_eq!(reader.len(), entries.len());
        let mut decoded = Vec::new();
        for start in (0..reader.len()).step_by(2) {
            decoded.extend(reader.decode(start..start + 2).expect("decodes"));
        }
        assert_eq!(decoded, entries);
        assert_eq!(reader.decode(3..99).map(|tail| tail.len()), Some(entries.len() - 3), "clamped");
        assert_eq!(reader.decode(99..120), Some(Vec::new()));
    }

    #[test]
    fn an_empty_pack_round_trips() {
        assert_eq!(decode_pack(&encoded(&[])), Some(Vec::new()));
    }

    #[test]
    fn a_pack_of_another_kind_or_build_is_refused() {
        let bytes = encoded(&seed_entries());
        let mut shard_magic = bytes.clone();
        shard_magic[..8].copy_from_slice(&crate::index::shard::MAGIC);
        assert_eq!(decode_pack(&shard_magic), None);
        let mut other_build = bytes.clone();
        other_build[12] ^= 1;
        assert_eq!(decode_pack(&other_build), None);
        assert_eq!(decode_pack(&bytes[..bytes.len() - 1]), None, "truncated");
    }

    #[test]
    fn a_range_past_the_text_refuses_the_pack() {
        let mut entries = seed_entries();
        entries[0].text_len = entries[0].facts.end_of_ranges() as u64 - 1;
        assert_eq!(decode_pack(&encoded(&entries)), None);
    }

    #[test]
    fn a_listing_whose_parent_does_not_come_first_refuses_the_pack() {
        let mut entries = seed_entries();
        let entry = entries.iter_mut().find(|entry| entry.facts.listings.len() > 1).expect("a seed with listings");
        let listings = &mut entry.facts.listings;
        let last = listings.len() - 1;
        listings[0].parent = ParentIndex::new(last);
        assert_eq!(decode_pack(&encoded(&entries)), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A flipped byte anywhere: refused (the checksum, or the header), never a panic.
        #[test]
        fn mutated_packs_never_panic_and_are_refused(at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = encoded(&seed_entries());
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
            prop_assert_eq!(decode_pack(&bytes), None);
        }

        /// Random payloads behind a right header and checksum: never a panic.
        #[test]
        fn random_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Some(bytes) = frame(PACK_MAGIC, *PACK_BUILD, &payload) {
                let _ = decode_pack(&bytes);
            }
        }
    }
}
