//! Fuzzy ranking of names, shared by completion and workspace symbols: nucleo's matcher
//! (the one Helix uses), with smart case, over names folded to plain letters so that a
//! writer typing `calovic` finds `Mile Čalović` (nucleo's own normalisation knows `ë` but
//! not the Latin Extended-A letters of Balkan names: `Č`, `ć`, `Đ`, `š`, `ž`).

use std::cmp::Ordering;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

pub(crate) use crate::index::names::{fold_diacritics, search_chars};

/// Keeps the items whose name matches `query` fuzzily, best score first; among equals, the
/// names that start with the query, then the shorter, then by name, then in the order given.
/// An empty query keeps everything, sorted by name.
pub(crate) fn fuzzy_rank<T>(query: &str, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    fuzzy_best(query, items, name, usize::MAX)
}

/// The first `limit` of [`fuzzy_rank`], without sorting the rest: the best are selected in
/// linear time (an empty query over 150,000 names was a sort of them all, which a
/// cancellation could not stop).
pub(crate) fn fuzzy_best<T>(query: &str, items: Vec<T>, name: impl Fn(&T) -> &str, limit: usize) -> Vec<T> {
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
    crate::cancel::check();
    // Equal scores: a name that starts with the query, then the shorter, then by name, then
    // the order given (so that an unstable selection and sort give one answer).
    let query_chars: Vec<char> = search_chars(query.trim()).collect();
    let starts = |text: &str| {
        let mut chars = search_chars(text);
        query_chars.iter().all(|&wanted| chars.next() == Some(wanted))
    };
    let mut scored: Vec<(u32, bool, usize, T)> = scored
        .into_iter()
        .enumerate()
        .map(|(given, (score, item))| (score, !starts(name(&item)), given, item))
        .collect();
    let order = |(a_score, a_later, a_given, a): &(u32, bool, usize, T),
                 (b_score, b_later, b_given, b): &(u32, bool, usize, T)| {
        b_score
            .cmp(a_score)
            .then(a_later.cmp(b_later))
            .then_with(|| if query_chars.is_empty() { Ordering::Equal } else { name(a).len().cmp(&name(b).len()) })
            .then_with(|| name(a).cmp(name(b)))
            .then(a_given.cmp(b_given))
    };
    if scored.len() > limit {
        scored.select_nth_unstable_by(limit, order);
        scored.truncate(limit);
        crate::cancel::check();
    }
    scored.sort_unstable_by(order);
    scored.into_iter().map(|(_, _, _, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_few_are_the_first_few_of_the_whole_ranking() {
        // Ties on every key but the order given: the selection keeps that order too.
        let names: Vec<String> = (0..300)
            .map(|i| format!("Name {}", ["Alpha", "Beta", "Gamma", "Beta"][i % 4]))
            .chain((0..50).map(|i| format!("N{i}")))
            .collect();
        for query in ["", "na", "beta", "n1"] {
            let all: Vec<(usize, &str)> = names.iter().map(String::as_str).enumerate().collect();
            let whole = fuzzy_rank(query, all.clone(), |(_, name)| name);
            for limit in [0, 1, 7, 100, 1000] {
                let best = fuzzy_best(query, all.clone(), |(_, name)| name, limit);
                assert_eq!(best, whole[..limit.min(whole.len())], "query {query:?}, limit {limit}");
            }
        }
    }

    #[test]
    fn best_match_first_and_accents_do_not_matter() {
        let names = vec!["Mile Čalović", "Milan Nedić", "Kampfgruppe Langer"];
        assert_eq!(fuzzy_rank("calovic", names.clone(), |name| name), ["Mile Čalović"]);
        assert_eq!(fuzzy_rank("mil", names.clone(), |name| name), ["Milan Nedić", "Mile Čalović"]);
        assert_eq!(fuzzy_rank("", names, |name| name), ["Kampfgruppe Langer", "Milan Nedić", "Mile Čalović"]);
        assert_eq!(fuzzy_rank("Čal", vec!["Mile Čalović"], |name| name), ["Mile Čalović"]);
    }
}
