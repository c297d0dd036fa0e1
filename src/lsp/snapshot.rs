//! An immutable view of the server's state, taken when a request arrives and read on a
//! worker thread: the workspace, the open documents' versions and line maps, the settings.
//! Cloning one is a few pointer copies; nothing in it is ever changed, so a request reads
//! it without any lock while the next keystroke is applied to the state.

use std::str::FromStr;
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use crate::ide::diagnostics::SeverityOverrides;
use crate::index::{FileId, Workspace};
use crate::lsp::convert::{self, LineMap};
use crate::lsp::state::ClientFlags;
use crate::position::Encoding;
use crate::syntax::TextRange;

/// An open document as a snapshot sees it.
#[derive(Clone)]
pub(crate) struct OpenView {
    pub(crate) version: i32,
    /// Indexed once per change of the document (open documents are asked often).
    pub(crate) line_map: LineMap,
}

/// The open documents' views by key. Hashed with foldhash: a references answer looks up each
/// of thousands of files here, and SipHash on their URIs was a tenth of it.
pub(crate) type OpenViews = foldhash::HashMap<String, OpenView>;

/// Up to this many open documents, a file's view is found by its text's address.
const FEW_OPEN: usize = 16;

#[derive(Clone)]
pub(crate) struct Snapshot {
    pub(crate) workspace: Arc<Workspace>,
    pub(crate) open: Arc<OpenViews>,
    pub(crate) encoding: Encoding,
    pub(crate) flags: ClientFlags,
    pub(crate) overrides: Arc<SeverityOverrides>,
    /// See `State::epoch`: changes when other files' names or the settings change.
    pub(crate) epoch: u64,
    /// The workspace folders (where a `seedls.toml` belongs).
    pub(crate) roots: Arc<Vec<std::path::PathBuf>>,
}

impl Snapshot {
    pub(crate) fn file_id(&self, uri: &lsp::Uri) -> Option<FileId> {
        self.workspace.file_id(&convert::document_key(uri))
    }

    pub(crate) fn version(&self, key: &str) -> Option<i32> {
        self.open.get(key).map(|view| view.version)
    }

    /// The line map of a file's text in this snapshot: the indexed one of an open document,
    /// else one that converts by scanning (answers across thousands of files keep nothing).
    pub(crate) fn line_map(&self, file: FileId) -> Option<LineMap> {
        let source = self.workspace.file(file)?;
        let text = source.text();
        // An open document's text is its view's. With a few documents open, their texts are
        // compared by address: hashing the URI of each of a references answer's 19,000
        // files was a thirtieth of it.
        let view = if self.open.len() <= FEW_OPEN {
            self.open.values().find(|view| view.line_map.text.same_as(text))
        } else {
            self.open.get(&*source.path).filter(|view| view.line_map.text.same_as(text))
        };
        if let Some(view) = view {
            return Some(view.line_map.clone());
        }
        Some(LineMap::without_index(text.clone(), self.encoding))
    }

    pub(crate) fn uri(&self, file: FileId) -> Option<lsp::Uri> {
        lsp::Uri::from_str(&self.workspace.file(file)?.path).ok()
    }

    pub(crate) fn location(&self, file: FileId, range: TextRange) -> Option<lsp::Location> {
        let map = self.line_map(file)?;
        Some(lsp::Location { uri: self.uri(file)?, range: map.range(range) })
    }

    /// The workspace folder a file belongs to (the deepest that holds it).
    pub(crate) fn root_of(&self, file: FileId) -> Option<&std::path::Path> {
        let path = self.uri(file)?.to_file_path()?.into_owned();
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .map(|root| root.as_path())
    }

    /// A file of the workspace with its line map, for a request about `uri`.
    pub(crate) fn file_with_map(&self, uri: &lsp::Uri) -> Option<(FileId, LineMap)> {
        let file = self.file_id(uri)?;
        Some((file, self.line_map(file)?))
    }
}
