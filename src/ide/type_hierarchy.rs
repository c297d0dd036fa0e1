//! Type hierarchy over what the articles say: units nested in units (the `*`/`**` items of
//! `UnitsN`) and battles that are part of wars (the infobox `Partof`).
//!
//! Both hierarchies are merged across the workspace: a division's armies are its parents in
//! every article that nests it, and a war's battles are every article naming it in `Partof`.
//! An item is found again from its name and kind alone, because the editor hands it back to
//! the server (through the protocol's `data`) to ask for its super- or subtypes.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use crate::ide::references::names_referring_to;
use crate::ide::targets::{Target, target_at};
use crate::index::date::Day;
use crate::index::{EntityKind, FileId, Listing, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HierarchyItem {
    /// An article's title, a unit's or a conflict's name: with `kind`, what finds the item again.
    pub name: String,
    /// `Unit` for the units hierarchy; `Article` or `Conflict` (a `Partof` value no article
    /// goes by) for the hierarchy of wars and battles.
    pub kind: EntityKind,
    pub file: FileId,
    /// The title line of an article, the listing of a unit or conflict.
    pub range: TextRange,
    /// The name inside `range`.
    pub focus: TextRange,
    /// An article's Date; the article a unit is listed in; how many articles name a conflict.
    pub detail: Option<String>,
}

/// The item under the cursor: an article's title, a unit listing, a `Partof` value, or a
/// mention of such a name in prose. Empty when the cursor is on nothing with a hierarchy.
pub fn prepare_type_hierarchy(workspace: &Workspace, file: FileId, offset: usize) -> Vec<HierarchyItem> {
    let Some(source) = workspace.file(file) else { return Vec::new() };
    if source.facts.title_line.is_some_and(|line| line.touches(offset)) {
        return article_item(workspace, file).into_iter().collect();
    }
    if let Some(listing) = source.facts.listings.iter().find(|listing| listing.range.touches(offset)) {
        let item = match listing.kind {
            EntityKind::Unit => unit_item(workspace, &listing.name),
            EntityKind::Conflict => conflict_item(workspace, &listing.name),
            _ => None,
        };
        return item.into_iter().collect();
    }
    let Some(Target::Entity { name, .. }) = target_at(workspace, file, offset) else { return Vec::new() };
    item_for_name(workspace, &name).into_iter().collect()
}

/// The parents of an item: the units it is nested under, or the wars its article is part of.
/// Ordered by name, each once.
pub fn supertypes(workspace: &Workspace, item: &HierarchyItem) -> Vec<HierarchyItem> {
    match item.kind {
        EntityKind::Unit => {
            let parents: Vec<&str> = in_name_order(
                unit_listings(workspace, &item.name)
                    .filter_map(|(file, listing)| workspace.file(file)?.facts.parent_of(listing))
                    .map(|parent| &*parent.name)
                    .filter(|parent| *parent != item.name)
                    .collect(),
            );
            parents.into_iter().filter_map(|parent| unit_item(workspace, parent)).collect()
        }
        EntityKind::Article | EntityKind::Conflict => {
            let own_files = workspace.articles_named(&item.name);
            let wars: BTreeSet<&str> = own_files
                .iter()
                .filter_map(|&file| workspace.file(file))
                .flat_map(|source| source.facts.listings.iter())
                .filter(|listing| listing.kind == EntityKind::Conflict)
                .map(|listing| &*listing.name)
                .collect();
            let mut items: Vec<HierarchyItem> = Vec::new();
            for war in wars {
                let Some(war_item) = conflict_item(workspace, war) else { continue };
                let is_itself = war_item.kind == EntityKind::Article && own_files.contains(&war_item.file);
                if !is_itself && !items.iter().any(|known| known.kind == war_item.kind && known.name == war_item.name) {
                    items.push(war_item);
                }
            }
            items.sort_by(|a, b| natural_order(&a.name, &b.name));
            items
        }
        _ => Vec::new(),
    }
}

/// The children of an item: the units nested directly under it in any article, ordered by
/// name; or the articles naming it (by any of its names) in `Partof`, dated ones first by
/// their start, then by title.
pub fn subtypes(workspace: &Workspace, item: &HierarchyItem) -> Vec<HierarchyItem> {
    match item.kind {
        EntityKind::Unit => {
            let files: BTreeSet<FileId> = unit_listings(workspace, &item.name).map(|(file, _)| file).collect();
            let children: Vec<&str> = in_name_order(
                files
                    .into_iter()
                    .filter_map(|file| workspace.file(file))
                    .flat_map(|source| source.facts.listings.iter().map(move |listing| (&source.facts, listing)))
                    .filter(|(facts, listing)| {
                        listing.kind == EntityKind::Unit
                            && facts.parent_of(listing).is_some_and(|parent| *parent.name == *item.name)
                            && *listing.name != *item.name
                    })
                    .map(|(_, listing)| listing)
                    .map(|listing| &*listing.name)
                    .collect(),
            );
            children.into_iter().filter_map(|child| unit_item(workspace, child)).collect()
        }
        EntityKind::Article | EntityKind::Conflict => {
            let own_files = workspace.articles_named(&item.name);
            let mut files: HashSet<FileId> = HashSet::new();
            for name in names_referring_to(workspace, &item.name) {
                let Some(entity) = workspace.entity(&name) else { continue };
                for &(file, index) in &entity.listings {
                    let is_partof = workspace.listing((file, index)).is_some_and(|l| l.kind == EntityKind::Conflict);
                    if is_partof && !own_files.contains(&file) {
                        files.insert(file);
                    }
                }
            }
            let mut battles: Vec<(Option<Day>, HierarchyItem)> = files
                .into_iter()
                .filter_map(|file| Some((start_day(workspace, file), article_item(workspace, file)?)))
                .collect();
            // Dated articles first, earliest first; then by title (and file, for a total order).
            battles.sort_by(|(a_day, a), (b_day, b)| {
                (a_day.is_none(), a_day)
                    .cmp(&(b_day.is_none(), b_day))
                    .then_with(|| natural_order(&a.name, &b.name))
                    .then(a.file.cmp(&b.file))
            });
            battles.into_iter().map(|(_, item)| item).collect()
        }
        _ => Vec::new(),
    }
}

/// The item a bare name stands for: its article if one goes by it, else the unit or conflict
/// it is listed as (the kind most of its listings give it, units before conflicts on a tie).
fn item_for_name(workspace: &Workspace, name: &str) -> Option<HierarchyItem> {
    let entity = workspace.entity(name)?;
    if !entity.articles.is_empty() {
        return first_article_named(workspace, name).and_then(|file| article_item(workspace, file));
    }
    match entity.kind() {
        Some(EntityKind::Unit) => unit_item(workspace, name),
        Some(EntityKind::Conflict) => conflict_item(workspace, name),
        _ if entity.has_kind(EntityKind::Unit) => unit_item(workspace, name),
        _ if entity.has_kind(EntityKind::Conflict) => conflict_item(workspace, name),
        _ => None,
    }
}

/// A `Partof` value: the article that goes by that name if there is one, else the value
/// itself, located at its first listing.
fn conflict_item(workspace: &Workspace, name: &str) -> Option<HierarchyItem> {
    if let Some(file) = first_article_named(workspace, name) {
        return article_item(workspace, file);
    }
    let listings: Vec<(FileId, &Listing)> = listings_of_kind(workspace, name, EntityKind::Conflict).collect();
    let (file, listing) = first_by_article_title(workspace, &listings)?;
    let naming: BTreeSet<FileId> = listings.iter().map(|(file, _)| *file).collect();
    let articles = if naming.len() == 1 { "article" } else { "articles" };
    Some(HierarchyItem {
        name: name.to_string(),
        kind: EntityKind::Conflict,
        file,
        range: listing.range,
        focus: listing.range,
        detail: Some(format!("no article; the Partof of {} {articles}", naming.len())),
    })
}

/// A unit, located at its first listing (by article title, then position).
fn unit_item(workspace: &Workspace, name: &str) -> Option<HierarchyItem> {
    let listings: Vec<(FileId, &Listing)> = unit_listings(workspace, name).collect();
    let (file, listing) = first_by_article_title(workspace, &listings)?;
    let articles: BTreeSet<FileId> = listings.iter().map(|(file, _)| *file).collect();
    let title = workspace.file(file)?.display_name();
    let detail = match articles.len() {
        0 | 1 => title.to_string(),
        more => format!("{title} and {} more", more - 1),
    };
    Some(HierarchyItem {
        name: name.to_string(),
        kind: EntityKind::Unit,
        file,
        range: listing.range,
        focus: listing.range,
        detail: Some(detail),
    })
}

/// An article, named by its title (or, lacking one, its first other name), located at its
/// title line. Untitled and unnamed articles have no item: nothing could find them again.
fn article_item(workspace: &Workspace, file: FileId) -> Option<HierarchyItem> {
    let source = workspace.file(file)?;
    let facts = &source.facts;
    let name = facts.article_names().next()?.to_string();
    let (range, focus) = match &facts.title {
        Some((_, focus)) => (facts.title_line.unwrap_or(*focus), *focus),
        None => {
            let value = facts.conflict_value?;
            (value, value)
        }
    };
    let detail = facts.date.as_ref().map(|(date, _)| date.clone());
    Some(HierarchyItem { name, kind: EntityKind::Article, file, range, focus, detail })
}

/// Of the articles going by a name, the first by title (then by path).
fn first_article_named(workspace: &Workspace, name: &str) -> Option<FileId> {
    workspace.articles_named(name).iter().copied().min_by(|&a, &b| title_order(workspace, a, b))
}

fn title_order(workspace: &Workspace, a: FileId, b: FileId) -> std::cmp::Ordering {
    let key = |file: FileId| workspace.file(file).map(|source| (source.display_name(), source.path.as_ref()));
    key(a).cmp(&key(b))
}

fn first_by_article_title<'a>(
    workspace: &Workspace,
    listings: &[(FileId, &'a Listing)],
) -> Option<(FileId, &'a Listing)> {
    listings.iter().copied().min_by(|(a_file, a), (b_file, b)| {
        title_order(workspace, *a_file, *b_file).then(a.range.start.cmp(&b.range.start))
    })
}

fn listings_of_kind<'a>(
    workspace: &'a Workspace,
    name: &str,
    kind: EntityKind,
) -> impl Iterator<Item = (FileId, &'a Listing)> + 'a {
    workspace
        .entity(name)
        .map_or(&[][..], |entity| &entity.listings[..])
        .iter()
        .filter_map(|&(file, index)| Some((file, workspace.listing((file, index))?)))
        .filter(move |(_, listing)| listing.kind == kind)
}

fn unit_listings<'a>(workspace: &'a Workspace, name: &str) -> impl Iterator<Item = (FileId, &'a Listing)> + 'a {
    listings_of_kind(workspace, name, EntityKind::Unit)
}

/// Names in the order a reader expects: numbers by value (`2nd Division` before `12th
/// Division`), letters case aside; each name once.
fn in_name_order(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_by(|a, b| natural_order(a, b));
    names.dedup();
    names
}

/// Compares names with their digit runs as numbers and their letters case aside; names equal
/// that way fall back to plain order, so the order is total.
pub(crate) fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut left, mut right) = (a.chars().peekable(), b.chars().peekable());
    loop {
        let ordering = match (left.peek().copied(), right.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(l), Some(r)) if l.is_ascii_digit() && r.is_ascii_digit() => {
                let take_number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut digits = String::new();
                    while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                        digits.push(digit);
                    }
                    digits
                };
                let (l, r) = (take_number(&mut left), take_number(&mut right));
                let (l, r) = (l.trim_start_matches('0'), r.trim_start_matches('0'));
                l.len().cmp(&r.len()).then_with(|| l.cmp(r))
            }
            (Some(l), Some(r)) => {
                left.next();
                right.next();
                l.to_lowercase().cmp(r.to_lowercase())
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
}

fn start_day(workspace: &Workspace, file: FileId) -> Option<Day> {
    workspace.file(file)?.facts.date.as_ref()?.1.map(|range| range.start)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    fn describe(fixture: &Fixture, item: &HierarchyItem) -> String {
        let source = fixture.workspace.file(item.file).expect("item file exists");
        let range = item.range.slice(source.text());
        let range = if item.range == item.focus { String::new() } else { format!(" in {range:?}") };
        let detail = item.detail.as_deref().map(|detail| format!(" — {detail}")).unwrap_or_default();
        format!("{} {:?} at {}{range}{detail}", item.kind.label(), item.name, fixture.describe(item.file, item.focus))
    }

    /// Prepares at the cursor, then asks for the super- and subtypes of each item as the editor
    /// hands it back: only its name and kind survive the round trip.
    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let items = prepare_type_hierarchy(&fixture.workspace, file, offset);
        let mut actual = String::new();
        if items.is_empty() {
            actual += "no item\n";
        }
        for item in &items {
            actual += &format!("{}\n", describe(&fixture, item));
            let handed_back = HierarchyItem {
                name: item.name.clone(),
                kind: item.kind,
                file: FileId(u32::MAX),
                range: TextRange::default(),
                focus: TextRange::default(),
                detail: None,
            };
            for (label, related) in [
                ("super", supertypes(&fixture.workspace, &handed_back)),
                ("sub", subtypes(&fixture.workspace, &handed_back)),
            ] {
                for related in related {
                    actual += &format!("  {label} {}\n", describe(&fixture, &related));
                }
            }
        }
        expect.assert_eq(&actual);
    }

    #[test]
    fn a_division_has_its_army_above_and_its_regiments_below() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =

            Infobox
            - Units1: 2nd Bulgarian Army, *2nd Division, **1st Regiment, **3rd Regiment, *4th Division, National Liberation Army
                                           |
            ",
            expect![[r#"
                Unit "2nd Division" at /kosovo.txt 4 "2nd Division" — Kosovo Operation (1944)
                  super Unit "2nd Bulgarian Army" at /kosovo.txt 4 "2nd Bulgarian Army" — Kosovo Operation (1944)
                  sub Unit "1st Regiment" at /kosovo.txt 4 "1st Regiment" — Kosovo Operation (1944)
                  sub Unit "3rd Regiment" at /kosovo.txt 4 "3rd Regiment" — Kosovo Operation (1944)
            "#]],
        );
    }

    #[test]
    fn an_army_has_its_divisions_below_in_name_order() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =

            Infobox
            - Units1: National Liberation Army, *46th Serbian Division, *24th Serbian Division, *1st Kos-Met Brigade, Balli Kombëtar
                        |
            ",
            expect![[r#"
                Unit "National Liberation Army" at /kosovo.txt 4 "National Liberation Army" — Kosovo Operation (1944)
                  sub Unit "1st Kos-Met Brigade" at /kosovo.txt 4 "1st Kos-Met Brigade" — Kosovo Operation (1944)
                  sub Unit "24th Serbian Division" at /kosovo.txt 4 "24th Serbian Division" — Kosovo Operation (1944)
                  sub Unit "46th Serbian Division" at /kosovo.txt 4 "46th Serbian Division" — Kosovo Operation (1944)
            "#]],
        );
    }

    #[test]
    fn units_merge_across_articles_and_point_at_the_first_article_by_title() {
        check(
            "
            //- /z.txt
            = Zeta offensive =

            Infobox
            - Units1: 2nd Bulgarian Army, *2nd Division, **1st Regiment

            The 2nd Division crossed the river.
                  |
            //- /a.txt
            = Alpha offensive =

            Infobox
            - Units2: 1st Bulgarian Army, *2nd Division, **5th Regiment, *7th Division
            ",
            expect![[r#"
                Unit "2nd Division" at /a.txt 4 "2nd Division" — Alpha offensive and 1 more
                  super Unit "1st Bulgarian Army" at /a.txt 4 "1st Bulgarian Army" — Alpha offensive
                  super Unit "2nd Bulgarian Army" at /z.txt 4 "2nd Bulgarian Army" — Zeta offensive
                  sub Unit "1st Regiment" at /z.txt 4 "1st Regiment" — Zeta offensive
                  sub Unit "5th Regiment" at /a.txt 4 "5th Regiment" — Alpha offensive
            "#]],
        );
    }

    #[test]
    fn a_regiment_nested_twice_deep_has_only_its_direct_parent_above() {
        check(
            "
            //- /a.txt
            = Invasion (1912) =

            Infobox
            - Units2: 22px Royal Serbian Army, * Ibar army, * Third Army, ** Drina division II, Royal Montenegrin Army
                                                                             |
            ",
            expect![[r#"
                Unit "Drina division II" at /a.txt 4 "Drina division II" — Invasion (1912)
                  super Unit "Third Army" at /a.txt 4 "Third Army" — Invasion (1912)
            "#]],
        );
    }

    #[test]
    fn a_battle_title_is_part_of_a_war_without_an_article() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =
                 |

            Infobox
            - Partof: World War II in Yugoslavia
            - Date: 15 October – 22 November 1944
            //- /belgrade.txt
            = Belgrade offensive =

            Infobox
            - Partof: World War II in Yugoslavia
            ",
            expect![[r#"
                Article "Kosovo Operation (1944)" at /kosovo.txt 1 "Kosovo Operation (1944)" in "= Kosovo Operation (1944) =" — 15 October – 22 November 1944
                  super Conflict "World War II in Yugoslavia" at /belgrade.txt 4 "World War II in Yugoslavia" — no article; the Partof of 2 articles
            "#]],
        );
    }

    #[test]
    fn a_partof_value_without_an_article_has_every_battle_naming_it_below() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =

            Infobox
            - Partof: World War II in Yugoslavia
                         |
            - Date: 15 October – 22 November 1944
            //- /belgrade.txt
            = Belgrade offensive =

            Infobox
            - Partof: World War II in Yugoslavia
            - Date: 14 September – 24 November 1944
            //- /undated.txt
            = An undated raid =

            Infobox
            - Partof: World War II in Yugoslavia
            ",
            expect![[r#"
                Conflict "World War II in Yugoslavia" at /undated.txt 4 "World War II in Yugoslavia" — no article; the Partof of 3 articles
                  sub Article "Belgrade offensive" at /belgrade.txt 1 "Belgrade offensive" in "= Belgrade offensive =" — 14 September – 24 November 1944
                  sub Article "Kosovo Operation (1944)" at /kosovo.txt 1 "Kosovo Operation (1944)" in "= Kosovo Operation (1944) =" — 15 October – 22 November 1944
                  sub Article "An undated raid" at /undated.txt 1 "An undated raid" in "= An undated raid ="
            "#]],
        );
    }

    #[test]
    fn a_war_with_an_article_has_its_battles_below_by_date_then_title() {
        check(
            "
            //- /war.txt
            = First Balkan War =
                   |

            Infobox
            - Partof: Balkan Wars
            - Date: 8 October 1912 – 30 May 1913
            //- /kosovo.txt
            = Serbian invasion of Kosovo (1912) =

            Infobox
            - Partof: First Balkan War
            - Date: October and November 1912
            //- /kumanovo.txt
            = Battle of Kumanovo =

            Infobox
            - Partof: First Balkan War
            - Date: 23–24 October 1912
            //- /scutari.txt
            = Siege of Scutari =

            Infobox
            - Partof: First Balkan War
            - Date: 28 October 1912 – 23 April 1913
            //- /b.txt
            = Bitola skirmish =

            Infobox
            - Partof: First Balkan War
            - Date: sometime
            //- /a.txt
            = Adrianople skirmish =

            Infobox
            - Partof: First Balkan War
            ",
            expect![[r#"
                Article "First Balkan War" at /war.txt 1 "First Balkan War" in "= First Balkan War =" — 8 October 1912 – 30 May 1913
                  super Conflict "Balkan Wars" at /war.txt 4 "Balkan Wars" — no article; the Partof of 1 article
                  sub Article "Serbian invasion of Kosovo (1912)" at /kosovo.txt 1 "Serbian invasion of Kosovo (1912)" in "= Serbian invasion of Kosovo (1912) =" — October and November 1912
                  sub Article "Battle of Kumanovo" at /kumanovo.txt 1 "Battle of Kumanovo" in "= Battle of Kumanovo =" — 23–24 October 1912
                  sub Article "Siege of Scutari" at /scutari.txt 1 "Siege of Scutari" in "= Siege of Scutari =" — 28 October 1912 – 23 April 1913
                  sub Article "Adrianople skirmish" at /a.txt 1 "Adrianople skirmish" in "= Adrianople skirmish ="
                  sub Article "Bitola skirmish" at /b.txt 1 "Bitola skirmish" in "= Bitola skirmish =" — sometime
            "#]],
        );
    }

    #[test]
    fn a_partof_value_naming_an_article_by_its_alias_is_that_article() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =

            Infobox
            - Partof: World War II in Yugoslavia
            //- /pristina.txt
            = Battle of Pristina =

            Infobox
            - Partof: Kosovo Operation
                       |
            ",
            expect![[r#"
                Article "Kosovo Operation (1944)" at /kosovo.txt 1 "Kosovo Operation (1944)" in "= Kosovo Operation (1944) ="
                  super Conflict "World War II in Yugoslavia" at /kosovo.txt 4 "World War II in Yugoslavia" — no article; the Partof of 1 article
                  sub Article "Battle of Pristina" at /pristina.txt 1 "Battle of Pristina" in "= Battle of Pristina ="
            "#]],
        );
    }

    #[test]
    fn a_prose_mention_of_a_war_prepares_its_article() {
        check(
            "
            //- /war.txt
            = First Balkan War =

            Infobox
            - Date: 1912–1913
            //- /kosovo.txt
            = Serbian invasion of Kosovo (1912) =

            Infobox
            - Partof: First Balkan War

            Early in the First Balkan War, the Serbian army advanced.
                            |
            ",
            expect![[r#"
                Article "First Balkan War" at /war.txt 1 "First Balkan War" in "= First Balkan War =" — 1912–1913
                  sub Article "Serbian invasion of Kosovo (1912)" at /kosovo.txt 1 "Serbian invasion of Kosovo (1912)" in "= Serbian invasion of Kosovo (1912) ="
            "#]],
        );
    }

    #[test]
    fn a_prose_mention_of_a_war_without_an_article_prepares_the_partof_value() {
        check(
            "
            //- /kosovo.txt
            = Kosovo Operation (1944) =

            Infobox
            - Partof: World War II in Yugoslavia

            The operation was the last of World War II in Yugoslavia to involve Bulgaria.
                                                 |
            ",
            expect![[r#"
                Conflict "World War II in Yugoslavia" at /kosovo.txt 4 "World War II in Yugoslavia" — no article; the Partof of 1 article
                  sub Article "Kosovo Operation (1944)" at /kosovo.txt 1 "Kosovo Operation (1944)" in "= Kosovo Operation (1944) ="
            "#]],
        );
    }

    #[test]
    fn an_article_naming_itself_in_partof_is_not_its_own_parent() {
        check(
            "
            //- /a.txt
            = Kosovo Operation (1944) =
                |

            Infobox
            - Conflict: Kosovo Operation
            - Partof: Kosovo Operation
            ",
            expect![[r#"
                Article "Kosovo Operation (1944)" at /a.txt 1 "Kosovo Operation (1944)" in "= Kosovo Operation (1944) ="
            "#]],
        );
    }

    #[test]
    fn names_order_numbers_by_value_and_letters_case_aside() {
        let mut names =
            vec!["12th Division", "2nd Division", "Third Army", "ibar army", "2nd division", "Army 10", "Army 9"];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            ["2nd Division", "2nd division", "12th Division", "Army 9", "Army 10", "ibar army", "Third Army"]
        );
    }

    #[test]
    fn a_person_listing_has_no_hierarchy() {
        check(
            "
            //- /a.txt
            = Alpha =

            Infobox
            - Commander1: Enver Hoxha
                            |
            ",
            expect![[r#"
                no item
            "#]],
        );
    }

    #[test]
    fn a_place_in_prose_has_no_hierarchy() {
        check(
            "
            //- /a.txt
            = Alpha =

            Infobox
            - Place: Kosovo vilayet

            Plain words about the Kosovo vilayet.
                                    |
            ",
            expect![[r#"
                no item
            "#]],
        );
    }

    #[test]
    fn plain_words_have_no_hierarchy() {
        check(
            "
            //- /a.txt
            = Alpha =

            Plain words.
              |
            ",
            expect![[r#"
                no item
            "#]],
        );
    }

    /// Every unit tree and every article's wars in the five seeds, as the editor would walk them.
    #[test]
    fn the_seeds_hierarchies() {
        let mut workspace = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            workspace.set_file(&name, std::sync::Arc::from(text));
        }
        let mut files: Vec<(FileId, String)> =
            workspace.files().map(|(file, source)| (file, source.path.to_string())).collect();
        files.sort_by(|a, b| a.1.cmp(&b.1));
        let mut actual = String::new();
        for (file, path) in files {
            let source = workspace.file(file).expect("seed loaded");
            let Some((_, title)) = &source.facts.title else { continue };
            for article in prepare_type_hierarchy(&workspace, file, title.start()) {
                actual += &format!("{} {:?}\n", &path[..3], article.name);
                for war in supertypes(&workspace, &article) {
                    actual += &format!("  part of {} {:?}\n", war.kind.label(), war.name);
                    for battle in subtypes(&workspace, &war) {
                        actual += &format!("    which has {:?}\n", battle.name);
                    }
                }
            }
            for top in source.facts.listings.iter().filter(|l| l.kind == EntityKind::Unit && l.parent.get().is_none()) {
                for item in prepare_type_hierarchy(&workspace, file, top.range.start()) {
                    unit_tree(&workspace, &item, 1, &mut actual);
                }
            }
        }
        expect![[r#"
            000 "Kosovo Operation (1944)"
              part of Conflict "World War II in Yugoslavia"
                which has "Kosovo Operation (1944)"
              2nd Bulgarian Army
                2nd Division (under 2nd Bulgarian Army)
                4th Division (under 2nd Bulgarian Army)
                6th Division (under 2nd Bulgarian Army)
                9th Division (under 2nd Bulgarian Army)
                12th Division (under 2nd Bulgarian Army)
              National Liberation Army
                1st Kos-Met Brigade (under National Liberation Army)
                2nd Kos-Met Brigade (under National Liberation Army)
                3rd Kos-Met Brigade (under National Liberation Army)
                4th Kos-Met Brigade (under National Liberation Army)
                5th Kos-Met Brigade (under National Liberation Army)
                24th Serbian Division (under National Liberation Army)
                46th Serbian Division (under National Liberation Army)
              National Liberation Movement
                3rd Brigade (under National Liberation Movement)
                5th Brigade (under National Liberation Movement)
              Army Group E
              Kampfgruppe Langer
              Kampfgruppe Bredow
              Kampfgruppe Skanderbeg
              Balli Kombëtar
              Serbian State Guard
            001 "Belgrade offensive"
            002 "LANÇ counter-offensive in Albania (1944)"
              part of Conflict "World War II in Albania and the Albanian Civil War (1943–1944)"
                which has "LANÇ counter-offensive in Albania (1944)"
            003 "Bajgora offensive"
            004 "Serbian invasion of Kosovo (1912)"
              part of Conflict "First Balkan War"
                which has "Serbian invasion of Kosovo (1912)"
              Ottoman army
                1 Battalion (under Ottoman army)
              Albanian militans
              Albanian volunteers
              Kachaks
              Royal Serbian Army
                Ibar army (under Royal Serbian Army)
                Third Army (under Royal Serbian Army)
                  Drina division II (under Third Army)
              Royal Montenegrin Army
                Kolašin brigade (under Royal Montenegrin Army)
                Pljevaljska brigade (under Royal Montenegrin Army)
                Vasović brigade (under Royal Montenegrin Army)
        "#]]
        .assert_eq(&actual);
    }

    fn unit_tree(workspace: &Workspace, item: &HierarchyItem, depth: usize, out: &mut String) {
        let above: Vec<String> = supertypes(workspace, item).into_iter().map(|parent| parent.name).collect();
        let above = if above.is_empty() { String::new() } else { format!(" (under {})", above.join(", ")) };
        *out += &format!("{}{}{above}\n", "  ".repeat(depth), item.name);
        for child in subtypes(workspace, item) {
            unit_tree(workspace, &child, depth + 1, out);
        }
    }
}
