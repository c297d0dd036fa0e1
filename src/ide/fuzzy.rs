//! Fuzzy ranking of names, shared by completion and workspace symbols: nucleo's matcher
//! (the one Helix uses), with smart case, over names folded to plain letters so that a
//! writer typing `calovic` finds `Mile Čalović` (nucleo's own normalisation knows `ë` but
//! not the Latin Extended-A letters of Balkan names: `Č`, `ć`, `Đ`, `š`, `ž`).

use std::cmp::Ordering;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

pub(crate) use crate::index::names::{fold_diacritics, search_chars};

/// Keeps the items whose name matches `query` fuzzily, best score first; among equals, the
/// names that start with the query, then the shorter, then by name. An empty query keeps
/// everything, sorted by name.
pub(crate) fn fuzzy_rank<T>(query: &str, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(&fold_diacritics(query), CaseMatching::Smart, Normalization::Smart);
    let mut buffer = Vec::new();
    let scored: Vec<(u32, T)> = items
        .into_iter()
        .enumerate()
        .filter_map(|(checked, item)| {
            // Ranking every name is the long loop of completion and workspace symbols.
            if checked % 256 == 255 {
                crate::cancel::check();
            }
            let score = if query.trim().is_empty() {
                Some(0)
            } else {
                pattern.score(Utf32Str::new(&fold_diacritics(name(&item)), &mut buffer), &mut matcher)
            };
            score.map(|score| (score, item))
        })
        .collect();
    // Equal scores: a name that starts with the query, then the shorter, then by name.
    let query_chars: Vec<char> = search_chars(query.trim()).collect();
    let starts = |text: &str| {
        let mut chars = search_chars(text);
        query_chars.iter().all(|&wanted| chars.next() == Some(wanted))
    };
    let mut scored: Vec<(u32, bool, T)> =
        scored.into_iter().map(|(score, item)| (score, !starts(name(&item)), item)).collect();
    scored.sort_by(|(a_score, a_later, a), (b_score, b_later, b)| {
        b_score
            .cmp(a_score)
            .then(a_later.cmp(b_later))
            .then_with(|| if query_chars.is_empty() { Ordering::Equal } else { name(a).len().cmp(&name(b).len()) })
            .then_with(|| name(a).cmp(name(b)))
    });
    scored.into_iter().map(|(_, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_match_first_and_accents_do_not_matter() {
        let names = vec!["Mile Čalović", "Milan Nedić", "Kampfgruppe Langer"];
        assert_eq!(fuzzy_rank("calovic", names.clone(), |name| name), ["Mile Čalović"]);
        assert_eq!(fuzzy_rank("mil", names.clone(), |name| name), ["Milan Nedić", "Mile Čalović"]);
        assert_eq!(fuzzy_rank("", names, |name| name), ["Kampfgruppe Langer", "Milan Nedić", "Mile Čalović"]);
        assert_eq!(fuzzy_rank("Čal", vec!["Mile Čalović"], |name| name), ["Mile Čalović"]);
    }
}
