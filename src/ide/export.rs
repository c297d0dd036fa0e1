//! TEMPORARY (lead): the stable entity id until `seedls export` lands from the `cli` branch.

use crate::index::EntityKind;

/// `person:enver-hoxha`: the kind, then the name folded to lower case without diacritics,
/// runs of anything but letters and digits as one `-`.
pub fn entity_id(kind: EntityKind, name: &str) -> String {
    let mut slug = String::new();
    for c in crate::index::names::fold_diacritics(name).chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("{}:{}", kind.label().to_lowercase(), slug.trim_end_matches('-'))
}
