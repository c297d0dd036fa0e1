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

use std::collections::HashMap;
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

/// The requests' workers: how many compute at once, and which run on which document.
pub(crate) struct Workers {
    /// Requests beyond this many wait (asynchronously, cancellable) for a free worker, so that
    /// a burst of requests cannot flood two cores with hundreds of threads that the
    /// transport, a `didChange` or a `$/cancelRequest` would then wait behind.
    permits: tokio::sync::Semaphore,
    /// The tokens of the position requests running on each document.
    on_document: Mutex<HashMap<String, Vec<CancelToken>>>,
}

impl Workers {
    pub(crate) fn new(permits: usize) -> Workers {
        Workers { permits: tokio::sync::Semaphore::new(permits.max(1)), on_document: Mutex::default() }
    }

    /// Two per core: a slow request leaves room for the quick ones behind it.
    pub(crate) fn for_this_machine() -> Workers {
        Workers::new(std::thread::available_parallelism().map_or(2, |cores| cores.get()).saturating_mul(2).clamp(2, 16))
    }

    /// A document changed: the position requests running on it stop (their answers would be
    /// `ContentModified` anyway).
    pub(crate) fn document_changed(&self, key: &str) {
        if let Some(tokens) = self.on_document.lock().remove(key) {
            for token in tokens {
                token.cancel();
            }
        }
    }

    fn register(&self, key: &str, token: &CancelToken) {
        self.on_document.lock().entry(key.to_string()).or_default().push(token.clone());
    }

    fn unregister(&self, key: &str, token: &CancelToken) {
        let mut on_document = self.on_document.lock();
        if let Some(tokens) = on_document.get_mut(key) {
            tokens.retain(|running| !running.is_same(token));
            if tokens.is_empty() {
                on_document.remove(key);
            }
        }
    }
}

/// Computes `compute(&snapshot)` on a worker thread and turns the outcome into an answer.
pub(crate) async fn run_query<T: Send + 'static>(
    state: &Arc<Mutex<State>>,
    workers: &Arc<Workers>,
    method: &'static str,
    staleness: Staleness,
    compute: impl FnOnce(&Snapshot) -> Result<T> + Send + 'static,
) -> Result<T> {
    let token = CancelToken::new();
    let guard = CancelOnDrop(token.clone());
    if let Staleness::Document(key) = &staleness {
        workers.register(key, &token);
    }
    // Waiting for a worker is cancellable: a request dropped meanwhile never computes.
    let permit = workers.permits.acquire().await.ok();
    let snapshot = state.lock().snapshot();
    let version_before = match &staleness {
        Staleness::Document(key) => snapshot.version(key),
        Staleness::Never => None,
    };
    let worker_token = token.clone();
    // A cancellation unwinds to `run_cancellable`; any other panic on to `catch_unwind`.
    let outcome = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            cancel::run_cancellable(&worker_token, || {
                cancel::check();
                compute(&snapshot)
            })
        }))
    })
    .await;
    drop(permit);
    drop(guard);
    if let Staleness::Document(key) = &staleness {
        workers.unregister(key, &token);
    }
    let changed = match &staleness {
        Staleness::Document(key) => state.lock().version(key) != version_before,
        Staleness::Never => false,
    };
    match outcome {
        Ok(Ok(Ok(answer))) if !changed => answer,
        Ok(Ok(Ok(_)) | Ok(Err(cancel::Cancelled))) if changed => Err(Error::content_modified()),
        Ok(Ok(Ok(_)) | Ok(Err(cancel::Cancelled))) => Err(Error::request_cancelled()),
        Ok(Err(payload)) => Err(panicked(method, payload.as_ref())),
        Err(join_error) => Err(panicked(method, &join_error.to_string())),
    }
}

/// Logs a panic of a request's computation and turns it into an internal-error answer.
fn panicked(method: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let message = crate::lsp::panic_guard::panic_message(payload);
    eprintln!("seedls: {method} panicked: {message}");
    Error { code: ErrorCode::InternalError, message: format!("seedls: {method} failed: {message}").into(), data: None }
}

/// A request's parameters named something that cannot be answered (a rename to an empty
/// name, say): the protocol's `InvalidParams`, with the reason.
pub(crate) fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use tower_lsp_server::ls_types as lsp;

    use super::*;

    fn workers() -> Arc<Workers> {
        Arc::new(Workers::new(2))
    }

    fn state_with_open_document() -> Arc<Mutex<State>> {
        let state = Arc::new(Mutex::new(State::default()));
        state.lock().open_document("file:///w/a.txt", "= A =\n".to_string(), 1).expect("opens");
        state
    }

    /// A computation that runs until it is cancelled (checking as the core's loops do),
    /// counting its steps and saying when it stopped.
    fn endless(steps: Arc<AtomicUsize>, stopped: Arc<AtomicBool>) -> impl FnOnce(&Snapshot) -> Result<()> + Send {
        move |_| {
            struct Stopped(Arc<AtomicBool>);
            impl Drop for Stopped {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::SeqCst);
                }
            }
            let _stopped = Stopped(stopped);
            loop {
                steps.fetch_add(1, Ordering::SeqCst);
                cancel::check();
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_request_stops_its_work() {
        let state = state_with_open_document();
        let (steps, stopped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let workers = workers();
        let request =
            run_query(&state, &workers, "test/endless", Staleness::Never, endless(steps.clone(), stopped.clone()));
        // The framework cancels a request by dropping its future, as a timeout does here.
        let outcome = tokio::time::timeout(Duration::from_millis(30), request).await;
        assert!(outcome.is_err(), "the endless request did not finish");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !stopped.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the work goes on after its request was dropped");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let after_stop = steps.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(steps.load(Ordering::SeqCst), after_stop, "no step after the stop");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_during_a_position_request_answers_content_modified() {
        let state = state_with_open_document();
        let started = Arc::new(tokio::sync::Notify::new());
        let (started_in_worker, release) = (started.clone(), Arc::new(AtomicBool::new(false)));
        let release_in_worker = release.clone();
        let request = tokio::spawn({
            let state = state.clone();
            async move {
                run_query(
                    &state,
                    &workers(),
                    "test/slow",
                    Staleness::Document("file:///w/a.txt".into()),
                    move |snapshot| {
                        started_in_worker.notify_one();
                        while !release_in_worker.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        // The snapshot is the one the request started with.
                        Ok(snapshot.version("file:///w/a.txt"))
                    },
                )
                .await
            }
        });
        started.notified().await;
        let change = lsp::TextDocumentContentChangeEvent { range: None, range_length: None, text: "= B =\n".into() };
        state.lock().change_document("file:///w/a.txt", 2, vec![change]).expect("applies while the request runs");
        release.store(true, Ordering::SeqCst);
        let answer = request.await.expect("joins");
        assert_eq!(answer.expect_err("stale").code, tower_lsp_server::jsonrpc::ErrorCode::ContentModified);
        // A request that starts now sees version 2 and is answered.
        let answer =
            run_query(&state, &workers(), "test/fresh", Staleness::Document("file:///w/a.txt".into()), |snapshot| {
                Ok(snapshot.version("file:///w/a.txt"))
            })
            .await;
        assert_eq!(answer.expect("fresh"), Some(2));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_edit_stops_the_position_requests_running_on_its_document() {
        let state = state_with_open_document();
        let workers = workers();
        let (steps, stopped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let request = tokio::spawn({
            let (state, workers, steps, stopped) = (state.clone(), workers.clone(), steps.clone(), stopped.clone());
            async move {
                run_query(
                    &state,
                    &workers,
                    "test/endless",
                    Staleness::Document("file:///w/a.txt".into()),
                    endless(steps, stopped),
                )
                .await
            }
        });
        while steps.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let change = lsp::TextDocumentContentChangeEvent { range: None, range_length: None, text: "= B =\n".into() };
        state.lock().change_document("file:///w/a.txt", 2, vec![change]).expect("applies");
        workers.document_changed("file:///w/a.txt");
        let answer =
            tokio::time::timeout(Duration::from_secs(5), request).await.expect("stopped in time").expect("joins");
        assert_eq!(answer.expect_err("stale").code, tower_lsp_server::jsonrpc::ErrorCode::ContentModified);
        assert!(stopped.load(Ordering::SeqCst));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_beyond_the_workers_wait_and_a_cancelled_one_never_runs() {
        let state = state_with_open_document();
        let workers = Arc::new(Workers::new(1));
        let (steps, stopped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let busy = tokio::spawn({
            let (state, workers) = (state.clone(), workers.clone());
            async move { run_query(&state, &workers, "test/endless", Staleness::Never, endless(steps, stopped)).await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let ran = Arc::new(AtomicBool::new(false));
        let ran_in_worker = ran.clone();
        let waiting = run_query(&state, &workers, "test/waiting", Staleness::Never, move |_| {
            ran_in_worker.store(true, Ordering::SeqCst);
            Ok(())
        });
        // The only worker is busy: the second request waits, and is dropped while waiting.
        assert!(tokio::time::timeout(Duration::from_millis(30), waiting).await.is_err());
        busy.abort();
        let _ = busy.await;
        let served = run_query(&state, &workers, "test/after", Staleness::Never, |_| Ok(1)).await;
        assert_eq!(served.expect("a worker is free again"), 1);
        assert!(!ran.load(Ordering::SeqCst), "the dropped request never computed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_is_an_internal_error_and_the_next_request_is_served() {
        let state = state_with_open_document();
        let answer: Result<()> =
            run_query(&state, &workers(), "test/panics", Staleness::Never, |_| panic!("boom")).await;
        let error = answer.expect_err("a panic is an error answer");
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("boom"), "{}", error.message);
        let answer = run_query(&state, &workers(), "test/fine", Staleness::Never, |_| Ok(7)).await;
        assert_eq!(answer.expect("served"), 7);
    }
}
