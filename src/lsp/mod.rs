//! The language server edge: LSP over stdio. Only this module (and `cli`) knows the
//! protocol; it converts, calls `ide`, and converts back.

mod convert;
mod diagnostics;
mod dispatch;
mod framing;
mod handlers;
mod indexing;
mod panic_guard;
mod raw_answers;
mod server;
mod snapshot;
mod state;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::Server as Transport;

/// How many messages may be in progress at once (the transport's default is 4).
const MAX_PENDING_MESSAGES: usize = 1024;

/// What the binary does around each indexing run with what the library does not own: its
/// memory allocator (`main.rs` gives jemalloc's). `started` runs when a run begins, `ended`
/// when it has indexed everything, before its progress ends.
#[derive(Debug, Clone, Copy)]
pub struct IndexingHooks {
    pub started: fn(),
    pub ended: fn(),
}

impl Default for IndexingHooks {
    fn default() -> IndexingHooks {
        IndexingHooks { started: || {}, ended: || {} }
    }
}

/// Serves LSP on stdin/stdout until the client says `exit` (or closes stdin). Returns whether
/// the client asked for `shutdown` first; the process should exit with 1 if not. `hooks` run
/// around each indexing run.
pub fn run_stdio(hooks: IndexingHooks) -> anyhow::Result<bool> {
    let shut_down = Arc::new(AtomicBool::new(false));
    lower_the_priority_of_parallel_work();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    // The one writer of stdout blocks on the pipe on a thread of its own (see `framing`), and
    // says when it is done.
    let (frames, queue) = tokio::sync::mpsc::unbounded_channel();
    let (written_all, writer) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new().name("seedls-stdout".into()).spawn(move || {
        framing::write_all_frames(queue, std::io::stdout().lock());
        let _ = written_all.send(());
    })?;
    runtime.block_on(async {
        let flag = shut_down.clone();
        let (service, socket) = server::service(move |client| server::Server::with_shutdown_flag(client, flag, hooks));
        // Large answers skip the framework's `Value` detour (see `raw_answers`).
        let raw_answers = Arc::new(raw_answers::RawAnswers::default());
        let service = panic_guard::CatchPanic::new(raw_answers::RawAnswerScope::new(service, raw_answers.clone()));
        // stdin → framing guard → transport → writer → stdout (see `framing`).
        let (transport_input, guard_output) = tokio::io::duplex(1 << 20);
        let (writer_input, transport_output) = tokio::io::duplex(1 << 20);
        let (exit_sender, exit_received) = tokio::sync::oneshot::channel();
        tokio::spawn(framing::guard_input(tokio::io::stdin(), guard_output, frames.clone(), exit_sender));
        let forward = tokio::spawn(framing::forward_output(writer_input, frames.clone(), raw_answers));
        // Handlers return at once (requests await a worker thread), so many may be pending;
        // a low limit would queue a `didChange` or `$/cancelRequest` behind slow requests.
        let serve = Transport::new(transport_input, transport_output, socket)
            .concurrency_level(MAX_PENDING_MESSAGES)
            .serve(service);
        // The transport waits for every pending handler before it returns; after `exit`, or
        // when the input ends (the editor is gone), the server gives them a moment, then goes.
        let exit_grace = async {
            let _exit_or_end_of_input = exit_received.await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        };
        tokio::select! {
            () = serve => {}
            () = exit_grace => eprintln!("seedls: exiting with requests still pending"),
        }
        // Let the last answers out, then end the writer.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), forward).await;
        let _ = frames.send(Vec::new());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    });
    // Blocking tasks still running (a long index) must not hold the process open after exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(shut_down.load(Ordering::SeqCst))
}

#[cfg(test)]
mod tests;

/// The threads of the parallel pool (rayon: indexing, the mention warm-up, the scans of a
/// large answer) run at a lower priority (nice 9) than the transport, the request workers and
/// the keystrokes' diagnostics. On two cores, reading every file, or the scan of a references
/// answer on both cores, used to share the CPU evenly with the thread that reads `didChange`
/// and `$/cancelRequest` and with a keystroke's diagnostics; now those go first, and the
/// parallel work takes what is left (rust-analyzer likewise gives its background threads a
/// lower quality of service). One pool: a second one for indexing alone would add threads,
/// and with them allocator arenas (measured: 2.67 × the corpus resident after indexing at
/// 10k instead of 2.35 ×). Where the system refuses, nothing changes.
fn lower_the_priority_of_parallel_work() {
    let lowered = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| {
            if let Ok(nice_9) = thread_priority::ThreadPriorityValue::try_from(25u8) {
                let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Crossplatform(
                    nice_9,
                ));
            }
        })
        .build_global();
    if let Err(error) = lowered {
        eprintln!("seedls: the parallel pool keeps its priority: {error}");
    }
}
