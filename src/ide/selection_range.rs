//! Selection ranges ("expand selection"): from the cursor outwards, each range strictly
//! holding the one before.
//!
//! In the infobox: word → name (the mention or listing item under the cursor) → the item with
//! its `*` marker → the item with its `*`/`**` sub-items, then its parent's, up to the top →
//! the value → the `- Key: Value` line → the infobox → its sections → the document.
//! In prose: word → name mention → sentence → line (of a paragraph of several) → paragraph →
//! section → enclosing sections → document. A section runs from its heading to the next
//! heading of the same or a higher level, without its trailing blank lines.

use crate::index::{FileId, Mention, Workspace};
use crate::syntax::{
    Block, BlockKind, Document, InfoboxEntry, InfoboxLine, TextRange, is_abbreviation, word_start_before,
};

/// For each offset, its ranges, innermost first. Offsets past the end or inside a character
/// are moved back to a character boundary; an unknown file gives no ranges.
pub fn selection_ranges(workspace: &Workspace, file: FileId, offsets: &[usize]) -> Vec<Vec<TextRange>> {
    let Some(source) = workspace.file(file) else { return vec![Vec::new(); offsets.len()] };
    selection_ranges_in(source.text(), &source.document(), &workspace.mentions(file), offsets)
}

/// The same over a text and its tree, with the mentions of known names found in it.
pub fn selection_ranges_in(
    text: &str,
    document: &Document,
    mentions: &[Mention],
    offsets: &[usize],
) -> Vec<Vec<TextRange>> {
    let sections = sections(text, document);
    offsets
        .iter()
        .map(|&offset| {
            let offset = crate::syntax::floor_char_boundary(text, offset);
            let mut chain = Chain { offset, ranges: Vec::new() };
            chain.push(word_at(text, offset));
            if let Some(block) = block_at(document, offset) {
                block_ranges(text, block, mentions, &mut chain);
            }
            let mut enclosing: Vec<TextRange> =
                sections.iter().copied().filter(|section| section.touches(offset)).collect();
            enclosing.sort_by_key(|section| section.len());
            for section in enclosing {
                chain.push(Some(section));
            }
            chain.push(Some(TextRange::new(0, text.len())));
            if chain.ranges.is_empty() {
                // An empty document: the editor still wants one range per position.
                chain.ranges.push(TextRange::empty(offset));
            }
            chain.ranges
        })
        .collect()
}

/// The ranges found so far. A candidate is kept only if it holds the cursor and strictly
/// holds the last range kept, so the answer nests whatever the text looks like.
struct Chain {
    offset: usize,
    ranges: Vec<TextRange>,
}

impl Chain {
    fn push(&mut self, candidate: Option<TextRange>) {
        let Some(candidate) = candidate else { return };
        if candidate.is_empty() || !candidate.touches(self.offset) {
            return;
        }
        if let Some(&last) = self.ranges.last()
            && (candidate == last || !candidate.contains_range(last))
        {
            return;
        }
        self.ranges.push(candidate);
    }
}

fn block_ranges(text: &str, block: &Block, mentions: &[Mention], chain: &mut Chain) {
    let offset = chain.offset;
    let mention = || innermost(mentions.iter().map(|mention| mention.range), offset);
    match &block.kind {
        BlockKind::Title(title) => {
            chain.push(mention());
            chain.push(Some(title.name));
            chain.push(Some(title.line));
        }
        BlockKind::Heading(heading) => {
            chain.push(mention());
            chain.push(Some(heading.text));
            chain.push(Some(heading.line));
        }
        BlockKind::Infobox(infobox) => {
            let lines = infobox.lines.iter().map(|line| match line {
                InfoboxLine::Entry(entry) => entry.line,
                InfoboxLine::Malformed(line) => *line,
            });
            if let Some(line) = innermost(lines, offset) {
                let entry = infobox.lines.iter().find_map(|candidate| match candidate {
                    InfoboxLine::Entry(entry) if entry.line == line => Some(entry),
                    _ => None,
                });
                if let Some(entry) = entry {
                    entry_ranges(entry, mention(), chain);
                }
                chain.push(Some(line));
            }
            chain.push(Some(without_trailing_space(text, block.range)));
        }
        BlockKind::List(list) => {
            if let Some(line) = innermost(list.items.iter().map(|item| item.line), offset) {
                chain.push(mention());
                chain.push(list.items.iter().find(|item| item.line == line).map(|item| item.text));
                chain.push(Some(line));
            }
            chain.push(Some(without_trailing_space(text, block.range)));
        }
        BlockKind::Paragraph(paragraph) => {
            let line = innermost(paragraph.lines.iter().copied(), offset);
            chain.push(mention());
            if let Some(line) = line {
                chain.push(innermost(sentences(text, line).into_iter(), offset));
                chain.push(Some(line));
            }
            chain.push(Some(without_trailing_space(text, block.range)));
        }
        BlockKind::Debris(debris) => chain.push(Some(debris.line)),
        BlockKind::Blank => {}
    }
}

/// Inside a `- Key: Value` line: the key, or the item under the cursor and the items it is
/// nested in, then the value.
fn entry_ranges(entry: &InfoboxEntry, mention: Option<TextRange>, chain: &mut Chain) {
    let offset = chain.offset;
    if entry.key.touches(offset) {
        chain.push(Some(entry.key));
        return;
    }
    if !entry.value.touches(offset) {
        return;
    }
    chain.push(mention);
    let items = &entry.items;
    if let Some(found) = innermost(items.iter().map(|item| item.range), offset) {
        let mut index = items.iter().position(|item| item.range == found).unwrap_or(0);
        chain.push(Some(items[index].name));
        chain.push(Some(items[index].range));
        loop {
            // The item with the items nested under it (`*` under a top item, `**` under `*`).
            let depth = items[index].depth;
            let last_nested =
                items[index + 1..].iter().take_while(|item| item.depth > depth).last().unwrap_or(&items[index]);
            chain.push(Some(items[index].range.cover(last_nested.range)));
            match items[..index].iter().rposition(|item| item.depth < depth) {
                Some(parent) => index = parent,
                None => break,
            }
        }
    }
    chain.push(Some(entry.value));
}

/// Of the ranges touching the offset, the one holding the character after it, else one
/// ending at it (the cursor right after a word); the smallest such.
fn innermost(ranges: impl Iterator<Item = TextRange>, offset: usize) -> Option<TextRange> {
    let touching: Vec<TextRange> = ranges.filter(|range| range.touches(offset) && !range.is_empty()).collect();
    let holding = touching.iter().copied().filter(|range| offset < range.end()).min_by_key(|range| range.len());
    holding.or_else(|| touching.iter().copied().min_by_key(|range| range.len()))
}

/// The run of letters and digits around the offset (or just before it).
fn word_at(text: &str, offset: usize) -> Option<TextRange> {
    let in_word = |c: char| c.is_alphanumeric();
    let start = word_start_before(text, offset, in_word);
    let end = offset + text[offset..].chars().take_while(|&c| in_word(c)).map(char::len_utf8).sum::<usize>();
    (start < end).then(|| TextRange::new(start, end))
}

/// The block holding the character at the offset; at the very end, the last block.
fn block_at(document: &Document, offset: usize) -> Option<&Block> {
    let block = document.blocks.iter().find(|block| offset < block.range.end()).or_else(|| document.blocks.last())?;
    (block.range.start() <= offset).then_some(block)
}

/// Every heading's section: to the next heading of the same or a higher level, without the
/// blank lines that end it.
fn sections(text: &str, document: &Document) -> Vec<TextRange> {
    let headings: Vec<(u8, usize)> = document
        .blocks
        .iter()
        .filter_map(|block| match &block.kind {
            BlockKind::Heading(heading) => Some((heading.level, heading.line.start())),
            _ => None,
        })
        .collect();
    headings
        .iter()
        .enumerate()
        .map(|(index, &(level, start))| {
            let end = headings[index + 1..]
                .iter()
                .find(|(other_level, _)| *other_level <= level)
                .map_or(text.len(), |&(_, other_start)| other_start);
            without_trailing_space(text, TextRange::new(start, end))
        })
        .collect()
}

/// The sentences of one line of prose. A sentence ends at `.`, `!` or `?` (with any closing
/// quotes, brackets and citation markers such as `[12]` after it) followed by space and a word
/// that does not start in lower case; not after an abbreviation (`Gen.`) or an initial (`U.S.`).
fn sentences(text: &str, line: TextRange) -> Vec<TextRange> {
    let content = line.slice(text);
    let mut found = Vec::new();
    let mut start = 0;
    for (at, terminator) in content.char_indices() {
        if at < start || !matches!(terminator, '.' | '!' | '?') {
            continue;
        }
        let end = sentence_close(content, at + terminator.len_utf8());
        let rest = &content[end..];
        if !rest.chars().next().is_none_or(char::is_whitespace) {
            continue;
        }
        if rest.trim_start().chars().next().is_some_and(char::is_lowercase) {
            continue;
        }
        if terminator == '.' {
            let word = &content[word_start_before(content, at, char::is_alphabetic)..at];
            let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
            if initial || is_abbreviation(word) {
                continue;
            }
        }
        found.push(without_surrounding_space(content, start, end));
        start = end;
    }
    found.push(without_surrounding_space(content, start, content.len()));
    found.into_iter().filter(|range| !range.is_empty()).map(|range| range.shifted(line.start())).collect()
}

/// Past the closing quotes, brackets and citation markers that belong to a sentence's end.
fn sentence_close(content: &str, mut end: usize) -> usize {
    loop {
        let rest = &content[end..];
        if let Some(closer) = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | ')' | '”' | '’')) {
            end += closer.len_utf8();
            continue;
        }
        let citation = rest.strip_prefix('[').and_then(|inner| inner.find(']').map(|close| (inner, close)));
        match citation {
            Some((inner, close)) if close > 0 && inner[..close].chars().all(|c| c.is_alphanumeric() || c == ' ') => {
                end += close + 2;
            }
            _ => return end,
        }
    }
}

fn without_surrounding_space(content: &str, start: usize, end: usize) -> TextRange {
    let piece = &content[start..end];
    let leading = piece.len() - piece.trim_start().len();
    TextRange::new(start + leading, start + leading + piece.trim().len())
}

fn without_trailing_space(text: &str, range: TextRange) -> TextRange {
    TextRange::new(range.start(), range.start() + range.slice(text).trim_end().len())
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    /// Each range of the chain at the cursor, innermost first; long ones shortened in the middle.
    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let text = &fixture.workspace.file(file).expect("cursor file").text();
        let chains = selection_ranges(&fixture.workspace, file, &[offset]);
        let actual: String = chains[0].iter().map(|range| format!("{}\n", shorten(range.slice(text)))).collect();
        expect.assert_eq(&actual);
    }

    fn shorten(slice: &str) -> String {
        let chars: Vec<char> = slice.chars().collect();
        if chars.len() <= 70 {
            return format!("{slice:?}");
        }
        let head: String = chars[..35].iter().collect();
        let tail: String = chars[chars.len() - 25..].iter().collect();
        format!("{head:?} … {tail:?}")
    }

    const ARTICLE: &str = "
        = Kosovo Operation (1944) =

        Infobox
        - Conflict: Kosovo Operation
        - Date: 15 October – 22 November 1944
        - Commander1: Kiril Stanchev, Enver Hoxha
        - Units1: 2nd Bulgarian Army, *2nd Division, **1st Regiment, *4th Division, National Liberation Army, *24th Serbian Division

        The Kosovo Operation was launched by Kiril Stanchev. It was led by Gen. Stanchev in the U.S. sense.[3] Another sentence.
        A second line of the lead.

        == Background ==
        === German defenses ===
        Army Group E held the line.

        === Coordination ===
        Enver Hoxha agreed.

        == See also ==
        - Niš operation
        - Kosovo Operation
    ";

    /// The article with a cursor under `needle`'s line, at `column` characters into it.
    fn at(needle: &str, column: usize) -> String {
        let mut out = String::from("//- /a.txt\n");
        for line in crate::ide::fixture::trim_indent(ARTICLE).lines() {
            out += line;
            out += "\n";
            if line.contains(needle) {
                out += &format!("{}|\n", " ".repeat(column));
            }
        }
        out
    }

    #[test]
    fn a_sub_item_grows_into_its_parent_item_then_the_line() {
        check(
            &at("- Units1", 48),
            expect![[r#"
                "1st"
                "1st Regiment"
                "**1st Regiment"
                "*2nd Division, **1st Regiment"
                "2nd Bulgarian Army, *2nd Division, **1st Regiment, *4th Division"
                "2nd Bulgarian Army, *2nd Division, " … "y, *24th Serbian Division"
                "- Units1: 2nd Bulgarian Army, *2nd " … "y, *24th Serbian Division"
                "Infobox\n- Conflict: Kosovo Operatio" … "y, *24th Serbian Division"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_name_in_prose_grows_into_its_sentence_line_and_paragraph() {
        check(
            &at("The Kosovo Operation was launched", 45),
            expect![[r#"
                "Stanchev"
                "Kiril Stanchev"
                "The Kosovo Operation was launched by Kiril Stanchev."
                "The Kosovo Operation was launched b" … "nse.[3] Another sentence."
                "The Kosovo Operation was launched b" … " second line of the lead."
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_sentence_does_not_end_after_an_abbreviation_or_an_initial() {
        check(
            &at("The Kosovo Operation was launched", 70),
            expect![[r#"
                "Gen"
                "It was led by Gen. Stanchev in the U.S. sense.[3]"
                "The Kosovo Operation was launched b" … "nse.[3] Another sentence."
                "The Kosovo Operation was launched b" … " second line of the lead."
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_sentence_after_a_citation_marker() {
        check(
            &at("The Kosovo Operation was launched", 108),
            expect![[r#"
                "Another"
                "Another sentence."
                "The Kosovo Operation was launched b" … "nse.[3] Another sentence."
                "The Kosovo Operation was launched b" … " second line of the lead."
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn the_cursor_right_after_a_name_selects_that_name() {
        check(
            &at("- Commander1", 41),
            expect![[r#"
                "Hoxha"
                "Enver Hoxha"
                "Kiril Stanchev, Enver Hoxha"
                "- Commander1: Kiril Stanchev, Enver Hoxha"
                "Infobox\n- Conflict: Kosovo Operatio" … "y, *24th Serbian Division"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn between_two_items_the_value_comes_first() {
        check(
            &at("- Commander1", 29),
            expect![[r#"
                "Kiril Stanchev, Enver Hoxha"
                "- Commander1: Kiril Stanchev, Enver Hoxha"
                "Infobox\n- Conflict: Kosovo Operatio" … "y, *24th Serbian Division"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn an_infobox_key_grows_into_its_line() {
        check(
            &at("- Commander1", 5),
            expect![[r#"
                "Commander1"
                "- Commander1: Kiril Stanchev, Enver Hoxha"
                "Infobox\n- Conflict: Kosovo Operatio" … "y, *24th Serbian Division"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_date_value() {
        check(
            &at("- Date:", 12),
            expect![[r#"
                "October"
                "15 October – 22 November 1944"
                "- Date: 15 October – 22 November 1944"
                "Infobox\n- Conflict: Kosovo Operatio" … "y, *24th Serbian Division"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn prose_in_a_subsection_grows_into_both_sections() {
        check(
            &at("Army Group E held", 15),
            expect![[r#"
                "held"
                "Army Group E held the line."
                "=== German defenses ===\nArmy Group E held the line."
                "== Background ==\n=== German defense" … "n ===\nEnver Hoxha agreed."
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_heading_grows_into_its_section() {
        check(
            &at("=== German defenses ===", 6),
            expect![[r#"
                "German"
                "German defenses"
                "=== German defenses ==="
                "=== German defenses ===\nArmy Group E held the line."
                "== Background ==\n=== German defense" … "n ===\nEnver Hoxha agreed."
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn a_blank_line_between_subsections_is_in_the_section_above_them() {
        check(
            "
            //- /a.txt
            == Background ==
            === German defenses ===
            Army Group E held the line.

            |
            === Coordination ===
            Enver Hoxha agreed.
            ",
            expect![[r#"
                "== Background ==\n=== German defense" … "n ===\nEnver Hoxha agreed."
                "== Background ==\n=== German defense" … " ===\nEnver Hoxha agreed.\n"
            "#]],
        );
    }

    #[test]
    fn a_see_also_item() {
        check(
            &at("- Niš operation", 4),
            expect![[r#"
                "Niš"
                "Niš operation"
                "- Niš operation"
                "- Niš operation\n- Kosovo Operation"
                "== See also ==\n- Niš operation\n- Kosovo Operation"
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn the_title() {
        check(
            &at("= Kosovo Operation (1944) =", 3),
            expect![[r#"
                "Kosovo"
                "Kosovo Operation (1944)"
                "= Kosovo Operation (1944) ="
                "= Kosovo Operation (1944) =\n\nInfobo" … "ation\n- Kosovo Operation\n"
            "#]],
        );
    }

    #[test]
    fn odd_offsets_are_moved_to_a_character_boundary() {
        let text = "\u{feff}= Čalović =\r\n\r\nPlain prose.";
        let document = crate::syntax::parse(text);
        let chains = selection_ranges_in(text, &document, &[], &[1, 6, text.len(), text.len() + 10]);
        let shown: Vec<Vec<&str>> =
            chains.iter().map(|chain| chain.iter().map(|range| range.slice(text)).collect()).collect();
        expect![[r#"
            [
                [
                    "\u{feff}= Čalović =\r\n\r\nPlain prose.",
                ],
                [
                    "Čalović",
                    "= Čalović =",
                    "\u{feff}= Čalović =\r\n\r\nPlain prose.",
                ],
                [
                    "Plain prose.",
                    "\u{feff}= Čalović =\r\n\r\nPlain prose.",
                ],
                [
                    "Plain prose.",
                    "\u{feff}= Čalović =\r\n\r\nPlain prose.",
                ],
            ]
        "#]]
        .assert_debug_eq(&shown);
        assert_eq!(
            selection_ranges_in("", &crate::syntax::parse(""), &[], &[0, 3]),
            [[TextRange::empty(0)], [TextRange::empty(0)]]
        );
    }

    /// At every byte offset of every seed, in a workspace of all five: never a panic, at least
    /// one range, each range on character boundaries and holding the cursor, each strictly
    /// holding the one before, the last the whole document.
    #[test]
    fn every_offset_of_every_seed_gives_strictly_nested_ranges() {
        let mut workspace = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            workspace.set_file(&name, std::sync::Arc::from(text));
        }
        for (file, source) in workspace.files() {
            let text = &source.text();
            let offsets: Vec<usize> = (0..=text.len() + 2).collect();
            let chains = selection_ranges(&workspace, file, &offsets);
            assert_eq!(chains.len(), offsets.len());
            for (&offset, chain) in offsets.iter().zip(&chains) {
                let cursor = crate::syntax::floor_char_boundary(text, offset);
                assert!(!chain.is_empty(), "{} at {offset}: no range", source.path);
                for (index, range) in chain.iter().enumerate() {
                    assert!(range.touches(cursor), "{} at {offset}: {range:?} misses the cursor", source.path);
                    assert!(text.is_char_boundary(range.start()) && text.is_char_boundary(range.end()));
                    if let Some(previous) = index.checked_sub(1).map(|previous| chain[previous]) {
                        assert!(
                            range.contains_range(previous) && *range != previous,
                            "{} at {offset}: {range:?} does not strictly hold {previous:?}",
                            source.path
                        );
                    }
                }
                assert_eq!(chain.last(), Some(&TextRange::new(0, text.len())), "{} at {offset}", source.path);
            }
        }
    }

    /// How deep the chains of the seeds go, at a few places a writer would start from.
    #[test]
    fn chains_at_places_in_the_seeds() {
        let mut workspace = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            workspace.set_file(&name, std::sync::Arc::from(text));
        }
        let mut actual = String::new();
        for (prefix, needle) in [
            ("000", "*4th Kos-Met Brigade"),
            ("000", "Army Group E, retreating"),
            ("002", "Strength2"),
            ("003", "Kosovo Liberation Army (KLA)"),
            ("004", "** Drina division II"),
            ("004", "Kolašin"),
        ] {
            let (file, source) =
                workspace.files().find(|(_, source)| source.path.starts_with(prefix)).expect("seed present");
            let text = &source.text();
            let offset = text.find(needle).expect("needle in seed") + 3;
            actual += &format!("{prefix} {needle:?}\n");
            for range in &selection_ranges(&workspace, file, &[offset])[0] {
                actual += &format!("  {}\n", shorten(range.slice(text)));
            }
        }
        expect![[r#"
            000 "*4th Kos-Met Brigade"
              "4th"
              "4th Kos-Met Brigade"
              "*4th Kos-Met Brigade"
              "National Liberation Army, *24th Ser" … "ade, *5th Kos-Met Brigade"
              "2nd Bulgarian Army, *2nd Division, " … "3rd Brigade, *5th Brigade"
              "- Units1: 2nd Bulgarian Army, *2nd " … "3rd Brigade, *5th Brigade"
              "Infobox\n- Conflict: Kosovo Operatio" … "ëtar, Serbian State Guard"
              "= Kosovo Operation (1944) =\n\nInfobo" … "peration\n- Niš operation\n"
            000 "Army Group E, retreating"
              "Army"
              "Army Group E"
              "Despite the inevitable defeat, Germ" … "its troops toward Bosnia."
              "Despite the inevitable defeat, Germ" … "f the retreating columns."
              "=== German and Collaborator Defense" … "f the retreating columns."
              "== Background ==\n=== German and Col" … "t off the German retreat."
              "= Kosovo Operation (1944) =\n\nInfobo" … "peration\n- Niš operation\n"
            002 "Strength2"
              "Strength2"
              "- Strength2: 700,000+ troops stationed, (most not involved in combat)"
              "Infobox\n- Conflict: 1944 LANÇ count" … "t not involved in combat)"
              "= LANÇ counter-offensive in Albania" … "er communism until 1989.\n"
            003 "Kosovo Liberation Army (KLA)"
              "Kosovo"
              "The Bajgora offensive was a militar" … " and the Yugoslav forces."
              "The Bajgora offensive was a militar" … "egion in northern Kosovo."
              "Bajgora offensive\n\nThe Bajgora offe" … " Union.\n\u{a0}\n< Prev \u{a0} Next >"
            004 "** Drina division II"
              "Drina"
              "Drina division II"
              "** Drina division II"
              "* Third Army, ** Drina division II"
              "22px Royal Serbian Army, * Ibar arm" … "rmy, ** Drina division II"
              "22px Royal Serbian Army, * Ibar arm" … "de, * Pljevaljska brigade"
              "- Units2: 22px Royal Serbian Army, " … "de, * Pljevaljska brigade"
              "Infobox\n- Conflict: Serbian invasio" … "0–25,000 Albanians killed"
              "= Serbian invasion of Kosovo (1912)" … "erbia in the Balkan Wars\n"
            004 "Kolašin"
              "Kolašin"
              "Kolašin brigade"
              "* Kolašin brigade"
              "Royal Montenegrin Army, * Vasović b" … "de, * Pljevaljska brigade"
              "22px Royal Serbian Army, * Ibar arm" … "de, * Pljevaljska brigade"
              "- Units2: 22px Royal Serbian Army, " … "de, * Pljevaljska brigade"
              "Infobox\n- Conflict: Serbian invasio" … "0–25,000 Albanians killed"
              "= Serbian invasion of Kosovo (1912)" … "erbia in the Balkan Wars\n"
        "#]]
        .assert_eq(&actual);
    }
}
