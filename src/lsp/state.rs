//! The server's state: open documents (ropes, versions), the workspace index, settings, and
//! a cache of line maps for turning core ranges into protocol positions.
//!
//! Everything here is synchronous. Handlers lock the state, do their work, and release it
//! before any `.await`, so edits are applied in the order they arrive.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::ide::diagnostics::{Severity, SeverityOverrides};
use crate::index::config::Config;
use crate::index::{FileId, Workspace};
use crate::lsp::convert::LineMap;
use crate::position::{Encoding, LineCol, RopeLines};
use crate::syntax::MAX_DOCUMENT_BYTES;

pub(crate) struct OpenDocument {
    pub(crate) rope: Rope,
    pub(crate) version: i32,
}

/// What the client said it can do, as far as the server cares.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClientFlags {
    pub(crate) document_changes: bool,
    pub(crate) dynamic_watched_files: bool,
    pub(crate) work_done_progress: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) encoding: Encoding,
    pub(crate) workspace: Workspace,
    pub(crate) open: HashMap<String, OpenDocument>,
    pub(crate) config: Config,
    pub(crate) client_severities: SeverityOverrides,
    pub(crate) roots: Vec<std::path::PathBuf>,
    pub(crate) flags: ClientFlags,
    line_maps: HashMap<FileId, LineMap>,
}

impl State {
    pub(crate) fn open_document(&mut self, uri: &str, text: String, version: i32) -> Result<FileId, String> {
        check_size(text.len())?;
        let rope = Rope::from_str(&text);
        self.open.insert(uri.to_string(), OpenDocument { rope, version });
        Ok(self.workspace.set_file(uri, Arc::from(text)))
    }

    /// Applies an editor's changes in order. A change whose version is not newer than the
    /// document's is refused: applying it would corrupt the text.
    pub(crate) fn change_document(
        &mut self,
        uri: &str,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) -> Result<FileId, String> {
        let encoding = self.encoding;
        let document = self.open.get_mut(uri).ok_or_else(|| format!("change to {uri}, which is not open"))?;
        if version <= document.version {
            return Err(format!(
                "change to {uri} at version {version}, but it is already at version {}",
                document.version
            ));
        }
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = RopeLines(&document.rope);
                    let start =
                        lines.char_index(LineCol { line: range.start.line, col: range.start.character }, encoding);
                    let end = lines
                        .char_index(LineCol { line: range.end.line, col: range.end.character }, encoding)
                        .max(start);
                    document.rope.remove(start..end);
                    document.rope.insert(start, &change.text);
                }
                None => document.rope = Rope::from_str(&change.text),
            }
        }
        check_size(document.rope.len_bytes())?;
        document.version = version;
        let text: Arc<str> = Arc::from(document.rope.to_string());
        Ok(self.workspace.set_file(uri, text))
    }

    pub(crate) fn close_document(&mut self, uri: &str) {
        self.open.remove(uri);
        if let Some(file) = self.workspace.file_id(uri) {
            self.line_maps.remove(&file);
        }
    }

    pub(crate) fn version(&self, uri: &str) -> Option<i32> {
        self.open.get(uri).map(|document| document.version)
    }

    /// The line map of a file's current text. Open documents' maps are indexed and cached
    /// until their text changes; a closed file's map converts by scanning (answers across
    /// thousands of files then build and keep nothing).
    pub(crate) fn line_map(&mut self, file: FileId) -> Option<LineMap> {
        let source = self.workspace.file(file)?;
        if let Some(map) = self.line_maps.get(&file)
            && Arc::ptr_eq(&map.text, &source.text)
            && map.encoding == self.encoding
        {
            return Some(map.clone());
        }
        if !self.open.contains_key(&source.path) {
            return Some(LineMap::without_index(source.text.clone(), self.encoding));
        }
        let map = LineMap::new(source.text.clone(), self.encoding);
        self.line_maps.insert(file, map.clone());
        Some(map)
    }

    pub(crate) fn uri(&self, file: FileId) -> Option<lsp::Uri> {
        lsp::Uri::from_str(&self.workspace.file(file)?.path).ok()
    }

    pub(crate) fn location(&mut self, file: FileId, range: crate::syntax::TextRange) -> Option<lsp::Location> {
        let map = self.line_map(file)?;
        Some(lsp::Location { uri: self.uri(file)?, range: map.range(range) })
    }

    /// The severities in force: seedls.toml, then the editor's settings on top.
    pub(crate) fn overrides(&self) -> SeverityOverrides {
        let mut merged = self.config.severities.0.clone();
        merged.extend(self.client_severities.0.clone());
        SeverityOverrides(merged)
    }

    pub(crate) fn forget_line_map(&mut self, file: FileId) {
        self.line_maps.remove(&file);
    }
}

fn check_size(len: usize) -> Result<(), String> {
    if len > MAX_DOCUMENT_BYTES {
        return Err(format!("document of {len} bytes is over the {MAX_DOCUMENT_BYTES}-byte limit; it is not analysed"));
    }
    Ok(())
}

/// Reads `{"diagnostics": {"severity": {"code": "warning" | "off", ...}}}` from the editor's
/// settings. Unknown codes and levels are reported back, not fatal.
pub(crate) fn severities_from_settings(settings: &serde_json::Value) -> (SeverityOverrides, Vec<String>) {
    let settings = settings.get("seedls").unwrap_or(settings);
    let mut overrides = HashMap::new();
    let mut problems = Vec::new();
    let Some(table) = settings.pointer("/diagnostics/severity").and_then(serde_json::Value::as_object) else {
        return (SeverityOverrides::default(), problems);
    };
    for (name, level) in table {
        let Some(code) = crate::codes::Code::parse(name) else {
            problems.push(format!("seedls.diagnostics.severity: unknown code `{name}`"));
            continue;
        };
        match level.as_str() {
            Some("off") => {
                overrides.insert(code, None);
            }
            Some(word) if Severity::parse(word).is_some() => {
                overrides.insert(code, Severity::parse(word));
            }
            _ => problems.push(format!(
                "seedls.diagnostics.severity.{code}: `{level}` is not error, warning, information, hint or off"
            )),
        }
    }
    (SeverityOverrides(overrides), problems)
}
