//! A warm start's mention table, built while the start's last slices merge.
//!
//! After the last slice of the pack is merged, a warm start builds the mention matcher of
//! every name and hashes the names for the mention fingerprint: some 100 ms at 50,000
//! articles on the start's path, while the thread that decoded the pack sits idle. Those
//! names are known before the merge ends: the pack's titles, aliases and listed names under
//! the alias rules. So the decoding thread builds the matcher and the names' hash
//! ([`PreparedNames`]) as soon as it has decoded the last slice, and the workspace takes them
//! when the merge ends if, and only if, its names are exactly those under the same rules
//! (as many, each one an entity's): a file read again from disk or an open document may have
//! changed them. Otherwise it builds its own, as before.

use std::sync::Arc;

use rayon::prelude::*;

use super::{NameRules, Workspace};
use crate::index::mentions::{MentionMatcher, Pattern};

/// The alias rules a workspace has now, for preparing names under them.
#[derive(Clone)]
pub struct NameRulesHandle(Arc<NameRules>);

impl std::fmt::Debug for NameRulesHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameRulesHandle").finish_non_exhaustive()
    }
}

/// The mention matcher and the names' hash of a set of entity names, built ahead.
pub struct PreparedNames {
    rules: Arc<NameRules>,
    /// Distinct, sorted.
    names: Vec<Arc<str>>,
    matcher: Arc<MentionMatcher>,
    /// [`names_digest`] of `names`.
    digest: u64,
}

impl std::fmt::Debug for PreparedNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedNames").field("names", &self.names.len()).finish_non_exhaustive()
    }
}

impl PreparedNames {
    /// The matcher and hash of the entities these names make under `rules`: each name
    /// stands for its canonical name's entity.
    pub fn new(rules: &NameRulesHandle, names: impl IntoIterator<Item = Arc<str>>) -> PreparedNames {
        let rules = rules.0.clone();
        let mut names: Vec<Arc<str>> = names
            .into_iter()
            .map(|name| match rules.canonical.get(&*name) {
                Some(canonical) => canonical.clone(),
                None => name,
            })
            .collect();
        names.par_sort_unstable();
        names.dedup();
        let patterns: Vec<Pattern> = names.iter().flat_map(|name| each_pattern_of(&rules, name)).collect();
        let matcher = Arc::new(MentionMatcher::new(patterns));
        let digest = names_digest(names.iter(), &rules);
        PreparedNames { rules, names, matcher, digest }
    }
}

/// The patterns that stand for a name: itself and its alias spellings.
pub(super) fn patterns_of(rules: &NameRules, name: &Arc<str>) -> Vec<Pattern> {
    each_pattern_of(rules, name).collect()
}

/// [`patterns_of`], one at a time: the patterns of every name are collected into one list
/// without a list per name (63,000 of them at 50,000 articles).
pub(super) fn each_pattern_of<'a>(rules: &'a NameRules, name: &'a Arc<str>) -> impl Iterator<Item = Pattern> + 'a {
    let spellings = rules.spellings_of(name).iter().map(|alias| (alias.clone(), name.clone()));
    std::iter::once((name.clone(), name.clone())).chain(spellings)
}

/// A hash of sorted names with their alias spellings: the names' part of the mention
/// fingerprint (the patterns are the names and their spellings).
pub(super) fn names_digest<'a>(sorted: impl ExactSizeIterator<Item = &'a Arc<str>>, rules: &NameRules) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&(sorted.len() as u64).to_le_bytes());
    for name in sorted {
        let aliases = rules.spellings_of(name);
        hasher.update(&(aliases.len() as u64).to_le_bytes());
        for part in std::iter::once(name).chain(aliases) {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher.digest()
}

impl Workspace {
    /// The alias rules in force, to prepare names under ([`PreparedNames::new`]).
    pub fn name_rules(&self) -> NameRulesHandle {
        NameRulesHandle(self.rules.clone())
    }

    /// Takes the prepared matcher if its names are exactly this workspace's entity names
    /// under the same rules (and the matcher was not built yet), and gives the mention
    /// fingerprint then (see [`Workspace::mention_fingerprint`]); `None` otherwise.
    pub fn adopt_prepared_names(&self, prepared: &PreparedNames) -> Option<u64> {
        if !Arc::ptr_eq(&prepared.rules, &self.rules) || prepared.names.len() != self.entities.len() {
            return None;
        }
        let (files, same) = rayon::join(
            || self.files_digest(),
            || prepared.names.par_iter().all(|name| self.entities.get(name).is_some()),
        );
        (same && self.mentions.adopt_matcher(prepared.matcher.clone()))
            .then(|| super::combine_digests(files, prepared.digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(files: &[(&str, &str)]) -> Workspace {
        let mut workspace = Workspace::default();
        workspace.set_name_rules(vec![("Hoxha".into(), "Enver Hoxha".into())], Vec::new());
        for (path, text) in files {
            workspace.set_indexed_file(path, Arc::from(*text));
        }
        workspace
    }

    const FILES: [(&str, &str); 2] = [
        ("/w/a.txt", "= Alpha =\n\nInfobox\n- Commander1: Hoxha, Mehmet Shehu\n\nMehmet Shehu and Hoxha met.\n"),
        ("/w/b.txt", "= Beta =\n\nInfobox\n- Commander1: Enver Hoxha\n\nAlpha.\n"),
    ];

    fn names(list: &[&str]) -> Vec<Arc<str>> {
        list.iter().map(|name| Arc::from(*name)).collect()
    }

    #[test]
    fn names_prepared_ahead_are_taken_only_when_they_are_the_workspace_names_under_its_rules() {
        let fresh = workspace(&FILES);
        let expected = fresh.mention_fingerprint();
        // The names as the files give them, an alias spelling among them, in any order.
        let given = names(&["Mehmet Shehu", "Beta", "Hoxha", "Alpha", "Enver Hoxha", "Alpha"]);
        let taken = workspace(&FILES);
        let prepared = PreparedNames::new(&taken.name_rules(), given.clone());
        assert_eq!(taken.adopt_prepared_names(&prepared), Some(expected), "the same names: the same fingerprint");
        assert_eq!(taken.files_mentioning("Mehmet Shehu"), fresh.files_mentioning("Mehmet Shehu"));
        assert_eq!(taken.files_mentioning("Enver Hoxha"), fresh.files_mentioning("Enver Hoxha"));
        assert_eq!(taken.files_mentioning("Alpha"), fresh.files_mentioning("Alpha"));
        // A name too many, one too few, another name, other rules: not taken.
        for other in [
            names(&["Mehmet Shehu", "Beta", "Hoxha", "Alpha", "Tito"]),
            names(&["Mehmet Shehu", "Beta", "Hoxha"]),
            names(&["Mehmet Shehu", "Beta", "Hoxha", "Gamma"]),
        ] {
            let workspace = workspace(&FILES);
            assert_eq!(workspace.adopt_prepared_names(&PreparedNames::new(&workspace.name_rules(), other)), None);
        }
        let workspace = workspace(&FILES);
        let without_aliases = Workspace::default().name_rules();
        assert_eq!(workspace.adopt_prepared_names(&PreparedNames::new(&without_aliases, given)), None);
    }
}
