//! Diagnostics tests: one fixture per code (it fires, and it stays quiet where it should), the
//! quick fixes applied, and a table that pins every diagnostic of the five seed documents.

use expect_test::{Expect, expect};

use super::*;
use crate::ide::apply_edits;
use crate::position::{Encoding, LineIndex};
use crate::syntax::parse;

fn render(text: &str) -> String {
    let document = parse(text);
    let index = LineIndex::new(text);
    let mut out = String::new();
    for diagnostic in file_diagnostics(text, &document, &Schema::default()) {
        let at = index.line_col(text, diagnostic.range.start(), Encoding::Chars);
        out += &format!(
            "{}:{} {} {:?}: {}\n",
            at.line + 1,
            at.col + 1,
            diagnostic.code,
            diagnostic.range.slice(text),
            diagnostic.message
        );
        for fix in &diagnostic.fixes {
            out += &format!("  fix {:?} → {:?}\n", fix.label, fixed_lines(text, fix));
        }
    }
    out
}

/// The lines of the fixed text that the fix's first edit touches.
fn fixed_lines(text: &str, fix: &Fix) -> String {
    let fixed = apply_edits(text, &fix.edits);
    let edit = &fix.edits[0];
    let start = fixed[..edit.range.start()].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end_of_new = edit.range.start() + edit.new_text.len();
    let end = fixed[end_of_new..].find(['\n', '\r']).map_or(fixed.len(), |i| end_of_new + i);
    fixed[start..end].to_string()
}

#[track_caller]
fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(text));
}

/// Only the (line, code) pairs: the seeds table.
fn line_codes(text: &str) -> String {
    let document = parse(text);
    let index = LineIndex::new(text);
    file_diagnostics(text, &document, &Schema::default())
        .iter()
        .map(|diagnostic| {
            format!(
                "{} {}\n",
                index.line_col(text, diagnostic.range.start(), Encoding::Chars).line + 1,
                diagnostic.code
            )
        })
        .collect()
}

#[test]
fn seeds_table() {
    expect![[r#"
        10 infobox-empty-value
        34 heading-spacing
        38 heading-spacing
    "#]]
    .assert_eq(&line_codes(&crate::test_support::seed("000")));
    expect![[r#"
        1 title-missing
        3 stray-citation
        5 stray-citation
        9 citation-needed
        11 stray-citation
        27 stray-citation
        35 stray-citation
        43 stray-citation
        49 citation-needed
        57 stray-citation
        59 stray-citation
        70 dangling-text
        74 dangling-text
        75 dangling-text
    "#]]
    .assert_eq(&line_codes(&crate::test_support::seed("001")));
    expect![[r#"
        9 infobox-markup
        9 infobox-empty-item
        9 infobox-empty-item
        10 infobox-empty-item
    "#]]
    .assert_eq(&line_codes(&crate::test_support::seed("002")));
    expect![[r#"
        1 title-missing
        4 bare-heading
        5 dangling-text
        7 bare-heading
        14 bare-heading
        15 missing-space
        19 scrape-debris
        20 scrape-debris
    "#]]
    .assert_eq(&line_codes(&crate::test_support::seed("003")));
    expect![[r#"
        10 infobox-markup
        11 infobox-empty-value
        14 infobox-markup
        16 infobox-markup
        17 infobox-markup
        27 dangling-text
    "#]]
    .assert_eq(&line_codes(&crate::test_support::seed("004")));
}

const HEAD: &str = "= T =\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n";

#[test]
fn clean_document_has_no_diagnostics() {
    check(
        &format!(
            "{HEAD}- Combatant1: A, B\n- Commander1: X\n\nProse. More prose, U.S. and Gen. Smith, c. 1.5 km.\n\n== See also ==\n- Other\n"
        ),
        expect![[r#""#]],
    );
}

#[test]
fn infobox_syntax() {
    check(
        &format!("{HEAD}Date 1944\n"),
        expect![[r#"
        8:1 infobox-syntax "Date 1944": `Date 1944` is not an infobox entry: write it as `- Key: Value`, or put a blank line before it to end the infobox
    "#]],
    );
}

#[test]
fn infobox_duplicate_key() {
    check(
        &format!("{HEAD}- Place: Q\n"),
        expect![[r#"
        8:3 infobox-duplicate-key "Place": `Place` is given twice; only the first one counts: remove this line or merge its value into the first
          fix "Remove this `Place` line" → ""
    "#]],
    );
}

#[test]
fn infobox_unknown_key() {
    check(
        &format!("{HEAD}- Combatant2: A\n- Comander2: X\n- Weather: fine\n- Commander4: Y\n"),
        expect![[r#"
        9:3 infobox-unknown-key "Comander2": unknown infobox key `Comander2`: did you mean `Commander2`?
          fix "Change to `Commander2`" → "- Commander2: X"
        10:3 infobox-unknown-key "Weather": unknown infobox key `Weather`: use a key of the military-conflict infobox, or add it to `infobox.extra_keys` in seedls.toml
        11:3 infobox-unknown-key "Commander4": `Commander4`: sides are numbered 1 to 3, and only the side keys (Combatant, Commander, Units, Strength, Casualties) take a number
          fix "Change to `Commander1`" → "- Commander1: Y"
    "#]],
    );
}

#[test]
fn infobox_missing_key() {
    check(
        "= T =\n\nInfobox\n- Conflict: C\n- Place: P\n\nText.\n",
        expect![[r#"
        3:1 infobox-missing-key "Infobox": the infobox has no `Date`: every conflict infobox gives Conflict, Date, Place and Result
          fix "Add `- Date: `" → "- Place: P\n- Date: "
        3:1 infobox-missing-key "Infobox": the infobox has no `Result`: every conflict infobox gives Conflict, Date, Place and Result
          fix "Add `- Result: `" → "- Place: P\n- Result: "
    "#]],
    );
    check("= T =\n\nNo infobox, so nothing is missing.\n", expect![[r#""#]]);
}

#[test]
fn infobox_empty_value_and_items() {
    check(
        &format!("{HEAD}- Combatant1: A, , B,\n- Combatant2: , C\n- Commander1:\n- Commander2: ,\n"),
        expect![[r#"
        8:18 infobox-empty-item ",": empty item in `Combatant1`: nothing stands before this comma
          fix "Remove the empty item" → "- Combatant1: A, B,"
        8:21 infobox-empty-item ",": trailing comma in `Combatant1`: an empty item ends the list
          fix "Remove the empty item" → "- Combatant1: A, , B"
        9:15 infobox-empty-item ",": empty item in `Combatant2`: nothing stands before this comma
          fix "Remove the empty item" → "- Combatant2: C"
        10:3 infobox-empty-value "Commander1": `Commander1` has no value: fill it in, or remove the line
        11:15 infobox-empty-value ",": `Commander2` has no value: fill it in, or remove the line
    "#]],
    );
}

#[test]
fn infobox_markup() {
    check(
        &format!(
            "{HEAD}- Combatant1: <hr> A\n- Strength1: 500+ soldiers<hr> 15,000 volunteers\n- Units1: 22px Army, <small>B</small>\n"
        ),
        expect![[r#"
        8:15 infobox-markup "<hr>": leftover HTML `<hr>`: remove it
          fix "Remove `<hr>`" → "- Combatant1: A"
        9:27 infobox-markup "<hr>": leftover HTML `<hr>` separates two items: use a comma
          fix "Replace `<hr>` with a comma" → "- Strength1: 500+ soldiers, 15,000 volunteers"
        10:11 infobox-markup "22px": `22px` is the size of an image that was not kept: remove it
          fix "Remove `22px`" → "- Units1: Army, <small>B</small>"
        10:22 infobox-markup "<small>": leftover HTML `<small>`: remove it
          fix "Remove `<small>`" → "- Units1: 22px Army, B</small>"
        10:30 infobox-markup "</small>": leftover HTML `</small>`: remove it
          fix "Remove `</small>`" → "- Units1: 22px Army, <small>B"
    "#]],
    );
}

#[test]
fn infobox_side_mismatch() {
    check(
        &format!("{HEAD}- Combatant1: A\n- Commander2: X\n- Casualties3: civilians\n"),
        expect![[r#"
        9:3 infobox-side-mismatch "Commander2": `Commander2` is for side 2, but there is no `Combatant2`: add the side's belligerents, or renumber the key
    "#]],
    );
}

#[test]
fn infobox_nesting() {
    check(
        &format!("{HEAD}- Combatant1: A\n- Units1: *First, Army, **Division, *Corps, **Division\n"),
        expect![[r#"
        9:11 infobox-nesting "*": `*` item `First` in `Units1` has no parent: the first item cannot be nested
        9:25 infobox-nesting "**": `**` item `Division` is not under a `*` item: use `*`, or add the `*` unit it belongs to
    "#]],
    );
}

#[test]
fn infobox_date() {
    check(
        "= T =\n\nInfobox\n- Conflict: C\n- Date: 22 November – 15 October 1944\n- Place: P\n- Result: R\n",
        expect![[r#"
        5:9 infobox-date "22 November – 15 October 1944": the date range `22 November – 15 October 1944` ends before it starts: check the order of its ends
    "#]],
    );
    check(
        "= T =\n\nInfobox\n- Conflict: C\n- Date: sometime in the war\n- Place: P\n- Result: R\n",
        expect![[r#"
        5:9 infobox-date "sometime in the war": cannot read `sometime in the war` as a date (`sometime` is not part of a date): write a date or a range such as `15 October – 22 November 1944`
    "#]],
    );
}

#[test]
fn infobox_misplaced() {
    check(
        &format!("{HEAD}\nProse.\n\nInfobox\n- Conflict: D\n"),
        expect![[r#"
        11:1 infobox-misplaced "Infobox": a second infobox: only the first one counts; merge its entries into the first
    "#]],
    );
    check(
        "= T =\n\nProse first.\n\nInfobox\n- Conflict: C\n- Date: 1944\n- Place: P\n- Result: R\n",
        expect![[r#"
        5:1 infobox-misplaced "Infobox": the infobox comes after body text: move it right under the title
    "#]],
    );
}

#[test]
fn title_missing() {
    check(
        "Belgrade offensive\n\nText.\n",
        expect![[r#"
        1:1 title-missing "Belgrade offensive": the title `Belgrade offensive` is a bare line: mark it as `= Belgrade offensive =`
          fix "Mark the title with `= … =`" → "= Belgrade offensive ="
    "#]],
    );
    check(
        "\n\nThe first line is a sentence.\n",
        expect![[r#"
        3:1 title-missing "": the document has no title: start it with a line `= Title =`
    "#]],
    );
}

#[test]
fn heading_syntax_spacing_and_level_skip() {
    check(
        "= T =\n\n=== Deep ===\nText.\n== Legacy =\nText.\n==Aftermath==\n=== Fine ===\n",
        expect![[r#"
        3:1 heading-level-skip "=== Deep ===": `===` heading straight under the title skips a level: use `==`, or add the section it belongs to
        5:1 heading-syntax "== Legacy =": unbalanced heading: `==` opens it but `=` closes it; write `== Legacy ==`
          fix "Change to `== Legacy ==`" → "== Legacy =="
        7:1 heading-spacing "==Aftermath==": put spaces inside the heading markers: `== Aftermath ==`
          fix "Change to `== Aftermath ==`" → "== Aftermath =="
    "#]],
    );
}

#[test]
fn bare_heading() {
    check(
        "T\n\nA first paragraph that is long enough to be prose.\nBackground\nIn mid-May 1998, the KLA established a presence in the region.\n",
        expect![[r#"
        1:1 title-missing "T": the title `T` is a bare line: mark it as `= T =`
          fix "Mark the title with `= … =`" → "= T ="
        4:1 bare-heading "Background": `Background` reads as a section heading: mark it as `== Background ==`
          fix "Mark as `== Background ==`" → "== Background =="
    "#]],
    );
}

#[test]
fn bare_heading_followed_by_a_blank_line() {
    // A known name stands alone with a blank line after it (issue 12); the document thereby
    // sets its headings apart, so a short unknown line in the same layout is a heading too,
    // but a line that opens like a caption is left alone.
    check(
        "= T =\n\nA first paragraph that is long enough to be prose.\n\nBackground\n\nIn mid-May 1998, the KLA established a presence in the region.\n\nPolish II Corps\n\nIn the fourth battle, Polish troops attacked the ridges north of the abbey.\n\nThe abbey in ruins\n\nThe third battle, in March, began with a bombardment of the town.\n",
        expect![[r#"
            5:1 bare-heading "Background": `Background` reads as a section heading: mark it as `== Background ==`
              fix "Mark as `== Background ==`" → "== Background =="
            9:1 bare-heading "Polish II Corps": `Polish II Corps` reads as a section heading: mark it as `== Polish II Corps ==`
              fix "Mark as `== Polish II Corps ==`" → "== Polish II Corps =="
        "#]],
    );
    // Captions in the same layout: they name a picture, or carry a year.
    check(
        "= T =\n\nBackground\n\nIn mid-May 1998, the KLA established a presence in the region.\n\nMap of the battle\n\nIn the fourth battle, Polish troops attacked the ridges north of the abbey.\n\nSerbian soldiers in 1914\n\nIn the fourth battle, Polish troops attacked the ridges north of the abbey.\n",
        expect![[r#"
            3:1 bare-heading "Background": `Background` reads as a section heading: mark it as `== Background ==`
              fix "Mark as `== Background ==`" → "== Background =="
        "#]],
    );
    // Without a known name standing alone, a short line between blank lines may be a caption:
    // silence.
    check(
        "= T =\n\nA first paragraph that is long enough to be prose.\n\nPolish II Corps\n\nIn the fourth battle, Polish troops attacked the ridges north of the abbey.\n",
        expect![[r#""#]],
    );
    // A known name over a list heads it.
    check(
        "= T =\n\nThe last paragraph of the article ends here.\n\nSee also\n- Battle of Kursk\n",
        expect![[r#"
            5:1 bare-heading "See also": `See also` reads as a section heading: mark it as `== See also ==`
              fix "Mark as `== See also ==`" → "== See also =="
        "#]],
    );
}

#[test]
fn citations() {
    check(
        "= T =\n\n[11] Planning. Text[12][13] and more [citation needed].\n",
        expect![[r#"
        3:1 stray-citation "[11]": reference marker `[11]` points to no reference list in this document: remove it
          fix "Remove the reference marker" → "Planning. Text[12][13] and more [citation needed]."
        3:20 stray-citation "[12][13]": reference marker `[12][13]` points to no reference list in this document: remove it
          fix "Remove the reference marker" → "[11] Planning. Text and more [citation needed]."
        3:38 citation-needed "[citation needed]": `[citation needed]`: this claim needs a source
    "#]],
    );
    check("= T =\n\nText[12].\n\n== References ==\n- A book\n", expect![[r#""#]]);
    check("= T =\n\nText[12].\n\n== Works cited ==\n1. A book.\n", expect![[r#""#]]);
}

#[test]
fn footnote_markers_and_cleanup_tags() {
    check(
        "= T =\n\nNear Kilkis.[a] On 19 June.[note 1] A [B] grade, dated 1332 [1916]. Sent by radio.[dubious – discuss] Named after Tannenberg.[failed verification] Shot himself.[according to whom?]\n",
        expect![[r#"
            3:13 stray-citation "[a]": reference marker `[a]` points to no reference list in this document: remove it
              fix "Remove the reference marker" → "Near Kilkis. On 19 June.[note 1] A [B] grade, dated 1332 [1916]. Sent by radio.[dubious – discuss] Named after Tannenberg.[failed verification] Shot himself.[according to whom?]"
            3:28 stray-citation "[note 1]": reference marker `[note 1]` points to no reference list in this document: remove it
              fix "Remove the reference marker" → "Near Kilkis.[a] On 19 June. A [B] grade, dated 1332 [1916]. Sent by radio.[dubious – discuss] Named after Tannenberg.[failed verification] Shot himself.[according to whom?]"
            3:83 citation-needed "[dubious – discuss]": `[dubious – discuss]`: this claim needs a source
            3:126 citation-needed "[failed verification]": `[failed verification]`: this claim needs a source
            3:161 citation-needed "[according to whom?]": `[according to whom?]`: this claim needs a source
        "#]],
    );
}

#[test]
fn scrape_debris() {
    check(
        "T\nFrom Wikipedia, the free encyclopedia\n\nThe battle was fought on 26 January 1913.\nBackground [edit]\nAfter the armistice of December 1912 broke down, the Ottoman command planned an attack.\n",
        expect![[r#"
            1:1 title-missing "T": the title `T` is a bare line: mark it as `= T =`
              fix "Mark the title with `= … =`" → "= T ="
            2:1 scrape-debris "From Wikipedia, the free encyclopedia": `From Wikipedia, the free encyclopedia` is navigation left over from the web page: delete it
              fix "Delete the line" → ""
            5:1 bare-heading "Background": `Background` reads as a section heading: mark it as `== Background ==`
              fix "Mark as `== Background ==`" → "== Background == [edit]"
            5:12 scrape-debris "[edit]": `[edit]` is the wiki's edit link, left over from the web page: delete it
              fix "Delete `[edit]`" → "Background"
        "#]],
    );
    check(
        "= T =\n\nText.\nRetrieved from \"https://en.wikipedia.org/wiki/Battle_of_Tirana\"\n",
        expect![[r#"
            4:1 scrape-debris "Retrieved from \"https://en.wikipedia.org/wiki/Battle_of_Tirana\"": `Retrieved from "https://en.wikipedia.org/wiki/Battle_of_Tirana"` is navigation left over from the web page: delete it
              fix "Delete the line" → ""
        "#]],
    );
    check(
        "= T =\n\nText.\n\u{a0}\n< Prev \u{a0} Next >",
        expect![[r#"
        4:1 scrape-debris "\u{a0}": a line of only non-breaking spaces, left over from the web page: delete it
          fix "Delete the line" → "< Prev \u{a0} Next >"
        5:1 scrape-debris "< Prev \u{a0} Next >": `< Prev   Next >` is navigation left over from the web page: delete it
          fix "Delete the line" → "\u{a0}"
    "#]],
    );
}

#[test]
fn missing_space() {
    check(
        "= T =\n\nNear Mitrovica.Meanwhile the army. The U.S. and E.U. met; 1.5 km; Gen.Smith and Lt.Col.Jones.\n",
        expect![[r#"
        3:15 missing-space ".Me": `Mitrovica.Meanwhile`: two sentences joined without a space
          fix "Insert a space" → "Near Mitrovica. Meanwhile the army. The U.S. and E.U. met; 1.5 km; Gen.Smith and Lt.Col.Jones."
    "#]],
    );
}

#[test]
fn missing_space_after_a_year_or_a_closing_bracket() {
    check(
        "= T =\n\nUnveiled in 1972.The film (1962).The end. Hill No.102 and No.3, 2.5 km, 11.Panzer-Division.\n",
        expect![[r#"
            3:17 missing-space ".Th": `1972.The`: two sentences joined without a space
              fix "Insert a space" → "Unveiled in 1972. The film (1962).The end. Hill No.102 and No.3, 2.5 km, 11.Panzer-Division."
            3:33 missing-space ".Th": `(1962).The`: two sentences joined without a space
              fix "Insert a space" → "Unveiled in 1972.The film (1962). The end. Hill No.102 and No.3, 2.5 km, 11.Panzer-Division."
        "#]],
    );
}

#[test]
fn missing_space_leaves_web_addresses_and_abbreviations_alone() {
    check(
        "= T =\n\nSee www.Example.org and www.Montenegrina.net, https://www.Jablanica.ba/historija or Muzej-Neretva.Ba/history. Est. 2,000 dead (est.Figures vary); in Oct.Fighting resumed. It ended.Then it began.\n",
        expect![[r#"
            3:180 missing-space ".Th": `ended.Then`: two sentences joined without a space
              fix "Insert a space" → "See www.Example.org and www.Montenegrina.net, https://www.Jablanica.ba/historija or Muzej-Neretva.Ba/history. Est. 2,000 dead (est.Figures vary); in Oct.Fighting resumed. It ended. Then it began."
        "#]],
    );
}

#[test]
fn dangling_text() {
    check(
        "= T =\n\nIts first appearance in the . Troops entering Leskovac .\nA tank ( Palace in the background) and () here.\nHe said:\n\nNext paragraph, with .50 caliber guns.\n",
        expect![[r#"
        3:25 dangling-text "the .": `the .`: words missing before the punctuation, likely a removed link; complete or rephrase the sentence
        3:55 dangling-text " .": a space before `.`: something between them was likely removed
        4:8 dangling-text "( ": a space after `(`: something at the start of the parentheses was likely removed
        4:40 dangling-text "()": empty parentheses: their content was likely removed
        5:4 dangling-text "said:": the paragraph ends in `:` with nothing after it: a quotation or list was likely lost; restore it or end the sentence
    "#]],
    );
    check("= T =\n\nThe list follows:\n- one\n", expect![[r#""#]]);
    // A colon that introduces a quotation set apart in its own paragraph.
    check("= T =\n\nHis last order was:\n\n\"Forward, my falcons!\"\n", expect![[r#""#]]);
    check("= T =\n\nThe history gives:\n\n«640 погинулих»\n", expect![[r#""#]]);
    // A quotation whose marks were lost: it speaks in the first person.
    check("= T =\n\nThe proclamation said:\n\nWe have no other way.\n", expect![[r#""#]]);
    // French typography inside guillemets: `« Courage ! On les aura ! »`.
    check(
        "= T =\n\nThe order ended: « Courage ! On les aura ! » It was read out. Then ! here.\n",
        expect![[r#"
        3:67 dangling-text " !": a space before `!`: something between them was likely removed
    "#]],
    );
}

#[test]
fn severity_overrides_change_and_turn_off() {
    let text = "Title\n\n[11] Text [citation needed].\n";
    let mut diagnostics = file_diagnostics(text, &parse(text), &Schema::default());
    let overrides = SeverityOverrides(
        [("stray-citation".to_string(), None), ("citation-needed".to_string(), Some(Severity::Error))]
            .into_iter()
            .collect(),
    );
    overrides.apply(&mut diagnostics);
    let codes: Vec<_> = diagnostics.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(codes, [("title-missing", Severity::Information), ("citation-needed", Severity::Error)]);
}

#[test]
fn every_code_in_the_catalogue_is_unique_and_kebab_case() {
    let mut codes: Vec<&str> = CATALOGUE.iter().map(|info| info.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CATALOGUE.len());
    assert!(codes.iter().all(|code| code.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
}

#[test]
fn empty_items_to_the_end_of_a_list_go_with_one_fix() {
    // Found by the robustness test: removing only the first of `, ,` left a trailing comma.
    check(
        &format!("{HEAD}- Combatant1: A, B, ,\n"),
        expect![[r#"
            8:21 infobox-empty-item ",": empty item in `Combatant1`: nothing stands before this comma
              fix "Remove the empty item" → "- Combatant1: A, B"
        "#]],
    );
}
