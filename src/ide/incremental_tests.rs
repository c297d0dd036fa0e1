//! The same answer whatever the history: random edit sequences applied to a workspace one
//! change at a time (as the server's writer applies keystrokes), with clones of intermediate
//! snapshots kept alive and queried too, must answer every feature exactly as a workspace
//! built afresh from the same texts (in path order) does. File ids differ between the two,
//! so answers are compared as text with paths in place of ids.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use proptest::prelude::*;

use crate::ide;
use crate::ide::diagnostics::SeverityOverrides;
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

/// Small articles that share names with each other and with the seeds.
const FIXTURES: [(&str, &str); 3] = [
    (
        "/fixtures/alpha.txt",
        "= Alpha operation (1944) =\n\nInfobox\n- Conflict: Alpha operation\n- Date: 3 May 1944\n- Commander1: Enver Hoxha, Mehmet Shehu\n- Units1: 1st Brigade, *2nd Battalion\n\nEnver Hoxha and Mit'hat Frashëri met at Alpha.\n\n== See also ==\n- Kosovo Operation\n- Beta raid\n",
    ),
    (
        "/fixtures/beta.txt",
        "= Beta raid =\n\nInfobox\n- Date: 1943\n- Commander2: Midhat Frashëri, Enver Hoxha\n- Place: Kosovo\n\nThe Beta raid followed the Alpha operation. Mehmet Shehu was there.\n",
    ),
    ("/fixtures/gamma.txt", "Gamma\n\nNo infobox. Enver Hoxha, Kosovo and Tito are mentioned.\n"),
];

/// Text pieces edits insert: names, infobox lines, titles, See-also items and prose.
const PIECES: [&str; 16] = [
    "Enver Hoxha",
    "Mehmet Shehu",
    "Mit'hat Frashëri",
    "Tito",
    "Kosovo Operation",
    "\n- Commander1: Tito, New Person\n",
    "\n- Units2: 3rd Brigade, *4th Battalion\n",
    "\n- Date: 12 June 1944\n",
    "= Delta offensive =\n",
    "\n== See also ==\n- Alpha operation\n- Beta raid\n",
    ", ",
    " ",
    "\n",
    "New Person",
    "Alpha",
    "Č",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Insert a piece at a fraction of a file's text.
    Insert {
        file: usize,
        at: f64,
        piece: usize,
    },
    /// Delete up to `len` bytes from a fraction of a file's text.
    Delete {
        file: usize,
        at: f64,
        len: usize,
    },
    /// Replace up to `len` bytes with a piece.
    Replace {
        file: usize,
        at: f64,
        len: usize,
        piece: usize,
    },
    /// Add a new file made of pieces.
    AddFile {
        pieces: Vec<usize>,
    },
    RemoveFile {
        file: usize,
    },
    /// Keep a clone of the current snapshot, to query it at the end.
    KeepSnapshot,
    /// Switch the alias rules on or off.
    ToggleAliases,
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = 0..PIECES.len();
    prop_oneof![
        4 => (any::<usize>(), 0.0..1.0f64, piece.clone()).prop_map(|(file, at, piece)| Edit::Insert { file, at, piece }),
        3 => (any::<usize>(), 0.0..1.0f64, 1..40usize).prop_map(|(file, at, len)| Edit::Delete { file, at, len }),
        3 => (any::<usize>(), 0.0..1.0f64, 1..20usize, piece.clone())
            .prop_map(|(file, at, len, piece)| Edit::Replace { file, at, len, piece }),
        1 => proptest::collection::vec(piece, 1..6).prop_map(|pieces| Edit::AddFile { pieces }),
        1 => any::<usize>().prop_map(|file| Edit::RemoveFile { file }),
        1 => Just(Edit::KeepSnapshot),
        1 => Just(Edit::ToggleAliases),
    ]
}

/// Pairs of names: (alias, canonical) or two names knowingly different.
type NamePairs = Vec<(String, String)>;

fn alias_rules(on: bool) -> (NamePairs, NamePairs) {
    if on {
        (vec![("Mit'hat Frashëri".to_string(), "Midhat Frashëri".to_string())], vec![])
    } else {
        (vec![], vec![])
    }
}

/// The nearest character boundary at or before a fraction of the text.
fn offset_at(text: &str, at: f64) -> usize {
    crate::syntax::floor_char_boundary(text, ((text.len() as f64) * at) as usize)
}

fn end_after(text: &str, start: usize, len: usize) -> usize {
    let mut end = (start + len).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// A workspace built from scratch from the same texts and rules, files added by path.
fn fresh(workspace: &Workspace, aliases_on: bool) -> Workspace {
    let mut fresh = Workspace::default();
    let (aliases, ignored) = alias_rules(aliases_on);
    fresh.set_name_rules(aliases, ignored);
    let mut files: Vec<(String, crate::index::SharedText)> =
        workspace.files().map(|(_, file)| (file.path.to_string(), file.text().clone())).collect();
    files.sort();
    for (path, text) in files {
        fresh.set_file(&path, text);
    }
    fresh
}

/// Offsets worth asking at: the start and middle of every capitalised word (names start
/// there), at most a few dozen per file.
fn sample_offsets(text: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut previous: Option<char> = None;
    for (index, c) in text.char_indices() {
        if c.is_uppercase() && !previous.is_some_and(char::is_alphanumeric) {
            offsets.push(index);
            let middle = offset_at(&text[index..], 0.5).min(3);
            offsets.push(index + text[index..].char_indices().nth(middle).map_or(0, |(i, _)| i));
        }
        previous = Some(c);
    }
    offsets.truncate(40);
    offsets
}

/// Every feature's answer on every file, with paths in place of file ids.
fn answers(workspace: &Workspace) -> String {
    let path = |id: FileId| workspace.file(id).map_or("?".to_string(), |file| file.path.to_string());
    let place = |id: FileId, range: TextRange| format!("{}@{}..{}", path(id), range.start, range.end);
    let mut files: BTreeMap<String, FileId> =
        workspace.files().map(|(id, file)| (file.path.to_string(), id)).collect::<BTreeMap<_, _>>();
    let mut out = String::new();
    for (name, id) in std::mem::take(&mut files) {
        let source = workspace.file(id).expect("listed");
        writeln!(out, "## {name}").unwrap();
        writeln!(out, "diagnostics {:?}", ide::diagnostics::diagnostics(workspace, id, &SeverityOverrides::default()))
            .unwrap();
        writeln!(out, "symbols {:?}", ide::symbols::document_symbols(source.text(), &source.document())).unwrap();
        writeln!(out, "tokens {:?}", ide::semantic_tokens::semantic_tokens(workspace, id, None)).unwrap();
        let lenses: Vec<(TextRange, String, Vec<String>)> = ide::code_lens::code_lenses(workspace, id)
            .into_iter()
            .map(|lens| (lens.range, lens.title, lens.linking_files.into_iter().map(path).collect()))
            .collect();
        writeln!(out, "lenses {lenses:?}").unwrap();
        for offset in sample_offsets(source.text()) {
            let hover = ide::hover::hover(workspace, id, offset);
            let definition: Vec<String> = ide::goto_definition::goto_definition(workspace, id, offset)
                .into_iter()
                .map(|target| place(target.file, target.focus))
                .collect();
            let references: Vec<String> = ide::references::find_references(workspace, id, offset, true)
                .into_iter()
                .map(|reference| format!("{}{}", place(reference.file, reference.range), reference.is_declaration))
                .collect();
            let completions = ide::completion::completions(workspace, id, offset);
            let completions: Vec<(&str, &str)> =
                completions.items.iter().map(|item| (item.label.as_str(), item.detail.as_str())).collect();
            writeln!(out, "@{offset} hover {hover:?}\n  definition {definition:?}\n  references {references:?}")
                .unwrap();
            writeln!(out, "  completions {completions:?}").unwrap();
        }
    }
    let symbols: Vec<(String, String, Option<String>)> = ide::symbols::workspace_symbols(workspace, "o", 30)
        .into_iter()
        .map(|symbol| (symbol.name, place(symbol.file, symbol.range), symbol.container))
        .collect();
    writeln!(out, "workspace symbols {symbols:?}").unwrap();
    out
}

#[track_caller]
fn assert_same_as_fresh(workspace: &Workspace, aliases_on: bool, when: &str) {
    assert_eq!(workspace.consistency_report(), Vec::<String>::new(), "{when}: consistency report");
    let expected = answers(&fresh(workspace, aliases_on));
    let actual = answers(workspace);
    if actual != expected {
        let first_difference = actual
            .lines()
            .zip(expected.lines())
            .find(|(a, b)| a != b)
            .map_or("(one is longer)".to_string(), |(a, b)| format!("\nincremental: {a}\nfresh:       {b}"));
        panic!("{when}: answers differ from a fresh workspace's{first_difference}");
    }
}

fn run(edits: Vec<Edit>) {
    let mut workspace = Workspace::default();
    let mut paths: Vec<String> = Vec::new();
    // Seeds and fixtures in an order of their own (not by path), as an editor might open them.
    let mut initial: Vec<(String, String)> = crate::test_support::seeds()
        .into_iter()
        .map(|(name, text)| (format!("/seeds/{name}"), text.to_string()))
        .chain(FIXTURES.iter().map(|(path, text)| (path.to_string(), text.to_string())))
        .collect();
    initial.reverse();
    for (path, text) in initial {
        workspace.set_file(&path, Arc::from(text));
        paths.push(path);
    }
    let mut aliases_on = false;
    let mut kept: Vec<(Workspace, bool, usize)> = Vec::new();
    for (step, edit) in edits.into_iter().enumerate() {
        if paths.is_empty() && !matches!(edit, Edit::AddFile { .. }) {
            continue;
        }
        let text_of = |workspace: &Workspace, path: &str| -> String {
            workspace.file(workspace.file_id(path).expect("known path")).expect("known file").text().to_string()
        };
        match edit {
            Edit::Insert { file, at, piece } => {
                let path = paths[file % paths.len()].clone();
                let mut text = text_of(&workspace, &path);
                text.insert_str(offset_at(&text, at), PIECES[piece]);
                workspace.set_file(&path, Arc::from(text));
            }
            Edit::Delete { file, at, len } => {
                let path = paths[file % paths.len()].clone();
                let mut text = text_of(&workspace, &path);
                let start = offset_at(&text, at);
                text.replace_range(start..end_after(&text, start, len), "");
                workspace.set_file(&path, Arc::from(text));
            }
            Edit::Replace { file, at, len, piece } => {
                let path = paths[file % paths.len()].clone();
                let mut text = text_of(&workspace, &path);
                let start = offset_at(&text, at);
                text.replace_range(start..end_after(&text, start, len), PIECES[piece]);
                workspace.set_indexed_file(&path, Arc::from(text));
            }
            Edit::AddFile { pieces } => {
                let path = format!("/new/{step}.txt");
                let text: String = pieces.iter().map(|&piece| PIECES[piece]).collect();
                workspace.set_file(&path, Arc::from(text));
                paths.push(path);
            }
            Edit::RemoveFile { file } => {
                let path = paths.remove(file % paths.len());
                workspace.remove_file(&path);
            }
            Edit::KeepSnapshot => {
                // Query it now (so its lazily computed index exists and seeds the next
                // snapshots), and again at the end.
                workspace.warm_mentions();
                kept.push((workspace.clone(), aliases_on, step));
            }
            Edit::ToggleAliases => {
                aliases_on = !aliases_on;
                let (aliases, ignored) = alias_rules(aliases_on);
                workspace.set_name_rules(aliases, ignored);
            }
        }
        // Some queries between edits, as requests would, so that later snapshots build on
        // computed ancestors as well as on stale ones.
        if step % 3 == 0 && !paths.is_empty() {
            if let Some(id) = workspace.file_id(&paths[step % paths.len()]) {
                let _ = workspace.mentions(id);
            }
            let _ = workspace.files_mentioning("Enver Hoxha");
        }
    }
    assert_same_as_fresh(&workspace, aliases_on, "the final workspace");
    for (snapshot, aliases_on, step) in kept.iter().take(2) {
        assert_same_as_fresh(snapshot, *aliases_on, &format!("the snapshot kept at step {step}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_answers_equal_fresh_answers(edits in proptest::collection::vec(edit(), 1..24)) {
        run(edits);
    }
}

#[test]
fn a_fixed_history_with_names_coming_and_going() {
    run(vec![
        Edit::KeepSnapshot,
        Edit::Insert { file: 0, at: 0.3, piece: 5 },
        Edit::KeepSnapshot,
        Edit::ToggleAliases,
        Edit::Replace { file: 1, at: 0.1, len: 12, piece: 2 },
        Edit::RemoveFile { file: 2 },
        Edit::AddFile { pieces: vec![8, 5, 9, 0] },
        Edit::Delete { file: 3, at: 0.2, len: 30 },
        Edit::ToggleAliases,
        Edit::Insert { file: 4, at: 0.9, piece: 13 },
    ]);
}

#[test]
fn answers_do_not_depend_on_the_order_files_were_added() {
    let files: Vec<(String, String)> = crate::test_support::seeds()
        .into_iter()
        .map(|(name, text)| (format!("/seeds/{name}"), text))
        .chain(FIXTURES.iter().map(|(path, text)| (path.to_string(), text.to_string())))
        .collect();
    let build = |order: &[usize]| {
        let mut workspace = Workspace::default();
        for &index in order {
            let (path, text) = &files[index];
            workspace.set_indexed_file(path, Arc::from(text.as_str()));
        }
        workspace
    };
    let forward: Vec<usize> = (0..files.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let interleaved: Vec<usize> = forward.iter().step_by(2).chain(forward.iter().skip(1).step_by(2)).copied().collect();
    let expected = answers(&build(&forward));
    assert_eq!(answers(&build(&backward)), expected);
    assert_eq!(answers(&build(&interleaved)), expected);
}
