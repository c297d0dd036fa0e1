//! In-process protocol tests: the real service, driven request by request, with what the
//! server sends to the client collected from its socket.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

use super::panic_guard::CatchPanic;
use super::server::Server;

struct TestClient {
    service: CatchPanic<LspService<Server>>,
    from_server: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
}

impl TestClient {
    /// A fresh service, not yet initialized, with what it sends to the client collected.
    fn connect() -> TestClient {
        TestClient::connect_with(crate::lsp::IndexingHooks::default())
    }

    /// The same, with these hooks around each indexing run.
    fn connect_with(hooks: crate::lsp::IndexingHooks) -> TestClient {
        let (service, socket) =
            super::server::service(move |client| Server::with_shutdown_flag(client, Default::default(), hooks));
        let (sender, from_server) = mpsc::unbounded_channel();
        tokio::spawn(socket.for_each(move |request| {
            let _ = sender.send(request);
            futures::future::ready(())
        }));
        TestClient { service: CatchPanic::new(service), from_server, next_id: 0 }
    }

    async fn start(capabilities: Value) -> TestClient {
        let mut client = TestClient::connect();
        let result = client.request("initialize", json!({ "capabilities": capabilities })).await;
        assert!(result.get("capabilities").is_some(), "{result}");
        client.notify("initialized", json!({})).await;
        client
    }

    /// A client whose workspace is `folder` (indexed before this returns).
    async fn start_in(folder: &std::path::Path, capabilities: Value) -> TestClient {
        // The facts cache stays off here (it is tested on its own below): tests write nothing
        // into the user's cache folder.
        TestClient::start_with_options(folder, capabilities, json!({ "cache": { "enabled": false } })).await
    }

    /// A client whose workspace is `folder`, started with these initialization options.
    async fn start_with_options(folder: &std::path::Path, capabilities: Value, options: Value) -> TestClient {
        TestClient::start_with_hooks(folder, capabilities, options, crate::lsp::IndexingHooks::default()).await
    }

    /// The same, with these hooks around each indexing run.
    async fn start_with_hooks(
        folder: &std::path::Path,
        capabilities: Value,
        options: Value,
        hooks: crate::lsp::IndexingHooks,
    ) -> TestClient {
        let mut client = TestClient::connect_with(hooks);
        let root = tower_lsp_server::ls_types::Uri::from_file_path(folder).expect("a file URI");
        let result = client
            .request(
                "initialize",
                json!({ "capabilities": capabilities, "rootUri": root.as_str(), "initializationOptions": options }),
            )
            .await;
        assert!(result.get("capabilities").is_some(), "{result}");
        client.notify("initialized", json!({})).await;
        client.wait_for_notification("seedls/entitiesChanged").await;
        client
    }

    /// Waits for a notification from the server, skipping other messages.
    async fn wait_for_notification(&mut self, wanted: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.from_server.recv())
                .await
                .unwrap_or_else(|_| panic!("{wanted} in time"))
                .expect("server alive");
            let (method, _, params) = message.into_parts();
            if method == wanted {
                return params.unwrap_or_default();
            }
        }
    }

    /// The raw answer of a request: `Ok(result)` or `Err((code, message))`.
    async fn try_request(&mut self, method: &'static str, params: Value) -> Result<Value, (i64, String)> {
        self.next_id += 1;
        let request = Request::build(method).params(params).id(self.next_id).finish();
        let response = self.service.ready().await.expect("ready").call(request).await.expect("no transport error");
        let (_, body) = response.expect("a response").into_parts();
        body.map_err(|error| (error.code.code(), error.message.to_string()))
    }

    async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.next_id += 1;
        let request = Request::build(method).params(params).id(self.next_id).finish();
        let response = self
            .service
            .ready()
            .await
            .expect("ready")
            .call(request)
            .await
            .expect("no transport error")
            .expect("a response");
        let (_, body) = response.into_parts();
        body.unwrap_or_else(|error| json!({ "error": error.message }))
    }

    async fn notify(&mut self, method: &'static str, params: Value) {
        let request = Request::build(method).params(params).finish();
        let response = self.service.ready().await.expect("ready").call(request).await.expect("no transport error");
        assert!(response.is_none());
    }

    /// The next `publishDiagnostics` for `uri`, skipping other messages.
    async fn diagnostics(&mut self, uri: &str) -> Value {
        self.diagnostics_for_any(&[uri]).await
    }

    /// Waits for a `publishDiagnostics` for `uri` that satisfies `wanted` (diagnostics are
    /// computed in the background: an earlier result may arrive before the awaited one).
    async fn diagnostics_until(&mut self, uri: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let published = self.diagnostics(uri).await;
            if wanted(&published) {
                return published;
            }
        }
    }

    /// The next `publishDiagnostics` for any of `uris` (spellings of one file).
    async fn diagnostics_for_any(&mut self, uris: &[&str]) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let message = tokio::time::timeout_at(deadline, self.from_server.recv())
                .await
                .expect("diagnostics in time")
                .expect("server alive");
            let (method, _, params) = message.into_parts();
            let params = params.unwrap_or_default();
            if method == "textDocument/publishDiagnostics" && uris.iter().any(|uri| params["uri"] == *uri) {
                return params;
            }
        }
    }

    async fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "seed", "version": 1, "text": text } }),
        )
        .await;
        self.diagnostics(uri).await
    }
}

const URI: &str = "file:///w/a.txt";

fn codes_and_ranges(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}-{}:{}",
                d["code"].as_str().unwrap_or(""),
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["range"]["end"]["line"],
                d["range"]["end"]["character"]
            )
        })
        .collect()
}

const NON_ASCII: &str = "= T =\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: A\n- Commander1: 😀 Mile Čalović – Kombëtar, ,\n";

#[tokio::test]
async fn utf16_columns_by_default() {
    let mut client = TestClient::start(json!({})).await;
    let published = client.open(URI, NON_ASCII).await;
    assert_eq!(published["version"], 1);
    // `- Commander1: 😀 Mile Čalović – Kombëtar, ` is 42 UTF-16 units: the emoji counts 2.
    assert_eq!(codes_and_ranges(&published), ["infobox-empty-item 8:42-8:43"]);
}

#[tokio::test]
async fn utf8_columns_when_offered() {
    let mut client = TestClient::start(json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })).await;
    let published = client.open(URI, NON_ASCII).await;
    // The same comma at byte 49: 😀 is 4 bytes, Č ć ë 2 each, – 3.
    assert_eq!(codes_and_ranges(&published), ["infobox-empty-item 8:49-8:50"]);
}

#[tokio::test]
async fn initialize_reports_the_negotiated_encoding() {
    let (service, _socket) = LspService::new(Server::new);
    let mut service = CatchPanic::new(service);
    let request = Request::build("initialize")
        .params(json!({ "capabilities": { "general": { "positionEncodings": ["utf-8"] } } }))
        .id(1)
        .finish();
    let response = service.ready().await.unwrap().call(request).await.unwrap().unwrap();
    assert_eq!(response.result().unwrap()["capabilities"]["positionEncoding"], "utf-8");
}

#[tokio::test]
async fn incremental_edits_apply_in_order_and_stale_versions_are_refused() {
    let mut client = TestClient::start(json!({})).await;
    let published = client.open(URI, "= T =\n\n==Aftermath==\nText.\n").await;
    assert_eq!(codes_and_ranges(&published), ["heading-spacing 2:0-2:13"]);
    // Insert spaces inside the markers: two changes in one notification, the second relative to the first.
    let change = json!({
        "textDocument": { "uri": URI, "version": 2 },
        "contentChanges": [
            { "range": { "start": { "line": 2, "character": 2 }, "end": { "line": 2, "character": 2 } }, "text": " " },
            { "range": { "start": { "line": 2, "character": 12 }, "end": { "line": 2, "character": 12 } }, "text": " " }
        ]
    });
    client.notify("textDocument/didChange", change).await;
    // Version 1's diagnostics may come a second time first (the cross-article refresh).
    let published = client.diagnostics_until(URI, |published| published["version"] != 1).await;
    assert_eq!(published["version"], 2);
    assert_eq!(codes_and_ranges(&published), Vec::<String>::new());
    // A change for an older version must not be applied.
    let stale = json!({
        "textDocument": { "uri": URI, "version": 2 },
        "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 5 } }, "text": "Bare" }]
    });
    client.notify("textDocument/didChange", stale).await;
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } })).await;
    assert_eq!(symbols[0]["name"], "T");
    // A full-text change replaces everything.
    let full = json!({ "textDocument": { "uri": URI, "version": 3 }, "contentChanges": [{ "text": "Bare title\n\nText.\n" }] });
    client.notify("textDocument/didChange", full).await;
    // Version 2's diagnostics may be published again meanwhile (a refresh): wait for 3's.
    let published = client.diagnostics_until(URI, |published| published["version"] == 3).await;
    assert_eq!(codes_and_ranges(&published), ["title-missing 0:0-0:10"]);
}

#[tokio::test]
async fn code_actions_are_versioned_workspace_edits() {
    let mut client = TestClient::start(json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } })).await;
    client.open(URI, "= T =\n\n==Aftermath==\n").await;
    let actions = client
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 2, "character": 3 }, "end": { "line": 2, "character": 3 } }, "context": { "diagnostics": [] } }))
        .await;
    let action = &actions[0];
    assert_eq!(action["title"], "Change to `== Aftermath ==`");
    assert_eq!(action["kind"], "quickfix");
    let edit = &action["edit"]["documentChanges"][0];
    assert_eq!(edit["textDocument"]["version"], 1);
    assert_eq!(edit["edits"][0]["newText"], "== Aftermath ==");
}

#[tokio::test]
async fn code_actions_are_plain_changes_for_clients_without_document_changes() {
    let mut client = TestClient::start(json!({})).await;
    client.open(URI, "= T =\n\n==Aftermath==\n").await;
    let actions = client
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 2, "character": 3 }, "end": { "line": 2, "character": 3 } }, "context": { "diagnostics": [] } }))
        .await;
    let edit = &actions[0]["edit"];
    assert!(edit.get("documentChanges").is_none(), "{edit}");
    assert_eq!(edit["changes"][URI][0]["newText"], "== Aftermath ==");
}

#[tokio::test]
async fn two_spellings_of_one_file_uri_are_one_document() {
    // VS Code writes `%28`, Neovim `(`; both name the same file.
    let escaped = "file:///w/Kosovo%20Operation%20%281944%29.txt";
    let plain = "file:///w/Kosovo%20Operation%20(1944).txt";
    let mut client = TestClient::start(json!({})).await;
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": plain, "languageId": "seed", "version": 1, "text": "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n" } }),
        )
        .await;
    let published = client.diagnostics_for_any(&[escaped, plain]).await;
    assert_eq!(published["version"], 1);
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": escaped, "version": 2 }, "contentChanges": [{ "text": "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha, Mehmet Shehu\n" }] }),
        )
        .await;
    // Version 1's diagnostics may come a second time first (the cross-article refresh).
    let published = loop {
        let published = client.diagnostics_for_any(&[escaped, plain]).await;
        if published["version"] != 1 {
            break published;
        }
    };
    assert_eq!(published["version"], 2, "the change applied to the open document: {published}");
    let symbols = client.request("workspace/symbol", json!({ "query": "Alpha" })).await;
    let articles = symbols.as_array().unwrap().iter().filter(|symbol| symbol["name"] == "Alpha").count();
    assert_eq!(articles, 1, "{symbols}");
    let references = client
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": plain }, "position": { "line": 3, "character": 16 }, "context": { "includeDeclaration": true } }),
        )
        .await;
    assert_eq!(references.as_array().unwrap().len(), 1, "{references}");
}

#[tokio::test]
async fn closing_an_unsaved_document_refreshes_the_others() {
    let mut client = TestClient::start(json!({})).await;
    client.open("file:///w/a.txt", "= Alpha =\n").await;
    let published = client.open("file:///w/b.txt", "= Alpha =\n").await;
    assert!(codes_and_ranges(&published).iter().any(|code| code.starts_with("duplicate-title")), "{published}");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": "file:///w/a.txt" } })).await;
    // a.txt exists nowhere else: its title is gone, and b.txt's duplicate with it. (A result
    // computed before the close may still arrive first; the newest one comes last.)
    client.diagnostics_until("file:///w/b.txt", |published| codes_and_ranges(published).is_empty()).await;
}

#[tokio::test]
async fn hover_definition_and_rename_across_open_documents() {
    let mut client = TestClient::start(json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } })).await;
    client.open("file:///w/a.txt", "= Alpha =\n\nInfobox\n- Commander1: Enver Hoxha\n").await;
    client.open("file:///w/b.txt", "= Beta =\n\nEnver Hoxha led.\n").await;
    let position = json!({ "textDocument": { "uri": "file:///w/b.txt" }, "position": { "line": 2, "character": 3 } });
    let hover = client.request("textDocument/hover", position.clone()).await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Person"), "{hover}");
    let definition = client.request("textDocument/definition", position.clone()).await;
    assert_eq!(definition[0]["uri"], "file:///w/a.txt");
    assert_eq!(definition[0]["range"]["start"], json!({ "line": 3, "character": 14 }));
    let mut rename_params = position.clone();
    rename_params["newName"] = json!("Enver Hoxha (1908)");
    let edit = client.request("textDocument/rename", rename_params).await;
    let changed: Vec<&str> = edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["textDocument"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["file:///w/a.txt", "file:///w/b.txt"]);
    let mut bad = position;
    bad["newName"] = json!("A, B");
    let refused = client.request("textDocument/rename", bad).await;
    assert!(refused["error"].as_str().unwrap().contains("comma"), "{refused}");
}

#[tokio::test]
async fn requests_for_unknown_documents_and_wild_positions_do_not_fail() {
    let mut client = TestClient::start(json!({})).await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": "file:///nowhere.txt" }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert_eq!(hover, Value::Null);
    client.open(URI, "= T =\n").await;
    for (line, character) in [(0, 9999), (9999, 0), (u32::MAX, u32::MAX)] {
        let position = json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } });
        let _ = client.request("textDocument/hover", position.clone()).await;
        let _ = client.request("textDocument/completion", position).await;
    }
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } })).await;
    assert_eq!(symbols[0]["name"], "T");
}

#[tokio::test]
async fn a_panicking_handler_answers_an_error_and_the_service_lives_on() {
    let mut calls = 0;
    let inner = tower::service_fn(move |request: Request| {
        calls += 1;
        let first = calls == 1;
        async move {
            if first {
                panic!("boom");
            }
            Ok::<_, std::convert::Infallible>(
                request.id().cloned().map(|id| tower_lsp_server::jsonrpc::Response::from_ok(id, json!("fine"))),
            )
        }
    });
    let mut guarded = CatchPanic::new(inner);
    let answer = guarded
        .ready()
        .await
        .unwrap()
        .call(Request::build("textDocument/hover").id(1).finish())
        .await
        .unwrap()
        .unwrap();
    assert!(answer.error().unwrap().message.contains("boom"));
    let answer = guarded
        .ready()
        .await
        .unwrap()
        .call(Request::build("textDocument/hover").id(2).finish())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.result(), Some(&json!("fine")));
}

/// A folder of seed files for a workspace test, removed when dropped.
struct TempWorkspace(std::path::PathBuf);

impl TempWorkspace {
    fn new(name: &str, files: &[(&str, &str)]) -> TempWorkspace {
        let folder = std::env::temp_dir().join(format!("seedls-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        for (path, text) in files {
            let path = folder.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
            std::fs::write(path, text).expect("written");
        }
        TempWorkspace(folder.canonicalize().expect("canonical"))
    }

    fn uri(&self, path: &str) -> String {
        tower_lsp_server::ls_types::Uri::from_file_path(self.0.join(path)).expect("a file URI").as_str().to_string()
    }
}

impl Drop for TempWorkspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ALPHA: &str = "= Alpha (1944) =\n\nInfobox\n- Conflict: Alpha\n- Date: 3–13 August 1944\n- Place: Drvar\n- Result: Won\n- Combatant1: Partisans\n- Commander1: Enver Hoxha\n\n== See also ==\n- Beta\n- Gamma\n";
const BETA: &str = "= Beta =\n\nInfobox\n- Conflict: Beta\n- Partof: Alpha (1944)\n- Date: 1943\n- Place: Drvar\n- Result: Lost\n- Combatant1: Partisans\n- Commander1: Enver Hoxha\n\nAlpha was earlier.\n";

#[tokio::test]
async fn pull_diagnostics_report_every_file_and_unchanged_ones_by_id() {
    let workspace =
        TempWorkspace::new("pull", &[("a.txt", ALPHA), ("b.txt", BETA), ("c.txt", "Bare title\n\n==H==\n")]);
    let mut client = TestClient::start_in(&workspace.0, json!({ "textDocument": { "diagnostic": {} } })).await;
    let report = client.request("workspace/diagnostic", json!({ "previousResultIds": [] })).await;
    let items = report["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "{report}");
    let of = |items: &Vec<Value>, name: &str| -> Value {
        items.iter().find(|item| item["uri"].as_str().unwrap().ends_with(name)).cloned().expect(name)
    };
    let c = of(items, "c.txt");
    assert_eq!(c["kind"], "full");
    let codes: Vec<&str> = c["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["title-missing", "heading-spacing"]);
    let a = of(items, "a.txt");
    let a_codes: Vec<&str> = a["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(a_codes, ["unresolved-link"], "Gamma names no article; Beta does");
    // Asked again with the ids it has, the client hears that nothing changed.
    let previous: Vec<Value> =
        items.iter().map(|item| json!({ "uri": item["uri"], "value": item["resultId"] })).collect();
    let again = client.request("workspace/diagnostic", json!({ "previousResultIds": previous })).await;
    assert!(again["items"].as_array().unwrap().iter().all(|item| item["kind"] == "unchanged"), "{again}");
    // One document: full, then unchanged with its id.
    let uri = workspace.uri("c.txt");
    let full = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } })).await;
    assert_eq!(full["kind"], "full");
    let unchanged = client
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri }, "previousResultId": full["resultId"] }),
        )
        .await;
    assert_eq!(unchanged["kind"], "unchanged", "{unchanged}");
    // Opening and editing a document in a pulling client pushes nothing.
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "seed", "version": 1, "text": "= C =\n" } }),
        )
        .await;
    let changed = client
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri }, "previousResultId": full["resultId"] }),
        )
        .await;
    assert_eq!(changed["kind"], "full");
    assert_eq!(changed["items"], json!([]));
}

#[tokio::test]
async fn file_operations_and_watched_files_follow_the_membership_rule() {
    let workspace = TempWorkspace::new(
        "membership",
        &[("a.txt", ALPHA), ("seedls.toml", "[files]\nexclude = [\"drafts/**\"]\n"), ("drafts/.keep", "")],
    );
    let mut client = TestClient::start_in(&workspace.0, json!({})).await;
    let symbols = |answer: &Value| -> Vec<String> {
        answer.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
    };
    assert!(symbols(&client.request("workspace/symbol", json!({ "query": "Beta" })).await).is_empty());
    // A file created by the editor joins the workspace at once.
    std::fs::write(workspace.0.join("b.txt"), BETA).unwrap();
    client.notify("workspace/didCreateFiles", json!({ "files": [{ "uri": workspace.uri("b.txt") }] })).await;
    assert_eq!(symbols(&client.request("workspace/symbol", json!({ "query": "Beta" })).await), ["Beta"]);
    // A watched CHANGED event under an excluded folder does not add the file.
    std::fs::write(workspace.0.join("drafts/d.txt"), "= Delta =\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": workspace.uri("drafts/d.txt"), "type": 2 }] }),
        )
        .await;
    assert!(symbols(&client.request("workspace/symbol", json!({ "query": "Delta" })).await).is_empty());
    // A rename moves the article; a delete removes it.
    std::fs::rename(workspace.0.join("b.txt"), workspace.0.join("b2.txt")).unwrap();
    client
        .notify(
            "workspace/didRenameFiles",
            json!({ "files": [{ "oldUri": workspace.uri("b.txt"), "newUri": workspace.uri("b2.txt") }] }),
        )
        .await;
    let found = client.request("workspace/symbol", json!({ "query": "Beta" })).await;
    assert!(found[0]["location"]["uri"].as_str().unwrap().ends_with("b2.txt"), "{found}");
    std::fs::remove_file(workspace.0.join("b2.txt")).unwrap();
    client.notify("workspace/didDeleteFiles", json!({ "files": [{ "uri": workspace.uri("b2.txt") }] })).await;
    assert!(symbols(&client.request("workspace/symbol", json!({ "query": "Beta" })).await).is_empty());
}

#[tokio::test]
async fn the_backlink_lens_carries_its_locations_and_other_clients_can_ask_for_them() {
    let workspace = TempWorkspace::new("lens", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let mut client = TestClient::start_in(&workspace.0, json!({})).await;
    let lenses =
        client.request("textDocument/codeLens", json!({ "textDocument": { "uri": workspace.uri("a.txt") } })).await;
    let command = &lenses[0]["command"];
    assert_eq!(command["title"], "1 article links here");
    assert_eq!(command["command"], "seedls.showReferences");
    assert_eq!(command["arguments"][0], workspace.uri("a.txt"));
    assert_eq!(command["arguments"][1], json!({ "line": 0, "character": 2 }));
    assert_eq!(command["arguments"][2][0]["uri"], workspace.uri("b.txt"));
    let backlinks = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "seedls.backlinks", "arguments": [workspace.uri("a.txt")] }),
        )
        .await;
    assert_eq!(backlinks, command["arguments"][2]);
    let unknown = client.try_request("workspace/executeCommand", json!({ "command": "seedls.nothing" })).await;
    assert_eq!(unknown.expect_err("unknown command").0, -32602);
}

#[tokio::test]
async fn an_unresolved_link_offers_to_create_the_article_where_files_can_be_created() {
    let workspace = TempWorkspace::new("create", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let capabilities =
        json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] } } });
    let mut client = TestClient::start_in(&workspace.0, capabilities).await;
    let at_gamma = json!({ "start": { "line": 12, "character": 3 }, "end": { "line": 12, "character": 3 } });
    let actions = client
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": workspace.uri("a.txt") }, "range": at_gamma, "context": { "diagnostics": [] } }))
        .await;
    let create = actions.as_array().unwrap().iter().find(|a| a["title"] == "Create article `Gamma`").expect("offered");
    let operations = &create["edit"]["documentChanges"];
    assert_eq!(operations[0]["kind"], "create");
    assert_eq!(operations[0]["uri"], workspace.uri("Gamma.txt"));
    let text = operations[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(text.starts_with("= Gamma =\n\nInfobox\n- Conflict: Gamma\n"), "{text}");
    assert!(text.ends_with("== See also ==\n- Alpha (1944)\n"), "{text}");
    // A client that cannot create files is not offered it.
    let mut plain =
        TestClient::start_in(&workspace.0, json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } }))
            .await;
    let actions = plain
        .request("textDocument/codeAction", json!({ "textDocument": { "uri": workspace.uri("a.txt") }, "range": at_gamma, "context": { "diagnostics": [] } }))
        .await;
    assert!(actions.as_array().unwrap().iter().all(|a| a["title"] != "Create article `Gamma`"), "{actions}");
}

#[tokio::test]
async fn the_entity_explorer_requests_answer_from_the_index() {
    let workspace = TempWorkspace::new("explorer", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let mut client = TestClient::start_in(&workspace.0, json!({})).await;
    let kinds = client.request("seedls/entities", json!({})).await;
    assert_eq!(kinds["kinds"][0], json!({ "kind": "article", "label": "Articles", "count": 2 }));
    let people = client.request("seedls/entities", json!({ "kind": "person" })).await;
    assert_eq!(
        people["entities"][0],
        json!({ "id": "person:enver-hoxha", "name": "Enver Hoxha", "kind": "person", "listings": 2 })
    );
    let entity = client
        .request("seedls/entity", json!({ "id": "person:enver-hoxha", "kind": "person", "name": "Enver Hoxha" }))
        .await;
    let articles: Vec<&str> =
        entity["locations"].as_array().unwrap().iter().map(|l| l["article"].as_str().unwrap()).collect();
    assert_eq!(articles, ["Alpha (1944)", "Beta"]);
    assert_eq!(entity["locations"][0]["range"]["start"], json!({ "line": 8, "character": 14 }));
    let timeline = client.request("seedls/timeline", json!({})).await;
    let names: Vec<&str> =
        timeline["conflicts"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Beta", "Alpha (1944)"]);
    assert_eq!(timeline["conflicts"][1]["start"], "1944-08-03");
    let bad = client.try_request("seedls/entities", json!({ "kind": "dragon" })).await;
    assert_eq!(bad.expect_err("not a kind").0, -32602);
}

#[tokio::test]
async fn type_hierarchy_and_selection_ranges_over_the_protocol() {
    let workspace = TempWorkspace::new("hierarchy", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let mut client = TestClient::start_in(&workspace.0, json!({})).await;
    let at_title =
        json!({ "textDocument": { "uri": workspace.uri("b.txt") }, "position": { "line": 0, "character": 3 } });
    let items = client.request("textDocument/prepareTypeHierarchy", at_title).await;
    assert_eq!(items[0]["name"], "Beta");
    let supertypes = client.request("typeHierarchy/supertypes", json!({ "item": items[0] })).await;
    assert_eq!(supertypes[0]["name"], "Alpha (1944)");
    let subtypes = client.request("typeHierarchy/subtypes", json!({ "item": supertypes[0] })).await;
    assert_eq!(subtypes[0]["name"], "Beta");
    let ranges = client
        .request(
            "textDocument/selectionRange",
            json!({ "textDocument": { "uri": workspace.uri("b.txt") }, "positions": [{ "line": 9, "character": 16 }] }),
        )
        .await;
    // Outward from the word `Hoxha`: each range holds the one before it.
    let mut chain = Vec::new();
    let mut node = &ranges[0];
    while node.is_object() {
        chain.push((
            node["range"]["start"]["line"].as_u64().unwrap(),
            node["range"]["start"]["character"].as_u64().unwrap(),
        ));
        node = &node["parent"];
    }
    assert!(chain.len() >= 4, "{ranges}");
    assert_eq!(chain.first(), Some(&(9, 14)), "the word `Enver` starts the chain: {chain:?}");
    assert_eq!(chain.last(), Some(&(0, 0)), "the document ends it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_overlapping_edits_answer_for_a_version_or_content_modified() {
    let mut client = TestClient::start(json!({})).await;
    client.open(URI, "= T =\n\nInfobox\n- Commander1: Enver Hoxha\n\nEnver Hoxha led.\n").await;
    // Requests and edits interleaved without waiting: every answer is either for the text
    // the request saw or ContentModified, and the last diagnostics are for the last version.
    for version in 2..40 {
        let hover = {
            client.next_id += 1;
            let request = Request::build("textDocument/hover")
                .params(json!({ "textDocument": { "uri": URI }, "position": { "line": 5, "character": 2 } }))
                .id(client.next_id)
                .finish();
            client.service.ready().await.unwrap().call(request)
        };
        let text = format!("= T =\n\nInfobox\n- Commander1: Enver Hoxha\n\nEnver Hoxha led {version} men.\n");
        let change =
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": text }] });
        let notify = Request::build("textDocument/didChange").params(change).finish();
        let change_future = client.service.ready().await.unwrap().call(notify);
        let (answer, changed) = futures::join!(hover, change_future);
        assert!(changed.unwrap().is_none());
        let (_, body) = answer.unwrap().expect("a response").into_parts();
        match body {
            Ok(hover) => assert!(hover["contents"]["value"].as_str().unwrap().contains("Enver Hoxha"), "{hover}"),
            Err(error) => assert_eq!(error.code.code(), -32801, "{error:?}"),
        }
    }
    client.diagnostics_until(URI, |published| published["version"] == 39).await;
}

#[tokio::test]
async fn a_name_variant_offers_to_record_an_alias_in_seedls_toml() {
    let a = "= A =\n\nInfobox\n- Conflict: A\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: X\n- Commander1: Midhat Frashëri\n";
    let b = "= B =\n\nInfobox\n- Conflict: B\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: X\n- Commander1: Mit'hat Frashëri\n";
    let workspace = TempWorkspace::new("alias", &[("a.txt", a), ("b.txt", b)]);
    let capabilities =
        json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] } } });
    let mut client = TestClient::start_in(&workspace.0, capabilities).await;
    let at_variant = json!({ "start": { "line": 8, "character": 16 }, "end": { "line": 8, "character": 16 } });
    let ask = |range: &Value| json!({ "textDocument": { "uri": workspace.uri("b.txt") }, "range": range, "context": { "diagnostics": [] } });
    let actions = client.request("textDocument/codeAction", ask(&at_variant)).await;
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    let record = "Same person: record `Mit'hat Frashëri` as an alias of `Midhat Frashëri` in seedls.toml";
    assert!(titles.contains(&record), "{titles:?}");
    let action = actions.as_array().unwrap().iter().find(|a| a["title"] == record).unwrap();
    // No seedls.toml yet: the edit creates it with the table.
    let operations = &action["edit"]["documentChanges"];
    assert_eq!(operations[0]["kind"], "create");
    assert_eq!(operations[0]["uri"], workspace.uri("seedls.toml"));
    assert_eq!(operations[1]["edits"][0]["newText"], "[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n");
    // With a seedls.toml, the entry goes into it; nothing is written by the server itself.
    std::fs::write(workspace.0.join("seedls.toml"), "[files]\nexclude = []\n").unwrap();
    let actions = client.request("textDocument/codeAction", ask(&at_variant)).await;
    let action = actions.as_array().unwrap().iter().find(|a| a["title"] == record).unwrap();
    let operations = &action["edit"]["documentChanges"];
    assert_eq!(operations[0]["textDocument"]["uri"], workspace.uri("seedls.toml"));
    assert_eq!(operations[0]["edits"][0]["range"]["start"], json!({ "line": 2, "character": 0 }));
    assert_eq!(std::fs::read_to_string(workspace.0.join("seedls.toml")).unwrap(), "[files]\nexclude = []\n");
}

#[tokio::test]
async fn workspace_scope_pushes_closed_files_problems_to_clients_that_do_not_pull() {
    let workspace = TempWorkspace::new("scope", &[("a.txt", ALPHA), ("c.txt", "Bare title\n\n==H==\n")]);
    let options = json!({ "diagnostics": { "scope": "workspace" }, "cache": { "enabled": false } });
    let mut client = TestClient::connect();
    let root = tower_lsp_server::ls_types::Uri::from_file_path(&workspace.0).unwrap();
    client
        .request(
            "initialize",
            json!({ "capabilities": {}, "rootUri": root.as_str(), "initializationOptions": options }),
        )
        .await;
    client.notify("initialized", json!({})).await;
    let published = client.diagnostics(&workspace.uri("c.txt")).await;
    assert_eq!(codes_and_ranges(&published), ["title-missing 0:0-0:10", "heading-spacing 2:0-2:5"]);
    assert_eq!(published["version"], Value::Null, "a closed file has no version");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_takes_the_facts_from_the_cache_the_first_filled() {
    let workspace = TempWorkspace::new("facts-cache", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let cache_dir = workspace.0.join(".cache");
    let start = |dir: std::path::PathBuf| {
        let options = json!({ "cache": { "dir": dir.display().to_string() } });
        TestClient::start_with_options(&workspace.0, json!({}), options)
    };
    let mut first = start(cache_dir.clone()).await;
    let shards = || -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for folder in std::fs::read_dir(&cache_dir).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(folder.path()).into_iter().flatten().flatten() {
                if file.path().extension().is_some_and(|ext| ext == "shard") {
                    found.push(file.path());
                }
            }
        }
        found
    };
    // The shards are written in the background: wait for both.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while shards().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "two shards written: {:?}", shards());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // So is the mention index, after the indexing.
    let mention_index = || shards().first().and_then(|shard| Some(shard.parent()?.join("mentions.index")));
    while !mention_index().is_some_and(|path| path.exists()) {
        assert!(std::time::Instant::now() < deadline, "the mention index is saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mention_index = mention_index().unwrap();
    let saved_at = || std::fs::metadata(&mention_index).and_then(|metadata| metadata.modified()).ok();
    let first_saved = saved_at();
    let hover_at_listing =
        json!({ "textDocument": { "uri": workspace.uri("b.txt") }, "position": { "line": 9, "character": 16 } });
    let mut references_at_listing = hover_at_listing.clone();
    references_at_listing["context"] = json!({ "includeDeclaration": true });
    let pack = || mention_index.with_file_name("workspace.pack");
    while !pack().exists() {
        assert!(std::time::Instant::now() < deadline, "the pack is saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = first.request("textDocument/hover", hover_at_listing.clone()).await;
    let references_before = first.request("textDocument/references", references_at_listing.clone()).await;
    assert!(before["contents"]["value"].as_str().unwrap().contains("Enver Hoxha"), "{before}");
    assert!(references_before.as_array().is_some_and(|found| found.len() >= 2), "{references_before}");
    drop(first);
    // A corrupt pack and a corrupt shard are ignored (and rebuilt), never trusted.
    let corrupted = shards()[0].clone();
    std::fs::write(&corrupted, b"not a shard").unwrap();
    std::fs::write(pack(), b"not a pack").unwrap();
    let mut second = start(cache_dir.clone()).await;
    let after = second.request("textDocument/hover", hover_at_listing.clone()).await;
    assert_eq!(before, after, "the same answers from cached facts");
    while std::fs::read(&corrupted).unwrap_or_default() == b"not a shard"
        || std::fs::read(pack()).unwrap_or_default() == b"not a pack"
    {
        assert!(std::time::Instant::now() < deadline + Duration::from_secs(10), "the shard and the pack are rewritten");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Same texts, same names: the second start took the saved mention index (and so did not
    // save it again), and answers the same from it.
    let references_after = second.request("textDocument/references", references_at_listing.clone()).await;
    assert_eq!(references_before, references_after);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(saved_at(), first_saved, "the mention index was taken back, not computed again");
    drop(second);
    // With the shards gone, a third start takes every file from the pack (writing no shard:
    // it reads no file to parse), and reads the texts it needs from the files.
    for shard in shards() {
        std::fs::remove_file(shard).unwrap();
    }
    let mut third = start(cache_dir.clone()).await;
    assert_eq!(third.request("textDocument/hover", hover_at_listing).await, before);
    assert_eq!(third.request("textDocument/references", references_at_listing).await, references_before);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(shards(), Vec::<std::path::PathBuf>::new(), "no file was parsed");
    assert_eq!(saved_at(), first_saved);
    drop(third);
    // A file gone since the pack was saved leaves; one whose text changed is read again.
    std::fs::remove_file(workspace.0.join("a.txt")).unwrap();
    std::fs::write(workspace.0.join("b.txt"), BETA.replace("Enver Hoxha", "Koçi Xoxe")).unwrap();
    let mut fourth = start(cache_dir.clone()).await;
    let symbols = |query: &str| json!({ "query": query });
    let alpha = fourth.request("workspace/symbol", symbols("Alpha")).await;
    let uris: Vec<&str> =
        alpha.as_array().unwrap().iter().filter_map(|found| found["location"]["uri"].as_str()).collect();
    assert!(!uris.is_empty() && uris.iter().all(|uri| uri.ends_with("/b.txt")), "a.txt left: {alpha}");
    let found = fourth.request("workspace/symbol", symbols("Koçi Xoxe")).await;
    assert!(found.as_array().is_some_and(|found| !found.is_empty()), "b.txt read again: {found}");
    assert_eq!(fourth.request("workspace/symbol", symbols("Enver Hoxha")).await, json!([]));
}

#[tokio::test]
async fn aliases_in_seedls_toml_make_two_spellings_one_entity() {
    let a = "= A =\n\nInfobox\n- Conflict: A\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: X\n- Commander1: Midhat Frashëri\n";
    let b = "= B =\n\nInfobox\n- Conflict: B\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: X\n- Commander1: Mit'hat Frashëri\n";
    let toml = "[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n";
    let workspace = TempWorkspace::new("aliases", &[("a.txt", a), ("b.txt", b), ("seedls.toml", toml)]);
    let mut client = TestClient::start_in(&workspace.0, json!({ "textDocument": { "diagnostic": {} } })).await;
    let at_variant =
        json!({ "textDocument": { "uri": workspace.uri("b.txt") }, "position": { "line": 8, "character": 16 } });
    let hover = client.request("textDocument/hover", at_variant.clone()).await;
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.starts_with("**Midhat Frashëri** — Person"), "{markdown}");
    assert!(markdown.contains("Id `person:midhat-frasheri`"), "{markdown}");
    let references = client
        .request("textDocument/references", json!({ "textDocument": at_variant["textDocument"], "position": at_variant["position"], "context": { "includeDeclaration": true } }))
        .await;
    let files: Vec<&str> =
        references.as_array().unwrap().iter().map(|r| r["uri"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(files, ["a.txt", "b.txt"]);
    let report =
        client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": workspace.uri("b.txt") } })).await;
    assert_eq!(report["items"], json!([]), "no name-variant for an aliased pair");
}

/// What the hooks of `the_binary_s_hooks_run_around_each_indexing_run` saw, in order.
static HOOK_CALLS: std::sync::Mutex<Vec<&str>> = std::sync::Mutex::new(Vec::new());

#[tokio::test]
async fn the_binary_s_hooks_run_around_each_indexing_run() {
    let workspace = TempWorkspace::new("hooks", &[("a.txt", ALPHA), ("b.txt", BETA)]);
    let hooks = crate::lsp::IndexingHooks {
        started: || HOOK_CALLS.lock().unwrap().push("started"),
        ended: || HOOK_CALLS.lock().unwrap().push("ended"),
    };
    let options = json!({ "cache": { "enabled": false } });
    let mut client = TestClient::start_with_hooks(&workspace.0, json!({}), options, hooks).await;
    // Both ran before the run said it was done.
    assert_eq!(*HOOK_CALLS.lock().unwrap(), ["started", "ended"]);
    // A second folder is a second run.
    let other = TempWorkspace::new("hooks-other", &[("c.txt", ALPHA)]);
    let uri = tower_lsp_server::ls_types::Uri::from_file_path(&other.0).expect("a file URI");
    client
        .notify(
            "workspace/didChangeWorkspaceFolders",
            json!({ "event": { "added": [{ "uri": uri.as_str(), "name": "other" }], "removed": [] } }),
        )
        .await;
    client.wait_for_notification("seedls/entitiesChanged").await;
    assert_eq!(*HOOK_CALLS.lock().unwrap(), ["started", "ended", "started", "ended"]);
}
