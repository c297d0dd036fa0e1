//! Fuzzy ranking of names, shared by completion and workspace symbols: nucleo's matcher
//! (the one Helix uses), with smart case, over names folded to plain letters so that a
//! writer typing `calovic` finds `Mile Čalović` (nucleo's own normalisation knows `ë` but
//! not the Latin Extended-A letters of Balkan names: `Č`, `ć`, `Đ`, `š`, `ž`).

use std::borrow::Cow;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

/// The characters of `text` as search compares them: lower-cased, without diacritics, one
/// at a time and without allocating (the same folding as [`fold_diacritics`]).
pub(crate) fn search_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'Đ' | 'đ' => 'd',
            'Ł' | 'ł' => 'l',
            'Ø' | 'ø' => 'o',
            other => other,
        })
        .flat_map(char::to_lowercase)
}

/// `Mile Čalović` → `Mile Calovic`: letters without their diacritics (canonical
/// decomposition, combining marks dropped; `Đ`, `Ł`, `Ø` mapped by hand since they do not
/// decompose). ASCII text is returned as it is.
pub(crate) fn fold_diacritics(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'Đ' => folded.push('D'),
            'đ' => folded.push('d'),
            'Ł' => folded.push('L'),
            'ł' => folded.push('l'),
            'Ø' => folded.push('O'),
            'ø' => folded.push('o'),
            _ => decompose_canonical(c, |part| {
                if !('\u{300}'..='\u{36f}').contains(&part) {
                    folded.push(part);
                }
            }),
        }
    }
    Cow::Owned(folded)
}

/// Keeps the items whose name matches `query` fuzzily, best score first, then by name.
/// An empty query keeps everything, sorted by name.
pub(crate) fn fuzzy_rank<T>(query: &str, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(&fold_diacritics(query), CaseMatching::Smart, Normalization::Smart);
    let mut buffer = Vec::new();
    let mut scored: Vec<(u32, T)> = items
        .into_iter()
        .filter_map(|item| {
            let score = if query.trim().is_empty() {
                Some(0)
            } else {
                pattern.score(Utf32Str::new(&fold_diacritics(name(&item)), &mut buffer), &mut matcher)
            };
            score.map(|score| (score, item))
        })
        .collect();
    scored.sort_by(|(a_score, a), (b_score, b)| b_score.cmp(a_score).then_with(|| name(a).cmp(name(b))));
    scored.into_iter().map(|(_, item)| item).collect()
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

    #[test]
    fn search_chars_fold_like_fold_diacritics() {
        let text = "Mile Čalović, Balli Kombëtar, Đakovica";
        assert_eq!(search_chars(text).collect::<String>(), fold_diacritics(text).to_lowercase());
    }

    #[test]
    fn folding_keeps_letters_and_drops_marks() {
        assert_eq!(
            fold_diacritics("Mile Čalović, Balli Kombëtar, Đakovica, Božidar Janković, Peć"),
            "Mile Calovic, Balli Kombetar, Dakovica, Bozidar Jankovic, Pec"
        );
        assert!(matches!(fold_diacritics("Enver Hoxha"), Cow::Borrowed(_)));
    }
}
