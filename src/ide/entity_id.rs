//! Stable entity ids: `person:enver-hoxha`. One function, so that hover, the entity explorer
//! and `seedls export` name an entity the same way.
//!
//! The id is the kind's label in lower case, a colon, and a slug of the name: white space
//! normalized, diacritics removed (`Čalović` → `calovic`, with `fold_diacritics` of the
//! index), lower case, apostrophes dropped (`Mit'hat` → `mithat`), and every other run of
//! characters that are not letters or digits turned into one `-`. Letters without a Latin
//! decomposition (Cyrillic, Greek) are kept, lower-cased. The id depends only on the kind and
//! the name, so it stays the same across runs and machines; a name with nothing to slug (only
//! punctuation) gets `-`.

use crate::index::EntityKind;
use crate::index::names::fold_diacritics;
use crate::index::normalize_name;

pub fn entity_id(kind: EntityKind, name: &str) -> String {
    let normalized = normalize_name(name);
    let folded = fold_diacritics(&normalized);
    let mut slug = String::with_capacity(folded.len());
    let mut pending_dash = false;
    for c in folded.chars() {
        if matches!(c, '\'' | '’' | 'ʼ' | '‘') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug.push('-');
    }
    format!("{}:{slug}", kind.label().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kind_and_a_folded_slug() {
        let ids = [
            entity_id(EntityKind::Person, "Mile Čalović"),
            entity_id(EntityKind::Person, "Enver  Hoxha"),
            entity_id(EntityKind::Person, "Mit'hat Frashëri"),
            entity_id(EntityKind::Unit, "21st Waffen Mountain Division SS \"Skanderbeg\""),
            entity_id(EntityKind::Belligerent, "LANÇ"),
            entity_id(EntityKind::Place, "Peć, Kosovo vilayet"),
            entity_id(EntityKind::Conflict, "World War II in Yugoslavia"),
            entity_id(EntityKind::Article, "Bregalnitsa–Strumica operation"),
            entity_id(EntityKind::Person, "Đorđe Łukasz Øvre"),
            entity_id(EntityKind::Person, "Иван Конев"),
            entity_id(EntityKind::Person, "(?)"),
        ];
        assert_eq!(
            ids,
            [
                "person:mile-calovic",
                "person:enver-hoxha",
                "person:mithat-frasheri",
                "unit:21st-waffen-mountain-division-ss-skanderbeg",
                "belligerent:lanc",
                "place:pec-kosovo-vilayet",
                "conflict:world-war-ii-in-yugoslavia",
                "article:bregalnitsa-strumica-operation",
                "person:dorde-lukasz-ovre",
                "person:иван-конев",
                "person:-",
            ]
        );
    }
}
