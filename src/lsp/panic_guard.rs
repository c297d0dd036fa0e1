//! Keeps the server alive when a handler panics: the panic is logged to stderr, the request
//! gets an internal-error answer, and the server goes on serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

pub(crate) struct CatchPanic<S> {
    inner: S,
}

impl<S> CatchPanic<S> {
    pub(crate) fn new(inner: S) -> CatchPanic<S> {
        CatchPanic { inner }
    }
}

/// The future of a tower layer around the service (`raw_answers` has one too).
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method().to_string();
        let id = request.id().cloned();
        let future = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => future,
            Err(panic) => {
                return Box::pin(std::future::ready(Ok(answer_panic(&method, id, panic))));
            }
        };
        Box::pin(async move {
            match AssertUnwindSafe(future).catch_unwind().await {
                Ok(result) => result,
                Err(panic) => Ok(answer_panic(&method, id, panic)),
            }
        })
    }
}

/// What a panic said, from its payload (a `&str` or a `String`, as `panic!` makes them).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

fn answer_panic(
    method: &str,
    id: Option<tower_lsp_server::jsonrpc::Id>,
    panic: Box<dyn std::any::Any + Send>,
) -> Option<Response> {
    let what = panic_message(panic.as_ref());
    eprintln!("seedls: handler for `{method}` panicked: {what}; the server goes on");
    id.map(|id| {
        Response::from_error(
            id,
            Error {
                code: ErrorCode::InternalError,
                message: format!("seedls: internal error in {method}: {what}").into(),
                data: None,
            },
        )
    })
}
