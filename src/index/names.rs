//! The words of every known name, ordered, so that "which names have a word starting with
//! `calo`" is one range of a B-tree rather than a walk over every name. Completion narrows
//! its candidates with it and the near-spelling check finds names sharing a word.
//!
//! Words are compared as search compares them: lower case, without diacritics (`Čalović` is
//! stored as `calovic`), split on anything that is not a letter or a digit.
//!
//! A second index files the same words in completion's order (see [`Ranked`]), so that the
//! best few names for a prefix shared by thousands (`b` of every `Battle of …`) come first
//! and a walk can stop early; one more copy per kind (people, units, …) serves infobox values,
//! where the few names of that kind would otherwise be sought among every title.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

use crate::index::facts::EntityKind;
use crate::index::sorted_set::SortedSet;
use crate::index::workspace::Entity;

/// Every known name with its entity, in slots that a word index can point into without
/// hashing the name again: "which names have a word starting with `calo`" is one range of a
/// B-tree of (folded word, slot) pairs.
///
/// Every part is persistent (`imbl` collections; for the word indexes, a shared sorted array
/// with B-trees of the changes beside it, see `sorted_set`), so cloning the table for a new
/// snapshot costs a few pointer copies, and a change copies only the paths it touches. Entities sit
/// behind an `Arc` so that copying a chunk of slots copies pointers, not listing vectors.
#[derive(Debug, Default, Clone)]
pub(crate) struct NameTable {
    slots: imbl::Vector<Option<Arc<NameSlot>>>,
    ids: crate::index::PersistentHashMap<Arc<str>, u32>,
    free: imbl::Vector<u32>,
    /// (folded word, slot); a name appears once per distinct word.
    words: SortedSet<(Arc<str>, u32)>,
    /// (folded first word, slot): which names could start with what is typed.
    first_words: SortedSet<(Arc<str>, u32)>,
    /// Every (word, name) pair of `words` again, in completion's order within each first letter.
    ranked: SortedSet<Ranked>,
    /// The entries of `ranked` of the names with a listing of each kind, indexed by
    /// `EntityKind as usize` (the article kind's stays empty: titles are most names, and
    /// `ranked` serves them).
    ranked_by_kind: [SortedSet<Ranked>; 6],
    /// The slot last handed out as `&mut Entity`: its kinds may have changed since it was
    /// filed in `ranked_by_kind`. It is filed again at the next change of the table, and
    /// until then looked at as it is by [`NameTable::ranked_with_word_starting`].
    pending: Option<u32>,
    /// Slots of names not yet in the word indexes, while a batch defers their filing (see
    /// [`NameTable::defer_filing`]).
    unfiled: Option<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct NameSlot {
    name: Arc<str>,
    entity: Entity,
    /// The kinds (bits by `EntityKind as usize`) the slot is filed under in `ranked_by_kind`;
    /// [`UNFILED`] while its batch defers filing it anywhere.
    filed_kinds: u8,
}

/// One word of one name, filed in completion's order: by the word's first letter, then
/// whether the word is not the name's first (a name that starts like the typed text comes
/// before one with a later word that does), then the name's length in bytes (then the slot
/// and the word's first bytes, which only tell entries apart). For the names with a word
/// starting with a prefix, the first entry of each name bounds the first two parts of
/// completion's key (`(does not start with the typed text, length in bytes, name)`) from
/// below, and the entries come in that bound's order: a walk can stop once the bound passes
/// the worst of the best it keeps. Small and plain (no pointers), as there is one for every
/// word of every name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    first_letter: char,
    later_word: bool,
    /// Saturated: still a lower bound for a name longer than that.
    length: u16,
    slot: u32,
    /// The word's first bytes (folded, UTF-8), zero-padded: enough to tell whether it starts
    /// with a prefix of up to as many bytes; a longer prefix is checked on the name.
    head: [u8; HEAD],
}

const HEAD: usize = 8;

/// The `filed_kinds` of a slot whose name is in no word index yet (see
/// [`NameTable::defer_filing`]): beyond the kinds' bits.
const UNFILED: u8 = 1 << 7;

/// `word`'s first `HEAD` bytes, zero-padded.
fn head_of(word: &str) -> [u8; HEAD] {
    let mut head = [0; HEAD];
    let bytes = &word.as_bytes()[..word.len().min(HEAD)];
    head[..bytes.len()].copy_from_slice(bytes);
    head
}

/// Names with a lower bound of completion's key (see [`NameTable::ranked_with_word_starting`]).
pub(crate) type RankedNames<'a> = Box<dyn Iterator<Item = (&'a Arc<str>, &'a Entity, (bool, usize))> + 'a>;

/// A batch of at least this many new names is filed in the word indexes on the pool's threads.
const FILE_IN_PARALLEL: usize = 2048;

/// What one name adds to the word indexes (see [`NameTable::file_words`]).
struct Filing {
    id: u32,
    words: Vec<Arc<str>>,
    entries: Vec<Ranked>,
    /// The kinds it is filed under now, and was.
    kinds: u8,
    was: u8,
}

/// Above this many (word, name) pairs under a prefix, [`NameTable::ranked_with_word_starting`]
/// walks the ordered index instead of sorting the pairs.
const SORT_AT_MOST: usize = 1024;

/// The kinds filed in `ranked_by_kind` (all but articles).
fn filed_kinds(entity: &Entity) -> u8 {
    EntityKind::ALL
        .into_iter()
        .filter(|&kind| kind != EntityKind::Article && entity.has_kind(kind))
        .fold(0, |bits, kind| bits | 1 << kind as usize)
}

/// The entries of a name in the ordered index: one per distinct word.
fn ranked_entries(name: &str, slot: u32, words: &[Arc<str>]) -> Vec<Ranked> {
    words
        .iter()
        .enumerate()
        .filter_map(|(index, word)| {
            Some(Ranked {
                first_letter: word.chars().next()?,
                later_word: index > 0,
                length: u16::try_from(name.len()).unwrap_or(u16::MAX),
                slot,
                head: head_of(word),
            })
        })
        .collect()
}

impl NameTable {
    pub(crate) fn get(&self, name: &str) -> Option<&Entity> {
        let &id = self.ids.get(name)?;
        self.slots.get(id as usize)?.as_ref().map(|slot| &slot.entity)
    }

    /// The name as the table stores it: one allocation shared by every listing of it.
    pub(crate) fn interned(&self, name: &str) -> Option<&Arc<str>> {
        let &id = self.ids.get(name)?;
        self.slots.get(id as usize)?.as_ref().map(|slot| &slot.name)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Entity> {
        let &id = self.ids.get(name)?;
        self.hand_out(id);
        self.slots.get_mut(id as usize)?.as_mut().map(|slot| &mut Arc::make_mut(slot).entity)
    }

    /// Makes `id` the pending slot, filing the one before it (a change of a listing touches
    /// the same name a few times in a row: filed once, when another comes).
    fn hand_out(&mut self, id: u32) {
        if self.pending != Some(id) {
            self.file_pending();
            self.pending = Some(id);
        }
    }

    /// Files the pending slot under the kinds its entity has now (a change of its listings
    /// may have given it a kind or taken one away).
    fn file_pending(&mut self) {
        let Some(id) = self.pending.take() else {
            return;
        };
        let Some(slot) = self.slot(id) else {
            return;
        };
        let (was, now) = (slot.filed_kinds, filed_kinds(&slot.entity));
        // Not filed anywhere yet: filed with its batch (see `file_deferred`).
        if was == now || was & UNFILED != 0 {
            return;
        }
        let name = slot.name.clone();
        let words: Vec<Arc<str>> = name_words(&name).into_iter().map(Arc::from).collect();
        let entries = ranked_entries(&name, id, &words);
        for kind in EntityKind::ALL {
            let bit = 1 << kind as usize;
            let index = &mut self.ranked_by_kind[kind as usize];
            match (was & bit != 0, now & bit != 0) {
                (false, true) => entries.iter().for_each(|&entry| {
                    index.insert(entry);
                }),
                (true, false) => entries.iter().for_each(|entry| {
                    index.remove(entry);
                }),
                _ => {}
            }
        }
        if let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) {
            Arc::make_mut(slot).filed_kinds = now;
        }
    }

    /// The slot of a name, added with an empty entity if the name is new (the bool says so).
    /// The slot stays the name's while it is in the table: a caller that meets the name again
    /// reaches its entity by [`NameTable::entity_at`] without hashing it. A new name keeps
    /// `shared` as the table's copy when it is that name: a copy that many files hold (a
    /// pack's), which their listings then share with the table as they are.
    pub(crate) fn id_or_insert(&mut self, name: &str, shared: Option<&Arc<str>>) -> (u32, bool) {
        if let Some(&id) = self.ids.get(name) {
            return (id, false);
        }
        self.file_pending();
        let name: Arc<str> = shared.filter(|shared| ***shared == *name).cloned().unwrap_or_else(|| Arc::from(name));
        let id = match self.free.pop_back() {
            Some(id) => id,
            None => {
                self.slots.push_back(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.ids.insert(name.clone(), id);
        let deferred = self.unfiled.is_some();
        let slot = NameSlot { name, entity: Entity::default(), filed_kinds: if deferred { UNFILED } else { 0 } };
        self.slots.set(id as usize, Some(Arc::new(slot)));
        match &mut self.unfiled {
            Some(unfiled) => unfiled.push(id),
            None => self.file_words(&[id]),
        }
        (id, true)
    }

    /// The slot of a name in the table.
    pub(crate) fn slot_of(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name in a slot, as stored.
    pub(crate) fn name_at(&self, id: u32) -> Option<&Arc<str>> {
        self.slot(id).map(|slot| &slot.name)
    }

    /// Whether the slot stores this very copy of its name: what a batch remembered of a name
    /// holds only then (a name removed and added again is another copy, and a freed slot is
    /// given to the next new name).
    pub(crate) fn stores_at(&self, id: u32, name: &Arc<str>) -> bool {
        self.name_at(id).is_some_and(|stored| Arc::ptr_eq(stored, name))
    }

    pub(crate) fn entity_at(&self, id: u32) -> Option<&Entity> {
        self.slot(id).map(|slot| &slot.entity)
    }

    pub(crate) fn entity_at_mut(&mut self, id: u32) -> Option<&mut Entity> {
        self.slot(id)?;
        self.hand_out(id);
        self.slots.get_mut(id as usize)?.as_mut().map(|slot| &mut Arc::make_mut(slot).entity)
    }

    /// From now until [`NameTable::file_deferred`], new names are not filed in the word
    /// indexes one by one: a batch files all of its new names at once, in the indexes' order,
    /// each insertion next to the last instead of at a random place of a large B-tree. The
    /// word indexes are incomplete until then: only the one `&mut` call that defers may run
    /// in between, never a reader.
    pub(crate) fn defer_filing(&mut self) {
        self.unfiled.get_or_insert_with(Vec::new);
    }

    /// Files the names added since [`NameTable::defer_filing`] in every word index, and under
    /// the kinds their entities have now.
    pub(crate) fn file_deferred(&mut self) {
        self.file_pending();
        let Some(mut unfiled) = self.unfiled.take() else { return };
        unfiled.sort_unstable();
        unfiled.dedup();
        self.file_words(&unfiled);
    }

    /// Files the names of these slots (not in the word indexes yet) in the word indexes, and
    /// under the kinds their entities have now. A large batch (a start's thousands of new
    /// names) is spread over the pool: each name's words found on its own, each index sorted
    /// and extended beside the others.
    fn file_words(&mut self, ids: &[u32]) {
        use rayon::prelude::*;
        let parallel = ids.len() >= FILE_IN_PARALLEL;
        let filing = |&id: &u32| {
            // A slot emptied since it was deferred (if given to another name since, that
            // name's words are filed).
            let slot = self.slot(id)?;
            let words: Vec<Arc<str>> = name_words(&slot.name).into_iter().map(Arc::from).collect();
            let entries = ranked_entries(&slot.name, id, &words);
            Some(Filing { id, words, entries, kinds: filed_kinds(&slot.entity), was: slot.filed_kinds })
        };
        let filings: Vec<Filing> = if parallel {
            ids.par_iter().filter_map(filing).collect()
        } else {
            ids.iter().filter_map(filing).collect()
        };
        let mut words = Vec::new();
        let mut first_words = Vec::new();
        let mut ranked = Vec::new();
        let mut by_kind: [Vec<Ranked>; 6] = Default::default();
        let mut kinds = Vec::new();
        for Filing { id, words: name_words, entries, kinds: now, was } in filings {
            for kind in EntityKind::ALL {
                if now & 1 << kind as usize != 0 {
                    by_kind[kind as usize].extend(entries.iter().copied());
                }
            }
            if was != now {
                kinds.push((id, now));
            }
            ranked.extend(entries);
            if let Some(first) = name_words.first() {
                first_words.push((first.clone(), id));
            }
            words.extend(name_words.into_iter().map(|word| (word, id)));
        }
        let NameTable {
            words: words_index, first_words: first_words_index, ranked: ranked_index, ranked_by_kind, ..
        } = self;
        let mut jobs: Vec<Box<dyn FnOnce() + Send + '_>> = vec![
            Box::new(move || words_index.extend(words)),
            Box::new(move || first_words_index.extend(first_words)),
            Box::new(move || ranked_index.extend(ranked)),
        ];
        for (index, entries) in ranked_by_kind.iter_mut().zip(by_kind) {
            if !entries.is_empty() {
                jobs.push(Box::new(move || index.extend(entries)));
            }
        }
        if parallel {
            jobs.into_par_iter().for_each(|job| job());
        } else {
            jobs.into_iter().for_each(|job| job());
        }
        for (id, now) in kinds {
            if let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) {
                Arc::make_mut(slot).filed_kinds = now;
            }
        }
    }

    /// Forgets a name; returns it as it was stored.
    pub(crate) fn remove(&mut self, name: &str) -> Option<Arc<str>> {
        self.file_pending();
        let id = self.ids.remove(name)?;
        let slot = self.slots.set(id as usize, None)?;
        let name = slot.name.clone();
        let words: Vec<Arc<str>> = name_words(&name).into_iter().map(Arc::from).collect();
        if let Some(first) = words.first() {
            self.first_words.remove(&(first.clone(), id));
        }
        for entry in ranked_entries(&name, id, &words) {
            for kind in EntityKind::ALL {
                if slot.filed_kinds & 1 << kind as usize != 0 {
                    self.ranked_by_kind[kind as usize].remove(&entry);
                }
            }
            self.ranked.remove(&entry);
        }
        for word in words {
            self.words.remove(&(word, id));
        }
        self.free.push_back(id);
        Some(name)
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Entity)> {
        self.slots.iter().filter_map(|slot| slot.as_ref().map(|slot| (&slot.name, &slot.entity)))
    }

    fn slot(&self, id: u32) -> Option<&NameSlot> {
        self.slots.get(id as usize)?.as_deref()
    }

    /// Names with a word that starts with `prefix` (already folded, see [`fold_word`]), in
    /// word order, each once.
    pub(crate) fn with_word_starting<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a Entity)> + use<'a> {
        let prefix: Arc<str> = prefix.into();
        let from: (Arc<str>, u32) = (prefix.clone(), 0);
        let mut seen = HashSet::new();
        self.words
            .range_from(&from)
            .take_while(move |(word, _)| word.starts_with(&*prefix))
            .filter(move |&&(_, id)| seen.insert(id))
            .filter_map(|&(_, id)| self.slot(id).map(|slot| (&slot.name, &slot.entity)))
    }

    /// Names with a word that starts with `prefix` (already folded), each once, in the order
    /// of a lower bound of the first two parts of completion's key, given with each name:
    /// whether no word of the name that starts with `prefix` is its first, and the name's
    /// length in bytes (see [`Ranked`]). With a `kind` (not the article kind), only names
    /// with a listing of that kind, or that had one when last filed: the caller checks the
    /// kind again.
    ///
    /// A prefix shared by few names sorts their pairs; one shared by many walks the ordered
    /// index from its first letter on, skipping words that start otherwise, so that a caller
    /// after the best few can stop early.
    pub(crate) fn ranked_with_word_starting<'a>(&'a self, prefix: &str, kind: Option<EntityKind>) -> RankedNames<'a> {
        let kind = kind.filter(|&kind| kind != EntityKind::Article);
        let Some(first_letter) = prefix.chars().next() else {
            return Box::new(std::iter::empty());
        };
        let length_bound = |name: &str| name.len().min(usize::from(u16::MAX));
        let pairs = || {
            let from: (Arc<str>, u32) = (prefix.into(), 0);
            self.words.range_from(&from).take_while(move |(word, _)| word.starts_with(prefix))
        };
        if pairs().nth(SORT_AT_MOST).is_none() {
            let mut found: Vec<(bool, usize, &'a Arc<str>, u32)> = pairs()
                .filter_map(|(word, id)| {
                    let slot = self.slot(*id)?;
                    let later_word = !self.first_words.contains(&(word.clone(), *id));
                    Some((later_word, slot.name.len(), &slot.name, *id))
                })
                .collect();
            found.sort_unstable();
            let mut seen = HashSet::new();
            found.retain(|&(_, _, _, id)| seen.insert(id));
            return Box::new(found.into_iter().filter_map(move |(later_word, _, _, id)| {
                let slot = self.slot(id)?;
                let fits = kind.is_none_or(|kind| slot.entity.has_kind(kind));
                fits.then_some((&slot.name, &slot.entity, (later_word, length_bound(&slot.name))))
            }));
        }
        let index = match kind {
            Some(kind) => &self.ranked_by_kind[kind as usize],
            None => &self.ranked,
        };
        let prefix: Arc<str> = prefix.into();
        // The pending slot may have gained the kind since it was filed: looked at as it is, first
        // (a caller's stop rule holds for what comes after), and skipped in the index.
        let pending = self.pending.filter(|_| kind.is_some());
        let pending_first = pending.and_then(|id| {
            let slot = self.slot(id)?;
            let words = name_words(&slot.name);
            let matching = words.iter().position(|word| word.starts_with(&*prefix))?;
            let fits = kind.is_some_and(|kind| slot.entity.has_kind(kind));
            fits.then_some((&slot.name, &slot.entity, (matching > 0, length_bound(&slot.name))))
        });
        let head_length = prefix.len().min(HEAD);
        let wanted_head = head_of(&prefix);
        let from = Ranked { first_letter, later_word: false, length: 0, slot: 0, head: [0; HEAD] };
        let mut seen = vec![0u64; self.slots.len().div_ceil(64)];
        let walk = index
            .range_from(&from)
            .take_while(move |entry| entry.first_letter == first_letter)
            .filter(move |entry| entry.head[..head_length] == wanted_head[..head_length] && Some(entry.slot) != pending)
            .filter(move |entry| {
                let (word, bit) = (entry.slot as usize / 64, 1u64 << (entry.slot % 64));
                let first_time = seen.get(word).is_some_and(|bits| bits & bit == 0);
                if let Some(bits) = seen.get_mut(word) {
                    *bits |= bit;
                }
                first_time
            })
            .filter_map(move |entry| {
                let slot = self.slot(entry.slot)?;
                // A prefix longer than the heads: the name's words say (rarely asked).
                let starts =
                    prefix.len() <= HEAD || name_words(&slot.name).iter().any(|word| word.starts_with(&*prefix));
                starts.then_some((&slot.name, &slot.entity, (entry.later_word, usize::from(entry.length))))
            });
        Box::new(pending_first.into_iter().chain(walk))
    }

    /// Names whose first word starts with `prefix` (already folded).
    pub(crate) fn with_first_word_starting<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a Arc<str>> + use<'a> {
        let prefix: Arc<str> = prefix.into();
        let from: (Arc<str>, u32) = (prefix.clone(), 0);
        self.first_words
            .range_from(&from)
            .take_while(move |(word, _)| word.starts_with(&*prefix))
            .filter_map(|&(_, id)| self.slot(id).map(|slot| &slot.name))
    }

    /// Names with exactly this (folded) word.
    pub(crate) fn with_word<'a>(&'a self, word: &str) -> impl Iterator<Item = &'a Arc<str>> + use<'a> {
        let word: Arc<str> = word.into();
        let from: (Arc<str>, u32) = (word.clone(), 0);
        self.words
            .range_from(&from)
            .take_while(move |(stored, _)| *stored == word)
            .filter_map(|&(_, id)| self.slot(id).map(|slot| &slot.name))
    }

    /// Differences between the word indexes and the names (for the consistency report).
    pub(crate) fn word_index_problems(&self) -> Vec<String> {
        let mut expected_words = std::collections::BTreeSet::new();
        let mut expected_first = std::collections::BTreeSet::new();
        for (index, slot) in self.slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            let words = name_words(&slot.name);
            if let Some(first) = words.first() {
                expected_first.insert((first.clone(), index as u32));
            }
            expected_words.extend(words.into_iter().map(|word| (word, index as u32)));
            if self.ids.get(&slot.name) != Some(&(index as u32)) {
                return vec![format!("name `{}` is not found under its own slot", slot.name)];
            }
        }
        let words: std::collections::BTreeSet<(String, u32)> =
            self.words.iter().map(|(word, id)| (word.to_string(), *id)).collect();
        let first: std::collections::BTreeSet<(String, u32)> =
            self.first_words.iter().map(|(word, id)| (word.to_string(), *id)).collect();
        let mut problems = Vec::new();
        if words != expected_words {
            problems.push("the word index differs from the names' words".to_string());
        }
        if first != expected_first {
            problems.push("the first-word index differs from the names' first words".to_string());
        }
        if self.ids.len() != self.iter().count() {
            problems.push("the name map and the slots disagree".to_string());
        }
        let mut expected_ranked = std::collections::BTreeSet::new();
        let mut expected_by_kind: [std::collections::BTreeSet<Ranked>; 6] = Default::default();
        for (index, slot) in self.slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            let words: Vec<Arc<str>> = name_words(&slot.name).into_iter().map(Arc::from).collect();
            let entries = ranked_entries(&slot.name, index as u32, &words);
            let kinds = filed_kinds(&slot.entity);
            if self.pending != Some(index as u32) && slot.filed_kinds != kinds {
                problems.push(format!("name `{}` is filed under other kinds than it has", slot.name));
            }
            for kind in EntityKind::ALL {
                if slot.filed_kinds & 1 << kind as usize != 0 {
                    expected_by_kind[kind as usize].extend(entries.iter().copied());
                }
            }
            expected_ranked.extend(entries);
        }
        if self.ranked.iter().copied().collect::<std::collections::BTreeSet<_>>() != expected_ranked {
            problems.push("the ordered word index differs from the names' words".to_string());
        }
        for kind in EntityKind::ALL {
            let filed: std::collections::BTreeSet<Ranked> =
                self.ranked_by_kind[kind as usize].iter().copied().collect();
            if filed != expected_by_kind[kind as usize] {
                problems.push(format!("the ordered word index of {} differs from the names filed so", kind.label()));
            }
        }
        problems
    }
}

/// The distinct folded words of a name, in order of first appearance.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let folded = fold_word(name);
    let mut words: Vec<String> = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()) {
        if !words.iter().any(|seen| seen == word) {
            words.push(word.to_string());
        }
    }
    words
}

/// Text as the word index stores it: lower case, diacritics dropped (`Čal` → `cal`).
pub(crate) fn fold_word(text: &str) -> String {
    // Most names are ASCII: no decomposition to do (63,000 names of a large workspace are
    // folded as they are indexed).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    search_chars(text).collect()
}

/// The characters of `text` as search compares them: lower-cased, without diacritics, one
/// at a time and without allocating (the same folding as [`fold_diacritics`]).
pub fn search_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'Đ' | 'đ' => 'd',
            'Ł' | 'ł' => 'l',
            'Ø' | 'ø' => 'o',
            other => other,
        })
        .flat_map(char::to_lowercase)
}

/// `Mile Čalović` → `Mile Calovic`: letters without their diacritics (canonical
/// decomposition, combining marks dropped; `Đ`, `Ł`, `Ø` mapped by hand since they do not
/// decompose). ASCII text is returned as it is.
pub fn fold_diacritics(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'Đ' => folded.push('D'),
            'đ' => folded.push('d'),
            'Ł' => folded.push('L'),
            'ł' => folded.push('l'),
            'Ø' => folded.push('O'),
            'ø' => folded.push('o'),
            _ => decompose_canonical(c, |part| {
                if !('\u{300}'..='\u{36f}').contains(&part) {
                    folded.push(part);
                }
            }),
        }
    }
    Cow::Owned(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII shortcut folds as the general folding does.
        #[test]
        fn a_word_folds_as_its_search_characters(text in r"[ -~]{0,12}|(Č|a|Z|ł|É|ß|İ|-|1| ){0,8}") {
            proptest::prop_assert_eq!(fold_word(&text), search_chars(&text).collect::<String>());
        }
    }

    fn table(names: &[&str]) -> NameTable {
        let mut table = NameTable::default();
        for name in names {
            table.id_or_insert(name, None);
        }
        table
    }

    fn starting(table: &NameTable, prefix: &str) -> Vec<String> {
        table.with_word_starting(&fold_word(prefix)).map(|(name, _)| name.to_string()).collect()
    }

    #[test]
    fn any_word_of_a_name_finds_it_case_and_diacritics_aside() {
        let table = table(&[
            "Mile Čalović",
            "Balli Kombëtar",
            "Enver Hoxha",
            "2nd Bulgarian Army",
            "Mit'hat Frashëri",
            "Bal Bal",
        ]);
        assert_eq!(starting(&table, "calo"), ["Mile Čalović"]);
        assert_eq!(starting(&table, "ČAL"), ["Mile Čalović"]);
        assert_eq!(starting(&table, "komb"), ["Balli Kombëtar"]);
        assert_eq!(starting(&table, "2n"), ["2nd Bulgarian Army"]);
        assert_eq!(starting(&table, "hat"), ["Mit'hat Frashëri"]);
        assert_eq!(starting(&table, "b"), ["Bal Bal", "Balli Kombëtar", "2nd Bulgarian Army"], "each name once");
        assert!(starting(&table, "x").is_empty());
        assert!(starting(&table, "zz").is_empty());
    }

    #[test]
    fn exact_words_removal_and_slot_reuse() {
        let mut table = table(&["Division of Division", "1st Division", "Divisional Staff"]);
        let exact: Vec<&str> = table.with_word("division").map(|name| &**name).collect();
        assert_eq!(exact, ["Division of Division", "1st Division"]);
        assert_eq!(table.remove("1st Division").as_deref(), Some("1st Division"));
        assert!(table.get("1st Division").is_none());
        let exact: Vec<&str> = table.with_word("division").map(|name| &**name).collect();
        assert_eq!(exact, ["Division of Division"]);
        assert_eq!(starting(&table, "divis"), ["Division of Division", "Divisional Staff"]);
        let (slot, added) = table.id_or_insert("2nd Division", None);
        assert!(added);
        assert_eq!(table.id_or_insert("2nd Division", None), (slot, false));
        assert_eq!(table.name_at(slot).map(|name| &**name), Some("2nd Division"));
        assert_eq!(starting(&table, "2"), ["2nd Division"]);
        let first: Vec<&str> = table.with_first_word_starting("divis").map(|name| &**name).collect();
        assert_eq!(first, ["Division of Division", "Divisional Staff"]);
        assert_eq!(table.iter().count(), 3);
    }

    /// Every word-index answer of a table, for comparing two tables.
    fn answers(table: &NameTable) -> Vec<String> {
        let mut answers = Vec::new();
        for prefix in ["", "b", "bal", "d", "div", "1", "k", "calo", "x"] {
            answers.push(format!("{prefix}: {:?}", starting(table, prefix)));
            let first: Vec<&str> = table.with_first_word_starting(prefix).map(|name| &**name).collect();
            answers.push(format!("{prefix} first: {first:?}"));
            for kind in [None, Some(EntityKind::Person), Some(EntityKind::Unit)] {
                let ranked: Vec<String> = table
                    .ranked_with_word_starting(&fold_word(prefix), kind)
                    .map(|(name, _, key)| format!("{name} {key:?}"))
                    .collect();
                answers.push(format!("{prefix} {kind:?}: {ranked:?}"));
            }
        }
        answers
    }

    #[test]
    fn large_batches_filed_on_the_pool_are_filed_as_one_by_one() {
        // Two batches above `FILE_IN_PARALLEL`: the first builds the word arrays, the second
        // is merged into them (and a few names go in alone between, to the B-trees).
        let name = |index: usize| match index % 4 {
            0 => format!("Brigade {index} Bal"),
            1 => format!("Čalović Number{index}"),
            2 => format!("Division of {} Kosovo", index * 7),
            _ => format!("1st Unit {index}"),
        };
        let batches = [0..FILE_IN_PARALLEL + 500, FILE_IN_PARALLEL + 500..FILE_IN_PARALLEL + 510, 3000..6000];
        let mut one_by_one = NameTable::default();
        let mut together = NameTable::default();
        for batch in batches {
            let deferred = batch.len() >= FILE_IN_PARALLEL;
            if deferred {
                together.defer_filing();
            }
            for table in [&mut one_by_one, &mut together] {
                for index in batch.clone() {
                    let (slot, _) = table.id_or_insert(&name(index), None);
                    let kind = if index % 3 == 0 { EntityKind::Person } else { EntityKind::Unit };
                    table.entity_at_mut(slot).expect("a slot just filled").kind_counts[kind as usize] += 1;
                }
            }
            if deferred {
                together.file_deferred();
            }
        }
        assert_eq!(together.word_index_problems(), Vec::<String>::new());
        assert_eq!(one_by_one.word_index_problems(), Vec::<String>::new());
        // The last name handed out is filed under its kinds at the next change (and looked at
        // first until then): filed now in both, so that the walks compare.
        one_by_one.file_pending();
        together.file_pending();
        assert_eq!(answers(&together), answers(&one_by_one));
    }

    #[test]
    fn names_filed_together_at_the_end_of_a_batch_are_filed_as_one_by_one() {
        let names = ["Mile Čalović", "Balli Kombëtar", "1st Division", "Bal Bal", "Division of Division", "Kosovo"];
        let mut one_by_one = NameTable::default();
        let mut together = NameTable::default();
        together.defer_filing();
        for table in [&mut one_by_one, &mut together] {
            for (index, name) in names.iter().enumerate() {
                let (slot, _) = table.id_or_insert(name, None);
                // Kinds come after the name, as listings do: a person, a unit, or none.
                if index % 3 != 2 {
                    let kind = if index % 3 == 0 { EntityKind::Person } else { EntityKind::Unit };
                    table.entity_at_mut(slot).expect("a slot just filled").kind_counts[kind as usize] += 1;
                }
            }
            // A name gone before the batch ends, and its slot given to another.
            table.remove("Bal Bal");
            let (slot, _) = table.id_or_insert("Divisional Staff", None);
            table.entity_at_mut(slot).expect("a slot just filled").kind_counts[EntityKind::Unit as usize] += 1;
        }
        assert!(!together.word_index_problems().is_empty(), "nothing is filed before the batch ends");
        together.file_deferred();
        assert_eq!(together.word_index_problems(), Vec::<String>::new());
        assert_eq!(one_by_one.word_index_problems(), Vec::<String>::new());
        assert_eq!(answers(&together), answers(&one_by_one));
        assert!(answers(&together).iter().any(|answer| answer.contains("Divisional Staff")));
    }

    #[test]
    fn search_chars_fold_like_fold_diacritics() {
        let text = "Mile Čalović, Balli Kombëtar, Đakovica";
        assert_eq!(search_chars(text).collect::<String>(), fold_diacritics(text).to_lowercase());
    }

    #[test]
    fn folding_keeps_letters_and_drops_marks() {
        assert_eq!(
            fold_diacritics("Mile Čalović, Balli Kombëtar, Đakovica, Božidar Janković, Peć"),
            "Mile Calovic, Balli Kombetar, Dakovica, Bozidar Jankovic, Pec"
        );
        assert!(matches!(fold_diacritics("Enver Hoxha"), Cow::Borrowed(_)));
    }
}
