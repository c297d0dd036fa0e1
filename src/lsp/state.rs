//! The server's state, changed on one path only: open documents (ropes, versions), the
//! workspace index, settings. Every change runs under the state lock, does only the change
//! itself (a rope edit, a re-parse of that one document, a swap of that file's facts) and
//! leaves a new immutable [`Snapshot`] behind; requests read snapshots on worker threads and
//! never lock the state for longer than a few pointer copies.
//!
//! The workspace is an `Arc<Workspace>` changed with `Arc::make_mut`: when no request holds
//! the current snapshot it is changed in place, otherwise it is cloned first, which is cheap
//! because the workspace keeps its parts in persistent (structure-sharing) collections.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::codes::{Severity, SeverityOverrides};
use crate::index::config::{Config, DiagnosticsScope};
use crate::index::workspace::Batch;
use crate::index::{FileFacts, Workspace};
use crate::lsp::convert::LineMap;
use crate::lsp::snapshot::{OpenView, OpenViews, Snapshot};
use crate::position::{Encoding, LineCol, RopeLines};
use crate::scan::Membership;
use crate::syntax::MAX_DOCUMENT_BYTES;

/// What the client said it can do, as far as the server cares.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClientFlags {
    pub(crate) document_changes: bool,
    pub(crate) create_files: bool,
    pub(crate) dynamic_watched_files: bool,
    pub(crate) work_done_progress: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`): nothing is pushed then.
    pub(crate) pull_diagnostics: bool,
    pub(crate) diagnostic_refresh: bool,
    pub(crate) configuration: bool,
    pub(crate) dynamic_type_hierarchy: bool,
}

/// The editor's settings (initialization options, `workspace/configuration`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClientSettings {
    pub(crate) severities: SeverityOverrides,
    /// `None`: the editor does not say; `seedls.toml` or the default decides.
    pub(crate) scope: Option<DiagnosticsScope>,
}

struct OpenDocument {
    rope: Rope,
    version: i32,
}

/// What an applied change did, for deciding what to publish next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChangeOutcome {
    /// The file's titles, aliases or listed names changed: other files' cross-article
    /// diagnostics (unresolved links, name variants, duplicate titles) may differ now.
    pub(crate) cross_article: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) encoding: Encoding,
    pub(crate) flags: ClientFlags,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) config: Config,
    pub(crate) client_settings: ClientSettings,
    /// The initialization option `cache`, over `[cache]` in seedls.toml.
    pub(crate) initial_cache_settings: Option<crate::index::shard::CacheSettings>,
    workspace: Arc<Workspace>,
    open: HashMap<String, OpenDocument>,
    views: Arc<OpenViews>,
    /// Bumped whenever what the diagnostics of a file depend on beyond its own text changes
    /// (another file's titles or names, the settings): part of every diagnostics result id.
    epoch: u64,
}

/// Files merged into the workspace at once while documents are open (a few milliseconds at
/// 50,000 articles: short, so that a keystroke seldom changes the workspace meanwhile and
/// makes the merge start again).
const MERGE_SLICE: usize = 128;

impl State {
    /// The state as it is now, for a request to read on another thread.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            workspace: self.workspace.clone(),
            open: self.views.clone(),
            encoding: self.encoding,
            flags: self.flags,
            overrides: Arc::new(self.overrides()),
            epoch: self.epoch,
            roots: Arc::new(self.roots.clone()),
        }
    }

    pub(crate) fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub(crate) fn version(&self, key: &str) -> Option<i32> {
        self.open.get(key).map(|document| document.version)
    }

    pub(crate) fn is_open(&self, key: &str) -> bool {
        self.open.contains_key(key)
    }

    pub(crate) fn open_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.open.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The rule that decides which files on disk belong to the workspace.
    pub(crate) fn membership(&self) -> Membership {
        Membership::new(self.roots.clone(), &self.config)
    }

    pub(crate) fn open_document(&mut self, key: &str, text: String, version: i32) -> Result<ChangeOutcome, String> {
        check_size(text.len())?;
        let rope = Rope::from_str(&text);
        self.open.insert(key.to_string(), OpenDocument { rope, version });
        Ok(self.set_text(key, Arc::from(text), true))
    }

    /// Applies an editor's changes in order. A change whose version is not newer than the
    /// document's is refused: applying it would corrupt the text.
    pub(crate) fn change_document(
        &mut self,
        key: &str,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) -> Result<ChangeOutcome, String> {
        let encoding = self.encoding;
        let document = self.open.get_mut(key).ok_or_else(|| format!("change to {key}, which is not open"))?;
        if version <= document.version {
            return Err(format!(
                "change to {key} at version {version}, but it is already at version {}",
                document.version
            ));
        }
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = RopeLines(&document.rope);
                    let start =
                        lines.char_index(LineCol { line: range.start.line, col: range.start.character }, encoding);
                    let end = lines
                        .char_index(LineCol { line: range.end.line, col: range.end.character }, encoding)
                        .max(start);
                    document.rope.remove(start..end);
                    document.rope.insert(start, &change.text);
                }
                None => document.rope = Rope::from_str(&change.text),
            }
        }
        check_size(document.rope.len_bytes())?;
        document.version = version;
        let text: Arc<str> = Arc::from(document.rope.to_string());
        Ok(self.set_text(key, text, true))
    }

    /// The editor closed a document: the disk's text takes over (`disk_text`, read by the
    /// caller), or the file leaves the workspace when it is not a member on disk.
    pub(crate) fn close_document(&mut self, key: &str, disk_text: Option<String>) -> Option<ChangeOutcome> {
        self.open.remove(key)?;
        Arc::make_mut(&mut self.views).remove(key);
        // The editor's unsaved text may have named things the disk's does not.
        let outcome = self.disk_changed(key, disk_text);
        Some(outcome.unwrap_or(ChangeOutcome { cross_article: true }))
    }

    /// The one path for a file whose text on disk changed, appeared or went away (watched
    /// files, file operations, closing a document, folders added or removed). `text` is the
    /// new text of a member file, `None` when the file is gone or no longer a member. Open
    /// documents belong to the editor: the disk does not change them.
    pub(crate) fn disk_changed(&mut self, key: &str, text: Option<String>) -> Option<ChangeOutcome> {
        if self.open.contains_key(key) {
            return None;
        }
        match text {
            Some(text) => Some(self.set_text(key, Arc::from(text), false)),
            None => {
                let before = self.workspace.file_id(key).and_then(|file| self.workspace.file(file).cloned())?;
                Arc::make_mut(&mut self.workspace).remove_file(key)?;
                let cross_article = !cross_article_facts_equal(&before.facts, &FileFacts::default());
                if cross_article {
                    self.epoch += 1;
                }
                self.paranoid_check(key);
                Some(ChangeOutcome { cross_article })
            }
        }
    }

    /// Adds files read and parsed elsewhere (an indexing batch). Files open in the editor
    /// keep the editor's text.
    pub(crate) fn insert_indexed(&mut self, files: Batch) {
        let fresh = self.not_open(files);
        if fresh.is_empty() {
            return;
        }
        Arc::make_mut(&mut self.workspace).insert_batch(fresh);
        self.epoch += 1;
    }

    /// The files the editor does not hold open (its text wins over the disk's).
    fn not_open(&self, mut files: Batch) -> Batch {
        files.retain(|file| !self.open.contains_key(&*file.path));
        files
    }

    /// A batch of indexed files, merged into the workspace. While documents are open it goes
    /// in slices of `MERGE_SLICE`, each merged without holding the lock: the lock is taken to
    /// copy the workspace (a few pointers) and again to put the merged one in its place, if
    /// nothing changed it meanwhile (a keystroke did: then the merge is tried once more, and
    /// after that done under the lock). Merging a slice of a large workspace takes
    /// milliseconds that a keystroke would otherwise wait behind.
    ///
    /// With no document open nobody types: the merge is done in place under the lock, which
    /// is cheaper (a merge into a copy copies every node it changes, which costs a 50,000
    /// article cold start over a second).
    pub(crate) fn merge_indexed(state: &Mutex<State>, files: Batch) {
        State::merge_indexed_with(state, files, &|_| {});
    }

    /// [`State::merge_indexed`], calling `meanwhile(attempt)` between a slice's merge into a
    /// copy and the copy's swap: where a keystroke can come (tests make one come there).
    fn merge_indexed_with(state: &Mutex<State>, mut files: Batch, meanwhile: &dyn Fn(usize)) {
        // The files are handed on, never cloned: a file the workspace alone holds has its
        // names replaced by the name table's copies (see `Workspace::insert_files`), and a
        // second handle would keep 50,000 articles' own copies of every name alive.
        while !files.is_empty() {
            {
                // The rest of the batch at once: merging slices costs a 50,000-article start a
                // third more (each slice looks its names up again).
                let mut locked = state.lock();
                if locked.open.is_empty() {
                    locked.insert_indexed(std::mem::take(&mut files));
                    return;
                }
            }
            let after = files.split_off(MERGE_SLICE.min(files.len()));
            let slice = std::mem::replace(&mut files, after);
            State::merge_slice_off_the_lock(state, slice, meanwhile);
        }
    }

    /// Merges files into a copy of the workspace, put in place if no keystroke changed the
    /// workspace meanwhile (else tried once more, then done under the lock).
    fn merge_slice_off_the_lock(state: &Mutex<State>, mut files: Batch, meanwhile: &dyn Fn(usize)) {
        for attempt in 0..2 {
            let (base, fresh) = {
                let state = state.lock();
                (state.workspace.clone(), state.not_open(std::mem::take(&mut files)))
            };
            if fresh.is_empty() {
                return;
            }
            let paths: Vec<Arc<str>> = fresh.files().map(|file| file.path.clone()).collect();
            let mut merged = Workspace::clone(&base);
            merged.insert_batch(fresh);
            meanwhile(attempt);
            let mut state = state.lock();
            if Arc::ptr_eq(&state.workspace, &base) {
                state.workspace = Arc::new(merged);
                state.epoch += 1;
                return;
            }
            // A keystroke came first: the files are taken back from the copy, which goes.
            files = Batch::new(paths.iter().filter_map(|path| merged.file(merged.file_id(path)?).cloned()).collect());
        }
        state.lock().insert_indexed(files);
    }

    /// The workspace files under `prefix` that the editor does not hold open.
    pub(crate) fn closed_files_under(&self, prefix: &str) -> Vec<String> {
        self.workspace
            .files()
            .map(|(_, file)| file.path.to_string())
            .filter(|path| path.starts_with(prefix) && !self.open.contains_key(path))
            .collect()
    }

    pub(crate) fn set_config(&mut self, config: Config) {
        let workspace = Arc::make_mut(&mut self.workspace);
        workspace.schema = config.schema();
        if config.aliases != self.config.aliases || config.ignored_name_pairs != self.config.ignored_name_pairs {
            workspace.set_name_rules(config.aliases.clone(), config.ignored_name_pairs.clone());
        }
        self.config = config;
        self.epoch += 1;
        self.paranoid_check("new settings");
    }

    /// `SEEDLS_PARANOID=1` in a debug build: after each change, the incremental index is
    /// compared with a rebuild from its own texts and any difference is logged.
    pub(crate) fn paranoid_check(&self, after: &str) {
        if !cfg!(debug_assertions) || !*PARANOID {
            return;
        }
        for difference in self.workspace.consistency_report() {
            eprintln!("seedls: SEEDLS_PARANOID: after {after}: {difference}");
        }
    }

    pub(crate) fn set_client_settings(&mut self, settings: ClientSettings) {
        if self.client_settings != settings {
            self.client_settings = settings;
            self.epoch += 1;
        }
    }

    /// Whose problems are pushed: the editor's setting, else seedls.toml's, else open ones.
    pub(crate) fn scope(&self) -> DiagnosticsScope {
        self.client_settings.scope.or(self.config.scope).unwrap_or_default()
    }

    /// The severities in force: seedls.toml, then the editor's settings on top.
    pub(crate) fn overrides(&self) -> SeverityOverrides {
        let mut merged = self.config.severities.0.clone();
        merged.extend(self.client_settings.severities.0.clone());
        SeverityOverrides(merged)
    }

    fn set_text(&mut self, key: &str, text: Arc<str>, keep_tree: bool) -> ChangeOutcome {
        let before = self.workspace.file_id(key).and_then(|file| self.workspace.file(file).cloned());
        let workspace = Arc::make_mut(&mut self.workspace);
        let file = if keep_tree {
            workspace.set_file(key, text.clone())
        } else {
            workspace.set_indexed_file(key, text.clone())
        };
        let after = self.workspace.file(file).map(|source| &source.facts);
        let cross_article = match (&before, after) {
            (Some(before), Some(after)) => !cross_article_facts_equal(&before.facts, after),
            _ => true,
        };
        if cross_article {
            self.epoch += 1;
        }
        if let Some(document) = self.open.get(key) {
            let view = OpenView { version: document.version, line_map: LineMap::new(text, self.encoding) };
            Arc::make_mut(&mut self.views).insert(key.to_string(), view);
        }
        self.paranoid_check(key);
        ChangeOutcome { cross_article }
    }
}

/// True when two versions of a file's facts name the same things: the same titles and
/// aliases and the same listed names of the same kinds (where they stand does not matter).
fn cross_article_facts_equal(before: &FileFacts, after: &FileFacts) -> bool {
    let names = |facts: &FileFacts| -> Vec<(String, u8)> {
        let mut names: Vec<(String, u8)> = facts.article_names().map(|name| (name.to_string(), u8::MAX)).collect();
        names.extend(facts.listings.iter().map(|listing| (listing.name.to_string(), listing.kind as u8)));
        names.extend(facts.see_also.iter().map(|link| (link.name.to_string(), u8::MAX - 1)));
        names.sort();
        names
    };
    names(before) == names(after)
}

static PARANOID: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var("SEEDLS_PARANOID").is_ok_and(|value| value == "1"));

fn check_size(len: usize) -> Result<(), String> {
    if len > MAX_DOCUMENT_BYTES {
        return Err(format!("document of {len} bytes is over the {MAX_DOCUMENT_BYTES}-byte limit; it is not analysed"));
    }
    Ok(())
}

/// Reads `{"diagnostics": {"severity": {"code": "warning" | "off", ...}, "scope": "open" |
/// "workspace"}}` from the editor's settings (initialization options, or the `seedls`
/// section of `workspace/configuration`). Unknown codes and levels are reported back, not
/// fatal.
pub(crate) fn settings_from_json(settings: &serde_json::Value) -> (ClientSettings, Vec<String>) {
    let settings = settings.get("seedls").unwrap_or(settings);
    let mut overrides = HashMap::new();
    let mut problems = Vec::new();
    let scope = match settings.pointer("/diagnostics/scope").and_then(serde_json::Value::as_str) {
        None => None,
        Some(word) => {
            let scope = DiagnosticsScope::parse(word);
            if scope.is_none() {
                problems.push(format!("seedls.diagnostics.scope: `{word}` is not open or workspace"));
            }
            scope
        }
    };
    if let Some(table) = settings.pointer("/diagnostics/severity").and_then(serde_json::Value::as_object) {
        for (name, level) in table {
            let Some(code) = crate::codes::Code::parse(name) else {
                problems.push(format!("seedls.diagnostics.severity: unknown code `{name}`"));
                continue;
            };
            match level.as_str() {
                Some("off") => {
                    overrides.insert(code, None);
                }
                Some(word) if Severity::parse(word).is_some() => {
                    overrides.insert(code, Severity::parse(word));
                }
                _ => problems.push(format!(
                    "seedls.diagnostics.severity.{name}: `{level}` is not error, warning, information, hint or off"
                )),
            }
        }
    }
    (ClientSettings { severities: SeverityOverrides(overrides), scope }, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(path: &str, text: &str) -> Arc<crate::index::SourceFile> {
        Arc::new(crate::index::SourceFile::indexed(path.to_string(), Arc::from(text)))
    }

    #[test]
    fn keystrokes_during_a_merge_off_the_lock_are_kept_and_the_merge_is_done_again() {
        // A keystroke during the first attempt only, then during both (the merge is done
        // under the lock at last).
        for busy_attempts in [1, 2] {
            let state = Mutex::new(State::default());
            state.lock().open_document("file:///w/b.txt", "= Typed =\n".to_string(), 1).expect("opens");
            let typed = |attempt: usize| {
                if attempt < busy_attempts {
                    let change = lsp::TextDocumentContentChangeEvent {
                        range: None,
                        range_length: None,
                        text: format!("= Typed {attempt} =\n"),
                    };
                    state.lock().change_document("file:///w/b.txt", 2 + attempt as i32, vec![change]).expect("applies");
                }
            };
            let files = vec![indexed("file:///w/a.txt", "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n")];
            State::merge_indexed_with(&state, Batch::new(files), &typed);
            let state = state.lock();
            let workspace = state.workspace();
            assert!(workspace.entity("Enver Hoxha").is_some(), "merged ({busy_attempts} busy attempts)");
            let last = format!("Typed {}", busy_attempts - 1);
            assert!(workspace.entity(&last).is_some(), "the last keystroke kept ({busy_attempts} busy attempts)");
            assert_eq!(state.version("file:///w/b.txt"), Some(1 + busy_attempts as i32));
            assert!(workspace.consistency_report().is_empty(), "{:?}", workspace.consistency_report());
            assert_eq!(workspace.names_not_shared(), 0, "the files' names are the table's copies");
        }
    }

    #[test]
    fn indexed_files_merge_around_the_open_documents_whatever_the_path_taken() {
        // No document open: merged in place. One open: merged into a copy, put in its place.
        for open in [false, true] {
            let state = Mutex::new(State::default());
            if open {
                state.lock().open_document("file:///w/b.txt", "= Typed =\n".to_string(), 3).expect("opens");
            }
            let snapshot_before = state.lock().snapshot();
            State::merge_indexed(
                &state,
                Batch::new(vec![
                    indexed("file:///w/a.txt", "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n"),
                    indexed("file:///w/b.txt", "= From disk =\n"),
                ]),
            );
            let state = state.lock();
            let workspace = state.workspace();
            assert!(workspace.entity("Enver Hoxha").is_some(), "open: {open}");
            assert_eq!(workspace.entity("Typed").is_some(), open, "the editor's text wins over the disk's");
            assert_eq!(workspace.entity("From disk").is_some(), !open);
            assert!(
                snapshot_before.workspace.entity("Enver Hoxha").is_none(),
                "a snapshot taken before stays as it was"
            );
            assert_eq!(workspace.names_not_shared(), 0, "the files' names are the table's copies (open: {open})");
        }
    }
}
