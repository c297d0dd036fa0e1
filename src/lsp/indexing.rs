//! Indexing the workspace folders in the background: files are found, read and parsed on
//! worker threads in batches, and each batch joins the state (a slice at a time, outside the
//! lock, while documents are open), so that typing interleaves with indexing and requests are
//! answered from what is indexed so far.
//! When the last batch is in, the mention index is warmed on a snapshot (off the lock), and
//! the diagnostics that depend on other articles are refreshed.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use tower_lsp_server::ls_types as lsp;

use tower_lsp_server::{Bounded, NotCancellable, OngoingProgress};

use crate::cache::{DiskTexts, FactsCache};
use crate::index::SourceFile;
use crate::index::config::Config;
use crate::index::pack::PackEntryRef;
use crate::index::shard::{FileStamp, SavedMentions};
use crate::index::workspace::{Batch, NameRulesHandle, PreparedNames, RunNames, TextSource};
use crate::lsp::convert::file_key;
use crate::lsp::server::Server;
use crate::lsp::state::State;

/// Files read and parsed together, in parallel (and a progress report per batch): a 25th of
/// the files to read, within these bounds. Each batch is merged while the next is parsed, and
/// a merge costs less per file the more files it takes (each merge looks its batch's names
/// up once, and files their words in bulk): at 50,000 files, batches of 2,048 instead of 512
/// took the cold start from 3.1–3.5 s to 2.7–2.8 s and 5.4–5.8 s of CPU to 4.8 s. Small
/// workspaces keep small batches (their texts in flight count against the memory budget).
const MIN_BATCH: usize = 512;
const MAX_BATCH: usize = 2048;

fn batch_size(to_read: usize) -> usize {
    (to_read / 25).clamp(MIN_BATCH, MAX_BATCH)
}

/// The smallest batch the last batch's worth of files is split into.
const TAIL_BATCH: usize = 128;

/// The batches of `count` files to read, in order: [`batch_size`] files each, but the last
/// batch's worth is split in halves down to [`TAIL_BATCH`]. The last merge runs alone (no
/// batch is read beside it): a merge of 2,000 files kept the other core idle some 30 ms at
/// 50,000 files.
fn batch_ranges(count: usize) -> Vec<std::ops::Range<usize>> {
    let size = batch_size(count);
    let mut ranges = Vec::new();
    let mut start = 0;
    while count - start > size {
        ranges.push(start..start + size);
        start += size;
    }
    while count - start > 2 * TAIL_BATCH {
        let half = (count - start) / 2;
        ranges.push(start..start + half);
        start += half;
    }
    if start < count {
        ranges.push(start..count);
    }
    ranges
}

/// Files from the pack merged together: one merge of 4,096 files from the pack takes some
/// 50 ms at 50,000 files, under the lock while nothing is open.
const PACK_SLICE: usize = 4096;

impl Server {
    /// Indexes the seed files under `roots`. With `reconcile`, files of those folders that are
    /// no longer members (the settings changed) leave the workspace.
    pub(crate) async fn index_roots(&self, roots: Vec<PathBuf>, reconcile: bool) {
        let _one_run_at_a_time = self.indexing.lock().await;
        let hooks = HooksAround::new(self.indexing_hooks);
        let progress = self.begin_progress().await;
        // A folder added without seedls.toml keeps the settings in force; a re-read after the
        // file changed (`reconcile`) falls back to the defaults when it is gone.
        let mut found = false;
        for root in &roots {
            let path = root.join("seedls.toml");
            let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(&path).ok()).await.ok().flatten();
            if let Some(text) = text {
                let config: Config = self.read_config(&root.join("seedls.toml"), &text).await;
                self.state.lock().set_config(config);
                found = true;
            } else if reconcile {
                // Its problems go with it.
                self.read_config(&root.join("seedls.toml"), "").await;
            }
        }
        if reconcile && !found {
            self.state.lock().set_config(Config::default());
        }
        let membership = {
            let mut state = self.state.lock();
            for root in &roots {
                if !state.roots.contains(root) {
                    state.roots.push(root.clone());
                }
            }
            state.membership()
        };
        // The first indexing of every folder may start from the cache's pack: decoded a slice
        // at a time on a blocking thread, each slice merged while the next is decoded and the
        // folders are walked.
        let cache = self.facts_cache().await;
        let whole_workspace = !reconcile && roots == self.state.lock().roots;
        let (slices, mut from_pack) = tokio::sync::mpsc::channel::<PackSlice>(2);
        // The saved mention index is read meanwhile too, and compared with the workspace's
        // fingerprint at the end.
        let mut saved_mentions = None;
        let mut prepared_names = None;
        if let (Some(cache), true) = (&cache, whole_workspace) {
            let cache = cache.clone();
            let mentions_cache = cache.clone();
            let rules = self.state.lock().workspace().name_rules();
            prepared_names = Some(tokio::task::spawn_blocking(move || read_pack(&cache, slices, &rules)));
            saved_mentions = Some(tokio::task::spawn_blocking(move || mentions_cache.read_mentions()));
        } else {
            drop(slices);
        }
        let scan_roots = roots.clone();
        let scan_membership = membership.clone();
        let walking = tokio::task::spawn_blocking(move || {
            let mut stamped = Vec::new();
            let mut skipped = Vec::new();
            for root in &scan_roots {
                let (found, skipped_here) = scan_membership.discover_stamped_under(root);
                // Keys (URIs) made on every core, as the walk reads the files' sizes: nothing
                // else runs while a start walks its folders.
                stamped.par_extend(found.into_par_iter().map(|(path, stamp)| (file_key(&path), path, stamp)));
                skipped.extend(skipped_here);
            }
            // In the order of the workspace's keys (URIs, which order files unlike paths do:
            // `b-c` before `b/c`, `%20` for a space): each entity keeps its listings by key, so
            // a batch that comes after the files merged so far is appended to them, not merged
            // into them.
            stamped.par_sort_by(|a, b| a.0.cmp(&b.0));
            (stamped, skipped)
        });
        let mut packed_stamps = Vec::new();
        while let Some(PackSlice { files, stamps }) = from_pack.recv().await {
            packed_stamps.extend(stamps);
            let state = self.state.clone();
            let _ = tokio::task::spawn_blocking(move || State::merge_indexed(&state, files)).await;
        }
        let (stamped, mut problems): (Vec<Stamped>, Vec<String>) =
            walking.await.unwrap_or_else(|error| (Vec::new(), vec![format!("indexing failed: {error}")]));
        // Files the pack gave whose stamp is not the one on disk are read again; files it gave
        // that the walk did not find leave.
        let Reconciled { to_read, gone } = join_walk_and_pack(&stamped, &mut packed_stamps);
        if !gone.is_empty() {
            let mut state = self.state.lock();
            for index in gone {
                state.disk_changed(&packed_stamps[index].0, None);
            }
        }
        let pack_is_stale = packed_stamps.len() != stamped.len() || !to_read.is_empty();
        drop(packed_stamps);
        // The keys and stamps are kept only to save the pack (the workspace's files hold
        // their keys; 50,000 of them held through the merges stayed in the heap's pages).
        let mut stamps = Vec::new();
        let mut paths: Vec<PathBuf> = stamped
            .into_iter()
            .map(|(key, path, stamp)| {
                if let (Some(key), Some(stamp), true) = (key, stamp, cache.is_some() && whole_workspace) {
                    stamps.push((key, stamp));
                }
                path
            })
            .collect();
        if reconcile {
            self.drop_non_members(&roots, &paths);
        }
        let total = paths.len();
        let mut indexed = total - to_read.len();
        if let (Some(progress), true) = (&progress, indexed > 0) {
            let percentage = (indexed * 100 / total.max(1)) as u32;
            progress.report_with_message(format!("{indexed} of {total} files (saved)"), percentage).await;
        }
        // Shards wait until the end of a whole workspace's indexing, and the pack goes first:
        // a writer making a file per article meanwhile takes a core from the parse.
        if let (Some(cache), true) = (&cache, whole_workspace) {
            cache.hold_shards(true);
        }
        // Many files to read (a first start, a lost pack): the cache's folder is listed once
        // rather than each file's shard looked for.
        let listing = cache.as_deref().and_then(|cache| cache.listing_for(to_read.len()));
        // The next batch is read and parsed while the last one is merged.
        let read_batch = |batch: Vec<PathBuf>| {
            let batch_cache = cache.clone();
            tokio::task::spawn_blocking(move || read_and_parse(&batch, batch_cache.as_deref()))
        };
        let mut batches = batch_ranges(to_read.len())
            .into_iter()
            .map(|range| to_read[range].iter().map(|&index| paths[index].clone()).collect::<Vec<_>>());
        let mut pending = batches.next().map(read_batch);
        // What each batch found of its names, for the batches after it.
        let run_names = RunNames::shared();
        while let Some(reading) = pending.take() {
            let read = reading.await.unwrap_or_default();
            pending = batches.next().map(read_batch);
            let mut files = Vec::with_capacity(read.len());
            for result in read {
                match result {
                    Ok(file) => files.push(file),
                    Err(problem) => problems.push(problem),
                }
            }
            indexed += files.len();
            // Merged a slice at a time, off the lock (see `State::merge_indexed`), on a
            // blocking thread, not the transport's.
            let state = self.state.clone();
            let batch = Batch::new(files).within_run(&run_names);
            let _ = tokio::task::spawn_blocking(move || {
                State::merge_indexed(&state, batch);
            })
            .await;
            if let Some(progress) = &progress {
                let percentage = (indexed * 100 / total.max(1)) as u32;
                progress.report_with_message(format!("{indexed} of {total} files"), percentage).await;
            }
        }
        drop((listing, run_names));
        if let Some(cache) = &cache {
            // Shards of files that are gone go, once, after the first full scan.
            if !reconcile && roots == self.state.lock().roots {
                cache.sweep(std::mem::take(&mut paths));
            }
            problems.extend(cache.take_problems());
        }
        // The walk's list is done with: freed before the mention scan rather than held to the
        // end of the run (some 80 bytes a file).
        drop((paths, to_read));
        self.state.lock().paranoid_check("indexing");
        // The mention index (who mentions whom) is filled once, here, off the state lock.
        if let Some(progress) = &progress {
            progress.report_with_message(format!("{indexed} files read; finding mentions"), 100).await;
        }
        let snapshot = self.state.lock().snapshot();
        let mentions_cache = cache.clone();
        let warmed = snapshot.clone();
        let saved = match saved_mentions {
            Some(reading) => reading.await.ok().flatten(),
            None => None,
        };
        let prepared = match prepared_names {
            Some(preparing) => preparing.await.ok().flatten(),
            None => None,
        };
        let save_mentions_under = tokio::task::spawn_blocking(move || {
            warm_mentions(&warmed.workspace, mentions_cache.as_deref(), saved, prepared)
        })
        .await
        .ok()
        .flatten();
        if let Some(cache) = cache.clone() {
            // Shards held back during the scan, or that found the writer's queue full, are
            // written now, in the background, from the facts indexed (not waited for: a
            // start that ends before they are all written writes the rest next time). First
            // the mention index computed, then the pack, if the one read did not hold
            // exactly these files as they are.
            let stamps: std::collections::HashMap<String, FileStamp> = stamps.into_iter().collect();
            let (workspace, open) = (snapshot.workspace.clone(), snapshot.open.clone());
            tokio::task::spawn_blocking(move || {
                if let Some(under) = save_mentions_under {
                    save_mentions(&workspace, &cache, under);
                }
                if whole_workspace && pack_is_stale {
                    store_pack(&cache, &workspace, &stamps, &open);
                }
                cache.hold_shards(false);
                cache.write_deferred(|path, text_hash| facts_indexed(&workspace, path, text_hash));
            });
        }
        // Texts the pack left unread are read now, in the background, so that the first
        // request that needs many of them does not wait for the disk.
        let workspace = snapshot.workspace.clone();
        tokio::task::spawn_blocking(move || read_unread_texts(&workspace));
        for problem in problems {
            self.log(lsp::MessageType::WARNING, problem).await;
        }
        drop(hooks);
        if let Some(progress) = progress {
            progress.finish_with_message(format!("{indexed} articles indexed")).await;
        }
        self.log(lsp::MessageType::INFO, format!("indexed {indexed} seed files")).await;
        self.refresh_diagnostics(None, true);
        let _ = self.client.send_notification::<EntitiesChanged>(()).await;
    }

    /// Files of `roots` in the workspace but not among `members` leave it (open documents
    /// stay: the editor holds them).
    fn drop_non_members(&self, roots: &[PathBuf], members: &[PathBuf]) {
        let members: std::collections::HashSet<String> = members.iter().filter_map(|path| file_key(path)).collect();
        let mut state = self.state.lock();
        for root in roots {
            let Some(root_uri) = lsp::Uri::from_file_path(root) else { continue };
            let prefix = format!("{}/", root_uri.as_str().trim_end_matches('/'));
            for key in state.closed_files_under(&prefix) {
                if !members.contains(&key) {
                    state.disk_changed(&key, None);
                }
            }
        }
    }

    async fn begin_progress(&self) -> Option<OngoingProgress<Bounded, NotCancellable>> {
        if !self.state.lock().flags.work_done_progress {
            return None;
        }
        let token = lsp::ProgressToken::String("seedls/indexing".to_string());
        let created = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            self.client.create_work_done_progress(token.clone()),
        )
        .await;
        if !matches!(created, Ok(Ok(()))) {
            return None;
        }
        Some(
            self.client
                .progress(token, "Indexing seeds")
                .with_message("finding files")
                .with_percentage(0)
                .begin()
                .await,
        )
    }
}

/// The binary's hooks called around an indexing run: `ended` when this is dropped, at the
/// end of the run or when it unwinds.
struct HooksAround(crate::lsp::IndexingHooks);

impl HooksAround {
    fn new(hooks: crate::lsp::IndexingHooks) -> HooksAround {
        (hooks.started)();
        HooksAround(hooks)
    }
}

impl Drop for HooksAround {
    fn drop(&mut self) {
        (self.0.ended)();
    }
}

/// Fills the mention index of a workspace just indexed: taken from the cache when it saved
/// the index of these very texts and names (a warm start then reads no text twice), else
/// computed. `saved` is the index the cache held, read meanwhile (else it is read here);
/// `prepared`, the matcher of the pack's names, built while the pack merged (taken if they
/// are the workspace's names).
/// Says what to save a computed index under, for the next start (`None`: nothing to save):
/// saved after the progress end (see [`save_mentions`]), since encoding it is no part of
/// indexing.
fn warm_mentions(
    workspace: &crate::index::Workspace,
    cache: Option<&FactsCache>,
    saved: Option<SavedMentions>,
    prepared: Option<PreparedNames>,
) -> Option<SaveUnder> {
    let Some(cache) = cache else {
        workspace.warm_mentions();
        return None;
    };
    // The matcher (every name's spellings) may have been built ahead, with the fingerprint.
    let adopted = prepared.and_then(|prepared| workspace.adopt_prepared_names(&prepared));
    let saved = saved.or_else(|| cache.read_mentions());
    let Some(saved) = saved else {
        // Nothing to compare with (a first start): a fingerprint not known yet waits for
        // the save.
        workspace.warm_mentions();
        return Some(adopted.map_or(SaveUnder::Fingerprint, SaveUnder::Known));
    };
    // Else it is built meanwhile: the saved index is taken back with it, and a computed one
    // needs it first.
    let fingerprint = match adopted {
        Some(fingerprint) => fingerprint,
        None => rayon::join(|| workspace.mention_fingerprint(), || workspace.warm_matcher()).0,
    };
    if let Some(entries) = saved.entries_for(fingerprint) {
        if workspace.adopt_mention_index(entries) {
            return None;
        }
    }
    workspace.warm_mentions();
    Some(SaveUnder::Known(fingerprint))
}

/// The fingerprint to save a computed mention index under.
enum SaveUnder {
    Known(u64),
    /// The workspace's, worked out when saving.
    Fingerprint,
}

/// Saves the mention index `warm_mentions` computed under its fingerprint.
fn save_mentions(workspace: &crate::index::Workspace, cache: &FactsCache, under: SaveUnder) {
    if let Some(entries) = workspace.mention_index_entries() {
        let fingerprint = match under {
            SaveUnder::Known(fingerprint) => fingerprint,
            SaveUnder::Fingerprint => workspace.mention_fingerprint(),
        };
        cache.store_mentions(fingerprint, &entries);
    }
}

/// The facts the workspace holds for the file at `path`, if its text is still the one whose
/// xxh3 is `text_hash`.
fn facts_indexed(
    workspace: &crate::index::Workspace,
    path: &std::path::Path,
    text_hash: u64,
) -> Option<crate::index::FileFacts> {
    let file = workspace.file(workspace.file_id(&file_key(path)?)?)?;
    (file.content_hash() == text_hash).then(|| file.facts.clone())
}

/// A file the walk found: its key (if a URI can name it), its path and its stamp.
type Stamped = (Option<String>, PathBuf, Option<FileStamp>);

/// What the walk and the pack's stamps say together (see [`join_walk_and_pack`]).
#[derive(Debug, PartialEq, Eq)]
struct Reconciled {
    /// Indexes of walked files to read: not in the pack, or saved with another stamp.
    to_read: Vec<usize>,
    /// Indexes of the pack's files the walk did not find.
    gone: Vec<usize>,
}

/// Joins the walk's files (sorted by key) with the pack's (sorted by key when the pack is
/// ours; sorted here if not) in one pass: 50,000 of each hashed into maps took a warm start
/// 45 ms.
fn join_walk_and_pack(walked: &[Stamped], packed: &mut Vec<(String, FileStamp)>) -> Reconciled {
    if !packed.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        packed.sort_by(|a, b| a.0.cmp(&b.0));
        packed.dedup_by(|later, earlier| later.0 == earlier.0);
    }
    let mut to_read = Vec::new();
    let mut gone = Vec::new();
    let mut next = 0;
    for (index, (key, _, stamp)) in walked.iter().enumerate() {
        let Some(key) = key else {
            to_read.push(index);
            continue;
        };
        while next < packed.len() && packed[next].0 < *key {
            gone.push(next);
            next += 1;
        }
        let saved = match packed.get(next) {
            Some((packed_key, saved)) if packed_key == key => {
                next += 1;
                Some(*saved)
            }
            _ => None,
        };
        if stamp.is_none() || saved != *stamp {
            to_read.push(index);
        }
    }
    gone.extend(next..packed.len());
    Reconciled { to_read, gone }
}

/// Files from the pack, their texts unread, with the stamp each was saved with.
struct PackSlice {
    files: Batch,
    stamps: Vec<(String, FileStamp)>,
}

/// Sends the pack's files a slice at a time, in the pack's order (by key), until the pack
/// ends, an entry fails to decode (the files sent stay: each was a valid entry; the rest are
/// read from disk), or the receiver is gone. Once the whole pack is sent (and the channel
/// closed, so that the merging side goes on), prepares the mention matcher of its names under
/// `rules` while the last slices merge, and gives it.
fn read_pack(
    cache: &FactsCache,
    slices: tokio::sync::mpsc::Sender<PackSlice>,
    rules: &NameRulesHandle,
) -> Option<PreparedNames> {
    let texts: Arc<dyn TextSource> =
        Arc::new(DiskTexts::new(|key| key.parse::<lsp::Uri>().ok()?.to_file_path().map(|path| path.into_owned())));
    cache
        .with_pack(|reader| {
            // The names that make entities: titles, aliases, listings'.
            let mut entity_names = vec![false; reader.names().names().len()];
            for start in (0..reader.len()).step_by(PACK_SLICE) {
                let entries = reader.decode_named(start..start + PACK_SLICE)?;
                let mut files = Vec::with_capacity(entries.len());
                let mut stamps = Vec::with_capacity(entries.len());
                for (entry, names) in entries {
                    // No seed is longer (the pack is checked, never trusted: its files read as
                    // blanks of this length when their text is gone).
                    let Some(len) =
                        usize::try_from(entry.text_len).ok().filter(|&len| len as u64 <= crate::scan::MAX_FILE_BYTES)
                    else {
                        continue;
                    };
                    stamps.push((entry.path.clone(), entry.stamp));
                    for &index in names.entity_names(&entry.facts) {
                        if let Some(used) = entity_names.get_mut(index as usize) {
                            *used = true;
                        }
                    }
                    let file = SourceFile::unread(entry.path, entry.facts, entry.content_hash, len, texts.clone());
                    files.push((Arc::new(file), names));
                }
                // The slices share the pack's names: each is looked up in the name table once
                // for the whole start.
                let slice = PackSlice { files: Batch::from_pack(reader.names().clone(), files), stamps };
                slices.blocking_send(slice).ok()?;
            }
            drop(slices);
            let names = reader.names().names().iter().zip(entity_names).filter(|(_, used)| *used);
            Some(PreparedNames::new(rules, names.map(|(name, _)| name.clone())))
        })
        .flatten()
}

/// Saves the facts of every file whose stamp the walk gave, but the open documents: they
/// hold the editor's text, not the disk's (left to the shards).
fn store_pack(
    cache: &FactsCache,
    workspace: &crate::index::Workspace,
    stamps: &std::collections::HashMap<String, FileStamp>,
    open: &crate::lsp::snapshot::OpenViews,
) {
    let mut entries: Vec<PackEntryRef<'_>> = workspace
        .files()
        .filter(|(_, file)| !open.contains_key(&*file.path))
        .filter_map(|(_, file)| Some(PackEntryRef::of(file, *stamps.get(&*file.path)?)))
        .collect();
    cache.store_pack(&mut entries);
}

/// Reads, on the pool's threads, every text not read yet.
fn read_unread_texts(workspace: &crate::index::Workspace) {
    let unread: Vec<&Arc<SourceFile>> =
        workspace.files().map(|(_, file)| file).filter(|file| !file.text_is_read()).collect();
    // A few at a time, into one block each (`index::text`).
    unread.par_chunks(crate::index::text::TEXTS_PER_BLOCK).for_each(|chunk| {
        crate::cancel::let_others_run();
        let files: Vec<&SourceFile> = chunk.iter().map(|file| &***file).collect();
        SourceFile::read_unread_together(&files);
    });
}

/// Reads and parses a batch of files in parallel, taking facts from the cache where it has
/// them.
fn read_and_parse(paths: &[PathBuf], cache: Option<&FactsCache>) -> Vec<Result<Arc<SourceFile>, String>> {
    crate::cache::index_paths_with_cache(paths, cache, |path| {
        file_key(path).ok_or_else(|| format!("{}: not a valid file URI", path.display()))
    })
}

impl Server {
    /// The on-disk facts cache, opened once with the settings of the first indexing run
    /// (`[cache]` in seedls.toml, overridden by the initialization option `cache`).
    async fn facts_cache(&self) -> Option<Arc<FactsCache>> {
        if let Some(opened) = self.facts_cache.get() {
            return opened.clone();
        }
        let (roots, settings) = {
            let state = self.state.lock();
            let settings = match &state.initial_cache_settings {
                Some(over) => state.config.cache.overridden_by(over),
                None => state.config.cache.clone(),
            };
            (state.roots.clone(), settings)
        };
        let opened = tokio::task::spawn_blocking(move || FactsCache::open(&roots, &settings)).await;
        let cache = match opened {
            Ok(Ok(cache)) => cache.map(Arc::new),
            Ok(Err(problem)) => {
                self.log(lsp::MessageType::WARNING, format!("the facts cache cannot be used: {problem}")).await;
                None
            }
            Err(_) => None,
        };
        self.facts_cache.get_or_init(|| cache).clone()
    }
}

/// `seedls/entitiesChanged`: sent after indexing, so that an entity explorer refreshes.
pub(crate) enum EntitiesChanged {}

impl lsp::notification::Notification for EntitiesChanged {
    type Params = ();
    const METHOD: &'static str = "seedls/entitiesChanged";
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::index::Workspace;
    use crate::index::shard::content_hash;

    #[test]
    fn batches_take_every_file_once_in_order_and_end_small() {
        for count in [0, 1, 100, 256, 257, 300, 511, 512, 513, 10_000, 50_000, 123_457] {
            let ranges = batch_ranges(count);
            let mut next = 0;
            for range in &ranges {
                assert_eq!(range.start, next, "{count}: {ranges:?}");
                assert!(!range.is_empty() && range.len() <= batch_size(count), "{count}: {ranges:?}");
                next = range.end;
            }
            assert_eq!(next, count, "{count}: {ranges:?}");
            if let Some(last) = ranges.last() {
                assert!(last.len() <= 2 * TAIL_BATCH, "{count}: {ranges:?}");
            }
        }
        let tail: Vec<usize> = batch_ranges(50_000).iter().rev().take(4).map(|range| range.len()).collect();
        assert_eq!(tail, [250, 250, 500, 1000]);
    }

    #[test]
    fn the_walk_and_the_pack_are_joined_by_key() {
        let stamp = |size| Some(FileStamp { size, modified_secs: 1, modified_nanos: 0 });
        let walked = |key: Option<&str>, size| (key.map(str::to_string), PathBuf::new(), stamp(size));
        let walk = vec![
            walked(None, 1),
            walked(Some("file:///a"), 1),
            walked(Some("file:///c"), 2),
            walked(Some("file:///d"), 1),
            (Some("file:///e".to_string()), PathBuf::new(), None),
            walked(Some("file:///g"), 1),
        ];
        let saved = |key: &str, size| (key.to_string(), stamp(size).expect("a stamp"));
        let mut pack = vec![saved("file:///a", 1), saved("file:///b", 1), saved("file:///c", 1), saved("file:///e", 1)];
        pack.extend([saved("file:///f", 1), saved("file:///g", 1), saved("file:///h", 1)]);
        // No key: read. a: kept. b: gone. c: its stamp moved. d: not in the pack. e: no
        // stamp. f: gone. g: kept. h: gone.
        let expected = Reconciled { to_read: vec![0, 2, 3, 4], gone: vec![1, 4, 6] };
        assert_eq!(join_walk_and_pack(&walk, &mut pack.clone()), expected);
        // A pack out of order (not one of ours) is sorted first, a key listed twice once.
        let mut shuffled = pack.clone();
        shuffled.reverse();
        shuffled.push(saved("file:///a", 9));
        assert_eq!(join_walk_and_pack(&walk, &mut shuffled), expected);
        assert_eq!(shuffled, pack);
    }

    #[test]
    fn the_pack_saves_every_stamped_file_but_the_open_documents() {
        let dir = std::env::temp_dir().join(format!("seedls-pack-open-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = FactsCache::at(dir.clone());
        let mut workspace = Workspace::default();
        let stamp = FileStamp { size: 10, modified_secs: 1_700_000_000, modified_nanos: 0 };
        let mut stamps = std::collections::HashMap::new();
        for key in ["file:///w/a.txt", "file:///w/b.txt", "file:///w/c.txt"] {
            workspace.set_indexed_file(key, Arc::from("= A =\n\nInfobox\n- Commander1: Enver Hoxha\n"));
            stamps.insert(key.to_string(), stamp);
        }
        stamps.remove("file:///w/c.txt");
        let mut open = crate::lsp::snapshot::OpenViews::default();
        let view = crate::lsp::snapshot::OpenView {
            version: 1,
            line_map: crate::lsp::convert::LineMap::new(Arc::from(""), crate::position::Encoding::Utf16),
        };
        open.insert("file:///w/b.txt".to_string(), view);
        store_pack(&cache, &workspace, &stamps, &open);
        cache.flush();
        let saved = cache.with_pack(|reader| reader.decode(0..reader.len())).flatten().expect("a pack");
        let keys: Vec<&str> = saved.iter().map(|entry| entry.path.as_str()).collect();
        assert_eq!(keys, ["file:///w/a.txt"], "b is open, c has no stamp");
        drop(cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_first_start_saves_its_mention_index_under_the_fingerprint_the_next_start_takes_it_back_by() {
        let dir = std::env::temp_dir().join(format!("seedls-mentions-later-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = FactsCache::at(dir.clone());
        let workspace = || {
            let mut workspace = Workspace::default();
            workspace.set_indexed_file("file:///w/a.txt", Arc::from("= A =\n\nInfobox\n- Commander1: Enver Hoxha\n"));
            workspace.set_indexed_file("file:///w/b.txt", Arc::from("= B =\n\nEnver Hoxha led it.\n"));
            workspace
        };
        let first = workspace();
        let under = warm_mentions(&first, Some(&cache), None, None).expect("an index to save");
        assert!(matches!(under, SaveUnder::Fingerprint), "nothing saved to compare with");
        save_mentions(&first, &cache, under);
        cache.flush();
        let saved = cache.read_mentions().expect("saved");
        assert_eq!(saved.fingerprint, first.mention_fingerprint());
        // The next start, on the same texts, takes it back rather than computing it.
        let next = workspace();
        assert!(warm_mentions(&next, Some(&cache), Some(saved), None).is_none());
        let sorted = |workspace: &Workspace| {
            let mut entries = workspace.mention_index_entries().expect("an index");
            entries.sort();
            entries
        };
        assert_eq!(sorted(&next), sorted(&first));
        // A start whose matcher was built ahead (from the pack's names) knows the fingerprint
        // already, and keeps its matcher, saved index or not.
        let prepared_ahead = workspace();
        let names = ["A", "B", "Enver Hoxha"].map(Arc::<str>::from);
        let prepared = PreparedNames::new(&prepared_ahead.name_rules(), names);
        let empty = FactsCache::at(dir.join("empty"));
        let under = warm_mentions(&prepared_ahead, Some(&empty), None, Some(prepared));
        assert!(matches!(under, Some(SaveUnder::Known(known)) if known == first.mention_fingerprint()));
        assert_eq!(sorted(&prepared_ahead), sorted(&first));
        drop(empty);
        drop(cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_deferred_shard_takes_the_facts_of_the_file_its_path_names_while_its_text_is_the_same() {
        let path = std::env::temp_dir().join("seedls-deferred").join("Kosovo (1944).txt");
        let key = file_key(&path).expect("a file URI");
        let text = "= Kosovo =\n\nInfobox\n- Commander1: Enver Hoxha\n";
        let mut workspace = Workspace::default();
        workspace.set_indexed_file(&key, Arc::from(text));
        let facts = facts_indexed(&workspace, &path, content_hash(text)).expect("the file's facts");
        assert!(facts.listings.iter().any(|listing| &*listing.name == "Enver Hoxha"));
        assert!(facts_indexed(&workspace, &path, content_hash("another text")).is_none(), "the text changed");
        assert!(facts_indexed(&workspace, &path.with_file_name("other.txt"), content_hash(text)).is_none());
    }
}
