//! Fix all: the quick fixes of a document applied together, as `seedls check --fix` does.
//!
//! The fixes are the editor's quick fixes (the `fixes` of each [`Diagnostic`]); what may be
//! applied without asking is the catalogue's [`FixSafety`] of the code. A diagnostic with more
//! than one fix is a choice and is never applied. Within one pass the fixes are taken in
//! document order, and a fix whose edits overlap (or touch) an already chosen one waits for the
//! next pass, where it is recomputed on the new text. Passes repeat until nothing applicable
//! is left, at most [`MAX_PASSES`] times.

use crate::codes::{Code, FixSafety};
use crate::ide::TextEdit;
use crate::ide::diagnostics::{Diagnostic, Fix, SeverityOverrides, diagnostics};
use crate::index::{FileId, Workspace};

/// Enough for fixes that uncover other fixes (an empty item left by removed markup); a fix
/// that keeps re-creating itself stops here instead of looping.
pub const MAX_PASSES: usize = 12;

/// The one fix `--fix` (or, with `unsafe_fixes`, `--unsafe-fixes`) may apply, if any.
pub fn applicable_fix(diagnostic: &Diagnostic, unsafe_fixes: bool) -> Option<&Fix> {
    let allowed = match diagnostic.code.fix_safety() {
        FixSafety::Safe => true,
        FixSafety::Unsafe => unsafe_fixes,
        FixSafety::None => false,
    };
    match diagnostic.fixes.as_slice() {
        [fix] if allowed && !edits_overlap(&fix.edits) => Some(fix),
        _ => None,
    }
}

/// True if two edits of the list overlap or touch (two insertions at one offset included):
/// their order would be ambiguous.
pub fn edits_overlap(edits: &[TextEdit]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(index, edit)| edits[index + 1..].iter().any(|other| edit.range.intersects(other.range)))
}

/// One pass: the diagnostics whose fix is applied, with their edits, none overlapping another.
pub fn choose_fixes(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<(&Diagnostic, &Fix)> {
    let mut chosen: Vec<(&Diagnostic, &Fix)> = Vec::new();
    for diagnostic in diagnostics {
        let Some(fix) = applicable_fix(diagnostic, unsafe_fixes) else {
            continue;
        };
        let clashes = chosen.iter().any(|(_, taken)| {
            taken.edits.iter().any(|taken| fix.edits.iter().any(|edit| edit.range.intersects(taken.range)))
        });
        if !clashes {
            chosen.push((diagnostic, fix));
        }
    }
    chosen
}

/// What fixing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFile {
    /// The text after the fixes (the workspace holds it too).
    pub text: String,
    /// The diagnostics fixed, in the order applied (a code may repeat).
    pub fixed: Vec<Diagnostic>,
    /// False if fixes were still applicable after [`MAX_PASSES`] passes.
    pub converged: bool,
}

/// Applies every applicable fix of `file`, pass after pass, and puts the fixed text into the
/// workspace (so cross-article diagnostics of later files see it). `keep` says which
/// diagnostics are in scope (the command line's `--select`/`--ignore`).
pub fn fix_file(
    workspace: &mut Workspace,
    file: FileId,
    overrides: &SeverityOverrides,
    keep: &dyn Fn(&Diagnostic) -> bool,
    unsafe_fixes: bool,
) -> Option<FixedFile> {
    let source = workspace.file(file)?;
    let path = source.path.clone();
    let mut text = source.text().to_string();
    let mut fixed = Vec::new();
    for _ in 0..MAX_PASSES {
        let found = fixable_diagnostics(workspace, file, &text, overrides, keep);
        let chosen = choose_fixes(&found, unsafe_fixes);
        if chosen.is_empty() {
            return Some(FixedFile { text, fixed, converged: true });
        }
        let edits: Vec<TextEdit> = chosen.iter().flat_map(|(_, fix)| fix.edits.iter().cloned()).collect();
        fixed.extend(chosen.iter().map(|(diagnostic, _)| (*diagnostic).clone()));
        text = crate::ide::apply_edits(&text, &edits);
        workspace.set_indexed_file(&path, text.as_str());
    }
    let found = fixable_diagnostics(workspace, file, &text, overrides, keep);
    let converged = choose_fixes(&found, unsafe_fixes).is_empty();
    Some(FixedFile { text, fixed, converged })
}

/// The diagnostics of `file` in scope, without name-variant fixes that would move a listing
/// to the less common of two spellings: two near-spellings in one document would otherwise
/// trade places on every pass. A listing moves toward the spelling with more listings (on a
/// tie, the one first in alphabetical order), so repeated runs settle.
fn fixable_diagnostics(
    workspace: &Workspace,
    file: FileId,
    text: &str,
    overrides: &SeverityOverrides,
    keep: &dyn Fn(&Diagnostic) -> bool,
) -> Vec<Diagnostic> {
    let mut found = diagnostics(workspace, file, overrides);
    found.retain(|diagnostic| keep(diagnostic));
    found.retain(|diagnostic| {
        diagnostic.code != Code::NameVariant || moves_toward_the_common_spelling(workspace, text, diagnostic)
    });
    found
}

fn moves_toward_the_common_spelling(workspace: &Workspace, text: &str, diagnostic: &Diagnostic) -> bool {
    let [fix] = diagnostic.fixes.as_slice() else {
        return false;
    };
    let [edit] = fix.edits.as_slice() else {
        return false;
    };
    let from = edit.range.slice(text);
    let to = edit.new_text.as_str();
    let listings = |name: &str| workspace.entity(name).map_or(0, |entity| entity.listings.len());
    (listings(to), std::cmp::Reverse(to)) > (listings(from), std::cmp::Reverse(from))
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[track_caller]
    fn check(text: &str, unsafe_fixes: bool, expect: Expect) {
        let mut workspace = Workspace::default();
        let file = workspace.set_file("/a.txt", text);
        let fixed =
            fix_file(&mut workspace, file, &SeverityOverrides::default(), &|_| true, unsafe_fixes).expect("file");
        let codes: Vec<&str> = fixed.fixed.iter().map(|diagnostic| diagnostic.code.as_str()).collect();
        expect.assert_eq(&format!("{}---\n{}\nconverged: {}", fixed.text, codes.join(" "), fixed.converged));
    }

    #[test]
    fn safe_fixes_only_by_default() {
        check(
            "Bare title\n\n==Aftermath==\nText.Then more\n\u{a0}\u{a0}\n< Prev   Next >\n",
            false,
            expect![[r#"
                Bare title

                == Aftermath ==
                Text.Then more
                ---
                heading-spacing scrape-debris scrape-debris
                converged: true"#]],
        );
    }

    #[test]
    fn unsafe_fixes_add_the_choices() {
        check(
            "Bare title\n\n==Aftermath==\nText.Then more\n",
            true,
            expect![[r#"
                = Bare title =

                == Aftermath ==
                Text. Then more
                ---
                title-missing heading-spacing missing-space
                converged: true"#]],
        );
    }

    #[test]
    fn markup_then_the_empty_item_it_leaves_over_two_passes() {
        check(
            "= T =\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n- Combatant1: A, <hr />, B\n",
            false,
            expect![[r#"
                = T =

                Infobox
                - Conflict: C
                - Date: 1944
                - Place: P
                - Result: R
                - Combatant1: A, B
                ---
                infobox-markup infobox-empty-item
                converged: true"#]],
        );
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let edit = |start, end, text: &str| TextEdit::replace(crate::syntax::TextRange::new(start, end), text);
        let diagnostic = |range_start, edits| Diagnostic {
            range: crate::syntax::TextRange::new(range_start, range_start + 1),
            severity: crate::codes::Severity::Hint,
            code: Code::HeadingSpacing,
            message: String::new(),
            fixes: vec![Fix::new("fix", edits)],
        };
        let diagnostics = [
            diagnostic(0, vec![edit(0, 4, "a")]),
            diagnostic(2, vec![edit(2, 6, "b")]),
            diagnostic(4, vec![edit(4, 4, "c")]),
            diagnostic(7, vec![edit(7, 8, "d")]),
            diagnostic(9, vec![edit(9, 11, "e"), edit(10, 12, "f")]),
        ];
        let chosen: Vec<usize> =
            choose_fixes(&diagnostics, false).iter().map(|(diagnostic, _)| diagnostic.range.start()).collect();
        // 2 overlaps 0; an insertion at 4 touches the end of 0; 9's own edits overlap each other.
        assert_eq!(chosen, [0, 7]);
    }

    #[test]
    fn a_diagnostic_with_several_fixes_is_a_choice_and_never_applied() {
        let mut diagnostic =
            crate::ide::diagnostics::diagnostic(Code::HeadingSpacing, crate::syntax::TextRange::new(0, 1), "two ways");
        diagnostic.fixes = vec![Fix::new("one", vec![]), Fix::new("two", vec![])];
        assert_eq!(applicable_fix(&diagnostic, true), None);
    }

    /// Messy articles made from the seeds: lines of different seeds spliced together, with
    /// scrape defects dropped in, some with CRLF endings. Deterministic (SplitMix64).
    fn messy_articles(count: usize) -> Vec<String> {
        let seeds: Vec<Vec<String>> = crate::test_support::seeds()
            .into_iter()
            .map(|(_, text)| text.lines().map(str::to_string).collect())
            .collect();
        let defects = [
            "- Combatant1: A, <hr />, B",
            "- Strength2: 22px 400",
            "==Aftermath==",
            "===  Legacy==",
            "- Units1: , , 3rd Brigade,",
            "\u{a0}\u{a0}\u{a0}",
            "< Prev   Next >",
            "Text.Then more [12][13] and ( ) and in the .",
            "Background",
            "- Comander1: Enver Hoxha<br>",
            "- Date: 15 October – 22 November 1944 22px",
        ];
        let mut state = 0x5EED_F1C5_u64;
        let mut next = move |n: usize| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        };
        (0..count)
            .map(|_| {
                let base = &seeds[next(seeds.len())];
                let mut lines: Vec<String> = base.clone();
                for _ in 0..next(8) {
                    let other = &seeds[next(seeds.len())];
                    let at = next(lines.len() + 1);
                    lines.insert(at, other[next(other.len())].clone());
                }
                for _ in 0..1 + next(6) {
                    let at = next(lines.len() + 1);
                    lines.insert(at, defects[next(defects.len())].to_string());
                }
                let ending = if next(4) == 0 { "\r\n" } else { "\n" };
                lines.join(ending) + ending
            })
            .collect()
    }

    #[test]
    fn on_hundreds_of_messy_articles_fix_edits_never_overlap_and_a_second_run_finds_nothing() {
        for unsafe_fixes in [false, true] {
            let mut workspace = Workspace::default();
            let articles = messy_articles(200);
            let ids: Vec<FileId> = articles
                .iter()
                .enumerate()
                .map(|(index, text)| workspace.set_indexed_file(&format!("/m{index}.txt"), text.as_str()))
                .collect();
            let overrides = SeverityOverrides::default();
            let mut fixed_count = 0;
            for &file in &ids {
                for diagnostic in diagnostics(&workspace, file, &overrides) {
                    for fix in &diagnostic.fixes {
                        assert!(!edits_overlap(&fix.edits), "{} has a fix whose edits overlap", diagnostic.code);
                    }
                }
                let fixed = fix_file(&mut workspace, file, &overrides, &|_| true, unsafe_fixes).unwrap();
                assert!(
                    fixed.converged,
                    "{:?}\n{}",
                    fixed.fixed.iter().map(|d| (d.code.as_str(), d.message.as_str())).collect::<Vec<_>>(),
                    fixed.text
                );
                fixed_count += fixed.fixed.len();
            }
            assert!(fixed_count > 200, "the corpus is messy: {fixed_count} fixes");
            for &file in &ids {
                let again = fix_file(&mut workspace, file, &overrides, &|_| true, unsafe_fixes).unwrap();
                assert!(
                    again.fixed.is_empty(),
                    "a second run fixed {:?} in\n{}",
                    again.fixed.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
                    again.text
                );
            }
        }
    }
}
