//! End-to-end tests of the real binary over stdio: indexing with progress, cross-article
//! answers on the seeds, watched-file changes, rename, bad input, and a clean exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seedls"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("seedls starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
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
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if sender.send(serde_json::from_slice(&body).expect("server sends JSON")).is_err() {
                    return;
                }
            }
        });
        let mut server = Server { child, stdin, messages, next_id: 0 };
        let root_uri = format!("file://{}", root.display());
        let capabilities = json!({
            "window": { "workDoneProgress": true },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true }, "workspaceEdit": { "documentChanges": true } }
        });
        let result = server.request("initialize", json!({ "rootUri": root_uri, "workspaceFolders": [{ "uri": root_uri, "name": "seeds" }], "capabilities": capabilities }));
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to server");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, answering the server's own requests meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let reply = self.wait_for(|message| message["id"] == id && message.get("method").is_none());
        reply.get("result").cloned().unwrap_or_else(|| json!({ "error": reply["error"] }))
    }

    /// Waits for a message that matches, answering server requests (progress, registration).
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let timeout = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(timeout) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!("no matching message from the server in time"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                self.send(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }));
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Value {
        self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        })
    }

    /// Opens the seed of `root` whose name starts with `prefix`, as an editor would: its URI
    /// and its first diagnostics.
    fn open_seed(&mut self, root: &Path, prefix: &str) -> (String, Value) {
        let uri = seed_uri(root, prefix);
        let text = std::fs::read_to_string(uri.trim_start_matches("file://")).expect("seed");
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "seed", "version": 1, "text": text } }),
        );
        let published = self.diagnostics_for(&uri);
        (uri, published)
    }

    fn wait_for_indexing(&mut self) {
        self.wait_for(|message| message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end");
    }

    fn exit(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    /// Waits for the process to end on its own; its exit code.
    fn exit_code(mut self) -> i32 {
        wait_for_exit(&mut self.child)
    }

    /// Closes the server's input, as a crashed editor would; its exit code.
    fn close_input(self) -> i32 {
        let Server { mut child, stdin, .. } = self;
        drop(stdin);
        wait_for_exit(&mut child)
    }
}

fn wait_for_exit(child: &mut std::process::Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How many of the published diagnostics carry `code`.
fn count_code(published: &Value, code: &str) -> usize {
    published["params"]["diagnostics"].as_array().map_or(0, |d| d.iter().filter(|d| d["code"] == code).count())
}

/// A fresh copy of the seeds in a folder of its own.
fn seeds_copy(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("seedls-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("temp folder");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")).expect("seeds") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, folder.join(path.file_name().expect("name"))).expect("copy seed");
    }
    folder
}

fn seed_uri(root: &Path, prefix: &str) -> String {
    let name = std::fs::read_dir(root)
        .expect("folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(prefix))
        .expect("seed present");
    format!("file://{}/{name}", root.display())
}

/// The UTF-16 position of the first occurrence of `needle` in a seed (all the needles here
/// stand after ASCII text on their line, so bytes equal UTF-16 units up to them).
/// The hover's markdown at `needle` in the seed starting with `prefix`.
fn hover_markdown(server: &mut Server, root: &Path, prefix: &str, needle: &str) -> String {
    let hover = server.request("textDocument/hover", position_of(root, prefix, needle));
    hover["contents"]["value"].as_str().expect("hover markdown").to_string()
}

/// The files of the locations a definition at `needle` (in the seed starting with `prefix`)
/// answers, in its order.
fn definition_uris(server: &mut Server, root: &Path, prefix: &str, needle: &str) -> Vec<String> {
    let definition = server.request("textDocument/definition", position_of(root, prefix, needle));
    definition.as_array().expect("locations").iter().map(|l| l["uri"].as_str().unwrap().to_string()).collect()
}

fn position_of(root: &Path, prefix: &str, needle: &str) -> Value {
    let uri = seed_uri(root, prefix);
    let text = std::fs::read_to_string(uri.trim_start_matches("file://")).expect("seed");
    let offset = text.find(needle).expect("needle in seed");
    let line = text[..offset].matches('\n').count();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character + 1 } })
}

#[test]
fn indexes_the_seeds_and_answers_across_articles() {
    let root = seeds_copy("navigate");
    let mut server = Server::start(&root);
    server.wait_for_indexing();

    let in_002 = position_of(&root, "002", "Enver Hoxha, Mehmet");
    let markdown = hover_markdown(&mut server, &root, "002", "Enver Hoxha, Mehmet");
    assert!(markdown.contains("**Enver Hoxha** — Person"), "{markdown}");
    assert!(
        markdown.contains("Commander, side 1 — Kosovo Operation (1944), 15 October – 22 November 1944"),
        "{markdown}"
    );
    assert!(markdown.contains("LANÇ counter-offensive in Albania (1944)"), "{markdown}");

    let uris = definition_uris(&mut server, &root, "002", "Alexander Löhr");
    // The other articles' listings first; the one under the cursor, where the reader is, last.
    assert_eq!(uris, [seed_uri(&root, "000"), seed_uri(&root, "002")]);

    let mut rename = in_002;
    rename["newName"] = json!("Enver Hoxha (1908–1985)");
    let edit = server.request("textDocument/rename", rename);
    let changes = edit["documentChanges"].as_array().expect("document changes");
    let renamed: Vec<&str> = changes.iter().map(|change| change["textDocument"]["uri"].as_str().unwrap()).collect();
    assert_eq!(renamed, [seed_uri(&root, "000"), seed_uri(&root, "002")]);
    assert!(
        changes.iter().all(|change| change["textDocument"]["version"].is_null()),
        "closed files get unversioned edits"
    );
    // 000: one listing; 002: the listing and two mentions in prose.
    let counts: Vec<usize> = changes.iter().map(|change| change["edits"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [1, 3]);

    assert_eq!(server.exit(), 0);
}

#[test]
fn watched_file_changes_refresh_cross_article_diagnostics() {
    let root = seeds_copy("watch");
    let mut server = Server::start(&root);
    server.wait_for_indexing();
    let (uri, published) = server.open_seed(&root, "000");
    assert_eq!(count_code(&published, "unresolved-link"), 3);

    let new_file = root.join("005_nis.txt");
    std::fs::write(&new_file, "= Niš operation =\n\nThe Niš operation freed Niš.\n").expect("write new seed");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", new_file.display()), "type": 1 }] }),
    );
    let published = server.diagnostics_for(&uri);
    assert_eq!(count_code(&published, "unresolved-link"), 2);
    let symbols = server.request("workspace/symbol", json!({ "query": "Niš operation" }));
    assert_eq!(symbols[0]["name"], "Niš operation");

    std::fs::remove_file(&new_file).expect("delete");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", new_file.display()), "type": 3 }] }),
    );
    let published = server.diagnostics_for(&uri);
    assert_eq!(count_code(&published, "unresolved-link"), 3);
    assert_eq!(server.exit(), 0);
}

#[test]
fn garbage_input_gets_an_error_and_the_server_goes_on() {
    let root = seeds_copy("garbage");
    let mut server = Server::start(&root);
    let garbage = "{ this is not json";
    write!(server.stdin, "Content-Length: {}\r\n\r\n{garbage}", garbage.len()).expect("write");
    server.stdin.flush().expect("flush");
    let error = server.wait_for(|message| message.get("error").is_some());
    assert_eq!(error["error"]["code"], -32700);
    let unknown = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(unknown, Value::Null);
    assert_eq!(server.exit(), 0);
}

#[test]
fn workspace_folders_can_be_added_and_removed() {
    let root = seeds_copy("folders");
    let extra = std::env::temp_dir().join(format!("seedls-e2e-extra-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&extra);
    std::fs::create_dir_all(&extra).expect("extra folder");
    std::fs::write(extra.join("nis.txt"), "= Niš operation =\n\nThe Niš operation.\n").expect("write");
    let mut server = Server::start(&root);
    server.wait_for_indexing();
    let (uri, published) = server.open_seed(&root, "000");
    assert_eq!(count_code(&published, "unresolved-link"), 3);

    let folder = json!({ "uri": format!("file://{}", extra.display()), "name": "extra" });
    server.notify("workspace/didChangeWorkspaceFolders", json!({ "event": { "added": [folder], "removed": [] } }));
    let published = server.diagnostics_for(&uri);
    assert_eq!(count_code(&published, "unresolved-link"), 2);

    server.notify("workspace/didChangeWorkspaceFolders", json!({ "event": { "added": [], "removed": [folder] } }));
    let published = server.diagnostics_for(&uri);
    assert_eq!(count_code(&published, "unresolved-link"), 3);
    assert_eq!(server.exit(), 0);
}

#[test]
fn seedls_toml_errors_are_diagnostics_on_that_file_and_clear_when_fixed() {
    let root = seeds_copy("config");
    let config = root.join("seedls.toml");
    std::fs::write(&config, "[diagnostics]\ncitation-needed = \"loud\"\n").expect("write config");
    let config_uri = format!("file://{}", config.display());
    let mut server = Server::start(&root);
    let published = server.diagnostics_for(&config_uri);
    let diagnostics = published["params"]["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "config-error");
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("`loud` is not a severity"));
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 1, "character": 19 }));

    std::fs::write(&config, "[diagnostics]\ncitation-needed = \"error\"\n").expect("fix config");
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": config_uri, "type": 2 }] }));
    let published = server.diagnostics_for(&config_uri);
    assert_eq!(published["params"]["diagnostics"], json!([]));
    assert_eq!(server.exit(), 0);
}

#[test]
fn exit_without_shutdown_and_a_vanished_editor_end_the_server_with_1() {
    let root = seeds_copy("exit-codes");
    let mut server = Server::start(&root);
    server.wait_for_indexing();
    server.notify("exit", Value::Null);
    assert_eq!(server.exit_code(), 1, "`exit` before `shutdown`");

    // The server asks to register file watchers; this editor never answers and then its
    // end of the pipe closes: the server must not linger.
    let server = Server::start(&root);
    assert_eq!(server.close_input(), 1, "input closed without `shutdown`");
}

#[test]
fn hierarchies_aliases_and_the_explorer_over_stdio() {
    let root = seeds_copy("annotate");
    // The seeds spell one person two ways (000: Midhat, 002: Mit'hat): one entity by alias.
    std::fs::write(root.join("seedls.toml"), "[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n").unwrap();
    let mut server = Server::start(&root);
    server.wait_for_indexing();

    let at_division = position_of(&root, "000", "4th Division");
    let items = server.request("textDocument/prepareTypeHierarchy", at_division);
    assert_eq!(items[0]["name"], "4th Division");
    let supertypes = server.request("typeHierarchy/supertypes", json!({ "item": items[0] }));
    assert_eq!(supertypes[0]["name"], "2nd Bulgarian Army");
    let subtypes = server.request("typeHierarchy/subtypes", json!({ "item": supertypes[0] }));
    let names: Vec<&str> = subtypes.as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["2nd Division", "4th Division", "6th Division", "9th Division", "12th Division"]);

    let markdown = hover_markdown(&mut server, &root, "002", "Mit'hat Frashëri");
    assert!(markdown.starts_with("**Midhat Frashëri** — Person"), "{markdown}");
    assert!(markdown.contains("Id `person:midhat-frasheri`"), "{markdown}");
    let references = server.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": seed_uri(&root, "000") }, "position": position_of(&root, "000", "Midhat Frashëri")["position"], "context": { "includeDeclaration": true } }),
    );
    let files: Vec<&str> = references.as_array().unwrap().iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert!(files.contains(&seed_uri(&root, "002").as_str()), "both spellings: {files:?}");

    let people = server.request("seedls/entities", json!({ "kind": "person" }));
    let midhat =
        people["entities"].as_array().unwrap().iter().find(|e| e["name"] == "Midhat Frashëri").expect("listed");
    assert_eq!(midhat["id"], "person:midhat-frasheri");
    let timeline = server.request("seedls/timeline", json!({}));
    assert_eq!(timeline["conflicts"][0]["start"], "1912-10-01");
    assert_eq!(server.exit(), 0);
}

/// `seedls check --cache` on a folder saves the pack a server's warm start reads: the
/// server's first start then takes every file's facts from it (the progress says so) and
/// answers as a cold start does.
#[test]
fn a_pack_written_by_check_gives_the_server_a_warm_start() {
    let root = seeds_copy("check-pack");
    std::fs::write(root.join("seedls.toml"), "[cache]\ndir = \".facts\"\n").expect("config");
    let checked = Command::new(env!("CARGO_BIN_EXE_seedls"))
        .args(["check", "--cache", "."])
        .current_dir(&root)
        .output()
        .expect("seedls check runs");
    assert!(checked.status.code().is_some_and(|code| code <= 1), "{checked:?}");
    let pack = std::fs::read_dir(root.join(".facts"))
        .expect("the cache folder")
        .flatten()
        .flat_map(|workspace| std::fs::read_dir(workspace.path()).into_iter().flatten().flatten())
        .any(|entry| entry.file_name().to_string_lossy().contains("pack"));
    assert!(pack, "check --cache wrote no pack");
    // The mention index is saved too, under the fingerprint the server's workspace has: the
    // server takes it as it is and saves none of its own.
    let mentions_file = || {
        std::fs::read_dir(root.join(".facts"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|workspace| workspace.path().join("mentions.index"))
            .find(|path| path.exists())
    };
    let saved_mentions = std::fs::read(mentions_file().expect("check --cache wrote no mention index")).expect("read");

    let mut server = Server::start(&root);
    let saved = server.wait_for(|message| {
        message["method"] == "$/progress" && message["params"]["value"]["message"] == "5 of 5 files (saved)"
    });
    assert_eq!(saved["params"]["value"]["kind"], "report");
    server.wait_for_indexing();
    let markdown = hover_markdown(&mut server, &root, "002", "Enver Hoxha, Mehmet");
    assert!(
        markdown.contains("Commander, side 1 — Kosovo Operation (1944), 15 October – 22 November 1944"),
        "{markdown}"
    );
    assert!(markdown.contains("Mentioned in 2 articles"), "the saved index's count: {markdown}");
    let uris = definition_uris(&mut server, &root, "002", "Alexander Löhr");
    assert_eq!(uris, [seed_uri(&root, "000"), seed_uri(&root, "002")]);
    // A server that computed its own index saves it after the indexing ends, in the
    // background: given the time to, it would have by now.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(server.exit(), 0);
    let after = std::fs::read(mentions_file().expect("the mention index")).expect("read");
    assert!(after == saved_mentions, "the server computed and saved a mention index of its own");
    let _ = std::fs::remove_dir_all(&root);
}
