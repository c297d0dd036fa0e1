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
    let ranking = Ranking::new(query);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut scored: Vec<Scored> = Vec::new();
    for (given, item) in items.iter().enumerate() {
        // Ranking every name is the long loop of completion.
        if given % 256 == 255 {
            crate::cancel::check();
        }
        scored.extend(ranking.score(given, name(item), &mut matcher, &mut buffer));
    }
    crate::cancel::check();
    scored.sort_unstable_by(ranking.order(|given| name(&items[given])));
    let mut items: Vec<Option<T>> = items.into_iter().map(Some).collect();
    scored.into_iter().filter_map(|scored| items[scored.given].take()).collect()
}

/// Names scored at once on each thread of the pool, in [`fuzzy_best`].
const NAMES_PER_JOB: usize = 4096;

/// The indexes of the first `limit` items of [`fuzzy_rank`]'s ranking, found on the parallel
/// pool without sorting the rest: each slice of names keeps its own best `limit`, and the
/// best of those are the best of all (the ranking is a total order). Workspace symbols rank
/// every name of the workspace (150,000 at 50,000 articles) on each keystroke of the
/// editor's symbol search.
pub(crate) fn fuzzy_best<T: Sync>(
    query: &str,
    items: &[T],
    name: impl Fn(&T) -> &str + Sync,
    limit: usize,
) -> Vec<usize> {
    let ranking = Ranking::new(query);
    let order = ranking.order(|given| name(&items[given]));
    let starts: Vec<usize> = (0..items.len()).step_by(NAMES_PER_JOB).collect();
    let best_of_each = crate::cancel::parallel_map(&starts, |&start| {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut scored: Vec<Scored> = Vec::new();
        for (given, item) in items.iter().enumerate().skip(start).take(NAMES_PER_JOB) {
            if given % 256 == 255 {
                crate::cancel::let_others_run();
            }
            scored.extend(ranking.score(given, name(item), &mut matcher, &mut buffer));
        }
        keep_the_best(&mut scored, limit, &order);
        scored
    });
    let mut scored: Vec<Scored> = best_of_each.into_iter().flatten().collect();
    keep_the_best(&mut scored, limit, &order);
    scored.sort_unstable_by(&order);
    scored.into_iter().map(|scored| scored.given).collect()
}

/// Keeps the best `limit` (in no particular order), in linear time.
fn keep_the_best(scored: &mut Vec<Scored>, limit: usize, order: impl Fn(&Scored, &Scored) -> Ordering) {
    if scored.len() > limit {
        scored.select_nth_unstable_by(limit, order);
        scored.truncate(limit);
    }
}

/// An item that matched: its score, whether its name does not start with the query, and its
/// place in the order given.
#[derive(Clone, Copy)]
struct Scored {
    score: u32,
    later: bool,
    given: usize,
}

/// A query, ready to score names against.
struct Ranking {
    pattern: Pattern,
    /// The query is blank: every name matches it, equally.
    blank: bool,
    /// The query's letters as [`search_chars`] gives them; empty for an empty query.
    query_chars: Vec<char>,
}

impl Ranking {
    fn new(query: &str) -> Ranking {
        Ranking {
            pattern: Pattern::parse(&fold_diacritics(query), CaseMatching::Smart, Normalization::Smart),
            blank: query.trim().is_empty(),
            query_chars: search_chars(query.trim()).collect(),
        }
    }

    /// The score of the item at `given` named `name`, if it matches (every name matches an
    /// empty query).
    fn score(&self, given: usize, name: &str, matcher: &mut Matcher, buffer: &mut Vec<char>) -> Option<Scored> {
        let score =
            if self.blank { 0 } else { self.pattern.score(Utf32Str::new(&fold_diacritics(name), buffer), matcher)? };
        let mut chars = search_chars(name);
        let later = !self.query_chars.iter().all(|&wanted| chars.next() == Some(wanted));
        Some(Scored { score, later, given })
    }

    /// The ranking: best score first, then the names that start with the query, then the
    /// shorter (for a query), then by name, then in the order given (so that an unstable
    /// selection and sort give one answer).
    fn order<'a>(&'a self, name: impl Fn(usize) -> &'a str + 'a) -> impl Fn(&Scored, &Scored) -> Ordering + 'a {
        move |a, b| {
            b.score
                .cmp(&a.score)
                .then(a.later.cmp(&b.later))
                .then_with(|| {
                    if self.query_chars.is_empty() {
                        Ordering::Equal
                    } else {
                        name(a.given).len().cmp(&name(b.given).len())
                    }
                })
                .then_with(|| name(a.given).cmp(name(b.given)))
                .then(a.given.cmp(&b.given))
        }
    }
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
                let best: Vec<(usize, &str)> =
                    fuzzy_best(query, &all, |(_, name)| name, limit).into_iter().map(|index| all[index]).collect();
                assert_eq!(best, whole[..limit.min(whole.len())], "query {query:?}, limit {limit}");
            }
        }
    }

    #[test]
    fn the_best_of_many_slices_are_the_best_of_all() {
        // More names than one job scores, the best spread over every slice, ties across slices.
        let names: Vec<String> = (0..3 * NAMES_PER_JOB + 17).map(|i| format!("Name {}", i % 997)).collect();
        for query in ["", "name 1", "e 99"] {
            let all: Vec<(usize, &str)> = names.iter().map(String::as_str).enumerate().collect();
            let whole = fuzzy_rank(query, all.clone(), |(_, name)| name);
            for limit in [1, 50, 5000, 20_000] {
                let best: Vec<(usize, &str)> =
                    fuzzy_best(query, &all, |(_, name)| name, limit).into_iter().map(|index| all[index]).collect();
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
