//! The data of an entity explorer: how many entities of each kind the workspace knows, the
//! entities of one kind, where one entity is named, and the dated articles in time order.
//! Every list comes in a stable order, so that a tree view does not reshuffle between requests.
//!
//! Articles are listed once each, under their title: an alias (`Kosovo Operation` for
//! `Kosovo Operation (1944)`) is folded into its article rather than shown beside it. For an
//! article, "listings" counts the other articles that name it, in an infobox listing (a
//! `Partof`, say) or a See-also item, by any of its names; for every other entity, it is the
//! number of its infobox listings across the workspace.

use std::collections::{BTreeSet, HashMap};

use crate::ide::references::names_referring_to;
use crate::ide::type_hierarchy::natural_order;
use crate::index::date::Day;
use crate::index::{Entity, EntityKind, FileId, Workspace};
use crate::syntax::{InfoboxLine, TextRange, is_blank, parse, split_lines};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSummary {
    pub kind: EntityKind,
    /// How many entries `entities_of_kind` gives for this kind.
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    pub name: String,
    pub kind: EntityKind,
    /// Infobox listings of the name; for an article, the other articles naming it.
    pub listings: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityLocation {
    pub file: FileId,
    pub range: TextRange,
    /// The title of the article holding the location (its file name if it has none).
    pub article_title: String,
    /// The infobox key with its side (`Commander2`), `See also` for a See-also item, `None` for
    /// an article's own title.
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// The article's title (its file name if it has none).
    pub name: String,
    pub file: FileId,
    /// The value of the article's `Date` line.
    pub range: TextRange,
    pub date_text: String,
    /// The first day, `YYYY-MM-DD`.
    pub start: String,
    /// The last day, `YYYY-MM-DD`; `None` for an open range (`1944 – present`).
    pub end: Option<String>,
    /// `c.`, `early`, `mid`, `late`, or a side given only as a month or a year.
    pub approximate: bool,
}

/// How many entities the workspace knows of each kind, in the order of `EntityKind::ALL`
/// (Article, Person, Belligerent, Unit, Place, Conflict), kinds with none left out.
pub fn entity_kinds(workspace: &Workspace) -> Vec<KindSummary> {
    let mut counts = [0usize; EntityKind::ALL.len()];
    for (name, entity) in workspace.entities() {
        if let Some(kind) = listed_kind(workspace, name, entity) {
            counts[kind as usize] += 1;
        }
    }
    EntityKind::ALL
        .into_iter()
        .filter(|&kind| counts[kind as usize] > 0)
        .map(|kind| KindSummary { kind, count: counts[kind as usize] })
        .collect()
}

/// The entities best known as `kind`, most listed first, then by name (numbers by value).
pub fn entities_of_kind(workspace: &Workspace, kind: EntityKind) -> Vec<EntitySummary> {
    let names: Vec<(&str, &Entity)> =
        workspace.entities().filter(|(name, entity)| listed_kind(workspace, name, entity) == Some(kind)).collect();
    let links = if kind == EntityKind::Article { see_also_links(workspace) } else { HashMap::new() };
    let mut summaries: Vec<EntitySummary> = names
        .into_iter()
        .map(|(name, entity)| {
            let listings = if kind == EntityKind::Article {
                articles_naming(workspace, name, &links).len()
            } else {
                entity.listings.len()
            };
            EntitySummary { name: name.to_string(), kind, listings }
        })
        .collect();
    summaries.sort_by(|a, b| b.listings.cmp(&a.listings).then_with(|| natural_order(&a.name, &b.name)));
    summaries
}

/// Where an entity is named: its listings (for an article, its title, the listings of any of
/// its names and the See-also items pointing to it), by article title, then position. `None`
/// when no entity of that kind goes by the name.
pub fn entity_locations(workspace: &Workspace, kind: EntityKind, name: &str) -> Option<Vec<EntityLocation>> {
    let entity = workspace.entity(name)?;
    if !entity.has_kind(kind) {
        return None;
    }
    let title_of = |file: FileId| workspace.file(file).map(|source| source.display_name().to_string());
    let mut locations: Vec<EntityLocation> = Vec::new();
    let names = if kind == EntityKind::Article { names_referring_to(workspace, name) } else { vec![name.to_string()] };
    for name in &names {
        let Some(entity) = workspace.entity(name) else { continue };
        for &(file, index) in &entity.listings {
            let (Some(listing), Some(article_title)) = (workspace.listing((file, index)), title_of(file)) else {
                continue;
            };
            let side = listing.side.map(|side| side.to_string()).unwrap_or_default();
            let key = Some(format!("{}{side}", listing.key));
            locations.push(EntityLocation { file, range: listing.range, article_title, key });
        }
    }
    if kind == EntityKind::Article {
        for &file in entity.articles.iter() {
            let Some(source) = workspace.file(file) else { continue };
            let range = source.facts.title.as_ref().map(|(_, range)| *range).or(source.facts.conflict_value);
            if let Some(range) = range {
                let article_title = source.display_name().to_string();
                locations.push(EntityLocation { file, range, article_title, key: None });
            }
        }
        for (file, source) in workspace.files() {
            for link in source.facts.see_also.iter().filter(|link| names.iter().any(|name| **name == *link.name)) {
                let article_title = source.display_name().to_string();
                locations.push(EntityLocation { file, range: link.range, article_title, key: Some("See also".into()) });
            }
        }
    }
    locations.sort_by(|a, b| {
        natural_order(&a.article_title, &b.article_title).then(a.file.cmp(&b.file)).then(a.range.cmp(&b.range))
    });
    locations.dedup();
    Some(locations)
}

/// Every article whose infobox Date reads as a calendar range, earliest start first, then by
/// title. Undated articles and unreadable dates are left out.
pub fn timeline(workspace: &Workspace) -> Vec<TimelineEntry> {
    let mut entries: Vec<(Day, TimelineEntry)> = Vec::new();
    for (file, source) in workspace.files() {
        let Some((date_text, Some(date))) = &source.facts.date else { continue };
        let Some(range) = date_value_range(source.text()) else { continue };
        entries.push((
            date.start,
            TimelineEntry {
                name: source.display_name().to_string(),
                file,
                range,
                date_text: date_text.clone(),
                start: iso_day(date.start),
                end: date.end.map(iso_day),
                approximate: date.approximate,
            },
        ));
    }
    entries.sort_by(|(a_start, a), (b_start, b)| {
        a_start.cmp(b_start).then_with(|| natural_order(&a.name, &b.name)).then(a.file.cmp(&b.file))
    });
    entries.into_iter().map(|(_, entry)| entry).collect()
}

/// Where an article's `Date` value stands (the last `Date` line, as in the facts). The facts
/// keep the value but not its place, so the infobox is read again, from the text up to its
/// end only: the first `Infobox` line always starts the infobox whose facts count, and its
/// block ends at the first blank line. A timeline over thousands of files parses no prose.
fn date_value_range(text: &str) -> Option<TextRange> {
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let lines = split_lines(text, body_start);
    let header = lines.iter().position(|line| line.content.slice(text).trim().eq_ignore_ascii_case("infobox"))?;
    let end = lines[header + 1..]
        .iter()
        .find(|line| is_blank(line.content.slice(text)))
        .map_or(text.len(), |line| line.content.start());
    let head = parse(text.get(..end)?);
    head.infobox()?.lines.iter().rev().find_map(|line| match line {
        InfoboxLine::Entry(entry) if entry.key_base.slice(text).eq_ignore_ascii_case("date") => Some(entry.value),
        _ => None,
    })
}

/// `1944-10-15`.
pub fn iso_day(day: Day) -> String {
    format!("{:04}-{:02}-{:02}", day.year, day.month, day.day)
}

/// The kind an entity is listed under in the explorer, if it is listed at all: an article
/// only under its title (its other names fold into it), anything else under `Entity::kind`.
fn listed_kind(workspace: &Workspace, name: &str, entity: &Entity) -> Option<EntityKind> {
    let kind = entity.kind()?;
    if kind != EntityKind::Article {
        return Some(kind);
    }
    let is_main_name = entity
        .articles
        .iter()
        .any(|&file| workspace.file(file).is_some_and(|source| source.facts.article_names().next() == Some(name)));
    is_main_name.then_some(EntityKind::Article)
}

/// The files whose See-also items name each name.
fn see_also_links(workspace: &Workspace) -> HashMap<&str, BTreeSet<FileId>> {
    let mut links: HashMap<&str, BTreeSet<FileId>> = HashMap::new();
    for (file, source) in workspace.files() {
        for link in &source.facts.see_also {
            links.entry(&*link.name).or_default().insert(file);
        }
    }
    links
}

/// The other articles naming an article, by any of its names, in a listing or a See-also item.
fn articles_naming(workspace: &Workspace, name: &str, links: &HashMap<&str, BTreeSet<FileId>>) -> BTreeSet<FileId> {
    let own_files = workspace.articles_named(name);
    let mut files = BTreeSet::new();
    for name in names_referring_to(workspace, name) {
        if let Some(entity) = workspace.entity(&name) {
            files.extend(entity.listings.iter().map(|&(file, _)| file));
        }
        if let Some(linking) = links.get(name.as_str()) {
            files.extend(linking.iter().copied());
        }
    }
    files.retain(|file| !own_files.contains(file));
    files
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    const WORKSPACE: &str = "
        //- /kosovo.txt
        = Kosovo Operation (1944) =

        Infobox
        - Conflict: Kosovo Operation
        - Partof: World War II in Yugoslavia
        - Date: 15 October – 22 November 1944
        - Place: Kosovo
        - Combatant1: Bulgaria
        - Commander1: Kiril Stanchev, Enver Hoxha
        - Units1: 2nd Bulgarian Army, *12th Division, *2nd Division
        //- /pristina.txt
        = Battle of Pristina =

        Infobox
        - Partof: Kosovo Operation
        - Date: 1944-11-19
        - Place: Kosovo
        - Commander1: Enver Hoxha
        - Units1: 2nd Bulgarian Army
        //- /albania.txt
        = LANÇ counter-offensive in Albania (1944) =

        Infobox
        - Date: mid-June – 29 November 1944
        - Commander2: Enver Hoxha

        == See also ==
        - Kosovo Operation (1944)
        //- /war.txt
        = World War II in Yugoslavia =

        Infobox
        - Date: 1939
        - Date: 6 April 1941 – 15 May 1945
        //- /dispute.txt
        = A dispute =

        Infobox
        - Date: 2008 – present
        //- /also-2008.txt
        = Another dispute =

        Infobox
        - Date: 2008
        //- /undated.txt
        = Undated skirmish =

        Infobox
        - Date: sometime
        //- /untitled.txt
        Infobox
        - Commander1: Enver Hoxha
    ";

    #[track_caller]
    fn check(fixture: &str, render: impl Fn(&Fixture) -> String, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        expect.assert_eq(&render(&fixture));
    }

    fn kinds(fixture: &Fixture) -> String {
        entity_kinds(&fixture.workspace)
            .iter()
            .map(|summary| format!("{} {}\n", summary.kind.label(), summary.count))
            .collect()
    }

    fn of_kind(kind: EntityKind) -> impl Fn(&Fixture) -> String {
        move |fixture| {
            entities_of_kind(&fixture.workspace, kind)
                .iter()
                .map(|summary| format!("{} {:?} {}\n", summary.kind.label(), summary.name, summary.listings))
                .collect()
        }
    }

    fn locations(kind: EntityKind, name: &'static str) -> impl Fn(&Fixture) -> String {
        move |fixture| match entity_locations(&fixture.workspace, kind, name) {
            None => "none\n".to_string(),
            Some(locations) => locations
                .iter()
                .map(|location| {
                    let key = location.key.as_deref().unwrap_or("title");
                    format!("{} [{key}] {}\n", location.article_title, fixture.describe(location.file, location.range))
                })
                .collect(),
        }
    }

    fn time_line(fixture: &Fixture) -> String {
        timeline(&fixture.workspace)
            .iter()
            .map(|entry| {
                let end = entry.end.as_deref().unwrap_or("open");
                let approximate = if entry.approximate { " ~" } else { "" };
                format!(
                    "{} → {end}{approximate} {:?} {}\n",
                    entry.start,
                    entry.name,
                    fixture.describe(entry.file, entry.range)
                )
            })
            .collect()
    }

    #[test]
    fn kinds_are_counted_in_a_fixed_order_with_aliases_folded_into_their_article() {
        check(
            WORKSPACE,
            kinds,
            expect![[r#"
            Article 7
            Person 2
            Belligerent 1
            Unit 3
            Place 1
        "#]],
        );
    }

    #[test]
    fn people_most_listed_first() {
        check(
            WORKSPACE,
            of_kind(EntityKind::Person),
            expect![[r#"
            Person "Enver Hoxha" 4
            Person "Kiril Stanchev" 1
        "#]],
        );
    }

    #[test]
    fn units_tie_break_by_name_with_numbers_by_value() {
        check(
            WORKSPACE,
            of_kind(EntityKind::Unit),
            expect![[r#"
            Unit "2nd Bulgarian Army" 2
            Unit "2nd Division" 1
            Unit "12th Division" 1
        "#]],
        );
    }

    #[test]
    fn articles_count_the_other_articles_naming_them() {
        check(
            WORKSPACE,
            of_kind(EntityKind::Article),
            expect![[r#"
            Article "Kosovo Operation (1944)" 2
            Article "World War II in Yugoslavia" 1
            Article "A dispute" 0
            Article "Another dispute" 0
            Article "Battle of Pristina" 0
            Article "LANÇ counter-offensive in Albania (1944)" 0
            Article "Undated skirmish" 0
        "#]],
        );
    }

    #[test]
    fn a_kind_with_no_entity_gives_nothing() {
        check(WORKSPACE, of_kind(EntityKind::Conflict), expect![[r#""#]]);
    }

    #[test]
    fn a_person_is_located_at_every_listing_by_article_title() {
        check(
            WORKSPACE,
            locations(EntityKind::Person, "Enver Hoxha"),
            expect![[r#"
            Battle of Pristina [Commander1] /pristina.txt 7 "Enver Hoxha"
            Kosovo Operation (1944) [Commander1] /kosovo.txt 9 "Enver Hoxha"
            LANÇ counter-offensive in Albania (1944) [Commander2] /albania.txt 5 "Enver Hoxha"
            untitled.txt [Commander1] /untitled.txt 2 "Enver Hoxha"
        "#]],
        );
    }

    #[test]
    fn an_article_is_located_at_its_title_and_where_others_name_it() {
        check(
            WORKSPACE,
            locations(EntityKind::Article, "Kosovo Operation (1944)"),
            expect![[r#"
            Battle of Pristina [Partof] /pristina.txt 4 "Kosovo Operation"
            Kosovo Operation (1944) [title] /kosovo.txt 1 "Kosovo Operation (1944)"
            LANÇ counter-offensive in Albania (1944) [See also] /albania.txt 8 "Kosovo Operation (1944)"
        "#]],
        );
    }

    #[test]
    fn an_unknown_name_or_a_kind_it_never_has_is_not_located() {
        check(
            WORKSPACE,
            locations(EntityKind::Person, "Nobody Known"),
            expect![[r#"
            none
        "#]],
        );
        check(
            WORKSPACE,
            locations(EntityKind::Unit, "Enver Hoxha"),
            expect![[r#"
            none
        "#]],
        );
    }

    #[test]
    fn the_timeline_runs_from_the_earliest_start_ties_by_title() {
        check(
            WORKSPACE,
            time_line,
            expect![[r#"
            1941-04-06 → 1945-05-15 "World War II in Yugoslavia" /war.txt 5 "6 April 1941 – 15 May 1945"
            1944-06-01 → 1944-11-29 ~ "LANÇ counter-offensive in Albania (1944)" /albania.txt 4 "mid-June – 29 November 1944"
            1944-10-15 → 1944-11-22 "Kosovo Operation (1944)" /kosovo.txt 6 "15 October – 22 November 1944"
            1944-11-19 → 1944-11-19 "Battle of Pristina" /pristina.txt 5 "1944-11-19"
            2008-01-01 → open ~ "A dispute" /dispute.txt 4 "2008 – present"
            2008-01-01 → 2008-12-31 ~ "Another dispute" /also-2008.txt 4 "2008"
        "#]],
        );
    }

    #[test]
    fn the_date_value_is_found_past_a_byte_order_mark_and_crlf_lines() {
        let text = "\u{feff}= T =\r\n\r\nInfobox\r\n- Place: X\r\n- Date: 1912\r\n\r\nInfobox\r\n- Date: 1913\r\n";
        assert_eq!(date_value_range(text).map(|range| range.slice(text)), Some("1912"));
        assert_eq!(date_value_range("= T =\n\nNo infobox. Date: 1912\n"), None);
        assert_eq!(date_value_range("Infobox\n- Date: 1912"), Some(TextRange::new(16, 20)));
    }

    /// The explorer over the five seeds as one workspace.
    #[test]
    fn the_seeds_explorer_and_timeline() {
        let mut workspace = Workspace::default();
        for (name, text) in crate::test_support::seeds() {
            workspace.set_file(&name, std::sync::Arc::from(text));
        }
        let mut actual = String::new();
        for summary in entity_kinds(&workspace) {
            actual += &format!("{} {}\n", summary.kind.label(), summary.count);
            let entities = entities_of_kind(&workspace, summary.kind);
            assert_eq!(entities.len(), summary.count, "{:?}", summary.kind);
            for entity in entities.iter().take(4) {
                actual += &format!("  {:?} {}\n", entity.name, entity.listings);
            }
        }
        for (kind, name) in [(EntityKind::Person, "Alexander Löhr"), (EntityKind::Article, "Kosovo Operation (1944)")]
        {
            actual += &format!("{name}\n");
            for location in entity_locations(&workspace, kind, name).expect("a seed entity") {
                let source = workspace.file(location.file).expect("seed file");
                let key = location.key.as_deref().unwrap_or("title");
                actual += &format!("  {} [{key}] {:?}\n", location.article_title, location.range.slice(source.text()));
            }
        }
        actual += "timeline\n";
        for entry in timeline(&workspace) {
            let source = workspace.file(entry.file).expect("seed file");
            assert_eq!(entry.range.slice(source.text()), entry.date_text);
            let end = entry.end.as_deref().unwrap_or("open");
            actual += &format!("  {} → {end} {:?} ({})\n", entry.start, entry.name, entry.date_text);
        }
        expect![[r#"
            Article 5
              "Bajgora offensive" 0
              "Belgrade offensive" 0
              "Kosovo Operation (1944)" 0
              "LANÇ counter-offensive in Albania (1944)" 0
            Person 24
              "Alexander Löhr" 2
              "Enver Hoxha" 2
              "Aleksa Žujović" 1
              "Ali Këlcyra" 1
            Belligerent 6
              "Balli Kombëtar" 2
              "Bulgaria" 2
              "Albanian Partisans" 1
              "Independent Albania" 1
            Unit 35
              "1 Battalion" 1
              "1st Kos-Met Brigade" 1
              "2nd Bulgarian Army" 1
              "2nd Division" 1
            Place 5
              "Albania" 1
              "Albanian Kingdom" 1
              "Kosovo" 1
              "Kosovo vilayet" 1
            Conflict 3
              "First Balkan War" 1
              "World War II in Albania and the Albanian Civil War (1943–1944)" 1
              "World War II in Yugoslavia" 1
            Alexander Löhr
              Kosovo Operation (1944) [Commander2] "Alexander Löhr"
              LANÇ counter-offensive in Albania (1944) [Commander2] "Alexander Löhr"
            Kosovo Operation (1944)
              Kosovo Operation (1944) [title] "Kosovo Operation (1944)"
            timeline
              1912-10-01 → 1912-11-30 "Serbian invasion of Kosovo (1912)" (October and November 1912)
              1944-06-01 → 1944-11-29 "LANÇ counter-offensive in Albania (1944)" (mid-June – 29 November 1944)
              1944-10-15 → 1944-11-22 "Kosovo Operation (1944)" (15 October – 22 November 1944)
        "#]]
        .assert_eq(&actual);
    }
}
