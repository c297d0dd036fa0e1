//! Completion, by context: infobox keys after `- ` in the infobox (missing required keys and
//! the next side number first); values by key (`CommanderN` → people, `UnitsN` → units,
//! `CombatantN` → belligerents, `Place` → places, `Partof` → conflicts and articles); article
//! titles in See-also lists; any known name in prose. Ranked fuzzily; the edit replaces exactly
//! the typed prefix.

use std::collections::HashSet;

use crate::ide::fuzzy::fuzzy_rank;
use crate::index::schema::{KEYS, SIDES};
use crate::index::{EntityKind, FileId, Workspace};
use crate::syntax::{BlockKind, InfoboxLine, TextRange, parse_key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    InfoboxKey,
    Entity(EntityKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// What it is and where it comes from: `Person — Commander in Kosovo Operation (1944)`.
    pub detail: String,
    /// The typed prefix that the completion replaces.
    pub replace: TextRange,
    pub insert_text: String,
    /// Orders items within the editor's own ranking: earlier groups first.
    pub sort_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// More items matched than were returned: the editor should ask again as the user types.
    pub is_incomplete: bool,
}

const LIMIT: usize = 100;
/// Above this many candidates, completion ranks by prefix and length instead of fuzzily.
const FUZZY_AT_MOST: usize = 500;

pub fn completions(workspace: &Workspace, file: FileId, offset: usize) -> Completions {
    let empty = Completions { items: Vec::new(), is_incomplete: false };
    let Some(source) = workspace.file(file) else {
        return empty;
    };
    let text = &source.text();
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return empty;
    }
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let document = source.document();
    let block = document
        .blocks
        .iter()
        .find(|block| block.range.start() <= line_start && line_start < block.range.end().max(block.range.start() + 1));
    let in_infobox = block.is_some_and(|block| matches!(block.kind, BlockKind::Infobox(_)));
    let in_see_also = document.see_also_items(text).any(|item| item.line.start() == line_start)
        || (before.trim_start().starts_with("- ") && after_see_also_heading(workspace, file, line_start));

    if in_infobox && let Some(completions) = infobox_completions(workspace, file, line_start, offset) {
        return completions;
    }
    if in_see_also {
        let prefix_start = line_start + before.find("- ").map_or(0, |i| i + 2);
        return entity_completions(
            workspace,
            file,
            TextRange::new(prefix_start, offset),
            &text[prefix_start..offset],
            &[EntityKind::Article],
        );
    }
    let prefix = prose_prefix(workspace, before);
    if prefix.is_empty() {
        return empty;
    }
    entity_completions(workspace, file, TextRange::new(offset - prefix.len(), offset), prefix, &[])
}

fn after_see_also_heading(workspace: &Workspace, file: FileId, line_start: usize) -> bool {
    let Some(source) = workspace.file(file) else {
        return false;
    };
    let document = source.document();
    let heading = document.headings().filter(|heading| heading.line.start() < line_start).last();
    heading.is_some_and(|heading| heading.text.slice(source.text()).eq_ignore_ascii_case("see also"))
}

fn infobox_completions(workspace: &Workspace, file: FileId, line_start: usize, offset: usize) -> Option<Completions> {
    let source = workspace.file(file)?;
    let text = &source.text();
    let before = &text[line_start..offset];
    let after_dash = before.trim_start().strip_prefix('-')?;
    let dash_end = offset - after_dash.len();
    match after_dash.find(':') {
        None => {
            let typed = after_dash.trim_start();
            if typed.contains(char::is_whitespace) {
                return None;
            }
            Some(key_completions(workspace, file, TextRange::new(offset - typed.len(), offset), typed))
        }
        Some(colon) => {
            let key = after_dash[..colon].trim();
            let (base_len, _) = parse_key(key)?;
            let kind = EntityKind::for_key(&key[..base_len])?;
            let value_start = dash_end + colon + 1;
            let value = &text[value_start..offset];
            let item_start = value.rfind([',', '>']).map_or(0, |i| i + 1);
            let item = &value[item_start..];
            let item = item.trim_start().trim_start_matches('*').trim_start();
            let prefix_start = offset - item.len();
            let kinds: &[EntityKind] = if kind == EntityKind::Conflict {
                &[EntityKind::Conflict, EntityKind::Article]
            } else {
                std::slice::from_ref(&kind)
            };
            let kinds = kinds.to_vec();
            Some(entity_completions(workspace, file, TextRange::new(prefix_start, offset), item, &kinds))
        }
    }
}

fn key_completions(workspace: &Workspace, file: FileId, replace: TextRange, typed: &str) -> Completions {
    let Some(source) = workspace.file(file) else {
        return Completions { items: Vec::new(), is_incomplete: false };
    };
    let text = &source.text();
    let present: Vec<(String, Option<u8>)> = source
        .document()
        .infobox()
        .map(|infobox| {
            infobox
                .lines
                .iter()
                .filter_map(|line| match line {
                    InfoboxLine::Entry(entry) if !entry.key.contains_range(replace) => {
                        Some((entry.key_base.slice(text).to_lowercase(), entry.side))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let present_keys: HashSet<String> = present
        .iter()
        .map(|(base, side)| format!("{base}{}", side.map(|s| s.to_string()).unwrap_or_default()))
        .collect();
    let required: HashSet<String> = workspace.schema.required.iter().map(|key| key.to_lowercase()).collect();
    let mut items = Vec::new();
    for spec in KEYS {
        let sides: Vec<Option<u8>> = if spec.sided { SIDES.map(Some).collect() } else { vec![None] };
        let lower = spec.name.to_lowercase();
        let next_side = present
            .iter()
            .filter(|(base, _)| *base == lower)
            .filter_map(|(_, side)| *side)
            .max()
            .map_or(1, |side| side + 1);
        for side in sides {
            let key = format!("{}{}", spec.name, side.map(|s| s.to_string()).unwrap_or_default());
            if present_keys.contains(&key.to_lowercase()) {
                continue;
            }
            let group = if required.contains(&key.to_lowercase()) {
                0
            } else if side == Some(next_side) {
                1
            } else {
                2
            };
            items.push(CompletionItem {
                label: key.clone(),
                kind: CompletionKind::InfoboxKey,
                detail: spec.description.replace("side N", &side.map_or("side N".into(), |s| format!("side {s}"))),
                replace,
                insert_text: format!("{key}: "),
                sort_text: format!("{group}{key}"),
            });
        }
    }
    let mut items = fuzzy_rank(typed, items, |item| &item.label);
    items.sort_by(|a, b| a.sort_text[..1].cmp(&b.sort_text[..1]));
    Completions { items, is_incomplete: false }
}

/// Known names of the given kinds (any kind if none). Only titles stand for articles, and a
/// name whose one occurrence is the very prefix being typed is not offered back.
fn entity_completions(
    workspace: &Workspace,
    file: FileId,
    replace: TextRange,
    typed: &str,
    kinds: &[EntityKind],
) -> Completions {
    // Filter and rank on names alone; items (with their details) are built for the best only.
    // Names with a word that starts like the typed text come first, and alone when there
    // are any: the word index finds them without a walk over every name. Only when none
    // starts that way (a typo) does the fuzzy ranking see them all.
    let first_word = typed.split(|c: char| !c.is_alphanumeric()).find(|word| !word.is_empty());
    let (mut candidates, mut too_many) = (Vec::new(), false);
    if let Some(first_word) = first_word {
        (candidates, too_many) = narrowed_candidates(workspace, file, replace, typed, first_word, kinds);
    }
    let narrowed = !candidates.is_empty();
    if candidates.is_empty() {
        candidates = offered(workspace, file, replace, kinds, workspace.entities());
    }
    // With thousands left (a prefix of one or two letters), scoring them all would cost more
    // than the answer is worth: the best by prefix and length went out, marked incomplete. A
    // typo (no word starts that way) is always scored, so that only real matches come back.
    let ranked = if too_many { candidates } else { fuzzy_rank(typed, candidates, |(name, _, _)| name) };
    // Narrowed by the first word, the list changes as the user types past it: ask again.
    let is_incomplete = ranked.len() > LIMIT || narrowed || too_many;
    let items = ranked
        .into_iter()
        .take(LIMIT)
        .enumerate()
        .map(|(rank, (name, entity, kind))| CompletionItem {
            label: name.to_string(),
            kind: CompletionKind::Entity(kind),
            detail: entity_detail(workspace, entity, kind),
            replace,
            insert_text: name.to_string(),
            sort_text: format!("{rank:04}"),
        })
        .collect();
    Completions { items, is_incomplete }
}

type Candidate<'a> = (&'a str, &'a crate::index::Entity, EntityKind);

/// The names worth offering (see [`offered`]) with a word that starts like `first_word`, the
/// typed text's first word. When at most `FUZZY_AT_MOST` of them are, all of them (to be
/// ranked fuzzily) and `false`; when more, the best `LIMIT` by the key
/// `(does not start with the typed text, length in bytes, name)`, best first, and `true`.
///
/// The names come from the word index best first by a lower bound of that key's first two
/// parts (see `Workspace::ranked_names_with_word_starting`), so that the walk stops as soon
/// as more than `FUZZY_AT_MOST` were found and the next bound is past the worst of the
/// `LIMIT` best kept: a one-letter prefix shared by tens of thousands of names costs a few
/// hundred of them. The answer is the one a walk over all of them would give. In an infobox
/// value of one kind, the index of that kind is walked: the few belligerents among every
/// `O…` title.
fn narrowed_candidates<'a>(
    workspace: &'a Workspace,
    file: FileId,
    replace: TextRange,
    typed: &str,
    first_word: &str,
    kinds: &[EntityKind],
) -> (Vec<Candidate<'a>>, bool) {
    type Key<'a> = (bool, usize, &'a str);
    let one_kind = match kinds {
        [kind] => Some(*kind),
        _ => None,
    };
    let mut keyed: Vec<(Key<'a>, Candidate<'a>)> = Vec::new();
    // The `LIMIT` best keys so far, the worst on top.
    let mut best: std::collections::BinaryHeap<Key<'a>> = std::collections::BinaryHeap::with_capacity(LIMIT + 1);
    for (checked, (name, entity, bound)) in workspace.ranked_names_with_word_starting(first_word, one_kind).enumerate()
    {
        if checked % 256 == 255 {
            crate::cancel::check();
        }
        // This name and every one after it key no better than the bound: past the worst kept,
        // none of them can be among the best.
        if keyed.len() > FUZZY_AT_MOST && best.peek().is_some_and(|worst| bound > (worst.0, worst.1)) {
            break;
        }
        let Some(kind) = offered_kind(workspace, file, replace, kinds, name, entity) else {
            continue;
        };
        let key = (!starts_with_ignoring_case(name, typed), name.len(), name);
        if best.len() < LIMIT || best.peek().is_some_and(|worst| key < *worst) {
            best.push(key);
            if best.len() > LIMIT {
                best.pop();
            }
        }
        keyed.push((key, (name, entity, kind)));
    }
    if keyed.len() <= FUZZY_AT_MOST {
        return (keyed.into_iter().map(|(_, candidate)| candidate).collect(), false);
    }
    keyed.select_nth_unstable_by_key(LIMIT, |(key, _)| *key);
    keyed.truncate(LIMIT);
    keyed.sort_unstable_by_key(|(key, _)| *key);
    (keyed.into_iter().map(|(_, candidate)| candidate).collect(), true)
}

/// The names worth offering among `names` (see [`offered_kind`]).
fn offered<'a>(
    workspace: &'a Workspace,
    file: FileId,
    replace: TextRange,
    kinds: &[EntityKind],
    names: impl Iterator<Item = (&'a str, &'a crate::index::Entity)>,
) -> Vec<Candidate<'a>> {
    let mut candidates = Vec::new();
    for (checked, (name, entity)) in names.enumerate() {
        if checked % 256 == 255 {
            crate::cancel::check();
        }
        if let Some(kind) = offered_kind(workspace, file, replace, kinds, name, entity) {
            candidates.push((name, entity, kind));
        }
    }
    candidates
}

/// The kind to offer a name as, if it is worth offering: of the wanted kinds (any if none),
/// not an alias when only titles are wanted, and not a name whose one occurrence is the very
/// prefix being typed.
fn offered_kind(
    workspace: &Workspace,
    file: FileId,
    replace: TextRange,
    kinds: &[EntityKind],
    name: &str,
    entity: &crate::index::Entity,
) -> Option<EntityKind> {
    let kind = entity.kind()?;
    let fits = kinds.is_empty() || kinds.contains(&kind) || kinds.iter().any(|&wanted| entity.has_kind(wanted));
    if !fits {
        return None;
    }
    let only_the_typed_prefix = entity.articles.is_empty()
        && entity.listings.iter().all(|&listing_ref| {
            listing_ref.0 == file && workspace.listing(listing_ref).is_some_and(|listing| listing.range == replace)
        });
    let is_alias = kind == EntityKind::Article
        && kinds == [EntityKind::Article]
        && entity.listings.is_empty()
        && !entity.articles.iter().any(|&article| {
            workspace
                .file(article)
                .is_some_and(|source| source.facts.title.as_ref().is_some_and(|(title, _)| title == name))
        });
    (!only_the_typed_prefix && !is_alias).then_some(kind)
}

/// `Person — Commander in Kosovo Operation (1944)`, or `Article — its path`: the article
/// with the first path, or the listing first by path and position (whatever the indexing
/// order).
///
/// The workspace keeps an entity's articles sorted by path, so the first article is the one
/// wanted; the listing is `Workspace::first_listing`'s. Nothing walks all the listings of an
/// entity listed in thousands of articles.
fn entity_detail(workspace: &Workspace, entity: &crate::index::Entity, kind: EntityKind) -> String {
    if let Some(&article) = entity.articles.first() {
        return format!("Article — {}", workspace.file(article).map_or("", |source| source.path.as_ref()));
    }
    let Some((first_file, listing)) = workspace.first_listing(entity) else {
        return kind.label().to_string();
    };
    let article = workspace.file(first_file).map_or("", |source| source.display_name());
    format!("{} — {} in {article}", kind.label(), &*listing.key)
}

/// The name being typed in prose: the current word, or the last few words when together
/// they begin a known name (`Enver Ho` → `Enver Hoxha`).
fn prose_prefix<'a>(workspace: &Workspace, before: &'a str) -> &'a str {
    let word_start = trailing_word_start(before);
    let mut best = &before[word_start..];
    let mut start = word_start;
    for _ in 0..3 {
        let Some(head) = before[..start].strip_suffix(' ') else {
            break;
        };
        let previous_start = trailing_word_start(head);
        if previous_start == head.len() {
            break;
        }
        let candidate = &before[previous_start..];
        if !workspace.any_name_starts_with(candidate) {
            break;
        }
        best = candidate;
        start = previous_start;
    }
    best
}

/// `name` starts with `prefix`, letters compared without case (nothing allocated for ASCII).
/// Diacritics do not count either: `calo` starts `Čalović`. Nothing is allocated: this runs
/// over every name of the workspace on each request.
fn starts_with_ignoring_case(name: &str, prefix: &str) -> bool {
    if name.is_ascii() && prefix.is_ascii() {
        return name.as_bytes().get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()));
    }
    let mut name_chars = crate::ide::fuzzy::search_chars(name);
    crate::ide::fuzzy::search_chars(prefix).all(|wanted| name_chars.next() == Some(wanted))
}

/// Where the run of name characters (letters, digits, `'`, `-`) at the end of `text` starts.
fn trailing_word_start(text: &str) -> usize {
    crate::syntax::word_start_before(text, text.len(), |c| c.is_alphanumeric() || c == '\'' || c == '-')
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let completions = completions(&fixture.workspace, file, offset);
        let text = &fixture.workspace.file(file).unwrap().text();
        let shown: Vec<String> = completions
            .items
            .iter()
            .take(8)
            .map(|item| {
                format!("{} [{}] replaces {:?} — {}", item.label, item.sort_text, item.replace.slice(text), item.detail)
            })
            .collect();
        expect.assert_eq(&format!("{}{}", shown.join("\n"), if completions.is_incomplete { "\n…" } else { "" }));
    }

    const OTHER: &str = "
            //- /other.txt
            = Kosovo Operation (1944) =

            Infobox
            - Partof: World War II in Yugoslavia
            - Place: Kosovo
            - Combatant1: Bulgaria
            - Commander1: Enver Hoxha, Mehmet Shehu
            - Units1: 2nd Bulgarian Army, *2nd Division
    ";

    #[test]
    fn keys_missing_required_first_then_next_side() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            = A =

            Infobox
            - Conflict: A
            - Combatant1: X
            - Com
                 |
            "
            ),
            expect![[r#"
                Combatant2 [1Combatant2] replaces "Com" — The belligerents of side 2: states, armies, movements.
                Commander1 [1Commander1] replaces "Com" — The commanders and leaders of side 1.
                Combatant3 [2Combatant3] replaces "Com" — The belligerents of side 3: states, armies, movements.
                Commander2 [2Commander2] replaces "Com" — The commanders and leaders of side 2.
                Commander3 [2Commander3] replaces "Com" — The commanders and leaders of side 3.
                Combatants_header [2Combatants_header] replaces "Com" — A heading to use instead of `Belligerents`."#]],
        );
    }

    #[test]
    fn commander_values_are_people() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            = A =

            Infobox
            - Commander2: Ali, Enve
                                   |
            "
            ),
            expect![[r#"
                Enver Hoxha [0000] replaces "Enve" — Person — Commander in Kosovo Operation (1944)
                …"#]],
        );
    }

    #[test]
    fn nested_unit_values_after_a_star() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            Infobox
            - Units2: Army, *2nd
                                |
            "
            ),
            expect![[r#"
                2nd Division [0000] replaces "2nd" — Unit — Units in Kosovo Operation (1944)
                2nd Bulgarian Army [0001] replaces "2nd" — Unit — Units in Kosovo Operation (1944)
                …"#]],
        );
    }

    #[test]
    fn see_also_offers_article_titles() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            = A =

            == See also ==
            - Kos
                 |
            "
            ),
            expect![[r#"
                Kosovo Operation (1944) [0000] replaces "Kos" — Article — /other.txt
                …"#]],
        );
    }

    #[test]
    fn prose_completes_multi_word_names_and_non_ascii_prefixes() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            = A =

            Led by Enver Ho
                           |
            "
            ),
            expect![[r#"
                Enver Hoxha [0000] replaces "Enver Ho" — Person — Commander in Kosovo Operation (1944)
                …"#]],
        );
        check(
            "
            //- /a.txt
            = A =

            Infobox
            - Commander1: Mile Čalović

            Then Čal
                    |
            ",
            expect![[r#"
                Mile Čalović [0000] replaces "Čal" — Person — Commander in A
                …"#]],
        );
    }

    #[test]
    fn the_detail_is_the_first_listing_by_path_then_position() {
        check(
            "
            //- /b.txt
            = B =

            Infobox
            - Commander1: Enver Hoxha
            //- /a.txt
            = A =

            Infobox
            - Units1: Enver Hoxha
            - Commander1: Enver Hoxha
            //- /c.txt
            = C =

            Then Enve
                     |
            ",
            expect![[r#"
                Enver Hoxha [0000] replaces "Enve" — Person — Units in A
                …"#]],
        );
    }

    #[test]
    fn infobox_values_of_one_kind_among_many_names() {
        // More than a thousand names share the word `kolonel`, a few of them units: the unit
        // index is walked, shortest first, and a later word (`Kolonel` in `1st Kolonel`) after.
        let mut workspace = Workspace::default();
        let people: Vec<String> = (0..1_200).map(|index| format!("Kolonel Number {index}")).collect();
        let text = format!(
            "Infobox\n- Commander1: {}\n- Units1: Kolonel Brigade, 1st Kolonel, Kolonel Group North\n",
            people.join(", ")
        );
        workspace.set_file("/many.txt", std::sync::Arc::from(text));
        let text = "= A =\n\nInfobox\n- Units2: Kol";
        let file = workspace.set_file("/a.txt", std::sync::Arc::from(text));
        let answer = completions(&workspace, file, text.len());
        let labels: Vec<&str> = answer.items.iter().map(|item| item.label.as_str()).collect();
        assert_eq!(labels, ["Kolonel Brigade", "Kolonel Group North", "1st Kolonel"]);
        assert!(answer.is_incomplete);
    }

    #[test]
    fn nothing_at_the_start_of_an_empty_prose_word() {
        check(
            &format!(
                "{OTHER}
            //- /a.txt
            = A =

            Text 
                 |
            "
            ),
            expect![[r#""#]],
        );
    }

    #[test]
    fn thousands_of_candidates_are_cut_by_prefix_and_length() {
        let mut workspace = Workspace::default();
        let names: Vec<String> = (0..2_500).map(|index| format!("Kolonel Number {index}")).collect();
        workspace.set_file("/many.txt", std::sync::Arc::from(format!("Infobox\n- Commander1: {}\n", names.join(", "))));
        let file = workspace.set_file("/a.txt", std::sync::Arc::from("= A =\n\nThen K"));
        let completions = completions(&workspace, file, "= A =\n\nThen K".len());
        assert!(completions.is_incomplete);
        assert_eq!(completions.items.len(), LIMIT);
        let labels: Vec<&str> = completions.items.iter().take(3).map(|item| item.label.as_str()).collect();
        assert_eq!(labels, ["Kolonel Number 0", "Kolonel Number 1", "Kolonel Number 2"]);
    }

    /// What completion answered before the ordered word index: every name with a word
    /// starting like the typed text walked and filtered (every name if none is left), then
    /// the best by key or fuzzily.
    fn answer_of_a_full_walk(
        workspace: &Workspace,
        file: FileId,
        typed: &str,
        kinds: &[EntityKind],
    ) -> (Vec<String>, bool) {
        let replace = TextRange::new(0, 0);
        let first_word = typed.split(|c: char| !c.is_alphanumeric()).find(|word| !word.is_empty()).unwrap();
        let mut candidates = offered(workspace, file, replace, kinds, workspace.names_with_word_starting(first_word));
        let narrowed = !candidates.is_empty();
        if candidates.is_empty() {
            candidates = offered(workspace, file, replace, kinds, workspace.entities());
        }
        let ranked: Vec<&str> = if narrowed && candidates.len() > FUZZY_AT_MOST {
            let mut keyed: Vec<_> = candidates
                .into_iter()
                .map(|(name, _, _)| (!starts_with_ignoring_case(name, typed), name.len(), name))
                .collect();
            keyed.sort();
            keyed.into_iter().map(|(_, _, name)| name).collect()
        } else {
            fuzzy_rank(typed, candidates, |(name, _, _)| name).into_iter().map(|(name, _, _)| name).collect()
        };
        let is_incomplete = narrowed || ranked.len() > LIMIT;
        (ranked.into_iter().take(LIMIT).map(str::to_string).collect(), is_incomplete)
    }

    /// A workspace of a few thousand names of every kind sharing first letters and words
    /// (`Battle of …`, `Kolonel …`, accented surnames), so that short prefixes have more than
    /// `FUZZY_AT_MOST` candidates and some have fewer.
    fn many_names() -> Workspace {
        let syllables = ["ka", "lo", "mi", "če", "ba", "ko", "ra", "vić", "dë", "ni", "sa", "bo"];
        let word = |seed: usize| {
            let mut bits = seed.wrapping_mul(2_654_435_761) ^ (seed >> 3);
            let mut word = String::new();
            for _ in 0..2 + bits % 3 {
                bits /= 3;
                word.push_str(syllables[bits % syllables.len()]);
                bits /= syllables.len();
            }
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        };
        let mut files = Vec::new();
        for index in 0..600 {
            let (a, b, c) = (word(index * 3), word(index * 3 + 1), word(index * 3 + 2));
            let title = match index % 4 {
                0 => format!("Battle of {a}"),
                1 => format!("{b} offensive ({})", 1900 + index),
                2 => format!("Siege of {c} {index}"),
                _ => format!("Kolonel {a} {index}"),
            };
            let text = format!(
                "= {title} =\n\nInfobox\n- Combatant1: {a} Partisans, Kingdom of {b}, {b} Oberkommandantur\n\
                 - Commander1: {a} {b}, Kolonel {c}\n- Commander2: Mile {c}{index}, Oberkommandant {a}{index}\n\
                 - Units1: {}th {b} Brigade, Kampfgruppe {a}, Oberkommando {c}\n- Place: {c}\n- Partof: Battle of {b}\n",
                index % 60
            );
            files.push((format!("/f{index:03}.txt"), std::sync::Arc::from(text)));
        }
        let mut workspace = Workspace::default();
        workspace.set_files(files);
        workspace
    }

    #[test]
    fn the_ordered_walk_answers_what_a_full_walk_answers() {
        let mut workspace = many_names();
        // Enough that one letter walks the ordered index and two letters sort a few pairs.
        assert!(workspace.names_with_word_starting("k").count() > 1_024);
        assert!(workspace.names_with_word_starting("kol").count() < 1_024);
        // A word longer than the ordered index keeps of it, shared by more than a thousand.
        assert!(workspace.names_with_word_starting("oberkommandant").count() > 1_024);
        let query = workspace.set_file("/query.txt", std::sync::Arc::from("= Query =\n"));
        let typed = [
            "b",
            "B",
            "ba",
            "k",
            "ko",
            "Kol",
            "Kolonel Ka",
            "m",
            "č",
            "Č",
            "c",
            "ce",
            "1",
            "2",
            "3th",
            "s",
            "o",
            "Oberk",
            "Oberkommandant",
            "oberkommandantu",
        ];
        let kinds: [&[EntityKind]; 7] = [
            &[],
            &[EntityKind::Person],
            &[EntityKind::Unit],
            &[EntityKind::Belligerent],
            &[EntityKind::Place],
            &[EntityKind::Conflict, EntityKind::Article],
            &[EntityKind::Article],
        ];
        let mut cut = 0;
        let mut check_all = |workspace: &Workspace, when: &str| {
            for typed in typed {
                for kinds in kinds {
                    let answer = entity_completions(workspace, query, TextRange::new(0, 0), typed, kinds);
                    let labels: Vec<String> = answer.items.iter().map(|item| item.label.clone()).collect();
                    let expected = answer_of_a_full_walk(workspace, query, typed, kinds);
                    assert_eq!((labels.clone(), answer.is_incomplete), expected, "{when}: {typed:?} as {kinds:?}");
                    cut += usize::from(labels.len() == LIMIT);
                }
            }
        };
        check_all(&workspace, "indexed");
        // A name gains a kind in the last listing of a change (its slot is then the table's
        // pending one), another loses its only listing of a kind.
        workspace.set_file("/f001.txt", std::sync::Arc::from("= F =\n\nInfobox\n- Units1: Mile Kalo7\n"));
        workspace.set_file("/f002.txt", std::sync::Arc::from("= G =\n\nInfobox\n- Units1: Kolonel Bako\n"));
        check_all(&workspace, "after changes");
        assert!(cut > 10, "some answers are cut at the limit");
        assert_eq!(workspace.consistency_report(), Vec::<String>::new());
    }

    #[test]
    fn a_name_that_just_gained_a_kind_is_offered_for_it() {
        let mut workspace = Workspace::default();
        let names: Vec<String> = (0..1_500).map(|index| format!("Mile Number {index}")).collect();
        workspace.set_file("/many.txt", std::sync::Arc::from(format!("Infobox\n- Commander1: {}\n", names.join(", "))));
        let text = "= A =\n\nInfobox\n- Units2: Mi";
        let file = workspace.set_file("/a.txt", std::sync::Arc::from(text));
        // The last listing of the last change makes `Mile Number 7` a unit as well: its slot is
        // the table's pending one, not yet filed among the units.
        workspace.set_file("/b.txt", std::sync::Arc::from("Infobox\n- Units1: Mile Number 7\n"));
        let labels: Vec<String> =
            completions(&workspace, file, text.len()).items.into_iter().map(|item| item.label).collect();
        assert_eq!(labels, ["Mile Number 7"]);
    }

    #[test]
    fn plain_letters_complete_names_with_diacritics() {
        check(
            "
            //- /a.txt
            = A =

            Infobox
            - Commander1: Mile Čalović, Božidar Janković

            Then calo
                     |
            ",
            expect![[r#"
                Mile Čalović [0000] replaces "calo" — Person — Commander in A
                …"#]],
        );
    }
}
