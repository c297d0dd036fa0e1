//! The request handlers: each a translation from protocol parameters to one `ide` call on a
//! snapshot, and from its plain answer back to protocol types. They run on worker threads
//! (see `dispatch`) and never touch the server's state.

use std::collections::{BTreeMap, HashMap};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::ide;
use crate::index::{EntityKind, FileId};
use crate::lsp::convert::{self, LineMap};
use crate::lsp::dispatch::invalid_params;
use crate::lsp::raw_answers::{JsonPieces, RawSlot, sent_json, sent_raw};
use crate::lsp::snapshot::Snapshot;

/// The command the backlink code lens carries; the VS Code extension turns it into
/// `editor.action.showReferences`. Its arguments: the document's URI, the lens position and
/// the locations of the linking articles.
pub(crate) const SHOW_REFERENCES_COMMAND: &str = "seedls.showReferences";
/// The command other clients execute (`workspace/executeCommand`, argument: a document URI)
/// to get the locations behind the backlink lens.
pub(crate) const BACKLINKS_COMMAND: &str = "seedls.backlinks";

pub(crate) fn hover(snapshot: &Snapshot, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
    let position = params.text_document_position_params;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let Some(info) = ide::hover::hover(&snapshot.workspace, file, map.offset(position.position)) else {
        return Ok(None);
    };
    Ok(Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: info.markdown,
        }),
        range: Some(map.range(info.range)),
    }))
}

pub(crate) fn goto_definition(
    snapshot: &Snapshot,
    params: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>> {
    let position = params.text_document_position_params;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let targets = ide::goto_definition::goto_definition(&snapshot.workspace, file, map.offset(position.position));
    let locations: Vec<lsp::Location> =
        targets.iter().filter_map(|target| snapshot.location(target.file, target.focus)).collect();
    Ok((!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations)))
}

/// References. With a `slot` (the server over stdio), sent as JSON written directly (see
/// [`locations_json`]).
pub(crate) fn references(
    snapshot: &Snapshot,
    params: lsp::ReferenceParams,
    slot: Option<RawSlot>,
) -> Result<Option<Vec<lsp::Location>>> {
    let position = params.text_document_position;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let offset = map.offset(position.position);
    let include_declaration = params.context.include_declaration;
    let search = ide::references::search_references(&snapshot.workspace, file, offset, include_declaration);
    Ok(Some(match (slot, search) {
        (Some(slot), Some(search)) => sent_json(slot, locations_json(snapshot, &search), Vec::new),
        (slot, search) => {
            let references = search.map(|search| search.all()).unwrap_or_default();
            let locations = locations(snapshot, references.iter().map(|reference| (reference.file, reference.range)));
            sent_raw(slot, locations, Vec::new)
        }
    }))
}

/// Ranges grouped in runs of one file (the features give them grouped by file).
fn runs_by_file(
    ranges: impl Iterator<Item = (FileId, crate::syntax::TextRange)>,
) -> Vec<(FileId, Vec<crate::syntax::TextRange>)> {
    let mut runs: Vec<(FileId, Vec<crate::syntax::TextRange>)> = Vec::new();
    for (file, range) in ranges {
        match runs.last_mut() {
            Some((last, file_ranges)) if *last == file => file_ranges.push(range),
            _ => runs.push((file, vec![range])),
        }
    }
    runs
}

/// Locations of many ranges, converting each file's positions with one line map. Files are
/// converted in parallel, cancellably: a references answer can hold thousands.
fn locations(
    snapshot: &Snapshot,
    ranges: impl Iterator<Item = (FileId, crate::syntax::TextRange)>,
) -> Vec<lsp::Location> {
    let converted = crate::cancel::parallel_map(&runs_by_file(ranges), |(file, file_ranges)| {
        let (Some(map), Some(uri)) = (snapshot.line_map(*file), snapshot.uri(*file)) else { return Vec::new() };
        // Several places in one closed file: converted in one pass over its text.
        let ranges = map.ranges(file_ranges.iter().copied());
        ranges.into_iter().map(|range| lsp::Location { uri: uri.clone(), range }).collect()
    });
    converted.into_iter().flatten().collect()
}

/// The JSON of [`locations`] of a references search, byte for byte, written on the
/// parallel pool a file at a time (as [`document_changes_json`] is, for the same reasons):
/// the 26,541 references of the most common entity at 50,000 articles are 4.5 MB. Each
/// file's references are found, converted and written in one pass, while its text is in
/// the cache: as three passes (find, convert, write), each read the 19,000 texts again.
fn locations_json(snapshot: &Snapshot, search: &ide::references::ReferenceSearch<'_>) -> JsonPieces {
    let parts = crate::cancel::parallel_map(search.files(), |&file| {
        let mut part = Vec::new();
        let references = search.in_file(file);
        if references.is_empty() {
            return part;
        }
        let (Some(map), Some(source)) = (snapshot.line_map(file), snapshot.workspace.file(file)) else {
            return part;
        };
        // Each `{"uri":…,"range":…}` as `lsp::Location` serializes, with the file's URI
        // escaped once for all its references (writing into a vector fails only for a type
        // that cannot be JSON) and the range's numbers written directly: serde escaped each
        // of a range's six keys anew, 160,000 times over the most common entity at 50k.
        let mut uri = Vec::with_capacity(source.path.len() + 2);
        let _ = serde_json::to_writer(&mut uri, &*source.path);
        part.reserve(references.len() * (uri.len() + 90));
        for (index, range) in map.ranges(references.iter().map(|reference| reference.range)).into_iter().enumerate() {
            if index > 0 {
                part.push(b',');
            }
            part.extend_from_slice(b"{\"uri\":");
            part.extend_from_slice(&uri);
            part.extend_from_slice(b",\"range\":");
            write_range_json(&mut part, range);
            part.push(b'}');
        }
        part
    });
    JsonPieces::joined(b"[", parts, b"]")
}

/// A range's JSON, byte for byte as serde writes `lsp::Range`.
fn write_range_json(out: &mut Vec<u8>, range: lsp::Range) {
    out.extend_from_slice(b"{\"start\":{\"line\":");
    write_number(out, range.start.line);
    out.extend_from_slice(b",\"character\":");
    write_number(out, range.start.character);
    out.extend_from_slice(b"},\"end\":{\"line\":");
    write_number(out, range.end.line);
    out.extend_from_slice(b",\"character\":");
    write_number(out, range.end.character);
    out.extend_from_slice(b"}}");
}

fn write_number(out: &mut Vec<u8>, mut number: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

pub(crate) fn document_highlight(
    snapshot: &Snapshot,
    params: lsp::DocumentHighlightParams,
) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
    let position = params.text_document_position_params;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let highlights =
        ide::document_highlight::document_highlight(&snapshot.workspace, file, map.offset(position.position));
    Ok(Some(
        highlights
            .into_iter()
            .map(|highlight| lsp::DocumentHighlight {
                range: map.range(highlight.range),
                kind: Some(if highlight.is_declaration {
                    lsp::DocumentHighlightKind::WRITE
                } else {
                    lsp::DocumentHighlightKind::READ
                }),
            })
            .collect(),
    ))
}

pub(crate) fn prepare_rename(
    snapshot: &Snapshot,
    params: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    match ide::rename::prepare_rename(&snapshot.workspace, file, map.offset(params.position)) {
        Ok((range, placeholder)) => {
            Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range: map.range(range), placeholder }))
        }
        Err(ide::rename::RenameError(message)) => Err(invalid_params(message)),
    }
}

/// A rename's workspace edit. With a `slot` (the server over stdio), sent as JSON written
/// directly: see [`document_changes_json`].
pub(crate) fn rename(
    snapshot: &Snapshot,
    params: lsp::RenameParams,
    slot: Option<RawSlot>,
) -> Result<Option<lsp::WorkspaceEdit>> {
    let position = params.text_document_position;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let plan =
        match ide::rename::plan_rename(&snapshot.workspace, file, map.offset(position.position), &params.new_name) {
            Ok(plan) => plan,
            Err(ide::rename::RenameError(message)) => return Err(invalid_params(message)),
        };
    let slot = match slot {
        Some(slot) if snapshot.flags.document_changes => {
            let json = document_changes_json(snapshot, plan.files(), |file| {
                plan.ranges_in(file).into_iter().map(|range| (range, plan.new_name())).collect()
            });
            return Ok(Some(sent_json(slot, json, lsp::WorkspaceEdit::default)));
        }
        slot => slot,
    };
    let change = plan.change();
    let answer = sent_raw(slot, workspace_edit(snapshot, &change.edits, Vec::new()), lsp::WorkspaceEdit::default);
    // The edits of thousands of files are freed on the pool, not before the answer goes.
    rayon::spawn(move || drop(change));
    Ok(Some(answer))
}

pub(crate) fn completion(
    snapshot: &Snapshot,
    params: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>> {
    let position = params.text_document_position;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let completions = ide::completion::completions(&snapshot.workspace, file, map.offset(position.position));
    let items = completions
        .items
        .into_iter()
        .map(|item| lsp::CompletionItem {
            label: item.label.clone(),
            kind: Some(convert::completion_kind(item.kind)),
            detail: Some(item.detail),
            sort_text: Some(item.sort_text),
            filter_text: Some(item.label),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range: map.range(item.replace),
                new_text: item.insert_text,
            })),
            ..lsp::CompletionItem::default()
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: completions.is_incomplete, items })))
}

pub(crate) fn document_symbol(
    snapshot: &Snapshot,
    params: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let Some(source) = snapshot.workspace.file(file) else { return Ok(None) };
    let symbols = ide::symbols::document_symbols(source.text(), &source.document());
    Ok(Some(lsp::DocumentSymbolResponse::Nested(
        symbols.iter().map(|symbol| convert::document_symbol(&map, symbol)).collect(),
    )))
}

pub(crate) fn workspace_symbol(
    snapshot: &Snapshot,
    params: lsp::WorkspaceSymbolParams,
) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
    // Gathering every title and name takes milliseconds at 50,000 articles: on the pool,
    // whose threads yield to the transport (a `$/cancelRequest` waited a time slice here).
    let symbols =
        crate::cancel::on_the_pool(|| ide::symbols::workspace_symbols(&snapshot.workspace, &params.query, 200));
    let converted = symbols
        .into_iter()
        .filter_map(|symbol| {
            #[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
            Some(lsp::SymbolInformation {
                name: symbol.name,
                kind: convert::symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                location: snapshot.location(symbol.file, symbol.range)?,
                container_name: symbol.container,
            })
        })
        .collect();
    Ok(Some(lsp::WorkspaceSymbolResponse::Flat(converted)))
}

pub(crate) fn folding_range(
    snapshot: &Snapshot,
    params: lsp::FoldingRangeParams,
) -> Result<Option<Vec<lsp::FoldingRange>>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let Some(source) = snapshot.workspace.file(file) else { return Ok(None) };
    Ok(Some(
        ide::folding::folding_ranges(source.text(), &source.document())
            .into_iter()
            .map(|range| {
                let range = map.range(range);
                lsp::FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    kind: Some(lsp::FoldingRangeKind::Region),
                    ..lsp::FoldingRange::default()
                }
            })
            .filter(|fold| fold.end_line > fold.start_line)
            .collect(),
    ))
}

pub(crate) fn code_action(
    snapshot: &Snapshot,
    params: lsp::CodeActionParams,
) -> Result<Option<lsp::CodeActionResponse>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let actions =
        ide::code_actions::code_actions(&snapshot.workspace, file, map.text_range(params.range), &snapshot.overrides);
    let mut answer: Vec<lsp::CodeActionOrCommand> = record_alias_actions(snapshot, file, &actions);
    answer.extend(actions.into_iter().map(|action| {
        let diagnostic = convert::diagnostic(&map, &action.diagnostic);
        let edit = workspace_edit(snapshot, &BTreeMap::from([(file, action.edits)]), Vec::new());
        lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: action.title,
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            edit: Some(edit),
            is_preferred: Some(action.is_preferred),
            ..lsp::CodeAction::default()
        })
    }));
    answer.extend(create_article_actions(snapshot, file, &map, params.range));
    Ok(Some(answer))
}

/// "Same person: record an alias" beside each `name-variant` fix: an edit to the workspace
/// folder's `seedls.toml`, or its creation for clients that can create files.
fn record_alias_actions(
    snapshot: &Snapshot,
    file: FileId,
    actions: &[ide::code_actions::CodeAction],
) -> Vec<lsp::CodeActionOrCommand> {
    let Some(source) = snapshot.workspace.file(file) else { return Vec::new() };
    let Some(root) = snapshot.root_of(file) else { return Vec::new() };
    let config_path = root.join("seedls.toml");
    let Some(config_uri) = lsp::Uri::from_file_path(&config_path) else { return Vec::new() };
    let mut config_text: Option<Option<String>> = None;
    let mut answer = Vec::new();
    for action in actions.iter().filter(|action| action.diagnostic.code == crate::codes::Code::NameVariant) {
        let alias = action.diagnostic.range.slice(source.text());
        let Some(canonical) = action.edits.first().map(|edit| edit.new_text.as_str()) else { continue };
        // Read once, and only when there is something to offer.
        let text = config_text.get_or_insert_with(|| std::fs::read_to_string(&config_path).ok());
        if text.is_none() && !(snapshot.flags.create_files && snapshot.flags.document_changes) {
            continue;
        }
        let edit = ide::record_alias::record_alias(text.as_deref(), alias, canonical);
        let map = LineMap::new(std::sync::Arc::from(text.as_deref().unwrap_or("")), snapshot.encoding);
        let edit = map.text_edit(&edit);
        let workspace_edit = match (text.is_some(), snapshot.flags.document_changes) {
            (true, false) => lsp::WorkspaceEdit {
                changes: Some(HashMap::from([(config_uri.clone(), vec![edit])])),
                ..lsp::WorkspaceEdit::default()
            },
            (exists, _) => {
                let mut operations = Vec::new();
                if !exists {
                    operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                        uri: config_uri.clone(),
                        options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                        annotation_id: None,
                    })));
                }
                operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri: config_uri.clone(),
                        version: None,
                    },
                    edits: vec![lsp::OneOf::Left(edit)],
                }));
                lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Operations(operations)),
                    ..lsp::WorkspaceEdit::default()
                }
            }
        };
        let kind = snapshot.workspace.entity_kind(canonical).map_or("entity", |kind| kind.label()).to_lowercase();
        answer.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: format!("Same {kind}: record `{alias}` as an alias of `{canonical}` in seedls.toml"),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            edit: Some(workspace_edit),
            ..lsp::CodeAction::default()
        }));
    }
    answer
}

/// "Create article `T`" on an unresolved See-also link: a new file beside this one, made by a
/// `CreateFile` operation and filled by an edit. Only for clients that can create files.
fn create_article_actions(
    snapshot: &Snapshot,
    file: FileId,
    map: &LineMap,
    range: lsp::Range,
) -> Vec<lsp::CodeActionOrCommand> {
    if !snapshot.flags.create_files || !snapshot.flags.document_changes {
        return Vec::new();
    }
    let Some(source) = snapshot.workspace.file(file) else { return Vec::new() };
    let Some(current) = snapshot.uri(file).and_then(|uri| uri.to_file_path().map(|path| path.into_owned())) else {
        return Vec::new();
    };
    let Some(folder) = current.parent() else { return Vec::new() };
    let wanted = map.text_range(range);
    ide::create_article::unresolved_links(&snapshot.workspace, file)
        .into_iter()
        .filter(|link| link.range.intersects(wanted) || link.range.touches(wanted.start()))
        .filter_map(|link| {
            let new_article = ide::create_article::new_article(
                &link.name,
                source.facts.title.as_ref().map(|t| t.0.as_str()),
                &snapshot.workspace.schema,
            );
            let path = folder.join(&new_article.file_name);
            let uri = lsp::Uri::from_file_path(&path)?;
            let operations = vec![
                lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                    uri: uri.clone(),
                    options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                    annotation_id: None,
                })),
                lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![lsp::OneOf::Left(lsp::TextEdit {
                        range: lsp::Range::default(),
                        new_text: new_article.text,
                    })],
                }),
            ];
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Create article `{}`", link.name),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                edit: Some(lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Operations(operations)),
                    ..lsp::WorkspaceEdit::default()
                }),
                ..lsp::CodeAction::default()
            }))
        })
        .collect()
}

pub(crate) fn formatting(
    snapshot: &Snapshot,
    params: lsp::DocumentFormattingParams,
) -> Result<Option<Vec<lsp::TextEdit>>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let Some(source) = snapshot.workspace.file(file) else { return Ok(None) };
    Ok(Some(
        ide::formatting::format(source.text(), &source.document()).iter().map(|edit| map.text_edit(edit)).collect(),
    ))
}

pub(crate) fn semantic_tokens(
    snapshot: &Snapshot,
    uri: &lsp::Uri,
    range: Option<lsp::Range>,
) -> Result<Option<lsp::SemanticTokens>> {
    let Some((file, map)) = snapshot.file_with_map(uri) else { return Ok(None) };
    let wanted = range.map(|range| map.text_range(range));
    let tokens = ide::semantic_tokens::semantic_tokens(&snapshot.workspace, file, wanted);
    Ok(Some(lsp::SemanticTokens { result_id: None, data: convert::semantic_tokens(&map, &tokens) }))
}

pub(crate) fn inlay_hint(snapshot: &Snapshot, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let Some(source) = snapshot.workspace.file(file) else { return Ok(None) };
    let wanted = map.text_range(params.range);
    Ok(Some(
        ide::inlay_hints::inlay_hints(source.text(), &source.document())
            .into_iter()
            .filter(|hint| wanted.touches(hint.offset))
            .map(|hint| lsp::InlayHint {
                position: map.position(hint.offset),
                label: lsp::InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect(),
    ))
}

pub(crate) fn code_lens(snapshot: &Snapshot, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
    let uri = params.text_document.uri;
    let Some((file, map)) = snapshot.file_with_map(&uri) else { return Ok(None) };
    Ok(Some(
        ide::code_lens::code_lenses(&snapshot.workspace, file)
            .into_iter()
            .map(|lens| {
                let range = map.range(lens.range);
                let linking = linking_locations(snapshot, &lens.linking_files);
                let arguments = vec![
                    serde_json::Value::String(uri.as_str().to_string()),
                    serde_json::to_value(range.start).unwrap_or_default(),
                    serde_json::to_value(&linking).unwrap_or_default(),
                ];
                lsp::CodeLens {
                    range,
                    command: Some(lsp::Command {
                        title: lens.title,
                        command: if linking.is_empty() { String::new() } else { SHOW_REFERENCES_COMMAND.to_string() },
                        arguments: (!linking.is_empty()).then_some(arguments),
                    }),
                    data: None,
                }
            })
            .collect(),
    ))
}

/// Where the linking articles stand: each article's title (or its start).
fn linking_locations(snapshot: &Snapshot, files: &[FileId]) -> Vec<lsp::Location> {
    locations(
        snapshot,
        files.iter().filter_map(|&other| {
            let source = snapshot.workspace.file(other)?;
            let range = source.facts.title.as_ref().map_or(crate::syntax::TextRange::empty(0), |(_, range)| *range);
            Some((other, range))
        }),
    )
}

/// `workspace/executeCommand` `seedls.backlinks` `[uri]`: the articles that link to a document.
pub(crate) fn backlinks(snapshot: &Snapshot, arguments: &[serde_json::Value]) -> Result<Option<serde_json::Value>> {
    let Some(uri) = arguments.first().and_then(serde_json::Value::as_str) else {
        return Err(invalid_params(format!("{BACKLINKS_COMMAND} takes one argument: a document URI")));
    };
    let uri: lsp::Uri = uri.parse().map_err(|_| invalid_params(format!("`{uri}` is not a URI")))?;
    let Some(file) = snapshot.file_id(&uri) else { return Ok(Some(serde_json::json!([]))) };
    let linking: Vec<FileId> = ide::code_lens::code_lenses(&snapshot.workspace, file)
        .into_iter()
        .flat_map(|lens| lens.linking_files)
        .collect();
    Ok(Some(serde_json::to_value(linking_locations(snapshot, &linking)).unwrap_or_default()))
}

pub(crate) fn document_link(
    snapshot: &Snapshot,
    params: lsp::DocumentLinkParams,
) -> Result<Option<Vec<lsp::DocumentLink>>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    Ok(Some(
        ide::document_links::document_links(&snapshot.workspace, file)
            .into_iter()
            .filter_map(|link| {
                Some(lsp::DocumentLink {
                    range: map.range(link.range),
                    target: Some(snapshot.uri(link.target)?),
                    tooltip: Some("Open the article".into()),
                    data: None,
                })
            })
            .collect(),
    ))
}

/// The one builder of workspace edits: versioned document edits (open documents carry their
/// version, closed files `null`), preceded by resource operations when there are any; or a
/// plain change map for clients without `documentChanges`.
pub(crate) fn workspace_edit(
    snapshot: &Snapshot,
    edits: &BTreeMap<FileId, Vec<ide::TextEdit>>,
    operations: Vec<lsp::ResourceOp>,
) -> lsp::WorkspaceEdit {
    let mut document_edits = Vec::new();
    // Each file's positions converted in parallel, cancellably (a rename can touch thousands
    // of files).
    let files: Vec<(&FileId, &Vec<ide::TextEdit>)> = edits.iter().collect();
    let converted_files = crate::cancel::parallel_map(&files, |&(&file, file_edits)| {
        let (uri, map) = (snapshot.uri(file)?, snapshot.line_map(file)?);
        let ranges = map.ranges(file_edits.iter().map(|edit| edit.range));
        let edits = file_edits.iter().zip(ranges);
        Some((uri, edits.map(|(edit, range)| lsp::TextEdit { range, new_text: edit.new_text.clone() }).collect()))
    });
    let converted_files: Vec<(lsp::Uri, Vec<lsp::TextEdit>)> = converted_files.into_iter().flatten().collect();
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> =
        HashMap::with_capacity(if snapshot.flags.document_changes { 0 } else { converted_files.len() });
    for (uri, converted) in converted_files {
        if snapshot.flags.document_changes {
            let version = snapshot.version(uri.as_str());
            document_edits.push(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: converted.into_iter().map(lsp::OneOf::Left).collect(),
            });
        } else {
            changes.insert(uri, converted);
        }
    }
    if !snapshot.flags.document_changes {
        return lsp::WorkspaceEdit { changes: Some(changes), ..lsp::WorkspaceEdit::default() };
    }
    let document_changes = if operations.is_empty() {
        lsp::DocumentChanges::Edits(document_edits)
    } else {
        let mut all: Vec<lsp::DocumentChangeOperation> =
            operations.into_iter().map(lsp::DocumentChangeOperation::Op).collect();
        all.extend(document_edits.into_iter().map(lsp::DocumentChangeOperation::Edit));
        lsp::DocumentChanges::Operations(all)
    };
    lsp::WorkspaceEdit { document_changes: Some(document_changes), ..lsp::WorkspaceEdit::default() }
}

/// The JSON of [`workspace_edit`]`(snapshot, edits, Vec::new())` for a client that takes
/// `documentChanges`, byte for byte, written on the parallel pool a file at a time: no
/// protocol objects (a URI parsed, a string copied per edit) are built to be serialized on
/// one thread and freed again. A rename of the most common entity at 50,000 articles
/// (19,379 files, 7 MB) spent 15-20 ms writing its answer on the request's thread and 4-6 ms
/// assembling it there. Files are named by their keys, the URIs the server made or was
/// given.
///
/// Each file's edits come from `edits_of` (ascending) on the pool's thread that writes the
/// file: a rename finds its places, converts them and writes them in one pass over each
/// text, while it is in the cache. A file without edits is left out.
pub(crate) fn document_changes_json<'e>(
    snapshot: &Snapshot,
    files: &[FileId],
    edits_of: impl Fn(FileId) -> Vec<(crate::syntax::TextRange, &'e str)> + Sync + Send,
) -> JsonPieces {
    // `{"textDocument":{"uri":…,"version":…},"edits":[{"range":…,"newText":…},…]}` as
    // `lsp::TextDocumentEdit` serializes, each string escaped once (writing into a vector
    // fails only for a type that cannot be JSON).
    let parts = crate::cancel::parallel_map(files, |&file| {
        let file_edits = edits_of(file);
        if file_edits.is_empty() {
            return None;
        }
        let (source, map) = (snapshot.workspace.file(file)?, snapshot.line_map(file)?);
        let ranges = map.ranges(file_edits.iter().map(|(range, _)| *range));
        let mut part = Vec::with_capacity(source.path.len() + 60 + file_edits.len() * 110);
        part.extend_from_slice(b"{\"textDocument\":{\"uri\":");
        let _ = serde_json::to_writer(&mut part, &*source.path);
        part.extend_from_slice(b",\"version\":");
        let _ = serde_json::to_writer(&mut part, &snapshot.version(&source.path));
        part.extend_from_slice(b"},\"edits\":[");
        let mut escaped: Option<(&str, Vec<u8>)> = None;
        for (index, (&(_, new_text), range)) in file_edits.iter().zip(ranges).enumerate() {
            if index > 0 {
                part.push(b',');
            }
            part.extend_from_slice(b"{\"range\":");
            write_range_json(&mut part, range);
            part.extend_from_slice(b",\"newText\":");
            let text = match &escaped {
                Some((last, text)) if *last == new_text => text,
                _ => {
                    let mut text = Vec::with_capacity(new_text.len() + 2);
                    let _ = serde_json::to_writer(&mut text, new_text);
                    &escaped.insert((new_text, text)).1
                }
            };
            part.extend_from_slice(text);
            part.push(b'}');
        }
        part.extend_from_slice(b"]}");
        Some(part)
    });
    JsonPieces::joined(b"{\"documentChanges\":[", parts.into_iter().map(Option::unwrap_or_default), b"]}")
}

/// A type-hierarchy item: what the protocol shows, and in `data` the name and kind that
/// find the item again for `supertypes` / `subtypes`.
fn hierarchy_item(snapshot: &Snapshot, item: &ide::type_hierarchy::HierarchyItem) -> Option<lsp::TypeHierarchyItem> {
    let map = snapshot.line_map(item.file)?;
    Some(lsp::TypeHierarchyItem {
        name: item.name.clone(),
        kind: convert::entity_symbol_kind(item.kind),
        tags: None,
        detail: item.detail.clone(),
        uri: snapshot.uri(item.file)?,
        range: map.range(item.range),
        selection_range: map.range(item.focus),
        data: Some(serde_json::json!({ "name": item.name, "kind": kind_name(item.kind) })),
    })
}

/// The core's item behind a protocol item (from its `data`; its place does not matter).
fn item_from_protocol(item: &lsp::TypeHierarchyItem) -> Result<ide::type_hierarchy::HierarchyItem> {
    let data = item.data.as_ref();
    let name = data.and_then(|data| data["name"].as_str()).unwrap_or(&item.name).to_string();
    let kind = data
        .and_then(|data| data["kind"].as_str())
        .and_then(parse_kind)
        .ok_or_else(|| invalid_params("a type hierarchy item without seedls data"))?;
    let empty = crate::syntax::TextRange::empty(0);
    Ok(ide::type_hierarchy::HierarchyItem { name, kind, file: FileId(0), range: empty, focus: empty, detail: None })
}

pub(crate) fn prepare_type_hierarchy(
    snapshot: &Snapshot,
    params: lsp::TypeHierarchyPrepareParams,
) -> Result<Option<Vec<lsp::TypeHierarchyItem>>> {
    let position = params.text_document_position_params;
    let Some((file, map)) = snapshot.file_with_map(&position.text_document.uri) else { return Ok(None) };
    let items = ide::type_hierarchy::prepare_type_hierarchy(&snapshot.workspace, file, map.offset(position.position));
    let converted: Vec<lsp::TypeHierarchyItem> =
        items.iter().filter_map(|item| hierarchy_item(snapshot, item)).collect();
    Ok((!converted.is_empty()).then_some(converted))
}

pub(crate) fn type_hierarchy_neighbours(
    snapshot: &Snapshot,
    item: &lsp::TypeHierarchyItem,
    supertypes: bool,
) -> Result<Option<Vec<lsp::TypeHierarchyItem>>> {
    let item = item_from_protocol(item)?;
    let found = if supertypes {
        ide::type_hierarchy::supertypes(&snapshot.workspace, &item)
    } else {
        ide::type_hierarchy::subtypes(&snapshot.workspace, &item)
    };
    Ok(Some(found.iter().filter_map(|item| hierarchy_item(snapshot, item)).collect()))
}

pub(crate) fn selection_range(
    snapshot: &Snapshot,
    params: lsp::SelectionRangeParams,
) -> Result<Option<Vec<lsp::SelectionRange>>> {
    let Some((file, map)) = snapshot.file_with_map(&params.text_document.uri) else { return Ok(None) };
    let offsets: Vec<usize> = params.positions.iter().map(|&position| map.offset(position)).collect();
    let chains = ide::selection_range::selection_ranges(&snapshot.workspace, file, &offsets);
    Ok(Some(
        chains
            .into_iter()
            .zip(&params.positions)
            .map(|(chain, &position)| {
                // The protocol nests outward through `parent`: build from the outermost in.
                let mut nested: Option<lsp::SelectionRange> = None;
                for range in chain.iter().rev() {
                    nested = Some(lsp::SelectionRange { range: map.range(*range), parent: nested.map(Box::new) });
                }
                nested.unwrap_or(lsp::SelectionRange { range: lsp::Range::new(position, position), parent: None })
            })
            .collect(),
    ))
}

/// The protocol's name of an entity kind (`person`), as the custom requests use it.
pub(crate) fn kind_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Article => "article",
        EntityKind::Person => "person",
        EntityKind::Belligerent => "belligerent",
        EntityKind::Unit => "unit",
        EntityKind::Place => "place",
        EntityKind::Conflict => "conflict",
    }
}

fn parse_kind(name: &str) -> Option<EntityKind> {
    EntityKind::ALL.into_iter().find(|&kind| kind_name(kind) == name)
}

/// The plural a tree view shows for a kind.
fn kind_plural(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Article => "Articles",
        EntityKind::Person => "People",
        EntityKind::Belligerent => "Belligerents",
        EntityKind::Unit => "Units",
        EntityKind::Place => "Places",
        EntityKind::Conflict => "Conflicts",
    }
}

/// `seedls/entities`: without a kind, the kinds with their entity counts; with one, the
/// entities of that kind (most listed first).
pub(crate) fn entities(snapshot: &Snapshot, params: &serde_json::Value) -> Result<serde_json::Value> {
    use ide::entity_explorer::{entities_of_kind, entity_kinds};
    let Some(kind) = params.get("kind").and_then(serde_json::Value::as_str) else {
        let kinds: Vec<serde_json::Value> = entity_kinds(&snapshot.workspace)
            .into_iter()
            .map(|summary| {
                serde_json::json!({ "kind": kind_name(summary.kind), "label": kind_plural(summary.kind), "count": summary.count })
            })
            .collect();
        return Ok(serde_json::json!({ "kinds": kinds }));
    };
    let kind = parse_kind(kind).ok_or_else(|| invalid_params(format!("`{kind}` is not an entity kind")))?;
    let entities: Vec<serde_json::Value> = entities_of_kind(&snapshot.workspace, kind)
        .into_iter()
        .map(|entity| {
            serde_json::json!({
                "id": ide::entity_id::entity_id(entity.kind, &entity.name),
                "name": entity.name,
                "kind": kind_name(entity.kind),
                "listings": entity.listings,
            })
        })
        .collect();
    Ok(serde_json::json!({ "entities": entities }))
}

/// `seedls/entity`: one entity's listings (and, for an article, its title), by article.
pub(crate) fn entity(snapshot: &Snapshot, params: &serde_json::Value) -> Result<serde_json::Value> {
    let name = params.get("name").and_then(serde_json::Value::as_str);
    let kind = params.get("kind").and_then(serde_json::Value::as_str).and_then(parse_kind);
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(invalid_params("seedls/entity takes { id, kind, name }"));
    };
    let Some(found) = ide::entity_explorer::entity_locations(&snapshot.workspace, kind, name) else {
        return Ok(serde_json::Value::Null);
    };
    let locations: Vec<serde_json::Value> = found
        .into_iter()
        .filter_map(|location| {
            let place = snapshot.location(location.file, location.range)?;
            Some(serde_json::json!({
                "uri": place.uri.as_str(),
                "range": place.range,
                "article": location.article_title,
                "key": location.key,
            }))
        })
        .collect();
    Ok(serde_json::json!({
        "id": ide::entity_id::entity_id(kind, name),
        "name": name,
        "kind": kind_name(kind),
        "locations": locations,
    }))
}

/// `seedls/timeline`: the dated articles, earliest first.
pub(crate) fn timeline(snapshot: &Snapshot) -> Result<serde_json::Value> {
    let conflicts: Vec<serde_json::Value> = ide::entity_explorer::timeline(&snapshot.workspace)
        .into_iter()
        .filter_map(|entry| {
            let place = snapshot.location(entry.file, entry.range)?;
            Some(serde_json::json!({
                "id": ide::entity_id::entity_id(EntityKind::Article, &entry.name),
                "name": entry.name,
                "uri": place.uri.as_str(),
                "range": place.range,
                "date": entry.date_text,
                "start": entry.start,
                "end": entry.end,
                "approximate": entry.approximate,
            }))
        })
        .collect();
    Ok(serde_json::json!({ "conflicts": conflicts }))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::index::SourceFile;
    use crate::lsp::state::State;
    use crate::position::Encoding;

    const FILES: [(&str, &str); 3] = [
        (
            "file:///w/a%20b.txt",
            "= A =\n\nInfobox\n- Commander1: Mile Čalović, 😀 Mile Čalović\n\nMile Čalović left.\r\nMile Čalović",
        ),
        ("file:///w/%C4%8Dalovi%C4%87.txt", "= Mile Čalović =\n\nInfobox\n- Commander1: Mile Čalović\n"),
        ("file:///w/c.txt", "= C =\n\nInfobox\n- Commander2: Mile Čalović\n"),
    ];

    /// A snapshot of the files above, the first open (version 7), and where its first name is.
    fn snapshot(encoding: Encoding) -> (Snapshot, FileId, usize) {
        let mut state = State::default();
        state.encoding = encoding;
        state.flags.document_changes = true;
        let (open, closed) = FILES.split_first().expect("files");
        state.insert_indexed(crate::index::workspace::Batch::new(
            closed.iter().map(|(key, text)| Arc::new(SourceFile::indexed(key.to_string(), Arc::from(*text)))).collect(),
        ));
        state.open_document(open.0, open.1.to_string(), 7).expect("opens");
        let snapshot = state.snapshot();
        let file = snapshot.workspace.file_id(open.0).expect("the open file");
        (snapshot, file, open.1.find("Mile").expect("the name"))
    }

    #[test]
    fn a_rename_written_directly_is_the_workspace_edit_byte_for_byte() {
        for encoding in [Encoding::Utf16, Encoding::Utf8] {
            let (snapshot, file, at) = snapshot(encoding);
            let new_name = "Mile \"Čalović\" \\ 😀";
            let change = ide::rename::rename(&snapshot.workspace, file, at, new_name).expect("renames");
            assert_eq!(change.edits.len(), 3, "every file");
            let expected = serde_json::to_string(&workspace_edit(&snapshot, &change.edits, Vec::new())).expect("json");
            let files: Vec<FileId> = change.edits.keys().copied().collect();
            let written = String::from_utf8(
                document_changes_json(&snapshot, &files, |file| {
                    change.edits[&file].iter().map(|edit| (edit.range, &*edit.new_text)).collect()
                })
                .to_vec(),
            )
            .expect("UTF-8");
            assert_eq!(written, expected, "{encoding:?}");
            // As the handler writes it, from the plan, file by file: the same edits, the
            // files by path (the open document's id came last).
            let plan = ide::rename::plan_rename(&snapshot.workspace, file, at, new_name).expect("renames");
            let planned = String::from_utf8(
                document_changes_json(&snapshot, plan.files(), |file| {
                    plan.ranges_in(file).into_iter().map(|range| (range, plan.new_name())).collect()
                })
                .to_vec(),
            )
            .expect("UTF-8");
            let by_path: Vec<FileId> = plan.files().to_vec();
            assert_eq!(by_path.len(), 3);
            let expected_by_path = String::from_utf8(
                document_changes_json(&snapshot, &by_path, |file| {
                    change.edits[&file].iter().map(|edit| (edit.range, &*edit.new_text)).collect()
                })
                .to_vec(),
            )
            .expect("UTF-8");
            assert_eq!(planned, expected_by_path, "{encoding:?}");
            let paths: Vec<&str> =
                by_path.iter().map(|&file| &*snapshot.workspace.file(file).expect("file").path).collect();
            assert!(paths.windows(2).all(|pair| pair[0] < pair[1]), "{paths:?}");
            assert!(written.contains("\"version\":7") && written.contains("\"version\":null"), "{written}");
        }
    }

    #[test]
    fn references_written_directly_are_the_locations_byte_for_byte() {
        for encoding in [Encoding::Utf16, Encoding::Utf8] {
            let (snapshot, file, at) = snapshot(encoding);
            for include_declaration in [true, false] {
                let references = ide::references::find_references(&snapshot.workspace, file, at, include_declaration);
                let ranges = references.iter().map(|reference| (reference.file, reference.range));
                let expected = serde_json::to_string(&locations(&snapshot, ranges)).expect("json");
                let search = ide::references::search_references(&snapshot.workspace, file, at, include_declaration)
                    .expect("a name");
                let written = String::from_utf8(locations_json(&snapshot, &search).to_vec()).expect("UTF-8");
                assert_eq!(written, expected, "{encoding:?}");
                assert!(references.len() >= if include_declaration { 6 } else { 2 }, "{written}");
            }
        }
        for (line, character) in [(0, 0), (9, 10), (4_294_967_295, 1_000_000)] {
            let position = lsp::Position { line, character };
            let range = lsp::Range { start: position, end: lsp::Position { line: character, character: line } };
            let mut written = Vec::new();
            write_range_json(&mut written, range);
            assert_eq!(String::from_utf8(written).expect("UTF-8"), serde_json::to_string(&range).expect("json"));
        }
    }
}
