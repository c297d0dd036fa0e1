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
    async fn start(capabilities: Value) -> TestClient {
        let (service, socket) = LspService::new(Server::new);
        let (sender, from_server) = mpsc::unbounded_channel();
        tokio::spawn(socket.for_each(move |request| {
            let _ = sender.send(request);
            futures::future::ready(())
        }));
        let mut client = TestClient { service: CatchPanic::new(service), from_server, next_id: 0 };
        let result = client.request("initialize", json!({ "capabilities": capabilities })).await;
        assert!(result.get("capabilities").is_some(), "{result}");
        client.notify("initialized", json!({})).await;
        client
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
    let published = client.diagnostics(URI).await;
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
    let published = client.diagnostics(URI).await;
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
    let published = client.diagnostics_for_any(&[escaped, plain]).await;
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
