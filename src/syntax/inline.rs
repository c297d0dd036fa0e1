//! Inline constructs in prose: citation markers `[11]`, `[12][13]`, `[citation needed]`.

use std::sync::LazyLock;

use regex::Regex;

use super::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitationKind {
    /// `[11]`: a numbered reference.
    Numbered,
    /// `[citation needed]` and its kin.
    Needed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation {
    /// The marker with its brackets.
    pub range: TextRange,
    pub kind: CitationKind,
}

static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[(?:(\d{1,4})|citation needed|better source needed|clarification needed|when\?|who\?|by whom\?|page needed)\]")
        .expect("citation pattern is valid")
});

/// The citation markers inside `range` of `text`, in order.
pub fn find_citations(text: &str, range: TextRange) -> Vec<Citation> {
    CITATION
        .captures_iter(range.slice(text))
        .map(|captures| {
            let whole = captures.get(0).expect("group 0 always matches");
            let kind = if captures.get(1).is_some() { CitationKind::Numbered } else { CitationKind::Needed };
            Citation { range: TextRange::new(range.start() + whole.start(), range.start() + whole.end()), kind }
        })
        .collect()
}

/// Abbreviations that end in a full stop without ending a sentence (`Gen. Smith`, `Lt.Col.`).
const ABBREVIATIONS: &[&str] = &[
    "adm", "approx", "brig", "capt", "cmdr", "col", "corp", "cpl", "cpt", "dr", "etc", "ft", "gen", "gov", "inc", "jr",
    "lieut", "lt", "ltd", "maj", "mr", "mrs", "mt", "no", "pres", "prof", "pvt", "rev", "sgt", "sr", "st", "vol", "vs",
];

/// True if `word` (the letters before a full stop) is an abbreviation.
pub fn is_abbreviation(word: &str) -> bool {
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}
