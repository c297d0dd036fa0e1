//! Conversions between the protocol's types and the core's plain data. Positions go through
//! `crate::position` (the one module that counts columns); this file only maps shapes.

use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use crate::ide::TextEdit;
use crate::ide::diagnostics::{Diagnostic, Severity};
use crate::ide::semantic_tokens::{SemanticToken, TokenKind};
use crate::ide::symbols::{DocumentSymbol, SymbolKind};
use crate::index::{EntityKind, SharedText};
use crate::position::{Encoding, LineCol, LineIndex, line_col_once, range_once, ranges_once};
use crate::syntax::TextRange;

/// The key a document is known by: for a `file:` URI, the URI the server itself makes from
/// the file's path, so that every spelling of one file (`%28` or `(`, `%C3%87` or `%c3%87`,
/// as editors differ) is one document; any other URI as it is.
pub(crate) fn document_key(uri: &lsp::Uri) -> String {
    uri.to_file_path().and_then(|path| file_key(&path)).unwrap_or_else(|| uri.as_str().to_string())
}

pub(crate) use crate::scan::file_key;

/// A text with what is needed to convert positions in it: a line index for documents being
/// edited (asked often), none for closed files (asked once, near their start, by navigation
/// answers across thousands of files).
#[derive(Clone)]
pub(crate) struct LineMap {
    pub(crate) text: SharedText,
    index: Option<Arc<LineIndex>>,
    pub(crate) encoding: Encoding,
}

impl LineMap {
    pub(crate) fn new(text: impl Into<SharedText>, encoding: Encoding) -> LineMap {
        let text = text.into();
        let index = Some(Arc::new(LineIndex::new(&text)));
        LineMap { text, index, encoding }
    }

    pub(crate) fn without_index(text: SharedText, encoding: Encoding) -> LineMap {
        LineMap { text, index: None, encoding }
    }

    pub(crate) fn offset(&self, position: lsp::Position) -> usize {
        let at = LineCol { line: position.line, col: position.character };
        match &self.index {
            Some(index) => index.offset(&self.text, at, self.encoding),
            None => LineIndex::new(&self.text).offset(&self.text, at, self.encoding),
        }
    }

    pub(crate) fn text_range(&self, range: lsp::Range) -> TextRange {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        TextRange::new(start, end)
    }

    pub(crate) fn position(&self, offset: usize) -> lsp::Position {
        let at = match &self.index {
            Some(index) => index.line_col(&self.text, offset, self.encoding),
            None => line_col_once(&self.text, offset, self.encoding),
        };
        lsp::Position { line: at.line, character: at.col }
    }

    pub(crate) fn range(&self, range: TextRange) -> lsp::Range {
        if self.index.is_none() {
            let (start, end) = range_once(&self.text, range.start(), range.end(), self.encoding);
            let position = |at: LineCol| lsp::Position { line: at.line, character: at.col };
            return lsp::Range { start: position(start), end: position(end) };
        }
        lsp::Range { start: self.position(range.start()), end: self.position(range.end()) }
    }

    /// Many ranges of the text, ascending: without a line index, in one pass over the text up
    /// to the last of them.
    pub(crate) fn ranges(&self, ranges: impl Iterator<Item = TextRange>) -> Vec<lsp::Range> {
        if self.index.is_some() {
            return ranges.map(|range| self.range(range)).collect();
        }
        let ranges: Vec<(usize, usize)> = ranges.map(|range| (range.start(), range.end())).collect();
        let position = |at: LineCol| lsp::Position { line: at.line, character: at.col };
        ranges_once(&self.text, &ranges, self.encoding)
            .into_iter()
            .map(|(start, end)| lsp::Range { start: position(start), end: position(end) })
            .collect()
    }

    pub(crate) fn text_edit(&self, edit: &TextEdit) -> lsp::TextEdit {
        lsp::TextEdit { range: self.range(edit.range), new_text: edit.new_text.clone() }
    }
}

pub(crate) fn encoding_kind(encoding: Encoding) -> lsp::PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 | Encoding::Chars => lsp::PositionEncodingKind::UTF16,
    }
}

/// UTF-8 when the client offers it (no conversion at all), else the protocol's UTF-16 default.
pub(crate) fn negotiate_encoding(capabilities: &lsp::ClientCapabilities) -> Encoding {
    let offered = capabilities.general.as_ref().and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&lsp::PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

pub(crate) fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub(crate) fn diagnostic(map: &LineMap, diagnostic: &Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: map.range(diagnostic.range),
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(diagnostic.code.to_string())),
        source: Some("seedls".to_string()),
        message: diagnostic.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

/// A problem in `seedls.toml`, as a diagnostic on that file.
pub(crate) fn config_diagnostic(map: &LineMap, error: &crate::index::config::ConfigError) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: map.range(error.range),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String(crate::codes::Code::ConfigError.as_str().to_string())),
        source: Some("seedls".to_string()),
        message: error.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

pub(crate) fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Title => lsp::SymbolKind::FILE,
        SymbolKind::Infobox => lsp::SymbolKind::STRUCT,
        SymbolKind::InfoboxKey => lsp::SymbolKind::FIELD,
        SymbolKind::Section => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Entity(kind) => entity_symbol_kind(kind),
    }
}

pub(crate) fn entity_symbol_kind(kind: EntityKind) -> lsp::SymbolKind {
    match kind {
        EntityKind::Article => lsp::SymbolKind::FILE,
        EntityKind::Person => lsp::SymbolKind::CONSTANT,
        EntityKind::Belligerent => lsp::SymbolKind::CLASS,
        EntityKind::Unit => lsp::SymbolKind::STRUCT,
        EntityKind::Place => lsp::SymbolKind::ENUM_MEMBER,
        EntityKind::Conflict => lsp::SymbolKind::EVENT,
    }
}

pub(crate) fn completion_kind(kind: crate::ide::completion::CompletionKind) -> lsp::CompletionItemKind {
    use crate::ide::completion::CompletionKind;
    match kind {
        CompletionKind::InfoboxKey => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Entity(EntityKind::Article) => lsp::CompletionItemKind::FILE,
        CompletionKind::Entity(EntityKind::Person) => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Entity(EntityKind::Belligerent) => lsp::CompletionItemKind::CLASS,
        CompletionKind::Entity(EntityKind::Unit) => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Entity(EntityKind::Place) => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Entity(EntityKind::Conflict) => lsp::CompletionItemKind::EVENT,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
pub(crate) fn document_symbol(map: &LineMap, symbol: &DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if symbol.name.is_empty() { "(untitled)".to_string() } else { symbol.name.clone() },
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: map.range(symbol.range),
        selection_range: map.range(symbol.selection),
        children: Some(symbol.children.iter().map(|child| document_symbol(map, child)).collect()),
    }
}

/// The legend of semantic token types, in the order [`token_type_index`] uses.
pub(crate) const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::NAMESPACE,   // article
    lsp::SemanticTokenType::VARIABLE,    // person
    lsp::SemanticTokenType::TYPE,        // belligerent
    lsp::SemanticTokenType::CLASS,       // unit
    lsp::SemanticTokenType::ENUM_MEMBER, // place
    lsp::SemanticTokenType::EVENT,       // conflict
    lsp::SemanticTokenType::PROPERTY,    // infobox key
    lsp::SemanticTokenType::NUMBER,      // side number
    lsp::SemanticTokenType::COMMENT,     // citation marker
];

fn token_type_index(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Entity(EntityKind::Article) => 0,
        TokenKind::Entity(EntityKind::Person) => 1,
        TokenKind::Entity(EntityKind::Belligerent) => 2,
        TokenKind::Entity(EntityKind::Unit) => 3,
        TokenKind::Entity(EntityKind::Place) => 4,
        TokenKind::Entity(EntityKind::Conflict) => 5,
        TokenKind::InfoboxKey => 6,
        TokenKind::SideNumber => 7,
        TokenKind::Citation => 8,
    }
}

/// Encodes tokens relative to each other, as the protocol wants. Tokens never span lines.
pub(crate) fn semantic_tokens(map: &LineMap, tokens: &[SemanticToken]) -> Vec<lsp::SemanticToken> {
    let mut previous = lsp::Position::default();
    let mut encoded = Vec::with_capacity(tokens.len());
    for token in tokens {
        let start = map.position(token.range.start());
        let end = map.position(token.range.end());
        if end.line != start.line {
            continue;
        }
        let delta_line = start.line - previous.line;
        let delta_start = if delta_line == 0 { start.character - previous.character } else { start.character };
        encoded.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: token_type_index(token.kind),
            token_modifiers_bitset: 0,
        });
        previous = start;
    }
    encoded
}
