//! The protocol handlers. Each one converts the request, calls one `ide` function on the
//! state, and converts the answer back; analysis lives in `ide`, never here.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{self as lsp, notification::Notification as _};
use tower_lsp_server::{Client, LanguageServer};

use crate::ide;
use crate::index::config::Config;
use crate::index::{FileId, SourceFile};
use crate::lsp::convert::{self, LineMap};
use crate::lsp::state::{ClientFlags, State, severities_from_settings};
use crate::scan;

/// Diagnostics ready to publish: the document, its diagnostics, its version if open.
type DiagnosticsBatch = (lsp::Uri, Vec<lsp::Diagnostic>, Option<i32>);

pub(crate) struct Server {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Set by `shutdown`: an `exit` (or the end of input) before it ends the process with 1.
    shut_down: Arc<AtomicBool>,
}

impl Server {
    #[cfg(test)]
    pub(crate) fn new(client: Client) -> Server {
        Server::with_shutdown_flag(client, Arc::default())
    }

    pub(crate) fn with_shutdown_flag(client: Client, shut_down: Arc<AtomicBool>) -> Server {
        Server { client, state: Arc::new(Mutex::new(State::default())), shut_down }
    }

    /// Runs `f` on a known file with its line map; `None` for a file the server does not know.
    fn with_file<T>(&self, uri: &lsp::Uri, f: impl FnOnce(&mut State, FileId, &LineMap) -> T) -> Option<T> {
        let mut state = self.state.lock();
        let file = state.workspace.file_id(&convert::document_key(uri))?;
        let map = state.line_map(file)?;
        Some(f(&mut state, file, &map))
    }

    /// The diagnostics of one open document, with its version, ready to publish.
    fn document_diagnostics(state: &mut State, uri: &str) -> Option<DiagnosticsBatch> {
        let file = state.workspace.file_id(uri)?;
        let map = state.line_map(file)?;
        let diagnostics = ide::diagnostics::diagnostics(&state.workspace, file, &state.overrides());
        let converted = diagnostics.iter().map(|diagnostic| convert::diagnostic(&map, diagnostic)).collect();
        Some((lsp::Uri::from_str(uri).ok()?, converted, state.version(uri)))
    }

    async fn publish(&self, batches: Vec<DiagnosticsBatch>) {
        for (uri, diagnostics, version) in batches {
            self.client.publish_diagnostics(uri, diagnostics, version).await;
        }
    }

    /// Diagnostics for every open document: after the workspace changed around them.
    fn all_open_diagnostics(&self) -> Vec<DiagnosticsBatch> {
        let mut state = self.state.lock();
        let uris: Vec<String> = state.open.keys().cloned().collect();
        uris.iter().filter_map(|uri| Self::document_diagnostics(&mut state, uri)).collect()
    }

    /// After `uri` changed: its own diagnostics, and those of other open documents when the
    /// names or titles of the workspace changed (their cross-article diagnostics may differ).
    fn diagnostics_after_change(&self, uri: &str, names_before: u64) -> Vec<DiagnosticsBatch> {
        let mut state = self.state.lock();
        let names_changed = state.workspace.names_generation() != names_before;
        let uris: Vec<String> =
            if names_changed { state.open.keys().cloned().collect() } else { vec![uri.to_string()] };
        uris.iter().filter_map(|uri| Self::document_diagnostics(&mut state, uri)).collect()
    }

    /// Reads a `seedls.toml`: the settings, and its problems as diagnostics on that file
    /// (an empty list clears earlier ones).
    fn read_config(&self, path: &std::path::Path, text: &str) -> (Config, Option<DiagnosticsBatch>) {
        let (config, errors) = Config::parse(text);
        let encoding = self.state.lock().encoding;
        let batch = lsp::Uri::from_file_path(path).map(|uri| {
            let map = LineMap::new(Arc::from(text), encoding);
            let diagnostics = errors
                .iter()
                .map(|error| lsp::Diagnostic {
                    range: map.range(error.range),
                    severity: Some(lsp::DiagnosticSeverity::ERROR),
                    code: Some(lsp::NumberOrString::String("config-error".into())),
                    source: Some("seedls".into()),
                    message: error.message.clone(),
                    ..lsp::Diagnostic::default()
                })
                .collect();
            (uri, diagnostics, None)
        });
        (config, batch)
    }

    /// After an edit was applied (`Ok` with the names generation before it): publishes what
    /// changed. After a refused edit: says why.
    async fn publish_after_edit(&self, uri: &str, outcome: std::result::Result<u64, String>) {
        match outcome {
            Ok(names_before) => {
                let batches = self.diagnostics_after_change(uri, names_before);
                self.publish(batches).await;
            }
            Err(message) => self.log(lsp::MessageType::ERROR, message).await,
        }
    }

    async fn log(&self, kind: lsp::MessageType, message: String) {
        eprintln!("seedls: {message}");
        self.client.log_message(kind, message).await;
    }

    /// Indexes the seed files under `roots` (all workspace folders at start, a new one later).
    async fn index_workspace(&self, roots: Vec<std::path::PathBuf>) {
        let flags = self.state.lock().flags;
        let token = lsp::ProgressToken::String("seedls/indexing".to_string());
        // A client that never answers must not hold indexing up.
        let created = flags.work_done_progress
            && matches!(
                tokio::time::timeout(
                    std::time::Duration::from_secs(2),
                    self.client.create_work_done_progress(token.clone())
                )
                .await,
                Ok(Ok(()))
            );
        let progress = if created {
            Some(self.client.progress(token, "Indexing seeds").with_message("finding files").begin().await)
        } else {
            None
        };
        let mut problems = Vec::new();
        let mut config_diagnostics = Vec::new();
        // A folder without seedls.toml keeps the settings in force.
        let mut found_config: Option<Config> = None;
        for root in &roots {
            if let Some((path, text)) = scan::read_config(root) {
                let (read, batch) = self.read_config(&path, &text);
                found_config = Some(read);
                config_diagnostics.extend(batch);
            }
        }
        let scan_config = found_config.clone().unwrap_or_else(|| self.state.lock().config.clone());
        let found = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            let mut paths = Vec::new();
            let mut skipped = Vec::new();
            for root in &roots {
                let (found, skipped_here) = scan::discover(root, &scan_config);
                paths.extend(found);
                skipped.extend(skipped_here);
            }
            let read: Vec<std::result::Result<Arc<SourceFile>, String>> = paths
                .par_iter()
                .map(|path| {
                    let text = scan::read_seed(path)?;
                    let uri = lsp::Uri::from_file_path(path)
                        .ok_or_else(|| format!("{}: not a valid file URI", path.display()))?;
                    Ok(Arc::new(SourceFile::indexed(uri.as_str().to_string(), Arc::from(text))))
                })
                .collect();
            (read, skipped)
        })
        .await;
        let (read, skipped) = found.unwrap_or_else(|error| (Vec::new(), vec![format!("indexing failed: {error}")]));
        problems.extend(skipped);
        let mut files = Vec::new();
        for result in read {
            match result {
                Ok(file) => files.push(file),
                Err(problem) => problems.push(problem),
            }
        }
        let count = files.len();
        if let Some(progress) = &progress {
            progress.report(format!("{count} files read")).await;
        }
        {
            let mut state = self.state.lock();
            if let Some(config) = found_config {
                state.workspace.schema = config.schema();
                state.config = config;
            }
            let fresh: Vec<Arc<SourceFile>> =
                files.into_iter().filter(|file| !state.open.contains_key(&file.path)).collect();
            state.workspace.insert_files(fresh);
            state.workspace.warm_mentions();
        }
        for problem in problems {
            self.log(lsp::MessageType::WARNING, problem).await;
        }
        if let Some(progress) = progress {
            progress.finish_with_message(format!("{count} articles indexed")).await;
        }
        self.log(lsp::MessageType::INFO, format!("indexed {count} seed files")).await;
        self.publish(config_diagnostics).await;
        let batches = self.all_open_diagnostics();
        self.publish(batches).await;
    }

    async fn register_file_watchers(&self) {
        let watchers = ["**/*.txt", "**/*.seed", "**/seedls.toml"]
            .map(|glob| lsp::FileSystemWatcher { glob_pattern: lsp::GlobPattern::String(glob.to_string()), kind: None })
            .to_vec();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp::Registration {
            id: "seedls/watched-files".to_string(),
            method: lsp::notification::DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        // A client that never answers must not hold indexing up (as with progress above).
        let registered = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            self.client.register_capability(vec![registration]),
        )
        .await;
        match registered {
            Ok(Ok(())) => {}
            Ok(Err(error)) => self.log(lsp::MessageType::WARNING, format!("could not watch files: {error}")).await,
            Err(_) => {
                self.log(lsp::MessageType::WARNING, "the editor did not answer the file-watch registration".into())
                    .await
            }
        }
    }
}

fn internal(message: impl Into<String>) -> Error {
    Error { code: tower_lsp_server::jsonrpc::ErrorCode::InvalidParams, message: message.into().into(), data: None }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let encoding = convert::negotiate_encoding(&params.capabilities);
        let mut state = self.state.lock();
        state.encoding = encoding;
        let capabilities = &params.capabilities;
        state.flags = ClientFlags {
            document_changes: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            dynamic_watched_files: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        };
        #[allow(deprecated)] // root_uri is still what some clients send instead of folders.
        let folders: Vec<lsp::Uri> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) if !folders.is_empty() => folders.iter().map(|folder| folder.uri.clone()).collect(),
            (_, Some(root)) => vec![root.clone()],
            _ => Vec::new(),
        };
        state.roots = folders.iter().filter_map(|uri| uri.to_file_path().map(|path| path.into_owned())).collect();
        if let Some(options) = &params.initialization_options {
            let (severities, problems) = severities_from_settings(options);
            state.client_severities = severities;
            for problem in problems {
                eprintln!("seedls: {problem}");
            }
        }
        let legend =
            lsp::SemanticTokensLegend { token_types: convert::TOKEN_TYPES.to_vec(), token_modifiers: Vec::new() };
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "seedls".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
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
                code_lens_provider: Some(lsp::CodeLensOptions { resolve_provider: Some(false) }),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..lsp::ServerCapabilities::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let dynamic = self.state.lock().flags.dynamic_watched_files;
        if dynamic {
            self.register_file_watchers().await;
        }
        let roots = self.state.lock().roots.clone();
        self.index_workspace(roots).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let document = params.text_document;
        let uri = convert::document_key(&document.uri);
        let outcome = {
            let mut state = self.state.lock();
            let names_before = state.workspace.names_generation();
            state.open_document(&uri, document.text, document.version).map(|_| names_before)
        };
        self.publish_after_edit(&uri, outcome).await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = convert::document_key(&params.text_document.uri);
        // Applied synchronously, before any await: the next change cannot overtake this one.
        let outcome = {
            let mut state = self.state.lock();
            let names_before = state.workspace.names_generation();
            state.change_document(&uri, params.text_document.version, params.content_changes).map(|_| names_before)
        };
        self.publish_after_edit(&uri, outcome).await;
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let key = convert::document_key(&uri);
        let reload = {
            let mut state = self.state.lock();
            state.close_document(&key);
            uri.to_file_path().map(|path| path.into_owned())
        };
        // The disk's version takes over again, if there is one.
        let disk_text = reload.filter(|path| scan::is_seed_path(path)).and_then(|path| scan::read_seed(&path).ok());
        {
            let mut state = self.state.lock();
            match disk_text {
                Some(text) => {
                    state.workspace.set_indexed_file(&key, Arc::from(text));
                }
                None => {
                    if let Some(file) = state.workspace.remove_file(&key) {
                        state.forget_line_map(file);
                    }
                }
            }
        }
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
        // Unsaved names and titles went with the editor's text: the other documents'
        // cross-article diagnostics (name variants, duplicate titles) may differ now.
        let batches = self.all_open_diagnostics();
        self.publish(batches).await;
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let (severities, problems) = severities_from_settings(&params.settings);
        self.state.lock().client_severities = severities;
        for problem in problems {
            self.log(lsp::MessageType::WARNING, problem).await;
        }
        let batches = self.all_open_diagnostics();
        self.publish(batches).await;
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let added: Vec<std::path::PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
            .collect();
        {
            let mut state = self.state.lock();
            for folder in &params.event.removed {
                let prefix = format!("{}/", convert::document_key(&folder.uri).trim_end_matches('/'));
                let gone: Vec<String> = state
                    .workspace
                    .files()
                    .map(|(_, file)| file.path.clone())
                    .filter(|path| path.starts_with(&prefix) && !state.open.contains_key(path))
                    .collect();
                for path in gone {
                    if let Some(file) = state.workspace.remove_file(&path) {
                        state.forget_line_map(file);
                    }
                }
                if let Some(path) = folder.uri.to_file_path() {
                    state.roots.retain(|root| root.as_path() != path.as_ref());
                }
            }
            state.roots.extend(added.iter().cloned());
        }
        if added.is_empty() {
            let batches = self.all_open_diagnostics();
            self.publish(batches).await;
        } else {
            self.index_workspace(added).await;
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        for event in params.changes {
            let Some(path) = event.uri.to_file_path().map(|path| path.into_owned()) else {
                continue;
            };
            if path.file_name().is_some_and(|name| name == "seedls.toml") {
                // A deleted seedls.toml leaves the defaults (and no diagnostics on it).
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let (config, batch) = self.read_config(&path, &text);
                {
                    let mut state = self.state.lock();
                    state.workspace.schema = config.schema();
                    state.config = config;
                }
                self.publish(batch.into_iter().collect()).await;
                continue;
            }
            let key = convert::document_key(&event.uri);
            if self.state.lock().open.contains_key(&key) || !scan::is_seed_path(&path) {
                continue;
            }
            let text = if event.typ == lsp::FileChangeType::DELETED { None } else { scan::read_seed(&path).ok() };
            let mut state = self.state.lock();
            match text {
                Some(text) => {
                    state.workspace.set_indexed_file(&key, Arc::from(text));
                }
                None => {
                    if let Some(file) = state.workspace.remove_file(&key) {
                        state.forget_line_map(file);
                    }
                }
            }
        }
        let batches = self.all_open_diagnostics();
        self.publish(batches).await;
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let position = params.text_document_position_params;
        Ok(self
            .with_file(&position.text_document.uri, |state, file, map| {
                ide::hover::hover(&state.workspace, file, map.offset(position.position)).map(|info| (info, map.clone()))
            })
            .flatten()
            .map(|(info, map)| lsp::Hover {
                contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: info.markdown,
                }),
                range: Some(map.range(info.range)),
            }))
    }

    async fn goto_definition(&self, params: lsp::GotoDefinitionParams) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let locations = self.with_file(&position.text_document.uri, |state, file, map| {
            let targets = ide::goto_definition::goto_definition(&state.workspace, file, map.offset(position.position));
            targets.iter().filter_map(|target| state.location(target.file, target.focus)).collect::<Vec<_>>()
        });
        Ok(locations.filter(|locations| !locations.is_empty()).map(lsp::GotoDefinitionResponse::Array))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let position = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        Ok(self.with_file(&position.text_document.uri, |state, file, map| {
            let references = ide::references::find_references(
                &state.workspace,
                file,
                map.offset(position.position),
                include_declaration,
            );
            references.iter().filter_map(|reference| state.location(reference.file, reference.range)).collect()
        }))
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let position = params.text_document_position_params;
        Ok(self.with_file(&position.text_document.uri, |state, file, map| {
            ide::document_highlight::document_highlight(&state.workspace, file, map.offset(position.position))
                .into_iter()
                .map(|highlight| lsp::DocumentHighlight {
                    range: map.range(highlight.range),
                    kind: Some(if highlight.is_declaration {
                        lsp::DocumentHighlightKind::WRITE
                    } else {
                        lsp::DocumentHighlightKind::READ
                    }),
                })
                .collect()
        }))
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let answer = self.with_file(&params.text_document.uri, |state, file, map| {
            ide::rename::prepare_rename(&state.workspace, file, map.offset(params.position))
                .map(|(range, name)| (map.range(range), name))
        });
        match answer {
            None => Ok(None),
            Some(Ok((range, placeholder))) => {
                Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }))
            }
            Some(Err(error)) => Err(internal(error.0)),
        }
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let position = params.text_document_position;
        let answer = self.with_file(&position.text_document.uri, |state, file, map| {
            let change = ide::rename::rename(&state.workspace, file, map.offset(position.position), &params.new_name)?;
            Ok(workspace_edit(state, &change.edits))
        });
        match answer {
            None => Ok(None),
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(ide::rename::RenameError(message))) => Err(internal(message)),
        }
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        let position = params.text_document_position;
        Ok(self.with_file(&position.text_document.uri, |state, file, map| {
            let completions = ide::completion::completions(&state.workspace, file, map.offset(position.position));
            let items = completions
                .items
                .into_iter()
                .map(|item| lsp::CompletionItem {
                    label: item.label.clone(),
                    kind: Some(convert::completion_kind(item.kind)),
                    detail: Some(item.detail),
                    sort_text: Some(item.sort_text),
                    filter_text: Some(item.label),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                        range: map.range(item.replace),
                        new_text: item.insert_text,
                    })),
                    ..lsp::CompletionItem::default()
                })
                .collect();
            lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: completions.is_incomplete, items })
        }))
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let source = state.workspace.file(file).expect("with_file checked the file");
            let symbols = ide::symbols::document_symbols(&source.text, &source.document());
            lsp::DocumentSymbolResponse::Nested(
                symbols.iter().map(|symbol| convert::document_symbol(map, symbol)).collect(),
            )
        }))
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let mut state = self.state.lock();
        let symbols = ide::symbols::workspace_symbols(&state.workspace, &params.query, 200);
        let converted = symbols
            .into_iter()
            .filter_map(|symbol| {
                #[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
                Some(lsp::SymbolInformation {
                    name: symbol.name,
                    kind: convert::symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location: state.location(symbol.file, symbol.range)?,
                    container_name: symbol.container,
                })
            })
            .collect();
        Ok(Some(lsp::WorkspaceSymbolResponse::Flat(converted)))
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let source = state.workspace.file(file).expect("with_file checked the file");
            ide::folding::folding_ranges(&source.text, &source.document())
                .into_iter()
                .map(|range| {
                    let range = map.range(range);
                    lsp::FoldingRange {
                        start_line: range.start.line,
                        end_line: range.end.line,
                        kind: Some(lsp::FoldingRangeKind::Region),
                        ..lsp::FoldingRange::default()
                    }
                })
                .filter(|fold| fold.end_line > fold.start_line)
                .collect()
        }))
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let actions = ide::code_actions::code_actions(
                &state.workspace,
                file,
                map.text_range(params.range),
                &state.overrides(),
            );
            let version = state.version(&convert::document_key(&uri));
            let document_changes = state.flags.document_changes;
            actions
                .into_iter()
                .map(|action| {
                    let edits: Vec<lsp::TextEdit> = action.edits.iter().map(|edit| map.text_edit(edit)).collect();
                    // Versioned when the client takes `documentChanges`; a plain map otherwise.
                    let edit = if document_changes {
                        let document_edit = lsp::TextDocumentEdit {
                            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version },
                            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                        };
                        lsp::WorkspaceEdit {
                            document_changes: Some(lsp::DocumentChanges::Edits(vec![document_edit])),
                            ..lsp::WorkspaceEdit::default()
                        }
                    } else {
                        lsp::WorkspaceEdit {
                            changes: Some(HashMap::from([(uri.clone(), edits)])),
                            ..lsp::WorkspaceEdit::default()
                        }
                    };
                    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                        title: action.title,
                        kind: Some(lsp::CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![convert::diagnostic(map, &action.diagnostic)]),
                        edit: Some(edit),
                        is_preferred: Some(action.is_preferred),
                        ..lsp::CodeAction::default()
                    })
                })
                .collect()
        }))
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let source = state.workspace.file(file).expect("with_file checked the file");
            ide::formatting::format(&source.text, &source.document()).iter().map(|edit| map.text_edit(edit)).collect()
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let tokens = ide::semantic_tokens::semantic_tokens(&state.workspace, file, None);
            lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                result_id: None,
                data: convert::semantic_tokens(map, &tokens),
            })
        }))
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let tokens =
                ide::semantic_tokens::semantic_tokens(&state.workspace, file, Some(map.text_range(params.range)));
            lsp::SemanticTokensRangeResult::Tokens(lsp::SemanticTokens {
                result_id: None,
                data: convert::semantic_tokens(map, &tokens),
            })
        }))
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            let source = state.workspace.file(file).expect("with_file checked the file");
            let wanted = map.text_range(params.range);
            ide::inlay_hints::inlay_hints(&source.text, &source.document())
                .into_iter()
                .filter(|hint| wanted.touches(hint.offset))
                .map(|hint| lsp::InlayHint {
                    position: map.position(hint.offset),
                    label: lsp::InlayHintLabel::String(hint.label),
                    kind: None,
                    text_edits: None,
                    tooltip: None,
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect()
        }))
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            ide::code_lens::code_lenses(&state.workspace, file)
                .into_iter()
                .map(|lens| lsp::CodeLens {
                    range: map.range(lens.range),
                    command: Some(lsp::Command { title: lens.title, command: String::new(), arguments: None }),
                    data: None,
                })
                .collect()
        }))
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        Ok(self.with_file(&params.text_document.uri, |state, file, map| {
            ide::document_links::document_links(&state.workspace, file)
                .into_iter()
                .filter_map(|link| {
                    let target = state.uri(link.target)?;
                    Some(lsp::DocumentLink {
                        range: map.range(link.range),
                        target: Some(target),
                        tooltip: Some("Open the article".into()),
                        data: None,
                    })
                })
                .collect()
        }))
    }
}

/// A workspace edit: versioned document edits for open documents, unversioned for the rest
/// (or a plain change map for clients without `documentChanges`).
fn workspace_edit(
    state: &mut State,
    edits: &std::collections::BTreeMap<FileId, Vec<ide::TextEdit>>,
) -> lsp::WorkspaceEdit {
    let mut document_edits = Vec::new();
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (&file, file_edits) in edits {
        let (Some(uri), Some(map)) = (state.uri(file), state.line_map(file)) else {
            continue;
        };
        let converted: Vec<lsp::TextEdit> = file_edits.iter().map(|edit| map.text_edit(edit)).collect();
        if state.flags.document_changes {
            let version = state.version(uri.as_str());
            document_edits.push(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: converted.into_iter().map(lsp::OneOf::Left).collect(),
            });
        } else {
            changes.insert(uri, converted);
        }
    }
    if state.flags.document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(document_edits)),
            ..lsp::WorkspaceEdit::default()
        }
    } else {
        lsp::WorkspaceEdit { changes: Some(changes), ..lsp::WorkspaceEdit::default() }
    }
}
