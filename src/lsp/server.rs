//! The protocol surface. Notifications that change state are applied here, in arrival order,
//! under a short lock (see `state`); requests take a snapshot and run on a worker thread
//! (see `dispatch`), translated by `handlers`. No analysis happens in this file.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, notification::Notification as _};
use tower_lsp_server::{Client, LanguageServer};

use crate::cancel::CancelToken;
use crate::index::config::Config;
use crate::index::config::DiagnosticsScope;
use crate::lsp::convert::{self, LineMap};
use crate::lsp::diagnostics::{self, Publisher};
use crate::lsp::dispatch::{Staleness, run_query};
use crate::lsp::handlers;
use crate::lsp::raw_answers::RawSlot;
use crate::lsp::state::{ChangeOutcome, ClientFlags, State, settings_from_json};
use crate::scan;

/// How long the server waits for a client's answer to its own requests (registration,
/// progress, configuration): a client that never answers must not hold anything up.
const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// Closed files' problems (workspace scope) and pull refreshes wait for this much quiet:
/// typing a name in an infobox must not recompute the workspace on every keystroke.
const WORKSPACE_DIAGNOSTICS_DELAY: Duration = Duration::from_millis(400);

/// How long the facts cache goes on writing after `shutdown` (see `Server::shutdown`).
const CACHE_WRITE_GRACE: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub(crate) struct Server {
    pub(crate) client: Client,
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) publisher: Arc<Publisher>,
    /// Set by `shutdown`: an `exit` (or the end of input) before it ends the process with 1.
    shut_down: Arc<AtomicBool>,
    /// One indexing run at a time; a folder added during a run waits for it.
    pub(crate) indexing: Arc<tokio::sync::Mutex<()>>,
    /// The binary's calls around each indexing run (see `lsp::IndexingHooks`).
    pub(crate) indexing_hooks: crate::lsp::IndexingHooks,
    /// The pending workspace-wide refresh (closed files' problems, pull refresh).
    workspace_refresh: Arc<Mutex<CancelToken>>,
    /// The workers that compute requests (bounded), and which run on which document.
    pub(crate) workers: Arc<crate::lsp::dispatch::Workers>,
    /// The on-disk facts cache, opened by the first indexing run (`None` inside: disabled).
    pub(crate) facts_cache: Arc<std::sync::OnceLock<Option<Arc<crate::cache::FactsCache>>>>,
}

impl Server {
    #[cfg(test)]
    pub(crate) fn new(client: Client) -> Server {
        Server::with_shutdown_flag(client, Arc::default(), crate::lsp::IndexingHooks::default())
    }

    pub(crate) fn with_shutdown_flag(
        client: Client,
        shut_down: Arc<AtomicBool>,
        indexing_hooks: crate::lsp::IndexingHooks,
    ) -> Server {
        Server {
            client,
            state: Arc::new(Mutex::new(State::default())),
            publisher: Arc::default(),
            shut_down,
            indexing: Arc::default(),
            indexing_hooks,
            workspace_refresh: Arc::default(),
            facts_cache: Arc::default(),
            workers: Arc::new(crate::lsp::dispatch::Workers::for_this_machine()),
        }
    }

    pub(crate) async fn log(&self, kind: lsp::MessageType, message: String) {
        eprintln!("seedls: {message}");
        self.client.log_message(kind, message).await;
    }

    /// After a change was applied: the diagnostics that may differ are refreshed. After a
    /// refused change: says why.
    pub(crate) async fn after_change(&self, key: &str, outcome: std::result::Result<ChangeOutcome, String>) {
        match outcome {
            Ok(outcome) => self.refresh_diagnostics(Some(key), outcome.cross_article),
            Err(message) => self.log(lsp::MessageType::ERROR, message).await,
        }
    }

    /// Schedules the diagnostics that a change can alter: the changed document's own, and
    /// when names or settings changed, every open document's and (debounced) the rest.
    pub(crate) fn refresh_diagnostics(&self, changed: Option<&str>, cross_article: bool) {
        let (flags, scope, open) = {
            let state = self.state.lock();
            (state.flags, state.scope(), state.open_keys())
        };
        if !flags.pull_diagnostics {
            let keys: Vec<String> = if cross_article {
                open
            } else {
                changed.filter(|key| open.iter().any(|open| open == key)).map(str::to_string).into_iter().collect()
            };
            self.publisher.schedule(&self.state, &self.client, keys);
        }
        if cross_article && (flags.pull_diagnostics || scope == DiagnosticsScope::Workspace) {
            self.schedule_workspace_refresh();
        }
    }

    /// After a quiet moment: pull clients are asked to pull again; push clients in workspace
    /// scope get every closed file's problems.
    fn schedule_workspace_refresh(&self) {
        let token = CancelToken::new();
        std::mem::replace(&mut *self.workspace_refresh.lock(), token.clone()).cancel();
        let server = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(WORKSPACE_DIAGNOSTICS_DELAY).await;
            if token.is_cancelled() {
                return;
            }
            let (flags, scope, keys) = {
                let state = server.state.lock();
                let keys: Vec<String> = state
                    .workspace()
                    .files()
                    .map(|(_, file)| file.path.to_string())
                    .filter(|key| !state.is_open(key))
                    .collect();
                (state.flags, state.scope(), keys)
            };
            if flags.pull_diagnostics {
                if flags.diagnostic_refresh {
                    let _ =
                        tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, server.client.workspace_diagnostic_refresh()).await;
                }
            } else if scope == DiagnosticsScope::Workspace {
                server.publisher.schedule(&server.state, &server.client, keys);
            }
        });
    }

    /// Reads a `seedls.toml`: the settings, and its problems as diagnostics on that file
    /// (an empty list clears earlier ones).
    pub(crate) async fn read_config(&self, path: &std::path::Path, text: &str) -> Config {
        let (config, errors) = Config::parse(text);
        let encoding = self.state.lock().encoding;
        if let Some(uri) = lsp::Uri::from_file_path(path) {
            let map = LineMap::new(Arc::from(text), encoding);
            let diagnostics = errors.iter().map(|error| convert::config_diagnostic(&map, error)).collect();
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
        config
    }

    /// Files that changed on disk (watched files, file operations): each one read off the
    /// transport task, then applied through the state's one path for disk changes.
    async fn files_changed_on_disk(&self, changes: Vec<(lsp::Uri, bool)>) {
        let mut config_changed = false;
        let mut member_changes = Vec::new();
        for (uri, exists) in changes {
            let Some(path) = uri.to_file_path().map(|path| path.into_owned()) else { continue };
            if path.file_name().is_some_and(|name| name == "seedls.toml") {
                config_changed = true;
                continue;
            }
            member_changes.push((convert::document_key(&uri), path, exists));
        }
        if config_changed {
            self.reload_config_and_reindex().await;
        }
        if member_changes.is_empty() {
            return;
        }
        let membership = self.state.lock().membership();
        let read = tokio::task::spawn_blocking(move || {
            member_changes
                .into_iter()
                .map(|(key, path, exists)| {
                    let text =
                        (exists && membership.admits(&path).is_ok()).then(|| scan::read_seed(&path).ok()).flatten();
                    (key, text)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut cross_article = false;
        let mut removed = Vec::new();
        {
            let mut state = self.state.lock();
            for (key, text) in read {
                let gone = text.is_none();
                if let Some(outcome) = state.disk_changed(&key, text) {
                    cross_article |= outcome.cross_article;
                    if gone {
                        removed.push(key);
                    }
                }
            }
        }
        for key in removed {
            self.publisher.clear(&self.client, &key).await;
        }
        self.refresh_diagnostics(None, cross_article);
    }

    /// `seedls.toml` changed: new settings, and a new scan, since they may include or
    /// exclude other files.
    async fn reload_config_and_reindex(&self) {
        let roots = self.state.lock().roots.clone();
        self.index_roots(roots, true).await;
    }

    async fn pull_configuration(&self) {
        if !self.state.lock().flags.configuration {
            return;
        }
        let item = lsp::ConfigurationItem { scope_uri: None, section: Some("seedls".to_string()) };
        let answer = tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, self.client.configuration(vec![item])).await;
        match answer {
            Ok(Ok(values)) => {
                let value = values.into_iter().next().unwrap_or_default();
                self.apply_settings(&value).await;
            }
            Ok(Err(error)) => self.log(lsp::MessageType::WARNING, format!("workspace/configuration: {error}")).await,
            Err(_) => {
                self.log(lsp::MessageType::WARNING, "the editor did not answer workspace/configuration".into()).await
            }
        }
    }

    async fn apply_settings(&self, value: &serde_json::Value) {
        if value.is_null() {
            return;
        }
        let (settings, problems) = settings_from_json(value);
        self.state.lock().set_client_settings(settings);
        for problem in problems {
            self.log(lsp::MessageType::WARNING, problem).await;
        }
        self.refresh_diagnostics(None, true);
    }

    /// The protocol types this server is built on have no static `typeHierarchyProvider`
    /// capability; clients that allow it get the type hierarchy by registration instead.
    async fn register_type_hierarchy(&self) {
        let options = lsp::TypeHierarchyRegistrationOptions {
            text_document_registration_options: lsp::TextDocumentRegistrationOptions {
                document_selector: Some(vec![lsp::DocumentFilter {
                    language: None,
                    scheme: Some("file".to_string()),
                    pattern: None,
                }]),
            },
            type_hierarchy_options: lsp::TypeHierarchyOptions::default(),
            static_registration_options: lsp::StaticRegistrationOptions { id: None },
        };
        self.register("seedls/type-hierarchy", "textDocument/prepareTypeHierarchy", serde_json::to_value(options).ok())
            .await;
    }

    async fn register(&self, id: &str, method: &str, register_options: Option<serde_json::Value>) {
        let registration = lsp::Registration { id: id.to_string(), method: method.to_string(), register_options };
        let registered =
            tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, self.client.register_capability(vec![registration])).await;
        match registered {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                self.log(lsp::MessageType::WARNING, format!("could not register {method}: {error}")).await
            }
            Err(_) => {
                self.log(lsp::MessageType::WARNING, format!("the editor did not answer the registration of {method}"))
                    .await
            }
        }
    }

    async fn register_file_watchers(&self) {
        let watchers = ["**/*.txt", "**/*.seed", "**/seedls.toml"]
            .map(|glob| lsp::FileSystemWatcher { glob_pattern: lsp::GlobPattern::String(glob.to_string()), kind: None })
            .to_vec();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        self.register(
            "seedls/watched-files",
            lsp::notification::DidChangeWatchedFiles::METHOD,
            serde_json::to_value(options).ok(),
        )
        .await;
    }

    /// Runs a position-based request about `uri` on a snapshot (see `dispatch`).
    async fn at_document<T: Send + 'static>(
        &self,
        method: &'static str,
        uri: &lsp::Uri,
        compute: impl FnOnce(&crate::lsp::snapshot::Snapshot) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        run_query(&self.state, &self.workers, method, Staleness::Document(convert::document_key(uri)), compute).await
    }

    /// Runs a workspace-wide request on a snapshot.
    async fn on_workspace<T: Send + 'static>(
        &self,
        method: &'static str,
        compute: impl FnOnce(&crate::lsp::snapshot::Snapshot) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        run_query(&self.state, &self.workers, method, Staleness::Never, compute).await
    }
}

/// The custom requests of the entity explorer (documented in README for other clients).
impl Server {
    pub(crate) async fn entities(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        self.on_workspace("seedls/entities", move |snapshot| handlers::entities(snapshot, &params)).await
    }

    pub(crate) async fn entity(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        self.on_workspace("seedls/entity", move |snapshot| handlers::entity(snapshot, &params)).await
    }

    pub(crate) async fn timeline(&self, _params: serde_json::Value) -> Result<serde_json::Value> {
        self.on_workspace("seedls/timeline", handlers::timeline).await
    }
}

/// The service: the protocol's methods and seedls's own requests.
pub(crate) fn service(
    make: impl FnOnce(Client) -> Server,
) -> (tower_lsp_server::LspService<Server>, tower_lsp_server::ClientSocket) {
    tower_lsp_server::LspService::build(make)
        .custom_method("seedls/entities", Server::entities)
        .custom_method("seedls/entity", Server::entity)
        .custom_method("seedls/timeline", Server::timeline)
        .finish()
}

fn client_flags(capabilities: &lsp::ClientCapabilities) -> ClientFlags {
    let workspace = capabilities.workspace.as_ref();
    let workspace_edit = workspace.and_then(|w| w.workspace_edit.as_ref());
    ClientFlags {
        document_changes: workspace_edit.and_then(|e| e.document_changes).unwrap_or(false),
        create_files: workspace_edit
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|operations| operations.contains(&lsp::ResourceOperationKind::Create)),
        dynamic_watched_files: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        work_done_progress: capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        pull_diagnostics: capabilities.text_document.as_ref().and_then(|t| t.diagnostic.as_ref()).is_some(),
        diagnostic_refresh: workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        dynamic_type_hierarchy: capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.type_hierarchy.as_ref())
            .and_then(|h| h.dynamic_registration)
            .unwrap_or(false),
    }
}

fn server_capabilities(encoding: crate::position::Encoding) -> lsp::ServerCapabilities {
    let legend = lsp::SemanticTokensLegend { token_types: convert::TOKEN_TYPES.to_vec(), token_modifiers: Vec::new() };
    let seed_files = |glob: &str| lsp::FileOperationFilter {
        scheme: Some("file".to_string()),
        pattern: lsp::FileOperationPattern { glob: glob.to_string(), matches: None, options: None },
    };
    let file_operation =
        Some(lsp::FileOperationRegistrationOptions { filters: vec![seed_files("**/*.txt"), seed_files("**/*.seed")] });
    lsp::ServerCapabilities {
        position_encoding: Some(convert::encoding_kind(encoding)),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            ..lsp::TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
            ..lsp::CodeActionOptions::default()
        })),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["-".into(), " ".into(), ",".into(), "*".into()]),
            ..lsp::CompletionOptions::default()
        }),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_link_provider: Some(lsp::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp::SemanticTokensOptions {
                legend,
                range: Some(true),
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                ..lsp::SemanticTokensOptions::default()
            },
        )),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        selection_range_provider: Some(lsp::SelectionRangeProviderCapability::Simple(true)),
        code_lens_provider: Some(lsp::CodeLensOptions { resolve_provider: Some(false) }),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![handlers::BACKLINKS_COMMAND.to_string()],
            work_done_progress_options: Default::default(),
        }),
        diagnostic_provider: Some(lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
            identifier: Some("seedls".to_string()),
            inter_file_dependencies: true,
            workspace_diagnostics: true,
            work_done_progress_options: Default::default(),
        })),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: Some(lsp::WorkspaceFileOperationsServerCapabilities {
                did_create: file_operation.clone(),
                did_rename: file_operation.clone(),
                did_delete: file_operation,
                ..lsp::WorkspaceFileOperationsServerCapabilities::default()
            }),
        }),
        ..lsp::ServerCapabilities::default()
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let encoding = convert::negotiate_encoding(&params.capabilities);
        let mut state = self.state.lock();
        state.encoding = encoding;
        state.flags = client_flags(&params.capabilities);
        #[allow(deprecated)] // root_uri is still what some clients send instead of folders.
        let folders: Vec<lsp::Uri> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) if !folders.is_empty() => folders.iter().map(|folder| folder.uri.clone()).collect(),
            (_, Some(root)) => vec![root.clone()],
            _ => Vec::new(),
        };
        state.roots = folders.iter().filter_map(|uri| uri.to_file_path().map(|path| path.into_owned())).collect();
        if let Some(options) = &params.initialization_options {
            let (settings, problems) = settings_from_json(options);
            state.set_client_settings(settings);
            for problem in problems {
                eprintln!("seedls: {problem}");
            }
            match crate::cache::settings_from_initialization_options(options) {
                Ok(cache) => state.initial_cache_settings = cache,
                Err(problem) => eprintln!("seedls: {problem}"),
            }
        }
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "seedls".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: server_capabilities(encoding),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let server = self.clone();
        // Indexing goes on in the background: the editor's first keystrokes are served at
        // once, from what is indexed so far.
        tokio::spawn(async move {
            server.pull_configuration().await;
            if server.state.lock().flags.dynamic_watched_files {
                server.register_file_watchers().await;
            }
            if server.state.lock().flags.dynamic_type_hierarchy {
                server.register_type_hierarchy().await;
            }
            let roots = server.state.lock().roots.clone();
            server.index_roots(roots, false).await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        // The cache's writer may still hold a large workspace's first start (tens of
        // megabytes of shards): it goes on for the grace, then what it has not written is
        // left for the next start, so that `exit` ends the process at once.
        if let Some(Some(cache)) = self.facts_cache.get() {
            cache.stop_writing_after(CACHE_WRITE_GRACE);
            let cache = cache.clone();
            let _ = tokio::task::spawn_blocking(move || cache.wait_for_the_writer()).await;
        }
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let document = params.text_document;
        let key = convert::document_key(&document.uri);
        // Applied synchronously, before any await: a change that follows cannot overtake it.
        let outcome = self.state.lock().open_document(&key, document.text, document.version);
        self.after_change(&key, outcome).await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let key = convert::document_key(&params.text_document.uri);
        // Applied synchronously, before any await: the next change cannot overtake this one.
        let outcome = self.state.lock().change_document(&key, params.text_document.version, params.content_changes);
        self.workers.document_changed(&key);
        self.after_change(&key, outcome).await;
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let key = convert::document_key(&params.text_document.uri);
        let path = params.text_document.uri.to_file_path().map(|path| path.into_owned());
        let membership = self.state.lock().membership();
        // The disk's version takes over again, if the file is a member of the workspace.
        let disk_text = match path {
            Some(path) => tokio::task::spawn_blocking(move || {
                membership.admits(&path).ok().and_then(|()| scan::read_seed(&path).ok())
            })
            .await
            .unwrap_or(None),
            None => None,
        };
        let (outcome, scope, pull) = {
            let mut state = self.state.lock();
            let outcome = state.close_document(&key, disk_text);
            (outcome, state.scope(), state.flags.pull_diagnostics)
        };
        let Some(outcome) = outcome else { return };
        let still_member = self.state.lock().workspace().file_id(&key).is_some();
        if !pull && (scope == DiagnosticsScope::Open || !still_member) {
            self.publisher.clear(&self.client, &key).await;
        }
        // Unsaved names and titles went with the editor's text: the other documents'
        // cross-article diagnostics (name variants, duplicate titles) may differ now.
        self.refresh_diagnostics(None, outcome.cross_article);
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        if self.state.lock().flags.configuration {
            self.pull_configuration().await;
        } else {
            self.apply_settings(&params.settings).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let added: Vec<PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
            .collect();
        let mut gone = Vec::new();
        {
            let mut state = self.state.lock();
            for folder in &params.event.removed {
                if let Some(path) = folder.uri.to_file_path() {
                    state.roots.retain(|root| root.as_path() != path.as_ref());
                }
            }
            state.roots.extend(added.iter().cloned());
            let membership = state.membership();
            for folder in &params.event.removed {
                let prefix = format!("{}/", convert::document_key(&folder.uri).trim_end_matches('/'));
                for key in state.closed_files_under(&prefix) {
                    // A file under a remaining folder (nested folders) stays.
                    let still_member = lsp::Uri::from_str(&key)
                        .ok()
                        .and_then(|uri| uri.to_file_path().map(|path| membership.admits(&path).is_ok()))
                        .unwrap_or(false);
                    if !still_member && state.disk_changed(&key, None).is_some() {
                        gone.push(key);
                    }
                }
            }
        }
        for key in &gone {
            self.publisher.clear(&self.client, key).await;
        }
        if added.is_empty() {
            self.refresh_diagnostics(None, !gone.is_empty());
        } else {
            let server = self.clone();
            tokio::spawn(async move { server.index_roots(added, false).await });
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let changes =
            params.changes.into_iter().map(|event| (event.uri, event.typ != lsp::FileChangeType::DELETED)).collect();
        self.files_changed_on_disk(changes).await;
    }

    async fn did_create_files(&self, params: lsp::CreateFilesParams) {
        let changes = params.files.into_iter().filter_map(|file| Some((file.uri.parse().ok()?, true))).collect();
        self.files_changed_on_disk(changes).await;
    }

    async fn did_rename_files(&self, params: lsp::RenameFilesParams) {
        let mut changes = Vec::new();
        for file in params.files {
            changes.extend(file.old_uri.parse().ok().map(|uri| (uri, false)));
            changes.extend(file.new_uri.parse().ok().map(|uri| (uri, true)));
        }
        self.files_changed_on_disk(changes).await;
    }

    async fn did_delete_files(&self, params: lsp::DeleteFilesParams) {
        let changes = params.files.into_iter().filter_map(|file| Some((file.uri.parse().ok()?, false))).collect();
        self.files_changed_on_disk(changes).await;
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let uri = params.text_document_position_params.text_document.uri.clone();
        self.at_document("textDocument/hover", &uri, move |snapshot| handlers::hover(snapshot, params)).await
    }

    async fn goto_definition(&self, params: lsp::GotoDefinitionParams) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let uri = params.text_document_position_params.text_document.uri.clone();
        self.at_document("textDocument/definition", &uri, move |snapshot| handlers::goto_definition(snapshot, params))
            .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        let slot = RawSlot::current();
        self.at_document("textDocument/references", &uri, move |snapshot| handlers::references(snapshot, params, slot))
            .await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let uri = params.text_document_position_params.text_document.uri.clone();
        self.at_document("textDocument/documentHighlight", &uri, move |snapshot| {
            handlers::document_highlight(snapshot, params)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/prepareRename", &uri, move |snapshot| handlers::prepare_rename(snapshot, params))
            .await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let uri = params.text_document_position.text_document.uri.clone();
        let slot = RawSlot::current();
        self.at_document("textDocument/rename", &uri, move |snapshot| handlers::rename(snapshot, params, slot)).await
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.at_document("textDocument/completion", &uri, move |snapshot| handlers::completion(snapshot, params)).await
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/documentSymbol", &uri, move |snapshot| {
            handlers::document_symbol(snapshot, params)
        })
        .await
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        self.on_workspace("workspace/symbol", move |snapshot| handlers::workspace_symbol(snapshot, params)).await
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/foldingRange", &uri, move |snapshot| handlers::folding_range(snapshot, params))
            .await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/codeAction", &uri, move |snapshot| handlers::code_action(snapshot, params)).await
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/formatting", &uri, move |snapshot| handlers::formatting(snapshot, params)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let tokens = self
            .at_document("textDocument/semanticTokens/full", &uri.clone(), move |snapshot| {
                handlers::semantic_tokens(snapshot, &uri, None)
            })
            .await?;
        Ok(tokens.map(lsp::SemanticTokensResult::Tokens))
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        let uri = params.text_document.uri;
        let range = params.range;
        let tokens = self
            .at_document("textDocument/semanticTokens/range", &uri.clone(), move |snapshot| {
                handlers::semantic_tokens(snapshot, &uri, Some(range))
            })
            .await?;
        Ok(tokens.map(lsp::SemanticTokensRangeResult::Tokens))
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/inlayHint", &uri, move |snapshot| handlers::inlay_hint(snapshot, params)).await
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/codeLens", &uri, move |snapshot| handlers::code_lens(snapshot, params)).await
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/documentLink", &uri, move |snapshot| handlers::document_link(snapshot, params))
            .await
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<serde_json::Value>> {
        match params.command.as_str() {
            handlers::BACKLINKS_COMMAND => {
                self.on_workspace("workspace/executeCommand", move |snapshot| {
                    handlers::backlinks(snapshot, &params.arguments)
                })
                .await
            }
            other => Err(crate::lsp::dispatch::invalid_params(format!("unknown command `{other}`"))),
        }
    }

    async fn prepare_type_hierarchy(
        &self,
        params: lsp::TypeHierarchyPrepareParams,
    ) -> Result<Option<Vec<lsp::TypeHierarchyItem>>> {
        let uri = params.text_document_position_params.text_document.uri.clone();
        self.at_document("textDocument/prepareTypeHierarchy", &uri, move |snapshot| {
            handlers::prepare_type_hierarchy(snapshot, params)
        })
        .await
    }

    async fn supertypes(
        &self,
        params: lsp::TypeHierarchySupertypesParams,
    ) -> Result<Option<Vec<lsp::TypeHierarchyItem>>> {
        self.on_workspace("typeHierarchy/supertypes", move |snapshot| {
            handlers::type_hierarchy_neighbours(snapshot, &params.item, true)
        })
        .await
    }

    async fn subtypes(&self, params: lsp::TypeHierarchySubtypesParams) -> Result<Option<Vec<lsp::TypeHierarchyItem>>> {
        self.on_workspace("typeHierarchy/subtypes", move |snapshot| {
            handlers::type_hierarchy_neighbours(snapshot, &params.item, false)
        })
        .await
    }

    async fn selection_range(&self, params: lsp::SelectionRangeParams) -> Result<Option<Vec<lsp::SelectionRange>>> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/selectionRange", &uri, move |snapshot| {
            handlers::selection_range(snapshot, params)
        })
        .await
    }

    async fn diagnostic(&self, params: lsp::DocumentDiagnosticParams) -> Result<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri.clone();
        self.at_document("textDocument/diagnostic", &uri, move |snapshot| {
            Ok(diagnostics::document_report(snapshot, params))
        })
        .await
    }

    async fn workspace_diagnostic(
        &self,
        params: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        self.on_workspace("workspace/diagnostic", move |snapshot| Ok(diagnostics::workspace_report(snapshot, params)))
            .await
    }
}
