//! Infobox diagnostics: syntax, keys (duplicate, unknown, missing, sides), values (empty,
//! empty items, markup, nesting, dates) and where the infobox stands.

use std::collections::HashSet;

use super::{Diagnostic, Fix, diagnostic};
use crate::ide::{TextEdit, line_ending, line_with_terminator};
use crate::index::date::{DateError, parse_date};
use crate::index::schema::{KeyCheck, Schema};
use crate::syntax::{BlockKind, Document, InfoboxEntry, InfoboxLine, MarkupKind, TextRange};

pub(super) fn check(text: &str, document: &Document, schema: &Schema, out: &mut Vec<Diagnostic>) {
    misplaced(document, out);
    for infobox in document.infoboxes() {
        let entries: Vec<&InfoboxEntry> = infobox
            .lines
            .iter()
            .filter_map(|line| match line {
                InfoboxLine::Entry(entry) => Some(entry),
                InfoboxLine::Malformed(range) => {
                    let line = range.slice(text).trim();
                    out.push(diagnostic(
                        "infobox-syntax",
                        crate::syntax::trim_range(text, *range),
                        format!("`{line}` is not an infobox entry: write it as `- Key: Value`, or put a blank line before it to end the infobox"),
                    ));
                    None
                }
            })
            .collect();
        keys(text, &entries, schema, out);
        for entry in &entries {
            value(text, entry, out);
        }
    }
    if let Some(infobox) = document.infobox() {
        missing_keys(text, infobox, schema, out);
    }
}

fn key_name(text: &str, entry: &InfoboxEntry) -> String {
    entry.key.slice(text).to_string()
}

fn keys(text: &str, entries: &[&InfoboxEntry], schema: &Schema, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let combatant_sides: HashSet<u8> = entries
        .iter()
        .filter(|entry| entry.key_base.slice(text).eq_ignore_ascii_case("Combatant"))
        .filter_map(|entry| entry.side)
        .collect();
    for entry in entries {
        let key = key_name(text, entry);
        if !seen.insert(key.to_lowercase()) {
            out.push(
                diagnostic("infobox-duplicate-key", entry.key, format!("`{key}` is given twice; only the first one counts: remove this line or merge its value into the first"))
                    .with_fix(Fix::new(format!("Remove this `{key}` line"), vec![TextEdit::delete(line_with_terminator(text, entry.line))])),
            );
        }
        let base = entry.key_base.slice(text);
        match schema.check(base, entry.side) {
            KeyCheck::Known(_) => {}
            KeyCheck::BadSide { canonical } => {
                let message = if entry.side.is_some() {
                    format!("`{key}`: sides are numbered 1 to 3, and only the side keys (Combatant, Commander, Units, Strength, Casualties) take a number")
                } else {
                    format!("`{key}` needs a side number, such as `{canonical}`")
                };
                out.push(diagnostic("infobox-unknown-key", entry.key, message).with_fix(Fix::new(format!("Change to `{canonical}`"), vec![TextEdit::replace(entry.key, canonical)])));
            }
            KeyCheck::Unknown { suggestion: Some(suggestion) } => out.push(
                diagnostic("infobox-unknown-key", entry.key, format!("unknown infobox key `{key}`: did you mean `{suggestion}`?"))
                    .with_fix(Fix::new(format!("Change to `{suggestion}`"), vec![TextEdit::replace(entry.key, suggestion)])),
            ),
            KeyCheck::Unknown { suggestion: None } => out.push(diagnostic(
                "infobox-unknown-key",
                entry.key,
                format!("unknown infobox key `{key}`: use a key of the military-conflict infobox, or add it to `infobox.extra_keys` in seedls.toml"),
            )),
        }
        side_mismatch(text, entry, &combatant_sides, out);
    }
}

fn side_mismatch(text: &str, entry: &InfoboxEntry, combatant_sides: &HashSet<u8>, out: &mut Vec<Diagnostic>) {
    let base = entry.key_base.slice(text);
    let Some(side) = entry.side.filter(|side| crate::index::schema::SIDES.contains(side)) else {
        return;
    };
    let sided = ["Commander", "Units", "Strength", "Casualties", "Polstrength", "Milstrength"];
    if !sided.iter().any(|key| key.eq_ignore_ascii_case(base)) || combatant_sides.contains(&side) {
        return;
    }
    // Civilian losses are given as a third side's casualties with no third combatant.
    if base.eq_ignore_ascii_case("Casualties") && side == 3 {
        return;
    }
    let key = key_name(text, entry);
    out.push(diagnostic(
        "infobox-side-mismatch",
        entry.key,
        format!("`{key}` is for side {side}, but there is no `Combatant{side}`: add the side's belligerents, or renumber the key"),
    ));
}

fn value(text: &str, entry: &InfoboxEntry, out: &mut Vec<Diagnostic>) {
    let key = key_name(text, entry);
    if entry.is_empty_value() {
        let range = if entry.value.is_empty() { entry.key } else { entry.value };
        out.push(diagnostic(
            "infobox-empty-value",
            range,
            format!("`{key}` has no value: fill it in, or remove the line"),
        ));
    } else {
        empty_items(text, entry, &key, out);
        nesting(text, entry, &key, out);
        if entry.key_base.slice(text).eq_ignore_ascii_case("Date") && entry.side.is_none() {
            date(text, entry, out);
        }
    }
    markup(text, entry, out);
}

fn empty_items(text: &str, entry: &InfoboxEntry, key: &str, out: &mut Vec<Diagnostic>) {
    let last = entry.pieces.len().saturating_sub(1);
    for (index, piece) in entry.pieces.iter().enumerate() {
        if !piece.is_empty {
            continue;
        }
        // Empty pieces to the end of the list (`A, B, ,`): one fix removes them all, from
        // the comma after the last item, or the trailing comma would be left behind.
        let trailing = index > 0 && entry.pieces[index..].iter().all(|later| later.is_empty);
        let (range, removal) = match piece.comma {
            Some(comma) if trailing && !entry.pieces[index - 1].is_empty => {
                let previous_comma = entry.pieces[index - 1].comma.unwrap_or(comma);
                let end = entry.pieces[last].range.end().max(comma.end());
                (comma, TextRange::new(previous_comma.start(), end))
            }
            Some(comma) if index == 0 => {
                let rest = &text[comma.end()..entry.value.end()];
                let spaces = rest.len() - rest.trim_start().len();
                (comma, TextRange::new(piece.range.start(), comma.end() + spaces))
            }
            Some(comma) => (comma, TextRange::new(piece.range.start(), comma.end())),
            // After another empty piece, that piece's diagnostic already names this comma.
            None if index == last && index > 0 && !entry.pieces[index - 1].is_empty => {
                let previous_comma = entry.pieces[index - 1].comma.unwrap_or(piece.range);
                (previous_comma, TextRange::new(previous_comma.start(), piece.range.end()))
            }
            None => continue,
        };
        let message = if piece.comma.is_none() {
            format!("trailing comma in `{key}`: an empty item ends the list")
        } else {
            format!("empty item in `{key}`: nothing stands before this comma")
        };
        out.push(
            diagnostic("infobox-empty-item", range, message)
                .with_fix(Fix::new("Remove the empty item", vec![TextEdit::delete(removal)])),
        );
    }
}

fn nesting(text: &str, entry: &InfoboxEntry, key: &str, out: &mut Vec<Diagnostic>) {
    let mut previous_depth: Option<u8> = None;
    for item in &entry.items {
        let allowed = previous_depth.map_or(0, |depth| depth + 1);
        if item.depth > allowed {
            let marker = item.marker.unwrap_or(item.range);
            let stars = marker.slice(text);
            let message = match previous_depth {
                None => format!(
                    "`{stars}` item `{}` in `{key}` has no parent: the first item cannot be nested",
                    item.name.slice(text)
                ),
                Some(_) if item.depth == 2 => format!(
                    "`**` item `{}` is not under a `*` item: use `*`, or add the `*` unit it belongs to",
                    item.name.slice(text)
                ),
                Some(_) => format!(
                    "`{stars}` item `{}` is nested deeper than the item before it allows",
                    item.name.slice(text)
                ),
            };
            out.push(diagnostic("infobox-nesting", marker, message));
        }
        previous_depth = Some(item.depth);
    }
}

fn date(text: &str, entry: &InfoboxEntry, out: &mut Vec<Diagnostic>) {
    let value = entry.value.slice(text);
    match parse_date(value) {
        Ok(_) => {}
        Err(DateError::EndsBeforeStart) => out.push(diagnostic(
            "infobox-date",
            entry.value,
            format!("the date range `{value}` ends before it starts: check the order of its ends"),
        )),
        Err(error) => out.push(diagnostic(
            "infobox-date",
            entry.value,
            format!("cannot read `{value}` as a date ({error}): write a date or a range such as `15 October – 22 November 1944`"),
        )),
    }
}

fn markup(text: &str, entry: &InfoboxEntry, out: &mut Vec<Diagnostic>) {
    for markup in &entry.markup {
        let shown = markup.range.slice(text);
        let piece = entry.pieces.iter().find(|piece| piece.range.contains_range(markup.range));
        let before = piece.map_or("", |piece| &text[piece.range.start()..markup.range.start()]);
        let after_range_end = piece.map_or(markup.range.end(), |piece| piece.range.end());
        let after = &text[markup.range.end()..after_range_end];
        let trailing_spaces = after.len() - after.trim_start().len();
        let removal = TextRange::new(markup.range.start(), markup.range.end() + trailing_spaces);
        let (message, fix) = match markup.kind {
            MarkupKind::Separator if !before.trim().is_empty() && !after.trim().is_empty() => (
                format!("leftover HTML `{shown}` separates two items: use a comma"),
                Fix::new(
                    format!("Replace `{shown}` with a comma"),
                    vec![TextEdit::replace(
                        TextRange::new(
                            before_trimmed_end(text, piece.map(|p| p.range.start()), markup.range),
                            removal.end(),
                        ),
                        ", ",
                    )],
                ),
            ),
            MarkupKind::Separator | MarkupKind::Tag => (
                format!("leftover HTML `{shown}`: remove it"),
                Fix::new(format!("Remove `{shown}`"), vec![TextEdit::delete(removal)]),
            ),
            MarkupKind::ImageSize => (
                format!("`{shown}` is the size of an image that was not kept: remove it"),
                Fix::new(format!("Remove `{shown}`"), vec![TextEdit::delete(removal)]),
            ),
        };
        out.push(diagnostic("infobox-markup", markup.range, message).with_fix(fix));
    }
}

/// Where the text before `markup` ends once trailing spaces are dropped, so `a <hr> b` becomes `a, b`.
fn before_trimmed_end(text: &str, piece_start: Option<usize>, markup: TextRange) -> usize {
    let start = piece_start.unwrap_or(markup.start());
    let before = &text[start..markup.start()];
    start + before.trim_end().len()
}

fn missing_keys(text: &str, infobox: &crate::syntax::Infobox, schema: &Schema, out: &mut Vec<Diagnostic>) {
    let present: HashSet<String> = infobox
        .lines
        .iter()
        .filter_map(|line| match line {
            InfoboxLine::Entry(entry) => Some(entry.key.slice(text).to_lowercase()),
            InfoboxLine::Malformed(_) => None,
        })
        .collect();
    let last_line_end = infobox
        .lines
        .iter()
        .map(|line| match line {
            InfoboxLine::Entry(entry) => entry.line.end(),
            InfoboxLine::Malformed(range) => range.end(),
        })
        .max()
        .unwrap_or(infobox.header.end());
    let newline = line_ending(text);
    for key in &schema.required {
        if present.contains(&key.to_lowercase()) {
            continue;
        }
        out.push(
            diagnostic(
                "infobox-missing-key",
                infobox.header,
                format!("the infobox has no `{key}`: every conflict infobox gives Conflict, Date, Place and Result"),
            )
            .with_fix(Fix::new(
                format!("Add `- {key}: `"),
                vec![TextEdit::insert(last_line_end, format!("{newline}- {key}: "))],
            )),
        );
    }
}

fn misplaced(document: &Document, out: &mut Vec<Diagnostic>) {
    let mut seen_body = false;
    let mut seen_infobox = false;
    for block in &document.blocks {
        match &block.kind {
            BlockKind::Infobox(infobox) if seen_infobox => out.push(diagnostic(
                "infobox-misplaced",
                infobox.header,
                "a second infobox: only the first one counts; merge its entries into the first",
            )),
            BlockKind::Infobox(infobox) => {
                seen_infobox = true;
                if seen_body {
                    out.push(diagnostic(
                        "infobox-misplaced",
                        infobox.header,
                        "the infobox comes after body text: move it right under the title",
                    ));
                }
            }
            BlockKind::Paragraph(_) | BlockKind::Heading(_) | BlockKind::List(_) => seen_body = true,
            BlockKind::Blank | BlockKind::Title(_) | BlockKind::Debris(_) => {}
        }
    }
}
