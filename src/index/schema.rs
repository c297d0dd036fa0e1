//! The infobox schema: which keys an infobox may hold, which it must, and what each means.
//! It follows Wikipedia's military-conflict infobox; `seedls.toml` may add keys.

use std::collections::BTreeSet;

/// A key the schema knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The canonical spelling of the key without a side number: `Commander`.
    pub name: &'static str,
    /// Takes a side number 1–3 (`Commander2`).
    pub sided: bool,
    pub description: &'static str,
}

pub const KEYS: &[KeySpec] = &[
    KeySpec {
        name: "Conflict",
        sided: false,
        description: "The name of the conflict, as the article's infobox heads it.",
    },
    KeySpec {
        name: "Partof",
        sided: false,
        description: "The larger conflict or campaign this one is part of (another article, or a war).",
    },
    KeySpec { name: "Image", sided: false, description: "An image of the conflict (file name)." },
    KeySpec { name: "Image_size", sided: false, description: "Display width of the image." },
    KeySpec { name: "Alt", sided: false, description: "Alternative text for the image." },
    KeySpec { name: "Caption", sided: false, description: "The caption under the image." },
    KeySpec {
        name: "Date",
        sided: false,
        description: "When it happened: a date or a range, e.g. `15 October – 22 November 1944`.",
    },
    KeySpec {
        name: "Place",
        sided: false,
        description: "Where it happened: places, comma separated, most specific first.",
    },
    KeySpec { name: "Coordinates", sided: false, description: "Geographic coordinates of the place." },
    KeySpec { name: "Map_type", sided: false, description: "The location map to draw." },
    KeySpec { name: "Map_caption", sided: false, description: "Caption of the location map." },
    KeySpec { name: "Territory", sided: false, description: "Changes of territory that resulted." },
    KeySpec { name: "Result", sided: false, description: "The outcome, e.g. `Allied victory`." },
    KeySpec {
        name: "Status",
        sided: false,
        description: "For an ongoing conflict, its present state (instead of Result).",
    },
    KeySpec { name: "Combatants_header", sided: false, description: "A heading to use instead of `Belligerents`." },
    KeySpec { name: "Combatant", sided: true, description: "The belligerents of side N: states, armies, movements." },
    KeySpec { name: "Commander", sided: true, description: "The commanders and leaders of side N." },
    KeySpec {
        name: "Units",
        sided: true,
        description: "The units and formations of side N; `*` and `**` nest a unit under the one before.",
    },
    KeySpec { name: "Strength", sided: true, description: "The strength of side N: men, equipment." },
    KeySpec { name: "Polstrength", sided: true, description: "Political strength of side N." },
    KeySpec { name: "Milstrength", sided: true, description: "Military strength of side N." },
    KeySpec {
        name: "Casualties",
        sided: true,
        description: "The losses of side N; `Casualties3` is for civilian or other losses.",
    },
    KeySpec { name: "Notes", sided: false, description: "Notes shown at the foot of the infobox." },
    KeySpec { name: "Campaignbox", sided: false, description: "The campaign box that lists related battles." },
];

/// Side numbers the schema allows.
pub const SIDES: std::ops::RangeInclusive<u8> = 1..=3;

/// The schema in force: the built-in keys plus any a workspace adds, and the required keys.
#[derive(Debug, Clone)]
pub struct Schema {
    pub extra_keys: BTreeSet<String>,
    pub required: Vec<String>,
}

impl Default for Schema {
    fn default() -> Schema {
        Schema {
            extra_keys: BTreeSet::new(),
            required: ["Conflict", "Date", "Place", "Result"].map(String::from).to_vec(),
        }
    }
}

/// What the schema says of one written key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    Known(Option<&'static KeySpec>),
    /// A sided key with no number, a number out of range, or a number on an unsided key.
    BadSide {
        canonical: String,
    },
    Unknown {
        suggestion: Option<String>,
    },
}

impl Schema {
    /// Looks a key up, case-insensitively, split into its base and side number.
    pub fn check(&self, base: &str, side: Option<u8>) -> KeyCheck {
        let whole = match side {
            Some(side) => format!("{base}{side}"),
            None => base.to_string(),
        };
        if self.extra_keys.iter().any(|key| key.eq_ignore_ascii_case(&whole)) {
            return KeyCheck::Known(None);
        }
        if let Some(spec) = KEYS.iter().find(|spec| spec.name.eq_ignore_ascii_case(base)) {
            return match (spec.sided, side) {
                (true, Some(side)) if SIDES.contains(&side) => KeyCheck::Known(Some(spec)),
                (false, None) => KeyCheck::Known(Some(spec)),
                (true, _) => KeyCheck::BadSide { canonical: format!("{}1", spec.name) },
                (false, Some(_)) => KeyCheck::BadSide { canonical: spec.name.to_string() },
            };
        }
        KeyCheck::Unknown { suggestion: self.nearest(base, side) }
    }

    /// Every key one could write, with side numbers spelled out.
    pub fn all_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = KEYS
            .iter()
            .flat_map(|spec| {
                if spec.sided {
                    SIDES.map(|side| format!("{}{side}", spec.name)).collect()
                } else {
                    vec![spec.name.to_string()]
                }
            })
            .collect();
        keys.extend(self.extra_keys.iter().cloned());
        keys
    }

    /// The closest known key by edit distance, if it is close enough to be a misspelling.
    fn nearest(&self, base: &str, side: Option<u8>) -> Option<String> {
        let lower = base.to_lowercase();
        let (distance, spec) = KEYS
            .iter()
            .map(|spec| (edit_distance(&lower, &spec.name.to_lowercase()), spec))
            .min_by_key(|(distance, _)| *distance)?;
        let close_enough = distance <= 2.max(lower.chars().count() / 4) && distance < lower.chars().count();
        close_enough.then(|| match (spec.sided, side) {
            (true, Some(side)) => format!("{}{side}", spec.name),
            (true, None) => format!("{}1", spec.name),
            (false, _) => spec.name.to_string(),
        })
    }
}

pub fn key_spec(base: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|spec| spec.name.eq_ignore_ascii_case(base))
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous_previous = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(previous_previous[j - 2] + 1);
            }
        }
        previous_previous = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_with_and_without_sides() {
        let schema = Schema::default();
        assert!(matches!(schema.check("Commander", Some(2)), KeyCheck::Known(Some(_))));
        assert!(matches!(schema.check("partof", None), KeyCheck::Known(Some(_))));
        assert_eq!(schema.check("Commander", Some(4)), KeyCheck::BadSide { canonical: "Commander1".into() });
        assert_eq!(schema.check("Date", Some(1)), KeyCheck::BadSide { canonical: "Date".into() });
    }

    #[test]
    fn misspelled_keys_get_the_nearest_suggestion() {
        let schema = Schema::default();
        assert_eq!(schema.check("Comander", Some(2)), KeyCheck::Unknown { suggestion: Some("Commander2".into()) });
        assert_eq!(schema.check("Resutl", None), KeyCheck::Unknown { suggestion: Some("Result".into()) });
        assert_eq!(schema.check("Weather", None), KeyCheck::Unknown { suggestion: None });
    }

    #[test]
    fn extra_keys_from_the_workspace_are_known() {
        let mut schema = Schema::default();
        schema.extra_keys.insert("Weather".into());
        assert_eq!(schema.check("Weather", None), KeyCheck::Known(None));
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("resutl", "result"), 1);
        assert_eq!(edit_distance("comander", "commander"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
