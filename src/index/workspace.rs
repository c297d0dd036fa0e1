//! The workspace view: every file's facts united into entities, and the mentions of their
//! names across all texts.
//!
//! Changing one file re-parses that file and moves only its own contributions in and out of
//! the entity map. Mentions are found with one multi-pattern automaton over every known name
//! (leftmost-longest, on word boundaries). The automaton is rebuilt only when the *set* of
//! names changes, and lazily, at the next query; each file's mentions are cached against the
//! automaton's generation, so a keystroke in prose re-scans that one file only.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use rayon::prelude::*;

use crate::index::facts::{EntityKind, FileFacts, Listing, compute_facts};
use crate::index::mentions::{Mention, MentionCache, MentionMatcher};
use crate::index::names::{NameTable, name_words};
use crate::index::schema::Schema;
use crate::syntax::{Document, TextRange, parse};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One file as the workspace holds it: its text, facts and (for files being edited) its
/// tree, all immutable.
#[derive(Debug)]
pub struct SourceFile {
    /// The key the edge uses for the file (a URI or a path).
    pub path: String,
    pub text: Arc<str>,
    pub facts: FileFacts,
    /// Kept for files being edited; parsed again on demand for the rest, whose trees would
    /// take twice the memory of their texts across a large workspace.
    document: Option<Document>,
}

impl SourceFile {
    /// A file whose tree is kept: one being edited.
    pub fn new(path: String, text: Arc<str>) -> SourceFile {
        let document = parse(&text);
        let facts = compute_facts(&text, &document);
        SourceFile { path, text, facts, document: Some(document) }
    }

    /// A file known from disk: its facts are kept, its tree is not.
    pub fn indexed(path: String, text: Arc<str>) -> SourceFile {
        let facts = compute_facts(&text, &parse(&text));
        SourceFile { path, text, facts, document: None }
    }

    /// The file's tree: the kept one, or a fresh parse (parsing never fails).
    pub fn document(&self) -> Cow<'_, Document> {
        match &self.document {
            Some(document) => Cow::Borrowed(document),
            None => Cow::Owned(parse(&self.text)),
        }
    }

    /// The article's title, or failing that the file's name.
    pub fn display_name(&self) -> &str {
        match &self.facts.title {
            Some((title, _)) => title,
            None => self.path.rsplit('/').next().unwrap_or(&self.path),
        }
    }

    /// A file known from disk whose facts were computed before (the on-disk cache,
    /// `index::shard`): no parse. The facts must be those of this very text.
    pub fn with_facts(path: String, text: Arc<str>, facts: FileFacts) -> SourceFile {
        SourceFile { path, text, facts, document: None }
    }
}

/// Everything the workspace knows under one name.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    /// Infobox listings, as (file, index into that file's `facts.listings`).
    pub listings: Vec<(FileId, u32)>,
    /// Articles that go by this name (title or alias).
    pub articles: Vec<FileId>,
    /// How many listings give each kind (indexed by `EntityKind as usize`), kept with the
    /// listings so that an entity's kind costs nothing to ask.
    kind_counts: [u32; 6],
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

pub struct Workspace {
    pub schema: Schema,
    files: Vec<Option<Arc<SourceFile>>>,
    ids: HashMap<String, FileId>,
    /// Every known name with its entity, and the words of the names (for completion by
    /// prefix and for finding near-spellings).
    entities: NameTable,
    /// Bumped whenever the set of entity names changes.
    names_generation: u64,
    cache: Mutex<MentionCache>,
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::new(Schema::default())
    }
}

impl Workspace {
    pub fn new(schema: Schema) -> Workspace {
        Workspace {
            schema,
            files: Vec::new(),
            ids: HashMap::new(),
            entities: NameTable::default(),
            names_generation: 0,
            cache: Mutex::new(MentionCache::default()),
        }
    }

    /// Adds or replaces a file being edited (its tree is kept). Only this file is parsed; the
    /// entity map changes by its facts.
    pub fn set_file(&mut self, path: &str, text: Arc<str>) -> FileId {
        let file = Arc::new(SourceFile::new(path.to_string(), text));
        self.insert_parsed(file)
    }

    /// Adds or replaces a file known from disk (its tree is not kept).
    pub fn set_indexed_file(&mut self, path: &str, text: Arc<str>) -> FileId {
        let file = Arc::new(SourceFile::indexed(path.to_string(), text));
        self.insert_parsed(file)
    }

    /// Adds many files known from disk, parsing them in parallel (their trees are not kept).
    pub fn set_files(&mut self, files: Vec<(String, Arc<str>)>) {
        let parsed: Vec<Arc<SourceFile>> =
            files.into_par_iter().map(|(path, text)| Arc::new(SourceFile::indexed(path, text))).collect();
        for file in parsed {
            self.insert_parsed(file);
        }
    }

    /// Adds files parsed elsewhere (the server parses off its lock, in parallel).
    pub fn insert_files(&mut self, files: Vec<Arc<SourceFile>>) {
        for file in files {
            self.insert_parsed(file);
        }
    }

    /// Changes whenever the set of known names changes; the server compares it before and
    /// after an edit to know whether other documents' cross-article diagnostics may differ.
    pub fn names_generation(&self) -> u64 {
        self.names_generation
    }

    fn insert_parsed(&mut self, file: Arc<SourceFile>) -> FileId {
        let (id, emptied) = match self.ids.get(&file.path) {
            Some(&id) => (id, self.withdraw(id)),
            None => {
                let id = FileId(self.files.len() as u32);
                self.files.push(None);
                self.ids.insert(file.path.clone(), id);
                (id, Vec::new())
            }
        };
        self.contribute(id, &file);
        // Names the file had and still has were never gone: the set of names is unchanged.
        self.sweep(emptied);
        self.files[id.0 as usize] = Some(file);
        // The text changed: its mentions must be found again, even if no name changed.
        self.cache.lock().forget(id);
        id
    }

    pub fn remove_file(&mut self, path: &str) -> Option<FileId> {
        let id = self.ids.remove(path)?;
        let emptied = self.withdraw(id);
        self.sweep(emptied);
        self.files[id.0 as usize] = None;
        self.cache.lock().forget(id);
        Some(id)
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.ids.get(path).copied()
    }

    pub fn file(&self, id: FileId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &Arc<SourceFile>)> {
        self.files.iter().enumerate().filter_map(|(index, file)| file.as_ref().map(|file| (FileId(index as u32), file)))
    }

    pub fn file_count(&self) -> usize {
        self.ids.len()
    }

    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.get(name)
    }

    pub fn entities(&self) -> impl Iterator<Item = (&str, &Entity)> {
        self.entities.iter().map(|(name, entity)| (&**name, entity))
    }

    /// The known names with a word that starts like `prefix` (case and diacritics aside:
    /// `calo` finds `Mile Čalović`), each with its entity. Walks only those names.
    pub fn names_with_word_starting(&self, prefix: &str) -> impl Iterator<Item = (&str, &Entity)> + use<'_> {
        self.entities
            .with_word_starting(&crate::index::names::fold_word(prefix))
            .map(|(name, entity)| (&**name, entity))
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

    /// The kind an entity is best known as: an article if one goes by its name, else the kind
    /// most of its listings give it.
    pub fn entity_kind(&self, name: &str) -> Option<EntityKind> {
        self.entities.get(name)?.kind()
    }

    /// Names of entities that share a word with `name`: candidates for near-spellings.
    /// Words shared by many names (`Division`, `Brigade`) tell nothing apart and are skipped.
    pub fn names_sharing_a_word(&self, name: &str) -> HashSet<&str> {
        const COMMON_WORD: usize = 64;
        let mut found = HashSet::new();
        for word in name_words(name).iter().filter(|word| word.chars().count() >= 4) {
            let names: Vec<&Arc<str>> = self.entities.with_word(word).take(COMMON_WORD + 1).collect();
            if names.len() <= COMMON_WORD {
                found.extend(names.into_iter().map(|other| &**other).filter(|other| *other != name));
            }
        }
        found
    }

    fn contribute(&mut self, id: FileId, file: &SourceFile) {
        for name in file.facts.article_names() {
            let entity = self.entry(name);
            if !entity.articles.contains(&id) {
                entity.articles.push(id);
            }
        }
        for (index, listing) in file.facts.listings.iter().enumerate() {
            let entity = self.entry(&listing.name);
            entity.listings.push((id, index as u32));
            entity.kind_counts[listing.kind as usize] += 1;
        }
    }

    /// Takes a file's facts out of the entities. Returns the names left with nothing; they
    /// stay in the map until [`Workspace::sweep`], so that re-adding the same file does not
    /// count as names going and coming back.
    fn withdraw(&mut self, id: FileId) -> Vec<String> {
        let Some(file) = self.file(id).cloned() else {
            return Vec::new();
        };
        for listing in &file.facts.listings {
            if let Some(entity) = self.entities.get_mut(&listing.name) {
                entity.kind_counts[listing.kind as usize] -= 1;
            }
        }
        let names: HashSet<&str> =
            file.facts.article_names().chain(file.facts.listings.iter().map(|l| l.name.as_str())).collect();
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
            self.cache.get_mut().name_removed(&name);
            self.names_generation += 1;
        }
    }

    fn entry(&mut self, name: &str) -> &mut Entity {
        let (entity, added) = self.entities.get_or_insert(name);
        if added {
            self.names_generation += 1;
            self.cache.get_mut().name_added(name);
        }
        entity
    }

    fn matcher(&self) -> Arc<MentionMatcher> {
        self.cache
            .lock()
            .matcher(self.names_generation, || self.entities.iter().map(|(name, _)| name.clone()).collect())
    }

    /// The mentions of known names in one file, cached until the file or the names change.
    pub fn mentions(&self, id: FileId) -> Arc<[Mention]> {
        let Some(file) = self.file(id) else {
            return Arc::from([]);
        };
        let matcher = self.matcher();
        if let Some(mentions) = self.cache.lock().cached(id, matcher.generation) {
            return mentions;
        }
        let mentions: Arc<[Mention]> = matcher.find_mentions(&file.text).into();
        self.cache.lock().store(id, matcher.generation, mentions.clone());
        mentions
    }

    /// Brings every file's mentions up to date: only files the name changes can touch are
    /// scanned again (see `mentions`), in parallel.
    pub fn warm_mentions(&self) {
        let matcher = self.matcher();
        if self.cache.lock().all_current(matcher.generation) {
            return;
        }
        let to_scan: Vec<(FileId, Arc<SourceFile>)> = {
            let mut cache = self.cache.lock();
            let ids = cache.plan_warm_up(matcher.generation, self.files().map(|(id, file)| (id, &*file.text)));
            ids.into_iter().filter_map(|id| Some((id, self.file(id)?.clone()))).collect()
        };
        let found: Vec<(FileId, Arc<[Mention]>)> =
            to_scan.par_iter().map(|(id, file)| (*id, Arc::from(matcher.find_mentions(&file.text)))).collect();
        let mut cache = self.cache.lock();
        for (id, mentions) in found {
            cache.store(id, matcher.generation, mentions);
        }
        cache.warmed(matcher.generation);
    }

    /// Every place a name occurs, in every file, in file order.
    pub fn occurrences(&self, name: &str) -> Vec<(FileId, TextRange)> {
        let mut found = Vec::new();
        for id in self.files_mentioning(name) {
            for mention in self.mentions(id).iter().filter(|mention| &*mention.name == name) {
                found.push((id, mention.range));
            }
        }
        found
    }

    /// The files whose text mentions a name at least once, in file order.
    pub fn files_mentioning(&self, name: &str) -> Vec<FileId> {
        self.warm_mentions();
        self.cache.lock().files_mentioning(name)
    }

    /// The files of the articles a name refers to.
    pub fn articles_named(&self, name: &str) -> &[FileId] {
        self.entities.get(name).map_or(&[], |entity| &entity.articles)
    }
}

// TEMPORARY (lead): a deep clone until the persistent workspace lands from the `index` branch.
impl Clone for Workspace {
    fn clone(&self) -> Workspace {
        Workspace {
            schema: self.schema.clone(),
            files: self.files.clone(),
            ids: self.ids.clone(),
            entities: self.entities.clone(),
            names_generation: self.names_generation,
            cache: Mutex::new(MentionCache::default()),
        }
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
        let occurrences: Vec<(u32, String)> = ws
            .occurrences("Enver Hoxha")
            .into_iter()
            .map(|(id, range)| (id.0, range.slice(&ws.file(id).unwrap().text).to_string()))
            .collect();
        assert_eq!(occurrences.len(), 4);
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
        let prose = file.text.find("The Kosovo").unwrap() + 4;
        assert!(names.contains(&format!("Kosovo Operation@{prose}")), "{names:?}");
        assert!(names.contains(&format!("Kosovo@{}", file.text.find("in Kosovo,").unwrap() + 3)), "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with(&format!("@{}", file.text.find("Kosovoland").unwrap()))));
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
