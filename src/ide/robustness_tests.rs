//! Every feature on arbitrary text, at every offset: nothing panics, every range it returns
//! lies on character boundaries inside the text, and every quick fix applies cleanly: its
//! edits never overlap, and applying it leaves fewer diagnostics of the code it fixes (except
//! the codes in [`FIX_MAY_LEAVE_THE_CODE`], which say why).

use std::sync::Arc;

use proptest::prelude::*;

use crate::ide;
use crate::ide::diagnostics::SeverityOverrides;
use crate::index::{FileId, Workspace};
use crate::syntax::TextRange;

/// Text made of the format's own pieces, so the generator reaches deep into the parser.
fn seedish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("= Kosovo Operation (1944) =\n".to_string()),
        Just("Infobox\n".to_string()),
        Just("- Commander1: Enver Hoxha, Mile Čalović, ,\n".to_string()),
        Just("- Units1: Army, *2nd Division, **Regiment<hr> 22px Kombëtar\n".to_string()),
        Just("- Date: 15 October – 22 November 1944\n".to_string()),
        Just("- Comander2: \n".to_string()),
        Just("==See also==\n- Kosovo Operation\n".to_string()),
        Just("Enver Hoxha met Mile Čalović.Then [12][13] [citation needed] in the .\n".to_string()),
        Just("Background\n".to_string()),
        Just("\u{a0}\n< Prev \u{a0} Next >".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("😀".to_string()),
        "[a-zA-Z ,.:*=<>\\-\n]{0,12}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
}

fn check_range(text: &str, range: TextRange) {
    assert!(
        range.start <= range.end && range.end() <= text.len(),
        "range {range:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start()) && text.is_char_boundary(range.end()),
        "range {range:?} splits a character"
    );
}

/// Codes whose fix cannot promise to leave fewer diagnostics of that code, and why.
const FIX_MAY_LEAVE_THE_CODE: &[(crate::codes::Code, &str)] = &[];

/// Asserts that a fix's edits are disjoint (sorted by start, each ending before the next).
fn check_disjoint(edits: &[ide::TextEdit]) {
    let mut ranges: Vec<TextRange> = edits.iter().map(|edit| edit.range).collect();
    ranges.sort_by_key(|range| (range.start, range.end));
    for pair in ranges.windows(2) {
        assert!(pair[0].end <= pair[1].start, "a fix's edits overlap: {:?} and {:?}", pair[0], pair[1]);
    }
}

/// Asserts that applying a fix to `text` leaves fewer diagnostics of `code` in the file.
fn check_fix_removes_its_diagnostic(
    workspace: &Workspace,
    file: FileId,
    text: &str,
    fixed_diagnostic: &ide::diagnostics::Diagnostic,
    fix: &ide::diagnostics::Fix,
) {
    let code = fixed_diagnostic.code;
    if FIX_MAY_LEAVE_THE_CODE.iter().any(|(exempt, _)| *exempt == code) {
        return;
    }
    let overrides = SeverityOverrides::default();
    let count = |workspace: &Workspace| {
        ide::diagnostics::diagnostics(workspace, file, &overrides)
            .iter()
            .filter(|diagnostic| diagnostic.code == code)
            .count()
    };
    let before = count(workspace);
    let mut fixed = workspace.clone();
    let path = workspace.file(file).expect("file").path.clone();
    fixed.set_file(&path, Arc::from(ide::apply_edits(text, &fix.edits)));
    let after = count(&fixed);
    assert!(after < before, "the fix `{}` left {after} of {before} `{code}` diagnostics in:\n{text:?}", fix.label);
}

fn exercise(first: &str, second: &str, offset_step: usize) {
    let mut workspace = Workspace::default();
    let file = workspace.set_file("/a.txt", Arc::from(first));
    workspace.set_file("/b.txt", Arc::from(second));
    let text = first;
    let overrides = SeverityOverrides::default();
    for diagnostic in ide::diagnostics::diagnostics(&workspace, file, &overrides) {
        check_range(text, diagnostic.range);
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                check_range(text, edit.range);
            }
            check_disjoint(&fix.edits);
            check_fix_removes_its_diagnostic(&workspace, file, text, &diagnostic, fix);
        }
    }
    let source = workspace.file(file).expect("file").clone();
    for edit in ide::formatting::format(text, &source.document()) {
        check_range(text, edit.range);
    }
    for range in ide::folding::folding_ranges(text, &source.document()) {
        check_range(text, range);
    }
    for token in ide::semantic_tokens::semantic_tokens(&workspace, file, None) {
        check_range(text, token.range);
    }
    let _ = ide::symbols::document_symbols(text, &source.document());
    let _ = ide::code_lens::code_lenses(&workspace, file);
    let _ = ide::inlay_hints::inlay_hints(text, &source.document());
    for offset in (0..=text.len() + 2).step_by(offset_step) {
        if let Some(info) = ide::hover::hover(&workspace, file, offset) {
            check_range(text, info.range);
        }
        let _ = ide::goto_definition::goto_definition(&workspace, file, offset);
        for reference in ide::references::find_references(&workspace, file, offset, true) {
            if reference.file == file {
                check_range(text, reference.range);
            }
        }
        for item in ide::completion::completions(&workspace, file, offset).items {
            check_range(text, item.replace);
        }
        if let Ok((range, _)) = ide::rename::prepare_rename(&workspace, file, offset) {
            check_range(text, range);
            let _ = ide::rename::rename(&workspace, file, offset, "New Name");
        }
        let _ = ide::document_highlight::document_highlight(&workspace, file, offset);
        let _ = ide::code_actions::code_actions(
            &workspace,
            file,
            TextRange::new(offset.min(text.len()), offset.min(text.len())),
            &overrides,
        );
    }
    let _ = ide::symbols::workspace_symbols(&workspace, "kos", 10);
    assert_eq!(workspace.file(FileId(1)).map(|f| f.path.as_ref()), Some("/b.txt"));
}

proptest! {
    // 64 cases in the suite; `PROPTEST_CASES=5000 cargo test --release robustness` searches longer.
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn every_feature_survives_any_text(first in seedish_text(), second in seedish_text()) {
        exercise(&first, &second, 1);
    }
}

#[test]
fn every_feature_survives_the_seeds() {
    let seeds = crate::test_support::seeds();
    for pair in seeds.windows(2) {
        // Every 13th offset: a prime step lands on all kinds of places across the lines.
        exercise(&pair[0].1, &pair[1].1, 13);
    }
}
