//! Diagnostics at the edge: pushed to clients that do not pull, pulled by those that do.
//!
//! **Push.** After a change, the documents whose diagnostics may differ are scheduled: each
//! gets a fresh cancellation token (the token of its previous, now useless computation is
//! set), and a worker computes them on a snapshot. A result is published only if nothing
//! newer was published for that document and, for an open document, its version is still
//! the one computed: diagnostics of version N are dropped once N+1 has arrived, and an older
//! version is never published after a newer one.
//!
//! **Pull** (LSP 3.17 `textDocument/diagnostic`, `workspace/diagnostic`). A file's result id
//! is its text's hash and the state's epoch (bumped whenever other files' names or the
//! settings change), so a file whose id the client already has is reported unchanged
//! without computing anything.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types as lsp;

use crate::cancel::{self, CancelToken};
use crate::ide;
use crate::index::FileId;
use crate::lsp::convert;
use crate::lsp::snapshot::Snapshot;
use crate::lsp::state::State;

/// A number per scheduling, increasing: a result is published only if no later one was.
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// One document's diagnostics, computed on a snapshot, waiting to be published.
struct Computed {
    key: String,
    token: CancelToken,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

#[derive(Default)]
pub(crate) struct Publisher {
    running: Mutex<HashMap<String, CancelToken>>,
    /// The stamp of the last result published per document. Held across the send so that
    /// two results for one document leave in the order of their stamps.
    published: tokio::sync::Mutex<HashMap<String, u64>>,
}

/// The protocol diagnostics of one file of a snapshot.
pub(crate) fn file_diagnostics(snapshot: &Snapshot, file: FileId) -> Vec<lsp::Diagnostic> {
    let Some(map) = snapshot.line_map(file) else { return Vec::new() };
    ide::diagnostics::diagnostics(&snapshot.workspace, file, &snapshot.overrides)
        .iter()
        .map(|diagnostic| convert::diagnostic(&map, diagnostic))
        .collect()
}

impl Publisher {
    /// Computes and publishes the diagnostics of `keys` (document keys) in the background.
    /// Each key gets its own token: scheduling a key again cancels its earlier computation
    /// (and its publication), not the rest of the earlier batch.
    pub(crate) fn schedule(self: &Arc<Self>, state: &Arc<Mutex<State>>, client: &Client, keys: Vec<String>) {
        if keys.is_empty() {
            return;
        }
        let stamp = NEXT_STAMP.fetch_add(1, Ordering::Relaxed);
        let jobs: Vec<(String, CancelToken)> = {
            let mut running = self.running.lock();
            keys.into_iter()
                .map(|key| {
                    let token = CancelToken::new();
                    if let Some(previous) = running.insert(key.clone(), token.clone()) {
                        previous.cancel();
                    }
                    (key, token)
                })
                .collect()
        };
        let snapshot = state.lock().snapshot();
        let (publisher, state, client) = (self.clone(), state.clone(), client.clone());
        tokio::spawn(async move {
            let computed = tokio::task::spawn_blocking(move || {
                jobs.into_iter()
                    .filter(|(_, token)| !token.is_cancelled())
                    .filter_map(|(key, token)| {
                        let file = snapshot.workspace.file_id(&key)?;
                        let version = snapshot.version(&key);
                        let diagnostics = file_diagnostics(&snapshot, file);
                        Some(Computed { key, token, version, diagnostics })
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(results) = computed else { return };
            for computed in results {
                publisher.publish_if_current(&state, &client, stamp, computed).await;
            }
        });
    }

    async fn publish_if_current(&self, state: &Arc<Mutex<State>>, client: &Client, stamp: u64, computed: Computed) {
        let Computed { key, token, version, diagnostics } = computed;
        let mut published = self.published.lock().await;
        {
            let mut running = self.running.lock();
            if running.get(&key).is_some_and(|running| running.is_same(&token)) {
                running.remove(&key);
            }
        }
        if token.is_cancelled() || published.get(&key).is_some_and(|&last| last > stamp) {
            return;
        }
        let current = {
            let state = state.lock();
            state.version(&key) == version && state.workspace().file_id(&key).is_some()
        };
        let Ok(uri) = lsp::Uri::from_str(&key) else { return };
        if !current {
            return;
        }
        published.insert(key, stamp);
        client.publish_diagnostics(uri, diagnostics, version).await;
    }

    /// Clears a document's published diagnostics (it left the workspace, or closed while
    /// only open documents' problems are shown).
    pub(crate) async fn clear(&self, client: &Client, key: &str) {
        if let Some(token) = self.running.lock().remove(key) {
            token.cancel();
        }
        let stamp = NEXT_STAMP.fetch_add(1, Ordering::Relaxed);
        let mut published = self.published.lock().await;
        published.insert(key.to_string(), stamp);
        if let Ok(uri) = lsp::Uri::from_str(key) {
            client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }
}

/// A file's pull result id: its text's hash and the snapshot's epoch.
pub(crate) fn result_id(snapshot: &Snapshot, file: FileId) -> Option<String> {
    let source = snapshot.workspace.file(file)?;
    // xxh3 reads about 10 GB/s: a workspace pull of 50,000 articles hashes them in ~30 ms.
    Some(format!("{}-{:016x}", snapshot.epoch, source.content_hash()))
}

/// `textDocument/diagnostic`.
pub(crate) fn document_report(
    snapshot: &Snapshot,
    params: lsp::DocumentDiagnosticParams,
) -> lsp::DocumentDiagnosticReportResult {
    let report = match snapshot.file_id(&params.text_document.uri) {
        None => lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport::default()),
        Some(file) => {
            let id = result_id(snapshot, file);
            if id.is_some() && id == params.previous_result_id {
                lsp::DocumentDiagnosticReport::Unchanged(lsp::RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                        result_id: id.unwrap_or_default(),
                    },
                })
            } else {
                lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                        result_id: id,
                        items: file_diagnostics(snapshot, file),
                    },
                })
            }
        }
    };
    lsp::DocumentDiagnosticReportResult::Report(report)
}

/// `workspace/diagnostic`: every file of the workspace, unchanged ones by id only.
pub(crate) fn workspace_report(
    snapshot: &Snapshot,
    params: lsp::WorkspaceDiagnosticParams,
) -> lsp::WorkspaceDiagnosticReportResult {
    let previous: HashMap<String, String> = params
        .previous_result_ids
        .into_iter()
        .map(|previous| (convert::document_key(&previous.uri), previous.value))
        .collect();
    let mut files: Vec<(FileId, String)> =
        snapshot.workspace.files().map(|(file, source)| (file, source.path.to_string())).collect();
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let mut items = Vec::with_capacity(files.len());
    for (index, (file, key)) in files.into_iter().enumerate() {
        if index % 64 == 0 {
            cancel::check();
        }
        let (Some(id), Ok(uri)) = (result_id(snapshot, file), lsp::Uri::from_str(&key)) else { continue };
        let version = snapshot.version(&key).map(i64::from);
        if previous.get(&key) == Some(&id) {
            items.push(lsp::WorkspaceDocumentDiagnosticReport::Unchanged(
                lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                    uri,
                    version,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport { result_id: id },
                },
            ));
        } else {
            items.push(lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
                uri,
                version,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items: file_diagnostics(snapshot, file),
                },
            }));
        }
    }
    lsp::WorkspaceDiagnosticReportResult::Report(lsp::WorkspaceDiagnosticReport { items })
}
