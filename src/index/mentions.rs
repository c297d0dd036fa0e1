//! Finding mentions of known names in texts, and keeping that cheap across snapshots.
//!
//! One aho-corasick automaton over every name (leftmost-longest, on word boundaries) is the
//! *base*. Building it for a large workspace takes a while (about 0.2 s for 100,000 names), so
//! when a few names come and go — a writer typing a commander's name in an infobox — the base
//! stays and a small *overlay* automaton holds the names added since, while a set filters the
//! names removed since. The base is rebuilt only when that delta grows large. An alias
//! spelling (`seedls.toml` `[aliases]`) is one more pattern of its canonical name: a mention
//! of it is a mention of the canonical entity.
//!
//! The *mention index* says which files mention which name (name → sorted file ids). It is
//! all that is kept of the mentions: a file's mentions are found again when asked (the
//! automaton scans about a gigabyte a second), so no per-file lists sit in memory.
//!
//! Both are computed per snapshot, on first use, and from the nearest ancestor snapshot that
//! had them: a [`MentionLineage`] carries the ancestor's matcher and index and the exact
//! delta since (names added and removed, files changed). Bringing the index forward scans
//! only the files the delta can touch: the changed files, the files that mentioned a removed
//! name, and the files whose text contains an added name.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, Input, MatchKind};
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
    pub(crate) added: imbl::HashSet<Arc<str>>,
    pub(crate) removed: imbl::HashSet<Arc<str>>,
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

/// A match of one automaton.
struct Found {
    start: usize,
    end: usize,
    name: Arc<str>,
}

/// A pattern to look for and the entity name it stands for.
pub(crate) type Pattern = (Arc<str>, Arc<str>);

/// An automaton with the names behind its pattern ids.
struct NameAutomaton {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
}

impl NameAutomaton {
    fn build(mut patterns: Vec<Pattern>) -> NameAutomaton {
        patterns.sort();
        patterns.dedup_by(|a, b| a.0 == b.0);
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(patterns.iter().map(|(pattern, _)| pattern.as_bytes()))
                    .ok()
            })
            .flatten();
        NameAutomaton { automaton, patterns }
    }

    /// The leftmost-longest match starting at or after `from`.
    fn first_match(&self, text: &str, from: usize) -> Option<Found> {
        let automaton = self.automaton.as_ref()?;
        let found = automaton.find(Input::new(text).range(from..))?;
        Some(Found {
            start: found.start(),
            end: found.end(),
            name: self.patterns[found.pattern().as_usize()].1.clone(),
        })
    }

    /// The name of an exact pattern (patterns are sorted and unique).
    fn lookup(&self, pattern: &str) -> Option<&Arc<str>> {
        let at = self.patterns.binary_search_by(|(stored, _)| (**stored).cmp(pattern)).ok()?;
        Some(&self.patterns[at].1)
    }

    fn is_match(&self, text: &str) -> bool {
        self.automaton.as_ref().is_some_and(|automaton| automaton.is_match(text))
    }
}

/// The names of one snapshot: the base automaton, the overlay and the removed names.
pub(crate) struct MentionMatcher {
    base: Arc<NameAutomaton>,
    /// How the names differ from the base's.
    since_base: NameChanges,
    overlay: Option<NameAutomaton>,
}

impl MentionMatcher {
    /// A matcher built from scratch over `patterns`.
    pub(crate) fn new(patterns: Vec<Pattern>) -> MentionMatcher {
        MentionMatcher {
            base: Arc::new(NameAutomaton::build(patterns)),
            since_base: NameChanges::default(),
            overlay: None,
        }
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
            .then(|| NameAutomaton::build(since_base.added.iter().flat_map(patterns_of).collect()));
        Some(MentionMatcher { base: self.base.clone(), since_base, overlay })
    }

    /// The mentions in a text: leftmost-longest over every current pattern (a match that
    /// does not stand on word boundaries is dropped, and the text it covers too).
    ///
    /// The base and the overlay are searched side by side and the leftmost (longest at a
    /// tie) of their next matches is taken, then both go on from its end: exactly what one
    /// automaton over all the names would find. A base match of a removed name gives way to
    /// the longest current base pattern at the same start, else to the next base match.
    pub(crate) fn find_mentions(&self, text: &str) -> Vec<Mention> {
        let mut mentions = Vec::new();
        let mut from = 0;
        let mut next_base: Option<Found> = None;
        let mut next_overlay: Option<Found> = None;
        while from < text.len() {
            if next_base.as_ref().is_none_or(|found| found.start < from) {
                next_base = self.base_match(text, from);
            }
            if let Some(overlay) = &self.overlay
                && next_overlay.as_ref().is_none_or(|found| found.start < from)
            {
                next_overlay = overlay.first_match(text, from);
            }
            let take_base = match (&next_base, &next_overlay) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => (a.start, std::cmp::Reverse(a.end)) <= (b.start, std::cmp::Reverse(b.end)),
            };
            let chosen = if take_base { next_base.take() } else { next_overlay.take() };
            let Some(chosen) = chosen else { break };
            from = chosen.end;
            if on_word_boundaries(text, chosen.start, chosen.end) {
                mentions.push(Mention { range: TextRange::new(chosen.start, chosen.end), name: chosen.name });
            }
        }
        mentions
    }

    /// The base's next match at or after `from`, removed names given way (see `find_mentions`).
    fn base_match(&self, text: &str, mut from: usize) -> Option<Found> {
        loop {
            let found = self.base.first_match(text, from)?;
            if !self.since_base.removed.contains(&found.name) {
                return Some(found);
            }
            let start = found.start;
            let shorter = (start + 1..found.end).rev().filter(|&end| text.is_char_boundary(end)).find_map(|end| {
                let name = self.base.lookup(&text[start..end])?;
                (!self.since_base.removed.contains(name)).then(|| Found { start, end, name: name.clone() })
            });
            if shorter.is_some() {
                return shorter;
            }
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            if from >= text.len() {
                return None;
            }
        }
    }

    /// The distinct names a text mentions.
    fn names_in(&self, text: &str) -> HashSet<Arc<str>> {
        self.find_mentions(text).into_iter().map(|mention| mention.name).collect()
    }
}

/// Which files mention which name, for the texts of one snapshot.
pub(crate) struct MentionIndex {
    pub(crate) matcher: Arc<MentionMatcher>,
    /// The files the index was computed from: bringing it forward compares a changed file's
    /// old mentions with its new ones.
    files: imbl::Vector<Option<Arc<SourceFile>>>,
    /// Name → ids of the files that mention it, ascending.
    by_name: imbl::HashMap<Arc<str>, Arc<[u32]>>,
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

    fn build(matcher: Arc<MentionMatcher>, files: imbl::Vector<Option<Arc<SourceFile>>>) -> MentionIndex {
        let sources: Vec<(u32, Arc<SourceFile>)> =
            files.iter().enumerate().filter_map(|(index, file)| Some((index as u32, file.clone()?))).collect();
        let pairs: Vec<(Arc<str>, u32)> = sources
            .par_iter()
            .flat_map_iter(|(id, file)| matcher.names_in(&file.text).into_iter().map(move |name| (name, *id)))
            .collect();
        let mut grouped: HashMap<Arc<str>, Vec<u32>> = HashMap::new();
        for (name, id) in pairs {
            grouped.entry(name).or_default().push(id);
        }
        let by_name = grouped
            .into_iter()
            .map(|(name, mut ids)| {
                ids.sort_unstable();
                (name, Arc::from(ids))
            })
            .collect();
        MentionIndex { matcher, files, by_name }
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
            // An added name can appear in any text (and hide a shorter name it contains).
            let added = NameAutomaton::build(delta.names.added.iter().flat_map(patterns_of).collect());
            let sources: Vec<(u32, &Arc<SourceFile>)> = files
                .iter()
                .enumerate()
                .filter(|(index, _)| !affected.contains(&(*index as u32)))
                .filter_map(|(index, file)| Some((index as u32, file.as_ref()?)))
                .collect();
            let hit: Vec<u32> =
                sources.par_iter().filter(|(_, file)| added.is_match(&file.text)).map(|(id, _)| *id).collect();
            affected.extend(hit);
        }
        let mut affected: Vec<u32> = affected.into_iter().collect();
        affected.sort_unstable();
        let changes: Vec<NamesBeforeAndAfter> = affected
            .par_iter()
            .map(|&id| {
                let before = self.files.get(id as usize).cloned().flatten();
                let after = files.get(id as usize).cloned().flatten();
                let old = before.map(|file| self.matcher.names_in(&file.text)).unwrap_or_default();
                let new = after.map(|file| matcher.names_in(&file.text)).unwrap_or_default();
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
        MentionIndex { matcher, files, by_name }
    }
}

/// A file's id with the names it mentioned before a change and after it.
type NamesBeforeAndAfter = (u32, HashSet<Arc<str>>, HashSet<Arc<str>>);

/// What changed since an ancestor's mention index.
#[derive(Debug, Default, Clone)]
struct IndexDelta {
    names: NameChanges,
    files: imbl::HashSet<FileId>,
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

    /// The index if this snapshot computed it already.
    pub(crate) fn computed_index(&self) -> Option<&Arc<MentionIndex>> {
        self.index.index.get()
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
