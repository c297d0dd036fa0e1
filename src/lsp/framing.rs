//! A guard in front of the protocol transport. tower-lsp's reader stops for good after the
//! first frame it cannot decode, which would end the server on one bad message. Here every
//! frame from stdin is checked first: a well-formed JSON-RPC message goes on to the
//! transport; anything else (bad headers, bytes that are not JSON, JSON that is not a
//! message, an oversized frame) gets a JSON-RPC error answer, and the server reads on.
//! After junk in the byte stream the guard finds its place again at the next
//! `Content-Length:` header, so one stray byte costs no message but the one it hit.
//! One writer thread owns stdout, so error answers never interleave with the server's frames.

use std::borrow::Cow;
use std::io::Write;

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::lsp::raw_answers::Piece;

/// Frames larger than this are refused (and skipped) rather than buffered.
const MAX_FRAME_BYTES: usize = 1 << 30;

pub(crate) enum Frame {
    /// A message to pass on.
    Message(Vec<u8>),
    /// Bytes that are not a message, with the reason, and the error code to answer with.
    Invalid { code: i64, reason: String },
    /// End of input.
    End,
}

/// The header that starts every frame, searched for (ignoring case) to find the stream's place again.
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// Reads frames one after another from a byte stream, and remembers what one frame's trouble
/// means for the next: without that memory, one bad header made the guard read the next body
/// as header lines, that body's trouble swallowed the following header, and so on for good.
pub(crate) struct FrameReader<R> {
    reader: R,
    /// A header block ended without a usable `Content-Length`, so a body of unknown length
    /// may follow: every byte up to the next line holding `Content-Length:` is skipped. The
    /// bad block has been reported already, so the skipped bytes are not reported again.
    lost_sync: bool,
    /// A frame found behind junk: the junk is reported first, then this is handed out.
    found_behind_junk: Option<Frame>,
}

impl<R: AsyncBufRead + Unpin> FrameReader<R> {
    pub(crate) fn new(reader: R) -> FrameReader<R> {
        FrameReader { reader, lost_sync: false, found_behind_junk: None }
    }

    /// Reads the next frame: `Content-Length` header lines, a blank line, the body, and
    /// checks that the body is a JSON-RPC message.
    pub(crate) async fn read_frame(&mut self) -> Frame {
        match self.read_raw_frame().await {
            Frame::Message(body) => match serde_json::from_slice::<Value>(&body) {
                Err(error) => Frame::Invalid { code: -32700, reason: format!("not JSON: {error}") },
                Ok(message) if is_message(&message) => Frame::Message(body),
                Ok(_) => Frame::Invalid {
                    code: -32600,
                    reason: "not a JSON-RPC 2.0 request, notification or response".into(),
                },
            },
            other => other,
        }
    }

    /// Reads the next frame without looking into its body (the server's own output is
    /// trusted: parsing a large answer again would only cost time).
    ///
    /// Junk in front of a frame (a stray byte before `Content-Length:`, lines that are no
    /// header) comes out as one [`Frame::Invalid`], then the frame behind it. A header block
    /// that ends without a usable `Content-Length` comes out as [`Frame::Invalid`], and the
    /// reader then skips to the next line holding `Content-Length:` instead of taking the
    /// body that follows for headers.
    async fn read_raw_frame(&mut self) -> Frame {
        if let Some(frame) = self.found_behind_junk.take() {
            return frame;
        }
        let mut length: Option<usize> = None;
        let mut bad_length: Option<String> = None;
        let mut header_lines = 0usize;
        // Only the first piece of junk is kept: enough to see what went wrong in the log,
        // and many lines of junk cost no more memory than one.
        let mut first_junk: Option<String> = None;
        loop {
            let mut raw_line = Vec::new();
            match self.reader.read_until(b'\n', &mut raw_line).await {
                Ok(0) | Err(_) => return Frame::End,
                Ok(_) => {}
            }
            // The last `Content-Length:` on the line: junk in front of a header (a body that
            // ran into it, say) may itself mention the header.
            let content_length_at =
                raw_line.windows(CONTENT_LENGTH.len()).rposition(|window| window.eq_ignore_ascii_case(CONTENT_LENGTH));
            if self.lost_sync {
                let Some(at) = content_length_at else { continue };
                self.lost_sync = false;
                raw_line.drain(..at);
            } else if let Some(at) = content_length_at.filter(|&at| at > 0) {
                first_junk.get_or_insert_with(|| preview(&raw_line[..at]));
                raw_line.drain(..at);
            }
            let line = String::from_utf8_lossy(&raw_line);
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if length.is_some() {
                    break;
                }
                // Blank lines between frames are let pass.
                if header_lines == 0 && first_junk.is_none() {
                    continue;
                }
                self.lost_sync = true;
                let reason = bad_length
                    .or_else(|| first_junk.map(|junk| format!("unexpected header line `{junk}`")))
                    .unwrap_or_else(|| "missing Content-Length".into());
                return Frame::Invalid { code: -32700, reason };
            }
            header_lines += 1;
            match line.split_once(':') {
                Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                    match value.trim().parse::<usize>() {
                        Ok(value) => (length, bad_length) = (Some(value), None),
                        Err(_) => {
                            (length, bad_length) =
                                (None, Some(format!("bad Content-Length `{}`", preview(value.trim().as_bytes()))))
                        }
                    }
                }
                Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
                _ => {
                    first_junk.get_or_insert_with(|| preview(line.as_bytes()));
                }
            }
        }
        let frame = self.read_body(length.unwrap_or_default()).await;
        match first_junk {
            Some(junk) if !matches!(frame, Frame::End) => {
                self.found_behind_junk = Some(frame);
                Frame::Invalid { code: -32700, reason: format!("skipped junk before a frame: `{junk}`") }
            }
            _ => frame,
        }
    }

    async fn read_body(&mut self, length: usize) -> Frame {
        if length > MAX_FRAME_BYTES {
            let mut skipped = (&mut self.reader).take(length as u64);
            let _ = tokio::io::copy(&mut skipped, &mut tokio::io::sink()).await;
            return Frame::Invalid {
                code: -32600,
                reason: format!("message of {length} bytes is over the {MAX_FRAME_BYTES}-byte limit"),
            };
        }
        let mut body = vec![0; length];
        if self.reader.read_exact(&mut body).await.is_err() {
            return Frame::End;
        }
        Frame::Message(body)
    }
}

/// The first 80 characters of some bytes, for a log line.
fn preview(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches(['\r', '\n']).chars().take(80).collect()
}

fn is_message(message: &Value) -> bool {
    let Some(object) = message.as_object() else { return false };
    let params_ok =
        object.get("params").is_none_or(|params| params.is_object() || params.is_array() || params.is_null());
    let id_ok = object.get("id").is_none_or(|id| id.is_string() || id.is_i64() || id.is_u64() || id.is_null());
    let request = object.get("method").is_some_and(Value::is_string) && params_ok && id_ok;
    let response =
        object.contains_key("id") && (object.contains_key("result") || object.contains_key("error")) && id_ok;
    object.get("jsonrpc") == Some(&json!("2.0")) && (request || response)
}

/// The header of a frame whose body is `length` bytes long.
fn header(length: usize) -> Vec<u8> {
    format!("Content-Length: {length}\r\n\r\n").into_bytes()
}

/// A message framed for stdout: the header, then the body's pieces (see [`write_all_frames`]).
pub(crate) fn frame(body: Vec<Piece>) -> Vec<Piece> {
    let mut framed = Vec::with_capacity(body.len() + 1);
    framed.push(Cow::Owned(header(body.iter().map(|piece| piece.len()).sum())));
    framed.extend(body);
    framed
}

/// Copies checked frames from `input` to `to_server`; answers bad ones through `replies`.
/// Tells `exit` when the client's `exit` notification has gone through.
pub(crate) async fn guard_input(
    input: impl tokio::io::AsyncRead + Unpin,
    mut to_server: impl AsyncWrite + Unpin,
    replies: mpsc::UnboundedSender<Vec<Piece>>,
    exit: tokio::sync::oneshot::Sender<()>,
) {
    let mut reader = FrameReader::new(BufReader::new(input));
    let mut exit = Some(exit);
    loop {
        match reader.read_frame().await {
            Frame::End => break,
            Frame::Message(body) => {
                let is_exit = serde_json::from_slice::<Value>(&body).is_ok_and(|message| message["method"] == "exit");
                if to_server.write_all(&header(body.len())).await.is_err() || to_server.write_all(&body).await.is_err()
                {
                    break;
                }
                if is_exit && let Some(exit) = exit.take() {
                    let _ = exit.send(());
                }
            }
            Frame::Invalid { code, reason } => {
                eprintln!("seedls: ignored a bad message: {reason}");
                let answer = json!({ "jsonrpc": "2.0", "id": null, "error": { "code": code, "message": format!("seedls: {reason}") } });
                let _ = replies.send(frame(vec![Cow::Owned(answer.to_string().into_bytes())]));
            }
        }
    }
    let _ = to_server.shutdown().await;
}

/// Passes the server's own frames on, whole, into the single writer's queue.
pub(crate) async fn forward_output(
    output: impl tokio::io::AsyncRead + Unpin,
    replies: mpsc::UnboundedSender<Vec<Piece>>,
    raw_answers: std::sync::Arc<crate::lsp::raw_answers::RawAnswers>,
) {
    let mut reader = FrameReader::new(BufReader::new(output));
    loop {
        match reader.read_raw_frame().await {
            Frame::Message(body) => {
                let _ = replies.send(frame(raw_answers.splice(body)));
            }
            Frame::Invalid { .. } => {}
            Frame::End => break,
        }
    }
}

/// What the writer gathers small pieces into before it writes: a large piece (a whole
/// message, or a large part of an answer) is written as it is.
const WRITE_BUFFER: usize = 64 * 1024;

/// A frame of more pieces than this is freed on the parallel pool, not by the writer.
const FREED_ELSEWHERE_FROM: usize = 256;

/// The one writer of stdout, on a thread of its own (it blocks on the pipe): each frame's
/// pieces one after another, then a flush. An empty frame, or a failed write, ends it.
/// A frame of thousands of pieces (a rename's files) is freed elsewhere, so that the next
/// frame does not wait for it.
pub(crate) fn write_all_frames(mut frames: mpsc::UnboundedReceiver<Vec<Piece>>, out: impl Write) {
    let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, out);
    while let Some(frame) = frames.blocking_recv() {
        if frame.is_empty() {
            break;
        }
        let written = frame.iter().try_for_each(|piece| out.write_all(piece)).and_then(|()| out.flush());
        if frame.len() > FREED_ELSEWHERE_FROM {
            rayon::spawn(move || drop(frame));
        }
        if written.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame's bytes, as a client sends them.
    fn framed(body: &[u8]) -> Vec<u8> {
        frame(vec![Cow::Owned(body.to_vec())]).concat()
    }

    #[test]
    fn the_writer_writes_every_piece_in_order_and_stops_at_the_empty_frame() {
        let (frames, queue) = mpsc::unbounded_channel();
        // A piece larger than the writer's buffer, then a frame of many small pieces.
        let large = format!("\"{}\"", "x".repeat(3 * WRITE_BUFFER));
        let first =
            frame(vec![Cow::Borrowed(&b"{\"a\":"[..]), Cow::Owned(large.clone().into_bytes()), Cow::Borrowed(b"}")]);
        let items = (0..2 * FREED_ELSEWHERE_FROM).map(|item| item.to_string().into_bytes());
        let second = frame(crate::lsp::raw_answers::JsonPieces::joined(b"[", items, b"]").into_pieces());
        let numbers: Vec<String> = (0..2 * FREED_ELSEWHERE_FROM).map(|item| item.to_string()).collect();
        let expected = format!(
            "Content-Length: {}\r\n\r\n{{\"a\":{large}}}Content-Length: {}\r\n\r\n[{}]",
            large.len() + 6,
            numbers.join(",").len() + 2,
            numbers.join(",")
        );
        for message in [first, second, Vec::new(), vec![Cow::Owned(framed(b"after the end"))]] {
            frames.send(message).expect("the writer's queue");
        }
        let mut out = Vec::new();
        write_all_frames(queue, &mut out);
        assert!(
            String::from_utf8(out).expect("UTF-8") == expected,
            "the frames, whole and in order, and nothing after the end"
        );
    }

    async fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = FrameReader::new(BufReader::new(input));
        let mut out = Vec::new();
        loop {
            match reader.read_frame().await {
                Frame::End => return out,
                Frame::Message(body) => out.push(format!("message {}", String::from_utf8_lossy(&body))),
                Frame::Invalid { code, reason } => out.push(format!("invalid {code} {reason}")),
            }
        }
    }

    #[tokio::test]
    async fn good_frames_pass_and_bad_ones_are_answered_without_losing_the_next() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let mut input = Vec::new();
        input.extend(framed(b"{ not json"));
        input.extend(framed(br#"{"jsonrpc":"2.0","id":2}"#));
        input.extend(b"Content-Length: abc\r\n\r\n");
        input.extend(framed(good.as_bytes()));
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
        input.extend(framed(good.as_bytes()));
        let seen = frames(&input).await;
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert!(seen[0].starts_with("invalid -32700 not JSON"));
        assert!(seen[1].starts_with("invalid -32600"));
        assert!(seen[2].starts_with("invalid -32700 bad Content-Length"));
        assert_eq!(seen[3], format!("message {good}"));
        assert_eq!(seen[4], format!("message {good}"));
    }

    const SHUTDOWN: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
    const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;

    /// What the guard makes of `junk` followed by two good frames: the junk's reports, and
    /// both frames, in order, however the junk broke the framing.
    #[track_caller]
    fn check_recovers(junk: &[u8], expected_reports: &[&str]) {
        let mut input = junk.to_vec();
        input.extend(framed(SHUTDOWN.as_bytes()));
        input.extend(framed(EXIT.as_bytes()));
        let seen = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(frames(&input));
        let mut expected: Vec<String> = expected_reports.iter().map(|report| report.to_string()).collect();
        expected.push(format!("message {SHUTDOWN}"));
        expected.push(format!("message {EXIT}"));
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_stray_byte_before_a_frame_is_reported_once_and_the_frame_still_read() {
        check_recovers(b"x", &["invalid -32700 skipped junk before a frame: `x`"]);
        // The header is found wherever the junk ends, whatever the case of its name.
        check_recovers(
            b"\x00\xffgarbage content-LENGTH: 999 ",
            &["invalid -32700 skipped junk before a frame: `\0\u{fffd}garbage content-LENGTH: 999 `"],
        );
    }

    #[test]
    fn a_garbage_line_is_reported_once() {
        // Right in front of the header, the line is junk before the frame ...
        check_recovers(b"garbage\r\n", &["invalid -32700 skipped junk before a frame: `garbage`"]);
        check_recovers(
            b"garbage\r\nmore: garbage\n{\"json\": true}\n",
            &["invalid -32700 skipped junk before a frame: `garbage`"],
        );
        // ... and closed by a blank line, it is a header block without a length.
        check_recovers(b"garbage\r\n\r\n", &["invalid -32700 unexpected header line `garbage`"]);
    }

    #[test]
    fn a_body_after_a_header_block_without_content_length_is_skipped_not_read_as_headers() {
        // The body has no line end of its own, so the next frame's header shares its line.
        let body = br#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        let mut junk = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".to_vec();
        junk.extend(body);
        check_recovers(&junk, &["invalid -32700 missing Content-Length"]);
        // A body over several lines, blank ones among them, is skipped whole.
        check_recovers(
            b"X-Unknown: 1\r\n\r\n{\n\n\r\n  \"id\": 9\r\n}",
            &["invalid -32700 unexpected header line `X-Unknown: 1`"],
        );
        check_recovers(b"Content-Length: -4\r\n\r\n{}\r\n\r\n", &["invalid -32700 bad Content-Length `-4`"]);
    }

    #[test]
    fn a_stray_byte_before_every_frame_loses_none_of_them() {
        // The failure this guards against: each body was read as the next header, so every
        // message after the first bad one was lost, `exit` included.
        let mut input = Vec::new();
        for body in [SHUTDOWN, EXIT] {
            input.push(b'x');
            input.extend(framed(body.as_bytes()));
        }
        let seen = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(frames(&input));
        let junk = "invalid -32700 skipped junk before a frame: `x`";
        assert_eq!(
            seen,
            [junk.to_string(), format!("message {SHUTDOWN}"), junk.to_string(), format!("message {EXIT}")]
        );
    }

    #[test]
    fn junk_at_the_end_of_input_ends_cleanly() {
        let seen = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(frames(b"x\r\nContent-Type: y\r\n\r\n{"));
        assert_eq!(seen, ["invalid -32700 unexpected header line `x`"]);
    }

    #[tokio::test]
    async fn truncated_input_ends_cleanly() {
        assert!(frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"").await.is_empty());
        assert!(frames(b"").await.is_empty());
    }
}
