//! The words of every known name, ordered, so that "which names have a word starting with
//! `calo`" is one range of a B-tree rather than a walk over every name. Completion narrows
//! its candidates with it and the near-spelling check finds names sharing a word.
//!
//! Words are compared as search compares them: lower case, without diacritics (`Čalović` is
//! stored as `calovic`), split on anything that is not a letter or a digit.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

use crate::index::workspace::Entity;

/// Every known name with its entity, in slots that a word index can point into without
/// hashing the name again: "which names have a word starting with `calo`" is one range of a
/// B-tree of (folded word, slot) pairs.
///
/// Every part is a persistent collection (`imbl`), so cloning the table for a new snapshot
/// costs a few pointer copies, and a change copies only the paths it touches. Entities sit
/// behind an `Arc` so that copying a chunk of slots copies pointers, not listing vectors.
#[derive(Debug, Default, Clone)]
pub(crate) struct NameTable {
    slots: imbl::Vector<Option<Arc<NameSlot>>>,
    ids: imbl::HashMap<Arc<str>, u32>,
    free: imbl::Vector<u32>,
    /// (folded word, slot); a name appears once per distinct word.
    words: imbl::OrdSet<(Arc<str>, u32)>,
    /// (folded first word, slot): which names could start with what is typed.
    first_words: imbl::OrdSet<(Arc<str>, u32)>,
}

#[derive(Debug, Clone)]
struct NameSlot {
    name: Arc<str>,
    entity: Entity,
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
        self.slots.get_mut(id as usize)?.as_mut().map(|slot| &mut Arc::make_mut(slot).entity)
    }

    /// The entity of a name, added empty if the name is new (the bool says so).
    pub(crate) fn get_or_insert(&mut self, name: &str) -> (&mut Entity, bool) {
        let (id, added) = match self.ids.get(name) {
            Some(&id) => (id, false),
            None => {
                let name: Arc<str> = Arc::from(name);
                let id = match self.free.pop_back() {
                    Some(id) => id,
                    None => {
                        self.slots.push_back(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                let words = name_words(&name);
                if let Some(first) = words.first() {
                    self.first_words.insert((first.as_str().into(), id));
                }
                for word in words {
                    self.words.insert((word.into(), id));
                }
                self.ids.insert(name.clone(), id);
                self.slots.set(id as usize, Some(Arc::new(NameSlot { name, entity: Entity::default() })));
                (id, true)
            }
        };
        let slot = self.slots.get_mut(id as usize).and_then(Option::as_mut).expect("a slot of a known name is filled");
        (&mut Arc::make_mut(slot).entity, added)
    }

    /// Forgets a name; returns it as it was stored.
    pub(crate) fn remove(&mut self, name: &str) -> Option<Arc<str>> {
        let id = self.ids.remove(name)?;
        let slot = self.slots.set(id as usize, None)?;
        let name = slot.name.clone();
        let words = name_words(&name);
        if let Some(first) = words.first() {
            self.first_words.remove(&(Arc::from(first.as_str()), id));
        }
        for word in words {
            self.words.remove(&(Arc::from(word.as_str()), id));
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
            .range(from..)
            .take_while(move |(word, _)| word.starts_with(&*prefix))
            .filter(move |&&(_, id)| seen.insert(id))
            .filter_map(|&(_, id)| self.slot(id).map(|slot| (&slot.name, &slot.entity)))
    }

    /// Names whose first word starts with `prefix` (already folded).
    pub(crate) fn with_first_word_starting<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a Arc<str>> + use<'a> {
        let prefix: Arc<str> = prefix.into();
        let from: (Arc<str>, u32) = (prefix.clone(), 0);
        self.first_words
            .range(from..)
            .take_while(move |(word, _)| word.starts_with(&*prefix))
            .filter_map(|&(_, id)| self.slot(id).map(|slot| &slot.name))
    }

    /// Names with exactly this (folded) word.
    pub(crate) fn with_word<'a>(&'a self, word: &str) -> impl Iterator<Item = &'a Arc<str>> + use<'a> {
        let word: Arc<str> = word.into();
        let from: (Arc<str>, u32) = (word.clone(), 0);
        self.words
            .range(from..)
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

    fn table(names: &[&str]) -> NameTable {
        let mut table = NameTable::default();
        for name in names {
            table.get_or_insert(name);
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
        let (_, added) = table.get_or_insert("2nd Division");
        assert!(added);
        assert!(!table.get_or_insert("2nd Division").1);
        assert_eq!(starting(&table, "2"), ["2nd Division"]);
        let first: Vec<&str> = table.with_first_word_starting("divis").map(|name| &**name).collect();
        assert_eq!(first, ["Division of Division", "Divisional Staff"]);
        assert_eq!(table.iter().count(), 3);
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
