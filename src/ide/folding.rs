//! Folding ranges: sections (from their heading to the end of their content) and the infobox.

use crate::ide::symbols::{DocumentSymbol, SymbolKind, document_symbols};
use crate::syntax::{Document, TextRange};

/// Ranges the editor may fold; each starts on the line that stays visible.
pub fn folding_ranges(text: &str, document: &Document) -> Vec<TextRange> {
    let mut ranges = Vec::new();
    collect(&document_symbols(text, document), &mut ranges);
    ranges.sort_by_key(|range| (range.start, range.end));
    ranges
}

fn collect(symbols: &[DocumentSymbol], out: &mut Vec<TextRange>) {
    for symbol in symbols {
        if matches!(symbol.kind, SymbolKind::Section | SymbolKind::Infobox | SymbolKind::Title) {
            out.push(symbol.range);
        }
        collect(&symbol.children, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn sections_and_the_infobox_fold() {
        let text = "= T =\n\nInfobox\n- Conflict: C\n\n== A ==\nOne.\n\n== B ==\nTwo.\n";
        let folds: Vec<&str> = folding_ranges(text, &parse(text)).iter().map(|range| range.slice(text)).collect();
        assert_eq!(
            folds,
            [
                "= T =\n\nInfobox\n- Conflict: C\n\n== A ==\nOne.\n\n== B ==\nTwo.",
                "Infobox\n- Conflict: C",
                "== A ==\nOne.",
                "== B ==\nTwo."
            ]
        );
    }

    #[test]
    fn bare_headings_followed_by_a_blank_line_fold() {
        let text = "Title\n\nBackground\n\nThe Ottoman Eastern Army fell back to a new line.\n\nAftermath\n\nAn armistice was signed on 3 December 1912.\n";
        let folds: Vec<&str> = folding_ranges(text, &parse(text)).iter().map(|range| range.slice(text)).collect();
        assert_eq!(
            &folds[1..],
            [
                "Background\n\nThe Ottoman Eastern Army fell back to a new line.",
                "Aftermath\n\nAn armistice was signed on 3 December 1912."
            ]
        );
    }
}
