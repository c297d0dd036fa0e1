//! A guard in front of the protocol transport. tower-lsp's reader stops for good after the
//! first frame it cannot decode, which would end the server on one bad message. Here every
//! frame from stdin is checked first: a well-formed JSON-RPC message goes on to the
//! transport; anything else (bad headers, bytes that are not JSON, JSON that is not a
//! message, an oversized frame) gets a JSON-RPC error answer, and the server reads on.
//! One writer task owns stdout, so error answers never interleave with the server's frames.

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

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

/// Reads the next frame: `Content-Length` header lines, a blank line, the body, and checks
/// that the body is a JSON-RPC message.
pub(crate) async fn read_frame(reader: &mut (impl AsyncBufRead + Unpin)) -> Frame {
    match read_raw_frame(reader).await {
        Frame::Message(body) => match serde_json::from_slice::<Value>(&body) {
            Err(error) => Frame::Invalid { code: -32700, reason: format!("not JSON: {error}") },
            Ok(message) if is_message(&message) => Frame::Message(body),
            Ok(_) => {
                Frame::Invalid { code: -32600, reason: "not a JSON-RPC 2.0 request, notification or response".into() }
            }
        },
        other => other,
    }
}

/// Reads the next frame without looking into its body (the server's own output is trusted:
/// parsing a large answer again would only cost time).
async fn read_raw_frame(reader: &mut (impl AsyncBufRead + Unpin)) -> Frame {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return Frame::End,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if length.is_some() || bad_header.is_some() {
                break;
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => match value.trim().parse::<usize>() {
                Ok(value) => length = Some(value),
                Err(_) => bad_header = Some(format!("bad Content-Length `{}`", value.trim())),
            },
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => bad_header = Some(format!("unexpected header line `{}`", line.chars().take(80).collect::<String>())),
        }
    }
    let Some(length) = length else {
        return Frame::Invalid { code: -32700, reason: bad_header.unwrap_or_else(|| "missing Content-Length".into()) };
    };
    if length > MAX_FRAME_BYTES {
        let mut skipped = reader.take(length as u64);
        let _ = tokio::io::copy(&mut skipped, &mut tokio::io::sink()).await;
        return Frame::Invalid {
            code: -32600,
            reason: format!("message of {length} bytes is over the {MAX_FRAME_BYTES}-byte limit"),
        };
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).await.is_err() {
        return Frame::End;
    }
    Frame::Message(body)
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

pub(crate) fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// Copies checked frames from `input` to `to_server`; answers bad ones through `replies`.
/// Tells `exit` when the client's `exit` notification has gone through.
pub(crate) async fn guard_input(
    input: impl tokio::io::AsyncRead + Unpin,
    mut to_server: impl AsyncWrite + Unpin,
    replies: mpsc::UnboundedSender<Vec<u8>>,
    exit: tokio::sync::oneshot::Sender<()>,
) {
    let mut reader = BufReader::new(input);
    let mut exit = Some(exit);
    loop {
        match read_frame(&mut reader).await {
            Frame::End => break,
            Frame::Message(body) => {
                let is_exit = serde_json::from_slice::<Value>(&body).is_ok_and(|message| message["method"] == "exit");
                if to_server.write_all(&frame(&body)).await.is_err() {
                    break;
                }
                if is_exit && let Some(exit) = exit.take() {
                    let _ = exit.send(());
                }
            }
            Frame::Invalid { code, reason } => {
                eprintln!("seedls: ignored a bad message: {reason}");
                let answer = json!({ "jsonrpc": "2.0", "id": null, "error": { "code": code, "message": format!("seedls: {reason}") } });
                let _ = replies.send(frame(answer.to_string().as_bytes()));
            }
        }
    }
    let _ = to_server.shutdown().await;
}

/// Passes the server's own frames on, whole, into the single writer's queue.
pub(crate) async fn forward_output(output: impl tokio::io::AsyncRead + Unpin, replies: mpsc::UnboundedSender<Vec<u8>>) {
    let mut reader = BufReader::new(output);
    loop {
        match read_raw_frame(&mut reader).await {
            Frame::Message(body) => {
                let _ = replies.send(frame(&body));
            }
            Frame::Invalid { .. } => {}
            Frame::End => break,
        }
    }
}

/// The one writer of stdout. An empty frame marks the end.
pub(crate) async fn write_all_frames(mut frames: mpsc::UnboundedReceiver<Vec<u8>>, mut out: impl AsyncWrite + Unpin) {
    while let Some(frame) = frames.recv().await {
        if frame.is_empty() || out.write_all(&frame).await.is_err() || out.flush().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = BufReader::new(input);
        let mut out = Vec::new();
        loop {
            match read_frame(&mut reader).await {
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
        input.extend(frame(b"{ not json"));
        input.extend(frame(br#"{"jsonrpc":"2.0","id":2}"#));
        input.extend(b"Content-Length: abc\r\n\r\n");
        input.extend(frame(good.as_bytes()));
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
        input.extend(frame(good.as_bytes()));
        let seen = frames(&input).await;
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert!(seen[0].starts_with("invalid -32700 not JSON"));
        assert!(seen[1].starts_with("invalid -32600"));
        assert!(seen[2].starts_with("invalid -32700 bad Content-Length"));
        assert_eq!(seen[3], format!("message {good}"));
        assert_eq!(seen[4], format!("message {good}"));
    }

    #[tokio::test]
    async fn truncated_input_ends_cleanly() {
        assert!(frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"").await.is_empty());
        assert!(frames(b"").await.is_empty());
    }
}
