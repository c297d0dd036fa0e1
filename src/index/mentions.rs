//! Finding mentions of known names in texts, and keeping them fresh cheaply.
//!
//! One aho-corasick automaton over every name (leftmost-longest, on word boundaries) is the
//! *base*. Building it for a large workspace takes a while (about 0.2 s for 100,000 names), so
//! when a few names come and go — a writer typing a commander's name in an infobox — the base
//! stays and a small *overlay* automaton holds the names added since, while a set filters the
//! names removed since. The base is rebuilt only when that delta grows large.
//!
//! Each file's mentions are cached with the generation of the names they were found with.
//! When names change, only the files that can be affected are scanned again: those that
//! mention a removed name (known from the inverted index) and those whose text contains an
//! added name (found with an automaton over just the added names); every other file's cache
//! is simply marked current.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::index::FileId;
use crate::syntax::TextRange;

/// A known name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub range: TextRange,
    pub name: Arc<str>,
}

/// Past this many names added or removed since the base was built, the base is rebuilt.
const OVERLAY_LIMIT: usize = 2_000;

/// How a set of names differs from a baseline set: exactly, as names come and go.
#[derive(Debug, Default, Clone)]
pub(crate) struct NameChanges {
    pub(crate) added: HashSet<Arc<str>>,
    pub(crate) removed: HashSet<Arc<str>>,
}

impl NameChanges {
    pub(crate) fn name_added(&mut self, name: &str) {
        if !self.removed.remove(name) {
            self.added.insert(Arc::from(name));
        }
    }

    pub(crate) fn name_removed(&mut self, name: &str) {
        if !self.added.remove(name) {
            self.removed.insert(Arc::from(name));
        }
    }

    fn len(&self) -> usize {
        self.added.len() + self.removed.len()
    }
}

/// An automaton with the names behind its pattern ids.
struct NameAutomaton {
    automaton: Option<AhoCorasick>,
    names: Vec<Arc<str>>,
}

impl NameAutomaton {
    fn build(mut names: Vec<Arc<str>>) -> NameAutomaton {
        names.sort();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(names.iter().map(|name| name.as_bytes()))
            .ok();
        NameAutomaton { automaton, names }
    }

    fn find(&self, text: &str, out: &mut Vec<Mention>, skip: &HashSet<Arc<str>>) {
        let Some(automaton) = &self.automaton else { return };
        for found in automaton.find_iter(text) {
            let name = &self.names[found.pattern().as_usize()];
            if on_word_boundaries(text, found.start(), found.end()) && !skip.contains(name) {
                out.push(Mention { range: TextRange::new(found.start(), found.end()), name: name.clone() });
            }
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.automaton.as_ref().is_some_and(|automaton| automaton.is_match(text))
    }
}

/// The names of one generation: the base automaton, the overlay and the removed names.
pub(crate) struct MentionMatcher {
    pub(crate) generation: u64,
    base: Arc<NameAutomaton>,
    overlay: Option<NameAutomaton>,
    removed: HashSet<Arc<str>>,
}

impl MentionMatcher {
    pub(crate) fn find_mentions(&self, text: &str) -> Vec<Mention> {
        let mut found = Vec::new();
        self.base.find(text, &mut found, &self.removed);
        let Some(overlay) = &self.overlay else { return found };
        overlay.find(text, &mut found, &HashSet::new());
        // Two non-overlapping lists: merge them, leftmost first, longest at a tie.
        found.sort_by_key(|mention| (mention.range.start, std::cmp::Reverse(mention.range.end)));
        let mut merged: Vec<Mention> = Vec::with_capacity(found.len());
        for mention in found {
            if merged.last().is_none_or(|last| last.range.end <= mention.range.start) {
                merged.push(mention);
            }
        }
        merged
    }
}

#[derive(Default)]
pub(crate) struct MentionCache {
    matcher: Option<Arc<MentionMatcher>>,
    /// The names as they differ from the current base automaton's.
    since_base: NameChanges,
    /// The names as they differ from the last time every file's mentions were current.
    since_warm: NameChanges,
    per_file: HashMap<FileId, (u64, Arc<[Mention]>)>,
    /// The inverse of `per_file`: for each name, the files whose cached mentions hold it.
    files_by_name: HashMap<Arc<str>, HashSet<FileId>>,
    /// The generation at which every file's mentions were last known current; `None` once a
    /// file or a name changed since. Lets a warm-up that has nothing to do return at once
    /// instead of visiting every file (hover asks on every request).
    all_current_at: Option<u64>,
}

impl MentionCache {
    /// True when every file's mentions are current for `generation`: nothing to warm.
    pub(crate) fn all_current(&self, generation: u64) -> bool {
        self.all_current_at == Some(generation)
    }

    // Before the first automaton or the first cached file there is nothing to differ from:
    // the first build takes every name (and a cold index adds a hundred thousand).
    pub(crate) fn name_added(&mut self, name: &str) {
        self.all_current_at = None;
        if self.matcher.is_some() {
            self.since_base.name_added(name);
        }
        if !self.per_file.is_empty() {
            self.since_warm.name_added(name);
        }
    }

    pub(crate) fn name_removed(&mut self, name: &str) {
        self.all_current_at = None;
        if self.matcher.is_some() {
            self.since_base.name_removed(name);
        }
        if !self.per_file.is_empty() {
            self.since_warm.name_removed(name);
        }
    }

    /// The matcher for `generation`, built from the overlay if the delta is small, else anew
    /// from `all_names`.
    pub(crate) fn matcher(
        &mut self,
        generation: u64,
        all_names: impl FnOnce() -> Vec<Arc<str>>,
    ) -> Arc<MentionMatcher> {
        if let Some(matcher) = &self.matcher
            && matcher.generation == generation
        {
            return matcher.clone();
        }
        let matcher = match &self.matcher {
            Some(previous) if self.since_base.len() <= OVERLAY_LIMIT => MentionMatcher {
                generation,
                base: previous.base.clone(),
                overlay: (!self.since_base.added.is_empty())
                    .then(|| NameAutomaton::build(self.since_base.added.iter().cloned().collect())),
                removed: self.since_base.removed.clone(),
            },
            _ => {
                self.since_base = NameChanges::default();
                MentionMatcher {
                    generation,
                    base: Arc::new(NameAutomaton::build(all_names())),
                    overlay: None,
                    removed: HashSet::new(),
                }
            }
        };
        let matcher = Arc::new(matcher);
        self.matcher = Some(matcher.clone());
        matcher
    }

    pub(crate) fn cached(&self, id: FileId, generation: u64) -> Option<Arc<[Mention]>> {
        self.per_file.get(&id).filter(|(cached, _)| *cached == generation).map(|(_, mentions)| mentions.clone())
    }

    pub(crate) fn store(&mut self, id: FileId, generation: u64, mentions: Arc<[Mention]>) {
        self.forget(id);
        for mention in mentions.iter() {
            self.files_by_name.entry(mention.name.clone()).or_default().insert(id);
        }
        self.per_file.insert(id, (generation, mentions));
    }

    pub(crate) fn forget(&mut self, id: FileId) {
        self.all_current_at = None;
        let Some((_, old)) = self.per_file.remove(&id) else { return };
        for mention in old.iter() {
            if let Some(files) = self.files_by_name.get_mut(&mention.name) {
                files.remove(&id);
                if files.is_empty() {
                    self.files_by_name.remove(&mention.name);
                }
            }
        }
    }

    pub(crate) fn files_mentioning(&self, name: &str) -> Vec<FileId> {
        let mut files: Vec<FileId> =
            self.files_by_name.get(name).map_or_else(Vec::new, |files| files.iter().copied().collect());
        files.sort();
        files
    }

    /// Which files must be scanned again to bring every cache to `generation`: files with no
    /// current cache that could be affected by the names changed since the last warm-up.
    /// Files that cannot be affected are marked current on the way. `texts` gives each
    /// file's text. Call [`MentionCache::warmed`] once the returned files are stored.
    pub(crate) fn plan_warm_up<'a>(
        &mut self,
        generation: u64,
        files: impl Iterator<Item = (FileId, &'a str)>,
    ) -> Vec<FileId> {
        let changes = &self.since_warm;
        let rescan_everything = changes.len() > OVERLAY_LIMIT;
        let added = (!changes.added.is_empty() && !rescan_everything)
            .then(|| NameAutomaton::build(changes.added.iter().cloned().collect()));
        let touched_by_removal: HashSet<FileId> =
            changes.removed.iter().filter_map(|name| self.files_by_name.get(name)).flatten().copied().collect();
        let mut to_scan = Vec::new();
        for (id, text) in files {
            match self.per_file.get_mut(&id) {
                Some((cached, _)) if *cached == generation => {}
                Some((cached, _))
                    if !rescan_everything
                        && !touched_by_removal.contains(&id)
                        && !added.as_ref().is_some_and(|added| added.is_match(text)) =>
                {
                    *cached = generation;
                }
                _ => to_scan.push(id),
            }
        }
        to_scan
    }

    pub(crate) fn warmed(&mut self, generation: u64) {
        self.since_warm = NameChanges::default();
        self.all_current_at = Some(generation);
    }
}

fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Arc<str>> {
        list.iter().map(|name| Arc::from(*name)).collect()
    }

    fn shown(mentions: &[Mention], text: &str) -> Vec<String> {
        mentions.iter().map(|m| format!("{}@{}", m.range.slice(text), m.range.start)).collect()
    }

    #[test]
    fn the_overlay_adds_names_and_the_filter_hides_removed_ones() {
        let mut cache = MentionCache::default();
        let base = cache.matcher(1, || names(&["Kosovo", "Enver Hoxha", "Tito"]));
        let text = "Tito and Enver Hoxha in Kosovo Polje with Mehmet Shehu.";
        assert_eq!(shown(&base.find_mentions(text), text), ["Tito@0", "Enver Hoxha@9", "Kosovo@24"]);
        cache.name_added("Kosovo Polje");
        cache.name_added("Mehmet Shehu");
        cache.name_removed("Tito");
        let next = cache.matcher(2, || unreachable!("a small change must not rebuild the base"));
        assert_eq!(shown(&next.find_mentions(text), text), ["Enver Hoxha@9", "Kosovo Polje@24", "Mehmet Shehu@42"]);
    }

    #[test]
    fn a_large_change_rebuilds_the_base() {
        let mut cache = MentionCache::default();
        cache.matcher(1, || names(&["A name"]));
        for index in 0..=OVERLAY_LIMIT {
            cache.name_added(&format!("Name {index}"));
        }
        let mut rebuilt = false;
        cache.matcher(2, || {
            rebuilt = true;
            names(&["A name"])
        });
        assert!(rebuilt);
    }

    #[test]
    fn warm_up_rescans_only_files_the_change_can_touch() {
        let mut cache = MentionCache::default();
        let texts = ["Tito spoke.", "Nobody here.", "Mehmet Shehu came."];
        let matcher = cache.matcher(1, || names(&["Tito"]));
        for (index, text) in texts.iter().enumerate() {
            cache.store(FileId(index as u32), 1, matcher.find_mentions(text).into());
        }
        cache.warmed(1);
        assert!(cache.all_current(1));
        cache.name_removed("Tito");
        cache.name_added("Mehmet Shehu");
        let to_scan =
            cache.plan_warm_up(2, texts.iter().enumerate().map(|(index, text)| (FileId(index as u32), *text)));
        assert_eq!(to_scan, [FileId(0), FileId(2)]);
        assert!(cache.cached(FileId(1), 2).is_some(), "the untouched file is current without a scan");
        assert!(!cache.all_current(2), "not before the rescanned files are stored");
    }
}
