//! Inline constructs in prose: citation markers `[11]`, `[12][13]`, footnote markers `[a]`,
//! `[note 1]`, and cleanup tags `[citation needed]`, `[dubious – discuss]`.

use std::sync::LazyLock;

use regex::Regex;

use super::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitationKind {
    /// `[11]`: a numbered reference, or a footnote marker `[a]`, `[note 1]`, `[nb 2]`.
    Numbered,
    /// `[citation needed]` and its kin: the tags an editor leaves on a claim whose source is
    /// missing or in doubt (`[dubious – discuss]`, `[failed verification]`, `[according to whom?]`).
    Needed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation {
    /// The marker with its brackets.
    pub range: TextRange,
    pub kind: CitationKind,
}

static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    // Footnote letters are lower case only (`[a]`), so a bracketed capital is left alone, and
    // reference numbers have at most three digits, so a year put in brackets (`1332 [1916]`,
    // an editor's conversion from another calendar) is left alone too.
    Regex::new(concat!(
        r"(?i)\[(?:(\d{1,3}|(?-i:[a-z])|(?:note|nb|n) \d{1,3})",
        r"|citation needed|full citation needed|better source needed|unreliable source\?|failed verification",
        r"|verification needed|clarification needed|page needed|year needed|original research\?",
        r"|dubious(?: [–—-] discuss)?|according to whom\?|when\?|who\?|by whom\?|which\?|where\?)\]",
    ))
    .expect("citation pattern is valid")
});

/// The citation markers inside `range` of `text`, in order.
pub fn find_citations(text: &str, range: TextRange) -> Vec<Citation> {
    let slice = range.slice(text);
    // Most lines hold no marker: no search is started without its `[`.
    if memchr::memchr(b'[', slice.as_bytes()).is_none() {
        return Vec::new();
    }
    CITATION
        .captures_iter(slice)
        .map(|captures| {
            let whole = captures.get(0).expect("group 0 always matches");
            let kind = if captures.get(1).is_some() { CitationKind::Numbered } else { CitationKind::Needed };
            Citation { range: TextRange::new(range.start() + whole.start(), range.start() + whole.end()), kind }
        })
        .collect()
}

/// Abbreviations that end in a full stop without ending a sentence (`Gen. Smith`, `Lt.Col.`).
const ABBREVIATIONS: &[&str] = &[
    "adm", "approx", "aug", "bde", "bn", "brig", "capt", "cdr", "cf", "cmdr", "col", "corp", "cpl", "cpt", "dec",
    "div", "dr", "est", "etc", "feb", "fig", "ft", "gen", "gov", "inc", "jan", "jr", "lieut", "lt", "ltd", "maj", "mr",
    "mrs", "mt", "no", "nov", "oct", "pp", "pres", "prof", "pvt", "regt", "rev", "sept", "sgt", "sr", "st", "vol",
    "vs",
];

/// True if `word` (the letters before a full stop) is an abbreviation.
pub fn is_abbreviation(word: &str) -> bool {
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}
