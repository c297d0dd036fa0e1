//! The on-disk cache of per-article facts, so that a warm start reads a shard per article
//! instead of parsing it. An edge: it owns the files; the bytes are `index::shard`'s.
//!
//! One folder per workspace (`<user cache>/seedls/<root name>-<hash of the roots>/`, or under
//! the `[cache] dir` setting), one shard per article named by the hash of its absolute path.
//! A shard is used when its path, its build and the hash of the text just read all match and
//! its ranges fit the text; when the file's size or mtime moved but its text did not, the
//! shard is used and rewritten with the new stamp. Anything else is a miss: the article is
//! parsed and its shard written again. A file that goes through the shards has its text read
//! (the workspace holds it), so confirming it by its hash costs a few percent of the read and
//! a file edited within one mtime tick is never served stale facts by a shard.
//!
//! Beside the shards, one file holds the workspace's mention index (which files mention which
//! name), saved after indexing under a fingerprint of every text and name
//! (`Workspace::mention_fingerprint`): a start whose texts and names are all the same takes it
//! back instead of reading every text for mentions again, after checking it names only files
//! and names the workspace has.
//!
//! And one file holds the facts of the whole workspace together (`index::pack`, written by
//! the server after indexing): a warm start reads it instead of 50,000 shards, uses each
//! entry whose file's size and mtime are the ones on disk, and reads those files' texts only
//! when they are first needed ([`DiskTexts`]; `SourceFile::text` checks them against the
//! facts). Files the pack does not have, or whose stamp moved, go through the shards. (A
//! file rewritten within one mtime tick with the same size keeps the pack's facts until the
//! editor's watcher reports the change; its text, read later, is kept only if the facts fit.)
//!
//! Writes go to one background thread, over a queue bounded by its bytes, which writes each shard to a
//! temporary file and renames it into place (a reader sees the old shard or the new, never
//! half of one). A full queue drops the write rather than wait; the server writes those shards
//! after indexing, from the facts it holds (`write_deferred`, paced by the writer), and a
//! start that ends first leaves them to the next. Through a whole workspace's first indexing
//! the server holds every shard back that way (`hold_shards`), and the pack is written first:
//! the writer, at the lowest priority, would otherwise take a core from the parse.
//! Failures are counted and kept as messages for the edge to log; none is fatal.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use parking_lot::{Mutex, RwLock};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::index::facts::FileFacts;
use crate::index::pack::{self, PackEntryRef, PackReader};
use crate::index::shard::{self, CacheSettings, FileStamp};
use crate::index::workspace::TextSource;
use crate::index::{SharedText, SourceFile};
use crate::scan;

/// The bytes of shards waiting to be written, at most: past it, stores are dropped. A shard
/// is about a quarter of its article (1.5 kB for a 6 kB article), so this holds the shards of
/// some 40,000 articles: on two cores the writer falls behind a cold start's parsing.
const QUEUE_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A shard larger than this is not one of ours.
const MAX_SHARD_BYTES: u64 = 4 * scan::MAX_FILE_BYTES;

/// Messages kept for the edge to log; the rest are only counted.
const MAX_PROBLEMS: usize = 20;

const SHARD_EXTENSION: &str = ".shard";
const TEMPORARY_EXTENSION: &str = ".tmp";

/// The saved mention index (which files mention which name), one per workspace.
const MENTIONS_FILE: &str = "mentions.index";

/// The workspace's facts saved together (`index::pack`), one per workspace.
const PACK_FILE: &str = "workspace.pack";

/// A pack larger than this is not one of ours (a 50,000-article workspace's takes 26 MB).
const MAX_PACK_BYTES: u64 = 4 << 30;

/// A saved mention index larger than this is not one of ours (a 50,000-article workspace's
/// takes 5.4 MB).
const MAX_MENTIONS_BYTES: u64 = 1 << 30;

/// Temporary files older than this were left by a writer that died; younger ones may be
/// another server's, writing now.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// From how many files to read a run lists the folder first ([`FactsCache::listing_for`]).
/// Listing a folder of 50,000 shards took 20 ms, the time of 7,000–20,000 failed looks for
/// a shard: a first start (no shard there) gains a look per file, a run over a full folder
/// loses at most that.
const LIST_SHARDS_FROM: usize = 2048;

/// What the cache did since it was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Shards used as they were.
    pub hits: u64,
    /// Shards used whose file's size or mtime had moved (the text had not): rewritten.
    pub touched: u64,
    /// Articles with no shard.
    pub misses: u64,
    /// Shards found but refused: corrupt, of another build, or of another text.
    pub rejected: u64,
    pub written: u64,
    /// Stores not made: the queue was full or the writer is gone.
    pub dropped: u64,
    pub write_errors: u64,
    /// Shards of files no longer in the workspace, and dead temporary files, removed.
    pub swept: u64,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    touched: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
    written: AtomicU64,
    dropped: AtomicU64,
    write_errors: AtomicU64,
    swept: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// What the callers and the writer thread share.
struct Shared {
    dir: PathBuf,
    /// Written beside the shards so that a person can tell whose folder this is.
    roots: Vec<PathBuf>,
    counters: Counters,
    problems: Mutex<Vec<String>>,
    /// The bytes of the shards queued and not yet written (bounded by `budget`).
    queued_bytes: AtomicUsize,
    /// `QUEUE_BUDGET_BYTES` (smaller in tests).
    budget: usize,
    /// Shards that found the queue full, to be written later from facts kept in memory
    /// ([`FactsCache::write_deferred`]).
    deferred: Mutex<Vec<Deferred>>,
    /// While set ([`FactsCache::hold_shards`]), every shard store is deferred: a first start
    /// parses on every core, and a writer making 50,000 files meanwhile (a temporary file and
    /// a rename each) took a core from it and tripled the start (3 s → 5–15 s at 50k).
    holding: AtomicBool,
    /// The names of the shards in the folder, while a run that reads many files holds a
    /// listing ([`FactsCache::list_shards`]): a shard not listed is a miss without a look on
    /// disk.
    listing: RwLock<Option<HashSet<u64>>>,
    /// Set when the server shuts down ([`FactsCache::stop_writing_after`]): what is still
    /// queued then is dropped, so that a full queue (up to the whole cache of a large
    /// workspace's first start) never holds the process open.
    stop_at: Mutex<Option<Instant>>,
}

/// A shard not queued for want of room: which file, as it was when it was read.
struct Deferred {
    path: PathBuf,
    stamp: FileStamp,
    text_hash: u64,
}

impl Shared {
    /// True once the writing has been stopped and its grace is over.
    fn stopped(&self) -> bool {
        self.stop_at.lock().is_some_and(|deadline| Instant::now() >= deadline)
    }

    fn problem(&self, message: String) {
        let mut problems = self.problems.lock();
        if problems.len() < MAX_PROBLEMS {
            problems.push(message);
        }
    }
}

/// What became of bytes given to the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queued {
    Yes,
    /// The queue held its budget's worth already.
    NoRoom,
    /// There is no writer (it could not be started, or it ended).
    NoWriter,
}

enum Job {
    Write { file_name: String, bytes: Vec<u8> },
    Sweep { present: Vec<PathBuf> },
    Flush(SyncSender<()>),
}

/// The cache of one workspace. Cheap to share across threads (`load` and `store` take
/// `&self`); dropping it lets the writer finish the queued shards and waits for it, so drop
/// it off the async runtime (or let the process end without dropping it: a shard never
/// written is parsed again next time, a stray temporary file is swept an hour later).
pub struct FactsCache {
    shared: Arc<Shared>,
    sender: Option<Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    swept: AtomicBool,
}

impl FactsCache {
    /// The cache of the workspace with these roots, as the settings say: `Ok(None)` when
    /// disabled, an error when no cache folder can be found (no home folder) — then there is
    /// simply no cache.
    pub fn open(roots: &[PathBuf], settings: &CacheSettings) -> Result<Option<FactsCache>, String> {
        if !settings.is_enabled() {
            return Ok(None);
        }
        let base = match &settings.dir {
            Some(dir) => {
                let dir = Path::new(dir);
                match roots.first() {
                    Some(root) if dir.is_relative() => root.join(dir),
                    _ => absolute(dir),
                }
            }
            None => dirs::cache_dir()
                .ok_or("no cache folder: set [cache] dir in seedls.toml, or XDG_CACHE_HOME or HOME")?
                .join("seedls"),
        };
        Ok(Some(FactsCache::with_roots(workspace_dir(&base, roots), roots.to_vec())))
    }

    /// `<user cache folder>/seedls/<workspace>/`: `$XDG_CACHE_HOME` or `~/.cache` on Linux,
    /// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows.
    pub fn default_dir(roots: &[PathBuf]) -> Option<PathBuf> {
        Some(workspace_dir(&dirs::cache_dir()?.join("seedls"), roots))
    }

    /// A cache whose shards live exactly in `dir` (tests and benchmarks).
    pub fn at(dir: PathBuf) -> FactsCache {
        FactsCache::with_roots(dir, Vec::new())
    }

    fn with_roots(dir: PathBuf, roots: Vec<PathBuf>) -> FactsCache {
        FactsCache::with_budget(dir, roots, QUEUE_BUDGET_BYTES)
    }

    fn with_budget(dir: PathBuf, roots: Vec<PathBuf>, budget: usize) -> FactsCache {
        let shared = Arc::new(Shared {
            dir,
            roots,
            counters: Counters::default(),
            problems: Mutex::new(Vec::new()),
            queued_bytes: AtomicUsize::new(0),
            budget,
            deferred: Mutex::new(Vec::new()),
            holding: AtomicBool::new(false),
            listing: RwLock::new(None),
            stop_at: Mutex::new(None),
        });
        let (sender, receiver) = mpsc::channel();
        let writer_shared = Arc::clone(&shared);
        let writer = std::thread::Builder::new()
            .name("seedls-cache-writer".into())
            .spawn(move || run_writer(&writer_shared, receiver));
        match writer {
            Ok(writer) => {
                FactsCache { shared, sender: Some(sender), writer: Some(writer), swept: AtomicBool::new(false) }
            }
            Err(error) => {
                shared.problem(format!("cache: no writer thread ({error}); nothing will be written"));
                FactsCache { shared, sender: None, writer: None, swept: AtomicBool::new(false) }
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The facts of the file whose shard is `key` and whose text is `text`, if its shard
    /// holds them.
    fn load(&self, key: &ShardKey<'_>, path: &Path, stamp: FileStamp, text: &str) -> Option<FileFacts> {
        let counters = &self.shared.counters;
        if self.shared.listing.read().as_ref().is_some_and(|listed| !listed.contains(&key.hash)) {
            bump(&counters.misses);
            return None;
        }
        let decoded = scan::with_read_buffer(|bytes| {
            read_limited(&self.shared.dir.join(key.file_name()), MAX_SHARD_BYTES, bytes).then(|| shard::decode(bytes))
        });
        let Some(decoded) = decoded else {
            bump(&counters.misses);
            return None;
        };
        let text_hash = shard::content_hash(text);
        let shard = decoded.filter(|shard| {
            shard.path == key.path() && shard.content_hash == text_hash && shard::facts_fit_text(&shard.facts, text)
        });
        let Some(shard) = shard else {
            bump(&counters.rejected);
            return None;
        };
        if shard.stamp == stamp {
            bump(&counters.hits);
        } else {
            bump(&counters.touched);
            self.queue(path, key, stamp, text_hash, &shard.facts);
        }
        Some(shard.facts)
    }

    /// Queues the shard of a file (never waits: with the queue full, or while shards are
    /// held, it is deferred to [`FactsCache::write_deferred`]).
    fn queue(&self, path: &Path, key: &ShardKey<'_>, stamp: FileStamp, text_hash: u64, facts: &FileFacts) {
        if self.shared.holding.load(Ordering::Relaxed) {
            self.shared.deferred.lock().push(Deferred { path: path.to_path_buf(), stamp, text_hash });
            return;
        }
        let Some(bytes) = shard::encode(&key.path(), stamp, text_hash, facts) else {
            bump(&self.shared.counters.dropped);
            return;
        };
        if self.queue_bytes(key.file_name(), bytes, true) == Queued::NoRoom {
            self.shared.deferred.lock().push(Deferred { path: path.to_path_buf(), stamp, text_hash });
        }
    }

    fn queue_bytes(&self, file_name: String, bytes: Vec<u8>, budgeted: bool) -> Queued {
        let Some(sender) = &self.sender else {
            bump(&self.shared.counters.dropped);
            return Queued::NoWriter;
        };
        let size = bytes.len();
        let queued = &self.shared.queued_bytes;
        if queued.fetch_add(size, Ordering::Relaxed) + size > self.shared.budget && budgeted {
            queued.fetch_sub(size, Ordering::Relaxed);
            bump(&self.shared.counters.dropped);
            return Queued::NoRoom;
        }
        if sender.send(Job::Write { file_name, bytes }).is_err() {
            queued.fetch_sub(size, Ordering::Relaxed);
            bump(&self.shared.counters.dropped);
            return Queued::NoWriter;
        }
        Queued::Yes
    }

    /// While `hold` is true, shards are not queued but deferred, as if the queue were full,
    /// until [`FactsCache::write_deferred`] writes them from the facts then held (the server
    /// holds them through a whole workspace's first indexing, and writes the pack first).
    /// Other files (the pack, the mention index) are queued as always.
    pub fn hold_shards(&self, hold: bool) {
        self.shared.holding.store(hold, Ordering::Relaxed);
    }

    /// A listing of the folder ([`FactsCache::list_shards`]) for a run about to read
    /// `to_read` files, if they are enough to be worth it.
    pub fn listing_for(&self, to_read: usize) -> Option<ShardListing<'_>> {
        (to_read >= LIST_SHARDS_FROM).then(|| self.list_shards())
    }

    /// Lists the shards in the folder, once, for a run about to read many files: until the
    /// listing is dropped, a file whose shard it does not name is a miss without a look on
    /// disk (a first start tried to open 50,000 shards that were not there, one by one). A
    /// shard another process writes meanwhile is missed, and its file parsed.
    /// Listings do not nest: the first one dropped ends it.
    fn list_shards(&self) -> ShardListing<'_> {
        let mut listed = HashSet::new();
        if let Ok(entries) = fs::read_dir(&self.shared.dir) {
            for entry in entries.flatten() {
                if let Some(hash) = entry.file_name().to_str().and_then(shard_hash) {
                    listed.insert(hash);
                }
            }
        }
        *self.shared.listing.write() = Some(listed);
        ShardListing { cache: self }
    }

    /// Writes the shards that found the queue full, from facts the caller still holds:
    /// `facts_of(path, text_hash)` gives a file's facts if its text is still the one whose
    /// xxh3 is `text_hash` (else the shard waits for a later start). Paced by the writer:
    /// each shard is queued once the queue is down to half its budget, so this waits, on the
    /// caller's thread, and never crowds out other stores. Returns the shards queued.
    pub fn write_deferred(&self, facts_of: impl Fn(&Path, u64) -> Option<FileFacts>) -> usize {
        let deferred = std::mem::take(&mut *self.shared.deferred.lock());
        let mut queued = 0;
        for Deferred { path, stamp, text_hash } in deferred {
            if self.shared.stop_at.lock().is_some() {
                break;
            }
            let Some(facts) = facts_of(&path, text_hash) else { continue };
            let key = ShardKey::of(&path);
            let Some(bytes) = shard::encode(&key.path(), stamp, text_hash, &facts) else { continue };
            while self.shared.queued_bytes.load(Ordering::Relaxed) > self.shared.budget / 2 {
                std::thread::sleep(Duration::from_millis(2));
            }
            if self.queue_bytes(key.file_name(), bytes, false) != Queued::Yes {
                break;
            }
            queued += 1;
        }
        queued
    }

    /// Calls `read` with the workspace's facts as last saved together, if the cache has a
    /// pack of this build (each entry to be used only while its file's stamp is the one on
    /// disk); `None` if it has not.
    pub fn with_pack<R>(&self, read: impl FnOnce(PackReader<'_>) -> R) -> Option<R> {
        let mut bytes = Vec::new();
        if !read_limited(&self.shared.dir.join(PACK_FILE), MAX_PACK_BYTES, &mut bytes) {
            return None;
        }
        let Some(reader) = pack::open_pack(&bytes) else {
            bump(&self.shared.counters.rejected);
            return None;
        };
        Some(read(reader))
    }

    /// Queues the pack of these entries to be saved (replacing the one saved before), sorted
    /// by key: the order a warm start merges them in fastest, and joins them with the walk's.
    pub fn store_pack(&self, entries: &mut [PackEntryRef<'_>]) {
        entries.sort_unstable_by(|a, b| a.path.cmp(b.path));
        let Some(bytes) = pack::encode_pack(entries) else {
            bump(&self.shared.counters.dropped);
            return;
        };
        let _ = self.queue_bytes(PACK_FILE.to_string(), bytes, false);
    }

    /// The mention index the cache holds, with the fingerprint it was saved under
    /// (`Workspace::mention_fingerprint`; read before the workspace's is known: a warm start
    /// reads it while it merges the facts).
    pub fn read_mentions(&self) -> Option<shard::SavedMentions> {
        let mut bytes = Vec::new();
        if !read_limited(&self.shared.dir.join(MENTIONS_FILE), MAX_MENTIONS_BYTES, &mut bytes) {
            return None;
        }
        let saved = shard::decode_saved_mentions(&bytes);
        if saved.is_none() {
            bump(&self.shared.counters.rejected);
        }
        saved
    }

    /// Queues the mention index of a workspace to be saved (replacing the one saved before).
    pub fn store_mentions(&self, fingerprint: u64, entries: &[crate::index::MentionEntry]) {
        let Some(bytes) = shard::encode_mentions(fingerprint, entries) else {
            bump(&self.shared.counters.dropped);
            return;
        };
        // Past the budget too: one file per indexing run, which a cold start's shards would
        // otherwise crowd out until the next start.
        let _ = self.queue_bytes(MENTIONS_FILE.to_string(), bytes, false);
    }

    /// Removes, in the background, the shards of every file not in `present` (the whole
    /// workspace just indexed), and temporary files left by a writer that died. Once per
    /// cache; later calls do nothing. After the shards queued before it are written.
    /// The shards' names are worked out by the writer (hashing 50,000 paths took a warm
    /// start 35 ms).
    pub fn sweep(&self, present: Vec<PathBuf>) {
        if self.swept.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(sender) = &self.sender {
            let _ = sender.send(Job::Sweep { present });
        }
    }

    /// Stops the writing (the server is shutting down): shards still queued after `grace`
    /// are dropped rather than written, and no deferred shard is queued any more. The next
    /// start parses those files again and saves them then.
    pub fn stop_writing_after(&self, grace: Duration) {
        *self.shared.stop_at.lock() = Some(Instant::now() + grace);
    }

    /// Waits, on the caller's thread, until the writer's queue is empty or the grace given to
    /// [`FactsCache::stop_writing_after`] is over (at once if the writing was not stopped).
    pub fn wait_for_the_writer(&self) {
        if self.shared.stop_at.lock().is_none() {
            return;
        }
        while self.shared.queued_bytes.load(Ordering::Relaxed) > 0 && !self.shared.stopped() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until every shard queued so far is written (or failed). For batch callers
    /// (`seedls check --cache`, tests, benchmarks); a server never needs to.
    pub fn flush(&self) {
        let Some(sender) = &self.sender else {
            return;
        };
        let (done, finished) = mpsc::sync_channel(1);
        if sender.send(Job::Flush(done)).is_ok() {
            let _ = finished.recv();
        }
    }

    pub fn stats(&self) -> CacheStats {
        let counters = &self.shared.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        CacheStats {
            hits: read(&counters.hits),
            touched: read(&counters.touched),
            misses: read(&counters.misses),
            rejected: read(&counters.rejected),
            written: read(&counters.written),
            dropped: read(&counters.dropped),
            write_errors: read(&counters.write_errors),
            swept: read(&counters.swept),
        }
    }

    /// The problems met since the last call (at most a few; the rest are counted in stats),
    /// for the edge to log.
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut *self.shared.problems.lock())
    }
}

impl Drop for FactsCache {
    fn drop(&mut self) {
        // Closing the channel ends the writer once the queue is written.
        self.sender = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("FactsCache").field("dir", &self.shared.dir).finish_non_exhaustive()
    }
}

/// What a shard is known by: the file's absolute path, and its hash, which names the shard's
/// file. Absolute, so that `seedls check .` and the server share shards.
struct ShardKey<'path> {
    absolute: Cow<'path, Path>,
    hash: u64,
}

impl ShardKey<'_> {
    fn of(path: &Path) -> ShardKey<'_> {
        // A clean absolute path (the server's, from URIs) is its own absolute form.
        let absolute = if is_clean_absolute(path) { Cow::Borrowed(path) } else { Cow::Owned(absolute(path)) };
        let hash = xxh3_64(absolute.as_os_str().as_encoded_bytes());
        ShardKey { absolute, hash }
    }

    /// The absolute path, as the shard records it.
    fn path(&self) -> Cow<'_, str> {
        self.absolute.to_string_lossy()
    }

    fn file_name(&self) -> String {
        format!("{:016x}{SHARD_EXTENSION}", self.hash)
    }
}

/// The hash a shard's file name holds, if `name` is a shard's.
fn shard_hash(name: &str) -> Option<u64> {
    let hex = name.strip_suffix(SHARD_EXTENSION)?;
    if hex.len() != 16 || !hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// True if `std::path::absolute` gives `path` back unchanged: absolute, with no `.`
/// component and no doubled separator (which it would remove). Unix only; elsewhere every
/// path goes through `absolute`.
fn is_clean_absolute(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    if !cfg!(unix) || bytes.first() != Some(&b'/') {
        return false;
    }
    // After each separator: neither another separator nor a `.` component.
    memchr::memchr_iter(b'/', bytes).all(|at| !matches!(&bytes[at + 1..], [b'/', ..] | [b'.'] | [b'.', b'/', ..]))
}

/// While held, the cache's loads consult the listing [`FactsCache::listing_for`] took.
pub struct ShardListing<'cache> {
    cache: &'cache FactsCache,
}

impl Drop for ShardListing<'_> {
    fn drop(&mut self) {
        *self.cache.shared.listing.write() = None;
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The folder of one workspace under `base`: the first root's name (for people) and a hash
/// of every root, canonical (for uniqueness).
fn workspace_dir(base: &Path, roots: &[PathBuf]) -> PathBuf {
    let mut canonical: Vec<PathBuf> =
        roots.iter().map(|root| fs::canonicalize(root).unwrap_or_else(|_| absolute(root))).collect();
    canonical.sort();
    canonical.dedup();
    let mut all = Vec::new();
    for root in &canonical {
        all.extend_from_slice(root.as_os_str().as_encoded_bytes());
        all.push(0);
    }
    let name: String = canonical
        .first()
        .and_then(|root| root.file_name())
        .map(|name| name.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect();
    let name = if name.is_empty() || name.starts_with('.') { "workspace".to_string() } else { name };
    base.join(format!("{name}-{:016x}", xxh3_64(&all)))
}

/// A file whose text the caller already read: its facts from the cache when the shard fits
/// (`stamp` taken before the read), else parsed and queued for the cache.
pub fn source_file(
    cache: Option<&FactsCache>,
    path: &Path,
    stamp: Option<FileStamp>,
    key: String,
    text: impl Into<SharedText>,
) -> Arc<SourceFile> {
    let text = text.into();
    let (Some(cache), Some(stamp)) = (cache, stamp) else {
        return Arc::new(SourceFile::indexed(key, text));
    };
    let shard = ShardKey::of(path);
    if let Some(facts) = cache.load(&shard, path, stamp, &text) {
        return Arc::new(SourceFile::with_facts(key, text, facts));
    }
    let file = SourceFile::indexed(key, text);
    cache.queue(path, &shard, stamp, file.content_hash(), &file.facts);
    Arc::new(file)
}

/// The texts of files whose facts came from the pack, read from disk when first asked for.
pub struct DiskTexts {
    /// The path of a file's key (a URI for the server, a path for `seedls check`).
    path_of: Box<PathOf>,
}

type PathOf = dyn Fn(&str) -> Option<PathBuf> + Send + Sync;

impl DiskTexts {
    pub fn new(path_of: impl Fn(&str) -> Option<PathBuf> + Send + Sync + 'static) -> DiskTexts {
        DiskTexts { path_of: Box::new(path_of) }
    }
}

impl std::fmt::Debug for DiskTexts {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DiskTexts")
    }
}

impl TextSource for DiskTexts {
    fn read(&self, key: &str) -> Option<Arc<str>> {
        let path = (self.path_of)(key)?;
        scan::read_seed_shared(&path).ok().map(|(text, _)| text)
    }

    fn read_together(&self, keys: &[&str]) -> Vec<Option<SharedText>> {
        let paths: Vec<Option<PathBuf>> = keys.iter().map(|key| (self.path_of)(key)).collect();
        let known: Vec<PathBuf> = paths.iter().flatten().cloned().collect();
        let mut read = scan::read_seeds_together(&known).into_iter();
        paths.iter().map(|path| path.as_ref().and_then(|_| read.next()?.ok().map(|(text, _)| text))).collect()
    }
}

/// Reads the seeds at `paths` and gives their files in order, each keyed by `key_of` (a URI
/// for the server, a path for `seedls check`; or why it cannot be keyed): facts from its
/// shard if the cache has it, else parsed (and the shard queued). In parallel, a few files
/// at a time, their texts read into one block (`index::text`).
pub fn index_paths_with_cache(
    paths: &[PathBuf],
    cache: Option<&FactsCache>,
    key_of: impl Fn(&Path) -> Result<String, String> + Sync,
) -> Vec<Result<Arc<SourceFile>, String>> {
    paths
        .par_chunks(crate::index::text::TEXTS_PER_BLOCK)
        .flat_map_iter(|chunk| {
            let texts = scan::read_seeds_together(chunk);
            chunk.iter().zip(texts).map(|(path, read)| {
                crate::cancel::let_others_run();
                let key = key_of(path)?;
                // The stamp was taken before the read: if the file changed in between, the
                // recorded stamp is the older one, and the next start confirms the text by
                // its hash anyway.
                let (text, metadata) = read?;
                let stamp = cache.and_then(|_| scan::stamp_of(&metadata));
                Ok(source_file(cache, path, stamp, key, text))
            })
        })
        .collect()
}

/// The `cache` member of the initialization options (`{ "cache": { "dir": "…",
/// "enabled": false } }`), if there is one. It overrides `seedls.toml`'s `[cache]` field by
/// field (`CacheSettings::overridden_by`).
pub fn settings_from_initialization_options(options: &serde_json::Value) -> Result<Option<CacheSettings>, String> {
    match options.get("cache") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|error| format!("initialization option `cache`: {error}")),
    }
}

// ---------------------------------------------------------------------------------------------
// The writer thread.

fn run_writer(shared: &Shared, jobs: Receiver<Job>) {
    // What it writes can wait: it runs after everything else (nice 19 where the system
    // allows), parsing and requests first.
    if let Ok(nice_19) = thread_priority::ThreadPriorityValue::try_from(0u8) {
        let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Crossplatform(nice_19));
    }
    let mut folder = Folder::Unknown;
    let mut sequence = 0u64;
    for job in jobs {
        match job {
            Job::Write { file_name, bytes } => {
                let size = bytes.len();
                if shared.stopped() {
                    bump(&shared.counters.dropped);
                } else {
                    write_shard(shared, &mut folder, &mut sequence, &file_name, &bytes);
                }
                shared.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            }
            Job::Sweep { .. } if shared.stopped() => {}
            Job::Sweep { present } => sweep(shared, present),
            Job::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}

fn write_shard(shared: &Shared, folder: &mut Folder, sequence: &mut u64, file_name: &str, bytes: &[u8]) {
    if *folder == Folder::Unknown {
        *folder = prepare_folder(shared);
    }
    if *folder == Folder::Failed {
        bump(&shared.counters.write_errors);
        return;
    }
    *sequence += 1;
    match write_atomically(&shared.dir, file_name, bytes, *sequence) {
        Ok(()) => bump(&shared.counters.written),
        Err(error) => {
            bump(&shared.counters.write_errors);
            shared.problem(format!("cache: cannot write {}: {error}", shared.dir.join(file_name).display()));
            // The folder may have been removed under us: make it again next time.
            if error.kind() == std::io::ErrorKind::NotFound {
                *folder = Folder::Unknown;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Folder {
    Unknown,
    Ready,
    Failed,
}

/// Creates the workspace's folder, marks it as a cache (`CACHEDIR.TAG`, which backup tools
/// skip) and says whose it is.
fn prepare_folder(shared: &Shared) -> Folder {
    if let Err(error) = fs::create_dir_all(&shared.dir) {
        shared.problem(format!("cache: cannot create {}: {error}; nothing will be cached", shared.dir.display()));
        return Folder::Failed;
    }
    let tag = shared.dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        let _ = fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# seedls: facts of the articles of one workspace.\n",
        );
        let roots: String = shared.roots.iter().map(|root| format!("{}\n", root.display())).collect();
        let _ = fs::write(shared.dir.join("roots.txt"), roots);
    }
    Folder::Ready
}

fn write_atomically(dir: &Path, file_name: &str, bytes: &[u8], sequence: u64) -> std::io::Result<()> {
    let temporary = dir.join(format!("{file_name}.{}-{sequence}{TEMPORARY_EXTENSION}", std::process::id()));
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, dir.join(file_name)).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// Removes the shards in the folder of files not `present`, and old temporary files. The
/// present files' shard names are worked out only if the folder holds any shard (a first
/// start's does not, and hashing 50,000 paths took a core from its mention scan).
fn sweep(shared: &Shared, present: Vec<PathBuf>) {
    let entries = match fs::read_dir(&shared.dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return,
        Err(error) => {
            shared.problem(format!("cache: cannot list {}: {error}", shared.dir.display()));
            return;
        }
    };
    let now = SystemTime::now();
    let mut shards = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name.ends_with(SHARD_EXTENSION) {
            shards.push((shard_hash(name), entry.path()));
        } else if name.ends_with(TEMPORARY_EXTENSION) {
            let modified = entry.metadata().and_then(|metadata| metadata.modified());
            let stale =
                modified.is_ok_and(|modified| now.duration_since(modified).is_ok_and(|age| age > STALE_TEMPORARY));
            if stale && fs::remove_file(entry.path()).is_ok() {
                bump(&shared.counters.swept);
            }
        }
    }
    if shards.is_empty() {
        return;
    }
    let keep: HashSet<u64> = present.iter().map(|path| ShardKey::of(path).hash).collect();
    drop(present);
    for (hash, path) in shards {
        let stale = hash.is_none_or(|hash| !keep.contains(&hash));
        if stale && fs::remove_file(path).is_ok() {
            bump(&shared.counters.swept);
        }
    }
}

/// Reads a cache file into `bytes`: false if there is none, or it is larger than `limit`.
fn read_limited(path: &Path, limit: u64, bytes: &mut Vec<u8>) -> bool {
    let Ok(file) = fs::File::open(path) else { return false };
    // Room for the whole file at once: growing a buffer to a 26 MB pack by doubling copied it
    // over and over, on a warm start's path.
    if let Ok(metadata) = file.metadata() {
        bytes.reserve(usize::try_from(metadata.len().min(limit)).unwrap_or(0).saturating_add(1));
    }
    // One byte past the limit tells a file over it (the size may have changed since).
    file.take(limit + 1).read_to_end(bytes).is_ok() && bytes.len() as u64 <= limit
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::index::facts::compute_facts;
    use crate::syntax::parse;

    /// A folder of its own under the system's temporary folder, removed at the end.
    struct TempFolder(PathBuf);

    impl TempFolder {
        fn new(name: &str) -> TempFolder {
            let path = std::env::temp_dir().join(format!("seedls-cache-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).expect("a temporary folder");
            TempFolder(path)
        }
    }

    impl Drop for TempFolder {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const KOSOVO: &str = "= Kosovo Operation (1944) =\n\nInfobox\n- Conflict: Kosovo Operation\n- Commander1: Enver Hoxha\n\nThe Kosovo Operation was an offensive.\n\n== See also ==\n- Niš operation\n";

    /// A workspace folder with one article, and a cache in a folder beside it.
    struct Setup {
        folder: TempFolder,
        article: PathBuf,
        cache_dir: PathBuf,
    }

    fn setup(name: &str) -> Setup {
        let folder = TempFolder::new(name);
        let article = folder.0.join("kosovo.txt");
        fs::write(&article, KOSOVO).expect("write the article");
        let cache_dir = folder.0.join("cache");
        Setup { folder, article, cache_dir }
    }

    /// Indexes the article through a fresh cache (as a new start would), waits for its writes
    /// and gives the file and what the cache did.
    fn index(setup: &Setup) -> (Arc<SourceFile>, CacheStats) {
        let cache = FactsCache::at(setup.cache_dir.clone());
        let file = load_or_index(Some(&cache), &setup.article, "kosovo".into()).expect("indexes");
        cache.flush();
        let text = fs::read_to_string(&setup.article).expect("read");
        assert_eq!(file.facts, compute_facts(&text, &parse(&text)), "the facts are the text's, cached or not");
        (file, cache.stats())
    }

    #[test]
    fn disk_texts_read_together_as_one_by_one_whatever_fails_among_them() {
        let folder = TempFolder::new("read-together");
        fs::write(folder.0.join("a.txt"), KOSOVO).expect("write");
        fs::write(folder.0.join("b.txt"), "\u{feff}= B =\n").expect("write");
        fs::write(folder.0.join("latin1.txt"), b"= Caf\xe9 =\n").expect("write");
        let root = folder.0.clone();
        // A key without a path (`nowhere`), a missing file, a file that is not UTF-8.
        let texts = DiskTexts::new(move |key| (key != "nowhere").then(|| root.join(key)));
        let keys = ["a.txt", "nowhere", "missing.txt", "b.txt", "latin1.txt", "a.txt"];
        let together = texts.read_together(&keys);
        let one_by_one: Vec<Option<String>> =
            keys.iter().map(|key| texts.read(key).map(|text| text.to_string())).collect();
        assert_eq!(
            together.iter().map(|text| text.as_ref().map(|text| text.to_string())).collect::<Vec<_>>(),
            one_by_one
        );
        assert_eq!(one_by_one.iter().flatten().count(), 3, "{one_by_one:?}");
    }

    /// One file through the start's path (`index_paths_with_cache`).
    fn load_or_index(cache: Option<&FactsCache>, path: &Path, key: String) -> Result<Arc<SourceFile>, String> {
        index_paths_with_cache(&[path.to_path_buf()], cache, |_| Ok(key.clone())).pop().expect("one file")
    }

    fn shard_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> =
            fs::read_dir(dir).map(|entries| entries.flatten().map(|entry| entry.path()).collect()).unwrap_or_default();
        files.retain(|path| path.to_string_lossy().ends_with(SHARD_EXTENSION));
        files
    }

    fn set_mtime(path: &Path, secs: u64) {
        let file = fs::File::options().write(true).open(path).expect("open");
        file.set_modified(UNIX_EPOCH + Duration::from_secs(secs)).expect("set mtime");
    }

    #[test]
    fn a_mention_index_is_saved_and_read_back_under_its_fingerprint() {
        let setup = setup("mentions");
        let cache = FactsCache::at(setup.cache_dir.clone());
        assert_eq!(cache.read_mentions().and_then(|saved| saved.entries_for(7)), None, "nothing saved yet");
        let entries = vec![(Arc::from("Enver Hoxha"), Arc::from([0u32, 2]))];
        cache.store_mentions(7, &entries);
        cache.flush();
        assert_eq!(
            cache.read_mentions().and_then(|saved| saved.entries_for(7)),
            Some(vec![("Enver Hoxha".to_string(), vec![0, 2])])
        );
        assert_eq!(cache.read_mentions().and_then(|saved| saved.entries_for(8)), None, "saved for other texts");
        fs::write(setup.cache_dir.join(MENTIONS_FILE), b"garbage").expect("write");
        assert_eq!(cache.read_mentions().and_then(|saved| saved.entries_for(7)), None, "damaged");
        // The sweep of shards leaves it alone.
        cache.store_mentions(7, &entries);
        cache.sweep(Vec::new());
        cache.flush();
        assert!(cache.read_mentions().and_then(|saved| saved.entries_for(7)).is_some());
    }

    #[test]
    fn the_pack_is_saved_and_read_back_and_a_damaged_one_is_refused() {
        let setup = setup("pack");
        let cache = FactsCache::at(setup.cache_dir.clone());
        let decoded = |cache: &FactsCache| cache.with_pack(|reader| reader.decode(0..reader.len()));
        assert_eq!(decoded(&cache), None, "nothing saved yet");
        let facts = compute_facts(KOSOVO, &parse(KOSOVO));
        let stamp = FileStamp { size: KOSOVO.len() as u64, modified_secs: 1_700_000_000, modified_nanos: 0 };
        let entry = PackEntryRef {
            path: "file:///w/kosovo.txt",
            stamp,
            content_hash: shard::content_hash(KOSOVO),
            text_len: KOSOVO.len() as u64,
            facts: &facts,
        };
        cache.store_pack(&mut [entry]);
        cache.flush();
        let entries = decoded(&cache).flatten().expect("a pack of one entry");
        assert_eq!((entries.len(), &entries[0].path, entries[0].stamp), (1, &entry.path.to_string(), stamp));
        assert_eq!(entries[0].facts, facts);
        // The sweep of shards leaves it alone.
        cache.sweep(Vec::new());
        cache.flush();
        assert!(decoded(&cache).is_some());
        fs::write(setup.cache_dir.join(PACK_FILE), b"garbage").expect("write");
        assert_eq!(decoded(&cache), None, "damaged");
        assert_eq!(cache.stats().rejected, 1);
    }

    #[test]
    fn an_unchanged_file_is_a_hit() {
        let setup = setup("hit");
        let (_, first) = index(&setup);
        assert_eq!((first.misses, first.written), (1, 1), "{first:?}");
        assert_eq!(shard_files(&setup.cache_dir).len(), 1);
        let (file, second) = index(&setup);
        assert_eq!((second.hits, second.misses, second.written), (1, 0, 0), "{second:?}");
        assert_eq!(&*file.path, "kosovo");
        assert_eq!(file.display_name(), "Kosovo Operation (1944)");
    }

    #[test]
    fn a_touched_file_with_the_same_text_is_a_hit_and_its_shard_is_rewritten() {
        let setup = setup("touched");
        index(&setup);
        set_mtime(&setup.article, 1_000_000);
        let (_, touched) = index(&setup);
        assert_eq!((touched.touched, touched.written, touched.misses), (1, 1, 0), "{touched:?}");
        let (_, after) = index(&setup);
        assert_eq!((after.hits, after.written), (1, 0), "the rewritten shard has the new stamp: {after:?}");
    }

    #[test]
    fn a_changed_text_is_a_miss_even_with_the_same_size_and_mtime() {
        let setup = setup("changed");
        set_mtime(&setup.article, 2_000_000);
        index(&setup);
        // Same length, same mtime: only the hash of the text tells.
        fs::write(&setup.article, KOSOVO.replace("Hoxha", "Hoxhe")).expect("write");
        set_mtime(&setup.article, 2_000_000);
        let (file, changed) = index(&setup);
        assert_eq!((changed.rejected, changed.hits, changed.written), (1, 0, 1), "{changed:?}");
        assert!(file.facts.listings.iter().any(|listing| &*listing.name == "Enver Hoxhe"));
    }

    #[test]
    fn a_corrupt_shard_is_a_miss_and_is_rebuilt() {
        let setup = setup("corrupt");
        index(&setup);
        let [shard] = shard_files(&setup.cache_dir).try_into().expect("one shard");
        let mut bytes = fs::read(&shard).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x20;
        fs::write(&shard, &bytes).expect("write");
        let (_, corrupt) = index(&setup);
        assert_eq!((corrupt.rejected, corrupt.written), (1, 1), "{corrupt:?}");
        let (_, rebuilt) = index(&setup);
        assert_eq!(rebuilt.hits, 1, "{rebuilt:?}");
    }

    #[test]
    fn while_a_listing_is_held_only_the_shards_it_named_are_looked_for() {
        let setup = setup("listing");
        let paths = numbered_articles(&setup, 2);
        let key = |path: &Path| Ok(path.display().to_string());
        let cache = FactsCache::at(setup.cache_dir.clone());
        assert!(cache.listing_for(LIST_SHARDS_FROM - 1).is_none(), "too few files to list for");
        // A folder that does not exist yet lists as empty: its shard, written meanwhile, is
        // not looked for until the listing is dropped.
        let empty = cache.listing_for(LIST_SHARDS_FROM).expect("enough files to list for");
        index_paths_with_cache(&paths[..1], Some(&cache), key);
        cache.flush();
        index_paths_with_cache(&paths[..1], Some(&cache), key);
        assert_eq!((cache.stats().hits, cache.stats().misses), (0, 2));
        drop(empty);
        let warm = FactsCache::at(setup.cache_dir.clone());
        let listing = warm.list_shards();
        // The second article's shard is written after the listing: not looked for.
        index_paths_with_cache(&paths[1..], Some(&cache), key);
        cache.flush();
        assert_eq!(shard_files(&setup.cache_dir).len(), 2);
        index_paths_with_cache(&paths, Some(&warm), key);
        assert_eq!((warm.stats().hits, warm.stats().misses), (1, 1));
        drop(listing);
        index_paths_with_cache(&paths, Some(&warm), key);
        assert_eq!((warm.stats().hits, warm.stats().misses), (3, 1), "looked for on disk again");
    }

    #[test]
    fn a_shard_is_known_by_the_name_its_key_gives_it_and_nothing_else() {
        let key = ShardKey::of(Path::new("/work/seeds/kosovo.txt"));
        assert_eq!(shard_hash(&key.file_name()), Some(key.hash));
        for name in
            ["0123456789abcdef.tmp", "0123456789abcde.shard", "0123456789abcdeg.shard", "+123456789abcdef.shard"]
        {
            assert_eq!(shard_hash(name), None, "{name}");
        }
        assert_eq!(shard_hash("0123456789ABCDEF.shard"), Some(0x0123_4567_89ab_cdef));
    }

    /// Every path of up to seven bytes of `/`, `.` and `a` that the quick test calls clean is
    /// its own absolute form, and so are the server's paths.
    #[test]
    #[cfg(unix)]
    fn a_path_taken_as_its_own_absolute_form_is_one() {
        let mut paths = vec![String::new()];
        let mut clean = 0;
        for _ in 0..7 {
            paths = paths.iter().flat_map(|path| ['/', '.', 'a'].map(|byte| format!("{path}{byte}"))).collect();
            for path in &paths {
                let path = Path::new(path);
                if is_clean_absolute(path) {
                    clean += 1;
                    // Byte for byte, as the shard hash reads it (`Path` equality compares components).
                    assert_eq!(
                        std::path::absolute(path).expect("absolute").as_os_str(),
                        path.as_os_str(),
                        "{}",
                        path.display()
                    );
                }
            }
        }
        assert!(clean > 100, "{clean}");
        for path in ["/work/seeds/Mile Čalović.txt", "/a/../b.txt", "/a/.hidden/b.txt", "/a/b/"] {
            assert!(is_clean_absolute(Path::new(path)), "{path}");
        }
        for path in ["seeds/a.txt", "/a//b.txt", "/a/./b.txt", "/a/b/.", "//a/b.txt"] {
            assert!(!is_clean_absolute(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn a_shard_of_another_version_is_a_miss() {
        let setup = setup("version");
        index(&setup);
        let [shard] = shard_files(&setup.cache_dir).try_into().expect("one shard");
        let mut bytes = fs::read(&shard).expect("read");
        // The format version follows the magic.
        bytes[8] = bytes[8].wrapping_add(1);
        fs::write(&shard, &bytes).expect("write");
        let (_, foreign) = index(&setup);
        assert_eq!((foreign.rejected, foreign.written), (1, 1), "{foreign:?}");
    }

    #[test]
    fn a_shard_of_another_path_is_not_used() {
        let setup = setup("other-path");
        index(&setup);
        let other = setup.folder.0.join("other.txt");
        fs::write(&other, KOSOVO).expect("write");
        // The other file's shard name, holding the first file's shard.
        let [shard] = shard_files(&setup.cache_dir).try_into().expect("one shard");
        fs::copy(&shard, setup.cache_dir.join(ShardKey::of(&other).file_name())).expect("copy");
        let cache = FactsCache::at(setup.cache_dir.clone());
        load_or_index(Some(&cache), &other, "other".into()).expect("indexes");
        assert_eq!(cache.stats().rejected, 1);
    }

    #[test]
    fn an_unwritable_folder_costs_nothing_but_a_message() {
        let setup = setup("unwritable");
        // Under a file, no folder can be made (whoever runs the test, root included).
        let blocker = setup.folder.0.join("blocker");
        fs::write(&blocker, "").expect("write");
        let cache = FactsCache::at(blocker.join("cache"));
        let file = load_or_index(Some(&cache), &setup.article, "kosovo".into()).expect("indexes all the same");
        cache.flush();
        assert_eq!(file.display_name(), "Kosovo Operation (1944)");
        let stats = cache.stats();
        assert_eq!((stats.written, stats.write_errors), (0, 1), "{stats:?}");
        let problems = cache.take_problems();
        assert!(problems.len() == 1 && problems[0].contains("cannot create"), "{problems:?}");
    }

    #[test]
    fn a_disabled_cache_writes_nothing() {
        let setup = setup("disabled");
        let settings: CacheSettings =
            toml::from_str(&format!("enabled = false\ndir = {:?}", setup.cache_dir.display().to_string()))
                .expect("settings");
        let cache = FactsCache::open(std::slice::from_ref(&setup.folder.0), &settings).expect("no error");
        assert!(cache.is_none());
        let files = index_paths_with_cache(std::slice::from_ref(&setup.article), cache.as_ref(), |_| Ok("k".into()));
        assert!(files[0].is_ok());
        assert!(!setup.cache_dir.exists());
    }

    #[test]
    fn a_configured_folder_is_relative_to_the_root_and_one_per_workspace() {
        let setup = setup("configured");
        let settings = CacheSettings { enabled: None, dir: Some("cache".into()) };
        let roots = [setup.folder.0.clone()];
        let cache = FactsCache::open(&roots, &settings).expect("no error").expect("enabled");
        assert_eq!(cache.dir().parent(), Some(setup.cache_dir.as_path()));
        let name = cache.dir().file_name().expect("a name").to_string_lossy().into_owned();
        assert!(name.starts_with("seedls-cache-configured-"), "{name}");
        let elsewhere =
            FactsCache::open(std::slice::from_ref(&setup.cache_dir), &settings).expect("no error").expect("enabled");
        assert_ne!(cache.dir(), elsewhere.dir(), "another workspace, another folder");
        load_or_index(Some(&cache), &setup.article, "kosovo".into()).expect("indexes");
        cache.flush();
        assert_eq!(shard_files(cache.dir()).len(), 1);
        assert!(cache.dir().join("CACHEDIR.TAG").exists());
    }

    #[test]
    fn the_sweep_removes_shards_of_files_gone_once() {
        let setup = setup("sweep");
        let other = setup.folder.0.join("other.txt");
        fs::write(&other, KOSOVO).expect("write");
        let paths = [setup.article.clone(), other.clone()];
        let cache = FactsCache::at(setup.cache_dir.clone());
        let files = index_paths_with_cache(&paths, Some(&cache), |path| Ok(path.display().to_string()));
        assert!(files.iter().all(Result::is_ok));
        cache.flush();
        assert_eq!(shard_files(&setup.cache_dir).len(), 2);
        fs::write(setup.cache_dir.join("junk.txt"), "not ours").expect("write");
        cache.sweep(vec![setup.article.clone()]);
        cache.sweep(Vec::new());
        cache.flush();
        assert_eq!(shard_files(&setup.cache_dir), [setup.cache_dir.join(ShardKey::of(&setup.article).file_name())]);
        assert!(setup.cache_dir.join("junk.txt").exists(), "only shards are swept");
        assert_eq!(cache.stats().swept, 1);
    }

    /// `count` articles in the setup's folder, each with a commander of its own.
    fn numbered_articles(setup: &Setup, count: usize) -> Vec<PathBuf> {
        (0..count)
            .map(|number| {
                let path = setup.folder.0.join(format!("article-{number}.txt"));
                fs::write(&path, KOSOVO.replace("Enver Hoxha", &format!("Commander Number{number}"))).expect("write");
                path
            })
            .collect()
    }

    #[test]
    fn shards_that_found_the_queue_full_are_written_later_from_the_facts_held() {
        let setup = setup("deferred");
        let paths = numbered_articles(&setup, 3);
        let key = |path: &Path| Ok(path.display().to_string());
        // A queue with room for no shard at all.
        let cache = FactsCache::with_budget(setup.cache_dir.clone(), Vec::new(), 1);
        let files: Vec<Arc<SourceFile>> =
            index_paths_with_cache(&paths, Some(&cache), key).into_iter().map(|file| file.expect("indexed")).collect();
        cache.flush();
        assert_eq!((cache.stats().misses, cache.stats().written, cache.stats().dropped), (3, 0, 3));
        // The second file's text changed since: its facts are not the shard's to write.
        let queued = cache.write_deferred(|path, text_hash| {
            let file = files.iter().find(|file| Path::new(&*file.path) == path)?;
            let unchanged = file.content_hash() == text_hash && !file.path.ends_with("article-1.txt");
            unchanged.then(|| file.facts.clone())
        });
        assert_eq!(queued, 2);
        cache.flush();
        assert_eq!(cache.stats().written, 2);
        assert_eq!(cache.write_deferred(|_, _| None), 0, "each deferred shard is tried once");
        let warm = FactsCache::at(setup.cache_dir.clone());
        let again = index_paths_with_cache(&paths, Some(&warm), key);
        assert_eq!((warm.stats().hits, warm.stats().misses), (2, 1));
        for (file, warm) in files.iter().zip(&again) {
            assert_eq!(file.facts, warm.as_ref().expect("indexed").facts);
        }
    }

    #[test]
    fn held_shards_are_written_only_when_released_and_the_pack_is_not_held() {
        let setup = setup("held");
        let paths = numbered_articles(&setup, 3);
        let key = |path: &Path| Ok(path.display().to_string());
        let cache = FactsCache::at(setup.cache_dir.clone());
        cache.hold_shards(true);
        let files: Vec<Arc<SourceFile>> =
            index_paths_with_cache(&paths, Some(&cache), key).into_iter().map(|file| file.expect("indexed")).collect();
        let stamp = FileStamp { size: 1, modified_secs: 1, modified_nanos: 0 };
        let mut refs: Vec<PackEntryRef<'_>> = files.iter().map(|file| PackEntryRef::of(file, stamp)).collect();
        cache.store_pack(&mut refs);
        cache.flush();
        assert_eq!(cache.stats().written, 1, "only the pack");
        assert!(shard_files(&setup.cache_dir).is_empty());
        assert_eq!(cache.stats().dropped, 0, "held, not dropped");
        cache.hold_shards(false);
        let facts_of =
            |path: &Path, _| files.iter().find(|file| Path::new(&*file.path) == path).map(|file| file.facts.clone());
        assert_eq!(cache.write_deferred(facts_of), 3);
        cache.flush();
        assert_eq!(shard_files(&setup.cache_dir).len(), 3);
        let warm = FactsCache::at(setup.cache_dir.clone());
        index_paths_with_cache(&paths, Some(&warm), key);
        assert_eq!(warm.stats().hits, 3);
    }

    #[test]
    fn once_stopped_after_its_grace_the_writer_drops_what_is_queued_and_nothing_deferred_is_queued() {
        let setup = setup("stopped");
        let paths = numbered_articles(&setup, 4);
        let key = |path: &Path| Ok(path.display().to_string());
        // Stopped before the writer takes its first job: every queued shard is dropped.
        let stopped = FactsCache::with_budget(setup.cache_dir.join("stopped"), Vec::new(), usize::MAX);
        stopped.stop_writing_after(Duration::ZERO);
        index_paths_with_cache(&paths, Some(&stopped), key);
        stopped.flush();
        assert_eq!((stopped.stats().written, stopped.stats().dropped), (0, 4));
        // Shards that found no room are not queued once the writing is stopped.
        let full = FactsCache::with_budget(setup.cache_dir.join("full"), Vec::new(), 1);
        let files: Vec<Arc<SourceFile>> =
            index_paths_with_cache(&paths, Some(&full), key).into_iter().map(|file| file.expect("indexed")).collect();
        full.flush();
        assert_eq!(full.shared.deferred.lock().len(), 4, "none found room");
        full.stop_writing_after(Duration::ZERO);
        let facts_of =
            |path: &Path, _| files.iter().find(|file| Path::new(&*file.path) == path).map(|file| file.facts.clone());
        assert_eq!(full.write_deferred(facts_of), 0, "nothing deferred is queued once stopped");
        // A grace long enough: what is queued is written, and waited for.
        let patient = FactsCache::at(setup.cache_dir.join("patient"));
        index_paths_with_cache(&paths, Some(&patient), key);
        patient.stop_writing_after(Duration::from_secs(3600));
        patient.wait_for_the_writer();
        assert_eq!(patient.stats().written, 4);
    }

    #[test]
    fn many_files_in_parallel_fill_the_cache_and_then_all_hit() {
        let setup = setup("parallel");
        let paths = numbered_articles(&setup, 64);
        let key = |path: &Path| Ok(path.display().to_string());
        let cold = FactsCache::at(setup.cache_dir.clone());
        let first = index_paths_with_cache(&paths, Some(&cold), key);
        cold.flush();
        assert_eq!((cold.stats().misses, cold.stats().written), (64, 64));
        let warm = FactsCache::at(setup.cache_dir.clone());
        let second = index_paths_with_cache(&paths, Some(&warm), key);
        assert_eq!((warm.stats().hits, warm.stats().misses), (64, 0));
        for (number, (cold, warm)) in first.iter().zip(&second).enumerate() {
            let (cold, warm) = (cold.as_ref().expect("indexed"), warm.as_ref().expect("indexed"));
            assert_eq!((&cold.path, &cold.facts), (&warm.path, &warm.facts));
            let name = format!("Commander Number{number}");
            assert!(warm.facts.listings.iter().any(|listing| *listing.name == *name), "file {number} in order");
        }
    }

    #[test]
    fn seedls_toml_has_a_cache_table() {
        let (config, errors) =
            crate::index::config::Config::parse("[cache]\nenabled = false\ndir = \"/var/cache/x\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.cache, CacheSettings { enabled: Some(false), dir: Some("/var/cache/x".into()) });
        let (_, errors) = crate::index::config::Config::parse("[cache]\nfolder = \"x\"\n");
        assert!(errors.len() == 1 && errors[0].message.contains("unknown field `folder`"), "{errors:?}");
    }

    #[test]
    fn initialization_options_name_the_cache_settings() {
        let options = serde_json::json!({ "cache": { "dir": "/tmp/x", "enabled": false } });
        let settings = settings_from_initialization_options(&options).expect("valid").expect("given");
        assert_eq!(settings, CacheSettings { enabled: Some(false), dir: Some("/tmp/x".into()) });
        let from_file = CacheSettings { enabled: Some(true), dir: Some("here".into()) };
        assert_eq!(
            from_file.overridden_by(&CacheSettings { enabled: Some(false), dir: None }),
            CacheSettings { enabled: Some(false), dir: Some("here".into()) }
        );
        assert_eq!(settings_from_initialization_options(&serde_json::json!({})), Ok(None));
        let wrong = settings_from_initialization_options(&serde_json::json!({ "cache": { "enabled": "no" } }));
        assert!(wrong.is_err_and(|message| message.starts_with("initialization option `cache`")));
    }

    #[test]
    fn a_stamp_is_the_size_and_the_mtime_before_the_epoch_too() {
        let setup = setup("epoch");
        set_mtime(&setup.article, 10);
        let stamp = scan::stamp_of(&fs::metadata(&setup.article).expect("stat")).expect("an mtime");
        assert_eq!((stamp.size, stamp.modified_secs, stamp.modified_nanos), (KOSOVO.len() as u64, 10, 0));
        let file = fs::File::options().write(true).open(&setup.article).expect("open");
        file.set_modified(UNIX_EPOCH - Duration::from_millis(1500)).expect("set mtime");
        let stamp = scan::stamp_of(&fs::metadata(&setup.article).expect("stat")).expect("an mtime");
        assert_eq!((stamp.modified_secs, stamp.modified_nanos), (-2, 500_000_000));
    }
}
