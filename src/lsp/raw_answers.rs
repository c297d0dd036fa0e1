//! Large answers written as JSON once, not through a `serde_json::Value`.
//!
//! tower-lsp-server turns every result into a `Value` before writing it: for a references
//! answer of 5,000 locations that detour (a map per object, a string per key, all dropped
//! again) costs about 20 ms, against under 1 ms to write the same JSON directly, and five
//! times that at 50,000 articles. So a handler with a large answer serializes it itself,
//! leaves the bytes here under its request's id, and gives the framework an empty
//! placeholder of the same type; the output stage (`framing::forward_output`, which sees every
//! frame the transport writes) puts the bytes in place of the placeholder. An answer that
//! becomes an error instead (cancelled, stale, a panic) drops its bytes.
//!
//! The request's id reaches the handler through a task-local set by [`RawAnswerScope`], the
//! service layer around the framework. Without that layer (the in-process tests) there is no
//! slot, and answers go the ordinary way.
//!
//! An answer is kept as [`JsonPieces`], and stays in pieces to stdout: the writer writes them
//! one after another (`framing::write_all_frames`). Joined, a rename of the most common
//! entity at 50,000 articles (7 MB in 19,379 pieces) was copied into fresh memory four times
//! on one thread after the parallel part was done (the pieces into one array, the array into
//! the edit, the edit into the spliced message, the message behind its header), and once more
//! into tokio's stdout buffer: a quarter of the request's time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;
use serde::Serialize;
use serde::de::IgnoredAny;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};

use crate::lsp::panic_guard::BoxFuture;

/// A piece of an outgoing message: its own bytes, or punctuation.
pub(crate) type Piece = Cow<'static, [u8]>;

/// JSON in pieces: the value is their concatenation, which is never made in memory.
#[derive(Debug, Default)]
pub(crate) struct JsonPieces(Vec<Piece>);

impl JsonPieces {
    /// JSON in one piece.
    pub(crate) fn whole(json: Vec<u8>) -> JsonPieces {
        JsonPieces(vec![Cow::Owned(json)])
    }

    /// `open`, the non-empty `items` separated by commas, then `close`: `[`, `]` make an
    /// array of the items.
    pub(crate) fn joined(
        open: &'static [u8],
        items: impl IntoIterator<Item = Vec<u8>>,
        close: &'static [u8],
    ) -> JsonPieces {
        let items = items.into_iter();
        let mut pieces = Vec::with_capacity(2 * items.size_hint().0 + 2);
        pieces.push(Cow::Borrowed(open));
        for item in items.filter(|item| !item.is_empty()) {
            if pieces.len() > 1 {
                pieces.push(Cow::Borrowed(&b","[..]));
            }
            pieces.push(Cow::Owned(item));
        }
        pieces.push(Cow::Borrowed(close));
        JsonPieces(pieces)
    }

    /// The pieces, in order.
    pub(crate) fn into_pieces(self) -> Vec<Piece> {
        self.0
    }

    /// The JSON, joined (the server writes the pieces as they are).
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        self.0.concat()
    }
}

/// Answers serialized by their handlers, waiting for their frames.
#[derive(Default)]
pub(crate) struct RawAnswers {
    /// The request id, as JSON → the answer's JSON.
    waiting: Mutex<HashMap<String, JsonPieces>>,
}

/// Where a request's raw answer goes: the store and the request's id.
#[derive(Clone)]
pub(crate) struct RawSlot {
    answers: Arc<RawAnswers>,
    id: String,
}

tokio::task_local! {
    static SLOT: RawSlot;
}

impl RawSlot {
    /// The slot of the request being handled, if its answers go through an output stage.
    /// Call it in the handler's async part (the task-local is not seen on worker threads).
    pub(crate) fn current() -> Option<RawSlot> {
        SLOT.try_with(RawSlot::clone).ok()
    }
}

/// `answer`, or — when the request has a slot and the answer could be serialized into it —
/// `placeholder()`, which the output stage replaces with the serialized answer.
pub(crate) fn sent_raw<T: Serialize + Send + 'static>(
    slot: Option<RawSlot>,
    answer: T,
    placeholder: impl FnOnce() -> T,
) -> T {
    let Some(slot) = slot else { return answer };
    // Writing a rename of 20,000 files takes milliseconds: not for a request already cancelled.
    crate::cancel::check();
    match serde_json::to_vec(&answer) {
        Ok(bytes) => {
            // Freeing the answer (a string per URI and per edit: a rename at 50k spent an
            // eighth of its time on it) is left to the parallel pool, after the answer is out.
            rayon::spawn(move || drop(answer));
            sent_json(slot, JsonPieces::whole(bytes), placeholder)
        }
        Err(_) => answer,
    }
}

/// Leaves `json`, an answer the handler wrote itself, under the request's id, and gives the
/// placeholder to return to the framework (see [`sent_raw`]).
pub(crate) fn sent_json<T>(slot: RawSlot, json: JsonPieces, placeholder: impl FnOnce() -> T) -> T {
    slot.answers.waiting.lock().insert(slot.id, json);
    placeholder()
}

/// The parts of an outgoing message the output stage looks at.
#[derive(serde::Deserialize)]
struct Head {
    id: Option<serde_json::Value>,
    /// An error is an object (a result may be `null`, so its absence says nothing).
    error: Option<IgnoredAny>,
    method: Option<IgnoredAny>,
}

impl RawAnswers {
    /// An outgoing message body, in pieces: with the answer waiting for its id put in place
    /// of its placeholder result; any other message as it is, in one piece.
    pub(crate) fn splice(&self, body: Vec<u8>) -> Vec<Piece> {
        let as_it_is = |body: Vec<u8>| vec![Cow::Owned(body)];
        if self.waiting.lock().is_empty() {
            return as_it_is(body);
        }
        let Ok(head) = serde_json::from_slice::<Head>(&body) else { return as_it_is(body) };
        let (Some(id), None) = (head.id, head.method) else { return as_it_is(body) };
        let Ok(id) = serde_json::to_string(&id) else { return as_it_is(body) };
        let Some(answer) = self.waiting.lock().remove(&id) else { return as_it_is(body) };
        if head.error.is_some() {
            // An error answer (cancelled, stale, failed): the serialized result is void.
            return as_it_is(body);
        }
        let mut opening = Vec::with_capacity(id.len() + 32);
        opening.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        opening.extend_from_slice(id.as_bytes());
        opening.extend_from_slice(b",\"result\":");
        let answer = answer.into_pieces();
        let mut spliced = Vec::with_capacity(answer.len() + 2);
        spliced.push(Cow::Owned(opening));
        spliced.extend(answer);
        spliced.push(Cow::Borrowed(&b"}"[..]));
        spliced
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.waiting.lock().len()
    }
}

/// The service layer that tells handlers their request's slot.
pub(crate) struct RawAnswerScope<S> {
    inner: S,
    answers: Arc<RawAnswers>,
}

impl<S> RawAnswerScope<S> {
    pub(crate) fn new(inner: S, answers: Arc<RawAnswers>) -> RawAnswerScope<S> {
        RawAnswerScope { inner, answers }
    }
}

impl<S> Service<Request> for RawAnswerScope<S>
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
        let id = request.id().and_then(|id| serde_json::to_string(id).ok());
        let future = self.inner.call(request);
        match id {
            Some(id) => Box::pin(SLOT.scope(RawSlot { answers: self.answers.clone(), id }, future)),
            None => Box::pin(future),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn slot(answers: &Arc<RawAnswers>, id: &str) -> Option<RawSlot> {
        Some(RawSlot { answers: answers.clone(), id: id.to_string() })
    }

    #[test]
    fn a_placeholder_is_replaced_by_the_answer_of_its_id() {
        let answers = Arc::new(RawAnswers::default());
        let sent = sent_raw(slot(&answers, "7"), vec![1, 2, 3], Vec::new);
        assert!(sent.is_empty(), "the framework gets the placeholder");
        let sent = sent_raw(slot(&answers, "\"a\""), json!({"k": "v"}), || json!(null));
        assert_eq!(sent, json!(null));
        let frame = |value: serde_json::Value| serde_json::to_vec(&value).unwrap();
        let read = |pieces: Vec<Piece>| serde_json::from_slice::<serde_json::Value>(&pieces.concat()).unwrap();
        // Other messages pass untouched: a notification, an answer to another id.
        let note = frame(json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"id": 7}}));
        assert_eq!(answers.splice(note.clone()), [note]);
        let other = frame(json!({"jsonrpc": "2.0", "id": 8, "result": []}));
        assert_eq!(answers.splice(other.clone()), [other]);
        assert_eq!(
            read(answers.splice(frame(json!({"jsonrpc": "2.0", "id": 7, "result": []})))),
            json!({"jsonrpc": "2.0", "id": 7, "result": [1, 2, 3]})
        );
        assert_eq!(
            read(answers.splice(frame(json!({"jsonrpc": "2.0", "result": null, "id": "a"})))),
            json!({"jsonrpc": "2.0", "id": "a", "result": {"k": "v"}})
        );
        assert_eq!(answers.waiting(), 0);
    }

    #[test]
    fn an_error_answer_drops_the_serialized_result() {
        let answers = Arc::new(RawAnswers::default());
        let _ = sent_raw(slot(&answers, "3"), vec![1], Vec::new);
        let error =
            serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 3, "error": {"code": -32800, "message": "cancelled"}}))
                .unwrap();
        assert_eq!(answers.splice(error.clone()), [error]);
        assert_eq!(answers.waiting(), 0);
    }

    #[test]
    fn pieces_joined_are_the_items_separated_by_commas() {
        let joined = |items: &[&str]| {
            let items = items.iter().map(|item| item.as_bytes().to_vec());
            String::from_utf8(JsonPieces::joined(b"[", items, b"]").to_vec()).unwrap()
        };
        assert_eq!(joined(&[]), "[]");
        assert_eq!(joined(&["", ""]), "[]");
        assert_eq!(joined(&["1"]), "[1]");
        assert_eq!(joined(&["", "1", "", "2", ""]), "[1,2]");
        let edit = JsonPieces::joined(b"{\"documentChanges\":[", [b"{}".to_vec(), b"{}".to_vec()], b"]}");
        assert_eq!(edit.to_vec(), b"{\"documentChanges\":[{},{}]}");
        assert_eq!(JsonPieces::whole(b"null".to_vec()).to_vec(), b"null");
    }

    #[test]
    fn a_spliced_answer_keeps_its_pieces() {
        let answers = Arc::new(RawAnswers::default());
        let items = (0..3).map(|item| format!("{{\"n\":{item}}}").into_bytes());
        let _ = sent_json(slot(&answers, "5").unwrap(), JsonPieces::joined(b"[", items, b"]"), Vec::<u8>::new);
        let spliced = answers.splice(br#"{"jsonrpc":"2.0","result":[],"id":5}"#.to_vec());
        assert_eq!(spliced.len(), 9, "the opening, `[`, three items, two commas, `]`, `}}`");
        assert_eq!(spliced.concat(), br#"{"jsonrpc":"2.0","id":5,"result":[{"n":0},{"n":1},{"n":2}]}"#);
    }

    #[test]
    fn without_a_slot_the_answer_goes_the_ordinary_way() {
        assert_eq!(sent_raw(None, vec![1, 2], Vec::new), [1, 2]);
        assert!(RawSlot::current().is_none());
    }

    #[tokio::test]
    async fn the_scope_gives_the_handler_its_request_id() {
        let answers = Arc::new(RawAnswers::default());
        let seen = Arc::new(Mutex::new(None));
        let seen_inside = seen.clone();
        let inner = tower::service_fn(move |_request: Request| {
            let seen = seen_inside.clone();
            async move {
                *seen.lock() = RawSlot::current().map(|slot| slot.id);
                Ok::<Option<Response>, std::convert::Infallible>(None)
            }
        });
        let mut scoped = RawAnswerScope::new(inner, answers);
        let request = Request::build("textDocument/references").id(42).params(json!({})).finish();
        let _ = scoped.call(request).await;
        assert_eq!(seen.lock().as_deref(), Some("42"));
    }
}
