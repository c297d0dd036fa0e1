//! Cross-article diagnostics, computed for one file against the workspace view:
//! See-also items naming no article, near-spellings of another entity's name, duplicate titles.

use super::{Code, Diagnostic, Fix, diagnostic};
use crate::ide::TextEdit;
use crate::index::schema::edit_distance;
use crate::index::{FileId, Workspace};

pub(super) fn check(workspace: &Workspace, file: FileId, out: &mut Vec<Diagnostic>) {
    let Some(source) = workspace.file(file) else {
        return;
    };
    for link in &source.facts.see_also {
        if workspace.articles_named(&link.name).is_empty() {
            out.push(diagnostic(
                Code::UnresolvedLink,
                link.range,
                format!("no article named `{}` in the workspace: check the spelling, or add the article", link.name),
            ));
        }
    }
    if let Some((title, range)) = &source.facts.title {
        let mut others: Vec<&str> = workspace
            .articles_named(title)
            .iter()
            .filter(|&&other| other != file)
            .filter_map(|&other| workspace.file(other))
            .filter(|other| {
                other.facts.title.as_ref().is_some_and(|(other_title, _)| other_title.eq_ignore_ascii_case(title))
            })
            .map(|other| other.path.as_ref())
            .collect();
        others.sort_unstable();
        if !others.is_empty() {
            out.push(diagnostic(
                Code::DuplicateTitle,
                *range,
                format!("another article has the title `{title}`: {}", others.join(", ")),
            ));
        }
    }
    name_variants(workspace, file, out);
}

fn name_variants(workspace: &Workspace, file: FileId, out: &mut Vec<Diagnostic>) {
    let Some(source) = workspace.file(file) else {
        return;
    };
    for listing in &source.facts.listings {
        let mut candidates: Vec<&str> = workspace.names_sharing_a_word(&listing.name).into_iter().collect();
        candidates.sort_unstable();
        for other in candidates {
            let same_kind = workspace.entity(other).is_some_and(|entity| entity.has_kind(listing.kind));
            // Aliased spellings are one entity, ignored pairs are different on purpose.
            if !same_kind
                || workspace.names_are_settled(&listing.name, other)
                || !is_near_spelling(&listing.name, other)
            {
                continue;
            }
            let elsewhere = workspace
                .entity(other)
                .and_then(|entity| workspace.listings_in_order(entity).first().copied())
                .and_then(|(other_file, _)| workspace.file(other_file))
                .map_or(String::new(), |other_source| format!(" in {}", other_source.display_name()));
            out.push(
                diagnostic(
                    Code::NameVariant,
                    listing.range,
                    format!(
                        "`{}` is spelled `{other}`{elsewhere}: the same {}? Use one spelling so the two are one entity",
                        listing.name,
                        listing.kind.label().to_lowercase()
                    ),
                )
                .with_fix(Fix::new(format!("Use `{other}`"), vec![TextEdit::replace(listing.range, other)])),
            );
        }
    }
}

/// Two names are near-spellings when they have the same number of words and the words that
/// differ are long, close and free of digits (`Midhat`/`Mit'hat`, not `2nd`/`4th` or `E`/`F`).
fn is_near_spelling(a: &str, b: &str) -> bool {
    let a_words: Vec<&str> = a.split_whitespace().collect();
    let b_words: Vec<&str> = b.split_whitespace().collect();
    if a_words.len() != b_words.len() || a == b {
        return false;
    }
    let mut differing = 0;
    for (x, y) in a_words.iter().zip(&b_words) {
        if x == y {
            continue;
        }
        differing += 1;
        let long_enough = x.chars().count() >= 4 && y.chars().count() >= 4;
        // Numbers tell units apart (`2nd`/`4th`, `XVIII`/`XXIII`), and so do directions
        // (`Eastern Front`/`Western Front`): those words never differ by a misspelling.
        let tells_apart = x.chars().chain(y.chars()).any(|c| c.is_ascii_digit())
            || is_roman_numeral(x)
            || is_roman_numeral(y)
            || (is_direction(x) && is_direction(y));
        let distance = edit_distance(&x.to_lowercase(), &y.to_lowercase());
        if !long_enough || tells_apart || distance == 0 || distance > 2 || distance * 3 > x.chars().count() {
            return false;
        }
    }
    differing == 1
}

fn is_roman_numeral(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M'))
}

fn is_direction(word: &str) -> bool {
    const DIRECTIONS: &[&str] = &[
        "north", "south", "east", "west", "northern", "southern", "eastern", "western", "upper", "lower", "inner",
        "outer",
    ];
    DIRECTIONS.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_variants_with_rules(aliases: Vec<(String, String)>, ignored: Vec<(String, String)>) -> Vec<String> {
        let mut workspace = Workspace::default();
        let a = workspace.set_file("/a.txt", "= A =\n\nInfobox\n- Commander1: Midhat Frashëri\n");
        workspace.set_file("/b.txt", "= B =\n\nInfobox\n- Commander1: Mit'hat Frashëri\n");
        workspace.set_name_rules(aliases, ignored);
        let mut out = Vec::new();
        check(&workspace, a, &mut out);
        out.into_iter().map(|diagnostic| diagnostic.message).collect()
    }

    #[test]
    fn aliased_and_ignored_pairs_are_not_name_variants() {
        assert_eq!(name_variants_with_rules(Vec::new(), Vec::new()).len(), 1);
        let pair = ("Mit'hat Frashëri".to_string(), "Midhat Frashëri".to_string());
        assert!(name_variants_with_rules(vec![pair.clone()], Vec::new()).is_empty());
        assert!(name_variants_with_rules(Vec::new(), vec![pair]).is_empty());
    }

    #[test]
    fn near_spellings() {
        assert!(is_near_spelling("Midhat Frashëri", "Mit'hat Frashëri"));
        assert!(!is_near_spelling("Army Group E", "Army Group F"));
        assert!(!is_near_spelling("2nd Division", "4th Division"));
        assert!(!is_near_spelling("Kampfgruppe Langer", "Kampfgruppe Bredow"));
        assert!(!is_near_spelling("Enver Hoxha", "Enver Hoxha"));
        assert!(!is_near_spelling("Western Front of World War I", "Eastern Front of World War I"));
        assert!(!is_near_spelling("XVIII Mountain Corps", "XXIII Mountain Corps"));
        assert!(is_near_spelling("Ivan Konev", "Ivan Konyev"));
    }
}
