//! Parser tests: a readable dump of the tree for each edge of the format, and the promise that
//! any input parses into blocks that tile it exactly.

use expect_test::{Expect, expect};
use proptest::prelude::*;

use super::*;

/// A dump of the tree: one line a block, infobox entries and items indented below.
fn dump(text: &str) -> String {
    let document = parse(text);
    let mut out = String::new();
    let quote = |range: TextRange| format!("{:?}", range.slice(text));
    if let Some(bom) = document.bom {
        out += &format!("Bom {bom:?}\n");
    }
    for block in &document.blocks {
        match &block.kind {
            BlockKind::Blank => out += &format!("Blank {:?}\n", block.range),
            BlockKind::Title(title) => {
                out += &format!("Title {:?} {:?} {}\n", block.range, title.style, quote(title.name))
            }
            BlockKind::Heading(heading) => {
                out += &format!(
                    "Heading {:?} {:?} level={} balanced={} spaced={} {}\n",
                    block.range,
                    heading.style,
                    heading.level,
                    heading.balanced,
                    heading.spaced,
                    quote(heading.text)
                )
            }
            BlockKind::Infobox(infobox) => {
                out += &format!("Infobox {:?}\n", block.range);
                for line in &infobox.lines {
                    match line {
                        InfoboxLine::Malformed(range) => out += &format!("  Malformed {}\n", quote(*range)),
                        InfoboxLine::Entry(entry) => {
                            out += &format!(
                                "  Entry {} side={:?} value={}\n",
                                quote(entry.key_base),
                                entry.side,
                                quote(entry.value)
                            );
                            for piece in entry.pieces.iter().filter(|piece| piece.is_empty) {
                                out += &format!("    EmptyPiece {:?}\n", piece.range);
                            }
                            for item in &entry.items {
                                let group = if item.after_group_break { " after-break" } else { "" };
                                out += &format!("    Item depth={} {}{group}\n", item.depth, quote(item.name));
                            }
                            for markup in &entry.markup {
                                out += &format!("    Markup {:?} {}\n", markup.kind, quote(markup.range));
                            }
                        }
                    }
                }
            }
            BlockKind::List(list) => {
                out += &format!("List {:?}\n", block.range);
                for item in &list.items {
                    out += &format!("  Item {}\n", quote(item.text));
                }
            }
            BlockKind::Paragraph(paragraph) => {
                out += &format!("Paragraph {:?} lines={}\n", block.range, paragraph.lines.len());
                for citation in &paragraph.citations {
                    out += &format!("  Citation {:?} {}\n", citation.kind, quote(citation.range));
                }
            }
            BlockKind::Debris(debris) => out += &format!("Debris {:?} {:?}\n", block.range, debris.kind),
        }
    }
    for problem in &document.problems {
        out += &format!("Problem {:?} {}\n", problem.kind, quote(problem.range));
    }
    out
}

#[track_caller]
fn check(text: &str, expect: Expect) {
    expect.assert_eq(&dump(text));
}

#[test]
fn marked_title_and_headings_in_every_spelling() {
    check(
        "= Kosovo Operation (1944) =\n\n== Background ==\n=== Defenses ===\ntext\n==Aftermath==\n== Legacy =\n",
        expect![[r#"
            Title 0..28 Marked "Kosovo Operation (1944)"
            Blank 28..29
            Heading 29..46 Marked level=2 balanced=true spaced=true "Background"
            Heading 46..63 Marked level=3 balanced=true spaced=true "Defenses"
            Paragraph 63..68 lines=1
            Heading 68..82 Marked level=2 balanced=true spaced=false "Aftermath"
            Heading 82..94 Marked level=2 balanced=false spaced=true "Legacy"
            Problem UnbalancedHeading "== Legacy ="
        "#]],
    );
}

#[test]
fn bare_title_and_bare_headings_between_paragraphs() {
    check(
        "Bajgora offensive\n\nThe Bajgora offensive was a military operation during the Kosovo War.\nBackground\nIn mid-May 1998, the KLA established a presence in the Bajgora region.\nAftermath\nDespite the long sustained offensives, Yugoslav forces managed little.",
        expect![[r#"
            Title 0..18 Bare "Bajgora offensive"
            Blank 18..19
            Paragraph 19..89 lines=1
            Heading 89..100 Bare level=2 balanced=true spaced=true "Background"
            Paragraph 100..171 lines=1
            Heading 171..181 Bare level=2 balanced=true spaced=true "Aftermath"
            Paragraph 181..251 lines=1
        "#]],
    );
}

#[test]
fn bare_headings_followed_by_a_blank_line() {
    // `Background` stands alone before a blank line: a heading (issue 12), and the document
    // thereby sets its headings apart, so `Polish II Corps` is one too. `The abbey in ruins`
    // opens like a caption, and `Ruins of the abbey` has no prose after it: paragraphs.
    check(
        "T\n\nBackground\n\nIn mid-May 1998, the KLA established a presence in the Bajgora region.\n\nPolish II Corps\n\nIn the fourth battle, Polish troops attacked the ridges north of the abbey.\n\nThe abbey in ruins\n\nThe third battle, in March, began with a bombardment of the town.\n\nRuins of the abbey\n\nPolish war cemetery\n",
        expect![[r#"
            Title 0..2 Bare "T"
            Blank 2..3
            Heading 3..14 Bare level=2 balanced=true spaced=true "Background"
            Blank 14..15
            Paragraph 15..86 lines=1
            Blank 86..87
            Heading 87..103 Bare level=2 balanced=true spaced=true "Polish II Corps"
            Blank 103..104
            Paragraph 104..180 lines=1
            Blank 180..181
            Paragraph 181..200 lines=1
            Blank 200..201
            Paragraph 201..267 lines=1
            Blank 267..268
            Paragraph 268..287 lines=1
            Blank 287..288
            Paragraph 288..308 lines=1
        "#]],
    );
}

#[test]
fn captions_between_lines_and_known_names_after_unit_lists() {
    // `Dragutin Gavrilović` names a portrait: the line after it does not end like a sentence.
    // `Siege` follows a unit line with no full stop, but it is a well-known section name.
    check(
        "T\n\nBelgrade fell on 9 October.\nAustro-Hungarian troops crossing the Sava.\nDragutin Gavrilović\nMonument to the defenders of Belgrade, 1915\n\nOrder of battle\n9th Australian Division\n3rd Armoured Brigade\nSiege\nThe garrison, under Lt. Gen. Leslie Morshead, held a perimeter around the port.\n",
        expect![[r#"
            Title 0..2 Bare "T"
            Blank 2..3
            Paragraph 3..139 lines=4
            Blank 139..140
            Heading 140..156 Bare level=2 balanced=true spaced=true "Order of battle"
            Paragraph 156..201 lines=2
            Heading 201..207 Bare level=2 balanced=true spaced=true "Siege"
            Paragraph 207..287 lines=1
        "#]],
    );
}

#[test]
fn headings_with_the_wikis_edit_link_glued_on() {
    check(
        "T\nFrom Wikipedia, the free encyclopedia\n\nThe battle was fought on 26 January 1913.\nBackground[edit]\nAfter the armistice of December 1912 broke down, the Ottoman command planned an attack.\n==Aftermath==[edit]\nText.\n",
        expect![[r#"
            Title 0..2 Bare "T"
            Debris 2..40 Navigation
            Blank 40..41
            Paragraph 41..83 lines=1
            Heading 83..100 Bare level=2 balanced=true spaced=true "Background"
            Paragraph 100..188 lines=1
            Heading 188..208 Marked level=2 balanced=true spaced=false "Aftermath"
            Paragraph 208..214 lines=1
        "#]],
    );
}

#[test]
fn short_caption_lines_are_not_headings() {
    check(
        "Title\n\nMap of the offensive.\nFighting around Belgrade.\nBoris Tadić and Dmitry Medvedev during celebrations for 65th anniversary\nBulgarian troops entering Leskovac .",
        expect![[r#"
            Title 0..6 Bare "Title"
            Blank 6..7
            Paragraph 7..165 lines=4
        "#]],
    );
}

#[test]
fn infobox_values_split_on_commas_but_not_inside_numbers() {
    check(
        "= T =\n\nInfobox\n- Strength1: 40,000 men\n- Strength2: 700,000+ troops stationed, (most not involved in combat)\n- Casualties3: 20,000–25,000 Albanians killed\n",
        expect![[r#"
            Title 0..6 Marked "T"
            Blank 6..7
            Infobox 7..157
              Entry "Strength" side=Some(1) value="40,000 men"
                Item depth=0 "40,000 men"
              Entry "Strength" side=Some(2) value="700,000+ troops stationed, (most not involved in combat)"
                Item depth=0 "700,000+ troops stationed"
                Item depth=0 "(most not involved in combat)"
              Entry "Casualties" side=Some(3) value="20,000–25,000 Albanians killed"
                Item depth=0 "20,000–25,000 Albanians killed"
        "#]],
    );
}

#[test]
fn infobox_nesting_markup_and_empty_items() {
    check(
        "Infobox\n- Combatant1: LANÇ<hr />, , Bulgaria,\n- Combatant2: ,\n- Units2: 22px Royal Serbian Army, * Ibar army, ** Drina division II\n- Units1: Ottoman army, * 1 Battalion<hr> Albanian militans\n",
        expect![[r#"
            Infobox 0..192
              Entry "Combatant" side=Some(1) value="LANÇ<hr />, , Bulgaria,"
                EmptyPiece 34..35
                EmptyPiece 46..46
                Item depth=0 "LANÇ"
                Item depth=0 "Bulgaria"
                Markup Separator "<hr />"
              Entry "Combatant" side=Some(2) value=","
                EmptyPiece 61..61
                EmptyPiece 62..62
              Entry "Units" side=Some(2) value="22px Royal Serbian Army, * Ibar army, ** Drina division II"
                Item depth=0 "Royal Serbian Army"
                Item depth=1 "Ibar army"
                Item depth=2 "Drina division II"
                Markup ImageSize "22px"
              Entry "Units" side=Some(1) value="Ottoman army, * 1 Battalion<hr> Albanian militans"
                Item depth=0 "Ottoman army"
                Item depth=1 "1 Battalion"
                Item depth=0 "Albanian militans" after-break
                Markup Separator "<hr>"
        "#]],
    );
}

#[test]
fn malformed_infobox_lines_stay_in_the_block() {
    check(
        "Infobox\n- Conflict: X\nDate 1944\n- no colon here\n\nProse.",
        expect![[r#"
            Infobox 0..48
              Entry "Conflict" side=None value="X"
                Item depth=0 "X"
              Malformed "Date 1944"
              Malformed "- no colon here"
            Blank 48..49
            Paragraph 49..55 lines=1
            Problem MalformedInfoboxLine "Date 1944"
            Problem MalformedInfoboxLine "- no colon here"
        "#]],
    );
}

#[test]
fn see_also_lists_citations_and_debris() {
    check(
        "T\n\n[11] Martial planning [citation needed] was done.[12][13]\n\n== See also ==\n- Stratsin-Kumanovo operation\n- Niš operation\n\u{a0}\n< Prev \u{a0} Next >",
        expect![[r#"
            Title 0..2 Bare "T"
            Blank 2..3
            Paragraph 3..61 lines=1
              Citation Numbered "[11]"
              Citation Needed "[citation needed]"
              Citation Numbered "[12]"
              Citation Numbered "[13]"
            Blank 61..62
            Heading 62..77 Marked level=2 balanced=true spaced=true "See also"
            List 77..124
              Item "Stratsin-Kumanovo operation"
              Item "Niš operation"
            Debris 124..127 InvisibleSpaces
            Debris 127..143 Navigation
        "#]],
    );
}

#[test]
fn line_endings_bom_and_no_final_newline() {
    check(
        "\u{feff}= T =\r\n\r\nText one.\rText two.",
        expect![[r#"
        Bom 0..3
        Title 3..10 Marked "T"
        Blank 10..12
        Paragraph 12..31 lines=2
    "#]],
    );
}

#[test]
fn empty_and_whitespace_only_inputs() {
    check("", expect![[r#""#]]);
    check(
        "\n\n  \n",
        expect![[r#"
        Blank 0..5
    "#]],
    );
    check(
        "\u{a0}\u{a0}",
        expect![[r#"
        Debris 0..4 InvisibleSpaces
    "#]],
    );
}

fn assert_tiles(text: &str) {
    let document = parse(text);
    let mut offset = document.bom.map_or(0, |bom| bom.end());
    for block in &document.blocks {
        assert_eq!(block.range.start(), offset, "gap or overlap before {block:?}");
        assert!(text.is_char_boundary(block.range.end()));
        offset = block.range.end();
    }
    assert_eq!(offset, text.len(), "blocks stop short of the end");
}

#[test]
fn every_seed_parses_into_blocks_that_tile_it() {
    for (_, text) in crate::test_support::seeds() {
        assert_tiles(&text);
    }
}

proptest! {
    #[test]
    fn any_text_parses_into_blocks_that_tile_it(text in "(?s)(.|\n|\r|=|-|,|\\*|<hr>|Infobox|\u{a0}|[0-9]){0,200}") {
        assert_tiles(&text);
    }

    #[test]
    fn any_unicode_parses(text in any::<String>()) {
        assert_tiles(&text);
    }

    /// Lines as the protocol counts them (`\n`, `\r\n`, `\r`), one byte at a time.
    #[test]
    fn lines_split_as_a_byte_at_a_time(text in "(a|é|\n|\r| ){0,60}", from in 0usize..60) {
        let from = from.min(text.len());
        let bytes = text.as_bytes();
        let mut expected = Vec::new();
        let (mut start, mut i) = (from, from);
        while i < bytes.len() {
            match bytes[i] {
                b'\n' | b'\r' => {
                    let next = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
                    expected.push((start, i, next as u32));
                    (start, i) = (next, next);
                }
                _ => i += 1,
            }
        }
        if start < bytes.len() {
            expected.push((start, bytes.len(), bytes.len() as u32));
        }
        let found: Vec<(usize, usize, u32)> =
            split_lines(&text, from).iter().map(|line| (line.content.start(), line.content.end(), line.next)).collect();
        prop_assert_eq!(found, expected);
    }
}

#[test]
fn word_start_before_respects_wide_characters() {
    assert_eq!(word_start_before("😀. ", 1 + 3, char::is_alphabetic), 4);
    assert_eq!(word_start_before("😀abc.", 7, char::is_alphabetic), 4);
    assert_eq!(word_start_before("Čalović.", "Čalović".len(), char::is_alphabetic), 0);
}

/// Each navigation line, as written and in the variants a scrape leaves (indented, other case),
/// is debris; prose that opens with the same letters is not.
#[test]
fn navigation_lines_are_told_from_prose_by_their_words() {
    let navigation = [
        "< Prev   Next >",
        "  < Prev",
        "Next >",
        "< Previous Next >",
        "[edit]",
        "Jump to navigation",
        "jump to search",
        "JUMP TO NAVIGATION JUMP TO SEARCH",
        "Main article: Macedonian front",
        "Main articles: Syrmian Front",
        "Further information: Operation Halyard",
        "From Wikipedia, the free encyclopedia",
        "Retrieved from \"https://en.wikipedia.org/wiki/Battle_of_Tirana\"",
        "\u{a0}Retrieved from https://example.org",
    ];
    for line in navigation {
        assert_eq!(debris_kind(line), Some(DebrisKind::Navigation), "{line:?}");
    }
    assert_eq!(debris_kind("\u{a0}\u{a0}"), Some(DebrisKind::InvisibleSpaces));
    let prose =
        ["Next morning the brigade moved.", "Main forces crossed the river.", "Jumping ahead", "", "  ", "Rome"];
    for line in prose {
        assert_eq!(debris_kind(line), None, "{line:?}");
    }
    // Every navigation line the parser knows opens with a byte the quick test lets through
    // (the accessibility links in either case).
    let mut openers: Vec<&str> = vec![FOOTER, TAGLINE];
    openers.extend(HATNOTES);
    openers.extend(NAVIGATION.iter().map(|words| words[0]));
    for link in JUMP_LINKS {
        openers.push(link);
        assert!(may_open_navigation(link.as_bytes()[0].to_ascii_uppercase()), "{link:?}");
    }
    for opener in openers {
        assert!(may_open_navigation(opener.as_bytes()[0]), "{opener:?}");
    }
}

/// A marked heading is told by its first character after white space (non-breaking included).
#[test]
fn marked_headings_open_with_equals_signs_after_any_white_space() {
    let heading = |line: &str| headings::marked_heading(line, TextRange::new(0, line.len())).map(|h| h.level);
    assert_eq!(heading("== Background =="), Some(2));
    assert_eq!(heading("  \t=== Losses ==="), Some(3));
    assert_eq!(heading("\u{a0}== Legacy =[edit]"), Some(2));
    assert_eq!(heading("x == Not =="), None);
    assert_eq!(heading("===="), None);
    assert_eq!(heading(""), None);
}

/// Known section names match in any case, around white space, and by Unicode lower case when
/// the line is not ASCII (the Kelvin sign lower-cases to `k`).
#[test]
fn known_section_names_match_in_any_case() {
    for name in ["Background", "  SEE ALSO ", "notes", "Order of Battle", "bac\u{212a}ground"] {
        assert!(headings::is_known_section_name(name), "{name:?}");
    }
    for name in ["", "Note", "Backgrounds", "Background of the war in 1944", "Bäckground"] {
        assert!(!headings::is_known_section_name(name), "{name:?}");
    }
}
