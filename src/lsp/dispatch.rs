//! Running a request: on a snapshot, on a worker thread, cancellable, never stale.
//!
//! The handler takes a snapshot under the state lock (a few pointer copies) and awaits the
//! answer computed on tokio's blocking pool, so the transport task is free at once for the
//! next message — a `didChange` is never queued behind a slow request. The framework answers
//! `$/cancelRequest` by dropping the handler's future; a guard in that future then sets the
//! computation's [`CancelToken`], and the core's long loops stop at their next
//! `cancel::check()`. A request about a document that changed while it ran is answered
//! `ContentModified`, which clients retry; a panic is logged and answered as an internal
//! error, and the server goes on.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use parking_lot::Mutex;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

use crate::cancel::{self, CancelToken};
use crate::lsp::snapshot::Snapshot;
use crate::lsp::state::State;

/// Sets the token when dropped: when the framework drops a cancelled request's future, the
/// computation behind it stops too.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// What the answer of a request depends on beyond the snapshot.
pub(crate) enum Staleness {
    /// Workspace-wide requests: any answer of a recent snapshot is fine.
    Never,
    /// Position-based requests: if this document changed while the request ran, its
    /// positions mean nothing any more.
    Document(String),
}

/// Computes `compute(&snapshot)` on a worker thread and turns the outcome into an answer.
pub(crate) async fn run_query<T: Send + 'static>(
    state: &Arc<Mutex<State>>,
    method: &'static str,
    staleness: Staleness,
    compute: impl FnOnce(&Snapshot) -> Result<T> + Send + 'static,
) -> Result<T> {
    let snapshot = state.lock().snapshot();
    let version_before = match &staleness {
        Staleness::Document(key) => snapshot.version(key),
        Staleness::Never => None,
    };
    let token = CancelToken::new();
    let guard = CancelOnDrop(token.clone());
    let worker_token = token.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        cancel::run_cancellable(&worker_token, || std::panic::catch_unwind(AssertUnwindSafe(|| compute(&snapshot))))
    })
    .await;
    drop(guard);
    let changed = match &staleness {
        Staleness::Document(key) => state.lock().version(key) != version_before,
        Staleness::Never => false,
    };
    match outcome {
        Ok(Ok(Ok(answer))) if !changed => answer,
        Ok(Ok(Ok(_))) | Ok(Err(cancel::Cancelled)) if changed => Err(Error::content_modified()),
        Ok(Ok(Ok(_))) | Ok(Err(cancel::Cancelled)) => Err(Error::request_cancelled()),
        Ok(Ok(Err(payload))) => Err(panicked(method, payload.as_ref())),
        Err(join_error) => Err(panicked(method, &join_error.to_string())),
    }
}

/// Logs a panic of a request's computation and turns it into an internal-error answer.
fn panicked(method: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    eprintln!("seedls: {method} panicked: {message}");
    Error { code: ErrorCode::InternalError, message: format!("seedls: {method} failed: {message}").into(), data: None }
}

/// A request's parameters named something that cannot be answered (a rename to an empty
/// name, say): the protocol's `InvalidParams`, with the reason.
pub(crate) fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}
