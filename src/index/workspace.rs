//! The workspace view: every file's facts united into entities, and the mentions of their
//! names across all texts.
//!
//! A `Workspace` is an immutable snapshot once shared: the server's single writer clones the
//! current one, applies a change and publishes the clone, while requests keep reading older
//! snapshots on other threads. Cloning is cheap (every part is a persistent `imbl`
//! collection or an `Arc`), and a change copies only what it touches: the edited file's slot
//! and, when the file's *names* changed, the entities it lists. A keystroke in prose or in a
//! value that keeps the names does not touch the entity map at all.
//!
//! Mentions are found with one table of every known name's word prefixes (the longest name
//! on word boundaries, left to right). The table and the inverted index of mentions (which
//! files mention which name) are computed per snapshot on first use, from the nearest
//! ancestor that had them plus the delta since (see `mentions.rs`): no query writes to state
//! another snapshot can see.
//!
//! Names can have alias spellings (`seedls.toml` `[aliases]`): an alias is one entity with
//! its canonical name, for listings, articles and mentions alike.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::index::date::Day;
use crate::index::facts::{EntityKind, FileFacts, Listing, compute_facts, normalize_name};
use crate::index::mentions::{Mention, MentionIndex, MentionLineage, MentionMatcher, Pattern};
use crate::index::names::{NameTable, name_words};
use crate::index::schema::Schema;
use crate::index::text::SharedText;
use crate::syntax::{Document, TextRange, parse};

mod batch;
mod prepared;

pub use batch::{Batch, NameIndexes, PackNames, RunNames};
pub use prepared::{NameRulesHandle, PreparedNames};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One file as the workspace holds it: its text, facts and (for files being edited) its
/// tree, all immutable.
///
/// A file whose facts came from the on-disk cache may hold no text yet: it is read on first
/// use, from the [`TextSource`] the edge gave, and kept (see [`SourceFile::text`]). A warm
/// start of 50,000 articles then reads 50 MB of saved facts instead of 300 MB of texts.
#[derive(Debug)]
pub struct SourceFile {
    /// The key the edge uses for the file (a URI or a path).
    pub path: Arc<str>,
    text: OnceLock<SharedText>,
    /// Where a text not read yet comes from, and how long it was when its facts were made.
    unread: Option<Unread>,
    /// The xxh3 of the text (`shard::content_hash`).
    content_hash: u64,
    pub facts: FileFacts,
    /// Kept for files being edited; parsed again on demand for the rest, whose trees would
    /// take twice the memory of their texts across a large workspace.
    document: Option<Box<Document>>,
}

/// Reads the text of a file whose facts are known: the edge's side of a lazily read text.
pub trait TextSource: Send + Sync + std::fmt::Debug {
    /// The text of the file with this key as it is now, if it can be read.
    fn read(&self, key: &str) -> Option<Arc<str>>;

    /// The texts of several files, in order, as [`TextSource::read`] gives each; a source
    /// that can read them into one block (`index::text`) does.
    fn read_together(&self, keys: &[&str]) -> Vec<Option<SharedText>> {
        keys.iter().map(|key| self.read(key).map(SharedText::from)).collect()
    }
}

#[derive(Debug)]
struct Unread {
    source: Arc<dyn TextSource>,
    len: usize,
}

impl SourceFile {
    /// A file whose tree is kept: one being edited.
    pub fn new(path: String, text: impl Into<SharedText>) -> SourceFile {
        let text = text.into();
        let document = parse(&text);
        let facts = compute_facts(&text, &document);
        SourceFile::holding(path, text, facts, Some(Box::new(document)))
    }

    /// A file known from disk: its facts are kept, its tree is not.
    pub fn indexed(path: String, text: impl Into<SharedText>) -> SourceFile {
        let text = text.into();
        let facts = compute_facts(&text, &parse(&text));
        SourceFile::holding(path, text, facts, None)
    }

    /// A file known from disk whose facts were computed before (the on-disk cache,
    /// `index::shard`): no parse. The facts must be those of this very text.
    pub fn with_facts(path: String, text: impl Into<SharedText>, facts: FileFacts) -> SourceFile {
        SourceFile::holding(path, text.into(), facts, None)
    }

    fn holding(path: String, text: SharedText, facts: FileFacts, document: Option<Box<Document>>) -> SourceFile {
        let content_hash = crate::index::shard::content_hash(&text);
        SourceFile { path: Arc::from(path), text: OnceLock::from(text), unread: None, content_hash, facts, document }
    }

    /// A file known from disk whose facts were saved with the xxh3 and length of its text,
    /// and whose text is read from `source` when first asked for.
    pub fn unread(
        path: String,
        facts: FileFacts,
        content_hash: u64,
        len: usize,
        source: Arc<dyn TextSource>,
    ) -> SourceFile {
        let unread = Some(Unread { source, len });
        SourceFile { path: Arc::from(path), text: OnceLock::new(), unread, content_hash, facts, document: None }
    }

    /// The file's text. A file whose text was not read yet reads it now (once; every
    /// snapshot sharing the file shares it). The text read is kept if every range of the
    /// facts fits it: the text they were made from does, and one changed on disk since (the
    /// edge's watcher brings the change) may. Failing that, or if it cannot be read, the
    /// file reads as blanks of the length it had, where no range of its facts falls apart.
    pub fn text(&self) -> &SharedText {
        self.text.get_or_init(|| {
            let read = self.unread.as_ref().and_then(|unread| unread.source.read(&self.path));
            self.text_kept_of(read.map(SharedText::from))
        })
    }

    /// Reads, together, the texts of the files of `files` not read yet (as [`text`] would
    /// read each): one block per source (`index::text`), when the files share it.
    ///
    /// [`text`]: SourceFile::text
    pub fn read_unread_together(files: &[&SourceFile]) {
        let unread: Vec<(&SourceFile, &Unread)> = files
            .iter()
            .filter(|file| !file.text_is_read())
            .filter_map(|file| Some((*file, file.unread.as_ref()?)))
            .collect();
        let Some((_, first)) = unread.first() else { return };
        let (together, alone): (Vec<_>, Vec<_>) =
            unread.iter().partition(|(_, unread)| Arc::ptr_eq(&unread.source, &first.source));
        let keys: Vec<&str> = together.iter().map(|(file, _)| &*file.path).collect();
        for ((file, _), read) in together.iter().zip(first.source.read_together(&keys)) {
            file.text.get_or_init(|| file.text_kept_of(read));
        }
        for (file, _) in alone {
            file.text();
        }
    }

    /// The text a file keeps of what was read for it: what was read if every range of the
    /// facts fits it, else blanks of the length the file had.
    fn text_kept_of(&self, read: Option<SharedText>) -> SharedText {
        let Some(unread) = &self.unread else { return SharedText::from("") };
        match read {
            Some(text) if crate::index::shard::facts_fit_text(&self.facts, &text) => text,
            _ => SharedText::from(" ".repeat(unread.len.max(self.facts.end_of_ranges()))),
        }
    }

    /// The length of the text in bytes, known without reading it.
    pub fn text_len(&self) -> usize {
        match (self.text.get(), &self.unread) {
            (Some(text), _) => text.len(),
            (None, Some(unread)) => unread.len,
            (None, None) => 0,
        }
    }

    /// True if the text is in memory (read, or never lazy).
    pub fn text_is_read(&self) -> bool {
        self.text.get().is_some()
    }

    /// The xxh3 of the file's text, known without reading it.
    pub fn content_hash(&self) -> u64 {
        self.content_hash
    }

    /// The file's tree: the kept one, or a fresh parse (parsing never fails).
    pub fn document(&self) -> Cow<'_, Document> {
        match &self.document {
            Some(document) => Cow::Borrowed(document),
            None => Cow::Owned(parse(self.text())),
        }
    }

    /// The article's title, or failing that the file's name.
    pub fn display_name(&self) -> &str {
        match &self.facts.title {
            Some((title, _)) => title,
            None => self.path.rsplit('/').next().unwrap_or(&self.path),
        }
    }
}

/// Everything the workspace knows under one name.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    /// Infobox listings, as (file, index into that file's `facts.listings`), by file path
    /// then position. Hover's order (by article date) is [`Workspace::listings_in_order`].
    pub listings: Vec<(FileId, u32)>,
    /// Articles that go by this name (title or alias), by path.
    pub articles: Vec<FileId>,
    /// How many listings give each kind (indexed by `EntityKind as usize`), kept with the
    /// listings so that an entity's kind costs nothing to ask.
    pub(in crate::index) kind_counts: [u32; 6],
}

impl Entity {
    /// The kind the entity is best known as: an article if one goes by its name, else the
    /// kind most of its listings give it.
    pub fn kind(&self) -> Option<EntityKind> {
        if !self.articles.is_empty() {
            return Some(EntityKind::Article);
        }
        EntityKind::ALL
            .into_iter()
            .filter(|&kind| self.kind_counts[kind as usize] > 0)
            .max_by_key(|&kind| (self.kind_counts[kind as usize], std::cmp::Reverse(kind)))
    }

    /// True if some listing gives the entity this kind (or, for articles, an article goes by it).
    pub fn has_kind(&self, kind: EntityKind) -> bool {
        if kind == EntityKind::Article { !self.articles.is_empty() } else { self.kind_counts[kind as usize] > 0 }
    }
}

/// Alias spellings and pairs of names that are knowingly different (`seedls.toml`).
#[derive(Debug, Default, Clone)]
struct NameRules {
    /// Alias spelling → canonical name.
    canonical: HashMap<String, Arc<str>>,
    /// Canonical name → its alias spellings.
    spellings: HashMap<Arc<str>, Vec<Arc<str>>>,
    /// Pairs of names not to report as near-spellings, in both orders.
    ignored: HashSet<(String, String)>,
}

impl NameRules {
    /// The alias spellings of a canonical name.
    fn spellings_of(&self, name: &str) -> &[Arc<str>] {
        self.spellings.get(name).map_or(&[], Vec::as_slice)
    }

    fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        if self.canonical.is_empty() {
            return name;
        }
        self.canonical.get(name).map_or(name, |canonical| canonical)
    }
}

#[derive(Clone)]
pub struct Workspace {
    pub schema: Schema,
    files: imbl::Vector<Option<Arc<SourceFile>>>,
    /// The first day of each file's `Date` (by file id; `None` when undated or gone), beside
    /// `files`: ordering the fifteen thousand listings of a common entity by date reads this
    /// compact list, not every file.
    days: imbl::Vector<Option<Day>>,
    ids: crate::index::PersistentHashMap<Arc<str>, FileId>,
    /// Every known name with its entity, and the words of the names (for completion by
    /// prefix and for finding near-spellings).
    entities: NameTable,
    rules: Arc<NameRules>,
    /// Changed whenever the set of entity names changes, to a number no other change of any
    /// workspace had ([`next_names_generation`]): two workspaces with the same generation
    /// have the same names in the same slots (one is the other's clone, and neither's names
    /// changed since).
    names_generation: u64,
    /// This snapshot's matcher and mention index, computed on first use.
    mentions: MentionLineage,
    /// The greatest path added so far, while every file was added in path order (the server
    /// indexes sorted paths): then file ids follow paths, and a batch's listings are appended
    /// to each entity's without comparing a single path. `None` once a file came out of order.
    last_path_in_order: Option<Arc<str>>,
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::new(Schema::default())
    }
}

/// The key hover orders an entity's listings by: the article's date (its infobox `Date`'s
/// start; undated articles last), then its title, then where the listing stands.
/// The order of an entity's listings a reader sees: undated last, then by the article's first
/// day, its title, its path and the listing's place in it.
type ListingOrder<'a> = (bool, Option<Day>, &'a str, &'a str, usize);

/// The first two parts of [`ListingOrder`]: undated, then the day.
type Dated = (bool, Option<Day>);

impl Workspace {
    pub fn new(schema: Schema) -> Workspace {
        Workspace {
            schema,
            files: imbl::Vector::new(),
            days: imbl::Vector::new(),
            ids: crate::index::PersistentHashMap::default(),
            entities: NameTable::default(),
            rules: Arc::default(),
            names_generation: 0,
            mentions: MentionLineage::default(),
            last_path_in_order: Some(Arc::from("")),
        }
    }

    /// Adds or replaces a file being edited (its tree is kept). Only this file is parsed; the
    /// entity map changes by its facts.
    pub fn set_file(&mut self, path: &str, text: impl Into<SharedText>) -> FileId {
        let file = Arc::new(SourceFile::new(path.to_string(), text));
        self.insert_parsed(file)
    }

    /// Adds or replaces a file known from disk (its tree is not kept).
    pub fn set_indexed_file(&mut self, path: &str, text: impl Into<SharedText>) -> FileId {
        let file = Arc::new(SourceFile::indexed(path.to_string(), text));
        self.insert_parsed(file)
    }

    /// Adds many files known from disk, parsing them in parallel (their trees are not kept).
    pub fn set_files(&mut self, files: Vec<(String, Arc<str>)>) {
        let parsed: Vec<Arc<SourceFile>> =
            files.into_par_iter().map(|(path, text)| Arc::new(SourceFile::indexed(path, text))).collect();
        self.insert_files(parsed);
    }

    /// An id for a file not in the workspace yet (its slot empty until [`Workspace::put_file`]).
    fn new_file_id(&mut self) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push_back(None);
        self.days.push_back(None);
        id
    }

    /// Puts a file (or nothing) in its slot, and its first day beside it.
    fn put_file(&mut self, id: FileId, file: Option<Arc<SourceFile>>) {
        self.days.set(id.0 as usize, file.as_deref().and_then(first_day));
        self.files.set(id.0 as usize, file);
    }

    /// Keeps [`Workspace::last_path_in_order`] for a file added alone.
    fn note_path_order(&mut self, path: &str) {
        if self.last_path_in_order.as_deref().is_some_and(|last| last < path) {
            self.last_path_in_order = Some(Arc::from(path));
        } else {
            self.last_path_in_order = None;
        }
    }

    /// Changes whenever the set of known names changes; the server compares it before and
    /// after an edit to know whether other documents' cross-article diagnostics may differ.
    pub fn names_generation(&self) -> u64 {
        self.names_generation
    }

    /// Sets the alias spellings (`alias → canonical`) and the pairs of names that are
    /// knowingly different. An alias and its canonical name are one entity under the
    /// canonical name: listings and titles of either spelling count for it, and mentions of
    /// either resolve to it. Everything the rules touch is derived again (every file's
    /// contribution to the entities and the mention table: rules change rarely).
    pub fn set_name_rules(&mut self, aliases: Vec<(String, String)>, ignored_pairs: Vec<(String, String)>) {
        let mut rules = NameRules::default();
        for (alias, canonical) in aliases {
            let (alias, canonical) = (normalize_name(&alias), normalize_name(&canonical));
            if alias.is_empty() || canonical.is_empty() || alias == canonical {
                continue;
            }
            rules.canonical.insert(alias, Arc::from(canonical));
        }
        // An alias of an alias resolves to the end of the chain (a cycle stops where it closes).
        let aliases: Vec<String> = rules.canonical.keys().cloned().collect();
        for alias in aliases {
            let mut seen = HashSet::from([alias.clone()]);
            let mut target = rules.canonical[&alias].clone();
            while let Some(next) = rules.canonical.get(&*target) {
                if !seen.insert(target.to_string()) {
                    break;
                }
                target = next.clone();
            }
            rules.canonical.insert(alias, target);
        }
        let mut spellings: Vec<(Arc<str>, Arc<str>)> =
            rules.canonical.iter().map(|(alias, canonical)| (canonical.clone(), Arc::from(alias.as_str()))).collect();
        spellings.sort();
        for (canonical, alias) in spellings {
            rules.spellings.entry(canonical).or_default().push(alias);
        }
        for (a, b) in ignored_pairs {
            let (a, b) = (normalize_name(&a), normalize_name(&b));
            rules.ignored.insert((a.clone(), b.clone()));
            rules.ignored.insert((b, a));
        }
        self.rules = Arc::new(rules);
        self.rederive_entities();
    }

    /// True when two names are one entity under the alias rules, or were declared different
    /// on purpose: the near-spelling check keeps quiet about them.
    pub fn names_are_settled(&self, a: &str, b: &str) -> bool {
        self.rules.canonical(a) == self.rules.canonical(b)
            || self.rules.ignored.contains(&(a.to_string(), b.to_string()))
    }

    /// The name an entity goes by: the canonical name of an alias spelling, else the name.
    pub fn canonical_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.rules.canonical(name)
    }

    /// The alias spellings of a canonical name.
    pub fn alias_spellings(&self, name: &str) -> &[Arc<str>] {
        self.rules.spellings_of(name)
    }

    /// Builds the entity table anew from every file (after the name rules changed).
    fn rederive_entities(&mut self) {
        let files: Vec<(FileId, Arc<SourceFile>)> = self.files().map(|(id, file)| (id, file.clone())).collect();
        self.entities = NameTable::default();
        self.mentions.reset();
        self.names_generation = next_names_generation();
        for (id, file) in files {
            self.contribute(id, &file.path, &file.facts);
        }
    }

    fn insert_parsed(&mut self, mut file: Arc<SourceFile>) -> FileId {
        let (id, old) = match self.ids.get(file.path.as_ref()) {
            Some(&id) => (id, self.file(id).cloned()),
            None => {
                let id = self.new_file_id();
                self.ids.insert(file.path.clone(), id);
                self.note_path_order(&file.path);
                (id, None)
            }
        };
        let names_kept = old.as_ref().is_some_and(|old| same_names(&old.facts, &file.facts));
        if !names_kept {
            let emptied = match &old {
                Some(old) => self.withdraw(id, &old.facts),
                None => Vec::new(),
            };
            self.contribute(id, &file.path, &file.facts);
            // Names the file had and still has were never gone: the set of names is unchanged.
            self.sweep(emptied);
        }
        if let Some(parsed) = Arc::get_mut(&mut file) {
            self.intern_names(&mut parsed.facts);
        }
        self.put_file(id, Some(file));
        // The text changed: its mentions must be found again, even if no name changed.
        self.mentions.file_changed(id);
        id
    }

    /// Makes the file's listings share the name table's copy of each name.
    fn intern_names(&self, facts: &mut FileFacts) {
        for listing in &mut facts.listings {
            if let Some(name) = self.entities.interned(&listing.name) {
                listing.name = name.clone();
            }
        }
        for link in &mut facts.see_also {
            if let Some(name) = self.entities.interned(&link.name) {
                link.name = name.clone();
            }
        }
    }

    pub fn remove_file(&mut self, path: &str) -> Option<FileId> {
        let id = self.ids.remove(path)?;
        if let Some(old) = self.file(id).cloned() {
            let emptied = self.withdraw(id, &old.facts);
            self.sweep(emptied);
        }
        self.put_file(id, None);
        self.mentions.file_changed(id);
        Some(id)
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.ids.get(path).copied()
    }

    pub fn file(&self, id: FileId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize).and_then(Option::as_ref)
    }

    /// Every file, in id order (the order files were first added: not a stated order).
    pub fn files(&self) -> impl Iterator<Item = (FileId, &Arc<SourceFile>)> {
        self.files.iter().enumerate().filter_map(|(index, file)| file.as_ref().map(|file| (FileId(index as u32), file)))
    }

    pub fn file_count(&self) -> usize {
        self.ids.len()
    }

    /// The entity a name stands for (an alias spelling answers its canonical entity).
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.get(self.rules.canonical(name))
    }

    /// Every entity with its (canonical) name, in no stated order.
    pub fn entities(&self) -> impl Iterator<Item = (&str, &Entity)> {
        self.entities.iter().map(|(name, entity)| (&**name, entity))
    }

    /// How many entities the workspace knows.
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// The known names with a word that starts like `prefix` (case and diacritics aside:
    /// `calo` finds `Mile Čalović`), each with its entity. Walks only those names.
    pub fn names_with_word_starting(&self, prefix: &str) -> impl Iterator<Item = (&str, &Entity)> + use<'_> {
        self.entities
            .with_word_starting(&crate::index::names::fold_word(prefix))
            .map(|(name, entity)| (&**name, entity))
    }

    /// [`Workspace::names_with_word_starting`] in the order completion ranks by, best first
    /// by a lower bound given with each name (no word of the name that starts like `prefix`
    /// is its first; its length in bytes), of one kind if given (checked again by the
    /// caller); see `NameTable::ranked_with_word_starting`.
    pub fn ranked_names_with_word_starting(
        &self,
        prefix: &str,
        kind: Option<EntityKind>,
    ) -> impl Iterator<Item = (&str, &Entity, (bool, usize))> + use<'_> {
        let folded = crate::index::names::fold_word(prefix);
        self.entities.ranked_with_word_starting(&folded, kind).map(|(name, entity, bound)| (&**name, entity, bound))
    }

    /// True if some known name starts with `prefix` (case and diacritics aside).
    pub fn any_name_starts_with(&self, prefix: &str) -> bool {
        let folded: Vec<char> = crate::index::names::search_chars(prefix).collect();
        let first_word: String = folded.iter().take_while(|c| c.is_alphanumeric()).collect();
        if first_word.is_empty() {
            return false;
        }
        self.entities.with_first_word_starting(&first_word).any(|name| {
            let mut chars = crate::index::names::search_chars(name);
            folded.iter().all(|&wanted| chars.next() == Some(wanted))
        })
    }

    /// The listing behind a (file, index) pair of an entity.
    pub fn listing(&self, (file, index): (FileId, u32)) -> Option<&Listing> {
        self.file(file)?.facts.listings.get(index as usize)
    }

    /// An entity's first listing by path, then position, with its file: the first of its
    /// first file's (listings are kept by path), so an entity listed in thousands of articles
    /// costs a few look-ups, not a walk over all of them.
    pub fn first_listing(&self, entity: &Entity) -> Option<(FileId, &Listing)> {
        let &(file, _) = entity.listings.first()?;
        let listing = entity
            .listings
            .iter()
            .take_while(|&&(other, _)| other == file)
            .filter_map(|&listing_ref| self.listing(listing_ref))
            .min_by_key(|listing| listing.range.start())?;
        Some((file, listing))
    }

    /// An entity's listings in the order users see them: by the listing article's date (its
    /// infobox `Date`'s start; undated articles last), then the article's title, then its
    /// path, then the listing's position. Independent of the order files were indexed in.
    pub fn listings_in_order(&self, entity: &Entity) -> Vec<(FileId, u32)> {
        self.first_listings_in_order(entity, usize::MAX)
    }

    /// The first `count` of [`Workspace::listings_in_order`], without sorting the rest: a
    /// bounded heap keeps the best `count` while the listings go by (an entity listed in
    /// fifteen thousand articles is hovered as often as any other).
    pub fn first_listings_in_order(&self, entity: &Entity, count: usize) -> Vec<(FileId, u32)> {
        if count == 0 {
            return Vec::new();
        }
        // Undated last: the "undated" flag is compared before the day.
        let mut best: std::collections::BinaryHeap<(ListingOrder<'_>, (FileId, u32))> =
            std::collections::BinaryHeap::with_capacity(count.min(entity.listings.len()) + 1);
        for (checked, &listing_ref) in entity.listings.iter().enumerate() {
            if checked % 256 == 255 {
                crate::cancel::check();
            }
            // Most listings of a common entity lose on the date alone: their file is not read.
            let day = self.days.get(listing_ref.0.0 as usize).copied().flatten();
            let dated: Dated = (day.is_none(), day);
            if best.len() == count && best.peek().is_some_and(|worst| dated > (worst.0.0, worst.0.1)) {
                continue;
            }
            let Some(source) = self.file(listing_ref.0) else { continue };
            let Some(listing) = source.facts.listings.get(listing_ref.1 as usize) else { continue };
            let key = (dated.0, dated.1, source.display_name(), source.path.as_ref(), listing.range.start());
            if best.len() == count && best.peek().is_some_and(|worst| key >= worst.0) {
                continue;
            }
            best.push((key, listing_ref));
            if best.len() > count {
                best.pop();
            }
        }
        best.into_sorted_vec().into_iter().map(|(_, listing_ref)| listing_ref).collect()
    }

    /// The articles that go by an entity's name, by path (the order they are kept in).
    pub fn articles_in_order(&self, entity: &Entity) -> Vec<FileId> {
        entity.articles.clone()
    }

    /// The kind an entity is best known as: an article if one goes by its name, else the kind
    /// most of its listings give it.
    pub fn entity_kind(&self, name: &str) -> Option<EntityKind> {
        self.entity(name)?.kind()
    }

    /// Names of entities that share a word with `name`: candidates for near-spellings.
    /// Words shared by many names (`Division`, `Brigade`) tell nothing apart and are skipped.
    pub fn names_sharing_a_word(&self, name: &str) -> HashSet<&str> {
        const COMMON_WORD: usize = 64;
        let own = self.rules.canonical(name);
        let mut found = HashSet::new();
        for word in name_words(name).iter().filter(|word| word.chars().count() >= 4) {
            let names: Vec<&Arc<str>> = self.entities.with_word(word).take(COMMON_WORD + 1).collect();
            if names.len() <= COMMON_WORD {
                found.extend(names.into_iter().map(|other| &**other).filter(|other| *other != name && *other != own));
            }
        }
        found
    }

    /// Adds a file's names to the entities, keeping each entity's articles and listings
    /// sorted by path (then position): definition takes the first few without sorting.
    fn contribute(&mut self, id: FileId, path: &str, facts: &FileFacts) {
        for name in facts.article_names() {
            let (_, slot) = self.ensure_entity(name, None);
            let Some(entity) = self.entities.entity_at(slot) else { continue };
            if entity.articles.contains(&id) {
                continue;
            }
            let at = entity.articles.partition_point(|&other| self.path_of(other, id, path) < path);
            if let Some(entity) = self.entities.entity_at_mut(slot) {
                entity.articles.insert(at, id);
            }
        }
        for (index, listing) in facts.listings.iter().enumerate() {
            let (_, slot) = self.ensure_entity(&listing.name, None);
            let Some(entity) = self.entities.entity_at(slot) else { continue };
            let key = (path, index as u32);
            let at = entity
                .listings
                .partition_point(|&(other, other_index)| (self.path_of(other, id, path), other_index) < key);
            if let Some(entity) = self.entities.entity_at_mut(slot) {
                entity.listings.insert(at, (id, index as u32));
                entity.kind_counts[listing.kind as usize] += 1;
            }
        }
    }

    /// The path of a file, or `path` for the file `id` being contributed (not yet stored).
    fn path_of<'a>(&'a self, other: FileId, id: FileId, path: &'a str) -> &'a str {
        if other == id { path } else { self.file(other).map_or("", |file| file.path.as_ref()) }
    }

    /// Takes a file's facts out of the entities. Returns the names left with nothing; they
    /// stay in the map until [`Workspace::sweep`], so that re-adding the same file does not
    /// count as names going and coming back.
    fn withdraw(&mut self, id: FileId, facts: &FileFacts) -> Vec<String> {
        let rules = self.rules.clone();
        for listing in &facts.listings {
            if let Some(entity) = self.entities.get_mut(rules.canonical(&listing.name)) {
                entity.kind_counts[listing.kind as usize] -= 1;
            }
        }
        let names: BTreeSet<&str> = facts
            .article_names()
            .chain(facts.listings.iter().map(|l| &*l.name))
            .map(|name| rules.canonical(name))
            .collect();
        let mut emptied = Vec::new();
        for name in names {
            let Some(entity) = self.entities.get_mut(name) else {
                continue;
            };
            entity.articles.retain(|&file| file != id);
            entity.listings.retain(|&(file, _)| file != id);
            if entity.articles.is_empty() && entity.listings.is_empty() {
                emptied.push(name.to_string());
            }
        }
        emptied
    }

    /// Removes the entities that are still empty: their names are gone from the workspace.
    fn sweep(&mut self, emptied: Vec<String>) {
        for name in emptied {
            if !self.entities.get(&name).is_some_and(|entity| entity.articles.is_empty() && entity.listings.is_empty())
            {
                continue;
            }
            let Some(name) = self.entities.remove(&name) else {
                continue;
            };
            self.mentions.name_removed(&name);
            self.names_generation = next_names_generation();
        }
    }

    /// Adds the entity of a name (under its canonical spelling) if it has none yet, and gives
    /// the table's copy of the canonical name and its slot. A name already there is only
    /// looked up: its slot is not copied out of the snapshots sharing it. A new canonical
    /// name keeps `shared` (a copy of it that many files hold) as the table's copy.
    fn ensure_entity(&mut self, name: &str, shared: Option<&Arc<str>>) -> (Arc<str>, u32) {
        let canonical = self.rules.canonical(name);
        let (id, added) = self.entities.id_or_insert(canonical, shared);
        let stored = self.entities.name_at(id).expect("a slot just found or filled").clone();
        if added {
            self.names_generation = next_names_generation();
            self.mentions.name_added(&stored);
        }
        (stored, id)
    }

    /// The patterns that stand for a name: itself and its alias spellings.
    fn patterns_of(&self, name: &Arc<str>) -> Vec<Pattern> {
        prepared::patterns_of(&self.rules, name)
    }

    fn matcher(&self) -> Arc<MentionMatcher> {
        let all_patterns =
            || self.entities.iter().flat_map(|(name, _)| prepared::each_pattern_of(&self.rules, name)).collect();
        self.mentions.matcher(all_patterns, &|name| self.patterns_of(name))
    }

    fn mention_index(&self) -> Arc<MentionIndex> {
        self.mentions.index(self.matcher(), &self.files, &|name| self.patterns_of(name))
    }

    /// The mentions of known names in one file, found afresh (a scan of one text: the
    /// table reads some 200 MB a second, so nothing is cached per file).
    pub fn mentions(&self, id: FileId) -> Arc<[Mention]> {
        let Some(file) = self.file(id) else {
            return Arc::from([]);
        };
        self.matcher().find_mentions(file.text()).into()
    }

    /// Builds this snapshot's mention matcher (the table of every name's spellings) if it is
    /// not yet: what a saved mention index is taken back with.
    pub fn warm_matcher(&self) {
        self.matcher();
    }

    /// Computes this snapshot's mention index if it is not yet (from the nearest ancestor's
    /// when there is one). The server calls it on a worker after indexing, so that the first
    /// request does not pay for it.
    pub fn warm_mentions(&self) {
        self.mention_index();
    }

    /// A hash of everything the mention index is computed from: every file in id order (its
    /// path and the xxh3 of its text) and every name with its alias spellings. Equal
    /// fingerprints mean equal indexes, so an index saved under one can be taken back (see
    /// [`Workspace::adopt_mention_index`]) instead of reading every text again.
    pub fn mention_fingerprint(&self) -> u64 {
        // The patterns are the names and their alias spellings: hashed by name, in order,
        // without a copy of either (a handle of each of 63,000 names, taken and dropped, cost
        // a warm start a cache miss per name).
        let mut names: Vec<&Arc<str>> = self.entities.iter().map(|(name, _)| name).collect();
        names.sort_unstable();
        combine_digests(self.files_digest(), prepared::names_digest(names.into_iter(), &self.rules))
    }

    /// The files' part of the mention fingerprint: every file in id order, its path and the
    /// xxh3 of its text.
    fn files_digest(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&(self.files.len() as u64).to_le_bytes());
        for file in &self.files {
            match file.as_ref().map(|file| (file.path.as_ref(), file.content_hash())) {
                Some((path, hash)) => {
                    hasher.update(&[1]);
                    hasher.update(&(path.len() as u64).to_le_bytes());
                    hasher.update(path.as_bytes());
                    hasher.update(&hash.to_le_bytes());
                }
                None => hasher.update(&[0]),
            }
        }
        hasher.digest()
    }

    /// The mention index as (name, ids of the files that mention it, ascending), if this
    /// snapshot has computed it: what the cache saves.
    pub fn mention_index_entries(&self) -> Option<Vec<crate::index::MentionEntry>> {
        let index = self.mentions.computed_index()?;
        Some(index.entries().map(|(name, ids)| (name.clone(), Arc::from(ids))).collect())
    }

    /// Takes a mention index saved under this snapshot's [`Workspace::mention_fingerprint`]
    /// as its own, instead of computing it. Refused (false) if it names a name the workspace
    /// does not have, or a file it does not have, or lists ids out of order — a saved index
    /// is checked, not trusted — or if the index is already being computed.
    pub fn adopt_mention_index(&self, entries: Vec<(String, Vec<u32>)>) -> bool {
        /// A name and the ids of the files that mention it.
        type MentionedBy = (Arc<str>, Arc<[u32]>);
        // The ids of the files present, as bits: some three million ids are checked (an
        // `imbl::Vector` lookup each took a warm start of 50,000 articles 130 ms).
        let mut present = vec![0u64; self.files.len().div_ceil(64)];
        for (index, file) in self.files.iter().enumerate() {
            if file.is_some() {
                present[index / 64] |= 1 << (index % 64);
            }
        }
        let is_present = |id: u32| present.get(id as usize / 64).is_some_and(|bits| bits & 1 << (id % 64) != 0);
        // Each name looked up and its ids checked on the pool (63,000 names and three million
        // ids took a 50,000-article warm start 65 ms on one thread).
        let adopted: Option<Vec<MentionedBy>> = entries
            .par_iter()
            .map(|(name, ids)| {
                let stored = self.entities.interned(name)?;
                let ascending = ids.windows(2).all(|pair| pair[0] < pair[1]);
                let fits = !ids.is_empty() && ascending && ids.iter().all(|&id| is_present(id));
                fits.then(|| (stored.clone(), Arc::from(&ids[..])))
            })
            .collect();
        // The decoded entries (126,000 allocations, made on the thread that read them) are
        // freed on the pool, off the start's path: freeing them here took as long again.
        rayon::spawn(move || drop(entries));
        let Some(adopted) = adopted else { return false };
        let index = MentionIndex::from_entries(self.matcher(), self.files.clone(), adopted);
        self.mentions.adopt(index)
    }

    /// Every place a name occurs (either spelling of an aliased name), by file path, then
    /// position. Files are scanned in parallel, cancellably; see [`OccurrenceSearch`].
    pub fn occurrences(&self, name: &str) -> Vec<(FileId, TextRange)> {
        let search = self.occurrence_search(name);
        let per_file = crate::cancel::parallel_map(search.files(), |&id| {
            search.in_file(id).into_iter().map(|range| (id, range)).collect::<Vec<_>>()
        });
        per_file.into_iter().flatten().collect()
    }

    /// A search for the places a name occurs, to be run file by file: a caller that does
    /// more with each file's places (converts them, writes them out) does it while the
    /// file's text is still in the cache, in the same pass.
    pub fn occurrence_search(&self, name: &str) -> OccurrenceSearch<'_> {
        let name = self.rules.canonical(name);
        let spellings = std::iter::once(name)
            .chain(self.alias_spellings(name).iter().map(|alias| &**alias))
            .map(|spelling| memchr::memmem::Finder::new(spelling).into_owned())
            .collect();
        let files = self.files_mentioning(name);
        OccurrenceSearch { workspace: self, name: name.into(), matcher: self.matcher(), spellings, files }
    }

    /// The files whose text mentions a name at least once, by path.
    pub fn files_mentioning(&self, name: &str) -> Vec<FileId> {
        let index = self.mention_index();
        let ids = index.files_mentioning(self.rules.canonical(name));
        // While every file came in path order, ids follow paths: ascending ids are in path
        // order already, and no file's path is read (19,000 of them for a common name at 50k).
        if self.last_path_in_order.is_some() && ids.windows(2).all(|pair| pair[0] < pair[1]) {
            return ids.iter().map(|&id| FileId(id)).filter(|&id| self.file(id).is_some()).collect();
        }
        let mut files: Vec<(&str, FileId)> =
            ids.iter().filter_map(|&id| Some((self.file(FileId(id))?.path.as_ref(), FileId(id)))).collect();
        files.sort_unstable();
        files.into_iter().map(|(_, id)| id).collect()
    }

    /// How many files mention a name, without ordering them.
    pub fn count_files_mentioning(&self, name: &str) -> usize {
        self.mention_index().files_mentioning(self.rules.canonical(name)).len()
    }

    /// The files of the articles a name refers to.
    pub fn articles_named(&self, name: &str) -> &[FileId] {
        self.entity(name).map_or(&[], |entity| &entity.articles)
    }
    /// How many listing names (alias spellings aside), and See-also names the table knows, of
    /// the files are their own copies instead of the name table's: each is memory a large workspace pays up to
    /// 950,000 times over (tests keep it 0).
    #[cfg(test)]
    pub(crate) fn names_not_shared(&self) -> usize {
        let not_shared =
            |name: &Arc<str>| !self.entities.interned(name).is_some_and(|stored| Arc::ptr_eq(name, stored));
        // An alias spelling has no copy in the table: its entity is the canonical name's.
        let listings = self
            .files()
            .flat_map(|(_, file)| &file.facts.listings)
            .filter(|listing| self.rules.canonical(&listing.name) == &*listing.name && not_shared(&listing.name));
        let links = self
            .files()
            .flat_map(|(_, file)| &file.facts.see_also)
            .filter(|link| self.entities.interned(&link.name).is_some() && not_shared(&link.name));
        listings.count() + links.count()
    }

    /// The differences between this workspace's incrementally maintained state and a
    /// rebuild from its own texts (same schema and name rules); empty when they agree. For
    /// the server's paranoid debug mode and the property tests. Costs a full rebuild.
    pub fn consistency_report(&self) -> Vec<String> {
        let mut fresh = Workspace::new(self.schema.clone());
        fresh.rules = self.rules.clone();
        let mut sources: Vec<&Arc<SourceFile>> = self.files().map(|(_, file)| file).collect();
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        for source in &sources {
            fresh.set_indexed_file(&source.path, source.text().clone());
        }
        let mut problems = self.entities.word_index_problems();
        if self.file_count() != self.files().count() {
            problems.push(format!("{} paths but {} files", self.file_count(), self.files().count()));
        }
        if self.days.len() != self.files.len()
            || self.files.iter().zip(&self.days).any(|(file, day)| file.as_deref().and_then(first_day) != *day)
        {
            problems.push("the files' first days differ from their dates".to_string());
        }
        for (id, source) in self.files() {
            if self.file_id(&source.path) != Some(id) {
                problems.push(format!("{} is not found under its own id", source.path));
            }
        }
        let describe = |workspace: &Workspace| -> BTreeMap<String, String> {
            workspace
                .entities()
                .map(|(name, entity)| {
                    let mut listings: Vec<(String, u32)> = entity
                        .listings
                        .iter()
                        .filter_map(|&(file, index)| Some((workspace.file(file)?.path.to_string(), index)))
                        .collect();
                    listings.sort();
                    let articles: Vec<&str> = workspace
                        .articles_in_order(entity)
                        .iter()
                        .filter_map(|&id| Some(workspace.file(id)?.path.as_ref()))
                        .collect();
                    (name.to_string(), format!("{:?} listings {listings:?} articles {articles:?}", entity.kind()))
                })
                .collect()
        };
        let (mine, theirs) = (describe(self), describe(&fresh));
        for (name, fact) in &mine {
            match theirs.get(name) {
                None => problems.push(format!("entity `{name}` is not in a rebuild")),
                Some(other) if other != fact => problems.push(format!("entity `{name}`: {fact} but rebuilt {other}")),
                Some(_) => {}
            }
        }
        for name in theirs.keys().filter(|name| !mine.contains_key(*name)) {
            problems.push(format!("entity `{name}` is missing (a rebuild has it)"));
        }
        let mentioned = |workspace: &Workspace| -> BTreeMap<String, Vec<String>> {
            let index = workspace.mention_index();
            index
                .entries()
                .map(|(name, files)| {
                    let mut paths: Vec<String> =
                        files.iter().filter_map(|&id| Some(workspace.file(FileId(id))?.path.to_string())).collect();
                    paths.sort();
                    (name.to_string(), paths)
                })
                .collect()
        };
        let (mine, theirs) = (mentioned(self), mentioned(&fresh));
        if mine != theirs {
            let differing: Vec<&String> =
                mine.keys().chain(theirs.keys()).filter(|name| mine.get(*name) != theirs.get(*name)).take(5).collect();
            problems.push(format!("the mention index differs from a rebuild's for {differing:?}"));
        }
        for (id, source) in self.files() {
            let Some(other) = fresh.file_id(&source.path) else { continue };
            if self.mentions(id) != fresh.mentions(other) {
                problems.push(format!("the mentions of {} differ from a rebuild's", source.path));
            }
        }
        problems
    }

    /// Bytes held by the index's parts, estimated from their sizes (the memory bench
    /// measures the real total with a counting allocator; this splits it by part).
    pub fn mention_index_bytes(&self) -> usize {
        self.mentions.computed_index().map_or(0, |index| index.heap_estimate())
    }
}

/// The mention fingerprint of a files' and a names' digest.
fn combine_digests(files: u64, names: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&[files.to_le_bytes(), names.to_le_bytes()].concat())
}

/// A names generation no workspace had before (see `Workspace::names_generation`).
fn next_names_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The first day of a file's `Date`, if it has one that reads.
fn first_day(file: &SourceFile) -> Option<Day> {
    file.facts.date.as_ref().and_then(|(_, range)| range.as_ref()).map(|range| range.start)
}

/// True when two versions of a file contribute the same names, kinds and listing positions
/// in the list (only ranges or prose differ): the entity map needs no change.
fn same_names(old: &FileFacts, new: &FileFacts) -> bool {
    old.article_names().eq(new.article_names())
        && old.listings.len() == new.listings.len()
        && old.listings.iter().zip(&new.listings).all(|(a, b)| a.name == b.name && a.kind == b.kind)
}

/// The places a name occurs, found file by file (see [`Workspace::occurrence_search`]).
pub struct OccurrenceSearch<'a> {
    workspace: &'a Workspace,
    /// The canonical name.
    name: Box<str>,
    matcher: Arc<MentionMatcher>,
    /// The name and its alias spellings.
    spellings: Vec<memchr::memmem::Finder<'static>>,
    files: Vec<FileId>,
}

impl OccurrenceSearch<'_> {
    /// The files whose text mentions the name, by path.
    pub fn files(&self) -> &[FileId] {
        &self.files
    }

    /// The places the name occurs in one file, ascending: the mentions that start where one
    /// of its spellings stands (found with `memmem`), each looked at from the nearest point
    /// before it that no mention can span (see [`MentionMatcher::each_mention_starting_at`]).
    pub fn in_file(&self, id: FileId) -> Vec<TextRange> {
        let Some(file) = self.workspace.file(id) else { return Vec::new() };
        let text = file.text();
        let mut positions: Vec<usize> =
            self.spellings.iter().flat_map(|finder| finder.find_iter(text.as_bytes())).collect();
        if self.spellings.len() > 1 {
            positions.sort_unstable();
            positions.dedup();
        }
        let mut ranges = Vec::new();
        self.matcher.each_mention_starting_at(text, &positions, |range, name| {
            if **name == *self.name {
                ranges.push(range);
            }
        });
        ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(files: &[(&str, &str)]) -> Workspace {
        let mut workspace = Workspace::default();
        for (path, text) in files {
            workspace.set_file(path, Arc::from(*text));
        }
        workspace
    }

    #[test]
    fn the_first_listings_are_the_head_of_all_listings_sorted() {
        // Dates that tie, undated articles, titles that tie on a date, and two listings in a file.
        let dates = ["1944", "", "15 October 1944", "1912", "1944", "", "3 May 1941", "1944"];
        let texts: Vec<(String, String)> = (0..40)
            .map(|index| {
                let date = dates[index % dates.len()];
                let date = if date.is_empty() { String::new() } else { format!("- Date: {date}\n") };
                let title = format!("Battle of {}", ["Niš", "Peć", "Kosovo"][index % 3]);
                let second = if index % 4 == 0 { "- Commander2: Enver Hoxha\n" } else { "" };
                let text = format!("= {title} =\n\nInfobox\n{date}- Commander1: Enver Hoxha\n{second}");
                (format!("file:///w/{:02}.txt", (index * 7) % 40), text)
            })
            .collect();
        let files: Vec<(&str, &str)> = texts.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
        let workspace = workspace(&files);
        let entity = workspace.entity("Enver Hoxha").expect("the commander");
        let mut all = entity.listings.clone();
        all.sort_by_cached_key(|&(id, index)| {
            let source = workspace.file(id).expect("a file");
            let day = first_day(source);
            let start = source.facts.listings[index as usize].range.start();
            (day.is_none(), day, source.display_name().to_string(), source.path.to_string(), start)
        });
        assert_eq!(all.len(), 50);
        for count in 0..=all.len() + 1 {
            let first = workspace.first_listings_in_order(entity, count);
            assert_eq!(first, all[..count.min(all.len())], "the first {count}");
        }
    }

    #[test]
    fn files_mentioning_a_name_come_by_path_whatever_order_they_were_added_in() {
        let text = |title: &str| format!("= {title} =\n\nInfobox\n- Commander1: Enver Hoxha\n\nEnver Hoxha led it.\n");
        let paths = ["file:///w/a.txt", "file:///w/b.txt", "file:///w/c.txt", "file:///w/d.txt"];
        let mut in_order = Workspace::default();
        let mut out_of_order = Workspace::default();
        for (index, path) in paths.iter().enumerate() {
            in_order.set_indexed_file(path, Arc::from(text(&format!("Battle {index}"))));
        }
        for index in [2, 0, 3, 1] {
            out_of_order.set_indexed_file(paths[index], Arc::from(text(&format!("Battle {index}"))));
        }
        in_order.remove_file(paths[1]);
        out_of_order.remove_file(paths[1]);
        for workspace in [&in_order, &out_of_order] {
            let found: Vec<&str> = workspace
                .files_mentioning("Enver Hoxha")
                .into_iter()
                .filter_map(|id| Some(workspace.file(id)?.path.as_ref()))
                .collect();
            assert_eq!(found, ["file:///w/a.txt", "file:///w/c.txt", "file:///w/d.txt"]);
        }
        assert!(in_order.last_path_in_order.is_some() && out_of_order.last_path_in_order.is_none());
    }

    #[test]
    fn a_workspace_is_a_snapshot_shared_across_threads() {
        fn shareable<T: Clone + Send + Sync>() {}
        shareable::<Workspace>();
    }

    #[test]
    fn a_saved_mention_index_is_taken_back_only_by_the_same_texts_and_names() {
        let files = [
            ("/a.txt", "= Kosovo =\n\nInfobox\n- Commander1: Enver Hoxha, Mile Čalović\n"),
            ("/b.txt", "= B =\n\nEnver Hoxha met Mile Čalović in Kosovo.\n"),
            ("/c.txt", "= C =\n\nNobody.\n"),
        ];
        let computed = workspace(&files);
        assert_eq!(computed.mention_index_entries(), None, "not computed yet");
        computed.warm_mentions();
        let fingerprint = computed.mention_fingerprint();
        let saved: Vec<(String, Vec<u32>)> = computed
            .mention_index_entries()
            .expect("computed")
            .iter()
            .map(|(name, ids)| (name.to_string(), ids.to_vec()))
            .collect();
        assert!(saved.iter().any(|(name, ids)| name == "Enver Hoxha" && ids == &[0, 1]), "{saved:?}");

        let fresh = workspace(&files);
        assert_eq!(fresh.mention_fingerprint(), fingerprint);
        assert!(fresh.adopt_mention_index(saved.clone()));
        assert_eq!(fresh.mention_index_bytes(), computed.mention_index_bytes());
        for name in ["Enver Hoxha", "Mile Čalović", "Kosovo", "B"] {
            assert_eq!(fresh.files_mentioning(name), computed.files_mentioning(name), "{name}");
        }
        assert!(fresh.consistency_report().is_empty(), "{:?}", fresh.consistency_report());
        assert!(!fresh.adopt_mention_index(saved.clone()), "an index it has already");

        // Another text, another name, another alias: another fingerprint.
        let mut edited = workspace(&files);
        edited.set_indexed_file("/c.txt", Arc::from("= C =\n\nEnver Hoxha.\n"));
        assert_ne!(edited.mention_fingerprint(), fingerprint);
        let mut aliased = workspace(&files);
        aliased.set_name_rules(vec![("Hoxha".into(), "Enver Hoxha".into())], Vec::new());
        assert_ne!(aliased.mention_fingerprint(), fingerprint);

        // Entries that cannot be this workspace's are refused.
        let refused = |entries: Vec<(String, Vec<u32>)>| !workspace(&files).adopt_mention_index(entries);
        assert!(refused(vec![("Nobody Known".into(), vec![0])]));
        assert!(refused(vec![("Enver Hoxha".into(), vec![0, 9])]));
        assert!(refused(vec![("Enver Hoxha".into(), vec![1, 0])]));
        assert!(refused(vec![("Enver Hoxha".into(), vec![])]));
    }

    #[test]
    fn two_snapshots_answer_each_for_its_own_texts() {
        let mut ws = workspace(&[
            ("/a.txt", "= A =\n\nInfobox\n- Commander1: Enver Hoxha\n"),
            ("/b.txt", "= B =\n\nNobody here.\n"),
        ]);
        assert_eq!(ws.files_mentioning("Enver Hoxha"), [FileId(0)]);
        let before = ws.clone();
        ws.set_file("/b.txt", Arc::from("= B =\n\nEnver Hoxha is here.\n"));
        let middle = ws.clone();
        ws.set_file("/a.txt", Arc::from("= A =\n\nInfobox\n- Commander1: Mehmet Shehu\n"));
        assert!(ws.files_mentioning("Enver Hoxha").is_empty(), "no longer a name: listed nowhere");
        assert_eq!(ws.files_mentioning("Mehmet Shehu"), [FileId(0)]);
        assert_eq!(middle.files_mentioning("Enver Hoxha"), [FileId(0), FileId(1)]);
        assert!(middle.entity("Mehmet Shehu").is_none());
        assert_eq!(before.files_mentioning("Enver Hoxha"), [FileId(0)]);
        assert_eq!(before.occurrences("Enver Hoxha").len(), 1);
        for snapshot in [&before, &middle, &ws] {
            assert_eq!(snapshot.consistency_report(), Vec::<String>::new());
        }
    }

    #[test]
    fn occurrences_are_the_mentions_of_the_name_on_the_seeds() {
        let mut ws = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            ws.set_file(&name, Arc::from(text));
        }
        let names: Vec<String> = ws.entities().map(|(name, _)| name.to_string()).collect();
        for name in names {
            let mut expected: Vec<(&str, TextRange)> = Vec::new();
            for (id, file) in ws.files() {
                for mention in ws.mentions(id).iter().filter(|mention| *mention.name == *name) {
                    expected.push((file.path.as_ref(), mention.range));
                }
            }
            expected.sort();
            let actual: Vec<(&str, TextRange)> = ws
                .occurrences(&name)
                .into_iter()
                .map(|(id, range)| (ws.file(id).unwrap().path.as_ref(), range))
                .collect();
            assert_eq!(actual, expected, "{name}");
        }
    }

    #[test]
    fn one_person_listed_in_two_articles_is_one_entity() {
        let ws = workspace(&[
            ("/a.txt", "= Alpha (1944) =\n\nInfobox\n- Commander1: Enver Hoxha, Mehmet Shehu\n\nEnver Hoxha led."),
            ("/b.txt", "= B =\n\nInfobox\n- Commander1: Enver Hoxha\n\nText about Alpha and Enver Hoxha's men."),
        ]);
        let entity = ws.entity("Enver Hoxha").expect("entity");
        assert_eq!(entity.listings.len(), 2);
        assert_eq!(ws.entity_kind("Enver Hoxha"), Some(EntityKind::Person));
        assert_eq!(ws.entity_kind("Alpha"), Some(EntityKind::Article));
        assert_eq!(ws.articles_named("Alpha (1944)"), [FileId(0)]);
        assert_eq!(ws.files_mentioning("Alpha"), [FileId(1)]);
        let occurrences: Vec<String> = ws
            .occurrences("Enver Hoxha")
            .into_iter()
            .map(|(id, range)| format!("{}@{} {}", id.0, range.start, range.slice(ws.file(id).unwrap().text())))
            .collect();
        // The listing and the prose of each file; `Enver Hoxha's` counts, the name ends at `'`.
        assert_eq!(occurrences, ["0@40 Enver Hoxha", "0@67 Enver Hoxha", "1@29 Enver Hoxha", "1@63 Enver Hoxha"]);
    }

    #[test]
    fn replacing_a_file_withdraws_its_old_facts() {
        let mut ws = workspace(&[("/a.txt", "= A =\n\nInfobox\n- Commander1: Old Name\n")]);
        assert!(ws.entity("Old Name").is_some());
        ws.set_file("/a.txt", Arc::from("= A =\n\nInfobox\n- Commander1: New Name\n"));
        assert!(ws.entity("Old Name").is_none());
        assert!(ws.entity("New Name").is_some());
        ws.remove_file("/a.txt");
        assert!(ws.entity("New Name").is_none());
        assert_eq!(ws.file_count(), 0);
    }

    #[test]
    fn mentions_are_longest_first_on_word_boundaries() {
        let ws = workspace(&[(
            "/a.txt",
            "= Kosovo Operation (1944) =\n\nInfobox\n- Place: Kosovo\n\nThe Kosovo Operation in Kosovo, not Kosovoland.",
        )]);
        let file = ws.file(FileId(0)).unwrap();
        let names: Vec<String> =
            ws.mentions(FileId(0)).iter().map(|m| format!("{}@{}", m.name, m.range.start)).collect();
        let prose = file.text().find("The Kosovo").unwrap() + 4;
        assert!(names.contains(&format!("Kosovo Operation@{prose}")), "{names:?}");
        assert!(names.contains(&format!("Kosovo@{}", file.text().find("in Kosovo,").unwrap() + 3)), "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with(&format!("@{}", file.text().find("Kosovoland").unwrap()))));
    }

    /// Every entity with its kind, listings and articles by path, one line each, sorted.
    pub(super) fn described(workspace: &Workspace) -> Vec<String> {
        let mut lines: Vec<String> = workspace
            .entities()
            .map(|(name, entity)| {
                let path = |id: FileId| workspace.file(id).map_or("?", |file| file.path.as_ref()).to_string();
                let listings: Vec<String> =
                    entity.listings.iter().map(|&(id, index)| format!("{}#{index}", path(id))).collect();
                let articles: Vec<String> = entity.articles.iter().map(|&id| path(id)).collect();
                format!("{name}: {:?} listings {listings:?} articles {articles:?}", entity.kind())
            })
            .collect();
        lines.sort();
        lines
    }

    /// Texts on a "disk" the test changes, counting the reads.
    #[derive(Debug, Default)]
    struct FakeDisk {
        texts: parking_lot::Mutex<HashMap<String, Arc<str>>>,
        reads: std::sync::atomic::AtomicUsize,
    }

    impl TextSource for FakeDisk {
        fn read(&self, key: &str) -> Option<Arc<str>> {
            self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.texts.lock().get(key).cloned()
        }
    }

    /// The seeds as a pack would give them: facts, hash and length, texts unread.
    fn unread_seeds(disk: &Arc<FakeDisk>) -> Vec<Arc<SourceFile>> {
        let source: Arc<dyn TextSource> = disk.clone();
        crate::test_support::seeds()
            .into_iter()
            .map(|(name, text)| {
                let facts = crate::index::facts::compute_facts(&text, &parse(&text));
                let hash = crate::index::shard::content_hash(&text);
                disk.texts.lock().insert(name.clone(), Arc::from(text.as_str()));
                Arc::new(SourceFile::unread(name, facts, hash, text.len(), source.clone()))
            })
            .collect()
    }

    #[test]
    fn a_workspace_of_unread_files_answers_as_one_of_read_files_and_reads_a_text_once_when_needed() {
        let disk = Arc::new(FakeDisk::default());
        let mut unread = Workspace::default();
        unread.insert_files(unread_seeds(&disk));
        let mut read = Workspace::default();
        read.set_files(crate::test_support::seeds().into_iter().map(|(name, text)| (name, Arc::from(text))).collect());
        assert_eq!(described(&unread), described(&read));
        assert_eq!(unread.mention_fingerprint(), read.mention_fingerprint(), "known by the texts' hashes");
        assert_eq!(disk.reads.load(std::sync::atomic::Ordering::SeqCst), 0, "no text read to index");
        assert_eq!(unread.occurrences("Enver Hoxha"), read.occurrences("Enver Hoxha"));
        let reads = disk.reads.load(std::sync::atomic::Ordering::SeqCst);
        assert!(reads > 0);
        unread.occurrences("Enver Hoxha");
        assert_eq!(disk.reads.load(std::sync::atomic::Ordering::SeqCst), reads, "each text read once");
        for (id, file) in unread.files() {
            assert!(file.text_is_read());
            assert_eq!(file.text(), read.file(id).unwrap().text());
        }
    }

    #[test]
    fn an_unread_text_changed_on_disk_is_kept_only_if_the_facts_fit_it_else_it_reads_as_blanks() {
        let disk = Arc::new(FakeDisk::default());
        let files = unread_seeds(&disk);
        let (first, second, third) = (&files[0], &files[1], &files[2]);
        let end = first.facts.end_of_ranges();
        assert!(end > 0);
        // Appended to: every range still fits; the new text is the file's.
        let appended = format!("{}\nA line added since.", disk.texts.lock()[&*first.path]);
        disk.texts.lock().insert(first.path.to_string(), Arc::from(appended.as_str()));
        assert_eq!(&**first.text(), appended);
        // Cut short: the ranges would fall outside it; blanks of the old length instead.
        disk.texts.lock().insert(second.path.to_string(), Arc::from("= Cut ="));
        let blank = second.text();
        assert_eq!(blank.len(), second.text_len().max(second.facts.end_of_ranges()));
        assert!(blank.chars().all(|c| c == ' '));
        assert!(crate::index::shard::facts_fit_text(&second.facts, blank));
        // Gone: blanks too.
        disk.texts.lock().remove(&*third.path);
        assert!(third.text().trim().is_empty() && crate::index::shard::facts_fit_text(&third.facts, third.text()));
    }

    #[test]
    fn unread_texts_read_together_are_kept_as_each_would_be_read_alone() {
        let disk = Arc::new(FakeDisk::default());
        let files = unread_seeds(&disk);
        let alone = unread_seeds(&disk);
        // Cut short: its facts would not fit; blanks of the old length instead.
        disk.texts.lock().insert(files[1].path.to_string(), Arc::from("= Cut ="));
        let expected: Vec<String> = alone.iter().map(|file| file.text().to_string()).collect();
        files[2].text();
        let reads = disk.reads.load(std::sync::atomic::Ordering::SeqCst);
        let together: Vec<&SourceFile> = files.iter().map(|file| &**file).collect();
        SourceFile::read_unread_together(&together);
        assert!(files.iter().all(|file| file.text_is_read()));
        // The file read before is not read again.
        assert_eq!(disk.reads.load(std::sync::atomic::Ordering::SeqCst) - reads, files.len() - 1);
        let kept: Vec<String> = files.iter().map(|file| file.text().to_string()).collect();
        assert_eq!(kept, expected);
        assert!(kept[1].trim().is_empty());
    }

    #[test]
    fn batches_in_path_order_index_as_one_by_one_and_so_do_batches_after_one_out_of_order() {
        let article = |title: &str, commanders: &str| {
            format!("= {title} =\n\nInfobox\n- Commander1: {commanders}\n- Commander2: Tito\n\nBeta and Tito.\n")
        };
        let batches: [&[(&str, &str, &str)]; 4] = [
            &[("/w/a.txt", "Alpha", "Enver Hoxha"), ("/w/c.txt", "Beta", "Enver Hoxha, Enver Hoxha")],
            // In order after the first batch: appended.
            &[("/w/d.txt", "Delta", "Mehmet Shehu"), ("/w/e.txt", "Beta", "Enver Hoxha")],
            // `/w/b.txt` comes before paths already there: merged by path.
            &[("/w/b.txt", "Tito", "Enver Hoxha"), ("/w/f.txt", "Zeta", "Mehmet Shehu")],
            // In order again, but ids no longer follow paths: still merged by path.
            &[("/w/g.txt", "Eta", "Enver Hoxha"), ("/w/h.txt", "Beta", "Tito")],
        ];
        let mut batched = Workspace::default();
        let mut one_by_one = Workspace::default();
        for batch in batches {
            let files = batch
                .iter()
                .map(|(path, title, commanders)| {
                    Arc::new(SourceFile::indexed(path.to_string(), Arc::from(article(title, commanders).as_str())))
                })
                .collect();
            batched.insert_files(files);
            for (path, title, commanders) in batch {
                one_by_one.set_indexed_file(path, Arc::from(article(title, commanders).as_str()));
            }
            assert_eq!(described(&batched), described(&one_by_one));
        }
        let hoxha = batched.entity("Enver Hoxha").expect("listed");
        let paths: Vec<&str> =
            hoxha.listings.iter().map(|&(id, _)| batched.file(id).expect("a file").path.as_ref()).collect();
        assert_eq!(paths, ["/w/a.txt", "/w/b.txt", "/w/c.txt", "/w/c.txt", "/w/e.txt", "/w/g.txt"]);
        let beta = batched.entity("Beta").expect("an article");
        let paths: Vec<&str> =
            beta.articles.iter().map(|&id| batched.file(id).expect("a file").path.as_ref()).collect();
        assert_eq!(paths, ["/w/c.txt", "/w/e.txt", "/w/h.txt"]);
        assert!(batched.consistency_report().is_empty(), "{:?}", batched.consistency_report());
    }

    #[test]
    fn a_batch_of_parsed_files_shares_the_name_table_copies_of_its_names() {
        let text = "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n- Units1: 2nd Army, *1st Brigade\n\nSee also\n- Alpha\n- Beta\n";
        let mut workspace = Workspace::default();
        workspace.insert_files(
            ["/w/a.txt", "/w/b.txt"]
                .into_iter()
                .map(|path| Arc::new(SourceFile::indexed(path.to_string(), Arc::from(text))))
                .collect(),
        );
        let names: usize =
            workspace.files().map(|(_, file)| file.facts.listings.len() + file.facts.see_also.len()).sum();
        assert_eq!(names, 2 * (3 + 2), "three listings and two See-also items per file");
        assert_eq!(workspace.names_not_shared(), 0, "every listed name and known See-also name is the table's copy");
        // One file at a time, as an edit adds it, too.
        workspace.set_file("/w/c.txt", Arc::from(text));
        assert_eq!(workspace.names_not_shared(), 0, "a file set alone shares them too");
    }

    #[test]
    fn a_batch_whose_files_share_one_copy_of_each_name_keeps_that_copy() {
        // As a pack decodes them: every listing of `Enver Hoxha` holds one allocation, and so
        // does every listing of the alias spelling `Hoxha`.
        let text = "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha, Hoxha\n";
        let shared: Vec<Arc<str>> = vec![Arc::from("Enver Hoxha"), Arc::from("Hoxha")];
        let files: Vec<Arc<SourceFile>> = ["/w/a.txt", "/w/b.txt"]
            .into_iter()
            .map(|path| {
                let mut facts = SourceFile::indexed(path.to_string(), Arc::from(text)).facts.clone();
                for listing in &mut facts.listings {
                    listing.name = shared.iter().find(|name| ***name == *listing.name).expect("a shared name").clone();
                }
                Arc::new(SourceFile::with_facts(path.to_string(), Arc::from(text), facts))
            })
            .collect();
        let mut workspace = Workspace::default();
        workspace.set_name_rules(vec![("Hoxha".to_string(), "Enver Hoxha".to_string())], Vec::new());
        workspace.insert_files(files);
        let stored = workspace.entities.interned("Enver Hoxha").expect("an entity");
        assert!(Arc::ptr_eq(stored, &shared[0]), "the table keeps the files' copy of a canonical name");
        assert_eq!(workspace.names_not_shared(), 0);
        let listed: Vec<(&str, bool)> = workspace
            .files()
            .flat_map(|(_, file)| &file.facts.listings)
            .map(|listing| (&*listing.name, shared.iter().any(|name| Arc::ptr_eq(name, &listing.name))))
            .collect();
        assert_eq!(
            listed,
            [("Enver Hoxha", true), ("Hoxha", true), ("Enver Hoxha", true), ("Hoxha", true)],
            "the files keep their copies, the alias spelling's too"
        );
        assert!(workspace.entities.interned("Hoxha").is_none(), "an alias spelling has no entity of its own");
        assert_eq!(workspace.entity("Enver Hoxha").expect("an entity").listings.len(), 4);
    }

    #[test]
    fn files_added_in_a_batch_index_as_one_by_one() {
        let article = |title: &str, commanders: &str, prose: &str| {
            format!("= {title} =\n\nInfobox\n- Commander1: {commanders}\n- Place: Kosovo\n\n{prose}\n")
        };
        let first = [
            ("/w/b.txt", article("Beta", "Enver Hoxha, Mehmet Shehu", "Enver Hoxha in Kosovo.")),
            ("/w/d.txt", article("Delta", "Enver Hoxha", "Beta again.")),
        ];
        // Paths before, between and after the ones there; one file lists a name twice; with
        // aliases, a second spelling of one entity (its listings join the other's in order).
        let batch = [
            ("/w/e.txt", article("Epsilon", "Mehmet Shehu, Hoxha", "Nothing.")),
            ("/w/a.txt", article("Alpha", "Enver Hoxha, Enver Hoxha", "Delta and Beta.")),
            ("/w/c.txt", article("Beta", "Tito, Hoxha", "A second Beta.")),
        ];
        for aliases in [false, true] {
            let mut batched = Workspace::default();
            let mut one_by_one = Workspace::default();
            if aliases {
                for workspace in [&mut batched, &mut one_by_one] {
                    workspace.set_name_rules(vec![("Hoxha".into(), "Enver Hoxha".into())], Vec::new());
                }
            }
            for (path, text) in &first {
                batched.set_indexed_file(path, Arc::from(text.as_str()));
                one_by_one.set_indexed_file(path, Arc::from(text.as_str()));
            }
            // A stale text of `/w/e.txt` first: the batch's own later one wins.
            let stale = Arc::new(SourceFile::indexed("/w/e.txt".to_string(), Arc::from("= Stale =\n")));
            batched.insert_files(
                std::iter::once(stale)
                    .chain(
                        batch.iter().map(|(path, text)| {
                            Arc::new(SourceFile::indexed(path.to_string(), Arc::from(text.as_str())))
                        }),
                    )
                    .collect(),
            );
            for (path, text) in &batch {
                one_by_one.set_indexed_file(path, Arc::from(text.as_str()));
            }
            assert_eq!(described(&batched), described(&one_by_one), "aliases: {aliases}");
            assert!(batched.consistency_report().is_empty(), "{:?}", batched.consistency_report());
            assert_eq!(batched.files_mentioning("Enver Hoxha"), one_by_one.files_mentioning("Enver Hoxha"));
            let hoxha = batched.entity("Enver Hoxha").expect("listed");
            assert_eq!(hoxha.listings.len(), if aliases { 6 } else { 4 }, "aliases: {aliases}");
            let names: Vec<&str> = batched.entities().map(|(name, _)| name).collect();
            assert_eq!(names.contains(&"Hoxha"), !aliases, "an alias is no entity of its own");
            assert_eq!(batched.entity("Beta").expect("an article").articles.len(), 2);
            assert!(batched.entity("Stale").is_none(), "the later text of a path given twice wins");
            assert_eq!(batched.file_count(), 5);
            assert_eq!(batched.names_not_shared(), 0, "aliases: {aliases}");
        }
    }

    #[test]
    fn a_batch_in_path_order_lists_two_spellings_of_one_entity_in_file_order() {
        // Appended, not merged: the alias's listings must not go after the canonical name's.
        let text = |commander: &str| format!("= T =\n\nInfobox\n- Commander1: {commander}\n");
        let files = [("/w/a.txt", "Enver Hoxha"), ("/w/b.txt", "Hoxha"), ("/w/c.txt", "Enver Hoxha")];
        let mut batched = Workspace::default();
        let mut one_by_one = Workspace::default();
        for workspace in [&mut batched, &mut one_by_one] {
            workspace.set_name_rules(vec![("Hoxha".into(), "Enver Hoxha".into())], Vec::new());
        }
        batched.insert_files(
            files
                .iter()
                .map(|(path, name)| Arc::new(SourceFile::indexed(path.to_string(), Arc::from(text(name)))))
                .collect(),
        );
        for (path, name) in files {
            one_by_one.set_indexed_file(path, Arc::from(text(name)));
        }
        let listings = |workspace: &Workspace| workspace.entity("Enver Hoxha").expect("listed").listings.clone();
        assert_eq!(listings(&batched), listings(&one_by_one));
        assert_eq!(listings(&batched), [(FileId(0), 0), (FileId(1), 0), (FileId(2), 0)]);
    }

    #[test]
    fn near_spellings_share_a_word() {
        let ws = workspace(&[
            ("/a.txt", "= A =\n\nInfobox\n- Commander1: Midhat Frashëri\n"),
            ("/b.txt", "= B =\n\nInfobox\n- Commander1: Mit'hat Frashëri\n"),
        ]);
        assert_eq!(ws.names_sharing_a_word("Midhat Frashëri").into_iter().collect::<Vec<_>>(), ["Mit'hat Frashëri"]);
    }

    #[test]
    fn editing_prose_refreshes_that_file_mentions() {
        let mut ws = workspace(&[
            ("/a.txt", "= A =\n\nInfobox\n- Commander1: Enver Hoxha\n"),
            ("/b.txt", "= B =\n\nNobody here.\n"),
        ]);
        assert_eq!(ws.files_mentioning("Enver Hoxha"), [FileId(0)]);
        ws.set_file("/b.txt", Arc::from("= B =\n\nEnver Hoxha is here.\n"));
        assert_eq!(ws.files_mentioning("Enver Hoxha"), [FileId(0), FileId(1)]);
        ws.set_file("/b.txt", Arc::from("= B =\n\nGone again.\n"));
        assert_eq!(ws.occurrences("Enver Hoxha").len(), 1);
        ws.remove_file("/a.txt");
        assert!(ws.files_mentioning("Enver Hoxha").is_empty());
    }

    #[test]
    fn an_edit_that_keeps_the_names_keeps_the_names_generation() {
        let mut ws = workspace(&[("/a.txt", "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n\nText.\n")]);
        let before = ws.names_generation();
        ws.set_file("/a.txt", Arc::from("= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n\nMore text.\n"));
        assert_eq!(ws.names_generation(), before);
        ws.set_file("/a.txt", Arc::from("= Alpha =\n\nInfobox\n- Commander1: Enver Hoxh\n"));
        assert_ne!(ws.names_generation(), before);
        assert!(ws.entity("Enver Hoxha").is_none());
    }
}
