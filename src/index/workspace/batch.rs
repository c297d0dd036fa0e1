//! Adding many files to a workspace at once: an indexing batch, or a slice of the cache's
//! pack on a warm start.
//!
//! Each entity takes its new articles and listings in one merge. A batch's listings are first
//! grouped by entity (a group number per distinct entity of the batch, found once per name,
//! then a counting sort), so that each entity's slot is touched once per batch.
//!
//! Files from a pack name their listings and links by index into the pack's list of names
//! ([`NameIndexes`]). What an index stands for in the name table (its entity's slot, the
//! table's copy) is worked out once for the whole start ([`PackNames`]), not once per batch,
//! and a listing then costs an array read: before, every listing was looked up by the
//! address of its name, and every batch looked each of its names up again by its text.

use std::sync::Arc;

use super::{FileId, NameRules, SourceFile, Workspace};
use crate::index::facts::EntityKind;

/// Files to add to a workspace together ([`Workspace::insert_batch`]).
#[derive(Default)]
pub struct Batch {
    files: Vec<(Arc<SourceFile>, Option<NameIndexes>)>,
    /// The names the files' [`NameIndexes`] point into.
    names: Option<Arc<PackNames>>,
    /// What the earlier batches of the same run found of the names they looked up by text.
    run: Option<Arc<parking_lot::Mutex<RunNames>>>,
}

/// What the batches of one indexing run found of the names they looked up by their text, for
/// the batches after: each name's slot in the name table, by the table's own copy of the name.
/// A name of a large workspace is met in most batches, and each batch looked it up in the
/// table again (the table's persistent map, the alias rules twice, a copy of the name for the
/// batch's own map): at 50,000 articles, 8 % of a cold start's CPU went to finding names.
///
/// As with [`PackNames`], what it remembers is checked, never trusted: an entry is used only
/// while the table stores that very copy in that slot (a name removed and added again is
/// another copy; this one, held here, is never freed and its address given to another), and
/// all of it is forgotten when the alias rules change. Only names that are their own
/// canonical spelling are kept.
#[derive(Default)]
pub struct RunNames {
    rules: Option<Arc<NameRules>>,
    slots: foldhash::HashMap<Arc<str>, u32>,
}

impl RunNames {
    /// A new, empty one, for the batches of one run to share.
    pub fn shared() -> Arc<parking_lot::Mutex<RunNames>> {
        Arc::default()
    }

    /// The slot of `name`, if an earlier batch found it there and the table still stores the
    /// same copy there.
    fn slot_of(&self, table: &crate::index::names::NameTable, name: &str) -> Option<(u32, Arc<str>)> {
        let (stored, &slot) = self.slots.get_key_value(name)?;
        table.stores_at(slot, stored).then(|| (slot, stored.clone()))
    }

    /// What a batch under `rules` may take: all of it, or nothing if the rules changed.
    fn under(mut self, rules: &Arc<NameRules>) -> RunNames {
        if !self.rules.as_ref().is_some_and(|known| Arc::ptr_eq(known, rules)) {
            self = RunNames { rules: Some(rules.clone()), slots: foldhash::HashMap::default() };
        }
        self
    }
}

impl Batch {
    /// Files parsed for this batch (their names are looked up by their text).
    pub fn new(files: Vec<Arc<SourceFile>>) -> Batch {
        Batch { files: files.into_iter().map(|file| (file, None)).collect(), names: None, run: None }
    }

    /// This batch, one of a run whose batches share what they found of their names (see
    /// [`RunNames`]).
    pub fn within_run(mut self, run: &Arc<parking_lot::Mutex<RunNames>>) -> Batch {
        self.run = Some(run.clone());
        self
    }

    /// Files decoded from a pack, each with the indexes of its names among `names`. Indexes
    /// that do not give exactly the file's names are dropped here (the file's names are then
    /// looked up by their text): a merge trusts the indexes a batch keeps.
    pub fn from_pack(names: Arc<PackNames>, files: Vec<(Arc<SourceFile>, NameIndexes)>) -> Batch {
        let files = files
            .into_iter()
            .map(|(file, indexes)| {
                let fit = names.indexes_fit(&file.facts, &indexes.0);
                (file, fit.then_some(indexes))
            })
            .collect();
        Batch { files, names: Some(names), run: None }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn files(&self) -> impl Iterator<Item = &Arc<SourceFile>> {
        self.files.iter().map(|(file, _)| file)
    }

    /// Keeps the files for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&SourceFile) -> bool) {
        self.files.retain(|(file, _)| keep(file));
    }

    /// The files from `at` on, taken out of this batch.
    pub fn split_off(&mut self, at: usize) -> Batch {
        Batch {
            files: self.files.split_off(at.min(self.files.len())),
            names: self.names.clone(),
            run: self.run.clone(),
        }
    }
}

/// A pack file's names as indexes into the pack's list of names ([`PackNames`]), as the pack
/// stores them: its article names (title, then aliases), its listings', its See-also links'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameIndexes(Box<[u32]>);

impl NameIndexes {
    pub fn new(indexes: Vec<u32>) -> NameIndexes {
        NameIndexes(indexes.into_boxed_slice())
    }

    /// The indexes, in the order above.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// The indexes of the names that make entities (articles' and listings'), given the
    /// file's facts.
    pub fn entity_names(&self, facts: &crate::index::FileFacts) -> &[u32] {
        let count = facts.article_names().count() + facts.listings.len();
        &self.0[..count.min(self.0.len())]
    }
}

/// A pack's list of names (one allocation per name, which every listing and link of it
/// shares), and what each stands for in the name table, worked out as batches meet them.
///
/// What it remembers is checked, never trusted: a name's slot is used in a later batch only
/// while the table stores the same allocation there (an edit between two batches may have
/// removed the name, and a slot freed is given to the next new name), and all of it is
/// forgotten when the alias rules change.
pub struct PackNames {
    names: Arc<[Arc<str>]>,
    resolved: parking_lot::Mutex<Resolutions>,
}

impl PackNames {
    pub fn new(names: Arc<[Arc<str>]>) -> PackNames {
        let count = names.len();
        let resolved = Resolutions {
            rules: None,
            generation_after: None,
            all_hold: false,
            batch: 0,
            met: vec![Met::default(); count],
            link_batch: vec![0; count],
            names: vec![None; count],
        };
        PackNames { names, resolved: parking_lot::Mutex::new(resolved) }
    }

    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// True if `indexes` give each name of `facts` in [`NameIndexes`]' order, and the very
    /// copy a listing or link holds.
    fn indexes_fit(&self, facts: &crate::index::FileFacts, indexes: &[u32]) -> bool {
        let articles = facts.article_names().count();
        let texts_fit = facts
            .article_names()
            .zip(indexes)
            .all(|(name, &index)| self.names.get(index as usize).is_some_and(|shared| **shared == *name));
        let shared =
            facts.listings.iter().map(|listing| &listing.name).chain(facts.see_also.iter().map(|link| &link.name));
        indexes.len() == articles + facts.listings.len() + facts.see_also.len()
            && texts_fit
            && shared
                .zip(&indexes[articles..])
                .all(|(name, &index)| self.names.get(index as usize).is_some_and(|shared| Arc::ptr_eq(shared, name)))
    }
}

impl std::fmt::Debug for PackNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackNames").field("names", &self.names.len()).finish()
    }
}

struct Resolutions {
    /// The alias rules the resolutions were made under.
    rules: Option<Arc<NameRules>>,
    /// The names generation of the workspace the last batch was merged into, after it.
    generation_after: Option<u64>,
    /// The workspace of this batch is the last batch's, its names unchanged since: every
    /// resolution holds (nothing to check).
    all_hold: bool,
    /// The batch being merged (counted from 1).
    batch: u32,
    /// Per name, read for every listing: small (8 bytes), so that most reads hit the cache.
    met: Vec<Met>,
    /// Per name: the last batch that met it as a See-also link's.
    link_batch: Vec<u32>,
    /// Per name: its entity's slot and name, and the table's copy of the name itself, once
    /// known.
    names: Vec<Option<Resolved>>,
}

/// What the batch being merged knows of a name as an entity's (an article's or listing's).
#[derive(Clone, Copy, Default)]
struct Met {
    /// The last batch that met it so.
    batch: u32,
    /// Its entity's group in that batch, with [`REPOINT`] set if the table holds another
    /// copy of the name, which the files' listings take.
    group: u32,
}

const REPOINT: u32 = 1 << 31;

#[derive(Clone)]
struct Resolved {
    slot: u32,
    /// The name in the slot, as the table stores it: the resolution holds while it is there.
    slot_name: Arc<str>,
    /// The table's copy of the name itself (none for an alias spelling).
    stored: Option<Arc<str>>,
    /// `stored` is not the pack's copy: a listing takes it.
    repoint: bool,
}

impl Resolutions {
    /// Starts a batch of a workspace with these rules and names generation.
    fn begin(&mut self, rules: &Arc<NameRules>, generation: u64) {
        if !self.rules.as_ref().is_some_and(|known| Arc::ptr_eq(known, rules)) {
            self.names.fill(None);
            self.link_batch.fill(0);
            self.rules = Some(rules.clone());
        }
        self.all_hold = self.generation_after == Some(generation);
        self.batch = match self.batch.checked_add(1) {
            Some(batch) => batch,
            None => {
                self.met.fill(Met::default());
                self.link_batch.fill(0);
                1
            }
        };
    }
}

/// The names a batch met by their text or address, with their entity's slot and group and
/// the table's copy (see [`Workspace::names_of`]). `by_address` holds a handle of each name
/// it has the address of, so that no address is freed, and given to another name, while the
/// batch runs.
#[derive(Default)]
struct KnownNames {
    by_text: foldhash::HashMap<Arc<str>, Names>,
    by_address: foldhash::HashMap<usize, (Arc<str>, Names)>,
    /// See-also names by address that no listing of the batch has (yet): the table's copy.
    links: foldhash::HashMap<usize, (Arc<str>, Option<Arc<str>>)>,
    /// What the run's earlier batches found, if the batch is one of a run (taken from the
    /// run for the batch's merge, and given back after it).
    run: Option<RunNames>,
}

impl KnownNames {
    /// The table's copy of a See-also name, if the table has it; found by its address when
    /// the name is shared, as [`Workspace::names_of_shared`] does.
    fn interned(&mut self, table: &crate::index::names::NameTable, name: &Arc<str>) -> Option<Arc<str>> {
        if Arc::strong_count(name) == 1 {
            return table.interned(name).cloned();
        }
        let address = Arc::as_ptr(name) as *const u8 as usize;
        if let Some((_, names)) = self.by_address.get(&address) {
            return names.stored.clone();
        }
        let stored = table.interned(name).cloned();
        self.links.entry(address).or_insert_with(|| (name.clone(), stored)).1.clone()
    }
}

/// A name as the name table stores it, and its entity (another name's for an alias spelling).
#[derive(Clone)]
struct Names {
    stored: Option<Arc<str>>,
    /// The entity's group in the batch.
    group: u32,
}

/// The entities a batch adds to, numbered from 0 as met, and what it adds to each.
#[derive(Default)]
struct Groups {
    of_slot: foldhash::HashMap<u32, u32>,
    /// The slot of each group's entity.
    slots: Vec<u32>,
    /// (group, file) for each article name.
    articles: Vec<(u32, FileId)>,
    /// (group, file, index of the listing in the file, kind) for each listing.
    listings: Vec<(u32, FileId, u32, EntityKind)>,
}

impl Groups {
    fn of_slot(&mut self, slot: u32) -> u32 {
        let next = self.slots.len() as u32;
        let group = *self.of_slot.entry(slot).or_insert(next);
        if group == next {
            self.slots.push(slot);
        }
        group
    }
}

/// `items` in the order of their group (stable: each group's items as they came), and where
/// each group starts: group `g` is `sorted[starts[g]..starts[g + 1]]`. A counting sort: two
/// passes, no hashing.
fn by_group<T: Copy>(groups: usize, items: &[T], group: impl Fn(&T) -> u32) -> (Vec<usize>, Vec<T>) {
    let mut starts = vec![0usize; groups + 1];
    for item in items {
        starts[group(item) as usize + 1] += 1;
    }
    for index in 1..starts.len() {
        starts[index] += starts[index - 1];
    }
    let mut next = starts.clone();
    let mut sorted = items.to_vec();
    for item in items {
        let at = &mut next[group(item) as usize];
        sorted[*at] = *item;
        *at += 1;
    }
    (starts, sorted)
}

/// How a sorted list takes new items.
enum Merged<T> {
    /// They all come after it: appended in place (no new allocation for the whole list,
    /// which batch after batch left the allocator fragmented).
    Append(Vec<T>),
    /// The whole list, merged.
    Replace(Vec<T>),
}

impl<T> Merged<T> {
    fn apply_to(self, list: &mut Vec<T>) {
        match self {
            Merged::Append(added) => list.extend(added),
            Merged::Replace(merged) => *list = merged,
        }
    }
}

/// `old` (sorted by `key`) with `added` merged in, in one pass. New files usually come after
/// the old ones in path order: then it is an append.
fn merge_sorted<T: Copy, K: Ord>(old: &[T], mut added: Vec<T>, key: impl Fn(&T) -> K) -> Merged<T> {
    added.sort_by_cached_key(&key);
    if old.last().zip(added.first()).is_none_or(|(last, first)| key(last) <= key(first)) {
        return Merged::Append(added);
    }
    let mut merged = Vec::with_capacity(old.len() + added.len());
    let mut added = added.into_iter().peekable();
    for item in old {
        while let Some(next) = added.next_if(|next| key(next) < key(item)) {
            merged.push(next);
        }
        merged.push(*item);
    }
    merged.extend(added);
    Merged::Replace(merged)
}

impl Workspace {
    /// Adds files parsed elsewhere (the server parses off its lock, in parallel).
    pub fn insert_files(&mut self, files: Vec<Arc<SourceFile>>) {
        self.insert_batch(Batch::new(files));
    }

    /// Adds a batch of files: those the workspace has replace theirs one by one, the new ones
    /// go in together ([`Workspace::insert_new_files`]).
    pub fn insert_batch(&mut self, mut batch: Batch) {
        // A path given twice: its last text wins, as file by file. (Paths in ascending order,
        // as the server's batches come, are each given once.)
        if !batch.files.windows(2).all(|pair| pair[0].0.path < pair[1].0.path) {
            let mut seen = std::collections::HashSet::new();
            batch.files.reverse();
            batch.files.retain(|(file, _)| seen.insert(file.path.clone()));
            batch.files.reverse();
        }
        let (new, known): (Vec<_>, Vec<_>) =
            batch.files.into_iter().partition(|(file, _)| !self.ids.contains_key(file.path.as_ref()));
        for (file, _) in known {
            self.insert_parsed(file);
        }
        self.insert_new_files(new, batch.names.as_deref(), batch.run.as_deref());
    }

    /// Adds files the workspace does not have yet, all at once: each entity takes its new
    /// articles and listings in one merge, where one binary search and one insertion per
    /// listing (what [`Workspace::contribute`] does for a single file) made indexing 50,000
    /// articles spend seconds under the server's lock. Entities are created in the same order
    /// as file by file, so the result is the same.
    fn insert_new_files(
        &mut self,
        files: Vec<(Arc<SourceFile>, Option<NameIndexes>)>,
        pack: Option<&PackNames>,
        run: Option<&parking_lot::Mutex<RunNames>>,
    ) {
        if files.len() < 2 {
            for (file, _) in files {
                self.insert_parsed(file);
            }
            return;
        }
        // Paths ascending and after every path so far: ids follow paths, and each entity's new
        // articles and listings (gathered below in id order) go after its old ones as they are.
        let in_order = self.last_path_in_order.as_deref().is_some_and(|last| last < files[0].0.path.as_ref())
            && files.windows(2).all(|pair| pair[0].0.path < pair[1].0.path);
        self.last_path_in_order = if in_order { files.last().map(|(file, _)| file.path.clone()) } else { None };
        let mut groups = Groups::default();
        // Each distinct name of the batch is looked up in the name table once (a large batch
        // names the same commander hundreds of times), a pack's once for the whole start.
        let mut known = KnownNames {
            run: run.map(|run| std::mem::take(&mut *run.lock()).under(&self.rules)),
            ..KnownNames::default()
        };
        let mut resolved = pack.map(|pack| {
            let mut resolved = pack.resolved.lock();
            resolved.begin(&self.rules, self.names_generation);
            (pack, resolved)
        });
        // The batch's new names are filed in the word indexes together, at the end.
        self.entities.defer_filing();
        for (mut file, indexes) in files {
            let id = self.new_file_id();
            self.ids.insert(file.path.clone(), id);
            // Indexes a batch keeps fit their file (`Batch::from_pack`).
            let mut pack = match (&mut resolved, &indexes) {
                (Some((names, resolved)), Some(indexes)) => Some((*names, &mut **resolved, indexes.as_slice())),
                _ => None,
            };
            let facts = &file.facts;
            let articles = facts.article_names().count();
            for (index, name) in facts.article_names().enumerate() {
                let group = match &mut pack {
                    Some((names, resolved, indexes)) => {
                        self.pack_entity(names, resolved, indexes[index], &mut groups).0
                    }
                    None => self.names_of(&mut known, &mut groups, name, None).group,
                };
                groups.articles.push((group, id));
            }
            let mut repoint = Vec::new();
            for (index, listing) in facts.listings.iter().enumerate() {
                let (group, stored) = match &mut pack {
                    Some((names, resolved, indexes)) => {
                        self.pack_entity(names, resolved, indexes[articles + index], &mut groups)
                    }
                    None => {
                        let names = self.names_of_shared(&mut known, &mut groups, &listing.name);
                        let other = names.stored.as_ref().filter(|stored| !Arc::ptr_eq(stored, &listing.name));
                        (names.group, other.cloned())
                    }
                };
                groups.listings.push((group, id, index as u32, listing.kind));
                // A file parsed for this batch alone shares the table's copies of its names.
                // A pack's copy is most often the table's already: nothing to change then.
                if let Some(stored) = stored {
                    repoint.push((index, stored));
                }
            }
            if let Some(parsed) = Arc::get_mut(&mut file) {
                for (index, stored) in repoint {
                    parsed.facts.listings[index].name = stored;
                }
                let before_links = articles + parsed.facts.listings.len();
                for (index, link) in parsed.facts.see_also.iter_mut().enumerate() {
                    let stored = match &mut pack {
                        Some((names, resolved, indexes)) => {
                            self.pack_link(names, resolved, indexes[before_links + index])
                        }
                        None => known.interned(&self.entities, &link.name),
                    };
                    if let Some(stored) = stored.filter(|stored| !Arc::ptr_eq(stored, &link.name)) {
                        link.name = stored;
                    }
                }
            }
            self.put_file(id, Some(file));
            self.mentions.file_changed(id);
        }
        if let Some((_, resolved)) = &mut resolved {
            resolved.generation_after = Some(self.names_generation);
        }
        drop(resolved);
        if let (Some(run), Some(found)) = (run, known.run.take()) {
            *run.lock() = found;
        }
        self.merge_groups(groups, in_order);
        self.entities.file_deferred();
    }

    /// Each group's articles and listings merged into its entity's.
    fn merge_groups(&mut self, groups: Groups, in_order: bool) {
        let count = groups.slots.len();
        let (article_starts, articles) = by_group(count, &groups.articles, |item| item.0);
        let (listing_starts, listings) = by_group(count, &groups.listings, |item| item.0);
        for (group, &slot) in groups.slots.iter().enumerate() {
            // The files are new: no entity has their ids yet. A file whose title is also its
            // alias (or two aliases of one entity) counts once.
            let mut added_articles: Vec<FileId> =
                articles[article_starts[group]..article_starts[group + 1]].iter().map(|&(_, id)| id).collect();
            added_articles.dedup();
            let listed = &listings[listing_starts[group]..listing_starts[group + 1]];
            let added_listings = listed.iter().map(|&(_, id, index, _)| (id, index));
            if in_order {
                // Appended in place: the entity's slot is reached once.
                let Some(entity) = self.entities.entity_at_mut(slot) else { continue };
                entity.articles.extend(added_articles);
                entity.listings.extend(added_listings);
                for &(_, _, _, kind) in listed {
                    entity.kind_counts[kind as usize] += 1;
                }
                continue;
            }
            let Some(entity) = self.entities.entity_at(slot) else { continue };
            let path = |id: FileId| self.file(id).map_or("", |file| file.path.as_ref());
            let merged_articles = merge_sorted(&entity.articles, added_articles, |&id| path(id));
            let merged_listings =
                merge_sorted(&entity.listings, added_listings.collect(), |&(id, index)| (path(id), index));
            if let Some(entity) = self.entities.entity_at_mut(slot) {
                merged_articles.apply_to(&mut entity.articles);
                merged_listings.apply_to(&mut entity.listings);
                for &(_, _, _, kind) in listed {
                    entity.kind_counts[kind as usize] += 1;
                }
            }
        }
    }

    /// The group of the entity of a pack's name `index` (an article's or a listing's), and
    /// the table's copy of the name if a listing must take it: worked out the first time a
    /// batch meets it, from what an earlier batch found while that still holds.
    fn pack_entity(
        &mut self,
        names: &PackNames,
        resolved: &mut Resolutions,
        index: u32,
        groups: &mut Groups,
    ) -> (u32, Option<Arc<str>>) {
        let at = index as usize;
        let met = resolved.met[at];
        let stored = |resolved: &Resolutions| resolved.names[at].as_ref().and_then(|it| it.stored.clone());
        if met.batch == resolved.batch {
            let repoint = met.group & REPOINT != 0;
            return (met.group & !REPOINT, if repoint { stored(resolved) } else { None });
        }
        // What an earlier batch found, if it holds; a link's name found in this batch does (a
        // batch adds names, it removes none).
        let known = match &resolved.names[at] {
            Some(it) => resolved.all_hold || resolved.link_batch[at] == resolved.batch || self.holds(it),
            None => false,
        };
        if !known {
            let name = &names.names[at];
            let (slot_name, slot) = self.ensure_entity(name, Some(name));
            let stored = self.stored_copy(name, &slot_name);
            let repoint = stored.as_ref().is_some_and(|stored| !Arc::ptr_eq(stored, name));
            resolved.names[at] = Some(Resolved { slot, slot_name, stored, repoint });
        }
        let it = resolved.names[at].as_ref().expect("resolved above");
        let group = groups.of_slot(it.slot);
        let repoint = it.repoint;
        resolved.met[at] = Met { batch: resolved.batch, group: group | if repoint { REPOINT } else { 0 } };
        (group, if repoint { stored(resolved) } else { None })
    }

    /// The table's copy of a pack's name `index` as a See-also link's, if the table has it
    /// (a link adds no entity).
    fn pack_link(&self, names: &PackNames, resolved: &mut Resolutions, index: u32) -> Option<Arc<str>> {
        let at = index as usize;
        // Met as an entity's, or as a link's, in this batch: what was found holds (a batch
        // adds names, it removes none).
        if resolved.met[at].batch != resolved.batch && resolved.link_batch[at] != resolved.batch {
            // A name no entity had when an earlier batch looked: not looked up again (one
            // that gets an entity from a pack's file is resolved then). A link that misses a
            // name added otherwise only keeps its own copy.
            let looked_up = resolved.link_batch[at] != 0;
            resolved.link_batch[at] = resolved.batch;
            if looked_up && resolved.names[at].is_none() {
                return None;
            }
            if !resolved.names[at].as_ref().is_some_and(|it| resolved.all_hold || self.holds(it)) {
                let name = &names.names[at];
                // The name's own slot: its entity's, as a name that has a slot is canonical.
                resolved.names[at] = self.entities.slot_of(name).and_then(|slot| {
                    let slot_name = self.entities.name_at(slot)?.clone();
                    let repoint = !Arc::ptr_eq(&slot_name, name);
                    Some(Resolved { slot, stored: Some(slot_name.clone()), slot_name, repoint })
                });
            }
        }
        resolved.names[at].as_ref().and_then(|it| it.stored.clone())
    }

    /// True while the name table stores the resolution's name in its slot.
    fn holds(&self, resolved: &Resolved) -> bool {
        self.entities.stores_at(resolved.slot, &resolved.slot_name)
    }

    /// The table's copy of a name whose entity's name is stored as `canonical`: that very
    /// copy unless the name is an alias spelling.
    fn stored_copy(&self, name: &str, canonical: &Arc<str>) -> Option<Arc<str>> {
        if self.rules.canonical(name) == name { Some(canonical.clone()) } else { self.entities.interned(name).cloned() }
    }

    /// The entity of a name (added if new, as [`Workspace::contribute`] does), its group in
    /// the batch and the table's copies of it, remembered in `known` for the rest of a batch.
    /// `copy` is a copy of the name the table may keep (see [`Workspace::ensure_entity`]).
    fn names_of<'a>(
        &mut self,
        known: &'a mut KnownNames,
        groups: &mut Groups,
        name: &str,
        copy: Option<&Arc<str>>,
    ) -> &'a Names {
        // One hash of the name for a name seen before in the batch (most are), one lookup in
        // the table for the rest.
        if known.by_text.contains_key(name) {
            return &known.by_text[name];
        }
        // Found by an earlier batch of the run: the name is its own canonical spelling, and
        // the table's copy is the one stored.
        if let Some((slot, stored)) = known.run.as_ref().and_then(|run| run.slot_of(&self.entities, name)) {
            let group = groups.of_slot(slot);
            return known.by_text.entry(stored.clone()).or_insert(Names { stored: Some(stored), group });
        }
        let (canonical, slot) = self.ensure_entity(name, copy);
        let stored = self.stored_copy(name, &canonical);
        let group = groups.of_slot(slot);
        let key = match &stored {
            Some(stored) if Arc::ptr_eq(stored, &canonical) => {
                if let Some(run) = &mut known.run {
                    run.slots.insert(canonical.clone(), slot);
                }
                canonical
            }
            _ => Arc::from(name),
        };
        known.by_text.entry(key).or_insert(Names { stored, group })
    }

    /// [`Workspace::names_of`] for a name that may be one allocation shared by many files:
    /// found by its address, with no hash of its text, once met.
    fn names_of_shared<'a>(&mut self, known: &'a mut KnownNames, groups: &mut Groups, name: &Arc<str>) -> &'a Names {
        // A name parsed for one file has no other handle: looking it up by address would
        // only add a miss.
        if Arc::strong_count(name) == 1 {
            return self.names_of(known, groups, name, None);
        }
        let address = Arc::as_ptr(name) as *const u8 as usize;
        if !known.by_address.contains_key(&address) {
            let names = self.names_of(known, groups, name, Some(name)).clone();
            known.by_address.insert(address, (name.clone(), names));
        }
        &known.by_address[&address].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::pack::{PackEntryRef, encode_pack, open_pack};
    use crate::index::shard::{FileStamp, content_hash};
    use crate::index::workspace::tests::described;

    fn article(title: &str, commanders: &str, see_also: &str) -> String {
        format!("= {title} =\n\nInfobox\n- Commander1: {commanders}\n- Commander2: Tito\n\nSee also\n{see_also}\n")
    }

    /// The pack of `texts`.
    fn pack_of(texts: &[(String, String)]) -> Vec<u8> {
        let facts: Vec<_> =
            texts.iter().map(|(path, text)| SourceFile::indexed(path.clone(), Arc::from(text.as_str()))).collect();
        let stamp = FileStamp { size: 1, modified_secs: 1, modified_nanos: 0 };
        let refs: Vec<PackEntryRef<'_>> = facts.iter().map(|file| PackEntryRef::of(file, stamp)).collect();
        encode_pack(&refs).expect("a pack")
    }

    /// The files of `texts` as a pack gives them back (one copy of each name, which every
    /// listing and link shares), in batches of `per_batch`.
    fn pack_batches(texts: &[(String, String)], per_batch: usize) -> Vec<Batch> {
        let bytes = pack_of(texts);
        let reader = open_pack(&bytes).expect("our own pack");
        batches_of(&reader, texts, per_batch)
    }

    /// The files of the pack `reader` reads, in batches of `per_batch`.
    fn batches_of(
        reader: &crate::index::pack::PackReader<'_>,
        texts: &[(String, String)],
        per_batch: usize,
    ) -> Vec<Batch> {
        (0..reader.len())
            .step_by(per_batch)
            .map(|start| {
                let entries = reader.decode_named(start..start + per_batch).expect("entries");
                let files = entries
                    .into_iter()
                    .map(|(entry, indexes)| {
                        let text = &texts.iter().find(|(path, _)| *path == entry.path).expect("a text").1;
                        assert_eq!(entry.content_hash, content_hash(text));
                        (Arc::new(SourceFile::with_facts(entry.path, Arc::from(text.as_str()), entry.facts)), indexes)
                    })
                    .collect();
                Batch::from_pack(reader.names().clone(), files)
            })
            .collect()
    }

    fn corpus() -> Vec<(String, String)> {
        let mut texts = Vec::new();
        for index in 0..12 {
            let commanders = match index % 3 {
                0 => "Enver Hoxha, Mehmet Shehu",
                1 => "Hoxha, Spiro Moisiu",
                _ => "Mehmet Shehu, Enver Hoxha",
            };
            // Links to earlier and later articles, and to none.
            let see_also = format!("- Battle {}\n- Battle {}\n- Nowhere\n", index / 2, (index + 5) % 12);
            texts.push((format!("/w/{index:02}.txt"), article(&format!("Battle {index}"), commanders, &see_also)));
        }
        texts
    }

    fn with_aliases(mut workspace: Workspace) -> Workspace {
        workspace.set_name_rules(vec![("Hoxha".into(), "Enver Hoxha".into())], Vec::new());
        workspace
    }

    #[test]
    fn slices_of_a_pack_index_as_one_by_one() {
        let texts = corpus();
        let mut sliced = with_aliases(Workspace::default());
        for batch in pack_batches(&texts, 5) {
            sliced.insert_batch(batch);
        }
        let mut one_by_one = with_aliases(Workspace::default());
        for (path, text) in &texts {
            one_by_one.set_indexed_file(path, Arc::from(text.as_str()));
        }
        assert_eq!(described(&sliced), described(&one_by_one));
        assert!(sliced.consistency_report().is_empty(), "{:?}", sliced.consistency_report());
        // A link to an article of a later slice too: the table keeps the pack's copy of a title.
        assert_eq!(sliced.names_not_shared(), 0, "listings and known links share the table's copies");
        let listed = sliced.files().flat_map(|(_, file)| &file.facts.listings).filter(|l| &*l.name == "Mehmet Shehu");
        let stored = sliced.entities.interned("Mehmet Shehu").expect("an entity");
        assert!(listed.into_iter().all(|listing| Arc::ptr_eq(&listing.name, stored)));
    }

    #[test]
    fn a_name_an_edit_removed_between_two_slices_is_looked_up_again() {
        let workspace = edited_between_batches(pack_batches(&corpus(), 4));
        let moisiu = workspace.entity("Spiro Moisiu").expect("listed in the later slices");
        assert_eq!(moisiu.listings.len(), 8 / 3 + 1, "files 4, 7 and 10 list him");
        assert!(workspace.entity("Kosta Kota").is_some());
    }

    #[test]
    fn a_slice_merged_into_a_copy_that_was_dropped_is_merged_into_the_workspace_as_new() {
        // As the server does when a keystroke came while a slice merged into a copy: the copy
        // goes, and the slice is merged into the workspace again.
        let texts = corpus();
        let bytes = pack_of(&texts);
        let reader = open_pack(&bytes).expect("our own pack");
        let mut first = batches_of(&reader, &texts, 6).into_iter();
        let mut again = batches_of(&reader, &texts, 6).into_iter().skip(1);
        let mut workspace = with_aliases(Workspace::default());
        workspace.insert_batch(first.next().expect("a first slice"));
        let mut copy = workspace.clone();
        copy.insert_batch(first.next().expect("a second slice"));
        drop(copy);
        // The keystroke changed no name: the workspace is as it was before the copy.
        let edited = texts[0].1.replace("= Battle 0 =", "= Battle 0 =\n\nProse.");
        workspace.set_file("/w/00.txt", Arc::from(edited.as_str()));
        workspace.insert_batch(again.next().expect("the second slice again"));
        assert!(workspace.consistency_report().is_empty(), "{:?}", workspace.consistency_report());
        assert_eq!(workspace.names_not_shared(), 0);
    }

    /// `texts` parsed, in batches of `per_batch` of one run (or of none).
    fn parsed_batches(
        texts: &[(String, String)],
        per_batch: usize,
        run: Option<&Arc<parking_lot::Mutex<RunNames>>>,
    ) -> Vec<Batch> {
        texts
            .chunks(per_batch)
            .map(|chunk| {
                let files = chunk
                    .iter()
                    .map(|(path, text)| Arc::new(SourceFile::indexed(path.clone(), Arc::from(text.as_str()))))
                    .collect();
                let batch = Batch::new(files);
                match run {
                    Some(run) => batch.within_run(run),
                    None => batch,
                }
            })
            .collect()
    }

    #[test]
    fn parsed_batches_of_one_run_index_as_one_by_one() {
        let texts = corpus();
        let run = RunNames::shared();
        let mut batched = with_aliases(Workspace::default());
        for batch in parsed_batches(&texts, 5, Some(&run)) {
            batched.insert_batch(batch);
        }
        let mut one_by_one = with_aliases(Workspace::default());
        for (path, text) in &texts {
            one_by_one.set_indexed_file(path, Arc::from(text.as_str()));
        }
        assert_eq!(described(&batched), described(&one_by_one));
        assert!(batched.consistency_report().is_empty(), "{:?}", batched.consistency_report());
        // Listings share the table's copies as much as without the run (links to articles of
        // later batches keep their own).
        let mut alone = with_aliases(Workspace::default());
        for batch in parsed_batches(&texts, 5, None) {
            alone.insert_batch(batch);
        }
        assert_eq!(batched.names_not_shared(), alone.names_not_shared());
        // The run kept the names that are their own spelling, by the table's copies, and not
        // the alias spelling.
        let remembered = &run.lock().slots;
        let (kept, _) = remembered.get_key_value("Mehmet Shehu").expect("a name of every batch");
        assert!(Arc::ptr_eq(kept, batched.entities.interned("Mehmet Shehu").expect("an entity")));
        assert!(!remembered.contains_key("Hoxha"));
    }

    /// The corpus, given in `batches` (of four files), where edits between the first two
    /// remove names (one slot given to another name, one name added again as a new copy) and
    /// the alias rules change before the third (every entity is derived again, under new
    /// copies of the names).
    fn edited_between_batches(batches: Vec<Batch>) -> Workspace {
        let texts = corpus();
        let mut batches = batches.into_iter();
        let mut workspace = with_aliases(Workspace::default());
        workspace.insert_batch(batches.next().expect("a first batch"));
        // Every listing of `Spiro Moisiu` so far goes, and its slot is given to a new name;
        // `Mehmet Shehu`'s goes and comes back as a new allocation.
        for (path, text) in &texts[..4] {
            let edited = text.replace("Spiro Moisiu", "Kosta Kota").replace("Mehmet Shehu", "Nobody");
            workspace.set_file(path, Arc::from(edited.as_str()));
        }
        assert!(workspace.entity("Spiro Moisiu").is_none() && workspace.entity("Mehmet Shehu").is_none());
        workspace.set_file("/w/zz.txt", Arc::from(article("Last", "Mehmet Shehu", "").as_str()));
        workspace.insert_batch(batches.next().expect("a second batch"));
        assert!(workspace.consistency_report().is_empty(), "{:?}", workspace.consistency_report());
        let rules = vec![("Hoxha".into(), "Enver Hoxha".into()), ("Tito".into(), "Josip Tito".into())];
        workspace.set_name_rules(rules, Vec::new());
        for batch in batches {
            workspace.insert_batch(batch);
        }
        assert!(workspace.consistency_report().is_empty(), "{:?}", workspace.consistency_report());
        workspace
    }

    #[test]
    fn a_name_an_edit_removed_between_two_batches_of_a_run_is_looked_up_again() {
        let texts = corpus();
        let run = RunNames::shared();
        let workspace = edited_between_batches(parsed_batches(&texts, 4, Some(&run)));
        let moisiu = workspace.entity("Spiro Moisiu").expect("listed in the later batches");
        assert_eq!(moisiu.listings.len(), 8 / 3 + 1, "files 4, 7 and 10 list him");
        assert!(workspace.entity("Kosta Kota").is_some());
        assert!(workspace.entity("Josip Tito").is_some());
        let alone = edited_between_batches(parsed_batches(&texts, 4, None));
        assert_eq!(described(&workspace), described(&alone));
        assert_eq!(workspace.names_not_shared(), alone.names_not_shared());
    }

    #[test]
    fn indexes_that_do_not_name_a_file_own_copies_are_not_used() {
        let texts = corpus();
        let mut batches = pack_batches(&texts, 12);
        let batch = batches.pop().expect("one batch");
        // The first file's title is right, but its first two listings' names are swapped; the
        // second file's indexes miss one; the third's title is another name.
        let files = batch
            .files
            .into_iter()
            .enumerate()
            .map(|(position, (file, indexes))| {
                let mut indexes = indexes.expect("a pack's").as_slice().to_vec();
                match position {
                    0 => indexes.swap(1, 2),
                    1 => drop(indexes.pop()),
                    2 => indexes[0] = indexes[1],
                    _ => {}
                }
                (file, NameIndexes::new(indexes))
            })
            .collect();
        let mut workspace = with_aliases(Workspace::default());
        workspace.insert_batch(Batch::from_pack(batch.names.expect("the pack's names"), files));
        assert!(workspace.consistency_report().is_empty(), "{:?}", workspace.consistency_report());
    }
}
