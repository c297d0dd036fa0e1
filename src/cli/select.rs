//! `--select` and `--ignore`: which codes a run reports and fixes. A selector is a code's name
//! (`heading-spacing`) or a prefix of names ending at a dash (`infobox-`, or `infobox`).

use std::collections::BTreeSet;

use crate::codes::Code;
use crate::index::schema::edit_distance;

/// The codes in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    codes: BTreeSet<Code>,
}

impl Selection {
    /// All codes, narrowed to `select` (when given) and without `ignore`.
    pub(crate) fn new(select: &[String], ignore: &[String]) -> Result<Selection, String> {
        let mut codes: BTreeSet<Code> =
            if select.is_empty() { Code::ALL.iter().copied().collect() } else { matching_all(select)? };
        for code in matching_all(ignore)? {
            codes.remove(&code);
        }
        Ok(Selection { codes })
    }

    pub(crate) fn contains(&self, code: Code) -> bool {
        self.codes.contains(&code)
    }
}

fn matching_all(selectors: &[String]) -> Result<BTreeSet<Code>, String> {
    let mut codes = BTreeSet::new();
    for selector in selectors {
        let selector = selector.trim();
        if selector.is_empty() {
            continue;
        }
        let matched: Vec<Code> = Code::ALL.iter().copied().filter(|code| matches(selector, *code)).collect();
        if matched.is_empty() {
            return Err(unknown(selector));
        }
        codes.extend(matched);
    }
    Ok(codes)
}

fn matches(selector: &str, code: Code) -> bool {
    let name = code.as_str();
    name == selector
        || (selector.ends_with('-') && name.starts_with(selector))
        || name.strip_prefix(selector).is_some_and(|rest| rest.starts_with('-'))
}

/// The message for a selector that names nothing, with the nearest code or prefix.
fn unknown(selector: &str) -> String {
    let prefixes = Code::ALL.iter().filter_map(|code| code.as_str().split_once('-').map(|(family, _)| family));
    let candidates: BTreeSet<String> = Code::ALL
        .iter()
        .map(|code| code.as_str().to_string())
        .chain(prefixes.map(|family| format!("{family}-")))
        .collect();
    let lowered = selector.to_lowercase();
    let nearest = candidates
        .iter()
        .map(|candidate| (edit_distance(&lowered, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 3.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance);
    match nearest {
        Some((_, candidate)) => format!("unknown code or prefix `{selector}`: did you mean `{candidate}`?"),
        None => format!("unknown code or prefix `{selector}`: `seedls codes` lists them"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(select: &[&str], ignore: &[&str]) -> Result<Vec<&'static str>, String> {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let selection = Selection::new(&owned(select), &owned(ignore))?;
        Ok(Code::ALL.iter().filter(|code| selection.contains(**code)).map(|code| code.as_str()).collect())
    }

    #[test]
    fn codes_and_prefixes() {
        assert_eq!(names(&["heading-spacing"], &[]).unwrap(), ["heading-spacing"]);
        assert_eq!(names(&["heading-"], &["heading-level-skip"]).unwrap(), ["heading-syntax", "heading-spacing"]);
        assert_eq!(names(&["heading"], &[]).unwrap().len(), 3);
        assert_eq!(names(&[], &["infobox-"]).unwrap().len(), Code::ALL.len() - 11);
        // `infobox-s` is not a dash-ended prefix: a selector names whole words.
        assert!(names(&["infobox-s"], &[]).is_err());
    }

    #[test]
    fn unknown_selectors_get_a_suggestion() {
        assert_eq!(
            names(&["heading-spacng"], &[]),
            Err("unknown code or prefix `heading-spacng`: did you mean `heading-spacing`?".to_string())
        );
        assert_eq!(
            names(&[], &["infobx-"]),
            Err("unknown code or prefix `infobx-`: did you mean `infobox-`?".to_string())
        );
        assert_eq!(
            names(&["zzzzzzzzzzzz"], &[]),
            Err("unknown code or prefix `zzzzzzzzzzzz`: `seedls codes` lists them".to_string())
        );
    }
}
