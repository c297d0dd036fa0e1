//! A small LSP client for benchmarks: the real `seedls` binary over stdio, Content-Length
//! framing, JSON-RPC. It answers the server's own requests (`window/workDoneProgress/create`,
//! `client/registerCapability`) with `null`, stamps every incoming message with the instant its
//! last byte arrived (before JSON parsing, so parsing a large answer is not charged to the
//! server), and never waits longer than its timeout.
//!
//! A reader thread feeds every message into a channel, so requests can be sent without
//! waiting (`start_request`, `cancel`) while the benchmark collects answers and notifications
//! with their arrival times (`next_until`), as an editor does with several requests in flight.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

/// How long any single wait may take before the benchmark gives up on the server, unless
/// the benchmark asks for longer (large corpora).
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct Incoming {
    pub(crate) arrived: Instant,
    pub(crate) message: Value,
}

pub(crate) struct LspClient {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Incoming>,
    next_id: i64,
    timeout: Duration,
}

impl LspClient {
    /// Starts the server; its stderr goes to `stderr_log` (appended to, so that the log of
    /// every server of a run is kept). No wait lasts longer than `timeout`.
    pub(crate) fn spawn(binary: &Path, stderr_log: &Path, timeout: Duration) -> Result<LspClient> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(stderr_log)
            .with_context(|| format!("creating {}", stderr_log.display()))?;
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdin = child.stdin.take().context("server stdin")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let (sender, incoming) = channel();
        // The reader only frames and time-stamps; a second thread decodes. Decoding a large
        // answer (a references answer of 5,000 locations takes milliseconds) inside the
        // reading loop would time-stamp every message queued behind it that much late.
        let (frames, framed) = channel::<(Instant, Vec<u8>)>();
        std::thread::spawn(move || {
            for (arrived, body) in framed {
                let Ok(message) = serde_json::from_slice(&body) else {
                    return;
                };
                if sender.send(Incoming { arrived, message }).is_err() {
                    return;
                }
            }
        });
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let Some(length) = length else {
                    return;
                };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if frames.send((Instant::now(), body)).is_err() {
                    return;
                }
            }
        });
        Ok(LspClient { child, stdin, incoming, next_id: 0, timeout })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes one message; returns the instant just before its first byte left.
    fn send(&mut self, message: &Value) -> Result<Instant> {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let sent = Instant::now();
        self.stdin.write_all(frame.as_bytes()).context("writing to the server")?;
        self.stdin.flush().context("flushing to the server")?;
        Ok(sent)
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) -> Result<Instant> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Sends a request without waiting: its id and when it was sent.
    pub(crate) fn start_request(&mut self, method: &str, params: Value) -> Result<(i64, Instant)> {
        self.next_id += 1;
        let id = self.next_id;
        let sent = self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        Ok((id, sent))
    }

    /// Sends a request and waits for its answer: the result (an error answer is an error) and
    /// the time from sending to the answer's arrival.
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Result<(Value, Duration)> {
        let (id, sent) = self.start_request(method, params)?;
        let reply = self
            .wait_for(&format!("the answer to `{method}`"), |message| {
                message["id"] == id && message.get("method").is_none()
            })
            .with_context(|| format!("request `{method}`"))?;
        if let Some(error) = reply.message.get("error") {
            bail!("`{method}` answered with an error: {error}");
        }
        Ok((reply.message.get("result").cloned().unwrap_or(Value::Null), reply.arrived - sent))
    }

    /// `$/cancelRequest` for `id`; returns the instant just before it left.
    pub(crate) fn cancel(&mut self, id: i64) -> Result<Instant> {
        self.notify("$/cancelRequest", json!({ "id": id }))
    }

    /// The timeout this client was started with.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The next message that arrives before `deadline`, answering the server's own requests
    /// (and returning them too). `None` when the deadline passes first.
    pub(crate) fn next_until(&mut self, deadline: Instant) -> Result<Option<Incoming>> {
        let left = deadline.saturating_duration_since(Instant::now());
        let incoming = match self.incoming.recv_timeout(left) {
            Ok(incoming) => incoming,
            Err(RecvTimeoutError::Timeout) => return Ok(None),
            Err(RecvTimeoutError::Disconnected) => bail!("the server closed its output"),
        };
        let message = &incoming.message;
        if message.get("method").is_some() && message.get("id").is_some() {
            self.send(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }))?;
        }
        Ok(Some(incoming))
    }

    /// Waits for a message that matches, answering the server's requests meanwhile and
    /// dropping everything else. Fails after the client's timeout.
    pub(crate) fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Result<Incoming> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.next_until(deadline).with_context(|| format!("waiting for {what}"))? {
                Some(incoming) if wanted(&incoming.message) => return Ok(incoming),
                Some(_) => {}
                None => bail!("the server sent no {what} within {} s", self.timeout.as_secs()),
            }
        }
    }

    /// `VmRSS` and `VmHWM` of the server, in bytes, from `/proc/<pid>/status`.
    pub(crate) fn memory(&self) -> Result<(u64, u64)> {
        Ok((self.status_number("VmRSS:")? * 1024, self.status_number("VmHWM:")? * 1024))
    }

    /// How many threads the server runs now.
    pub(crate) fn threads(&self) -> Result<u64> {
        self.status_number("Threads:")
    }

    /// The number after `name` in `/proc/<pid>/status`.
    fn status_number(&self, name: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading /proc/<pid>/status (Linux only)")?;
        let line = status.lines().find(|line| line.starts_with(name)).ok_or_else(|| anyhow!("no {name}"))?;
        line.split_whitespace().nth(1).and_then(|value| value.parse().ok()).ok_or_else(|| anyhow!("unreadable {line}"))
    }

    /// `shutdown`, `exit`, and a kill if the server is still there after five seconds.
    pub(crate) fn stop(mut self) -> Result<()> {
        let polite = self.request("shutdown", Value::Null).and_then(|_| self.notify("exit", Value::Null));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return polite.map(|_| ());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("the server did not exit within 5 s of `exit`; killed it")
    }
}

impl Drop for LspClient {
    /// Whatever happened, the server does not outlive the benchmark.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
