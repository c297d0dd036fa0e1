//! Inlay hints: the length of a Date range, shown after the value (`38 days`).

use crate::index::date::parse_date;
use crate::syntax::{Document, InfoboxLine};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint stands: right after the text it explains.
    pub offset: usize,
    pub label: String,
}

pub fn inlay_hints(text: &str, document: &Document) -> Vec<InlayHint> {
    let mut hints = Vec::new();
    for infobox in document.infoboxes() {
        for line in &infobox.lines {
            let InfoboxLine::Entry(entry) = line else {
                continue;
            };
            if !entry.key_base.slice(text).eq_ignore_ascii_case("date") || entry.value.is_empty() {
                continue;
            }
            let Ok(range) = parse_date(entry.value.slice(text)) else {
                continue;
            };
            let Some(days) = range.length_in_days() else {
                continue;
            };
            let about = if range.approximate { "≈ " } else { "" };
            let unit = if days == 1 { "day" } else { "days" };
            hints.push(InlayHint { offset: entry.value.end(), label: format!("{about}{days} {unit}") });
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn date_lengths() {
        let text = "Infobox\n- Date: 15 October – 22 November 1944\n- Place: X\n";
        assert_eq!(
            inlay_hints(text, &parse(text)),
            [InlayHint { offset: text.find("\n- Place").unwrap(), label: "38 days".into() }]
        );
        let text = "Infobox\n- Date: October and November 1912\n";
        assert_eq!(inlay_hints(text, &parse(text))[0].label, "≈ 60 days");
        let text = "Infobox\n- Date: Unknown\n";
        assert!(inlay_hints(text, &parse(text)).is_empty());
    }
}
