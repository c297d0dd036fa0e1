//! Formatting: normalises spacing inside heading markers (`==Aftermath==` → `== Aftermath ==`)
//! and after infobox dashes and colons (`-Key:Value` → `- Key: Value`). It never changes words.

use crate::ide::TextEdit;
use crate::syntax::{Document, HeadingStyle, InfoboxLine, TextRange};

pub fn format(text: &str, document: &Document) -> Vec<TextEdit> {
    let mut edits = Vec::new();
    for heading in document.headings() {
        if heading.style != HeadingStyle::Marked || !heading.balanced || heading.text.is_empty() {
            continue;
        }
        let (Some(open), Some(close)) = (heading.open, heading.close) else {
            continue;
        };
        push_if_changed(text, &mut edits, TextRange::new(open.end(), heading.text.start()), " ");
        push_if_changed(text, &mut edits, TextRange::new(heading.text.end(), close.start()), " ");
    }
    for infobox in document.infoboxes() {
        for line in &infobox.lines {
            let InfoboxLine::Entry(entry) = line else {
                continue;
            };
            push_if_changed(text, &mut edits, TextRange::new(entry.line.start(), entry.dash.start()), "");
            push_if_changed(text, &mut edits, TextRange::new(entry.dash.end(), entry.key.start()), " ");
            push_if_changed(text, &mut edits, TextRange::new(entry.key.end(), entry.colon.start()), "");
            let after_colon = if entry.value.is_empty() { "" } else { " " };
            push_if_changed(
                text,
                &mut edits,
                TextRange::new(entry.colon.end(), entry.value.start().max(entry.colon.end())),
                after_colon,
            );
            push_if_changed(
                text,
                &mut edits,
                TextRange::new(entry.value.end().max(entry.colon.end()), entry.line.end()),
                "",
            );
        }
    }
    edits
}

fn push_if_changed(text: &str, edits: &mut Vec<TextEdit>, range: TextRange, wanted: &str) {
    if range.slice(text) != wanted {
        edits.push(TextEdit::replace(range, wanted));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply_edits;
    use crate::syntax::parse;

    #[track_caller]
    fn check(before: &str, after: &str) {
        let edits = format(before, &parse(before));
        assert_eq!(apply_edits(before, &edits), after);
        let again = format(after, &parse(after));
        assert!(again.is_empty(), "formatting is not idempotent: {again:?}");
    }

    #[test]
    fn headings_and_infobox_lines() {
        check(
            "= T =\n\nInfobox\n-Conflict:X\n  -  Date :  1944  \n- Place:\n\n==Aftermath==\n===  Deep===\n== Legacy =\n",
            "= T =\n\nInfobox\n- Conflict: X\n- Date: 1944\n- Place:\n\n== Aftermath ==\n=== Deep ===\n== Legacy =\n",
        );
    }

    #[test]
    fn words_are_never_touched() {
        let seed = "= Kosovo Operation (1944) =\n\nInfobox\n- Combatant2: ,\n- Units1: 2nd Bulgarian Army, *2nd Division\n\nText, with  double  spaces.\n";
        let edits = format(seed, &parse(seed));
        assert!(edits.is_empty(), "{edits:?}");
    }
}
