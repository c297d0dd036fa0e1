//! The language server edge: LSP over stdio. Only this module (and `cli`) knows the
//! protocol; it converts, calls `ide`, and converts back.

mod convert;
mod panic_guard;
mod server;
mod state;

use tower_lsp_server::{LspService, Server as Transport};

/// Serves LSP on stdin/stdout until the client says `exit` (or closes stdin).
pub fn run_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(server::Server::new);
        let service = panic_guard::CatchPanic::new(service);
        Transport::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // Blocking tasks still running (a long index) must not hold the process open after exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(())
}
